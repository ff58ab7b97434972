"""What the jury minutes say beyond the decisions: the certification, the jury and its composition checked against
the rule the certification declares, each candidate's access route, why each bloc is not validated, and the
lateness rule applied.

:func:`build_context` gathers it (pure: the caller reads the files) into a JSON-ready mapping that the minutes
template reads back; :func:`bloc_reasons` and :func:`criteria_to_settle` explain a candidate's blocs not validated.
"""

from __future__ import annotations

import datetime as dt
import re

from mdpc.core.certification import MONTHS, Certification, JuryRule, french_date
from mdpc.core.decisions import CriterionStatus, Outcome
from mdpc.core.enrolment import Enrolments
from mdpc.core.record import BlocRecord, CandidateRecord
from mdpc.core.roster import Member, Roster


def check_composition(members: tuple[Member, ...], rule: JuryRule | None) -> list[str]:
    """Where the jury departs from the declared composition (French, empty when it is met)."""
    if rule is None:
        return ["aucune règle de composition n'est configurée (certification.yaml, « composition_jury ») : la "
                "composition n'a pas pu être vérifiée"]
    problems = []
    if len(members) < rule.min_members:
        problems.append(f"{len(members)} membre(s) déclaré(s), {rule.min_members} au moins sont requis")
    undeclared = [m.name for m in members if m.internal is None]
    if undeclared:
        problems.append("statut interne ou extérieur non déclaré (« interne: true » ou « false » dans jury.yaml) pour "
                        + ", ".join(undeclared))
    external = sum(m.internal is False for m in members)
    if members and external / len(members) < rule.min_external_share:
        problems.append(f"{external} membre(s) extérieur(s) sur {len(members)}, soit moins que la part requise "
                        f"({rule.min_external_share:.0%})".replace("%)", " %)"))
    president = next((m for m in members if m.president), None)
    if rule.external_president and (president is None or president.internal is not False):
        problems.append("la présidence n'est pas confiée à un membre extérieur"
                        if president else "aucun président ou présidente n'est déclaré")
    return problems


_FRENCH = re.compile(r"(\d{1,2})(?:er)?\s+([a-zéû]+)\s+(\d{4})")
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_day(text: str | dt.date | None) -> dt.date | None:
    """The jury's date: AAAA-MM-JJ, « 15 janvier 2027 », « 1er mars 2027 » or 15/01/2027 (the one reading of a
    deliberation date: the minutes, and the documents through :func:`mdpc.reports.documents.parse_deliberation_date`);
    None when `text` is empty or none of these (the minutes then show it as it is)."""
    if isinstance(text, dt.date):
        return text
    value = " ".join(str(text or "").split())
    try:
        if m := _FRENCH.fullmatch(value.lower()):
            month = MONTHS.index(m.group(2)) + 1 if m.group(2) in MONTHS else 0
            return dt.date(int(m.group(3)), month, int(m.group(1))) if month else None
        if m := _SLASHED.fullmatch(value):
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def build_context(certification: Certification, roster: Roster | None, enrolments: Enrolments,
                  records: list[CandidateRecord], date: str = "", place: str = "", tolerance_minutes: int = 0,
                  extra_members: list[str] | None = None) -> dict:
    """Everything the minutes show besides the records, as JSON (French keys)."""
    members = roster.jury if roster else ()
    day = parse_day(date)
    return {
        "certification": {"lignes": certification.header_lines(), "rncp": certification.rncp,
                          "blocs": {str(n): code for n, code in certification.bloc_codes.items()},
                          "specimen": certification.specimen},
        "date": french_date(day) if day else date, "lieu": place,
        "jury": [{"nom": m.name, "qualite": m.quality, "president": m.president,
                  "statut": {True: "interne", False: "extérieur", None: "non déclaré"}[m.internal]} for m in members]
                + [{"nom": n, "qualite": "", "president": False, "statut": "non déclaré"} for n in extra_members or []],
        "regle_composition": (certification.jury_rule.statement(certification.rncp) if certification.jury_rule
                              else "non configurée"),
        "ecarts_composition": check_composition(members, certification.jury_rule) if members
        else ["aucun membre du jury n'est déclaré (jury.yaml du cours)"],
        "voies_acces": {r.id: enrolments.route_label(r.id) for r in records},
        # the civil identity the certificates carry (candidats.yaml), else the gradebook's name
        "noms": {r.id: enrolments.get(r.id).full_name(r.candidate.name) for r in records},
        "regle_retard": lateness_rule(tolerance_minutes),
    }


def lateness_rule(tolerance_minutes: int) -> str:
    """The lateness rule the decisions applied, in one French sentence for the minutes."""
    tolerance = (f" et d'une tolérance générale de {tolerance_minutes} min (grilles/echelle.yaml)" if tolerance_minutes
                 else " (aucune tolérance générale n'est fixée dans grilles/echelle.yaml)")
    return (f"Une remise est hors délai quand elle arrive après l'échéance du devoir, augmentée du temps "
            f"supplémentaire accordé au candidat{tolerance}. Le retard est consigné pour le jury ; il "
            "n'enlève aucun point et ne change aucune décision par lui-même : le jury apprécie.")


def criteria_to_settle(bloc: BlocRecord) -> list[str]:
    """The criteria of `bloc` still pending or rated divergently (« C4.1-2 en attente »)."""
    out = []
    for c in bloc.competencies:
        for cr in c.criteria:
            if cr.status == CriterionStatus.PENDING:
                out.append(f"{c.code}-{cr.number} " + ("notes divergentes, à trancher" if cr.divergent else "en attente"))
    return out


def bloc_reasons(rec: CandidateRecord) -> dict[int, str]:
    """For each bloc not validated (or pending): its competencies not validated and its criteria to settle."""
    reasons = {}
    for b in rec.blocs:
        if b.status == Outcome.VALIDATED:
            continue
        failed = [f"{c.code} ({c.reason})" for c in b.competencies if c.status == Outcome.NOT_VALIDATED]
        settle = criteria_to_settle(b)
        parts = ([f"compétence(s) non validée(s) : {', '.join(failed)}"] if failed else []) + (
            [f"critère(s) à arrêter : {', '.join(settle)}"] if settle else [])
        reasons[b.number] = " ; ".join(parts) or "aucune compétence évaluée"
    return reasons

