"""The trainer's check of a source assignment in place (``mdpc valider``): nbgrader validate with the answer key.

``nbgrader validate`` on a source notebook needs the widget answers of the solution, which live in the
assignment's ``corrige/`` (never released). Nothing is copied: the key's path is given to the kernels of this
run only, in ``MDPC_SOURCE_FORMATEUR``, and the candidate kit (``mdpc_utils.answers``) reads it there, without
writing, only when no answers file sits beside the notebook and the key lies in a subfolder of the notebook's
folder. What the solutions produce while they run (deliverables) is removed afterwards, so that no release made
from the folder carries it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mdpc.errors import MdpcError
from mdpc.grading.course import nbgrader_env
from mdpc_utils.answers import ANSWERS_FILE, TRAINER_KEY_ENV

SECTION = re.compile(r"\[ValidateApp \| INFO\] Validating '(?P<path>[^']+)'")
SUCCESS = "Success! Your notebook passes all the tests."


@dataclass
class CheckResult:
    output: str  # nbgrader's own output
    notebooks: list[str]
    failed: list[str]
    removed: list[str] = field(default_factory=list)  # produced by the run, removed from the source folder
    warnings: list[str] = field(default_factory=list)


def _tree(folder: Path) -> set[Path]:
    """Every file and folder under folder, links not followed."""
    out = set()
    for here, dirs, files in os.walk(folder):
        out |= {Path(here) / n for n in [*dirs, *files]}
    return out


def validate_sources(course: str | Path, assignment: str, notebooks: list[str] | None = None) -> CheckResult:
    """Run nbgrader validate on the source notebooks of the assignment, in place, with its answer key."""
    course = Path(course).resolve()
    folder = course / "cas_pratiques" / assignment
    if not assignment.strip("./") or "/" in assignment or not folder.is_dir():
        known = sorted(p.name for p in (course / "cas_pratiques").glob("B*") if p.is_dir())
        raise MdpcError(f"Devoir inconnu : « {assignment} » (devoirs de {course / 'cas_pratiques'} : {', '.join(known)}).")
    key = folder / "corrige" / "reponses_corrige.json"
    if not key.is_file() or key.is_symlink():
        raise MdpcError(f"Corrigé des formulaires introuvable : {key}.")
    names = [c if c.endswith(".ipynb") else f"{c}.ipynb" for c in notebooks or []] or sorted(
        p.name for p in folder.glob("*.ipynb"))
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        raise MdpcError(f"Carnet(s) introuvable(s) dans {folder} : {', '.join(missing)}.")
    warnings = []
    if (folder / ANSWERS_FILE).exists():
        warnings.append(f"⚠ {folder / ANSWERS_FILE} existe : c'est lui que lisent les formulaires, pas le corrigé. "
                        "Supprimez-le pour valider avec le corrigé (et ne le diffusez pas).")
    before = _tree(folder)
    # the key is named to the kernels of this run only (never exported): mdpc_utils.answers reads it, writes nothing
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "validate", *[str(folder / n) for n in names]], cwd=course,
                          env={**nbgrader_env(), TRAINER_KEY_ENV: str(key.resolve())},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    created = sorted(_tree(folder) - before, key=lambda p: len(p.parts), reverse=True)
    for p in created:
        if p.is_dir() and not p.is_symlink():
            p.rmdir()
        else:
            p.unlink()
    marks = list(SECTION.finditer(proc.stdout))
    verdicts = {m["path"].rsplit("/", 1)[-1]: proc.stdout[m.end():(marks[k + 1].start() if k + 1 < len(marks) else None)]
                for k, m in enumerate(marks)}
    failed = [n for n in names if SUCCESS not in verdicts.get(n, "")]
    if proc.returncode and not failed:
        failed = list(names)
    return CheckResult(proc.stdout, names, failed, sorted(p.relative_to(folder).as_posix() for p in created), warnings)
