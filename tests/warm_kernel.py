"""Notebooks executed one after the other in one warm kernel, as nbgrader would grade them, without its cost.

For tests only (a candidate's code runs here outside the sandbox and beside the tests, as in ``nbgrader
validate``): a copy's notebooks get their locked and test cells back from the source (hidden tests included,
as nbgrader's ``OverwriteCells`` restores them), then run cell by cell in one kernel whose namespace is reset,
the kit's modules imported afresh, figures closed and working folder changed between notebooks. A graded test
cell that raises loses its points in nbgrader (no partial credit): :func:`verdicts` says, for each, whether it
raised.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

from mdpc.grading.judge_code import is_test, is_trusted
from mdpc_utils.cases import GRADING_VARIABLE

# the kit keeps what a notebook answered (forms, answers file) in its modules: they are imported afresh
# and the kernel says it runs for a verdict: a check that fails raises (mdpc_utils.cases.grading); outputs are
# formatted as text only, as in the judge kernel (figures are not drawn: 1.12 → 0.94 s of computation per notebook,
# the same verdicts, on the solution and the blank release of the five assignments)
RESET = ("%reset -f\nget_ipython().display_formatter.active_types = ['text/plain']\nimport os as _os, sys as _sys, matplotlib.pyplot as _plt\n_plt.close('all')\n_os.chdir({folder!r})\n"
         f"_os.environ[{GRADING_VARIABLE!r}] = '1'\n"
         "for _m in [m for m in _sys.modules if m == 'mdpc_utils' or m.startswith('mdpc_utils.')]:\n"
         "    del _sys.modules[_m]\n")


def _restored(copy: Path, source: Path):
    """The copy's notebook with the source's locked and test cells (matched on nbgrader's grade_id)."""
    nb = nbformat.read(copy, as_version=4)
    trusted = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(source, as_version=4).cells
               if is_trusted(c)}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in trusted:
            cell.source = trusted[grade_id]
    return nb


def verdicts(copies: list[tuple[Path, Path]], timeout: int = 300) -> dict[tuple[str, str, str], bool]:
    """{(copy folder, notebook, test cell's grade_id): raised} for each (copy folder, source folder), every
    notebook of the copy executed in one kernel, in order."""
    out: dict[tuple[str, str, str], bool] = {}
    client = NotebookClient(nbformat.v4.new_notebook(), timeout=timeout, kernel_name="python3", allow_errors=True)
    with client.setup_kernel():
        for folder, source in copies:
            for path in sorted(folder.glob("*.ipynb")):
                nb = _restored(path, source / path.name)
                client.nb = nb
                client.execute_cell(nbformat.v4.new_code_cell(RESET.format(folder=str(folder))), 0)
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type != "code":
                        continue
                    client.execute_cell(cell, index)
                    if is_test(cell) and cell.metadata["nbgrader"].get("points", 0):
                        raised = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
                        out[(str(folder), path.stem, cell.metadata["nbgrader"]["grade_id"])] = raised
    return out
