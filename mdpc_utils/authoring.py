"""Cell builders for writing case notebooks with nbgrader metadata (used by trainers' scripts and tests)."""

from __future__ import annotations

import nbformat

from .rubric import default_grids, rubric_cell

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _nbgrader(grade_id: str, *, solution=False, grade=False, locked=False, task=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": task}
    if points is not None:
        meta["points"] = points
    return meta


def _clean(cell):
    return cell


def markdown(text: str, grade_id: str | None = None):
    """A markdown cell; with a grade_id it is locked (read-only, checksummed by nbgrader)."""
    meta = {"nbgrader": _nbgrader(grade_id, locked=True)} if grade_id else {}
    return _clean(nbformat.v4.new_markdown_cell(text.strip(), metadata=meta))


def code(src: str, grade_id: str | None = None):
    """A code cell the candidate runs as given; with a grade_id it is locked."""
    meta = {"nbgrader": _nbgrader(grade_id, locked=True)} if grade_id else {}
    return _clean(nbformat.v4.new_code_cell(src.strip(), metadata=meta))


def solution(src: str, grade_id: str):
    """An autograded answer cell: the part between BEGIN/END SOLUTION becomes a stub in the release."""
    return _clean(nbformat.v4.new_code_cell(src.strip(), metadata={"nbgrader": _nbgrader(grade_id, solution=True)}))


def test(src: str, grade_id: str, points: int, competency: str, criterion: int):
    """An autograded test cell giving evidence for one criterion (DESIGN.md §2)."""
    meta = {"nbgrader": _nbgrader(grade_id, grade=True, locked=True, points=points),
            "mdpc": {"competence": competency, "critere": criterion}}
    return _clean(nbformat.v4.new_code_cell(src.strip(), metadata=meta))


def rubric(competency: str) -> list:
    """The rubric cells of a competency, one per criterion, from its grid (DESIGN.md §1)."""
    grid = default_grids()[competency]
    return [rubric_cell(grid, c.number) for c in grid.criteria]


def notebook(cells: list, title: str):
    nb = nbformat.v4.new_notebook()
    for i, cell in enumerate(cells):  # stable ids: the grade id where there is one
        cell["id"] = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cellule-{i:02d}"
    nb.cells = cells
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}, "mdpc": {"titre": title}}
    return nb


def write(nb, path) -> None:
    nbformat.validate(nb)
    with open(path, "w", encoding="utf-8") as fh:
        nbformat.write(nb, fh)
