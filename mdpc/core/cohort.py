"""Cohort figures from candidates' records, computed once: the CSV files and the reports both read them.

Success rates count the criteria that are decided (acquired or not), whoever decided them: a grader, the
jury, or an automatic proposal when the scale makes proposals decisive; pending and exempt criteria are
left out. The jury minutes are one list of :class:`MinutesEntry`, rendered as CSV here and as a table by
the minutes report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from mdpc.core.certification import french_date
from mdpc.core.decisions import CriterionStatus, Outcome
from mdpc.core.minutes import bloc_reasons
from mdpc.core.record import CandidateRecord

DECIDED = (CriterionStatus.ACQUIRED, CriterionStatus.NOT_ACQUIRED)


def incident_summary(rec: CandidateRecord) -> str:
    """The incidents of a candidate's copies, in one line for the jury minutes (CSV)."""
    return " | ".join(f"{i.assignment} : {i.message}" if i.assignment else i.message for i in rec.incidents)


def cohort_table(records: list[CandidateRecord]) -> pd.DataFrame:
    """One row per candidate: competency (assessed ones), bloc and certification decisions, lateness."""
    rows = []
    for rec in records:
        row = {"candidat": rec.id, "nom": rec.candidate.name}
        for b in rec.blocs:
            if not b.assessed:
                continue
            row.update({c.code: c.status.label for c in b.assessed})
            row[f"Bloc {b.number}"] = b.status.label
        row["certification"] = rec.decision.summary
        row["retard (min)"] = rec.delivery.late_minutes
        row["points autocorrigés"] = f"{rec.autograde.points:g}/{rec.autograde.maximum:g}"
        rows.append(row)
    return pd.DataFrame(rows)


def criterion_rows(records: list[CandidateRecord]) -> pd.DataFrame:
    """One row per candidate and criterion of an assessed competency: level and status."""
    rows = [{"candidat": rec.id, "bloc": b.number, "competence": c.code, "numero": cr.number,
             "critere": f"{c.code}-{cr.number}", "texte": cr.text, "niveau": cr.level, "statut": cr.status}
            for rec in records for b, c, cr in rec.criteria(assessed_only=True)]
    return pd.DataFrame(rows, columns=["candidat", "bloc", "competence", "numero", "critere", "texte", "niveau",
                                       "statut"])


def criterion_success(records: list[CandidateRecord]) -> pd.DataFrame:
    """Per decided criterion: candidates who acquired it (`acquis`), candidates decided (`decides`), rate in %."""
    rows = criterion_rows(records)
    decided = rows[rows["statut"].isin(DECIDED)]
    table = decided.groupby(["bloc", "competence", "numero", "critere", "texte"])["statut"].agg(
        acquis=lambda s: int((s == CriterionStatus.ACQUIRED).sum()), decides="count").reset_index()
    table["taux"] = 100 * table["acquis"] / table["decides"]
    return table.sort_values(["competence", "numero"]).reset_index(drop=True)


def criterion_success_csv(records: list[CandidateRecord]) -> pd.DataFrame:
    """The success per criterion as the CSV file gives it (`cohorte_reussite_criteres.csv`)."""
    table = criterion_success(records)
    return table[["competence", "numero", "acquis", "decides", "taux"]].rename(
        columns={"numero": "critere", "decides": "evalues"})


def outcome_counts(records: list[CandidateRecord], by: str) -> pd.DataFrame:
    """Validated / not validated / pending per competency (`by="competences"`) or per bloc (`by="blocs"`),
    over the candidates assessed on it, with the validation rate.

    A bloc with a competency not validated is not validated, even when others are still pending: the bloc table
    adds the competencies still pending in its blocs, so that its pending count and the competency table's agree."""
    if by == "competences":
        data = [{"key": c.code, "statut": c.status} for rec in records for _, c in rec.competencies(True)]
        name = "Compétence"
    else:
        data = [{"key": f"Bloc {b.number}", "statut": b.status} for rec in records for b in rec.blocs if b.assessed]
        name = "Bloc"
    columns = [Outcome.VALIDATED, Outcome.NOT_VALIDATED, Outcome.PENDING]
    frame = pd.DataFrame(data, columns=["key", "statut"])
    table = frame.groupby("key")["statut"].value_counts().unstack(fill_value=0)
    table = table.reindex(columns=columns, fill_value=0)
    table.columns = [c.label for c in columns]
    total = table.sum(axis=1).replace(0, 1)
    table["taux de validation (%)"] = (100 * table[Outcome.VALIDATED.label] / total).round(0).astype(int)
    table.columns.name = None
    if by == "blocs":
        pending = pd.Series([f"Bloc {b.number}" for rec in records for b in rec.blocs if b.assessed
                             for c in b.assessed if c.status == Outcome.PENDING], dtype=object).value_counts()
        table["dont compétences en attente"] = pending.reindex(table.index, fill_value=0).astype(int)
    return table.rename_axis(name).reset_index()


@dataclass(frozen=True)
class MinutesEntry:
    """One candidate's line of the jury minutes."""

    candidate: str
    name: str
    blocs: dict[int, Outcome]
    status: str            # the certification decision (its label)
    summary: str           # the decision, with the blocs acquired for a partial validation
    blocs_acquired: list[int]
    exemptions: list       # ExemptionRecord: criterion, jury's date, file reference (no health detail)
    late_minutes: int
    incidents: list        # IncidentRecord
    reasons: dict[int, str]  # per bloc not validated: competencies not validated, criteria to settle
    refused: list[str]     # the jury file's requests refused, and why
    accommodation: str     # the referent's file reference when an accommodation is granted, else ""


def minutes_entries(records: list[CandidateRecord]) -> list[MinutesEntry]:
    return [MinutesEntry(rec.id, rec.candidate.name, {b.number: b.status for b in rec.blocs},
                         rec.decision.status.label, rec.decision.summary, list(rec.decision.blocs_acquired),
                         list(rec.exemptions), rec.delivery.late_minutes, list(rec.incidents), bloc_reasons(rec),
                         list(rec.refused_exemptions), rec.accommodation if rec.adaptations else "")
            for rec in records]


def accommodation_text(e: MinutesEntry) -> str:
    """« aménagement (dossier AH-2027-005) ; dispense C4.2-3 (dossier AH-2027-005, jury du 5 janvier 2027) »: kinds and
    file references only, the referent's advice stays in the jury's file."""
    return " ; ".join([f"aménagement (dossier {e.accommodation})"] * bool(e.accommodation)
                      + [f"dispense {x.competency}-{x.criterion} (dossier {x.reference}, jury du {_day(x.decision_date)})"
                         for x in e.exemptions])


def _day(iso: str) -> str:
    """« 5 janvier 2027 » for « 2027-01-05 », as the minutes write every date (the text as it is otherwise)."""
    try:
        return french_date(dt.date.fromisoformat(iso))
    except (TypeError, ValueError):
        return str(iso)


def minutes_csv(records: list[CandidateRecord], routes: dict[str, str] | None = None) -> pd.DataFrame:
    """The jury minutes as the CSV file gives them (`pv_jury.csv`); `routes`: access route per candidate."""
    rows = []
    for e, rec in zip(minutes_entries(records), records, strict=True):
        row = {"candidat": e.candidate, "nom": e.name, "voie d'accès": (routes or {}).get(e.candidate, "non renseignée")}
        row.update({f"bloc {n}": s.label for n, s in e.blocs.items()})
        row["decision"] = e.status
        row["blocs acquis"] = ", ".join(map(str, e.blocs_acquired))
        row["motifs des blocs non validés"] = " | ".join(f"bloc {n} : {r}" for n, r in e.reasons.items())
        row["aménagements et dispenses"] = accommodation_text(e)
        row["demandes refusées"] = " | ".join(e.refused)
        row["retard (min)"] = e.late_minutes
        row["incidents de correction"] = incident_summary(rec)
        rows.append(row)
    return pd.DataFrame(rows)


def cohort_means(records: list[CandidateRecord]) -> dict[str, float]:
    """Mean level per criterion (« C4.1-2 »), over the candidates who have one (exempt ones left out)."""
    rows = criterion_rows(records)
    rated = rows[rows["niveau"].notna() & (rows["statut"] != CriterionStatus.EXEMPT)]
    return rated.groupby("critere")["niveau"].mean().astype(float).to_dict()
