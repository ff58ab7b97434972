"""What the jury minutes (pv_jury.ipynb) show: the certification, the jury and its composition checked against the
declared rule, one line per candidate (access route, decision per bloc, why a bloc is not validated, accommodations
by file reference, refused requests, lateness), the lateness rule, then the members' signatures."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from IPython.display import HTML, Markdown, display

from mdpc.core.cohort import accommodation_text, minutes_entries
from mdpc.core.record import CandidateRecord
from mdpc.core.safe_text import html_text, md_text
from mdpc.reports.common import duration_fr, identity_markdown, load_cohort, load_json, status, table

__all__ = ["load_cohort", "load_json", "minutes_table", "show_identity", "show_jury", "show_minutes",
           "show_signatures"]

def minutes_table(cohort: list[CandidateRecord], context: Mapping | None = None) -> pd.DataFrame:
    """Per candidate: access route, decision per bloc, why each bloc is not validated, accommodations and
    exemptions by file reference (the referent's advice stays in the jury's file), refused requests, lateness."""
    context = context or {}
    routes, names = context.get("voies_acces", {}), context.get("noms", {})
    rows = []
    for e in minutes_entries(cohort):
        row = {"Candidat": f"{names.get(e.candidate, e.name)} ({e.candidate})", "Voie d'accès": routes.get(e.candidate, "non renseignée")}
        row.update({f"Bloc {n}": s.label for n, s in e.blocs.items()})
        row["Décision"] = e.summary
        row["Aménagements et dispenses"] = accommodation_text(e) or "—"
        row["Remise"] = f"hors délai ({duration_fr(e.late_minutes)})" if e.late_minutes else "dans les délais"
        failed = [i for i in e.incidents if i.failed]
        others = len(e.incidents) - len(failed)
        row["Incidents de correction"] = " ; ".join(
            [("dernière autocorrection en échec" if i.graded_before else "copie non autocorrigée")
             + f" ({i.assignment or ''})" for i in failed]
            + [f"{others} incident(s) corrigé(s) avant notation, détail dans le relevé"] * bool(others)) or "—"
        rows.append(row)
    return pd.DataFrame(rows)


def show_identity(context: Mapping) -> None:
    """The certification's identity, as every document carries it."""
    display(Markdown(identity_markdown(context) or "⚠ Identité de la certification non fournie."))


def show_minutes(cohort: list[CandidateRecord], session: str, context: Mapping) -> None:
    date, place = context.get("date") or "…………………", context.get("lieu") or "…………………"
    display(Markdown("# Procès-verbal du jury de certification"))
    show_identity(context)
    display(Markdown(f"**Session :** {md_text(session)}  \n"
                     + "".join(f"**Jeu de cas :** {md_text(c)}  \n" for c in sorted({r.cases for r in cohort if r.cases}))
                     + f"**Date de délibération :** {md_text(date)}  \n**Lieu :** {md_text(place)}  \n"
                     f"**Candidats délibérés :** {len(cohort)}"))
    show_jury(context)
    display(Markdown("## Décisions"))
    rows = minutes_table(cohort, context)
    for col in [c for c in rows.columns if c.startswith("Bloc ") and ":" not in c]:
        rows[col] = rows[col].map(status)
    display(table(rows).hide(axis="index"))
    display(Markdown(
        "Légende : ✔ validé · ✘ non validé · … en attente (évaluation incomplète ou à confirmer). Une validation "
        "partielle liste les blocs acquis. Les aménagements et dispenses sont cités par la référence du dossier du "
        "référent handicap, qui reste au dossier du jury ; une dispense n'est accordée que sur avis motivé du "
        "référent, les deux conditions cumulatives du référentiel étant affirmées et motivées.\n\n"
        f"**Règle de retard appliquée.** {md_text(context.get('regle_retard', ''))}"))
    show_reasons(cohort, context)


def show_reasons(cohort: list[CandidateRecord], context: Mapping) -> None:
    """Per candidate, each bloc not validated or pending with its reasons (competencies not validated, criteria
    still to settle), and the jury file's requests that were refused."""
    codes = (context.get("certification") or {}).get("blocs") or {}
    names = context.get("noms", {})
    parts = []
    for e in minutes_entries(cohort):
        lines = [f"- Bloc {n}{' (' + md_text(codes[str(n)]) + ')' if str(n) in codes else ''}, "
                 f"{md_text(e.blocs[n].label)} : {md_text(r)}." for n, r in e.reasons.items()]
        lines += [f"- Demande refusée : {md_text(m)}" for m in e.refused]
        if lines:
            parts.append(f"**{md_text(names.get(e.candidate, e.name))} ({md_text(e.candidate)})**\n\n" + "\n".join(lines))
    display(Markdown("## Motifs des blocs non validés ou en attente, demandes refusées\n\n"
                     + ("\n\n".join(parts) if parts else "Aucun : tous les blocs sont validés et aucune demande "
                                                          "n'a été refusée.")))


def show_jury(context: Mapping) -> None:
    """The jury's members (quality, internal or external, president) and the check of the declared composition."""
    members = context.get("jury") or []
    display(Markdown("## Composition du jury"))
    if members:
        rows = pd.DataFrame([{"Membre": m["nom"], "Qualité": m.get("qualite") or "—",
                              "Rôle": "président(e) du jury" if m.get("president") else "membre",
                              "Interne ou extérieur": m.get("statut", "non déclaré")} for m in members])
        display(table(rows).hide(axis="index"))
    gaps = context.get("ecarts_composition") or []
    text = f"**Règle de composition vérifiée :** {md_text(context.get('regle_composition', 'non configurée'))}.  \n"
    text += ("✔ Composition conforme." if not gaps else
             "✘ **Composition non conforme** : " + " ; ".join(md_text(g) for g in gaps)
             + ". Le jury ne peut délibérer valablement qu'une fois sa composition conforme.")
    display(Markdown(text))


def show_signatures(context: Mapping) -> None:
    members = [m["nom"] + (f", {m['qualite']}" if m.get("qualite") else "") for m in context.get("jury") or []]
    members = members or ["Président(e) du jury", "Membre du jury", "Membre du jury"]
    cells = "".join(f"<tr><td style='padding:8px 12px;text-align:left'>{html_text(m)}</td><td style='width:45%;height:60px;"
                    "border-bottom:1px solid black'></td></tr>" for m in members)
    display(HTML("<h3>Signatures des membres du jury</h3><table style='width:100%'><tr><th style='text-align:left'>"
                 f"Membre</th><th style='text-align:left'>Signature</th></tr>{cells}</table>"))
