"""Correct answers written another way earn the same points (issue 16).

Each assignment keeps, beside its answer key, a catalogue of correct variants (``corrige/variantes.yaml``:
other implementations a competent candidate could write, in two groups « a » and « b »). Two candidates hand
in the solution with every variant of one group applied; both go through the real path (nbgrader's exchange,
collect, ``mdpc autograde`` in the sandbox, the judge kernel) and must earn every autograded point. The wrong
answers of ``corrige/erreurs_types.yaml`` are checked by the demo cohort (``tests/test_pipeline.py``): each
fails exactly the tests it names.
"""

from __future__ import annotations

import os

import nbformat
import pytest

from mdpc import CAS_DIR, demo
from mdpc.authoring.demo_cohort import VARIANT_GROUPS, make_submission, strip_solution, variants
from mdpc.grading.autograde import autograde_assignments
from mdpc.grading.exchange import exchange_step
from mdpc.grading.sandbox import status

ASSIGNMENTS = demo.ASSIGNMENTS
MIN_LINES = 3  # a solution cell of this many lines of code or more computes something: it has variants


def _code_lines(source: str) -> int:
    return sum(1 for line in strip_solution(source).splitlines() if line.strip() and not line.strip().startswith("#")
               and "raise NotImplementedError" not in line)


def _computing_cells(assignment: str) -> dict[tuple[str, str], int]:
    """{(notebook, cell id): lines} of the solution cells that compute something."""
    out = {}
    for path in sorted((CAS_DIR / assignment).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("solution") and _code_lines(cell.source) >= MIN_LINES:
                out[(path.stem, cell.id)] = _code_lines(cell.source)
    return out


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_computing_cell_has_a_variant_in_each_group(assignment):
    found = {name: v for name, v in variants().items() if v.assignment == assignment}
    assert found, f"{assignment} : pas de corrige/variantes.yaml"
    for group in VARIANT_GROUPS:
        edited = {(v.notebook, e.cell) for v in found.values() if v.group == group for e in v.edits}
        missing = sorted(set(_computing_cells(assignment)) - edited)
        assert not missing, f"{assignment}, groupe {group} : cellules de calcul sans variante : {missing}"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every assignment, its two variant candidates graded in one ``mdpc autograde`` run (one pool of
    workers for all: the fewest nbgrader starts)."""
    if hasattr(os, "geteuid") and os.geteuid() != 0 or not status()[0]:
        pytest.skip("le bac à sable complet demande root et bubblewrap")
    root = tmp_path_factory.mktemp("variantes") / "cours"
    course = demo.prepare_course(root)
    catalogue = variants()
    students = {f"v{g}": g for g in VARIANT_GROUPS}
    with course.gradebook() as gb:
        for assignment in ASSIGNMENTS:
            gb.update_or_create_assignment(assignment, duedate=demo.DUE)
        for sid, group in students.items():
            gb.update_or_create_student(sid, first_name="Variantes", last_name=group.upper())
    for assignment in ASSIGNMENTS:
        course.run_in_process("generate_assignment", assignment)
        course.run_in_process("release_assignment", assignment)
        for sid, group in students.items():
            home = root / "candidats" / sid
            home.mkdir(parents=True, exist_ok=True)
            exchange_step("fetch", home, assignment, sid, root / "echange")
            names = tuple(n for n, v in catalogue.items() if v.assignment == assignment and v.group == group)
            make_submission(home / assignment, course.source(assignment), names)
            exchange_step("submit", home, assignment, sid, root / "echange")
        course.run_in_process("collect", assignment)
    errors = autograde_assignments(course, list(ASSIGNMENTS), progress=False)
    scores = {}
    with course.gradebook() as gb:
        for assignment in ASSIGNMENTS:
            for sub in gb.find_assignment(assignment).submissions:
                scores[(assignment, sub.student.id)] = {
                    g.name: (g.score, g.max_score) for nb in sub.notebooks for g in nb.grades if g.auto_score is not None}
    return {"errors": errors, "scores": scores}


@pytest.mark.slow
@pytest.mark.parametrize("group", VARIANT_GROUPS)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_variants_of_a_group_earn_every_point(graded, assignment, group):
    assert not graded["errors"][assignment], graded["errors"][assignment]
    scores = graded["scores"][(assignment, f"v{group}")]
    lost = {name: f"{score}/{top}" for name, (score, top) in scores.items() if score < top}
    assert scores and not lost, f"{assignment}, variantes du groupe {group} : points perdus {lost}"
