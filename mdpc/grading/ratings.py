"""The journal of ratings, ``notation.db``: the one store of graders' levels and comments.

Every rating is appended to ``notation.db`` beside the gradebook (who, what, when, in the rater's own
words: never updated nor deleted, so a jury can show it). Decisions read the levels from here
(:func:`mdpc.core.ratings.apply_ratings`). The level that counts (:func:`mdpc.core.ratings.effective`) is
then mirrored into the nbgrader gradebook, in the fields formgrader and the candidates' feedback show (manual
score and comment of the criterion's rubric cell); a level found there and not here is not counted.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from mdpc.core.exemptions import Accommodations
from mdpc.core.grids import Scale, default_scale
from mdpc.core.ratings import GRADER, JURY, Effective, Rating, RatingState, effective, effective_by_criterion
from mdpc.grading.course import Course, CourseError

DB_NAME = "notation.db"
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
-- a comment typed in formgrader before its level: kept for its author until the level is saved, never a rating
CREATE TABLE IF NOT EXISTS brouillons (
    devoir TEXT NOT NULL, candidat TEXT NOT NULL, competence TEXT NOT NULL, critere INTEGER NOT NULL,
    evaluateur TEXT NOT NULL, commentaire TEXT NOT NULL, horodatage TEXT NOT NULL,
    PRIMARY KEY (devoir, candidat, competence, critere, evaluateur)
);
"""


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
            db.execute("DELETE FROM brouillons WHERE devoir = ? AND candidat = ? AND competence = ? AND critere = ? "
                       "AND evaluateur = ?", (assignment, candidate, competency, int(criterion), who))
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

    def save_draft(self, assignment: str, candidate: str, competency: str, criterion: int, who: str,
                   comment: str) -> None:
        """Keep `who`'s comment on a criterion they have not rated yet (formgrader saves the comment and the
        level separately); the next rating by `who` takes it, and it is then forgotten."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO brouillons VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (assignment, candidate, competency, int(criterion), who.strip(), comment or "", now))

    def draft(self, assignment: str, candidate: str, competency: str, criterion: int, who: str) -> str | None:
        db = self._connect()
        try:
            row = db.execute("SELECT commentaire FROM brouillons WHERE devoir = ? AND candidat = ? AND competence = ? "
                             "AND critere = ? AND evaluateur = ?",
                             (assignment, candidate, competency, int(criterion), who.strip())).fetchone()
        finally:
            db.close()
        return row[0] if row else None

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
        rows = history if history is not None else self.history(assignment, candidate)
        return effective([r for r in rows if r.candidate == candidate and r.competency == competency
                          and r.criterion == criterion])

    def own(self, assignment: str, candidate: str, competency: str, criterion: int, who: str) -> Rating | None:
        """`who`'s latest rating of this criterion (a grader's own words, for a blind second marking), or None."""
        mine = [r for r in self.history(assignment, candidate) if r.competency == competency
                and r.criterion == criterion and r.who == (who or "").strip() and r.role == GRADER]
        return mine[-1] if mine else None

    def divergences(self, assignment: str | list[str]) -> list[dict]:
        """Criteria whose graders disagree (settled by the jury or not), over one or several assignments."""
        if not isinstance(assignment, str):
            return [d for a in assignment for d in self.divergences(a)]
        out = []
        for (cand, comp, crit), e in sorted(self.graders(assignment).items()):
            if e.state == RatingState.DIVERGENT or (e.state == RatingState.JURY and len(set(e.levels.values())) > 1):
                out.append({"candidat": cand, "competence": comp, "critere": crit, "niveaux": e.levels,
                            "tranche_par_le_jury": e.state == RatingState.JURY, "niveau_final": e.level})
        return out

    def double_marked(self, assignment: str | list[str]) -> list[dict]:
        """Every criterion rated by two graders or more, with each one's level and the level retained."""
        if not isinstance(assignment, str):
            return [d for a in assignment for d in self.double_marked(a)]
        out = []
        for (cand, comp, crit), e in sorted(self.graders(assignment).items()):
            if len(e.levels) > 1:
                out.append({"candidat": cand, "competence": comp, "critere": crit, "niveaux": e.levels,
                            "niveau_final": e.level, "jury": e.state == RatingState.JURY})
        return out

    def graders(self, assignment: str | list[str]) -> dict[tuple[str, str, int], Effective]:
        """The effective rating of every rated criterion, keyed by (candidate, competency, criterion)."""
        if not isinstance(assignment, str):
            return {k: v for a in assignment for k, v in self.graders(a).items()}
        return effective_by_criterion(self.history(assignment))
