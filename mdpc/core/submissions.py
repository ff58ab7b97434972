"""What the gradebook holds of a candidate's work, in the terms the decisions need.

A :class:`Submission` is read from nbgrader's gradebook by :mod:`mdpc.grading.course` (or built directly by
a benchmark): the candidate's criterion results (share of autograded points, level), delivery times and
autograded points. Several assignments of one candidate merge into one submission.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from mdpc.core.decisions import CriterionResult
from mdpc.core.exemptions import lateness_minutes


@dataclass
class Submission:
    student: str
    name: str
    results: dict[tuple[str, int], CriterionResult]
    submitted_at: dt.datetime | None
    due: dt.datetime | None
    auto_score: float = 0.0
    auto_max: float = 0.0
    missing_notebooks: list[str] = field(default_factory=list)
    assignment: str = ""
    deliveries: list[tuple[str, dt.datetime | None, dt.datetime | None]] = field(default_factory=list)
    off_journal: list[tuple[str, int, float]] = field(default_factory=list)  # gradebook levels the journal lacks

    def late_minutes(self, extra_minutes: int = 0, tolerance: int = 0) -> float:
        """Minutes late; over several assignments, the latest of them."""
        if self.deliveries:
            return max(lateness_minutes(s, d, extra_minutes, tolerance) for _, s, d in self.deliveries)
        return lateness_minutes(self.submitted_at, self.due, extra_minutes, tolerance)


def merge_submissions(per_assignment: dict[str, dict[str, Submission]]) -> dict[str, Submission]:
    """One submission per candidate over several assignments (blocs): criteria, points and deliveries together.

    A candidate who did not hand in an assignment simply has no result for its criteria (they stay « non évalué »)
    and the assignment's notebooks are listed as missing.
    """
    merged: dict[str, Submission] = {}
    for assignment, subs in per_assignment.items():
        for sid, sub in subs.items():
            m = merged.setdefault(sid, Submission(sid, sub.name, {}, None, None))
            m.results.update(sub.results)
            m.auto_score += sub.auto_score
            m.auto_max += sub.auto_max
            m.missing_notebooks += sub.missing_notebooks
            m.deliveries.append((assignment, sub.submitted_at, sub.due))
            m.off_journal += sub.off_journal
    for m in merged.values():  # the headline delivery: the latest relative to its due date
        done = {a for a, _, _ in m.deliveries}
        m.missing_notebooks += [f"{a} (devoir non remis)" for a in per_assignment if a not in done]
        worst = max(m.deliveries, key=lambda x: lateness_minutes(x[1], x[2]) if x[1] and x[2] else -1)
        m.assignment, m.submitted_at, m.due = worst
    return merged
