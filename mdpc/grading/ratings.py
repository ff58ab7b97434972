"""The journal of ratings, ``notation.db``: the one store of graders' levels and comments, tamper-evident.

Every rating is appended to ``notation.db`` beside the gradebook (who, what, when, in the rater's own
words: never updated nor deleted, so a jury can show it). Decisions read the levels from here
(:func:`mdpc.core.ratings.apply_ratings`). The level that counts (:func:`mdpc.core.ratings.effective`) is
then mirrored into the nbgrader gradebook, in the fields formgrader and the candidates' feedback show (manual
score and comment of the criterion's rubric cell); a level found there and not here is not counted.

The journal itself — a chain of rows, each with its content digest and chain hash, which ``mdpc journal
--verifier`` walks — is kept by :mod:`mdpc.grading.journal` (format: :mod:`mdpc.core.journal`). Every
:class:`RatingBook` opens it (:meth:`~mdpc.grading.journal.Journal.open`), which chains a journal of an older
version once and records it, and appends each rating at the end of the chain under the lock that also covers
the gradebook's mirror; the row's time is the system's, never the caller's.

Who signs: with a roster (``jury.yaml``, :mod:`mdpc.core.roster`) in the course folder, a grader's rating
needs a declared grader and a jury's level a declared jury member, and the journal is signed with the
declared name (a JupyterHub user name is mapped to it); without one, any name may grade and no jury level
is accepted.

Anonymous grading (``anonymat: true`` in ``jury.yaml``, :mod:`mdpc.grading.anonymity`): :meth:`RatingBook.record`
takes the candidate's copy number as well as their id; the journal and the gradebook receive the real id
(decisions, reports and minutes read it), and a refusal names the candidate as the caller did.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from mdpc.core.exemptions import Accommodations
from mdpc.core.grids import Scale, default_scale
from mdpc.core.ratings import GRADER, JURY, Effective, Rating, RatingState, effective, effective_by_criterion
from mdpc.core.roster import ROSTER_FILE, Roster, signer
from mdpc.core.roster import load as load_roster
from mdpc.grading import anonymity
from mdpc.grading.course import Course, CourseError
from mdpc.grading.journal import DB_NAME, Journal


class RatingBook:
    def __init__(self, course: Course, scale: Scale | None = None):
        self.course = course
        self.scale = scale or default_scale()
        self.path = course.root / DB_NAME
        self.journal = Journal(self.path)
        self.journal.open()
        self._roster: tuple[tuple | None, Roster | None] = (None, None)
        self._gb = None  # the gradebook held open by `batch()`, else one is opened per rating

    @contextlib.contextmanager
    def batch(self):
        """Ratings recorded in this block share one gradebook connection (the demo's graders, ``mdpc noter``
        from a file): each still locks the journal, commits and counts alone; opening nbgrader's gradebook
        (an SQLAlchemy engine, its queries compiled again) cost 100 ms per rating."""
        with self.course.gradebook() as gb:
            self._gb = gb
            try:
                yield self
            finally:
                self._gb = None

    @contextlib.contextmanager
    def _gradebook(self):
        if self._gb is not None:
            yield self._gb
        else:
            with self.course.gradebook() as gb:
                yield gb

    def _connect(self):
        return self.journal.connect()

    # -- who signs -------------------------------------------------------------------------------
    def roster(self) -> Roster | None:
        """The course's ``jury.yaml`` (None without one), read again when it changes."""
        path = self.course.root / ROSTER_FILE
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        if self._roster[0] != stamp:
            self._roster = (stamp, load_roster(path))
        return self._roster[1]

    def signer(self, who: str, jury: bool = False) -> str:
        """The declared name that signs a rating by `who`, or a French RosterError (see mdpc.core.roster)."""
        return signer(self.roster(), who, jury)

    def candidate_id(self, candidate: str) -> str:
        """The real id of `candidate`, given by their id or, when the course grades anonymously, by their copy
        number; an unknown copy number is a French AnonymityError."""
        if not anonymity.enabled(self.course.root):
            return candidate
        return anonymity.copy_numbers(self.course.root).resolve(candidate)

    def name_of(self, who: str) -> str:
        """`who` as the journal signs them (their declared name when the roster knows them)."""
        roster = self.roster()
        return roster.name_of(who) if roster else (who or "").strip()

    # -- writing ---------------------------------------------------------------------------------
    def record(self, assignment: str, candidate: str, competency: str, criterion: int, who: str, level,
               comment: str = "", jury: bool = False, accommodations: Accommodations | None = None) -> Effective:
        """Append one rating, then write the level that counts into the gradebook."""
        who = (who or "").strip()
        if not who:
            raise CourseError("Indiquez le nom du correcteur : chaque note est signée dans le journal.")
        who = self.signer(who, jury)
        level = self.scale.check_level(level)
        given, candidate = candidate, self.candidate_id(candidate)
        if accommodations and accommodations.get(candidate).is_exempt(competency, int(criterion)):
            raise CourseError(f"{given} est dispensé(e) du critère {criterion} de {competency} : "
                              "ce critère ne reçoit pas de niveau.")
        notebook, grade_id = self.course.maps(assignment).rubric_cell(competency, int(criterion))
        self._check_submission(assignment, candidate, notebook, grade_id, given)
        # One rating at a time, whoever the grader and whichever process: the journal is locked from the
        # insertion until the gradebook holds the level computed from it, so two graders rating at once
        # never leave a level computed from a journal that lacked the other's rating (nor two rows of one rank).
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            self.journal.append_note(db, assignment, candidate, competency, int(criterion), who,
                                     JURY if jury else GRADER, level, comment or "")
            db.execute("DELETE FROM brouillons WHERE devoir = ? AND candidat = ? AND competence = ? AND critere = ? "
                       "AND evaluateur = ?", (assignment, candidate, competency, int(criterion), who))
            effective = self.effective(assignment, candidate, competency, int(criterion),
                                       self._history(db, assignment, candidate))
            self._write_gradebook(assignment, candidate, notebook, grade_id, effective)
            db.commit()
        except BaseException:
            db.rollback()
            if self._gb is not None:  # the shared gradebook goes on with the next rating, clean
                self._gb.db.rollback()
            raise
        finally:
            db.close()
        return effective

    def save_draft(self, assignment: str, candidate: str, competency: str, criterion: int, who: str,
                   comment: str) -> None:
        """Keep `who`'s comment on a criterion they have not rated yet (formgrader saves the comment and the
        level separately); the next rating by `who` takes it, and it is then forgotten."""
        who = self.signer(who)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        db = self._connect()
        try:
            with db:
                db.execute("INSERT OR REPLACE INTO brouillons VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (assignment, candidate, competency, int(criterion), who, comment or "", now))
        finally:
            db.close()

    def draft(self, assignment: str, candidate: str, competency: str, criterion: int, who: str) -> str | None:
        db = self._connect()
        try:
            row = db.execute("SELECT commentaire FROM brouillons WHERE devoir = ? AND candidat = ? AND competence = ? "
                             "AND critere = ? AND evaluateur = ?",
                             (assignment, candidate, competency, int(criterion), self.name_of(who))).fetchone()
        finally:
            db.close()
        return row[0] if row else None

    def _check_submission(self, assignment, candidate, notebook, grade_id, given):
        from nbgrader.api import MissingEntry

        with self._gradebook() as gb:
            try:
                gb.find_grade(grade_id, notebook, assignment, candidate)
            except MissingEntry:
                raise CourseError(f"Pas de copie autocorrigée de {given} pour {notebook} : "
                                  "autocorrigez-la avant de noter.") from None

    def _write_gradebook(self, assignment, candidate, notebook, grade_id, effective: Effective) -> None:
        with self._gradebook() as gb:
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
                "FROM notes WHERE devoir = ? AND efface IS NULL"  # an erased candidate's rows are nobody's
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
        who = self.name_of(who)
        mine = [r for r in self.history(assignment, candidate) if r.competency == competency
                and r.criterion == criterion and r.who == who and r.role == GRADER]
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
