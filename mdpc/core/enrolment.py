"""The candidates' registration: civil identity (certificates) and access route (jury minutes).

The file ``candidats.yaml`` lives in the course folder, beside the gradebook (personal data: never in the
repository). French keys, one entry per candidate identifier::

    candidats:
      c01:
        nom: Martin                  # family name as on the identity document (certificates)
        prenom: Claire
        date_naissance: 1991-04-12
        lieu_naissance: Lyon (69)     # optional
        voie_acces: formation_continue

Access routes are those of the RNCP sheets (:data:`ROUTES`). Without the file, or for a candidate it does
not list, the identity comes from the gradebook and the access route reads « non renseignée »: the minutes
say so, and a certificate that needs a birth date is not issued (French reason, the batch goes on). A malformed
entry is treated alike, its reason kept (:attr:`Enrolments.problems`): the minutes say « illisible », the
candidate's documents are refused with that reason, the other candidates are not held up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from mdpc.errors import MdpcError

FILE_NAME = "candidats.yaml"
ROUTES = {
    "formation_initiale": "formation initiale (statut d'élève ou d'étudiant)",
    "apprentissage": "contrat d'apprentissage",
    "formation_continue": "formation continue",
    "contrat_professionnalisation": "contrat de professionnalisation",
    "candidature_individuelle": "candidature individuelle",
    "vae": "validation des acquis de l'expérience (VAE)",
}
UNKNOWN_ROUTE = "non renseignée"
FILE_HEADER = (
    "# Inscription des candidats (données personnelles) : ce fichier reste avec le cours, à côté du gradebook ;\n"
    "# ne jamais le versionner ni le diffuser.\n"
    "#   nom, prenom      : identité d'état civil, telle qu'elle figurera sur le parchemin\n"
    "#   date_naissance   : AAAA-MM-JJ (parchemins et attestations)\n"
    "#   lieu_naissance   : facultatif\n"
    f"#   voie_acces       : {', '.join(ROUTES)}\n"
)


class EnrolmentError(MdpcError):
    """The registration file cannot be read, or an entry is malformed (message in French)."""


@dataclass(frozen=True)
class Enrolment:
    candidate: str
    family_name: str = ""
    given_name: str = ""
    birth_date: dt.date | None = None
    birth_place: str = ""
    route: str = ""  # a key of ROUTES, or "" when not given

    @property
    def route_label(self) -> str:
        return ROUTES.get(self.route, UNKNOWN_ROUTE)

    def full_name(self, fallback: str = "") -> str:
        """« Claire MARTIN » (the family name in capitals, as on a certificate), else `fallback`."""
        if not self.family_name:
            return fallback
        return f"{self.given_name} {self.family_name.upper()}".strip()


@dataclass(frozen=True)
class Enrolments:
    by_candidate: Mapping[str, Enrolment]
    source: str = FILE_NAME
    problems: Mapping[str, str] = field(default_factory=dict)  # candidate → why their entry was not read (French)

    def get(self, candidate: str) -> Enrolment:
        return self.by_candidate.get(candidate) or Enrolment(candidate)

    def route_label(self, candidate: str) -> str:
        """The access route as the minutes say it; « illisible dans candidats.yaml » for an entry not read."""
        return f"illisible dans {self.source}" if candidate in self.problems else self.get(candidate).route_label


def _entry(candidate: str, entry, where: str) -> Enrolment:
    if not isinstance(entry, Mapping):
        raise EnrolmentError(f"{where} : l'inscription de {candidate} s'écrit « nom: …, prenom: …, "
                             "date_naissance: …, voie_acces: … ».")
    birth = entry.get("date_naissance")
    if isinstance(birth, str) and birth.strip():
        try:
            birth = dt.date.fromisoformat(birth.strip())
        except ValueError:
            raise EnrolmentError(f"{where}, {candidate} : « date_naissance » n'est pas une date (AAAA-MM-JJ) : "
                                 f"« {birth} ».") from None
    elif birth in ("", None):
        birth = None
    if birth is not None and not isinstance(birth, dt.date):
        raise EnrolmentError(f"{where}, {candidate} : « date_naissance » n'est pas une date (AAAA-MM-JJ).")
    route = str(entry.get("voie_acces") or "").strip()
    if route and route not in ROUTES:
        raise EnrolmentError(f"{where}, {candidate} : voie d'accès « {route} » inconnue (attendu : "
                             f"{', '.join(ROUTES)}).")

    def text(key: str) -> str:
        return " ".join(str(entry.get(key) or "").split())

    return Enrolment(candidate, text("nom"), text("prenom"), birth, text("lieu_naissance"), route)


def parse(data, source: str = FILE_NAME, strict: bool = True) -> Enrolments:
    """The registrations in `data` (as YAML reads it). A malformed entry raises a French EnrolmentError; with
    `strict` False it is left out and its reason kept in ``problems`` instead: one candidate's mistake never stops
    the minutes or the other candidates' documents (theirs is refused with that reason)."""
    where = f"Fichier {source}"
    if data is None:
        return Enrolments({}, source)
    if not isinstance(data, Mapping) or not isinstance(data.get("candidats") or {}, Mapping):
        raise EnrolmentError(f"{where} : une section « candidats: » est attendue, un candidat par identifiant.")
    entries, problems = {}, {}
    for k, v in (data.get("candidats") or {}).items():
        try:
            entries[str(k)] = _entry(str(k), v, where)
        except EnrolmentError as exc:
            if strict:
                raise
            problems[str(k)] = str(exc)
    return Enrolments(entries, source, problems)


def load(path: str | Path) -> Enrolments:
    """The registrations in `path` (a folder means its ``candidats.yaml``); none when the file does not exist."""
    path = Path(path)
    if path.is_dir():
        path = path / FILE_NAME
    if not path.is_file():
        return Enrolments({}, path.name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise EnrolmentError(f"Fichier {path.name} illisible (YAML invalide) : {exc}") from exc
    return parse(data, path.name, strict=False)


def dump(data: Mapping) -> str:
    parse(data)
    return FILE_HEADER + yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False, default_flow_style=False)
