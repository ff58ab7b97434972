"""Graders' ratings and the level that counts: the pure rules of double marking (no storage here).

The journal of ratings (``notation.db``, kept by :mod:`mdpc.grading.ratings`) is the one store of truth
for graders' levels and comments: each row is one person's rating, signed and dated, in their own words.
From a criterion's rows, :func:`effective` derives the level that counts:

- one grader, or several who agree: their level;
- graders who disagree: no level (the criterion is « en attente ») until the jury records the final one;
- the jury's level, once recorded, whatever the graders said.

:func:`apply_ratings` puts those levels into a candidate's criterion results; the nbgrader gradebook only
mirrors them (for formgrader and the candidates' feedback) and is never read back as a grader's level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from mdpc.core.decisions import resolve_level
from mdpc.core.grids import Grid, Scale
from mdpc.core.submissions import Submission

GRADER, JURY = "correcteur", "jury"


@dataclass(frozen=True)
class Rating:
    """One row of the journal: one person's level and comment for one criterion of one candidate."""

    assignment: str
    candidate: str
    competency: str
    criterion: int
    who: str
    role: str
    level: int
    comment: str
    at: str


class RatingState(StrEnum):
    NONE = "aucune note"
    SINGLE = "unique"
    AGREED = "concordantes"
    DIVERGENT = "divergentes"
    JURY = "jury"


@dataclass(frozen=True)
class Effective:
    """The level that counts for one criterion, and why."""

    level: int | None
    comment: str
    graders: tuple[str, ...]
    state: RatingState
    levels: dict = field(default_factory=dict)       # each grader's latest level
    comments: dict = field(default_factory=dict)     # each grader's latest comment, in their own words

    def label(self) -> str:
        """Who stands behind the level, for the reports."""
        if self.state == RatingState.JURY:
            return f"jury ({', '.join(self.graders)})"
        return ", ".join(self.graders)


def effective(rows: list[Rating]) -> Effective:
    """The level that counts, from one criterion's journal rows (oldest first)."""
    latest: dict[str, Rating] = {}
    jury = None
    for r in rows:
        if r.role == JURY:
            jury = r
        else:
            latest[r.who] = r
    levels = {who: r.level for who, r in latest.items()}
    comments = {who: r.comment for who, r in latest.items()}
    if jury:
        return Effective(jury.level, f"[Jury — {jury.who}] {jury.comment}".strip(), (jury.who,), RatingState.JURY,
                         levels, comments)
    if not latest:
        return Effective(None, "", (), RatingState.NONE)
    graders = tuple(latest)
    if len(set(levels.values())) > 1:
        detail = " ; ".join(f"{w} : {lv}" for w, lv in levels.items())
        return Effective(None, f"[Notes divergentes, en attente du jury] {detail}", graders, RatingState.DIVERGENT,
                         levels, comments)
    if len(latest) == 1:
        only = next(iter(latest.values()))
        return Effective(only.level, only.comment, graders, RatingState.SINGLE, levels, comments)
    comment = "\n".join(f"[{w}] {r.comment}" for w, r in latest.items() if r.comment)
    return Effective(next(iter(levels.values())), comment, graders, RatingState.AGREED, levels, comments)


def effective_by_criterion(rows: list[Rating]) -> dict[tuple[str, str, int], Effective]:
    """The effective rating of every rated criterion, keyed by (candidate, competency, criterion)."""
    grouped: dict[tuple[str, str, int], list[Rating]] = {}
    for r in rows:
        grouped.setdefault((r.candidate, r.competency, r.criterion), []).append(r)
    return {k: effective(v) for k, v in grouped.items()}


def apply_ratings(sub: Submission, ratings: dict[tuple[str, str, int], Effective], scale: Scale,
                  grids: dict[str, Grid] | None = None) -> None:
    """Put the journal's levels and comments into a candidate's criterion results (the autograded
    proposal stays where no grader has rated); note a gradebook level that the journal does not hold."""
    for (code, number), result in sub.results.items():
        eff = ratings.get((sub.student, code, number))
        journal_level = eff.level if eff is not None else None
        result.level, result.source = None, None
        resolve_level(result, journal_level, scale, grids)  # the journal's level, else the autograded proposal
        result.comment = eff.comment if eff is not None else ""
        if result.gradebook_level is not None and result.gradebook_level != journal_level:
            sub.off_journal.append((code, number, result.gradebook_level))
