"""The certification's identity: who certifies, its registration in the RNCP, its level, NSF codes and bloc codes.

Every document the jury and the candidates receive carries it (reports, minutes, certificates, attestations,
letters, exports). It is read from one file, ``certification.yaml``: the course folder's if there is one,
else the project's ``grilles/certification.yaml`` (shipped with empty values: the certifier fills it once).
A missing or malformed field is named by a French :class:`CertificationError` before anything is produced.

French keys::

    certificateur:
      raison_sociale: …            # the certifier's legal name, as registered
      adresse: …                   # postal address (letters, appeals)
      signataire: {nom: …, qualite: …}   # the person authorised to sign certificates
    certification:
      intitule: Manager développement et performance commerciale   # the exact title of the RNCP sheet
      sigle: MDPC
      rncp: RNCP12345              # number of the RNCP sheet
      date_enregistrement: 2024-06-27   # date of France Compétences' registration decision
      date_echeance: 2029-06-27    # optional: end of the registration (no certificate issued after it)
      niveau: 7                    # level of the national framework (décret n° 2019-14), 3 to 8
      nsf: [{code: "312", libelle: "Commerce, vente"}]
      blocs: {1: RNCP12345BC01, …} # optional: by default <rncp>BC01 to BC04
    validite_blocs_annees: 5       # optional: how long acquired blocs remain valid (letters say it)
    recours: {delai_jours: 60, adresse: …}   # how a candidate appeals a decision (letters)
    specimen: false                # true: every certificate and letter is marked « SPÉCIMEN » (demo)
    composition_jury:              # optional: the jury's composition as the RNCP sheet declares it
      membres_min: 3
      part_externes_min: 0.5       # share of members external to the certifier and the training body
      president_externe: true
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from mdpc import GRILLES_DIR
from mdpc.errors import MdpcError

FILE_NAME = "certification.yaml"
PROJECT_FILE = GRILLES_DIR / FILE_NAME
LEVELS = range(3, 9)  # RNCP levels of professional certifications (décret n° 2019-14 du 8 janvier 2019)
_RNCP = re.compile(r"RNCP\d{3,6}")
_BLOC = re.compile(r"RNCP\d{3,6}BC\d{2}")
_NSF = re.compile(r"\d{3}[a-z]?")


class CertificationError(MdpcError):
    """The certification's identity is incomplete or malformed (message in French, naming the field)."""


@dataclass(frozen=True)
class Signatory:
    name: str
    quality: str

    def title(self) -> str:
        return f"{self.name}, {self.quality}"


@dataclass(frozen=True)
class NsfCode:
    code: str
    label: str

    def __str__(self) -> str:
        return f"{self.code} ({self.label})" if self.label else self.code


@dataclass(frozen=True)
class Appeal:
    delay_days: int
    address: str


@dataclass(frozen=True)
class JuryRule:
    """The composition of the jury the certification's RNCP sheet declares (France Compétences, section « Voies
    d'accès » of the sheet: composition of the juries), as the certifier configures it."""

    min_members: int
    min_external_share: float
    external_president: bool

    def statement(self, rncp: str) -> str:
        share = f"{self.min_external_share:.0%}".replace("%", " %")
        return (f"au moins {self.min_members} membres, dont au moins {share} de professionnels extérieurs à "
                f"l'organisme certificateur et à l'organisme de formation"
                + (", présidence confiée à un membre extérieur" if self.external_president else "")
                + f" (composition des jurys déclarée dans la fiche {rncp}, rubrique « Voies d'accès », "
                  "configurée dans certification.yaml)")


@dataclass(frozen=True)
class Certification:
    certifier: str
    address: str
    signatory: Signatory
    title: str
    acronym: str
    rncp: str
    registered_on: dt.date
    level: int
    nsf: tuple[NsfCode, ...]
    bloc_codes: Mapping[int, str]
    appeal: Appeal
    registration_ends: dt.date | None = None
    bloc_validity_years: int | None = None
    specimen: bool = False
    source: str = FILE_NAME
    jury_rule: JuryRule | None = None

    @property
    def european_level(self) -> int:
        """The European Qualifications Framework level: décret 2019-14 aligns the national levels on it."""
        return self.level

    def level_text(self) -> str:
        """« niveau 7 du cadre national des certifications professionnelles (niveau 7 du cadre européen) »."""
        return (f"niveau {self.level} du cadre national des certifications professionnelles (décret n° 2019-14 du "
                f"8 janvier 2019), niveau {self.european_level} du cadre européen des certifications")

    def registration_text(self) -> str:
        """The registration mention every document carries."""
        text = (f"Certification professionnelle enregistrée au Répertoire national des certifications professionnelles "
                f"(RNCP) sous le numéro {self.rncp} par décision de France Compétences du "
                f"{french_date(self.registered_on)}")
        if self.registration_ends:
            text += f", jusqu'au {french_date(self.registration_ends)}"
        return text + "."

    def nsf_text(self) -> str:
        return ", ".join(map(str, self.nsf))

    def bloc_code(self, number: int) -> str:
        return self.bloc_codes[number]

    def header_lines(self) -> list[str]:
        """The identity as the head of a report or of the minutes shows it (plain text, one mention per line)."""
        return [f"{self.title} ({self.acronym}) — {self.rncp}", self.registration_text(),
                f"Niveau : {self.level_text()}.", f"Code(s) NSF : {self.nsf_text()}.",
                f"Certificateur : {self.certifier}."]

    def valid_on(self, day: dt.date) -> bool:
        """Whether the registration is in force on `day` (a certificate is issued only then)."""
        return day >= self.registered_on and (self.registration_ends is None or day <= self.registration_ends)


MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
          "décembre")


def french_date(day: dt.date) -> str:
    """« 27 juin 2024 » (« 1er » for the first of the month)."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def _text(data: Mapping, key: str, where: str, problems: list[str]) -> str:
    value = data.get(key) if isinstance(data, Mapping) else None
    value = " ".join(str(value).split()) if value is not None else ""
    if not value:
        problems.append(f"« {where}{key} » manque")
    return value


def _date(data: Mapping, key: str, where: str, problems: list[str], required: bool = True) -> dt.date | None:
    value = data.get(key) if isinstance(data, Mapping) else None
    if value in (None, "") and not required:
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        problems.append(f"« {where}{key} » manque ou n'est pas une date (AAAA-MM-JJ)")
        return None
    return value


def _nsf(value, problems: list[str]) -> tuple[NsfCode, ...]:
    codes = []
    for item in value if isinstance(value, list) else []:
        code, label = (item.get("code"), item.get("libelle", "")) if isinstance(item, Mapping) else (item, "")
        code = str(code or "").strip()
        if not _NSF.fullmatch(code):
            problems.append(f"« certification.nsf » : « {code} » n'est pas un code NSF (trois chiffres, puis une "
                            "lettre de spécialité facultative, ex. 312 ou 312m)")
            continue
        codes.append(NsfCode(code, " ".join(str(label or "").split())))
    if not codes and not any("nsf" in p for p in problems):
        problems.append("« certification.nsf » manque (au moins un code NSF, ex. « - {code: \"312\", libelle: "
                        "\"Commerce, vente\"} »)")
    return tuple(codes)


def _blocs(value, rncp: str, blocs: tuple[int, ...], problems: list[str]) -> dict[int, str]:
    if value in (None, {}):
        return {n: f"{rncp}BC{n:02d}" for n in blocs}
    if not isinstance(value, Mapping):
        problems.append("« certification.blocs » : un code par numéro de bloc est attendu (ex. « 1: RNCP12345BC01 »)")
        return {}
    codes = {}
    for n in blocs:
        code = str(value.get(n, value.get(str(n), "")) or "").strip()
        if not _BLOC.fullmatch(code):
            problems.append(f"« certification.blocs.{n} » : « {code} » n'est pas un code de bloc RNCP "
                            "(ex. RNCP12345BC01)")
        elif rncp and not code.startswith(rncp + "BC"):
            problems.append(f"« certification.blocs.{n} » : {code} n'appartient pas à la fiche {rncp}")
        codes[n] = code
    return codes


def parse(data, source: str = FILE_NAME, blocs: tuple[int, ...] = (1, 2, 3, 4)) -> Certification:
    """Check the identity (as YAML reads it); every missing or malformed field is named in one French error."""
    if not isinstance(data, Mapping):
        raise CertificationError(f"Fichier {source} : les sections « certificateur », « certification » et "
                                 "« recours » sont attendues.")
    problems: list[str] = []
    certifier = data.get("certificateur") or {}
    cert = data.get("certification") or {}
    appeal = data.get("recours") or {}
    signatory = certifier.get("signataire") if isinstance(certifier, Mapping) else None
    name = _text(certifier, "raison_sociale", "certificateur.", problems)
    address = _text(certifier, "adresse", "certificateur.", problems)
    sig = Signatory(_text(signatory or {}, "nom", "certificateur.signataire.", problems),
                    _text(signatory or {}, "qualite", "certificateur.signataire.", problems))
    title = _text(cert, "intitule", "certification.", problems)
    acronym = _text(cert, "sigle", "certification.", problems)
    rncp = _text(cert, "rncp", "certification.", problems)
    if rncp and not _RNCP.fullmatch(rncp):
        problems.append(f"« certification.rncp » : « {rncp} » n'est pas un numéro de fiche RNCP (ex. RNCP12345)")
    registered = _date(cert, "date_enregistrement", "certification.", problems)
    ends = _date(cert, "date_echeance", "certification.", problems, required=False)
    if registered and ends and ends <= registered:
        problems.append("« certification.date_echeance » précède la date d'enregistrement")
    level = cert.get("niveau") if isinstance(cert, Mapping) else None
    if not isinstance(level, int) or isinstance(level, bool) or level not in LEVELS:
        problems.append(f"« certification.niveau » : un niveau du cadre national de {LEVELS[0]} à {LEVELS[-1]} est "
                        f"attendu (décret n° 2019-14), reçu « {level} »")
        level = 0
    nsf = _nsf(cert.get("nsf") if isinstance(cert, Mapping) else None, problems)
    codes = _blocs(cert.get("blocs") if isinstance(cert, Mapping) else None, rncp, blocs, problems)
    delay = appeal.get("delai_jours") if isinstance(appeal, Mapping) else None
    if not isinstance(delay, int) or isinstance(delay, bool) or delay <= 0:
        problems.append(f"« recours.delai_jours » : un nombre de jours est attendu, reçu « {delay} »")
        delay = 0
    appeal_address = _text(appeal, "adresse", "recours.", problems)
    validity = data.get("validite_blocs_annees")
    if validity is not None and (not isinstance(validity, int) or isinstance(validity, bool) or validity <= 0):
        problems.append(f"« validite_blocs_annees » : un nombre d'années est attendu (ou rien), reçu « {validity} »")
        validity = None
    specimen = data.get("specimen", False)
    if not isinstance(specimen, bool):
        problems.append("« specimen » vaut true ou false")
    rule = _jury_rule(data.get("composition_jury"), problems)
    if problems:
        raise CertificationError(f"Identité de la certification incomplète ({source}) : " + " ; ".join(problems)
                                 + ". Complétez le fichier (modèle commenté : grilles/certification.yaml) ; aucun "
                                   "document n'a été produit.")
    return Certification(name, address, sig, title, acronym, rncp, registered, level, nsf, codes,
                         Appeal(delay, appeal_address), ends, validity, specimen, source, rule)


def _jury_rule(value, problems: list[str]) -> JuryRule | None:
    if value in (None, {}) or isinstance(value, Mapping) and all(v in (None, "") for v in value.values()):
        return None  # optional: left empty as in the commented model, the minutes say it is not configured
    where = "« composition_jury »"
    if not isinstance(value, Mapping):
        problems.append(f"{where} : membres_min, part_externes_min et president_externe sont attendus")
        return None
    members, share, president = (value.get(k) for k in ("membres_min", "part_externes_min", "president_externe"))
    if not isinstance(members, int) or isinstance(members, bool) or members < 1:
        problems.append(f"{where}.membres_min : un nombre de membres est attendu, reçu « {members} »")
    if not isinstance(share, int | float) or isinstance(share, bool) or not 0 <= share <= 1:
        problems.append(f"{where}.part_externes_min : une part entre 0 et 1 est attendue (0.5 : la moitié), reçu "
                        f"« {share} »")
    if not isinstance(president, bool):
        problems.append(f"{where}.president_externe vaut true ou false")
    if any(p.startswith(where) for p in problems):
        return None
    return JuryRule(members, float(share), president)


def find(course_root: str | Path | None = None) -> Path:
    """The identity file in use: the course folder's ``certification.yaml``, else the project's."""
    if course_root is not None and (Path(course_root) / FILE_NAME).is_file():
        return Path(course_root) / FILE_NAME
    return PROJECT_FILE


def load(course_root: str | Path | None = None, path: str | Path | None = None) -> Certification:
    """The certification's identity (see :func:`find`), checked against the referential's blocs."""
    from mdpc.core.referential import default as default_referential

    path = Path(path) if path else find(course_root)
    if not path.is_file():
        raise CertificationError(f"Identité de la certification introuvable : {path} n'existe pas (modèle commenté : "
                                 "grilles/certification.yaml) ; aucun document n'a été produit.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CertificationError(f"Fichier {path} illisible (YAML invalide) : {exc}") from exc
    referential = default_referential()
    blocs = tuple(b.number for b in referential.blocs)
    return parse(data, str(path), blocs)


def dump(data: Mapping, header: str = "") -> str:
    """An identity file's text (checked first)."""
    parse(data)
    return header + yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False)
