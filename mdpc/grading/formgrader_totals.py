"""formgrader's totals count the tests' points, never the criteria's levels; its « to grade » marks are each grader's.

A criterion is rated on the scale in a rubric cell, an nbgrader *task* cell, and the journal of ratings
mirrors the level that counts into that cell's manual score (:mod:`mdpc.grading.ratings`). nbgrader adds it to
every total it shows: a copy's and a notebook's score, a candidate's overall score, an assignment's and a
notebook's average. A second grader would read the first one's level there — the copy's score went from 0 to
3 when the first grader rated 3 — and, when they disagree, the divergence: blind double marking broken. And a
level on a scale is not a point: adding it to the tests' points means nothing.

So formgrader's API answers (:func:`install`, around ``BaseApiHandler.write``, before the anonymity rewrite)
carry the totals without the task cells: ``score`` minus ``task_score`` and ``max_score`` minus
``max_task_score`` (the task fields then 0), the same for averages, and a candidate's overall score minus the
levels of their task cells, read from the gradebook. Each grader sees their own levels on the grading page
(:mod:`mdpc.grading.formgrader_journal`); the levels that count reach the candidates through the jury's
documents and the feedback.

The « needs manual grading » mark of a copy and of a notebook (:func:`own_marks`) is computed for the grader who
asks: a criterion counts as graded once *they* rated it (or the candidate is exempted from it), whatever another
grader did; nbgrader's mark would tell a second grader that someone rated, and let them skip a copy they have not
rated. Other manually graded cells keep nbgrader's mark.
"""

from __future__ import annotations

import json

PAIRS = (("score", "task_score", "max_score", "max_task_score"),
         ("average_score", "average_task_score", "max_score", "max_task_score"))
STUDENT_KEYS = frozenset({"id", "first_name", "last_name", "score", "max_score"})


def _number(value) -> float:
    return float(value or 0.0)


def without_levels(value, student_levels=None):
    """`value` (formgrader's JSON answer) with every total counting the tests only. `student_levels()` gives
    {candidate id: (sum of their task cells' scores, sum of every assignment's task cells' maximum)}; it is
    called only for the candidates' list, whose totals nbgrader does not split."""
    cache = {}

    def levels():
        if "v" not in cache:
            cache["v"] = student_levels() if student_levels else ({}, 0.0)
        return cache["v"]

    def walk(item):
        if isinstance(item, list):
            return [walk(x) for x in item]
        if not isinstance(item, dict):
            return item
        item = {k: walk(v) for k, v in item.items()}
        for total, part, maximum, part_max in PAIRS:
            if total in item and part in item:
                item[total] = round(_number(item[total]) - _number(item[part]), 6)
                item[part] = 0.0
                if maximum in item and part_max in item:
                    item[maximum] = round(_number(item[maximum]) - _number(item[part_max]), 6)
                    item[part_max] = 0.0
                return item
        if STUDENT_KEYS <= item.keys() and "task_score" not in item:
            by_student, all_max = levels()
            item["score"] = round(_number(item["score"]) - by_student.get(item["id"], 0.0), 6)
            item["max_score"] = round(_number(item["max_score"]) - all_max, 6)
        return item

    return walk(value)


def task_levels(gradebook) -> tuple[dict[str, float], float]:
    """({candidate id: sum of the scores of their task cells}, sum of every assignment's task maximum)."""
    from nbgrader.api import Assignment, Grade, Student, SubmittedAssignment, SubmittedNotebook, TaskCell
    from sqlalchemy import func

    rows = gradebook.db.query(Student.id, func.coalesce(func.sum(Grade.score), 0.0))\
        .join(SubmittedAssignment).join(SubmittedNotebook).join(Grade).join(TaskCell)\
        .group_by(Student.id).all()
    maximum = sum(_number(a.max_task_score) for a in gradebook.db.query(Assignment).all())
    return {sid: _number(score) for sid, score in rows}, maximum


def own_marks(handler, value):
    """`value` with each copy's and notebook's « needs manual grade » computed for the grader of `handler`."""
    from nbgrader.api import SubmittedAssignment, SubmittedNotebook

    from mdpc.core.exemptions import load as load_accommodations
    from mdpc.core.ratings import GRADER
    from mdpc.errors import MdpcError
    from mdpc.grading.course import Course
    from mdpc.grading.formgrader_journal import grader_name
    from mdpc.grading.ratings import RatingBook

    rows = [v for v in (value if isinstance(value, list) else [value])
            if isinstance(v, dict) and "needs_manual_grade" in v and "id" in v and "student" in v]
    if not rows:
        return value
    gb = handler.gradebook
    course = Course(handler.coursedir.root)
    book, who = RatingBook(course), grader_name(handler)
    try:
        signer = book.name_of(who) if who else ""
        accommodations = load_accommodations(course.root / "dispenses.yaml")
    except MdpcError:
        return value  # the page's own refusal says why; the marks stay nbgrader's
    rated: dict[str, set] = {}
    rubrics: dict[str, dict] = {}

    def needs(notebook) -> bool:
        assignment = notebook.assignment.assignment.name
        if assignment not in rated:  # the journal and the rubric read once per assignment, not per notebook
            rated[assignment] = {(r.candidate, r.competency, r.criterion) for r in book.history(assignment)
                                 if r.who == signer and r.role == GRADER} if signer else set()
            rubrics[assignment] = course.maps(assignment).rubric
        rubric = rubrics[assignment]
        for grade in notebook.grades:
            crit = rubric.get((notebook.name, grade.name))
            if crit is None:
                if grade.needs_manual_grade:
                    return True
            elif (notebook.student.id, *crit) not in rated[assignment] and not accommodations.get(
                    notebook.student.id).is_exempt(*crit):
                return True
        return False

    for row in rows:
        kind = SubmittedNotebook if "failed_tests" in row else SubmittedAssignment if "timestamp" in row else None
        if kind is None:  # a cell's grade (formgrader_journal blinds it) or another answer
            continue
        found = gb.db.get(kind, row["id"])
        if found is None:
            continue
        try:
            row["needs_manual_grade"] = (needs(found) if kind is SubmittedNotebook
                                         else any(needs(nb) for nb in found.notebooks))
        except MdpcError:
            continue
    return value


def install() -> None:
    """Rewrite formgrader's API answers (idempotent); install after the anonymity rewrite, which it wraps: the
    candidates' ids are still the real ones when the totals are computed."""
    from nbgrader.server_extensions.formgrader import apihandlers as api

    if getattr(api.BaseApiHandler, "_mdpc_totals", False):
        return
    wrapped = api.BaseApiHandler.write

    def write(self, chunk):
        if isinstance(chunk, str | bytes):
            try:
                value = json.loads(chunk)
            except ValueError:
                return wrapped(self, chunk)
            chunk = json.dumps(own_marks(self, without_levels(value, lambda: task_levels(self.gradebook))))
        return wrapped(self, chunk)

    api.BaseApiHandler.write = write
    api.BaseApiHandler._mdpc_totals = True
