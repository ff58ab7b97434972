"""The certification's referential (grilles/referentiel.yaml) as validated, typed data.

Every text is quoted verbatim from the official text; this module only reads and checks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from mdpc import GRILLES_DIR
from mdpc.errors import MdpcError

MODALITY_KINDS = {
    "projet_professionnel": "Projet professionnel",
    "cas_pratique": "Cas pratique",
    "mise_en_situation_professionnelle": "Mise en situation professionnelle",
    "mise_en_situation_professionnelle_simulee": "Mise en situation professionnelle simulée",
}
_COMPETENCY_CODE = re.compile(r"C([1-4])\.([1-9])")
_ACTIVITY_CODE = re.compile(r"A([1-4])\.([1-9])")


class ReferentialError(MdpcError):
    """The referential file is missing, unreadable or inconsistent (message in French)."""


@dataclass(frozen=True)
class Criterion:
    competency: str
    number: int
    text: str
    sub_points: tuple[str, ...] = ()

    @property
    def grade_id(self) -> str:
        """nbgrader id of the rubric cell rating this criterion (ids allow no dots)."""
        return f"{self.competency.replace('.', '_')}_crit{self.number}"

    @property
    def full_text(self) -> str:
        """The criterion with its sub-points, as one line of text."""
        if not self.sub_points:
            return self.text
        return self.text + " " + " ".join(f"• {p}" for p in self.sub_points)

    def markdown(self) -> str:
        """The criterion as Markdown, sub-points as a bulleted list."""
        if not self.sub_points:
            return self.text
        return self.text + "\n\n" + "\n".join(f"- {p}" for p in self.sub_points)


@dataclass(frozen=True)
class Modality:
    kind: str
    title: str
    text: str
    deliverable: str | None = None
    note: str | None = None

    @property
    def is_oral(self) -> bool:
        """True for the « mise en situation professionnelle » kinds, rated by the jury on an oral."""
        return self.kind.startswith("mise_en_situation")


@dataclass(frozen=True)
class Competency:
    code: str
    title: str
    modality: Modality
    criteria: tuple[Criterion, ...]
    activity: str
    bloc: int

    @property
    def slug(self) -> str:
        return self.code.replace(".", "_")


@dataclass(frozen=True)
class Activity:
    code: str
    title: str
    competencies: tuple[str, ...]


@dataclass(frozen=True)
class Bloc:
    number: int
    code: str
    title: str
    activities: tuple[Activity, ...]

    @property
    def competencies(self) -> tuple[str, ...]:
        return tuple(c for a in self.activities for c in a.competencies)

    @property
    def label(self) -> str:
        return f"Bloc {self.number} — {self.title}"


@dataclass(frozen=True)
class Referential:
    title: str
    blocs: tuple[Bloc, ...]
    competencies: dict[str, Competency] = field(repr=False)
    disability: dict = field(repr=False)

    @property
    def criteria(self) -> list[Criterion]:
        return [cr for c in self.competencies.values() for cr in c.criteria]

    @property
    def activities(self) -> list[Activity]:
        return [a for b in self.blocs for a in b.activities]

    def competency(self, code: str) -> Competency:
        try:
            return self.competencies[code]
        except KeyError:
            raise ReferentialError(f"La compétence « {code} » n'existe pas dans le référentiel.") from None

    def criterion(self, code: str, number: int) -> Criterion:
        comp = self.competency(code)
        if not 1 <= int(number) <= len(comp.criteria):
            raise ReferentialError(
                f"La compétence {code} n'a pas de critère n° {number} (elle en compte {len(comp.criteria)})."
            )
        return comp.criteria[int(number) - 1]

    def bloc(self, number: int) -> Bloc:
        for b in self.blocs:
            if b.number == int(number):
                return b
        raise ReferentialError(f"Le bloc {number} n'existe pas dans le référentiel.")

    def bloc_of(self, code: str) -> Bloc:
        return self.bloc(self.competency(code).bloc)


def _require(mapping, key: str, where: str):
    if not isinstance(mapping, dict) or key not in mapping or mapping[key] in (None, "", []):
        raise ReferentialError(f"Référentiel invalide : le champ « {key} » manque ou est vide ({where}).")
    return mapping[key]


def parse(data: dict) -> Referential:
    """Build and validate a Referential from the parsed YAML document."""
    if not isinstance(data, dict):
        raise ReferentialError("Référentiel invalide : le document doit être un dictionnaire YAML.")
    competencies: dict[str, Competency] = {}
    activity_codes: set[str] = set()
    blocs = []
    for b in _require(data, "blocs", "racine"):
        number = _require(b, "numero", "bloc")
        bcode = _require(b, "code", f"bloc {number}")
        activities = []
        for a in _require(b, "activites", f"bloc {number}"):
            acode = _require(a, "code", f"bloc {number}")
            if not _ACTIVITY_CODE.fullmatch(acode) or int(acode[1]) != number:
                raise ReferentialError(f"Référentiel invalide : le code d'activité « {acode} » ne relève pas du bloc {number}.")
            if acode in activity_codes:
                raise ReferentialError(f"Référentiel invalide : le code d'activité « {acode} » apparaît deux fois.")
            activity_codes.add(acode)
            codes = []
            for c in _require(a, "competences", f"activité {acode}"):
                code = _require(c, "code", f"activité {acode}")
                if not _COMPETENCY_CODE.fullmatch(code) or int(code[1]) != number:
                    raise ReferentialError(f"Référentiel invalide : le code de compétence « {code} » ne relève pas du bloc {number}.")
                if code in competencies:
                    raise ReferentialError(
                        f"Référentiel invalide : la compétence « {code} » apparaît deux fois "
                        f"(activités {competencies[code].activity} et {acode}) ; chaque compétence relève d'une seule activité."
                    )
                m = _require(c, "modalite", f"compétence {code}")
                kind = _require(m, "type", f"modalité de {code}")
                if kind not in MODALITY_KINDS:
                    raise ReferentialError(
                        f"Référentiel invalide : type de modalité inconnu « {kind} » pour {code} "
                        f"(attendu : {', '.join(MODALITY_KINDS)})."
                    )
                modality = Modality(kind, _require(m, "intitule", f"modalité de {code}"),
                                    _require(m, "texte", f"modalité de {code}"), m.get("livrable"), m.get("precision"))
                criteria = []
                for k, cr in enumerate(_require(c, "criteres", f"compétence {code}"), 1):
                    text = cr.get("texte") if isinstance(cr, dict) else None
                    if not isinstance(text, str) or not text.strip():
                        raise ReferentialError(f"Référentiel invalide : le critère n° {k} de {code} n'a pas de texte.")
                    subs = tuple(cr.get("sous_points") or ())
                    if any(not isinstance(s, str) or not s.strip() for s in subs):
                        raise ReferentialError(f"Référentiel invalide : un sous-point du critère n° {k} de {code} est vide.")
                    criteria.append(Criterion(code, k, text.strip(), subs))
                competencies[code] = Competency(code, _require(c, "intitule", f"compétence {code}"), modality,
                                                tuple(criteria), acode, number)
                codes.append(code)
            activities.append(Activity(acode, _require(a, "intitule", f"activité {acode}"), tuple(codes)))
        blocs.append(Bloc(number, bcode, _require(b, "intitule", f"bloc {number}"), tuple(activities)))
    numbers = [b.number for b in blocs]
    if len(set(numbers)) != len(numbers):
        raise ReferentialError("Référentiel invalide : deux blocs portent le même numéro.")
    return Referential(data.get("certification", ""), tuple(blocs), competencies,
                       data.get("candidat_en_situation_de_handicap") or {})


def load(path: str | Path | None = None) -> Referential:
    """Load and validate the referential; raise ReferentialError with a French message on any problem."""
    path = Path(path) if path else GRILLES_DIR / "referentiel.yaml"
    if path is None or not path.exists():
        raise ReferentialError(f"Fichier du référentiel introuvable : {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ReferentialError(f"Le fichier du référentiel {path} n'est pas un YAML valide : {exc}") from exc
    return parse(data)


@lru_cache(maxsize=1)
def default() -> Referential:
    """The project's referential, loaded once."""
    return load()
