"""formgrader in French: nbgrader's pages, grading page and scripts served translated by the project's extension.

nbgrader has no translation and nothing of its text is configurable. Installed by
:mod:`mdpc.grading.formgrader_journal` (``install()`` and ``_load_jupyter_server_extension``), this module serves
nbgrader's own files with exact (english → french) replacements, read from the pinned nbgrader at run time:

- the page templates (``templates/*.tpl``): :func:`install` makes formgrader's ``BaseHandler.render`` read them
  through :func:`page_environment`, whose loader applies the pairs of :mod:`mdpc.grading.formgrader_french_pages`
  (``<html lang="fr">``, the title, DataTables' texts in French) and points their scripts to our route;
- the grading page (nbconvert templates ``templates/formgrade/``): translated copies written once per process in a
  private temporary folder (:func:`grading_templates`), read by a copy of formgrader's exporter (same class and
  configuration, ``extra_template_basedirs`` pointed there), made at the first request;
- the scripts (``static/js/*.js``): served translated (pairs of :mod:`mdpc.grading.formgrader_french_scripts`) by
  a handler of ours at ``{base_url}/mdpc/formgrader/js/<file>``, outside ``/formgrader/`` where formgrader's
  own catch-all answers 404; with ``mdpc_clavier.js`` (``formgrader_clavier.js`` here), the grading page's
  keyboard shortcuts on AZERTY and QWERTY and their help in French.

Everything is patched at request time, so the order in which Jupyter loads the two extensions does not matter
(``mdpc.grading.*`` loads before ``nbgrader.server_extensions.formgrader``). A pair whose english text is no longer
in nbgrader's file is skipped (the page stays partly in English) and logged once; ``tests/test_formgrader_fr.py``
fails on it, so an nbgrader upgrade that changes a text is caught before it reaches a grader.
"""

from __future__ import annotations

import atexit
import functools
import importlib.util
import logging
import re
import shutil
import tempfile
from pathlib import Path

import jinja2
from tornado import web

from mdpc.grading.formgrader_french_pages import GRADING_TEMPLATES, SCRIPTS, TEMPLATES
from mdpc.grading.formgrader_french_scripts import SCRIPTS as SCRIPT_PAIRS

SCRIPT_ROUTE = "mdpc/formgrader/js/(.*)"
KEYS_SCRIPT = "mdpc_clavier.js"  # our own script, served beside nbgrader's
_KEYS_FILE = Path(__file__).with_name("formgrader_clavier.js")
_log = logging.getLogger("mdpc.formgrader")


def formgrader_dir() -> Path:
    """nbgrader's formgrader folder (templates, static files), found without importing formgrader."""
    return Path(importlib.util.find_spec("nbgrader.server_extensions.formgrader").submodule_search_locations[0])


def translate(text: str, pairs: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """`text` with each pair's english replaced by its french, in order (a pair may target the text as the pairs
    before it left it); and the english texts that were not found."""
    missing = []
    for english, french in pairs:
        if english in text:
            text = text.replace(english, french)
        else:
            missing.append(english)
    return text, missing


@functools.cache
def _said_missing(name: str, english: str) -> None:
    _log.warning("[mdpc] formgrader en français : texte introuvable dans %s (nbgrader a changé ?) : %r", name, english)


def _translated(name: str, text: str, pairs: list[tuple[str, str]]) -> str:
    text, missing = translate(text, pairs)
    for english in missing:
        _said_missing(name, english)
    return text


def page_source(name: str) -> str:
    """The French source of formgrader's page template `name` (``templates/<name>``)."""
    if name in GRADING_TEMPLATES:  # the 404 page of a copy imports the grading page's macros
        return grading_source(name)
    path = formgrader_dir() / "templates" / name
    if not path.is_file():
        raise jinja2.TemplateNotFound(name)
    text = path.read_text(encoding="utf-8").replace(*SCRIPTS)  # scripts from our route (not every page has some)
    return _translated(name, text, TEMPLATES.get(name, []))


def grading_source(name: str) -> str:
    """The French source of the grading page's template `name` (``formgrade/…``)."""
    text = (formgrader_dir() / "templates" / name).read_text(encoding="utf-8")
    return _translated(name, text, GRADING_TEMPLATES[name])


class _FrenchLoader(jinja2.BaseLoader):
    def get_source(self, environment, template):
        return page_source(template), None, lambda: True  # nbgrader's files do not change while it runs


@functools.cache
def page_environment() -> jinja2.Environment:
    """The jinja environment of formgrader's pages, in French (nbgrader's own has the same settings)."""
    return jinja2.Environment(loader=_FrenchLoader())


def grading_templates() -> str:
    """A private folder (0700, removed at exit) holding the French ``formgrade`` nbconvert template; made again
    when its files are gone (a cleaner of /tmp removes files nobody read for days: the grading page would fail)."""
    folder = _grading_folder()
    if not all((Path(folder) / name).is_file() for name in GRADING_TEMPLATES):
        _grading_folder.cache_clear()
        folder = _grading_folder()
    return folder


@functools.cache
def _grading_folder() -> str:
    folder = Path(tempfile.mkdtemp(prefix="mdpc-formgrader-"))
    atexit.register(shutil.rmtree, folder, True)
    (folder / "formgrade").mkdir()
    shutil.copy(formgrader_dir() / "templates" / "formgrade" / "conf.json", folder / "formgrade" / "conf.json")
    for name in GRADING_TEMPLATES:
        (folder / name).write_text(grading_source(name), encoding="utf-8")
    return str(folder)


def script(name: str) -> bytes | None:
    """The French text of formgrader's script `name` (``static/js/<name>``, or our keyboard script); None for
    any other name (not kept: the names come from the URL)."""
    return _script(name) if name in _script_names() else None


@functools.cache
def _script_names() -> frozenset[str]:
    js = formgrader_dir() / "static" / "js"
    return frozenset({KEYS_SCRIPT} | {p.name for p in js.iterdir() if re.fullmatch(r"[a-z_]+\.js", p.name)})


@functools.cache
def _script(name: str) -> bytes:
    if name == KEYS_SCRIPT:
        return _KEYS_FILE.read_bytes()
    text = (formgrader_dir() / "static" / "js" / name).read_text(encoding="utf-8")
    return _translated(name, text, SCRIPT_PAIRS.get(name, [])).encode("utf-8")


def _script_handler():
    from jupyter_server.base.handlers import JupyterHandler

    class ScriptHandler(JupyterHandler):
        """formgrader's scripts in French, for the pages that load them (a grader's session is required, as for
        formgrader's pages)."""

        @web.authenticated
        def get(self, name):
            body = script(name)
            if body is None:
                raise web.HTTPError(404)
            self.set_header("Content-Type", "text/javascript; charset=UTF-8")
            self.set_header("Cache-Control", "no-cache")  # revalidated by its ETag: follows the project's version
            self.write(body)

    return ScriptHandler


def install() -> None:
    """Make formgrader render its pages and its grading page in French (idempotent)."""
    from nbgrader.server_extensions.formgrader.base import BaseHandler

    if getattr(BaseHandler, "_mdpc_french", False):
        return

    def render(self, name, **ns):
        return page_environment().get_template(name).render(**ns)

    def exporter(self):
        french = self.settings.get("mdpc_french_exporter")
        if french is None or french.extra_template_basedirs != [grading_templates()]:  # once per server (and folder):
            # nbgrader's exporter, its configuration, our template folder
            original = self.settings["nbgrader_exporter"]
            french = type(original)(config=original.config, extra_template_basedirs=[grading_templates()])
            self.settings["mdpc_french_exporter"] = french
        return french

    BaseHandler.render = render
    BaseHandler.exporter = property(exporter)
    BaseHandler._mdpc_french = True


def add_routes(serverapp) -> None:
    """Serve the French scripts at ``{base_url}/mdpc/formgrader/js/<file>`` (outside formgrader's ``/formgrader/``,
    whose catch-all would answer 404)."""
    from jupyter_server.utils import url_path_join

    route = url_path_join(serverapp.base_url, SCRIPT_ROUTE)
    serverapp.web_app.add_handlers(".*$", [(route, _script_handler())])
