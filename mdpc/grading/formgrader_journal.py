"""formgrader, journaled and blind: a Jupyter server extension over nbgrader's formgrader API.

Without it, a level typed in formgrader would go straight into the gradebook, unsigned and outside the
journal of ratings (``notation.db``), and a second grader would open the form pre-filled with the first
one's level and comment. With it, for the cells that rate a criterion (rubric cells, ARCHITECTURE.md contract 1):

- saving a level appends a rating to the journal, signed by the grader (:func:`grader_name`), with their
  own comment, exactly as the grading notebook does (:meth:`RatingBook.record`); the gradebook then mirrors
  the level that counts. A comment saved before its level is kept as the grader's draft until the level
  comes. Clearing a level is refused: the journal keeps every rating, and a divergence is settled by the jury;
- reading a grade or a comment shows each grader their own rating only (blind double marking).

Other cells (autograded tests) keep formgrader's own behaviour. When the course grades anonymously
(``anonymat: true`` in ``jury.yaml``), :mod:`mdpc.grading.formgrader_anonymity` shows copy numbers instead
of the candidates' ids and names, in the API's answers and on the grading page. The grading page itself shows
the candidate's names and id escaped (:class:`EscapedNames`): nbgrader's template writes them into the page as
they are. Enabled by ``make lab`` (the project's Jupyter server configuration,
``mdpc/grading/jupyter_server_config.json``), or with
``--ServerApp.jpserver_extensions="{'mdpc.grading.formgrader_journal': True}"``.

Who is the grader: under JupyterHub, the hub user name; on a single-user server, the ``MDPC_CORRECTEUR``
environment variable (``make lab CORRECTEUR="Mme Aubert"``). Without a name, saving is refused with a
French message: every rating is signed. When the course declares its graders (``jury.yaml``,
:mod:`mdpc.core.roster`), the name must be a declared grader's ``nom`` or ``utilisateur`` (a hub user name
such as ``aubert`` signs as « Mme Aubert »), otherwise saving a level or a comment is refused with the
roster's French message; formgrader never records a jury's level.

formgrader is also served in French (pages, grading page, scripts, keyboard shortcuts on AZERTY and QWERTY):
:mod:`mdpc.grading.formgrader_french`, installed here.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from tornado import web

from mdpc.core.exemptions import load as load_accommodations
from mdpc.core.safe_text import html_text
from mdpc.errors import MdpcError
from mdpc.grading import formgrader_french
from mdpc.grading.course import Course
from mdpc.grading.formgrader_anonymity import grading_page, missing_page, numbers_for
from mdpc.grading.formgrader_anonymity import install as install_anonymity
from mdpc.grading.formgrader_guard import install as install_guard
from mdpc.grading.formgrader_totals import install as install_totals
from mdpc.grading.ratings import RatingBook

GRADER_VARIABLE = "MDPC_CORRECTEUR"


def grader_name(handler) -> str:
    """The signing name of the person behind a formgrader request ('' when there is none)."""
    if os.environ.get("JUPYTERHUB_API_TOKEN"):  # served through JupyterHub: the hub's user
        user = handler.current_user
        return str(getattr(user, "username", None) or getattr(user, "name", None) or (user if isinstance(user, str) else "")
                   ).strip()
    return os.environ.get(GRADER_VARIABLE, "").strip()


def _criterion(handler, row) -> tuple[Course, str, str, str, int] | None:
    """(course, assignment, candidate, competency, criterion) when `row` (a Grade or a Comment) is a rubric cell."""
    course = Course(handler.coursedir.root)
    assignment = row.assignment.name
    try:
        crit = course.maps(assignment).rubric.get((row.notebook.name, row.name))
    except MdpcError:
        return None
    return (course, assignment, row.student.id, *crit) if crit else None


def _refuse(status: int, message: str):
    raise web.HTTPError(status, reason=message.encode("latin-1", "replace").decode("latin-1"), log_message=message)


def _own(book: RatingBook, where: tuple, who: str):
    _, assignment, candidate, code, number = where
    return book.own(assignment, candidate, code, number, who) if who else None


def _blind_grade(handler, grade) -> dict:
    data = grade.to_dict()
    where = _criterion(handler, grade)
    if where:
        own = _own(RatingBook(where[0]), where, grader_name(handler))
        data["manual_score"] = None if own is None else float(own.level)
        data["needs_manual_grade"] = own is None
    return data


def _blind_comment(handler, comment) -> dict:
    data = comment.to_dict()
    where = _criterion(handler, comment)
    if where:
        book, who = RatingBook(where[0]), grader_name(handler)
        own = _own(book, where, who)
        _, assignment, candidate, code, number = where
        data["manual_comment"] = own.comment if own else (book.draft(assignment, candidate, code, number, who)
                                                          if who else None)
    return data


def _find(handler, finder, row_id):
    from nbgrader.api import MissingEntry

    try:
        return finder(row_id)
    except MissingEntry:
        raise web.HTTPError(404) from None


def _named(handler, candidate: str) -> str:
    """The candidate as the journal's refusals may name them: their copy number when grading anonymously."""
    numbers = numbers_for(handler)
    return numbers.copy_of(candidate) if numbers is not None else candidate


def _signed(handler) -> str:
    who = grader_name(handler)
    if not who:
        _refuse(403, "Note non enregistrée : indiquez votre nom de correcteur (variable MDPC_CORRECTEUR, par exemple "
                     "make lab CORRECTEUR=\"Mme Aubert\") ; chaque note est signée dans le journal.")
    return who


class EscapedNames:
    """formgrader's page exporter, with the candidate's first and last names, id and notebook path escaped:
    nbgrader's template (``formgrade_macros.html.j2``) writes them into the grading page unescaped, where a
    name such as ``<img src=x onerror=…>`` would run as the grader."""

    FIELDS = ("first_name", "last_name", "student", "notebook_path")

    def __init__(self, exporter, rewrite=None):
        self.exporter, self.rewrite = exporter, rewrite  # rewrite: the anonymous page's notebook and resources

    def from_filename(self, filename, resources=None, **kwargs):
        if self.rewrite:
            filename, resources = self.rewrite(filename, resources or {})
        body, resources = self.exporter.from_filename(filename, resources=self.escaped(resources), **kwargs)
        return without_markers(body), resources

    @classmethod
    def escaped(cls, resources: dict | None) -> dict:
        return {k: html_text(v) if k in cls.FIELDS and isinstance(v, str) else v for k, v in (resources or {}).items()}


_BEGIN = re.compile(r"(<p>\s*)?=== BEGIN MARK SCHEME ===(\s*</p>)?")
_END = re.compile(r"(<p>\s*)?=== END MARK SCHEME ===(\s*</p>)?")


def without_markers(page: str) -> str:
    """The grading page without nbgrader's raw mark-scheme markers: the opening one becomes a French heading of
    the level descriptors (reserved to graders), the closing one goes."""
    page = _BEGIN.sub("<p><strong>Descripteurs des niveaux (réservés aux correcteurs et au jury)</strong></p>", page)
    return _END.sub("", page)


def _escape_names() -> None:
    from nbgrader.server_extensions.formgrader import handlers as pages

    if not getattr(pages.SubmissionHandler, "_mdpc_escaped", False):
        exporter = pages.SubmissionHandler.exporter  # nbgrader's property (BaseHandler)
        pages.SubmissionHandler.exporter = property(lambda self: EscapedNames(
            exporter.fget(self), rewrite=lambda filename, resources: grading_page(self, filename, resources)))

        def render(self, name, **ns):  # the page « notebook not found » shows the same names as the grading page
            if name == "formgrade_404.tpl":
                ns["resources"] = EscapedNames.escaped(missing_page(self, ns.get("resources") or {}))
            return pages.BaseHandler.render(self, name, **ns)

        pages.SubmissionHandler.render = render
        pages.SubmissionHandler._mdpc_escaped = True


def install() -> None:
    """Wrap formgrader's grade and comment handlers and its grading page's names, and serve it in French
    (:mod:`mdpc.grading.formgrader_french`; idempotent)."""
    from nbgrader.server_extensions.formgrader import apihandlers as api
    from nbgrader.server_extensions.formgrader.base import check_notebook_dir, check_xsrf

    formgrader_french.install()  # first: the grading page's names are escaped around its French exporter
    _escape_names()
    install_anonymity()
    install_totals()  # after: the totals are computed on the real ids, then anonymised
    install_guard()  # no autograding from formgrader: outside the sandbox
    if getattr(api.GradeHandler, "_mdpc_journal", False):
        return
    original = {"grade_put": api.GradeHandler.put, "comment_put": api.CommentHandler.put}

    def guarded(f):
        return web.authenticated(check_xsrf(check_notebook_dir(f)))

    @guarded
    def grade_put(self, grade_id):
        grade = _find(self, self.gradebook.find_grade_by_id, grade_id)
        where = _criterion(self, grade)
        if where is None:
            return original["grade_put"](self, grade_id)
        course, assignment, candidate, code, number = where
        who = _signed(self)
        level = self.get_json_body().get("manual_score")
        if level is None:
            _refuse(400, "Un niveau enregistré ne s'efface pas : saisissez le niveau qui convient (le journal garde "
                         "chaque note ; une divergence est tranchée par le jury).")
        book = RatingBook(course)
        own = book.own(assignment, candidate, code, number, who)
        comment = own.comment if own else (book.draft(assignment, candidate, code, number, who) or "")
        try:
            book.record(assignment, _named(self, candidate), code, number, who, level, comment,
                        accommodations=load_accommodations(course.root / "dispenses.yaml"))
        except MdpcError as exc:
            _refuse(400, str(exc))
        self.gradebook.db.expire_all()  # the mirror was written by the journal's own gradebook session
        self.write(json.dumps(_blind_grade(self, grade)))

    @guarded
    def comment_put(self, comment_id):
        comment = _find(self, self.gradebook.find_comment_by_id, comment_id)
        where = _criterion(self, comment)
        if where is None:
            return original["comment_put"](self, comment_id)
        course, assignment, candidate, code, number = where
        who = _signed(self)
        text = self.get_json_body().get("manual_comment") or ""
        book = RatingBook(course)
        own = book.own(assignment, candidate, code, number, who)
        try:
            if own is None:
                book.save_draft(assignment, candidate, code, number, who, text)
            else:
                book.record(assignment, _named(self, candidate), code, number, who, own.level, text,
                            accommodations=load_accommodations(course.root / "dispenses.yaml"))
        except MdpcError as exc:
            _refuse(400, str(exc))
        self.gradebook.db.expire_all()
        self.write(json.dumps(_blind_comment(self, comment)))

    @guarded
    def grade_get(self, grade_id):
        self.write(json.dumps(_blind_grade(self, _find(self, self.gradebook.find_grade_by_id, grade_id))))

    @guarded
    def comment_get(self, comment_id):
        self.write(json.dumps(_blind_comment(self, _find(self, self.gradebook.find_comment_by_id, comment_id))))

    @guarded
    def grades_get(self):
        notebook = _find(self, self.gradebook.find_submission_notebook_by_id, self.get_argument("submission_id"))
        self.write(json.dumps([_blind_grade(self, g) for g in notebook.grades]))

    @guarded
    def comments_get(self):
        notebook = _find(self, self.gradebook.find_submission_notebook_by_id, self.get_argument("submission_id"))
        self.write(json.dumps([_blind_comment(self, c) for c in notebook.comments]))

    api.GradeHandler.put, api.GradeHandler.get = grade_put, grade_get
    api.CommentHandler.put, api.CommentHandler.get = comment_put, comment_get
    api.GradeCollectionHandler.get = grades_get
    api.CommentCollectionHandler.get = comments_get
    api.GradeHandler._mdpc_journal = True


def _jupyter_server_extension_points():
    return [{"module": "mdpc.grading.formgrader_journal"}]


def _load_jupyter_server_extension(serverapp) -> None:
    install()
    formgrader_french.add_routes(serverapp)
    who = os.environ.get(GRADER_VARIABLE, "").strip() or ("(utilisateur JupyterHub)" if os.environ.get(
        "JUPYTERHUB_API_TOKEN") else "aucun : formgrader refusera d'enregistrer un niveau")
    serverapp.log.info(f"[mdpc] formgrader : notes des critères inscrites au journal (notation.db), correcteur : {who}")


CONFIG_FILE = Path(__file__).with_name("jupyter_server_config.json")
