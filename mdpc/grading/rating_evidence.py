"""The evidence beside a criterion in the rubric entry form, and the copy to read, never run.

For a criterion, :func:`evidence_html` shows what its autograded tests read in the candidate's graded copy
(``autograded/<id>/<assignment>/``, or its anonymous view): the answers of the forms and tools whose name a
test of the criterion reads (``reponses.json``, one key per question, ``<form>.<field>``), and the outputs
of the candidate's cells that define a name those tests read (found with :mod:`ast`: the names a test cell
loads, the names each earlier cell assigns). Widget views are data without their kernel: the form answers
stand for them.

:func:`render_copy` writes the graded notebook as a static HTML page (``lecture/…`` in the course folder,
rebuilt when the notebook changes), one ``<section id="…">`` per cell (the cell's nbgrader ``grade_id``, else
``cellule-<n>``); and, for a criterion with tests, a page of its cells only (``<notebook>.<rubric id>.html``:
the cells its tests read, the tests, its rubric cell), which the form links to as ``…#C4_4_crit1``: JupyterLab
opens a page in its sandboxed HTML viewer, which starts at the top whatever the anchor, so the criterion's
page starts with its cells; served from ``/files/``, the anchor takes the page to the rubric cell. The page is
built here, cell by cell, from the copy that autograding already cleaned (:mod:`mdpc.grading.sanitize`),
cleaned again: outputs through :func:`~mdpc.grading.sanitize.clean_html`, code and text through
:func:`~mdpc.core.safe_text.html_text`. No kernel is started and no script is written: JupyterLab opens it in
its HTML viewer, read-only.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from mdpc.core.safe_text import html_text
from mdpc.grading.privacy import make_private
from mdpc.grading.sanitize import clean_html

WIDGET = "application/vnd.jupyter.widget-view+json"
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
LIMIT = 2000  # characters of one output shown beside the criterion


def _names(source: str) -> tuple[set[str], set[str]]:
    """(names loaded, names assigned) by a cell's code; nothing when it does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(), set()
    loaded, stored = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (stored if isinstance(node.ctx, ast.Store) else loaded).add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            loaded.add(node.value)  # globals().get("objectifs")
    public = {n for n in loaded | stored if not n.startswith("_")}  # a cell's own temporaries (_tab, _v) link nothing
    return loaded & public, stored & public


def _output_html(output, limit: int = LIMIT) -> str:
    """One output as static HTML (text cut at `limit`); a widget view says it is shown by its answers."""
    kind = output.get("output_type")
    if kind == "stream":
        return f"<pre>{html_text(''.join(output.get('text', ''))[:limit])}</pre>"
    if kind == "error":
        return f"<pre>{html_text(output.get('ename', ''))} : {html_text(output.get('evalue', ''))}</pre>"
    data = output.get("data", {})
    if WIDGET in data:
        return "<p><i>(formulaire ou outil : ses réponses sont données ci-dessous)</i></p>"
    for mime in ("image/png", "image/jpeg"):
        encoded = re.sub(r"\s", "", "".join(data.get(mime, "")))
        if encoded and _BASE64.fullmatch(encoded):  # nothing but base64 goes into the attribute
            return f"<img alt='figure de la copie' src='data:{mime};base64,{encoded}'>"
    if "text/html" in data:
        return clean_html("".join(data["text/html"])[:limit * 4])
    if "text/plain" in data:
        return f"<pre>{html_text(''.join(data['text/plain'])[:limit])}</pre>"
    return ""


def _answers(folder: Path, notebook: str) -> dict:
    try:
        data = json.loads((folder / "reponses.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    answers = data.get(notebook, {}) if isinstance(data, dict) else {}
    return answers if isinstance(answers, dict) else {}


def evidence_html(folder: Path, notebook: str, test_ids: set[str]) -> str:
    """The answers and cell outputs that the tests `test_ids` of `notebook` read, in the copy `folder`."""
    path = folder / f"{notebook}.ipynb"
    if not test_ids or not path.exists():
        return ""
    nb = nbformat.read(path, as_version=4)
    read: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade_id") in test_ids:
            read |= _names(cell.source)[0]
    outputs = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("grade") or meta.get("grade_id") in test_ids:
            continue
        if _names(cell.source)[1] & read:
            shown = "".join(_output_html(o) for o in cell.get("outputs", []))
            if shown:
                outputs.append(shown)
    rows = _answer_rows(folder, notebook, read)
    parts = []
    if rows:
        parts.append(f"<p><b>Réponses du candidat lues par les tests</b></p><table>{rows}</table>")
    if outputs:
        parts.append("<p><b>Sorties des cellules que les tests lisent</b></p>" + "".join(
            f"<div style='border-left:3px solid #888;padding-left:6px;margin:4px 0'>{o}</div>" for o in outputs))
    if not parts:
        return "<p>Aucune réponse ni sortie de la copie n'est lue par les tests de ce critère.</p>"
    return "<details open><summary>Pièces de la copie pour ce critère</summary>" + "".join(parts) + "</details>"


def _answer_rows(folder: Path, notebook: str, read: set[str]) -> str:
    """Table rows of the answers (``<form>.<field>``) whose form or tool is a name in `read`."""
    answers = {k: v for k, v in _answers(folder, notebook).items() if k.split(".", 1)[0] in read}
    return "".join(f"<tr><th scope='row' style='text-align:left'>{html_text(k)}</th>"
                   f"<td style='text-align:left'>{html_text(_answer_text(v))}</td></tr>" for k, v in answers.items())


def _answer_text(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)[:LIMIT]
    return str(value)[:LIMIT]


def _cell_html(k: int, cell) -> str:
    anchor = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cellule-{k}"
    if cell.cell_type == "markdown":
        inner = clean_html(markdown2html_mistune(cell.source))
    elif cell.cell_type == "code":
        inner = (f"<pre class='code'>{html_text(cell.source)}</pre>"
                 + "".join(_output_html(o, limit=20_000) for o in cell.get("outputs", [])))
    else:
        inner = f"<pre>{html_text(cell.source)}</pre>"
    return f"<section id='{html_text(anchor)}'>{inner}</section>"


def _criterion_cells(nb, rubric_id: str, test_ids: set[str]) -> list[int]:
    """The cells of one criterion, in the notebook's order: those defining a name its tests read, the tests,
    and its rubric cell."""
    read: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade_id") in test_ids:
            read |= _names(cell.source)[0]
    keep = []
    for k, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") in test_ids | {rubric_id}:
            keep.append(k)
        elif cell.cell_type == "code" and not meta.get("grade") and _names(cell.source)[1] & read:
            keep.append(k)
    return keep


def render_copy(course_root: Path, folder: Path, notebook: str, rubric_id: str | None = None,
                test_ids: set[str] = frozenset()) -> Path | None:
    """The graded notebook as a static, read-only HTML page under ``<course>/lecture/`` (rebuilt when the
    notebook is newer), or None when the copy has no such notebook. With `rubric_id` and the criterion's
    `test_ids`: a page of that criterion's cells only (:func:`_criterion_cells`), so that it opens at them —
    JupyterLab's HTML viewer, sandboxed, ignores an anchor."""
    source = folder / f"{notebook}.ipynb"
    if not source.exists() or (rubric_id and not test_ids):
        return None if not source.exists() else render_copy(course_root, folder, notebook)
    try:
        relative = folder.resolve().relative_to(course_root.resolve())
    except ValueError:
        relative = Path(folder.name)
    name = f"{notebook}.{rubric_id}.html" if rubric_id else f"{notebook}.html"
    target = course_root / "lecture" / relative / name
    newest = max(p.stat().st_mtime_ns for p in (source, folder / "reponses.json") if p.exists())
    if target.exists() and target.stat().st_mtime_ns >= newest:
        return target
    nb = nbformat.read(source, as_version=4)
    cells = _criterion_cells(nb, rubric_id, set(test_ids)) if rubric_id else range(len(nb.cells))
    read = {n for k in cells if nb.cells[k].cell_type == "code" for n in _names(nb.cells[k].source)[1]}
    rows = _answer_rows(folder, notebook, read) if rubric_id else ""  # what the forms' views stood for
    answers = f"<p><b>Réponses des formulaires</b></p><table>{rows}</table>" if rows else ""
    heading = (f"les cellules du critère ({html_text(rubric_id)}) : celles que ses tests lisent, les tests, la "
               f"cellule d'évaluation — toute la copie : {html_text(notebook)}.html") if rubric_id else "toute la copie"
    top = course_root / "lecture"
    if not top.exists():
        top.mkdir()
        make_private(top)  # candidates' work: owner only, as autograded/ (mdpc.grading.privacy)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{html_text(notebook)} — copie en lecture seule</title><style>section{{border-bottom:1px solid #ccc;"
        "padding:4px}pre.code{background:#f4f4f4}section:target{outline:3px solid #000}</style></head><body>"
        f"<p><b>Copie en lecture seule</b> ({html_text(notebook)}, aucun noyau, aucun script) : {heading}.</p>"
        + answers + "".join(_cell_html(k, nb.cells[k]) for k in cells) + "</body></html>", encoding="utf-8")
    return target
