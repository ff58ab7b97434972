"""Helpers every case notebook uses: data loading, French self-checks, accessible charts."""

from __future__ import annotations

import datetime as dt
import inspect
import os
import re
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, display

# Colour-blind-safe palette (Okabe–Ito); charts never rely on colour alone (hatches, labels, text).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++", "oo", "--"]


OWN_DATA = "mes_donnees"
# The « projets professionnels »: the only cases a candidate may base on their own company's data.
OWN_DATA_CASES = ("C1_1", "C1_2", "C1_3", "C3_5")
JUDGE_VARIABLE = "MDPC_JUGE"  # set in the kernel that runs the tests (mdpc.grading.judge): the case's data only


def _own_data_allowed() -> bool:
    """Whether the notebook calling :func:`load_csv` is a projet professionnel (its ``NOTEBOOK`` name, which
    every case sets in its first locked cell), outside the kernel that runs the tests."""
    if os.environ.get(JUDGE_VARIABLE):
        return False
    frame = inspect.currentframe()
    caller = frame.f_back.f_back if frame and frame.f_back else None
    notebook = str((caller.f_globals if caller else {}).get("NOTEBOOK", ""))
    return notebook.startswith(OWN_DATA_CASES)


def load_csv(name: str, folder: str | Path = "data", **kwargs) -> pd.DataFrame:
    """Read a case's CSV; a missing file gets a French message saying where it was expected.

    A candidate who bases a projet professionnel (C1.1 to C1.3, C3.5) on their own company puts files of the
    same name and columns in ``mes_donnees/`` beside the notebook: they are read instead of the case's, and
    the notebook says so. Other cases, and the tests, always read the case's data.
    """
    filename = name if name.endswith(".csv") else f"{name}.csv"
    path = Path(folder) / filename
    own = Path(folder).parent / OWN_DATA / filename
    if own.exists() and _own_data_allowed():
        df = pd.read_csv(own, **kwargs)
        if path.exists():
            expected = list(pd.read_csv(path, nrows=0).columns)
            if list(df.columns) != expected:
                raise ValueError(f"{own} doit avoir les colonnes du fichier du cas, dans le même ordre : "
                                 f"{', '.join(expected)} (reçu : {', '.join(map(str, df.columns))}).")
        display(HTML(f"<p role='note'>ℹ️ Données de votre entreprise utilisées : <code>{own.as_posix()}</code>.</p>"))
        return df
    if not path.exists():
        raise FileNotFoundError(
            f"Fichier de données introuvable : {path}. Ouvrez le cas depuis son dossier (celui qui contient « data/ ») "
            "et ne renommez pas les fichiers fournis.")
    return pd.read_csv(path, **kwargs)


GRADING_VARIABLE = "NBGRADER_EXECUTION"  # set by nbgrader while it validates or autogrades a notebook


def grading() -> bool:
    """Whether this kernel runs for a verdict (nbgrader's validate or autograde, or the judge), not for the
    candidate working in JupyterLab."""
    return bool(os.environ.get(GRADING_VARIABLE) or os.environ.get(JUDGE_VARIABLE))


class Verdict:
    """What :func:`check` returns: true when the check holds; displays nothing (a test cell that ends with a
    check shows its message, never « True »)."""

    __slots__ = ("holds",)

    def __init__(self, holds: bool):
        self.holds = holds

    def __bool__(self) -> bool:
        return self.holds

    def __repr__(self) -> str:
        return f"Verdict({self.holds})"

    def _ipython_display_(self) -> None:
        return None


def check(condition: bool, message: str) -> Verdict:
    """A French message a candidate understands when the condition does not hold; returns whether it holds.

    For a verdict (:func:`grading`) it fails: the test loses its points, nbgrader's Validate button (« Vérifier ») says so. In the
    candidate's JupyterLab it prints the message on one line and lets the notebook go on, so that « Run All »
    on an unfinished copy reaches the last cell and shows every form (issue 17). A self-check that reads further
    into an answer goes on only if the answer has the right form: ``if check(isinstance(t, pd.DataFrame), …):``.
    """
    if condition:
        return Verdict(True)
    if grading():
        raise AssertionError(message)
    print(f"✘ {message}", file=sys.stderr)
    return Verdict(False)


def show(value, name: str, decimals: int | None = None, rows: int | None = None):
    """What a solution cell displays of an answer: the value (rounded, its first rows), or, while the answer is
    not computed yet (``None``), a one-line notice naming it, instead of an error that stops « Run All »."""
    if value is None:
        print(f"✘ « {name} » n'est pas encore calculé : complétez la cellule ci-dessus.", file=sys.stderr)
        return None
    if rows is not None and hasattr(value, "head"):
        value = value.head(rows)
    if decimals is not None and hasattr(value, "round"):
        value = value.round(decimals)
    return value


def fr_number(x, decimals: int = 2) -> str:
    """A number the French way: 1 234,5."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    text = f"{x:,.{decimals}f}".replace(",", " ").replace(".", ",")
    return text.rstrip("0").rstrip(",") if decimals else text


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00)?)?")


def date_fr(value) -> str:
    """An ISO date (2027-01-05, or a date object) the French way (05/01/2027); anything else unchanged."""
    if isinstance(value, dt.date):
        value = value.strftime("%Y-%m-%d")
    m = _ISO_DATE.fullmatch(str(value))
    return f"{m[3]}/{m[2]}/{m[1]}" if m else str(value)


def describe(fig, alt_text: str, table: pd.DataFrame | None = None) -> None:
    """Show a chart with its text alternative (caption), and optionally the table it draws (ARCHITECTURE.md, contract 9)."""
    display(fig)
    plt.close(fig)
    display(HTML(f"<p role='note'><strong>Description du graphique :</strong> {alt_text}</p>"))
    if table is not None:
        display(table)


def bar_chart(series: pd.Series, title: str, ylabel: str, threshold: float | None = None,
              threshold_label: str = "seuil", flagged=()):
    """Bar chart with optional threshold line; flagged bars get a hatch and a marker, not only a colour."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    bars = ax.bar([str(i) for i in series.index], series.values, color=PALETTE[0], edgecolor="black")
    for bar, label in zip(bars, series.index, strict=True):
        if label in flagged:
            bar.set_color(PALETTE[3])
            bar.set_hatch("//")
            bar.set_edgecolor("black")
            ax.annotate("⚠", (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", va="bottom")
    if threshold is not None:
        ax.axhline(threshold, color="black", linestyle="--", label=threshold_label)
        ax.legend()
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.tick_params(axis="x", rotation=30)
    fig.tight_layout()
    return fig
