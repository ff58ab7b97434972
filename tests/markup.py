"""What a browser would treat as active in an HTML page: the checker the render-safety tests share.

A hostile value carries a marker (``mdpc_xss``) only where it would act: in an event handler, a URL, a
script. Shown safely, the marker is text; :func:`active_markup` lists every place where it is not — an
attribute value, the content of a script or style element — and every ``javascript:``/``file:`` URL.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

MARKER = "mdpc_xss"
DANGEROUS_URL = re.compile(r"^\s*(javascript|vbscript|file):", re.I)


class _Checker(HTMLParser):
    def __init__(self, marker: str):
        super().__init__(convert_charrefs=True)
        self.marker, self.found, self._raw = marker, [], None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name == "id" or (name == "href" and value.startswith("#")):  # a heading's anchor: inert
                continue
            if self.marker in value or (self.marker in name):
                self.found.append(f"<{tag} {name}={value[:60]!r}>")
            elif name in ("href", "src", "action", "data", "formaction") and DANGEROUS_URL.match(value):
                self.found.append(f"<{tag} {name}={value[:60]!r}>")
        if tag in ("script", "style"):
            self._raw = tag

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data):
        if self._raw and self.marker in data:
            self.found.append(f"<{self._raw}>{data.strip()[:60]}")


def active_markup(page: str, marker: str = MARKER) -> list[str]:
    """The places of `page` where `marker` would act, or a dangerous URL; empty when the page is safe."""
    checker = _Checker(marker)
    checker.feed(page)
    checker.close()
    return checker.found


def formgrader_page(notebook_path, resources: dict, wrap=None, templates: str | None = None) -> str:
    """The page formgrader serves for a graded notebook: nbgrader's own exporter and template (`wrap`: a
    wrapper of the exporter, such as mdpc's ``EscapedNames``; `templates`: another folder holding the
    ``formgrade`` template, such as mdpc's French one)."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [templates or handlers.template_path]
    exporter = HTMLExporter(config=config)
    exporter = wrap(exporter) if wrap else exporter
    return exporter.from_filename(str(notebook_path), resources=resources)[0]


def formgrader_resources(student: str, first_name: str = "Léa", last_name: str = "Fontaine") -> dict:
    """What formgrader's SubmissionHandler gives its template (nbgrader 0.9)."""
    return {"assignment_id": "B4", "notebook_id": "C4_1", "submission_id": "s1", "index": 0, "total": 1,
            "base_url": "", "student": student, "notebook_path": f"autograded/{student}/B4/C4_1.ipynb",
            "first_name": first_name, "last_name": last_name}
