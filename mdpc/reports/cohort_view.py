"""What the cohort report (rapport_cohorte.ipynb) shows: success rates, level distribution, double marking."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display

from mdpc.core.cohort import criterion_rows, criterion_success, outcome_counts
from mdpc.core.decisions import CriterionStatus
from mdpc.core.record import CandidateRecord
from mdpc.core.safe_text import md_text
from mdpc.core.similarity import SimilarPair
from mdpc.core.similarity_text import JURY_NOTE, pair_html, percent
from mdpc.reports.common import (
    bloc_panels,
    by_criterion_table,
    identity_markdown,
    load_cohort,
    load_json,
    status,
    table,
)
from mdpc_utils.cases import HATCHES, PALETTE, describe, fr_number

__all__ = ["load_cohort", "load_json", "show_cohort_header", "show_cohort_success", "show_level_distribution",
           "show_most_failed", "show_double_marking", "pseudonyms", "load_similar", "show_similar_pairs"]


def show_cohort_header(cohort: list[CandidateRecord], session: str, context: Mapping | None = None) -> None:
    statuses = pd.Series([r.decision.status.label for r in cohort]).value_counts()
    cases = sorted({r.cases for r in cohort if r.cases})
    identity = identity_markdown(context)
    display(Markdown(f"# Rapport de cohorte — {md_text(session)}\n\n" + (identity + "\n\n" if identity else "")
                     + "".join(f"**Jeu de cas :** {md_text(c)}  \n" for c in cases)
                     + f"**{len(cohort)} candidat(s).** Décisions de "
                     "certification à ce stade : " + ", ".join(f"{md_text(status(k))} : {v}" for k, v in statuses.items())))


def _weakest_first(cohort: list[CandidateRecord]) -> pd.DataFrame:
    """Success per decided criterion, rates rounded to the percent, weakest first."""
    crit = criterion_success(cohort)
    crit["taux"] = crit["taux"].round(0)
    return crit.sort_values(["taux", "critere"]).reset_index(drop=True)


def show_cohort_success(cohort: list[CandidateRecord]) -> None:
    for title, by in (("Par bloc", "blocs"), ("Par compétence", "competences")):
        display(Markdown(f"### {title}"))
        display(table(outcome_counts(cohort, by)).hide(axis="index"))
    crit = _weakest_first(cohort)
    if crit.empty:
        display(Markdown("*Aucun critère noté à ce jour : pas de graphique.*"))
        return
    data = crit.sort_values(["competence", "numero"]).reset_index(drop=True)
    fig, panels = bloc_panels(data)
    for ax, bloc in panels:
        part = data[data["bloc"] == bloc].reset_index(drop=True)
        bars = ax.bar(range(len(part)), part["taux"], color=PALETTE[0], edgecolor="black")
        for bar, v in zip(bars, part["taux"], strict=True):
            ax.annotate(f"{v:.0f}", (bar.get_x() + bar.get_width() / 2, v), ha="center", va="bottom", fontsize=7)
            if v < 50:
                bar.set_hatch("//")
                bar.set_facecolor(PALETTE[3])
        ax.axhline(50, color="black", linestyle=":", linewidth=1)
        ax.set_xticks(range(len(part)), part["critere"], rotation=45, ha="right", fontsize=7)
        ax.set_xlim(-0.6, len(part) - 0.4)
        ax.set_ylim(0, 115)
        ax.set_ylabel("réussite (%)", fontsize=8)
        ax.set_title(f"Bloc {bloc}", fontsize=9, loc="left")
    fig.suptitle("Taux de réussite par critère, en % des candidats notés (hachures : moins de 50 %)", fontsize=10)
    fig.tight_layout()
    worst = ", ".join(f"{r.critere} ({r.taux:.0f} %)" for r in crit.head(3).itertuples())
    values = data.apply(lambda r: f"{r.taux:.0f} % ({r.acquis}/{r.decides})", axis=1)
    describe(fig, f"Taux de réussite par critère pour les critères notés par le jury, un diagramme par bloc ; les plus "
                  f"faibles : {worst}. Le tableau donne, pour chaque critère, le taux et le nombre de candidats qui "
                  "l'ont acquis sur ceux qui ont été notés.",
             table(by_criterion_table(data, values)))


def show_level_distribution(cohort: list[CandidateRecord]) -> None:
    rows = criterion_rows(cohort)
    rated = rows[rows["niveau"].notna() & (rows["statut"] != CriterionStatus.EXEMPT)]
    top = max(r.top_level for r in cohort) if cohort else 3
    table = rated.groupby("competence")["niveau"].value_counts().unstack(fill_value=0).reindex(
        columns=list(range(top + 1)), fill_value=0)
    fig, ax = plt.subplots(figsize=(max(7.0, min(11.0, 0.45 * len(table) + 2.5)), 3.6))
    bottom = pd.Series(0, index=table.index)
    for k in table.columns:
        ax.bar(table.index, table[k], bottom=bottom, color=PALETTE[int(k)], hatch=HATCHES[int(k)], edgecolor="black",
               label=f"niveau {k}")
        bottom += table[k]
    ax.set_ylabel("nombre de critères")
    ax.set_title("Répartition des niveaux par compétence")
    ax.tick_params(axis="x", rotation=45, labelsize=8)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    fig.tight_layout()
    describe(fig, f"Répartition des niveaux (0 à {top}) attribués, compétence par compétence ; le tableau donne les "
                  "effectifs.",
             table.rename(columns=lambda k: f"niveau {k}").rename_axis(index=None, columns=None))


def show_most_failed(cohort: list[CandidateRecord], n: int = 5) -> None:
    crit = _weakest_first(cohort).head(n)
    display(Markdown("\n".join(f"{i}. **{md_text(r.critere)}** — {md_text(r.texte)} : {r.taux:.0f} % de réussite "
                               f"({r.acquis}/{r.decides})"
                               for i, r in enumerate(crit.itertuples(), 1)) or "Aucun critère noté."))


def pseudonyms(ids: list[str]) -> dict[str, str]:
    """« copie 1 », « copie 2 »… in order of first appearance: a cohort report that names nobody."""
    out: dict[str, str] = {}
    for i in ids:
        out.setdefault(i, f"copie {len(out) + 1}")
    return out


def show_double_marking(double: list[dict], anonymous: bool = False) -> None:
    if not double:
        display(Markdown("Aucune double correction dans cette session."))
        return
    names = pseudonyms([d["candidat"] for d in double]) if anonymous else {d["candidat"]: d["candidat"] for d in double}
    rows = []
    for d in double:
        levels = d["niveaux"]
        gap = max(levels.values()) - min(levels.values())
        rows.append({"candidat": names[d["candidat"]], "critère": f"{d['competence']}-{d['critere']}",
                     **{f"niveau {w}": lv for w, lv in levels.items()},
                     "écart": gap, "niveau retenu": "—" if d["niveau_final"] is None else d["niveau_final"],
                     "état": "tranché par le jury" if d["jury"] else ("divergent, à trancher" if gap else "concordant")})
    marks = pd.DataFrame(rows)
    agree = (marks["écart"] == 0).mean() * 100
    display(Markdown(f"**{len(marks)} critère(s) doublement corrigé(s)** : accord exact dans {agree:.0f} % des cas, "
                     f"écart moyen {fr_number(marks['écart'].mean())} niveau."))
    display(table(marks.fillna("—")).hide(axis="index"))


def load_similar(path: str) -> list[SimilarPair]:
    return [SimilarPair.from_json(p) for p in load_json(path)] if path else []


def show_similar_pairs(pairs: list[SimilarPair], anonymous: bool = False) -> None:
    """« Copies à examiner (similitudes) »: each listed pair with its passages side by side, for the jury."""
    if anonymous:  # suspicions stay with the jury: nothing of them in a report meant to circulate
        display(Markdown("*Section réservée au jury : la version anonyme du rapport ne liste pas de copies.*"))
        return
    if not pairs:
        display(Markdown("Aucune paire de copies au-dessus du seuil : rien à examiner. " + md_text(JURY_NOTE)))
        return
    summary = ", ".join(f"{md_text(p.a)} et {md_text(p.b)} ({percent(p.score)})" for p in pairs)
    display(Markdown(f"**{len(pairs)} paire(s) de copies à examiner** : {summary}."))
    for pair in pairs:
        display(HTML(pair_html(pair)))
