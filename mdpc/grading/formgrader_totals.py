"""formgrader's totals count the tests' points, never the criteria's levels.

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
            chunk = json.dumps(without_levels(value, lambda: task_levels(self.gradebook)))
        return wrapped(self, chunk)

    api.BaseApiHandler.write = write
    api.BaseApiHandler._mdpc_totals = True
