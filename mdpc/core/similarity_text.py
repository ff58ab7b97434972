"""Similar pairs shown to the jury: passages side by side, shared spans marked, everything made inert.

The candidates' texts are hostile (HTML, Markdown, formulas): every piece goes through
:mod:`mdpc.core.safe_text`. Shared spans are marked by « ⟦ ⟧ » and underlined, never by colour alone.
Used by the cohort report (:mod:`mdpc.reports.cohort_view`), the graders' form
(:mod:`mdpc.grading.rating_form`) and ``similitudes.csv``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from mdpc.core.safe_text import html_text
from mdpc.core.similarity import SharedPassage, SimilarPair

OPEN, CLOSE = "⟦", "⟧"
JURY_NOTE = ("Signal à examiner par le jury, jamais une sanction : le score mesure la part de passages distinctifs "
             "que deux copies partagent (textes de l'énoncé et du corrigé, tournures communes à la cohorte écartés). "
             "Il ne décide rien et ne touche à aucune note ; lisez les passages côte à côte avant toute conclusion, "
             "et entendez les candidats.")
KIND_LABELS = {"formulaire": "réponse de formulaire", "texte": "réponse rédigée", "livrable": "livrable",
               "code": "code"}


def percent(score: float) -> str:
    return f"{round(100 * score)} %"


def _pieces(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The text cut into (piece, shared?) in order."""
    out, at = [], 0
    for start, end in sorted(spans):
        start, end = max(start, at), min(end, len(text))
        if start >= end:
            continue
        if start > at:
            out.append((text[at:start], False))
        out.append((text[start:end], True))
        at = end
    if at < len(text):
        out.append((text[at:], False))
    return out


def marked_text(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Plain text with the shared spans between « ⟦ ⟧ » (the CSV; the same marks as in the reports)."""
    return "".join(f"{OPEN}{p}{CLOSE}" if shared else p for p, shared in _pieces(text, spans))


def marked_html(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """The text as inert HTML, shared spans underlined and between « ⟦ ⟧ », line breaks kept."""
    out = "".join(f"<u>{OPEN}{html_text(p)}{CLOSE}</u>" if shared else html_text(p) for p, shared in _pieces(text, spans))
    return out.replace("\n", "<br>")


def where(p: SharedPassage) -> str:
    return f"{p.assignment} · {p.notebook} · {p.question} ({KIND_LABELS.get(p.kind, p.kind)})"


def passage_html(p: SharedPassage, a: str, b: str, swap: bool = False) -> str:
    """One passage: a two-column table, the first column for `a` (or, with `swap`, the passage's second text)."""
    left, right = (p.text_b, p.spans_b), (p.text_a, p.spans_a)
    if not swap:
        left, right = right, left
    style = "vertical-align:top;text-align:left;width:50%;border:1px solid #999;padding:4px;white-space:normal"
    return (f"<p><b>{html_text(where(p))}</b> — passages partagés : {percent(p.score)}</p>"
            "<table style='border-collapse:collapse;width:100%;table-layout:fixed'>"
            f"<thead><tr><th scope='col' style='{style}'>{html_text(a)}</th>"
            f"<th scope='col' style='{style}'>{html_text(b)}</th></tr></thead>"
            f"<tbody><tr><td style='{style}'>{marked_html(*left)}</td><td style='{style}'>{marked_html(*right)}</td>"
            "</tr></tbody></table>")


def pair_html(pair: SimilarPair, focus: str | None = None, names: dict[str, str] | None = None,
              heading: str = "h3") -> str:
    """A pair for the jury: score, the note that it is a signal to examine, the passages side by side.
    With `focus` (the candidate whose grading form shows it), that candidate's column comes first."""
    names = names or {}
    first, second = (pair.a, pair.b) if focus in (None, pair.a) else (pair.b, pair.a)
    swap = first != pair.a
    na, nb = names.get(first, first), names.get(second, second)
    title = (f"Copie de {na} et copie de {nb}" if focus is None
             else f"⚠ Similitude avec la copie de {nb}")
    return (f"<{heading}>{html_text(title)} — score {percent(pair.score)}</{heading}>"
            f"<p>{html_text(JURY_NOTE)}</p>"
            f"<p>Passages partagés marqués {OPEN} ainsi {CLOSE} (soulignés).</p>"
            + "".join(passage_html(p, na, nb, swap) for p in pair.passages))


def pairs_table(pairs: Iterable[SimilarPair]) -> pd.DataFrame:
    """One row per passage of a listed pair (``similitudes.csv``; cells made formula-safe by the writer)."""
    rows = [{"candidat A": pair.a, "candidat B": pair.b, "score de la paire (%)": round(100 * pair.score),
             "devoir": p.assignment, "carnet": p.notebook, "question": p.question,
             "nature": KIND_LABELS.get(p.kind, p.kind), "score du passage (%)": round(100 * p.score),
             "passage A (⟦ partagé ⟧)": marked_text(p.text_a, p.spans_a),
             "passage B (⟦ partagé ⟧)": marked_text(p.text_b, p.spans_b),
             "à lire": "signal à examiner par le jury, jamais une sanction"}
            for pair in pairs for p in pair.passages]
    columns = ["candidat A", "candidat B", "score de la paire (%)", "devoir", "carnet", "question", "nature",
               "score du passage (%)", "passage A (⟦ partagé ⟧)", "passage B (⟦ partagé ⟧)", "à lire"]
    return pd.DataFrame(rows, columns=columns)


def similarity_lines(pairs: list[SimilarPair], notes: list[str]) -> list[str]:
    """What a command prints of the check: what it could not read, then the pairs to examine (or nothing)."""
    lines = [f"  ℹ similitudes : {n}" for n in notes]
    if pairs:
        lines.append("⚠ Copies à examiner (similitudes, signal pour le jury, jamais une sanction) : "
                     + " ; ".join(f"{p.a} et {p.b} ({percent(p.score)})" for p in pairs)
                     + " — passages côte à côte dans le rapport de cohorte, similitudes.csv et la grille des correcteurs.")
    return lines
