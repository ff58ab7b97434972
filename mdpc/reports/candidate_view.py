"""What a candidate's report (rapport_candidat.ipynb) shows: decisions, levels chart, criteria, recommendations."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from IPython.display import Markdown, display

from mdpc.core import proposals
from mdpc.core.cohort import cohort_means, criterion_rows
from mdpc.core.decisions import CriterionStatus, LevelSource
from mdpc.core.record import CandidateRecord, CompetencyRecord
from mdpc.core.safe_text import md_text
from mdpc.reports.common import (
    SYMBOL,
    bloc_panels,
    by_criterion_table,
    duration_fr,
    identity_markdown,
    load_cohort,
    load_json,
    load_record,
    status,
    table,
)
from mdpc_utils.cases import HATCHES, PALETTE, date_fr, describe, fr_number

__all__ = ["load_cohort", "load_json", "load_record", "show_header", "show_decisions", "show_levels_chart", "show_criteria",
           "show_accommodations", "show_incidents", "show_recommendations"]


def show_header(rec: CandidateRecord, context: Mapping | None = None) -> None:
    """The report's head: the certification's identity (`context`, see :func:`mdpc.core.minutes.build_context`),
    the candidate, the session, the decision so far and the deliveries."""
    c, d, r = rec.candidate, rec.decision, rec.delivery
    lines = [f"# Relevé de résultats — {md_text(c.name)}", *[identity_markdown(context) + "  "] * bool(identity_markdown(context)),
             f"**Candidat :** {md_text(c.name)} ({md_text(c.id)})  ",
             f"**Session :** {md_text(rec.session)}  ",
             *([f"**Jeu de cas :** {md_text(rec.cases)}  "] if rec.cases else []),
             f"**Décision à ce stade :** {SYMBOL.get(str(d.status), '')} {md_text(d.summary)}  "]
    for dv in r.assignments:
        if not dv.date:
            continue
        late = dv.late_minutes
        when = (f"**Remise{' — ' + md_text(dv.assignment) if dv.assignment else ''} :** {md_text(dv.date)} "
                f"(échéance {md_text(dv.due) if dv.due else 'non fixée'}")
        when += f", temps supplémentaire accordé : {r.extra_minutes} min" if r.extra_minutes else ""
        when += ") — " + (f"⚠ hors délai de {duration_fr(late)}" if late else "dans les délais") + "  "
        lines.append(when)
    if r.missing_notebooks:
        lines.append(f"⚠ Carnets non remis : {md_text(', '.join(r.missing_notebooks))}")
    display(Markdown("\n".join(lines)))


def decisions_table(rec: CandidateRecord) -> pd.DataFrame:
    rows = []
    for b in rec.blocs:
        rows.append({"Bloc / compétence": f"Bloc {b.number} — {b.title}", "Décision": status(b.status),
                     "Motif": "" if b.assessed else "aucune compétence évaluée à ce jour"})
        for c in b.assessed:
            rows.append({"Bloc / compétence": f"{c.code} ({c.modality})", "Décision": status(c.status),
                         "Motif": c.reason})
        others = [c.code for c in b.competencies if not c.assessed]
        if b.assessed and others:
            rows.append({"Bloc / compétence": f"{', '.join(others)}", "Décision": "… non évaluée(s) à ce jour",
                         "Motif": "le bloc reste en attente de ces compétences"})
    return pd.DataFrame(rows)


def show_decisions(rec: CandidateRecord) -> None:
    display(table(decisions_table(rec)).hide(axis="index"))


def criteria_table(comp: CompetencyRecord) -> pd.DataFrame:
    rows = []
    for cr in comp.criteria:
        exempt = cr.status == CriterionStatus.EXEMPT
        level = "Dispensé" if exempt else ("—" if cr.level is None else f"{cr.level} — {cr.label}")
        source = {LevelSource.GRADER: "correcteur",
                  LevelSource.AUTO: "proposition automatique (à confirmer, voir sous le tableau)"}.get(cr.source, "—")
        auto = "" if cr.auto_share is None else f"{100 * cr.auto_share:.0f} %"
        if cr.auto_share is not None and cr.tests:
            auto += (f" ({proposals.number(sum(t.points for t in cr.tests))} / "
                     f"{proposals.number(sum(t.maximum for t in cr.tests))} pts)")
        if exempt:
            source, auto = "—", ""
        if cr.divergent:
            source = "notes divergentes : " + ", ".join(f"{w} {lv}" for w, lv in cr.levels_by_grader.items())
        elif cr.grader and cr.source == LevelSource.GRADER:
            source = cr.grader
        rows.append({"Critère": f"{cr.number}. {cr.text}", "Niveau": level, "Statut": status(cr.status),
                     "Évalué par": source, "Tests réussis": auto, "Commentaire": cr.comment or ""})
    return pd.DataFrame(rows)


def proposal_notes(rec: CandidateRecord, comp: CompetencyRecord) -> str:
    """Markdown, one item per criterion whose level is an automatic proposal: the tests it rests on (names,
    points earned / maximum), that it rests only on what they verify, and why it stops at its cap."""
    items = [f"- **Critère {cr.number}** — {md_text(proposals.summary(cr, rec.scale))}"
             for cr in comp.criteria if cr.source == LevelSource.AUTO and cr.auto_share is not None]
    if not items:
        return ""
    return ("**Propositions automatiques, à confirmer par un correcteur.** Elles ne suffisent pas à valider un "
            "critère.\n\n" + "\n".join(items))


def show_criteria(rec: CandidateRecord) -> None:
    for _, c in rec.competencies(assessed_only=True):
        display(Markdown(f"### {md_text(c.code)} — {md_text(status(c.status))}\n\n*{md_text(c.title)}*"))
        display(table(criteria_table(c)).hide(axis="index"))
        if notes := proposal_notes(rec, c):
            display(Markdown(notes))


def levels_table(data: pd.DataFrame, means: dict[str, float]) -> pd.DataFrame:
    """The chart's values as a compact table: one row per competency, one column per criterion."""
    def cell(row) -> str:
        if row["statut"] == CriterionStatus.EXEMPT:
            return "dispensé"
        level = "—" if row["niveau"] is None or pd.isna(row["niveau"]) else str(int(row["niveau"]))
        if row["statut"] == CriterionStatus.PENDING and level != "—":
            level += " proposé"
        mean = means.get(row["critere"])
        return f"{level} {SYMBOL.get(str(row['statut']), '')}" + (f" (cohorte {fr_number(mean, 1)})" if mean is not None else "")

    return by_criterion_table(data, data.apply(cell, axis=1))


def show_levels_chart(rec: CandidateRecord, cohort: list[CandidateRecord] | None = None) -> None:
    """One panel per bloc: the level of each criterion, the cohort mean beside it, the acquisition threshold."""
    data = criterion_rows([rec])
    if data.empty:
        display(Markdown("*Aucun critère évalué à ce jour : pas de graphique.*"))
        return
    top = rec.top_level
    means = cohort_means(cohort) if cohort else {}
    fig, panels = bloc_panels(data)
    first = panels[0][1]
    for ax, bloc in panels:
        part = data[data["bloc"] == bloc].reset_index(drop=True)
        comps = list(dict.fromkeys(part["competence"]))
        for i, row in part.iterrows():
            k = comps.index(row["competence"])
            exempt = row["statut"] == CriterionStatus.EXEMPT
            value = 0 if row["niveau"] is None or pd.isna(row["niveau"]) or exempt else row["niveau"]
            if row["statut"] == CriterionStatus.PENDING:  # a level not yet decided (proposal, divergence): an empty dashed bar
                bar = ax.bar(i, value, facecolor="white", edgecolor="dimgray", linestyle="--")
            else:
                bar = ax.bar(i, value, color=PALETTE[k % len(PALETTE)], hatch=HATCHES[k % len(HATCHES)],
                             edgecolor="black")
            ax.annotate(SYMBOL.get(str(row["statut"]), ""), (i, bar[0].get_height()), ha="center", va="bottom",
                        fontsize=8)
        xs = [i for i, c in enumerate(part["critere"]) if c in means]
        if xs:
            ax.plot(xs, [means[part["critere"].iloc[i]] for i in xs], "kD", markersize=4, label="moyenne de la cohorte")
            if bloc == first:  # one legend, above the first panel, clear of the bars
                ax.legend(loc="lower right", bbox_to_anchor=(1, 1), fontsize=7, frameon=False)
        ax.axhline(rec.acquired_from - 0.5, color="black", linestyle="--", linewidth=1)
        ax.set_xticks(range(len(part)), part["critere"], rotation=45, ha="right", fontsize=7)
        ax.set_yticks(range(top + 1), [f"{k} {rec.scale[str(k)]}" for k in range(top + 1)], fontsize=7)
        ax.set_ylim(0, top + 0.8)
        ax.set_xlim(-0.6, len(part) - 0.4)
        ax.set_title(f"Bloc {bloc}", fontsize=9, loc="left")
    fig.suptitle("Niveau obtenu par critère (pointillés : seuil d'acquisition)", fontsize=10)
    fig.tight_layout()
    count = data["statut"].value_counts()
    alt = (f"Diagrammes en barres des niveaux par critère, un par bloc : {count.get(CriterionStatus.ACQUIRED, 0)} "
           f"critère(s) acquis sur {len(data)}, {count.get(CriterionStatus.NOT_ACQUIRED, 0)} non acquis, "
           f"{count.get(CriterionStatus.PENDING, 0)} en attente (barre vide en pointillés : niveau proposé, pas encore "
           f"arrêté), {count.get(CriterionStatus.EXEMPT, 0)} dispensé(s). Le tableau ci-dessous donne les mêmes "
           "valeurs" + (", avec la moyenne de la cohorte." if means else "."))
    describe(fig, alt, table(levels_table(data, means)))


def show_accommodations(rec: CandidateRecord) -> None:
    """The accommodations and exemptions granted, by kind, with the referent's file reference (the advice stays in
    the jury's file), and the requests refused."""
    lines = [f"- Aménagement (dossier {md_text(rec.accommodation)}) : {md_text(a)}." for a in rec.adaptations]
    for e in rec.exemptions:
        lines.append(f"- Dispense du critère {md_text(e.criterion)} de {md_text(e.competency)} (dossier "
                     f"{md_text(e.reference)}), décidée par le jury le {md_text(date_fr(e.decision_date))} sur avis "
                     "motivé du référent handicap ; les deux conditions cumulatives sont affirmées et motivées. Le "
                     "critère est laissé hors de la décision.")
    for m in rec.refused_exemptions:
        lines.append(f"- ⚠ {md_text(m)}")
    display(Markdown("\n".join(lines) if lines else "Aucun aménagement ni dispense."))


def show_incidents(rec: CandidateRecord) -> None:
    """What the checks of the copies found before grading (put right, and how), and any copy that
    could not be autograded: its criteria wait for a new autograde."""
    if not rec.incidents:
        display(Markdown("Copies reçues et autocorrigées sans incident."))
        return
    display(Markdown("\n".join(
        f"- {'⚠ ' if i.failed else ''}**{md_text(i.assignment or '')}" + (f", {md_text(i.notebook)}" if i.notebook else "")
        + f"** : {md_text(i.message)}" for i in rec.incidents)))


def show_recommendations(rec: CandidateRecord) -> None:
    lines = [f"- **{md_text(c.code)}, critère {cr.number}** — {md_text(cr.text)}  \n  Pour atteindre le niveau "
             f"« Acquis » : {md_text(cr.target)}"
             for _, c, cr in rec.criteria() if cr.status == CriterionStatus.NOT_ACQUIRED]
    display(Markdown("\n".join(lines) if lines else "Aucun critère non acquis : pas de recommandation."))
