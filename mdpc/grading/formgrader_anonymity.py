"""formgrader under anonymous grading: copy numbers in, copy numbers out.

nbgrader's formgrader reads the gradebook's ``Student`` rows (id, first and last names, email) and shows
them in its lists (students, submissions of an assignment, submissions of a notebook) and on its grading
page; its toggle « show student names » hides them for a screen, not from the grader. When the course grades
anonymously (``anonymat: true`` in ``jury.yaml``, :mod:`mdpc.grading.anonymity`), this module, installed
by :mod:`mdpc.grading.formgrader_journal`, rewrites what formgrader serves, so that the gradebook keeps the
real identities (decisions, reports, minutes) while graders see copy numbers:

- every JSON answer of formgrader's API (:func:`anonymize`): a candidate's id becomes their copy number
  (``student``, ``student_id``, a student row's ``id``), names, email and LMS id are replaced, any other
  text (an autograding log…) has the ids replaced by the numbers, and lists of candidates are sorted by
  copy number (nbgrader sorts them by last name);
- the routes that take a candidate in their path (``/api/student/<id>``, ``/api/submission/<a>/<id>``…)
  take a copy number and find the candidate behind it; a real id or an unknown number answers 404, and
  editing a candidate's names is refused (the coordinator does it, outside formgrader);
- the grading page (:func:`grading_page`): the copy number instead of the id and names, and the notebook
  shown and linked from ``copies_anonymes/<number>/…`` (:mod:`mdpc.grading.anonymous_copies`); the files the
  page links to (a deliverable: ``/formgrader/submissions/<id>/livrables/…``) are served from there too.

What it cannot hide: what a candidate wrote in their copy, and the course folder itself (``autograded/<id>``)
to someone who browses it with JupyterLab's file browser; graders are given formgrader and the grading
notebook, the coordinator keeps the course folder (README, « Correction anonyme »).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from tornado import web

from mdpc.errors import MdpcError
from mdpc.grading import anonymity
from mdpc.grading.anonymity import VIEW_DIR, AnonymityError, CopyNumbers
from mdpc.grading.anonymous_copies import gradebook_names, view_folder

# handler class of nbgrader.server_extensions.formgrader.apihandlers -> (method, index of the candidate's id
# among its path arguments)
CANDIDATE_ROUTES = {
    "SubmissionHandler": ("get", 1), "StudentHandler": ("get", 0), "StudentSubmissionCollectionHandler": ("get", 0),
    "StudentNotebookSubmissionCollectionHandler": ("get", 0), "AutogradeHandler": ("post", 1),
    "GenerateFeedbackHandler": ("post", 1), "ReleaseFeedbackHandler": ("post", 1),
}
_ID_KEYS = ("student", "student_id")
_HIDDEN_KEYS = ("email", "lms_user_id")


def numbers_for(handler) -> CopyNumbers | None:
    """The course's copy numbers when it grades anonymously (None otherwise), once per request."""
    if not hasattr(handler, "_mdpc_numbers"):
        root = handler.coursedir.root
        handler._mdpc_numbers = None  # the error page that may follow is served as it is: it names no one
        try:
            if anonymity.enabled(root):
                handler._mdpc_numbers = anonymity.copy_numbers(root, [s.id for s in handler.gradebook.students])
        except MdpcError as exc:  # whether to hide the names cannot be told: nothing is served (fails closed)
            _refuse(503, f"{exc} formgrader ne montre aucun candidat tant que ce n'est pas corrigé.")
    return handler._mdpc_numbers


def anonymize(value, numbers: CopyNumbers):
    """formgrader's JSON `value` with every candidate named by their copy number only (see the module)."""
    ids = sorted(numbers.numbers, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])") if ids else None

    def number(candidate):
        return numbers.numbers.get(candidate, "inconnu") if isinstance(candidate, str) else candidate

    def walk(item):
        if isinstance(item, list):
            out = [walk(x) for x in item]
            if out and all(isinstance(x, dict) and ("student" in x or "first_name" in x) for x in out):
                out.sort(key=lambda x: str(x.get("student", x.get("id"))))  # not nbgrader's order by last name
            return out
        if isinstance(item, dict):
            is_student = "first_name" in item and "student" not in item  # a Student row: its id is the candidate
            out = {}
            for key, x in item.items():
                if key in _ID_KEYS or (key == "id" and is_student):
                    out[key] = number(x)
                elif key == "last_name":
                    out[key] = anonymity.label(number(item.get("student", item.get("id")))).capitalize()
                elif key == "first_name":
                    out[key] = "(anonyme)"
                elif key in _HIDDEN_KEYS:
                    out[key] = None
                else:
                    out[key] = walk(x)
            return out
        if isinstance(item, str) and pattern is not None:
            return pattern.sub(lambda m: numbers.numbers[m.group(1)], item)
        return item

    return walk(value)


def grading_page(handler, filename: str, resources: dict) -> tuple[str, dict]:
    """The notebook and resources of the grading page (nbgrader's SubmissionHandler): under anonymity, the
    notebook of the copy's anonymous view (:mod:`mdpc.grading.anonymous_copies`: no id, names nor identity
    answers in its cells, outputs and widget state), the copy number instead of the candidate's id and names,
    and the link to that notebook."""
    numbers = numbers_for(handler)
    if numbers is None or not isinstance(resources.get("student"), str):
        return filename, resources
    candidate, root = resources["student"], handler.coursedir.root
    view = view_folder(root, numbers, candidate, resources["assignment_id"],
                       gradebook_names(handler.gradebook, candidate))
    notebook = view / f"{resources['notebook_id']}.ipynb"
    return str(notebook), {**resources, "student": anonymity.label(numbers.copy_of(candidate)).capitalize(),
                           "first_name": None, "last_name": None,
                           "notebook_path": f"{handler.url_prefix}/{os.path.relpath(notebook, root)}"}


def missing_page(handler, resources: dict) -> dict:
    """The resources of formgrader's page « notebook not found » (``formgrade_404.tpl``, same header as the
    grading page): under anonymity, the copy number instead of the candidate's id and names."""
    numbers = numbers_for(handler)
    if numbers is None or not isinstance(resources.get("student"), str):
        return resources
    return {**resources, "student": anonymity.label(numbers.copy_of(resources["student"])).capitalize(),
            "first_name": None, "last_name": None, "notebook_path": "", "filename": ""}


def _view_files(original):
    """nbgrader's SubmissionFilesHandler.parse_url_path, reading the copy's anonymous view instead of
    ``autograded/<id>/<assignment>/`` (a file that is not in the view is not found)."""
    def parse_url_path(self, url_path):
        numbers = numbers_for(self)
        if numbers is None:
            return original(self, url_path)
        from nbgrader.api import MissingEntry

        submission_id, path = re.match(r"([^/]+)/(.*)", url_path.lstrip("/")).groups()
        try:
            submission = self.gradebook.find_submission_notebook_by_id(submission_id)
        except MissingEntry:
            raise web.HTTPError(404) from None
        view = (Path(self.coursedir.root) / VIEW_DIR / numbers.copy_of(submission.student.id)
                / submission.assignment.assignment.name)
        return web.StaticFileHandler.parse_url_path(self, os.path.join(view, path))
    return parse_url_path


def _refuse(status: int, message: str):
    raise web.HTTPError(status, reason=message.encode("latin-1", "replace").decode("latin-1"), log_message=message)


def _by_copy_number(method, index: int):
    def wrapped(self, *args):
        numbers = numbers_for(self) if self.current_user else None  # unauthenticated: nbgrader's own refusal
        if numbers is not None:
            args = list(args)
            try:
                args[index] = numbers.candidate_of(args[index])
            except AnonymityError as exc:
                _refuse(404, str(exc))
        return method(self, *args)
    return wrapped


def _names_kept(self, *args):
    if self.current_user and numbers_for(self) is not None:
        _refuse(403, "Correction anonyme : les noms des candidats ne se modifient pas dans formgrader ; le "
                     "coordinateur les tient dans le gradebook.")
    return _names_kept.original(self, *args)


def install() -> None:
    """Rewrite formgrader's API answers and candidate routes when the course grades anonymously (idempotent;
    without the option, formgrader is unchanged)."""
    from nbgrader.server_extensions.formgrader import apihandlers as api
    from nbgrader.server_extensions.formgrader import handlers as pages

    if getattr(api.BaseApiHandler, "_mdpc_anonymous", False):
        return
    original_write = api.BaseApiHandler.write

    def write(self, chunk):
        numbers = numbers_for(self) if isinstance(chunk, str | bytes) else None
        if numbers is not None:
            try:
                chunk = json.dumps(anonymize(json.loads(chunk), numbers))
            except ValueError:
                chunk = anonymize(chunk.decode() if isinstance(chunk, bytes) else chunk, numbers)
        return original_write(self, chunk)

    api.BaseApiHandler.write = write
    for name, (verb, index) in CANDIDATE_ROUTES.items():
        handler = getattr(api, name)
        setattr(handler, verb, _by_copy_number(getattr(handler, verb), index))
    _names_kept.original = api.StudentHandler.put
    api.StudentHandler.put = _names_kept
    pages.SubmissionFilesHandler.parse_url_path = _view_files(pages.SubmissionFilesHandler.parse_url_path)
    api.BaseApiHandler._mdpc_anonymous = True
