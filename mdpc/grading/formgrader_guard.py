"""What formgrader may not do for an MDPC course, and who may do what on the course's hub service.

- **No autograding from formgrader.** nbgrader's « Autograde » button (``/formgrader/api/submission/<assignment>/
  <student>/autograde``) runs the candidate's code in formgrader's own process, as the account that serves it,
  with the course folder open (gradebook, journal of ratings, hidden tests, the other copies): outside the
  sandbox of ``mdpc autograde``. :func:`install` answers it with formgrader's own error dialog and a French
  message that names the command to run instead; nothing runs.
- **Graders on the hub service grade, and only grade** (:class:`CourseServiceAuthorizer`). The formgrader service
  runs as the course's account in the course folder; nbgrader gives everyone who may open it that account's whole
  server: files (the journal of ratings, where a second grader would read the first one's levels — blind double
  marking — and could rewrite them), kernels and terminals. The authorizer keeps those to the course's account
  (``MDPC_PROPRIETAIRE_COURS``, set by the hub configuration; the process's own user otherwise). The others
  keep formgrader (its pages and API check authentication only: the journal extension signs and blinds their
  ratings) and JupyterLab's shell around its Formgrader tab, without files, kernels nor terminals. Many handlers
  never ask the authorizer (nbgrader's extensions, JupyterLab's settings, workspaces and extension manager), so
  the authorizer also refuses them every change (:meth:`CourseServiceAuthorizer.check_change`, run by every
  handler's ``prepare``) but their ratings and a copy's flag: no assignment released, feedback sent, notebook
  validated (nbgrader runs it), package installed (pip), setting or configuration written as the course.
- **formgrader stays on its courses.** nbgrader's ``/formgrader?path=<folder>`` reloads formgrader on another folder
  and runs that folder's ``nbgrader_config.py`` (Python) as the server's account: a file that a grader or a
  candidate could write (in ``/tmp``, or handed in with a copy: ``submitted/<id>/<assignment>/``), and that a link
  in a copy would make a grader open. Only the served folder and the folders directly in it
  (:func:`course_folder`) are accepted.
"""

from __future__ import annotations

import getpass
import json
import os
import re

from jupyter_server.auth.authorizer import Authorizer

OWNER_VARIABLE = "MDPC_PROPRIETAIRE_COURS"
# jupyter_server's resources (AUTH_RESOURCE of its handlers) that give the course's files, code or the server
OWNER_ONLY = frozenset({"contents", "kernels", "kernelspecs", "sessions", "terminals", "nbconvert", "server", "lsp"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# the only changes a grader who is not the course's account makes on the service: their ratings, a copy's flag (and
# the Autograde button, answered by the refusal below: its French message rather than a bare 403)
GRADING_CHANGES = re.compile(r"formgrader/api/(?:grade|comment)/[^/]+|formgrader/api/submitted_notebook/[^/]+/flag"
                             r"|formgrader/api/submission/[^/]+/[^/]+/autograde")
CHANGE_REFUSED = ("Sur le service du cours, un correcteur enregistre ses notes, ses commentaires et le signalement "
                  "d'une copie ; le reste (diffusion, relevé, retours, devoirs, candidats, réglages) est réservé au "
                  "compte du cours.")
COURSE_SWITCH_REFUSED = ("formgrader ne s'ouvre que sur le dossier du serveur ou sur un dossier qui s'y trouve "
                         "directement (un cours) : pas sur un autre dossier (?path=…).")

AUTOGRADE_REFUSED = (
    "L'autocorrection ne se lance pas depuis formgrader : elle exécute le code des candidats, ce qui ne se fait "
    "que dans le bac à sable complet de « mdpc autograde » (en root, sur la machine du cours) :\n\n"
    "    mdpc autograde --cours <dossier du cours> --devoir <devoir>\n\n"
    "formgrader montre ensuite les copies corrigées, à noter ici même.")


def course_folder(path: str, root: str) -> bool:
    """Whether formgrader may reload itself on `path`: the folder the server serves or a folder directly in it (a
    course of the project, ``demo_mdpc/``), links resolved; never deeper, where candidates' files are
    (``submitted/<id>/<assignment>/`` keeps what they handed in, a ``nbgrader_config.py`` too), nor elsewhere."""
    folder, root = os.path.realpath(path), os.path.realpath(root)
    return os.path.isdir(folder) and folder in (root, os.path.join(root, os.path.basename(folder)))


def course_owner() -> str:
    """The hub user name of the course's account (the one the formgrader service runs as)."""
    return os.environ.get(OWNER_VARIABLE, "").strip() or getpass.getuser()


class CourseServiceAuthorizer(Authorizer):
    """jupyter_server's authorizer for the course's formgrader service: the course's account may do everything,
    other users (graders of the group ``formgrade-<course>``) nothing on :data:`OWNER_ONLY`."""

    def is_authorized(self, handler, user, action, resource) -> bool:
        return resource not in OWNER_ONLY or _is_owner(user)

    def check_change(self, handler) -> None:
        """Refuse (403) a request of someone other than the course's account that would change something, unless it
        records a rating, a comment or a copy's flag in formgrader."""
        if handler.request.method in SAFE_METHODS or _is_owner(handler.current_user):
            return
        base = handler.base_url.rstrip("/") + "/"
        path = handler.request.path
        if not (path.startswith(base) and GRADING_CHANGES.fullmatch(path[len(base):])):
            from tornado import web

            raise web.HTTPError(403, CHANGE_REFUSED)


def _is_owner(user) -> bool:
    name = getattr(user, "username", None) or getattr(user, "name", None) or ""
    return bool(name) and name == course_owner()


def install() -> None:
    """Replace formgrader's autograde endpoint by the refusal, keep formgrader on its course, and have every handler
    ask the authorizer about changes when it can tell (:class:`CourseServiceAuthorizer`; idempotent)."""
    from jupyter_server.base.handlers import JupyterHandler
    from nbgrader.server_extensions.formgrader import apihandlers as api
    from nbgrader.server_extensions.formgrader import handlers as pages
    from nbgrader.server_extensions.formgrader.base import check_notebook_dir, check_xsrf
    from tornado import web

    if getattr(api.AutogradeHandler, "_mdpc_refused", False):
        return
    prepare, switch = JupyterHandler.prepare, pages.FormgraderHandler.get

    async def checked_prepare(self, *args, **kwargs):
        await prepare(self, *args, **kwargs)
        check = getattr(self.authorizer, "check_change", None)
        if check is not None:
            check(self)

    def same_course(self):
        path = self.get_argument("path", "")  # nbgrader would run <path>/nbgrader_config.py as the server's account
        if path and not course_folder(os.path.abspath(path), self.settings.get("server_root_dir") or os.getcwd()):
            raise web.HTTPError(400, COURSE_SWITCH_REFUSED)
        return switch(self)

    JupyterHandler.prepare = checked_prepare
    pages.FormgraderHandler.get = same_course

    @web.authenticated
    @check_xsrf
    @check_notebook_dir
    def post(self, assignment_id, student_id):
        self.log.warning("[mdpc] autocorrection demandée depuis formgrader (%s) : refusée", assignment_id)
        self.write(json.dumps({"success": False, "log": AUTOGRADE_REFUSED, "error": ""}))

    api.AutogradeHandler.post = post
    api.AutogradeHandler._mdpc_refused = True
