"""``nbgrader validate``, the command a trainer runs on a source and a candidate's Validate button runs on a copy.

Every case notebook is proven elsewhere to give the solution every autograded point and the blank release none:
the demo cohort's c01 hands in the solutions and c04 the blank release, and ``tests/test_pipeline.py`` checks
their autograded scores, notebook by notebook. Running validate on all twenty cases again took 55 to 90 s of
``make test`` for no new evidence; this module keeps the command's own path covered on one assignment: its
solution passes, its blank release fails, each read from its own section of one validate run per version.
"""

import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from mdpc import CAS_DIR, RELEASE_DIR
from mdpc.grading.course import nbgrader_env
from mdpc_utils.answers import ANSWERS_FILE

ASSIGNMENT = "B4_management_equipe"
CASES = sorted((CAS_DIR / ASSIGNMENT).glob("*.ipynb"))
SECTION = re.compile(r"\[ValidateApp \| INFO\] Validating '(?P<path>[^']+)'")


def _validate(folder):
    """{notebook name: its part of nbgrader's output} for every notebook of the folder, in one run."""
    names = sorted(p.name for p in folder.glob("*.ipynb"))
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "validate", *names], cwd=folder, env=nbgrader_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1800)
    marks = list(SECTION.finditer(proc.stdout))
    return {m["path"].rsplit("/", 1)[-1]: proc.stdout[m.end():(marks[k + 1].start() if k + 1 < len(marks) else None)]
            for k, m in enumerate(marks)}


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    root = tmp_path_factory.mktemp("valider")
    folders = []
    for assignment in [CAS_DIR / ASSIGNMENT]:
        solution = root / "solution" / assignment.name
        shutil.copytree(assignment, solution, ignore=shutil.ignore_patterns(ANSWERS_FILE))
        shutil.copy(assignment / "corrige" / "reponses_corrige.json", solution / ANSWERS_FILE)
        blank = root / "vide" / assignment.name
        shutil.copytree(RELEASE_DIR / assignment.name, blank)
        folders += [("solution", solution), ("vide", blank)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        outputs = list(pool.map(lambda f: _validate(f[1]), folders))
    out = {}
    for (version, folder), sections in zip(folders, outputs, strict=True):
        for name, text in sections.items():
            out[(version, folder.name, name)] = text
    return out


@pytest.mark.slow
@pytest.mark.parametrize("source", CASES, ids=[p.stem for p in CASES])
def test_solution_validates_and_blank_release_does_not(source, verdicts):
    solution = verdicts[("solution", source.parent.name, source.name)]
    assert "Success! Your notebook passes all the tests." in solution, solution[-2000:]
    blank = verdicts[("vide", source.parent.name, source.name)]
    assert "Success!" not in blank
    assert "NotImplementedError" in blank or "VALIDATION FAILED" in blank
