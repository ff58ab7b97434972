"""The shape of the code: import contracts (import-linter, [tool.importlinter] in pyproject.toml) and module size.

Contracts: the layers of the grading system (mdpc.cli > mdpc.demo, mdpc.app > reports > grading > authoring
| exports > core > errors; authoring and exports never import each other), the candidate kit free of the grading
system and its stack, mdpc.core free of nbgrader, papermill, notebooks and PDF. A broken contract fails with import-linter's own explanation (the chain of imports,
file and line).
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mdpc import PROJECT_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("mdpc", "mdpc_utils")


def _lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": str(LINT_IMPORTS.parent), "LANG": "C.UTF-8"}
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", str(PROJECT_ROOT / "pyproject.toml")],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_import_contracts_are_kept():
    assert LINT_IMPORTS.exists(), "lint-imports absent de l'environnement : lancez `make install`"
    proc = _lint_imports(PROJECT_ROOT)
    assert proc.returncode == 0, f"Contrat d'import rompu (import-linter) :\n{proc.stdout}{proc.stderr}"
    assert "3 kept, 0 broken" in proc.stdout, proc.stdout


@pytest.mark.parametrize("module, line, broken", [
    ("mdpc_utils/cases.py", "import mdpc.grading.course", "mdpc_utils.cases -> mdpc.grading.course (l.1)"),
    ("mdpc_utils/bloc4.py", "from tqdm import tqdm", "mdpc_utils.bloc4 -> tqdm (l.1)"),
    ("mdpc/core/decisions.py", "import nbformat", "mdpc.core.decisions -> nbformat (l.1)"),
    ("mdpc/authoring/coverage.py", "from mdpc.reports import batch", "mdpc.authoring.coverage -> mdpc.reports.batch (l.1)"),
    ("mdpc/exports/case.py", "import mdpc.authoring.demo_cohort", "mdpc.exports.case -> mdpc.authoring.demo_cohort (l.1)"),
    ("mdpc/extra.py", "X = 1", "The following modules are not listed as layers:\n\n- mdpc.extra"),
], ids=["kit>mdpc", "kit>tqdm", "core>nbformat", "authoring>reports", "exports>authoring", "unlisted-layer"])
def test_a_forbidden_import_breaks_a_contract(tmp_path, module, line, broken):
    """The contracts can fail: the same check on a copy of the code with one forbidden import (or one module outside
    the layers) added."""
    for package in PACKAGES:
        shutil.copytree(PROJECT_ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    path = tmp_path / module
    path.write_text(f"{line}  # noqa\n" + (path.read_text(encoding="utf-8") if path.exists() else ""), encoding="utf-8")
    proc = _lint_imports(tmp_path, pythonpath=tmp_path)
    assert proc.returncode != 0 and "BROKEN" in proc.stdout, proc.stdout + proc.stderr
    assert broken in proc.stdout, proc.stdout


# -- module size ---------------------------------------------------------------------------------------------

MAX_LINES = 350
# Modules allowed over MAX_LINES, with the reason; an entry that is back under the limit fails (remove it).
OVER_LIMIT = {
    "mdpc/authoring/demo_cohort.py": "loads and validates three data files (trainers' catalogues of wrong answers, "
                                     "the cohort's levels, its identity), each error naming its file and entry; "
                                     "the validation is most of it",
}


def over_limit(root: Path) -> dict[str, int]:
    """{module: lines} for the Python modules of mdpc and mdpc_utils longer than MAX_LINES."""
    out = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                out[path.relative_to(root).as_posix()] = lines
    return out


def test_no_module_is_longer_than_the_limit():
    over = over_limit(PROJECT_ROOT)
    unexpected = {m: n for m, n in over.items() if m not in OVER_LIMIT}
    assert not unexpected, (f"Modules de plus de {MAX_LINES} lignes : {unexpected} ; découpez-les, ou ajoutez-les à "
                            "OVER_LIMIT avec la raison")
    back = sorted(set(OVER_LIMIT) - set(over))
    assert not back, f"Revenus sous {MAX_LINES} lignes (ou disparus) : retirez-les de OVER_LIMIT : {back}"


def test_a_long_module_is_seen(tmp_path):
    (tmp_path / "mdpc_utils").mkdir()
    (tmp_path / "mdpc_utils" / "long.py").write_text("x = 1\n" * (MAX_LINES + 1), encoding="utf-8")
    (tmp_path / "mdpc_utils" / "short.py").write_text("x = 1\n" * MAX_LINES, encoding="utf-8")
    assert over_limit(tmp_path) == {"mdpc_utils/long.py": MAX_LINES + 1}

