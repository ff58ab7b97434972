"""Graded notebooks made inert before anyone reads them: formgrader, the grading notebook, the feedback.

formgrader renders an autograded notebook as HTML under the Jupyter server's origin, where the ``_xsrf``
cookie can be read, and nbconvert (formgrader, ``generate_feedback``) passes raw HTML through, in outputs as
in Markdown: a candidate's ``<img src=x onerror=…>``, a script in an HTML or SVG output, a JavaScript output
or a ``javascript:`` link would run as the grader, and could post grades or start a kernel. So each graded
notebook is cleaned as it is recorded into ``autograded/`` (:func:`sanitize_copy`, called by
:func:`mdpc.grading.autograde.record`) and again for the feedback (:class:`mdpc.grading.feedback.SafeFeedback`);
what was removed becomes an incident of the copy (``contenu_actif_retire``), in the reports and the minutes.

Kept (:func:`clean_html`, through ``nh3``, the binding of the Rust sanitiser ammonia): what the cases show —
tables (pandas, with its own CSS when it is only rules on its tables of harmless properties), the forms'
summaries, headings, lists, ``<details>``, links (http, https, mailto, relative; ``rel="noopener noreferrer"``),
``role`` and ``aria-*``, images embedded as ``data:image/…``. Never a script, an event handler, an iframe,
object, embed or form, a ``javascript:`` or ``data:`` link, an image fetched from elsewhere, a ``style`` that
loads a URL or moves something over the page.

- outputs: ``application/javascript`` and every type outside :data:`KEPT_TYPES` dropped; ``text/html``
  cleaned; ``text/markdown`` as a Markdown cell; ``image/svg+xml`` dropped when a raster image of the figure
  exists, else shown as an ``<img>`` (a browser runs no script and fetches nothing there); widget views are
  data, kept; ``metadata.filenames`` (a path nbconvert would put in ``src``) dropped;
- Markdown cells the candidate could write (all but the locked cells nbgrader restores from the source):
  left as they are when they hold no raw HTML nor anything that could become an unsafe URL (``*``, ``|``
  tables, ``<br>``, web links survive untouched); otherwise rendered by nbconvert's own Markdown renderer,
  cleaned, and kept as that clean HTML (the grader sees the same text and layout);
- raw cells (nbconvert writes them into the page as they are) cleaned as HTML; the saved widget state:
  ``HTML`` widgets' values cleaned, descriptions shown as text.

Cleaning is idempotent: a notebook cleaned once is left unchanged, and reports nothing, the second time.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import nbformat
import nh3

from mdpc.grading.intake import Incident

ACTIVE_CONTENT = "contenu_actif_retire"  # incident kind

# --- HTML ----------------------------------------------------------------------------------------------

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var", "wbr", "section", "article",
    "header", "footer", "time",
}
# removed with everything inside them (the others not in TAGS are removed, their text kept)
REMOVED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
                        "textarea", "select", "title", "xmp", "noembed", "noframes", "frameset", "frame", "applet"}
_CELL = {"colspan", "rowspan", "headers", "scope", "align", "valign", "halign"}  # halign: pandas MultiIndex headers
ATTRIBUTES = {
    "*": {"role", "title", "lang", "dir", "style", "class", "id"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "table": {"border", "summary", "align"},
    "th": _CELL, "td": _CELL, "tr": {"align", "valign"},
    "col": {"span", "align"}, "colgroup": {"span", "align"},
    "ol": {"start", "type"}, "details": {"open"}, "time": {"datetime"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
}
URL_SCHEMES = {"http", "https", "mailto", "data"}  # `data:` only for images, see _attribute
# CSS properties that can neither load a URL nor take something out of its place on the page
CSS_PROPERTIES = {
    "text-align", "vertical-align", "white-space", "color", "background-color", "font-weight", "font-style",
    "font-size", "font-family", "font-variant", "text-decoration", "text-transform", "line-height",
    "border", "border-top", "border-right", "border-bottom", "border-left", "border-color", "border-style",
    "border-width", "border-collapse", "border-spacing", "padding", "padding-top", "padding-right",
    "padding-bottom", "padding-left", "width", "min-width", "max-width", "height", "caption-side",
    "empty-cells", "table-layout", "word-wrap", "overflow-wrap", "word-break",
}
# classes that pandas writes on its tables; any other class could pick up the page's own styles
_CLASS = re.compile(r"^(dataframe|blank|data|index_name|col_heading|row_heading|col_trim|row_trim|"
                    r"level\d+|row\d+|col\d+)$")
_ID = re.compile(r"^T_[A-Za-z0-9_]+$")  # pandas Styler ids, the only targets its CSS may name
_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml)[;,]", re.I)


def _attribute(tag: str, name: str, value: str) -> str | None:
    if name == "class":
        kept = [c for c in value.split() if _CLASS.match(c)]
        return " ".join(kept) or None
    if name == "id":
        return value if _ID.match(value) else None
    if tag == "img" and name == "src":
        return value if _IMAGE.match(value.strip()) else None  # no image fetched from anywhere
    if name in ("href", "cite") and value.strip().lower().startswith("data:"):
        return None
    return value


_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.S | re.I)
_CSS_RULE = re.compile(r"\s*([^{}]+?)\s*\{([^{}]*)\}\s*")
_CSS_SELECTOR = re.compile(r"^(#T_[A-Za-z0-9_]+|\.dataframe)(?![A-Za-z0-9_-])[A-Za-z0-9_\-\s.:#>()]*$")
_CSS_VALUE = re.compile(r"^[#A-Za-z0-9\s.,%()\-]+$")
_CSS_FUNCTION = re.compile(r"([A-Za-z-]+)\s*\(")


def _scoped_css(css: str) -> str | None:
    """The CSS of a ``<style>`` element, rewritten, when it is only what pandas writes (rules on its own
    tables, ``#T_…`` or ``.dataframe``, of properties in :data:`CSS_PROPERTIES` with plain values); else None."""
    out, pos = [], 0
    for m in _CSS_RULE.finditer(css):
        if m.start() != pos:
            return None
        pos = m.end()
        selectors = [s.strip() for s in m.group(1).split(",")]
        if not all(_CSS_SELECTOR.match(s) for s in selectors):
            return None
        declarations = []
        for item in filter(str.strip, m.group(2).split(";")):
            prop, sep, value = item.partition(":")
            prop, value = prop.strip().lower(), value.strip()
            if not sep or prop not in CSS_PROPERTIES or not _CSS_VALUE.match(value) or any(
                    f.lower() not in ("rgb", "rgba", "hsl", "hsla") for f in _CSS_FUNCTION.findall(value)):
                return None
            declarations.append(f"{prop}: {value};")
        out.append(f"{', '.join(selectors)} {{ {' '.join(declarations)} }}")
    if pos != len(css) and css[pos:].strip():
        return None
    return "\n".join(out)


def _nh3(fragment: str) -> str:
    return nh3.clean(fragment, tags=TAGS, clean_content_tags=REMOVED_WITH_CONTENT, attributes=ATTRIBUTES,
                     attribute_filter=_attribute, url_schemes=URL_SCHEMES, strip_comments=True,
                     link_rel="noopener noreferrer", generic_attribute_prefixes={"aria-"},
                     tag_attribute_values={"a": {"target": {"_blank"}}}, filter_style_properties=CSS_PROPERTIES)


def clean_html(fragment: str) -> str:
    """`fragment` with nothing active left (see the module's docstring for what is kept)."""
    kept = [css for css in map(_scoped_css, _STYLE_BLOCK.findall(fragment)) if css]
    body = _nh3(fragment)
    return "".join(f"<style>\n{css}\n</style>" for css in kept) + body  # idempotent: nothing between


# --- what was removed, in French (for the incident; the cleaning itself never depends on it) ------------

_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR = re.compile(r"([^\s\"'>/=]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "cite"}


def _inventory(fragment: str) -> tuple[set, set, set, bool]:
    """(tags, (tag, attribute) pairs, URL schemes, whether a style attribute loads something) of an HTML
    fragment: a quick reading, enough to say what cleaning removed."""
    tags, attributes, schemes, style_urls = set(), set(), set(), False
    for m in _TAG.finditer(fragment):
        tag = m.group(1).lower()
        tags.add(tag)
        for name, value in _ATTR.findall(m.group(2)):
            name = name.lower()
            attributes.add((tag, name))
            value = re.sub(r"[\s\x00-\x1f\\]", "", html.unescape(value.strip("\"'"))).lower()
            if name in _URL_ATTRS:
                scheme = re.match(r"^([a-z][a-z0-9+.-]*):", value)
                schemes.add(scheme.group(1) if scheme else "")
            style_urls |= name == "style" and ("url(" in value or "expression(" in value)
    return tags, attributes, schemes, style_urls


def _removed(before: str, after: str) -> list[str]:
    """What cleaning took out of `before`, in French: « balise <script> », « attribut onerror »…"""
    if before == after:
        return []
    (tags, attributes, schemes, style_urls), (kept_tags, kept_attributes, kept_schemes, kept_style_urls) = (
        _inventory(before), _inventory(after))
    out = [f"balise <{t}>" for t in sorted(tags - kept_tags)]
    out += [f"attribut {n}" for n in sorted({n for t, n in attributes - kept_attributes if t in kept_tags - {"style"}})]
    out += [f"adresse {s}:" for s in sorted(schemes - kept_schemes - {"", "http", "https", "mailto"})]
    out += ["style chargeant une ressource"] * (style_urls and not kept_style_urls)
    return out


# --- Markdown ------------------------------------------------------------------------------------------

_BR = re.compile(r"<br\s*/?>", re.I)
_SCHEME_WORDS = ("javascript", "vbscript", "data:", "file:", "livescript")


def markdown_is_plain(source: str) -> bool:
    """True when Markdown `source` can hold nothing active whatever renders it: no raw HTML (``<br>``
    aside), no character reference, no image, and no word of a dangerous URL scheme."""
    if "<" in _BR.sub("", source) or "&" in source or "![" in source:
        return False
    squeezed = re.sub(r"[\s\x00-\x1f\\]", "", source).lower()
    return not any(word in squeezed for word in _SCHEME_WORDS)


def _render_markdown(source: str, attachments: dict | None) -> str:
    """Markdown to HTML as nbconvert renders it for formgrader and the feedback (attachments included)."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    renderer = IPythonRenderer(escape=False, attachments=attachments or {}, exclude_anchor_links=True)
    return MarkdownWithMath(renderer=renderer).render(source)


def _one_line(fragment: str) -> str:
    """HTML on one line (newlines as references): Markdown passes a ``<div>`` line through as raw HTML."""
    return fragment.replace("\r", "").replace("\n", "&#10;")


def clean_markdown(source: str, attachments: dict | None = None) -> tuple[str, list[str]]:
    """(safe Markdown, what was removed): `source` itself when :func:`markdown_is_plain` or already clean
    (the form this function writes), else its clean HTML rendering as one raw HTML block."""
    if markdown_is_plain(source) or (source.startswith("<div>") and _one_line(clean_html(source)) == source):
        return source, []
    rendered = _render_markdown(source, attachments)
    clean = clean_html(rendered)
    return "<div>" + _one_line(clean) + "</div>", _removed(rendered, clean)


# --- notebooks -----------------------------------------------------------------------------------------

KEPT_TYPES = {"text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg", "image/gif",
              "image/svg+xml", "application/json", "application/vnd.jupyter.widget-view+json"}
_RASTER = ("image/png", "image/jpeg", "image/gif")
_SVG_ACTIVE = re.compile(r"<script|\son[a-z]+\s*=|javascript:|<foreignobject|href\s*=\s*[\"']?(?!#)", re.I)


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _clean_output(output) -> list[str]:
    """Clean one output in place; return what was removed."""
    output.get("metadata", {}).pop("filenames", None)
    data = output.get("data")
    if not isinstance(data, dict):
        return []
    removed = [f"sortie {mime}" for mime in sorted(set(data) - KEPT_TYPES)]
    for mime in set(data) - KEPT_TYPES:
        del data[mime]
    if "image/svg+xml" in data:
        svg = _text(data.pop("image/svg+xml"))
        if _SVG_ACTIVE.search(svg):
            removed.append("script d'une image SVG")
        if not any(m in data for m in _RASTER) and "text/html" not in data:  # shown as an inert image
            encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
            data["text/html"] = f'<img alt="figure (SVG)" src="data:image/svg+xml;base64,{encoded}">'
    if "text/html" in data:
        before = _text(data["text/html"])
        data["text/html"] = clean_html(before)
        removed += _removed(before, data["text/html"])
    if "text/markdown" in data:
        data["text/markdown"], lost = clean_markdown(_text(data["text/markdown"]))
        removed += lost
    return removed


def _restored_by_nbgrader(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("locked") and meta.get("grade_id") and not meta.get("solution"))


def _widget_states(nb) -> list[dict]:
    state = nb.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    models = state.get("state") if isinstance(state, dict) else None
    return [m for m in (models.values() if isinstance(models, dict) else [])
            if isinstance(m, dict) and isinstance(m.get("state"), dict)]


def _fingerprint(nb) -> list:
    """What cleaning may change in a notebook, to tell whether it did without copying the whole notebook."""
    out: list = []
    for cell in nb.cells:
        out.append(cell.get("source"))
        for o in cell.get("outputs", []):
            out.append([(k, v if isinstance(v, str) else id(v)) for k, v in (o.get("data") or {}).items()])
            out.append("filenames" in o.get("metadata", {}))
    out += [(m["state"].get("value"), m["state"].get("description_allow_html")) for m in _widget_states(nb)]
    return out


def _clean_widget_state(nb) -> list[str]:
    removed: list[str] = []
    for model in _widget_states(nb):
        st = model["state"]
        if st.get("description_allow_html"):
            st["description_allow_html"] = False
        if model.get("model_name") in ("HTMLModel", "HTMLMathModel") and isinstance(st.get("value"), str):
            before = st["value"]
            st["value"] = clean_html(before)
            removed += _removed(before, st["value"])
    return removed


def sanitize_notebook(nb) -> list[tuple[str, list[str]]]:
    """Clean a notebook (nbformat node) in place; return [(where, what was removed)], French, one entry per
    cell (« cellule 12 (id …) ») or for the widget state, only where something was removed."""
    found: list[tuple[str, list[str]]] = []
    for index, cell in enumerate(nb.cells, 1):
        removed: list[str] = []
        if cell.cell_type == "markdown" and not _restored_by_nbgrader(cell):
            source, removed = clean_markdown(cell.source, cell.get("attachments"))
            if source != cell.source:
                cell.source = source
        elif cell.cell_type == "raw":
            before = cell.source
            cell.source = clean_html(before) if before.strip() else before
            removed = _removed(before, cell.source)
        for output in cell.get("outputs", []):
            removed += _clean_output(output)
        if removed:
            where = f"cellule {index}" + (f" (id {cell['id']})" if cell.get("id") else "")
            found.append((where, list(dict.fromkeys(removed))))
    widgets = _clean_widget_state(nb)
    if widgets:
        found.append(("état des widgets", list(dict.fromkeys(widgets))))
    return found


def sanitize_file(path: Path) -> list[str]:
    """Clean one notebook file, rewritten only if cleaning changed it; return the French lines of what was
    removed (empty when nothing was). A version 4 notebook (what nbgrader writes) is read and written without
    nbformat's schema validation, which would double the cost: cleaning changes no structure."""
    original = path.read_text(encoding="utf-8")
    nb = nbformat.v4.reads_json(original)
    if nb.get("nbformat") != 4:
        nb = nbformat.reads(original, as_version=4)
    before = _fingerprint(nb)
    found = sanitize_notebook(nb)
    if _fingerprint(nb) != before:
        path.write_text(nbformat.v4.writes_json(nb) + "\n", encoding="utf-8")
    return [f"{where} : {', '.join(items)}" for where, items in found]


def sanitize_copy(folder: Path) -> list[Incident]:
    """Clean every notebook of a graded copy (``autograded/<candidate>/<assignment>/``); one incident
    ``contenu_actif_retire`` per notebook where something was removed."""
    incidents = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            lines = sanitize_file(path)
        except (OSError, ValueError) as exc:  # unreadable: nothing of it can be shown safely
            path.unlink(missing_ok=True)
            lines = [f"carnet illisible après correction, retiré ({exc.__class__.__name__})"]
        if lines:
            incidents.append(Incident(path.stem, ACTIVE_CONTENT,
                                      f"Contenu actif retiré du carnet « {path.name} » avant toute lecture par un "
                                      "correcteur (formgrader, grille, retours) : " + " ; ".join(lines) + "."))
    return incidents
