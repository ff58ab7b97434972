"""Per-candidate result records (JSON) and the cohort table, from gradebook submissions and decisions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

from mdpc.core.decisions import ACQUIS, DISPENSE, SOURCE_GRADER, CandidateDecision, decide_candidate
from mdpc.core.exemptions import Accommodation, Accommodations, lateness_minutes
from mdpc.core.grids import Scale, default_grids, default_scale
from mdpc.core.referential import Referential
from mdpc.core.referential import default as default_referential
from mdpc.grading.course import Submission

PARIS = ZoneInfo("Europe/Paris")


def local_time(moment: dt.datetime | None) -> str | None:
    """A gradebook time (naive UTC, as nbgrader stores it) as French local time."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC).astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def grader_label(r, effective) -> str:
    """Who stands behind a criterion's level: the graders, the jury, formgrader, or the autograder."""
    if r.source != SOURCE_GRADER:
        return "proposition automatique" if r.level is not None else ""
    if effective is None or effective.level != r.level:
        return "saisie formgrader (hors journal)"
    if effective.state == "jury":
        return f"jury ({', '.join(effective.graders)})"
    return ", ".join(effective.graders)


def candidate_record(sub: Submission, acc: Accommodation, refusals: list[str], session: str,
                     referential: Referential | None = None, scale: Scale | None = None,
                     ratings: dict | None = None, incidents: list[dict] | None = None) -> dict:
    referential = referential or default_referential()
    scale = scale or default_scale()
    grids = default_grids()
    decision: CandidateDecision = decide_candidate(sub.student, sub.results, acc, referential, grids, scale)
    late = sub.late_minutes(acc.extra_minutes, scale.late_tolerance_minutes)
    blocs = []
    for b in decision.blocs:
        bloc = referential.bloc(b.number)
        comps = []
        for c in b.competencies:
            comp = referential.competency(c.code)
            grid = grids.get(c.code)
            crits = []
            for r in c.criteria:
                descr = grid.criteria[r.number - 1].descriptors if grid else {}
                eff = (ratings or {}).get((sub.student, c.code, r.number))
                crits.append({
                    "numero": r.number, "texte": comp.criteria[r.number - 1].full_text,
                    "correcteur": grader_label(r, eff) if r.status != DISPENSE else "",
                    "notes_divergentes": bool(eff and eff.state == "divergentes"),
                    "niveaux_par_correcteur": dict(eff.levels) if eff else {},
                    "niveau": None if r.status == DISPENSE else r.level, "libelle": scale.label(r.level) if r.status != DISPENSE else "Dispensé",
                    "source": r.source, "statut": r.status, "commentaire": r.comment,
                    "part_auto": r.auto_share, "niveau_propose": r.proposed,
                    "cible": descr.get(scale.acquired_from, ""),
                })
            comps.append({"code": c.code, "intitule": comp.title, "modalite": comp.modality.title,
                          "statut": c.status, "raison": c.reason, "criteres": crits,
                          "evaluee": any(x["niveau"] is not None for x in crits)})
        blocs.append({"numero": b.number, "intitule": bloc.title, "statut": b.status, "competences": comps})
    return {
        "candidat": {"id": sub.student, "nom": sub.name},
        "session": session,
        "decision": {"statut": decision.status, "resume": decision.summary, "blocs_acquis": decision.blocs_acquired},
        "blocs": blocs,
        "remise": {"date": local_time(sub.submitted_at), "echeance": local_time(sub.due),
                   "retard_minutes": round(late), "temps_supplementaire_minutes": acc.extra_minutes,
                   "carnets_manquants": sub.missing_notebooks,
                   "devoirs": [{"devoir": a, "date": local_time(s), "echeance": local_time(d),
                                "retard_minutes": round(lateness_minutes(s, d, acc.extra_minutes, scale.late_tolerance_minutes))}
                               for a, s, d in (sub.deliveries or [(sub.assignment, sub.submitted_at, sub.due)])]},
        "autocorrection": {"points": sub.auto_score, "maximum": sub.auto_max},
        "amenagement": acc.note,
        "dispenses": [{"competence": e.competency, "critere": e.criterion, "avis": e.referent_advice,
                       "date_decision": e.jury_date.isoformat()} for e in acc.exemptions],
        "dispenses_refusees": [m for m in refusals if f" {sub.student}" in m],
        "echelle": {str(k): v for k, v in scale.levels.items()},
        "seuil_acquis": scale.acquired_from,
        "incidents": list(incidents or []),
    }


def records_for(subs: dict[str, Submission], accs: Accommodations, session: str, ratings: dict | None = None,
                incidents: dict[str, list[dict]] | None = None) -> list[dict]:
    """One record per submission; ratings (RatingBook.graders) names who rated each criterion; incidents
    (autograde.incidents_for) what the checks of each copy found, and the copies that could not be graded."""
    return [candidate_record(s, accs.get(sid), accs.refusals, session, ratings=ratings,
                             incidents=(incidents or {}).get(sid)) for sid, s in sorted(subs.items())]


def incident_summary(rec: dict) -> str:
    """The incidents of a candidate's copies, in one line for the jury minutes."""
    return " | ".join(f"{i['devoir']} : {i['message']}" if i.get("devoir") else i["message"]
                      for i in rec.get("incidents", []))


def cohort_table(records: list[dict]) -> pd.DataFrame:
    """One row per candidate: competency (assessed ones), bloc and certification decisions, lateness."""
    rows = []
    for rec in records:
        row = {"candidat": rec["candidat"]["id"], "nom": rec["candidat"]["nom"]}
        for b in rec["blocs"]:
            assessed = [c for c in b["competences"] if c["evaluee"]]
            if not assessed:
                continue
            for c in assessed:
                row[c["code"]] = c["statut"]
            row[f"Bloc {b['numero']}"] = b["statut"]
        row["certification"] = rec["decision"]["resume"]
        row["retard (min)"] = rec["remise"]["retard_minutes"]
        row["points autocorrigés"] = f"{rec['autocorrection']['points']:g}/{rec['autocorrection']['maximum']:g}"
        rows.append(row)
    return pd.DataFrame(rows)


def criterion_success(records: list[dict]) -> pd.DataFrame:
    """Share of candidates who acquired each criterion rated by a grader (exempt ones left out)."""
    counts: dict[tuple[str, int], list[int]] = {}
    for rec in records:
        for b in rec["blocs"]:
            for c in b["competences"]:
                for cr in c["criteres"]:
                    if cr["statut"] == DISPENSE or cr["source"] != SOURCE_GRADER:
                        continue
                    n = counts.setdefault((c["code"], cr["numero"]), [0, 0])
                    n[0] += cr["statut"] == ACQUIS
                    n[1] += 1
    return pd.DataFrame([{"competence": k[0], "critere": k[1], "acquis": v[0], "evalues": v[1],
                          "taux": 100 * v[0] / v[1]} for k, v in sorted(counts.items())])


def minutes_rows(records: list[dict]) -> pd.DataFrame:
    """The jury minutes as a table: per candidate and bloc the decision, partial validations, exemptions."""
    rows = []
    for rec in records:
        row = {"candidat": rec["candidat"]["id"], "nom": rec["candidat"]["nom"]}
        for b in rec["blocs"]:
            row[f"bloc {b['numero']}"] = b["statut"]
        row["decision"] = rec["decision"]["statut"]
        row["blocs acquis"] = ", ".join(map(str, rec["decision"]["blocs_acquis"]))
        row["dispenses"] = " | ".join(f"{e['competence']} critère {e['critere']} : {e['avis']} (jury du "
                                      f"{e['date_decision']})" for e in rec["dispenses"])
        row["retard (min)"] = rec["remise"]["retard_minutes"]
        row["incidents de correction"] = incident_summary(rec)
        rows.append(row)
    return pd.DataFrame(rows)
