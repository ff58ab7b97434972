"""nbgrader validate on every case: the solution passes every test, the blank release does not."""

import shutil

import pytest

from mdpc_utils import CAS_DIR, RELEASE_DIR
from mdpc_utils.answers import ANSWERS_FILE
from mdpc_utils.course import run_nbgrader

CASES = sorted(CAS_DIR.glob("*/*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("source", CASES, ids=[p.stem for p in CASES])
def test_solution_validates_and_blank_release_does_not(source, tmp_path):
    solution = tmp_path / "solution"
    shutil.copytree(source.parent, solution, ignore=shutil.ignore_patterns(ANSWERS_FILE))
    shutil.copy(source.parent / "corrige" / "reponses_corrige.json", solution / ANSWERS_FILE)
    proc = run_nbgrader(["validate", source.name], solution, check=False)
    assert "Success! Your notebook passes all the tests." in proc.stdout, proc.stdout[-2000:]

    blank = tmp_path / "vide"
    shutil.copytree(RELEASE_DIR / source.parent.name, blank)
    proc = run_nbgrader(["validate", source.name], blank, check=False)
    assert "Success!" not in proc.stdout
    assert "NotImplementedError" in proc.stdout or "VALIDATION FAILED" in proc.stdout
