"""Accommodations and exemptions kept by the jury beside the gradebook (ARCHITECTURE.md, contract 5).

The file (``dispenses.yaml`` of the course) holds health data (RGPD): it lives with the jury's files, never in
the repository, and nothing of the referent's advice leaves it: records, reports, minutes and CSV files carry
the kind of accommodation and the file's reference (« dossier ») only. French keys::

    candidats:
      c05:
        dossier: AH-2027-005                 # the referent's file reference, cited by the minutes
        amenagements:                        # mdpc.core.adaptations: each with the referent's reasoned advice
          temps_supplementaire: {minutes: 60, avis_referent: …}
          assistance_tiers: {avis_referent: …}
          supports_adaptes: {avis_referent: …}
          format_adapte: [{competence: C2.5, adaptation: distance, avis_referent: …}]
        dispenses:
          - competence: C4.2
            critere: 3
            avis_referent: …                 # the referent's reasoned advice
            date_decision_jury: 2027-01-05
            capacite_professionnelle_globale_preservee: {affirmee: true, motif: …}
            critere_sans_application_dans_la_pratique_future: {affirmee: true, motif: …}

An exemption is granted only with the referent's reasoned advice, the jury's decision date and both cumulative
conditions of the official text affirmed, each with its reasoning; anything less is refused with a French
message attached to the candidate's identifier, and the refused record is not applied. An exemption that would
leave a competency with no criterion to rate is refused: the candidate's global professional capacity would no
longer be assessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from mdpc.core.adaptations import (
    COMPETENCY_CODE,
    EXTRA_TIME,
    MIN_ADVICE,
    NUMBER,
    Adaptation,
    parse_adaptations,
    shown,
)
from mdpc.core.referential import Referential, ReferentialError
from mdpc.core.referential import default as default_referential
from mdpc.errors import MdpcError

CONDITION_CAPACITY = "capacite_professionnelle_globale_preservee"
CONDITION_PRACTICE = "critere_sans_application_dans_la_pratique_future"
CONDITION_TEXT = {
    CONDITION_CAPACITY: "la dispense ne remet pas en question la capacité professionnelle globale du candidat",
    CONDITION_PRACTICE: "le critère n'a pas vocation à s'appliquer dans la pratique professionnelle future du candidat",
}

FILE_HEADER = (
    "# Aménagements et dispenses décidés par le jury (données de santé, RGPD) :\n"
    "# ce fichier reste chez le jury, à côté du gradebook ; ne jamais le versionner ni le diffuser.\n"
    "# Rien de l'avis du référent n'en sort : procès-verbal, relevés et CSV citent la référence du dossier.\n"
)
CANDIDATE_KEYS = ("dossier", "amenagements", "dispenses")
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,39}")  # « AH-2027-005 »: what the minutes may cite
LEGACY = {"temps_supplementaire_minutes": "amenagements: {temps_supplementaire: {minutes: …, avis_referent: …}}",
          "motif_amenagement": "l'avis du référent dans chaque aménagement (avis_referent) et la référence du dossier "
                               "(dossier: …)"}


class AccommodationError(MdpcError):
    """The accommodations file cannot be read at all (message in French)."""


@dataclass(frozen=True)
class Exemption:
    candidate: str
    competency: str
    criterion: int
    referent_advice: str
    jury_date: dt.date
    reasons: tuple[str, str] = ("", "")  # the reasoning of each cumulative condition (capacity, practice)


@dataclass
class Accommodation:
    candidate: str
    reference: str = ""  # the referent's file (« dossier »), the only thing the minutes cite
    adaptations: list[Adaptation] = field(default_factory=list)
    exemptions: list[Exemption] = field(default_factory=list)

    @property
    def extra_minutes(self) -> int:
        return sum(a.minutes for a in self.adaptations if a.kind == EXTRA_TIME)

    def is_exempt(self, competency: str, criterion: int) -> bool:
        return any(e.competency == competency and e.criterion == criterion for e in self.exemptions)

    def exempt_criteria(self, competency: str) -> set[int]:
        return {e.criterion for e in self.exemptions if e.competency == competency}


@dataclass(frozen=True)
class Refusal:
    """A request of the jury's file that is not applied, and why (French), for one candidate."""

    candidate: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class Accommodations:
    by_candidate: dict[str, Accommodation] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)

    def get(self, candidate: str) -> Accommodation:
        return self.by_candidate.get(candidate) or Accommodation(candidate)

    def refusals_of(self, candidate: str) -> list[str]:
        """The refusals about this candidate: matched on the identifier, never on a piece of text."""
        return [r.message for r in self.refusals if r.candidate == candidate]


def _check_exemption(candidate: str, rec, referential: Referential) -> tuple[Exemption | None, list[str]]:
    where = f"Dispense refusée pour {candidate}"
    if not isinstance(rec, dict):
        return None, [f"{where} : l'enregistrement n'est pas lisible (attendu : compétence, critère, avis, date, conditions)."]
    code, number = rec.get("competence"), rec.get("critere")
    if str(code) not in referential.competencies:  # its text is not quoted unless it reads like a code
        return None, [f"{where} : compétence {shown(code, COMPETENCY_CODE)} inconnue du référentiel."]
    label = f"{where}, {code} critère {number}"
    try:
        referential.criterion(str(code), int(number))
    except (ReferentialError, TypeError, ValueError) as exc:
        return None, [f"{where}, {code} : " + (str(exc) if isinstance(exc, ReferentialError) else
                                              f"numéro de critère illisible {shown(number, NUMBER)}.")]
    problems = []
    advice = rec.get("avis_referent")
    if not isinstance(advice, str) or len(advice.strip()) < 20:
        problems.append(f"{label} : l'avis motivé du référent handicap manque (ou tient en moins de 20 caractères).")
    date = rec.get("date_decision_jury")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            date = None
    if not isinstance(date, dt.date):
        problems.append(f"{label} : la date de la décision du jury manque ou n'est pas une date (AAAA-MM-JJ).")
    reasons = []
    for key, text in CONDITION_TEXT.items():
        value = rec.get(key)
        if value is True:
            problems.append(f"{label} : condition affirmée sans motif — {text} (écrivez « {key}: {{affirmee: true, "
                            "motif: …} » : le jury motive chaque condition).")
        elif not isinstance(value, dict) or value.get("affirmee") is not True:
            problems.append(f"{label} : condition non affirmée — {text} (champ « {key}: {{affirmee: true, motif: …}} »). "
                            "Les deux conditions sont cumulatives.")
        elif not isinstance(value.get("motif"), str) or len(value["motif"].strip()) < MIN_ADVICE:
            problems.append(f"{label} : la condition « {text} » est affirmée sans motif (ou en moins de {MIN_ADVICE} "
                            "caractères).")
        else:
            reasons.append(value["motif"].strip())
    if problems:
        return None, problems
    return Exemption(candidate, str(code), int(number), advice.strip(), date, tuple(reasons)), []


def parse(data, referential: Referential | None = None) -> Accommodations:
    referential = referential or default_referential()
    result = Accommodations()
    if data is None:
        return result
    if not isinstance(data, dict) or not isinstance(data.get("candidats", {}), dict):
        raise AccommodationError("Fichier des aménagements illisible : il doit contenir une section « candidats: ».")
    for candidate, entry in (data.get("candidats") or {}).items():
        candidate = str(candidate)
        entry = entry or {}
        if not isinstance(entry, dict):
            result.refusals.append(Refusal(candidate, f"Demande illisible pour {candidate} : attendu « dossier », "
                                                      "« amenagements » et « dispenses »."))
            continue
        reference = entry.get("dossier")
        if isinstance(reference, dict | list):  # its text would be cited as is by the minutes: never a structure
            result.refusals.append(Refusal(candidate, f"Demande refusée pour {candidate} : « dossier » est la seule "
                                                      "référence du dossier du référent (ex. AH-2027-005), pas une "
                                                      "liste ni une section."))
            reference = ""
        reference = str(reference or "").strip()
        if reference and not REFERENCE.fullmatch(reference):  # a reference, never a sentence the minutes would quote
            result.refusals.append(Refusal(candidate, f"Demande refusée pour {candidate} : la référence du dossier "
                                                      "n'en a pas la forme (lettres, chiffres, « - », « _ », « . » ou "
                                                      "« / », sans espace, 40 caractères au plus, ex. AH-2027-005) ; "
                                                      "elle n'est pas recopiée ici."))
            reference = ""
        acc = Accommodation(candidate, reference)
        for k in entry:
            if k in LEGACY:
                result.refusals.append(Refusal(candidate, f"Demande refusée pour {candidate} : « {k} » est l'ancien "
                                                          f"format ; écrivez {LEGACY[k]}."))
            elif k not in CANDIDATE_KEYS:
                result.refusals.append(Refusal(candidate, f"Demande refusée pour {candidate} : clé inconnue, non recopiée ici "
                                                          f"(attendu : {', '.join(CANDIDATE_KEYS)})."))
        acc.adaptations, problems = parse_adaptations(candidate, entry.get("amenagements"),
                                                      set(referential.competencies))
        result.refusals.extend(Refusal(candidate, m) for m in problems)
        requests = entry.get("dispenses") or []
        if not isinstance(requests, list):
            result.refusals.append(Refusal(candidate, f"Dispenses refusées pour {candidate} : « dispenses » s'écrit "
                                                      "comme une liste, une demande par tiret (« - competence: … »)."))
            requests = []
        for rec in requests:
            exemption, problems = _check_exemption(candidate, rec, referential)
            result.refusals.extend(Refusal(candidate, m) for m in problems)
            if exemption and not acc.is_exempt(exemption.competency, exemption.criterion):
                acc.exemptions.append(exemption)
        for code in {e.competency for e in acc.exemptions}:
            comp = referential.competency(code)
            if len(acc.exempt_criteria(code)) >= len(comp.criteria):
                result.refusals.append(Refusal(candidate, (
                    f"Dispenses refusées pour {candidate} : tous les critères de {code} seraient dispensés, ce qui "
                    "remettrait en question la capacité professionnelle globale ; aucune dispense de "
                    f"{code} n'est appliquée.")))
                acc.exemptions = [e for e in acc.exemptions if e.competency != code]
        if (acc.adaptations or acc.exemptions) and not acc.reference:
            result.refusals.append(Refusal(candidate, (
                f"Aménagements et dispenses de {candidate} sans référence de dossier (« dossier: … ») : le "
                "procès-verbal ne peut citer que cette référence ; rien n'est appliqué.")))
            acc = Accommodation(candidate)
        result.by_candidate[candidate] = acc
    return result


def load(path: str | Path | None, referential: Referential | None = None) -> Accommodations:
    """Read the jury's accommodations file; a missing file means no accommodation."""
    if path is None or not Path(path).exists():
        return Accommodations()
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise AccommodationError(f"Fichier des aménagements {path} illisible (YAML invalide) : {exc}") from exc
    return parse(data, referential)


def lateness_minutes(submitted_at: dt.datetime | None, due: dt.datetime | None, extra_minutes: int = 0,
                     tolerance_minutes: int = 0) -> float:
    """Minutes late once the candidate's extra time and the general tolerance are granted (0 when on time)."""
    if submitted_at is None or due is None:
        return 0.0
    limit = due + dt.timedelta(minutes=extra_minutes + tolerance_minutes)
    return max(0.0, (submitted_at - limit).total_seconds() / 60)
