"""Deliverables (« livrables ») and written supports assembled from a candidate's answers, as HTML documents.

A « projet professionnel » produces a deliverable, a « mise en situation professionnelle » the written
support of an oral: the candidate's notebook assembles it from the tables, charts and form answers it
computed, and writes one self-contained HTML file (charts embedded, accessible captions) in ``livrables/``
beside the notebook. The file travels with the submission; graders open it from the autograded copy.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

from .cases import date_fr, fr_number

FOLDER = "livrables"
# The author's identity in a deliverable (the header's author, the answers of IDENTITY_FIELDS) is marked with this
# class: when the course grades anonymously, the grading system shows graders a copy without it.
IDENTITY_CLASS = "identite"
IDENTITY_FIELDS = frozenset({"auteur"})

_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.45}
h1{font-size:1.6rem;border-bottom:3px solid #0072B2;padding-bottom:.3rem}h2{font-size:1.25rem;margin-top:2rem;color:#0b3d66}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}th,td{border:1px solid #bbb;padding:.25rem .5rem;vertical-align:top}
th{background:#eef3f8;text-align:left}td.n{text-align:right;white-space:nowrap}td.d{white-space:nowrap}caption{text-align:left;font-weight:bold;padding:.3rem 0}
figure{margin:1rem 0}figcaption{font-size:.9rem;color:#333}.meta{color:#444;font-size:.9rem}.vide{color:#a00;font-style:italic}
dl dt{font-weight:bold;margin-top:.6rem}dl dd{margin-left:1rem;white-space:pre-wrap}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}figure,table{break-inside:avoid}}
"""


def _cell(value) -> str:
    if isinstance(value, dt.date | str) and (day := date_fr(value)) != str(value):  # dates the French way, on one line
        return f"<td class='d'>{day}</td>"
    if isinstance(value, float):
        return f"<td class='n'>{fr_number(value, 2)}</td>"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"<td class='n'>{fr_number(value, 0)}</td>"
    return f"<td>{html.escape('' if value is None or (isinstance(value, float) and pd.isna(value)) else str(value))}</td>"


def table_html(df: pd.DataFrame, caption: str, index: bool = False, max_rows: int = 60) -> str:
    """A DataFrame as an accessible HTML table with French number formatting."""
    shown = df.reset_index() if index else df
    cut = len(shown) > max_rows
    shown = shown.head(max_rows)
    head = "".join(f"<th scope='col'>{html.escape(str(c))}</th>" for c in shown.columns)
    body = "".join("<tr>" + "".join(_cell(v.item() if hasattr(v, "item") else v) for v in row) + "</tr>"
                   for row in shown.itertuples(index=False))
    note = f"<p class='meta'>({len(df)} lignes, {max_rows} premières affichées)</p>" if cut else ""
    return f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}"


class Livrable:
    """A document built section by section, then saved as one HTML file."""

    def __init__(self, title: str, competency: str, kind: str, company: str = "", author: str = ""):
        self.title, self.competency, self.kind, self.company, self.author = title, competency, kind, company, author
        self.parts: list[str] = []
        self.empty_answers: list[str] = []

    def section(self, heading: str, text: str = "") -> Livrable:
        self.parts.append(f"<h2>{html.escape(heading)}</h2>")
        if text:
            self.text(text)
        return self

    def text(self, text: str) -> Livrable:
        for para in str(text).strip().split("\n\n"):
            self.parts.append(f"<p>{html.escape(para).replace(chr(10), '<br>')}</p>")
        return self

    def table(self, df: pd.DataFrame, caption: str, index: bool = False) -> Livrable:
        if not isinstance(df, pd.DataFrame):
            self.parts.append(f"<p class='vide'>Tableau « {html.escape(caption)} » non encore calculé.</p>")
            return self
        self.parts.append(table_html(df, caption, index))
        return self

    def figure(self, fig, alt_text: str) -> Livrable:
        """Embed a matplotlib figure as PNG with its text alternative (alt and caption)."""
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        alt = html.escape(alt_text, quote=True)
        self.parts.append(f"<figure><img src='data:image/png;base64,{data}' alt='{alt}' style='max-width:100%'>"
                          f"<figcaption>{alt}</figcaption></figure>")
        return self

    def answers(self, form, heading: str | None = None) -> Livrable:
        """A form's answers as a definition list; empty answers are shown as such and counted."""
        if heading:
            self.parts.append(f"<h3>{html.escape(heading)}</h3>")
        items = []
        values = form.values()
        for f in form.fields:
            v = values[f.key]
            shown = ", ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else str(v))
            if shown.strip() == "":
                self.empty_answers.append(f"{form.title} — {f.label}")
                body = "<span class='vide'>(sans réponse)</span>"
            else:
                body = html.escape(fr_number(v, 2) if isinstance(v, float) else shown)
            mark = f" class='{IDENTITY_CLASS}'" if f.key in IDENTITY_FIELDS else ""
            items.append(f"<dt>{html.escape(f.label)}</dt><dd{mark}>{body}</dd>")
        self.parts.append(f"<dl>{''.join(items)}</dl>")
        return self

    def html(self) -> str:
        today = dt.date.today().strftime("%d/%m/%Y")
        author = f"<span class='{IDENTITY_CLASS}'>{html.escape(self.author)}</span>" if self.author else ""
        meta = " · ".join(x for x in (html.escape(self.kind), f"compétence {html.escape(self.competency)}",
                                      html.escape(self.company), author, f"document produit le {today}") if x)
        return (f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>{html.escape(self.title)}</title>"
                f"<style>{_CSS}</style></head><body><h1>{html.escape(self.title)}</h1><p class='meta'>{meta}</p>"
                + "".join(self.parts) + "</body></html>")

    def save(self, filename: str, folder: str | Path = FOLDER) -> Path:
        """Write the document and show a link and what is still missing."""
        folder = Path(folder)
        folder.mkdir(exist_ok=True)
        path = folder / filename
        path.write_text(self.html(), encoding="utf-8")
        missing = (f"<p>⚠ Réponses encore vides : {html.escape('; '.join(self.empty_answers))}.</p>"
                   if self.empty_answers else "<p>Toutes les réponses des formulaires figurent dans le document.</p>")
        display(HTML(f"<p>📄 Document enregistré : <a href='{html.escape(path.as_posix())}' target='_blank'>"
                     f"{html.escape(path.as_posix())}</a> ({len(self.parts)} éléments).</p>{missing}"))
        return path
