"""formgrader in French (mdpc.grading.formgrader_french): every english text replaced is still in the pinned
nbgrader, and no english a grader would read is left — in the pages, the grading page and the scripts.

Fast (no kernel, no server), except the last test: a real Jupyter server with formgrader on a small course,
whose pages, grading page, scripts and copy-to-copy navigation are fetched over HTTP. The same pages in Chromium,
after their scripts ran: ``tests/test_navigateur.py -k formgrader``.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from markup import formgrader_page, formgrader_resources

from mdpc.grading import formgrader_french as fr
from mdpc.grading.formgrader_french_pages import GRADING_TEMPLATES, SCRIPTS, TEMPLATES
from mdpc.grading.formgrader_french_scripts import SCRIPTS as SCRIPT_PAIRS

FORMGRADER = fr.formgrader_dir()

# Words and phrases a grader would read in nbgrader's English (whole words, any case). Not listed, because they
# are French words too: « note », « points », « actions », « instructions », « documentation », « type ».
ENGLISH = ["the", "and", "of", "to", "for", "please", "click", "here", "sorry", "assignments?", "submissions?",
           "students?", "scores?", "edit", "editing", "release", "released", "unreleased", "collect", "grades?",
           "graded", "grading", "autograde", "names?", "due", "status", "error", "success", "successfully", "loading",
           "wait", "save", "saving", "cancel", "close", "show", "hide", "search", "showing", "entries", "no data",
           "available", "feedback", "generate", "preview", "notebook", "manage", "manual", "overall", "written",
           "task", "needs", "failed", "flagged", "unflagged", "timestamp", "previous", "next", "prev", "remaining",
           "credit", "resolve", "keyboard", "shortcuts", "move", "comments", "draft", "optional", "add", "new",
           "log output", "traceback", "email", "first", "last", "missing", "answer", "avg", "gradebook", "authorized", "none"]
ENGLISH_WORDS = re.compile(r"(?<!\w)(" + "|".join(ENGLISH) + r")(?!\w)", re.I)
# English kept on purpose: the title of nbgrader's documentation page a warning links to (that page is English)
ALLOWED = ["Setting Up The Exchange"]


class _Visible(HTMLParser):
    """The text a reader sees: text nodes outside script, style, code and pre; titles, placeholders, labels."""

    HIDDEN = {"script", "style", "code", "pre"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in self.HIDDEN
        self.texts += [v for k, v in attrs if k in ("title", "placeholder", "aria-label", "alt") and v]

    def handle_endtag(self, tag):
        self._hidden -= tag in self.HIDDEN and self._hidden > 0

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(data.strip())


def visible_text(page: str) -> list[str]:
    parser = _Visible()
    parser.feed(page)
    return parser.texts


def english_in(texts: list[str]) -> list[str]:
    """The texts that still hold an English word (`ALLOWED` phrases set aside)."""
    left = []
    for text in texts:
        for allowed in ALLOWED:
            text = text.replace(allowed, "")
        if ENGLISH_WORDS.search(re.sub(r"\{\{.*?\}\}", "", text)):
            left.append(text)
    return left


# -- every english text is still in the pinned nbgrader ------------------------------------------------------

def _pinned(kind: str, name: str) -> tuple[str, list]:
    if kind == "page":
        return (FORMGRADER / "templates" / name).read_text(encoding="utf-8").replace(*SCRIPTS), TEMPLATES[name]
    if kind == "grading":
        return (FORMGRADER / "templates" / name).read_text(encoding="utf-8"), GRADING_TEMPLATES[name]
    return (FORMGRADER / "static" / "js" / name).read_text(encoding="utf-8"), SCRIPT_PAIRS[name]


@pytest.mark.parametrize("kind, name", [("page", n) for n in TEMPLATES] + [("grading", n) for n in GRADING_TEMPLATES]
                         + [("script", n) for n in SCRIPT_PAIRS])
def test_every_english_text_is_in_the_pinned_nbgrader(kind, name):
    """An nbgrader upgrade that changes one of these texts fails here, naming it (the page would show English)."""
    text, pairs = _pinned(kind, name)
    assert fr.translate(text, pairs)[1] == [], f"{name} : textes absents de nbgrader (a-t-il changé ?)"


def test_every_template_and_script_with_text_has_its_table():
    assert set(TEMPLATES) == {p.name for p in (FORMGRADER / "templates").glob("*.tpl")}
    assert set(GRADING_TEMPLATES) == {f"formgrade/{p.name}" for p in (FORMGRADER / "templates" / "formgrade").glob("*.j2")}
    scripts = {p.name for p in (FORMGRADER / "static" / "js").glob("*.js")}
    assert set(SCRIPT_PAIRS) == scripts - {"backbone_xsrf.js"}  # the only script without a word to read


# -- no english left on the pages ---------------------------------------------------------------------------

NAMESPACE = {"base_url": "/services/mdpc", "url_prefix": "cours", "course_id": "mdpc", "exchange": "/srv/echange",
             "exchange_missing": False, "windows": False, "current_config": '{"CourseDirectory": {}}',
             "default_timezone": "+0100", "course_dir": "/home/formateur/cours", "assignment_id": "B4",
             "notebook_id": "C4_1", "student_id": "c01", "error_code": 500,
             "resources": {**formgrader_resources("c01"), "filename": "/home/formateur/cours/autograded/c01/B4/C4_1.ipynb"}}
VARIANTS = [{}, {"windows": True}, {"exchange_missing": True}, {"course_id": ""}]  # manage_assignments' warnings


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_pages_are_french_once_rendered(name):
    for variant in VARIANTS:
        page = fr.page_environment().get_template(name).render(**{**NAMESPACE, **variant})
        assert '<html lang="fr">' in page, name
        assert english_in(visible_text(page)) == [], name
        assert "/formgrader/static/js/" not in page  # every script from our route, translated
        if name == "formgrade_404.tpl":  # the missing file's path names the candidate (autograded/c01/)
            assert "introuvable" in page and "c01" not in page and "autograded" not in page
    original = (FORMGRADER / "templates" / name).read_text(encoding="utf-8")
    if name not in ("base.tpl", "formgrade_404.tpl"):
        assert english_in(visible_text(original)), f"{name} : le contrôle ne trouve pas l'anglais d'origine"


def test_datatables_sorts_nbgraders_decimal_keys():
    """nbgrader sorts its score columns by keys such as data-order="0.25"; with `decimal: ","` DataTables drops
    their point (0.25 → 25) and sorts 0.25 after 0.5 and 1."""
    from mdpc.grading.formgrader_french_pages import DATATABLES_FRENCH

    assert "decimal" not in DATATABLES_FRENCH and "Rechercher" in DATATABLES_FRENCH


def test_the_page_of_a_missing_copy_shows_names_escaped(tmp_path):
    """nbgrader's page « notebook not found » works in French (its macros come from our loader): the names in
    its header are escaped as on the grading page (a name is typed in formgrader's « manage students »)."""
    from types import SimpleNamespace

    from markup import active_markup
    from nbgrader.server_extensions.formgrader import handlers as pages

    from mdpc.grading.formgrader_journal import install

    install()
    hostile = '<img src=x onerror="mdpc_xss()">'
    handler = SimpleNamespace(coursedir=SimpleNamespace(root=str(tmp_path)))  # no jury.yaml: names shown
    resources = {**formgrader_resources("c01", first_name=hostile, last_name=hostile), "filename": "x.ipynb"}
    page = pages.SubmissionHandler.render(handler, "formgrade_404.tpl", resources=resources)
    assert "introuvable" in page and active_markup(page) == [], active_markup(page)
    assert "&lt;img src=x" in page


def _graded_notebook(path):
    cells = [nbformat.v4.new_markdown_cell("Consigne du cas"),
             nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {"solution": True, "grade": True, "points": 2,
                                                                      "grade_id": "C4_1_calcul", "locked": False}}),
             nbformat.v4.new_markdown_cell("Mon analyse", metadata={"nbgrader": {"solution": True, "grade": True,
                                                                                "points": 3, "grade_id": "C4_1_ecrit",
                                                                                "locked": False}}),
             nbformat.v4.new_markdown_cell("Critère 1", metadata={"nbgrader": {"task": True, "points": 3,
                                                                              "grade_id": "C4_1_crit1", "locked": True}}),
             nbformat.v4.new_code_cell("assert x == 1", metadata={"nbgrader": {"grade": True, "points": 1,
                                                                              "grade_id": "C4_1_test", "locked": True}})]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def test_the_grading_page_is_french_and_loads_the_keyboard_script(tmp_path):
    notebook = _graded_notebook(tmp_path / "C4_1.ipynb")
    original = formgrader_page(notebook, formgrader_resources("c01"))
    assert english_in(visible_text(original))  # the check sees nbgrader's English
    page = formgrader_page(notebook, formgrader_resources("c01"), templates=fr.grading_templates())
    assert '<html lang="fr">' in page and "Copie 1 / 1" in page and "Tâche du candidat" in page
    assert english_in(visible_text(page)) == []
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', page)
    assert "/mdpc/formgrader/js/formgrade.js" in scripts and "/mdpc/formgrader/js/mdpc_clavier.js" in scripts
    assert scripts.index("/mdpc/formgrader/js/mdpc_clavier.js") == scripts.index("/mdpc/formgrader/js/formgrade.js") + 1
    assert not any("/formgrader/static/js/" in s for s in scripts)
    # nbgrader links the copy's name to the live notebook (a kernel on the candidate's code, outside the sandbox)
    assert "data-link=" in original and "data-link=" not in page and "autograded/c01" not in page
    assert oct(__import__("os").stat(fr.grading_templates()).st_mode & 0o777) == "0o700"


# -- no english left in the scripts -------------------------------------------------------------------------

LITERAL = r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
# where a literal is shown: text and HTML of an element, titles, labels, search terms, dialogs, help lines, and a
# variable given a literal (« duedate = "None" », shown next); an HTML attribute (« style='…' ») is not one
UI_CONTEXT = re.compile(r'\.(?:text|html|append|prepend)\(|\.attr\(\s*"(?:title|placeholder|aria-label|data-search)"'
                        r'\s*,|innerHTML\s*=|\btitle\s*:|"help"\s*:|\bcreate(?:Log)?Modal\(|[\w$.]+ = (?=["\'])|\bKEYS = ')
# literals that are never shown: classes, selectors, other attributes, events, keys, comparisons, URLs
NOT_SHOWN = re.compile(r'\.(?:addClass|removeClass|hasClass|find|get|css|on|one|trigger|closest|parents|is|tooltip|'
                       r'modal|removeAttr|linkTo)\(\s*(?:' + LITERAL + r')|\[\s*(?:' + LITERAL + r')\s*\]|\.attr\(\s*"(?!title|placeholder|aria-label|'
                       r'data-search)[\w-]+"\s*,\s*(?:' + LITERAL + r')?|(?<=createModal\()\s*(?:' + LITERAL +
                       r')|(?<=createLogModal\()\s*(?:' + LITERAL + r')|(?!"help"|"title")(?:' + LITERAL + r')\s*:|'
                       r'[\w$]+\s*===?\s*(?:' + LITERAL + r')')


def _span(code: str, start: int, in_call: bool) -> str:
    """From `start` to the end of the call it is in (`in_call`) or of its statement (balanced brackets)."""
    depth = 1 if in_call else 0
    for i in range(start, len(code)):
        c = code[i]
        depth += c in "([{"
        depth -= c in ")]}"
        if depth == 0 and (c in ")]}" if in_call else c in ";\n"):
            return code[start:i]
        if depth < 0:
            return code[start:i]
    return code[start:]


def shown_literals(code: str) -> list[str]:
    """The string literals of a script that reach the page (`UI_CONTEXT`), tags removed from HTML fragments."""
    code = NOT_SHOWN.sub("", code)
    out = []
    for match in UI_CONTEXT.finditer(code):
        for literal in re.findall(LITERAL, _span(code, match.end(), match.group().endswith("("))):
            text = re.sub(r"<[^>]*>", " ", literal[1:-1]).strip()
            if text and not text.startswith("/"):
                out.append(text)
    return out


@pytest.mark.parametrize("name", sorted(SCRIPT_PAIRS) + [fr.KEYS_SCRIPT])
def test_scripts_show_no_english(name):
    shown = shown_literals(fr.script(name).decode("utf-8"))
    assert shown, f"{name} : aucun texte affiché trouvé (l'extracteur ne voit plus rien)"
    assert english_in(shown) == [], name
    if name != fr.KEYS_SCRIPT:
        original = (FORMGRADER / "static" / "js" / name).read_text(encoding="utf-8")
        assert english_in(shown_literals(original)), f"{name} : le contrôle ne trouve pas l'anglais d'origine"


def test_scripts_served_are_nbgraders_only():
    assert fr.script("../base.py") is None and fr.script("inconnu.js") is None and fr.script("Utils.js") is None
    fr._script.cache_clear()
    for i in range(50):  # names from the URL: nothing kept for a name that is not a script
        assert fr.script(f"inconnu{'_' * i}.js") is None and fr.script(f"..%2F{i}.js") is None
    assert fr._script.cache_info().currsize == 0
    assert b"Veuillez patienter" in fr.script("manage_assignments.js")
    assert fr.script("backbone_xsrf.js") == (FORMGRADER / "static" / "js" / "backbone_xsrf.js").read_bytes()


def test_the_extension_renders_in_french_whatever_the_load_order():
    """Installed before formgrader has set its settings (mdpc.grading loads first): the pages and the exporter are
    read at request time."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader.base import BaseHandler
    from traitlets.config import Config

    from mdpc.grading.formgrader_journal import install

    install()
    install()  # idempotent

    config = Config()  # formgrader's settings, as its extension sets them (FormgradeExtension.build_extra_config)
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [str(FORMGRADER / "templates")]

    class Handler:
        settings = {"nbgrader_exporter": HTMLExporter(config=config)}

    page = BaseHandler.render(Handler(), "manage_students.tpl", base_url="")
    assert "Gérer les candidats" in page and "Manage Students" not in page
    handler = Handler()
    exporter = BaseHandler.exporter.fget(handler)
    assert exporter.extra_template_basedirs == [fr.grading_templates()] and exporter.template_name == "formgrade"
    assert BaseHandler.exporter.fget(handler) is exporter  # made once
    import shutil

    shutil.rmtree(fr.grading_templates())  # a cleaner of /tmp went by: the folder and the exporter are made again
    exporter = BaseHandler.exporter.fget(handler)
    assert exporter.extra_template_basedirs == [fr.grading_templates()]
    assert (Path(fr.grading_templates()) / "formgrade" / "index.html.j2").is_file()


# -- a real server -------------------------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str, token: str | None):
    """(status, headers, body) of a GET, redirects not followed."""
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"} if token else {})
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=30) as answer:
            return answer.status, answer.headers, answer.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode("utf-8", "replace")


@pytest.mark.slow
def test_formgrader_serves_its_pages_scripts_and_grading_page_in_french(tmp_path):
    """formgrader and the project's extension in a real Jupyter server, on a small course with two graded copies:
    pages, scripts and grading page in French; moving to the next copy keeps the cell (``?index=``)."""
    import shutil

    from test_journee_correcteur import B, graded_course
    from test_navigateur import TOKEN, _free_port, _start_lab

    from mdpc.grading.course import nbgrader_env

    course = graded_course(tmp_path / "cours")
    for candidate in ("n01", "n02"):  # their graded copies (the released notebooks as they are)
        shutil.copytree(course.root / "release" / B, course.root / "autograded" / candidate / B)
    notebook = sorted((course.root / "release" / B).glob("*.ipynb"))[0].stem
    with course.gradebook() as gb:
        ids = sorted(s.id for s in gb.notebook_submissions(notebook, B))
    (tmp_path / "reglages").mkdir()
    env = {**nbgrader_env(), "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    server, base = _start_lab(_free_port(), course.root, tmp_path / "reglages", env, tmp_path / "lab.log")
    try:
        status, _, page = _get(f"{base}/formgrader/manage_assignments", TOKEN)
        assert status == 200 and '<html lang="fr">' in page and "Gérer les devoirs" in page, page[:500]
        assert english_in(visible_text(page)) == [] and 'src="/mdpc/formgrader/js/manage_assignments.js"' in page
        status, headers, script = _get(f"{base}/mdpc/formgrader/js/manage_assignments.js", TOKEN)
        assert status == 200 and headers["Content-Type"].startswith("text/javascript"), (status, headers)
        assert "Veuillez patienter…" in script and "Please wait" not in script
        assert _get(f"{base}/mdpc/formgrader/js/mdpc_clavier.js", TOKEN)[0] == 200
        assert _get(f"{base}/mdpc/formgrader/js/inconnu.js", TOKEN)[0] == 404
        assert _get(f"{base}/mdpc/formgrader/js/manage_assignments.js", None)[0] in (302, 403)  # a session is needed
        status, _, page = _get(f"{base}/formgrader/submissions/{ids[0]}/", TOKEN)
        assert status == 200 and '<html lang="fr">' in page and "Copie 1 / 2" in page, page[:500]
        assert 'src="/mdpc/formgrader/js/mdpc_clavier.js"' in page and english_in(visible_text(page)) == []
        status, headers, _ = _get(f"{base}/formgrader/submissions/{ids[0]}/next?index=3", TOKEN)
        assert status == 302 and headers["Location"].endswith(f"/formgrader/submissions/{ids[1]}?index=3"), headers
    finally:
        server.terminate()
        server.wait(timeout=30)
