"""Graders' ratings with their audit trail, double marking and the jury's final word.

Every rating is appended to ``notation.db`` beside the gradebook (who, what, when: never updated nor
deleted, so a jury can show it). The level that counts is then written into the nbgrader gradebook,
in the very fields formgrader uses (manual score and comment of the criterion's rubric cell):
- one grader, or several who agree: their level;
- graders who disagree: no level (the criterion is « en attente ») until the jury records the final one;
- the jury's level, once recorded, whatever the graders said.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from mdpc.core.exemptions import Accommodations
from mdpc.core.grids import Scale, default_scale
from mdpc.grading.course import Course, CourseError

DB_NAME = "notation.db"
GRADER, JURY = "correcteur", "jury"
SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    devoir TEXT NOT NULL, candidat TEXT NOT NULL, competence TEXT NOT NULL, critere INTEGER NOT NULL,
    evaluateur TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('correcteur', 'jury')),
    niveau INTEGER NOT NULL, commentaire TEXT NOT NULL DEFAULT '', horodatage TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_critere ON notes (devoir, candidat, competence, critere);
CREATE TRIGGER IF NOT EXISTS notes_sans_modification BEFORE UPDATE ON notes
BEGIN SELECT RAISE(ABORT, 'le journal des notes ne se modifie pas'); END;
CREATE TRIGGER IF NOT EXISTS notes_sans_suppression BEFORE DELETE ON notes
BEGIN SELECT RAISE(ABORT, 'le journal des notes ne se supprime pas'); END;
"""


@dataclass(frozen=True)
class Rating:
    assignment: str
    candidate: str
    competency: str
    criterion: int
    who: str
    role: str
    level: int
    comment: str
    at: str


@dataclass(frozen=True)
class Effective:
    """The level that counts for one criterion, and why."""

    level: int | None
    comment: str
    graders: tuple[str, ...]
    state: str  # "aucune note", "unique", "concordantes", "divergentes", "jury"
    levels: dict


class RatingBook:
    def __init__(self, course: Course, scale: Scale | None = None):
        self.course = course
        self.scale = scale or default_scale()
        self.path = course.root / DB_NAME
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self):
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    # -- writing ---------------------------------------------------------------------------------
    def record(self, assignment: str, candidate: str, competency: str, criterion: int, who: str, level,
               comment: str = "", jury: bool = False, accommodations: Accommodations | None = None) -> Effective:
        """Append one rating, then write the level that counts into the gradebook."""
        who = (who or "").strip()
        if not who:
            raise CourseError("Indiquez le nom du correcteur : chaque note est signée dans le journal.")
        level = self.scale.check_level(level)
        if accommodations and accommodations.get(candidate).is_exempt(competency, int(criterion)):
            raise CourseError(f"{candidate} est dispensé(e) du critère {criterion} de {competency} : "
                              "ce critère ne reçoit pas de niveau.")
        notebook, grade_id = self.course.maps(assignment).rubric_cell(competency, int(criterion))
        self._check_submission(assignment, candidate, notebook, grade_id)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        # One rating at a time, whoever the grader and whichever process: the journal is locked from the
        # insertion until the gradebook holds the level computed from it, so two graders rating at once
        # never leave a level computed from a journal that lacked the other's rating.
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO notes (devoir, candidat, competence, critere, evaluateur, role, niveau, "
                       "commentaire, horodatage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (assignment, candidate, competency, int(criterion), who, JURY if jury else GRADER, level,
                        comment or "", now))
            effective = self.effective(assignment, candidate, competency, int(criterion),
                                       self._history(db, assignment, candidate))
            self._write_gradebook(assignment, candidate, notebook, grade_id, effective)
            db.commit()
        except BaseException:
            db.rollback()
            raise
        finally:
            db.close()
        return effective

    def _check_submission(self, assignment, candidate, notebook, grade_id):
        from nbgrader.api import MissingEntry

        with self.course.gradebook() as gb:
            try:
                gb.find_grade(grade_id, notebook, assignment, candidate)
            except MissingEntry:
                raise CourseError(f"Pas de copie autocorrigée de {candidate} pour {notebook} : "
                                  "autocorrigez-la avant de noter.") from None

    def _write_gradebook(self, assignment, candidate, notebook, grade_id, effective: Effective) -> None:
        with self.course.gradebook() as gb:
            grade = gb.find_grade(grade_id, notebook, assignment, candidate)
            remark = gb.find_comment(grade_id, notebook, assignment, candidate)
            grade.manual_score = None if effective.level is None else float(effective.level)
            # exactly as formgrader does when a grader saves a score
            grade.needs_manual_grade = grade.manual_score is None and grade.auto_score is None
            remark.manual_comment = effective.comment
            gb.db.commit()

    # -- reading ---------------------------------------------------------------------------------
    def history(self, assignment: str, candidate: str | None = None) -> list[Rating]:
        db = self._connect()
        try:
            return self._history(db, assignment, candidate)
        finally:
            db.close()

    @staticmethod
    def _history(db, assignment: str, candidate: str | None = None) -> list[Rating]:
        query = "SELECT devoir, candidat, competence, critere, evaluateur, role, niveau, commentaire, horodatage " \
                "FROM notes WHERE devoir = ?"
        args = [assignment]
        if candidate:
            query += " AND candidat = ?"
            args.append(candidate)
        return [Rating(*row) for row in db.execute(query + " ORDER BY id", args)]

    def effective(self, assignment: str, candidate: str, competency: str, criterion: int,
                  history: list[Rating] | None = None) -> Effective:
        rows = [r for r in (history if history is not None else self.history(assignment, candidate))
                if r.candidate == candidate and r.competency == competency and r.criterion == criterion]
        latest: dict[str, Rating] = {}
        jury = None
        for r in rows:
            if r.role == JURY:
                jury = r
            else:
                latest[r.who] = r
        levels = {who: r.level for who, r in latest.items()}
        if jury:
            return Effective(jury.level, f"[Jury — {jury.who}] {jury.comment}".strip(), (jury.who,), "jury", levels)
        if not latest:
            return Effective(None, "", (), "aucune note", levels)
        graders = tuple(latest)
        if len(set(levels.values())) > 1:
            detail = " ; ".join(f"{w} : {lv}" for w, lv in levels.items())
            return Effective(None, f"[Notes divergentes, en attente du jury] {detail}", graders, "divergentes", levels)
        if len(latest) == 1:
            only = next(iter(latest.values()))
            return Effective(only.level, only.comment, graders, "unique", levels)
        comment = "\n".join(f"[{w}] {r.comment}" for w, r in latest.items() if r.comment)
        return Effective(next(iter(levels.values())), comment, graders, "concordantes", levels)

    def divergences(self, assignment: str | list[str]) -> list[dict]:
        """Criteria whose graders disagree (settled by the jury or not), over one or several assignments."""
        if not isinstance(assignment, str):
            return [d for a in assignment for d in self.divergences(a)]
        history = self.history(assignment)
        keys = sorted({(r.candidate, r.competency, r.criterion) for r in history})
        out = []
        for cand, comp, crit in keys:
            e = self.effective(assignment, cand, comp, crit, history)
            if e.state == "divergentes" or (e.state == "jury" and len(set(e.levels.values())) > 1):
                out.append({"candidat": cand, "competence": comp, "critere": crit, "niveaux": e.levels,
                            "tranche_par_le_jury": e.state == "jury", "niveau_final": e.level})
        return out

    def double_marked(self, assignment: str | list[str]) -> list[dict]:
        """Every criterion rated by two graders or more, with each one's level and the level retained."""
        if not isinstance(assignment, str):
            return [d for a in assignment for d in self.double_marked(a)]
        out = []
        for (cand, comp, crit), e in sorted(self.graders(assignment).items()):
            if len(e.levels) > 1:
                out.append({"candidat": cand, "competence": comp, "critere": crit, "niveaux": e.levels,
                            "niveau_final": e.level, "jury": e.state == "jury"})
        return out

    def graders(self, assignment: str | list[str]) -> dict[tuple[str, str, int], Effective]:
        """The effective rating of every rated criterion, keyed by (candidate, competency, criterion)."""
        if not isinstance(assignment, str):
            return {k: v for a in assignment for k, v in self.graders(a).items()}
        history = self.history(assignment)
        keys = {(r.candidate, r.competency, r.criterion) for r in history}
        return {k: self.effective(assignment, *k, history=history) for k in keys}
