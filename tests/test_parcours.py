"""« Run All » on every blank released case, as a candidate opens it: the notebook reaches its last cell.

A candidate who has answered nothing yet, or part of a case, runs the whole notebook to see its forms: a
missing answer gets a one-line French notice (``✘ …``), never a traceback that stops the run, and every form
of the case is displayed (issue 17, item 5). Each released case is executed here by nbclient, as JupyterLab's
« Exécuter toutes les cellules » would, in the candidate's conditions (no grading variable set), from a fresh
copy of ``release/``; nothing stops on an error.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from mdpc import RELEASE_DIR
from mdpc.authoring.form_cells import is_form_cell
from mdpc_utils.cases import GRADING_VARIABLE, JUDGE_VARIABLE

pytestmark = pytest.mark.slow
CASES = sorted(RELEASE_DIR.glob("B*/*.ipynb"))
WIDGET = "application/vnd.jupyter.widget-view+json"


def _run(path: Path) -> dict:
    """The notebook run from its first cell to its last; where it stopped (if it did) and what it showed."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}})
    stopped = None
    try:
        client.execute()
    except CellExecutionError as exc:
        stopped = str(exc).strip().splitlines()[-1][:300]
    forms = [c for c in nb.cells if is_form_cell(c)]
    return {
        "stopped": stopped,
        "errors": [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells if c.cell_type == "code"
                   and any(o.get("output_type") == "error" for o in c.get("outputs", []))],
        "tracebacks": [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells if c.cell_type == "code"
                       and any("Traceback" in o.get("text", "") for o in c.get("outputs", []))],
        "forms_not_shown": [c.metadata.get("nbgrader", {}).get("grade_id") for c in forms
                            if not any(WIDGET in o.get("data", {}) for o in c.get("outputs", []))],
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    for name in (GRADING_VARIABLE, JUDGE_VARIABLE):
        assert not os.environ.get(name), f"{name} est défini : ce n'est pas l'environnement d'un candidat"
    root = tmp_path_factory.mktemp("parcours")
    for assignment in sorted({p.parent.name for p in CASES}):
        shutil.copytree(RELEASE_DIR / assignment, root / assignment)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(_run, [root / p.parent.name / p.name for p in CASES])
    return dict(zip([p.stem for p in CASES], results, strict=True))


@pytest.mark.parametrize("case", [p.stem for p in CASES])
def test_run_all_on_a_blank_copy_reaches_the_last_cell_and_shows_every_form(runs, case):
    run = runs[case]
    assert run["stopped"] is None and not run["errors"], f"{case} : « Exécuter tout » s'arrête : {run}"
    assert not run["tracebacks"], f"{case} : trace d'erreur affichée au candidat : {run['tracebacks']}"
    assert not run["forms_not_shown"], f"{case} : formulaires non affichés : {run['forms_not_shown']}"
