"""What every report shows the same way: status symbols, table style, durations, per-bloc chart panels.

Every value a report shows comes from records (names, comments, messages, advice, session…): Markdown is
built with :func:`mdpc.core.safe_text.md_text` around each value, HTML with ``html_text``, and every table
through :func:`table` (its cells and headers escaped by pandas: a Styler escapes nothing by default)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from mdpc.core.decisions import CertificationStatus, CriterionStatus, Outcome
from mdpc.core.record import CandidateRecord, load_records
from mdpc.core.safe_text import md_text

SPECIMEN = "**SPÉCIMEN — certification fictive de démonstration, document sans valeur.**"

SYMBOL = {Outcome.VALIDATED: "✔", Outcome.NOT_VALIDATED: "✘", Outcome.PENDING: "…",
          CriterionStatus.ACQUIRED: "✔", CriterionStatus.NOT_ACQUIRED: "✘", CriterionStatus.PENDING: "…",
          CriterionStatus.EXEMPT: "D", CertificationStatus.CERTIFIED: "✔", CertificationStatus.PARTIAL: "◐"}
SYMBOL = {str(k): v for k, v in SYMBOL.items()}  # keyed by label: an enum and its label find the same symbol

TABLE_STYLE = [{"selector": "th", "props": [("text-align", "left")]},
               {"selector": "td", "props": [("text-align", "left"), ("vertical-align", "top")]}]


def table(data: pd.DataFrame):
    """A table as every report shows it: cells and headers escaped as HTML, left-aligned."""
    return (data.style.format(escape="html").format_index(escape="html", axis=0)
            .format_index(escape="html", axis=1).set_table_styles(TABLE_STYLE))


def status(label: str) -> str:
    """A status with a symbol, so that nothing is said by colour alone."""
    return f"{SYMBOL.get(str(label), '')} {label}".strip()


def duration_fr(minutes: int) -> str:
    """A lateness as a reader counts it: « 2 715 min » reads « 1 j 21 h 15 min »."""
    days, rest = divmod(int(minutes), 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} j"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{mins} min"] * bool(mins or not (days or hours))
    return " ".join(parts)


def load_json(path: str | Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_record(path: str | Path) -> CandidateRecord:
    """A candidate's record, from the JSON file `mdpc rapports` writes for the templates."""
    return load_records(load_json(path))


def load_cohort(path: str | Path) -> list[CandidateRecord]:
    return load_records(load_json(path))


def bloc_panels(data: pd.DataFrame):
    """One panel per bloc, stacked, each as wide as its criteria need: 69 criteria stay readable."""
    blocs = list(dict.fromkeys(data["bloc"]))
    width = max(6.0, min(11.0, 0.42 * data.groupby("bloc").size().max() + 1.5))
    fig, axes = plt.subplots(len(blocs), 1, figsize=(width, 2.3 * len(blocs) + 0.4), squeeze=False)
    return fig, list(zip(axes[:, 0], blocs, strict=True))


def by_criterion_table(data: pd.DataFrame, values: pd.Series) -> pd.DataFrame:
    """Values per criterion as a compact table: one row per competency, one column per criterion number."""
    shown = data.assign(valeur=values, colonne=data["numero"].map(lambda k: f"critère {k}"))
    table = shown.pivot(index="competence", columns="colonne", values="valeur").fillna("")
    table = table.reindex(list(dict.fromkeys(data["competence"])))
    table.index.name = "compétence"
    table.columns.name = None
    return table


def identity_markdown(context: Mapping | None) -> str:
    """The certification's identity as every document carries it (Markdown, every value escaped); "" without it."""
    cert = (context or {}).get("certification") or {}
    lines = [md_text(line) for line in cert.get("lignes", [])]
    codes = cert.get("blocs") or {}
    if codes:
        lines.append("Blocs de compétences : " + ", ".join(f"bloc {md_text(n)} : {md_text(c)}" for n, c in codes.items())
                     + ".")
    if lines and cert.get("specimen"):
        lines.insert(0, SPECIMEN)
    return "  \n".join(lines)
