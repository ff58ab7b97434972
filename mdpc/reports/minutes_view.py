"""What the jury minutes (pv_jury.ipynb) show: one line per candidate, then the members' signatures."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown, display

from mdpc.core.cohort import minutes_entries
from mdpc.core.record import CandidateRecord
from mdpc.core.safe_text import html_text, md_text
from mdpc.reports.common import duration_fr, load_cohort, status, table
from mdpc_utils.cases import date_fr

__all__ = ["load_cohort", "minutes_table", "show_minutes", "show_signatures"]


def minutes_table(cohort: list[CandidateRecord]) -> pd.DataFrame:
    """Per candidate and bloc, the decision; partial validations and exemptions with their justification."""
    rows = []
    for e in minutes_entries(cohort):
        row = {"Candidat": f"{e.name} ({e.candidate})"}
        row.update({f"Bloc {n}": s.label for n, s in e.blocs.items()})
        row["Décision"] = e.summary
        row["Blocs acquis"] = ", ".join(map(str, e.blocs_acquired)) or "aucun"
        row["Dispenses (avis du référent, décision du jury)"] = " ; ".join(
            f"{x.competency} critère {x.criterion} — {x.advice} (jury du {date_fr(x.decision_date)})"
            for x in e.exemptions) or "—"
        row["Remise"] = f"hors délai ({duration_fr(e.late_minutes)})" if e.late_minutes else "dans les délais"
        failed = [i for i in e.incidents if i.failed]
        others = len(e.incidents) - len(failed)
        row["Incidents de correction"] = " ; ".join(
            [("dernière autocorrection en échec" if i.graded_before else "copie non autocorrigée")
             + f" ({i.assignment or ''})" for i in failed]
            + [f"{others} incident(s) corrigé(s) avant notation, détail dans le relevé"] * bool(others)) or "—"
        rows.append(row)
    return pd.DataFrame(rows)


def show_minutes(cohort: list[CandidateRecord], session: str, date: str, place: str) -> None:
    display(Markdown(f"# Procès-verbal du jury de certification\n\n**Certification :** Manager développement et "
                     f"performance commerciale (MDPC)  \n**Session :** {md_text(session)}  \n"
                     + "".join(f"**Jeu de cas :** {md_text(c)}  \n" for c in sorted({r.cases for r in cohort if r.cases}))
                     + f"**Date de délibération :** {md_text(date)}  \n**Lieu :** {md_text(place)}  \n"
                     f"**Candidats délibérés :** {len(cohort)}"))
    rows = minutes_table(cohort)
    for col in [c for c in rows.columns if c.startswith("Bloc ")]:
        rows[col] = rows[col].map(status)
    display(table(rows).hide(axis="index"))
    display(Markdown("Légende : ✔ validé · ✘ non validé · … en attente (évaluation incomplète ou à confirmer). "
                     "Une validation partielle liste les blocs acquis ; les dispenses sont décidées sur avis motivé du "
                     "référent handicap, les deux conditions cumulatives du référentiel étant réunies."))


def show_signatures(members: list[str]) -> None:
    cells = "".join(f"<tr><td style='padding:8px 12px'>{html_text(m)}</td><td style='width:45%;height:60px;"
                    "border-bottom:1px solid black'></td></tr>" for m in members)
    display(HTML("<h3>Signatures des membres du jury</h3><table style='width:100%'><tr><th style='text-align:left'>"
                 f"Membre</th><th style='text-align:left'>Signature</th></tr>{cells}</table>"))
