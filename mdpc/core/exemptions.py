"""Accommodations kept by the jury beside the gradebook: exemptions (dispenses) and extra time (ARCHITECTURE.md, contract 5).

The file holds health data (RGPD): it lives with the jury's files, never in the repository.
An exemption is granted only with the disability referent's reasoned advice, the jury's decision
date and both cumulative conditions of the official text affirmed; anything less is refused with a
French message, and the refused record is not applied (the criterion stays in the decision).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

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
)


class AccommodationError(MdpcError):
    """The accommodations file cannot be read at all (message in French)."""


@dataclass(frozen=True)
class Exemption:
    candidate: str
    competency: str
    criterion: int
    referent_advice: str
    jury_date: dt.date


@dataclass
class Accommodation:
    candidate: str
    extra_minutes: int = 0
    note: str = ""
    exemptions: list[Exemption] = field(default_factory=list)

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
    label = f"{where}, {code} critère {number}"
    try:
        referential.criterion(str(code), int(number))
    except (ReferentialError, TypeError, ValueError) as exc:
        return None, [f"{where} : {exc if isinstance(exc, ReferentialError) else 'compétence ou critère illisible.'}"]
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
    for key, text in CONDITION_TEXT.items():
        if rec.get(key) is not True:
            problems.append(f"{label} : condition non affirmée — {text} (champ « {key}: true »). "
                            "Les deux conditions sont cumulatives.")
    if problems:
        return None, problems
    return Exemption(candidate, str(code), int(number), advice.strip(), date), []


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
        acc = Accommodation(candidate)
        minutes = entry.get("temps_supplementaire_minutes", 0)
        if not isinstance(minutes, int) or minutes < 0:
            result.refusals.append(Refusal(candidate, f"Temps supplémentaire refusé pour {candidate} : « {minutes} » "
                                                      "n'est pas un nombre de minutes."))
        else:
            acc.extra_minutes = minutes
        acc.note = str(entry.get("motif_amenagement", ""))
        for rec in entry.get("dispenses") or []:
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
