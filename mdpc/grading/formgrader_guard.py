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
  ratings) and JupyterLab's shell around its Formgrader tab, without files, kernels nor terminals.
"""

from __future__ import annotations

import getpass
import json
import os

from jupyter_server.auth.authorizer import Authorizer

OWNER_VARIABLE = "MDPC_PROPRIETAIRE_COURS"
# jupyter_server's resources (AUTH_RESOURCE of its handlers) that give the course's files, code or the server
OWNER_ONLY = frozenset({"contents", "kernels", "kernelspecs", "sessions", "terminals", "nbconvert", "server"})

AUTOGRADE_REFUSED = (
    "L'autocorrection ne se lance pas depuis formgrader : elle exécute le code des candidats, ce qui ne se fait "
    "que dans le bac à sable complet de « mdpc autograde » (en root, sur la machine du cours) :\n\n"
    "    mdpc autograde --cours <dossier du cours> --devoir <devoir>\n\n"
    "formgrader montre ensuite les copies corrigées, à noter ici même.")


def course_owner() -> str:
    """The hub user name of the course's account (the one the formgrader service runs as)."""
    return os.environ.get(OWNER_VARIABLE, "").strip() or getpass.getuser()


class CourseServiceAuthorizer(Authorizer):
    """jupyter_server's authorizer for the course's formgrader service: the course's account may do everything,
    other users (graders of the group ``formgrade-<course>``) nothing on :data:`OWNER_ONLY`."""

    def is_authorized(self, handler, user, action, resource) -> bool:
        if resource not in OWNER_ONLY:
            return True
        name = getattr(user, "username", None) or getattr(user, "name", None) or ""
        return bool(name) and name == course_owner()


def install() -> None:
    """Replace formgrader's autograde endpoint by the refusal (idempotent)."""
    from nbgrader.server_extensions.formgrader import apihandlers as api
    from nbgrader.server_extensions.formgrader.base import check_notebook_dir, check_xsrf
    from tornado import web

    if getattr(api.AutogradeHandler, "_mdpc_refused", False):
        return

    @web.authenticated
    @check_xsrf
    @check_notebook_dir
    def post(self, assignment_id, student_id):
        self.log.warning("[mdpc] autocorrection demandée depuis formgrader (%s) : refusée", assignment_id)
        self.write(json.dumps({"success": False, "log": AUTOGRADE_REFUSED, "error": ""}))

    api.AutogradeHandler.post = post
    api.AutogradeHandler._mdpc_refused = True
