"""Accommodations of the assessment (aménagements) and the frame of the possible format adaptations.

The referential grants a candidate with a disability, on the disability referent's advice: adapted assessment
conditions (extra time), a third party's assistance, adapted materials, and an adapted format of the modality
within the referential's specifications; for a modality specific to a work situation, the certification engineer
states the frame of possible adaptations: ``grilles/cadre_amenagements.yaml`` (:func:`load_frame`). Each adaptation is
granted with the referent's reasoned advice (kept in the jury's file, never copied into a record or a report);
an adapted format must be one of the frame's adaptations for that competency.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from mdpc import GRILLES_DIR
from mdpc.errors import MdpcError

FRAME_FILE = GRILLES_DIR / "cadre_amenagements.yaml"
MIN_ADVICE = 20  # characters: a reasoned advice, not a word
EXTRA_TIME, ASSISTANCE, MATERIALS, FORMAT = "temps_supplementaire", "assistance_tiers", "supports_adaptes", "format_adapte"
KIND_LABEL = {EXTRA_TIME: "temps supplémentaire", ASSISTANCE: "assistance d'un tiers",
              MATERIALS: "supports et matériel adaptés", FORMAT: "format de la modalité adapté"}


COMPETENCY_CODE = re.compile(r"C\d{1,2}\.\d{1,2}")
NUMBER = re.compile(r"-?\d{1,6}")


def shown(value: object, pattern: re.Pattern) -> str:
    """`value` of the jury's file as a refusal message may quote it: « C2.5 » when it has the form `pattern` says
    (a competency code, a number); otherwise it is not copied: a refusal goes into the minutes, the CSV files and
    the command line, and free text there, or a key named after a condition (« dyslexie: … »), may be health data."""
    text = str(value)
    if pattern.fullmatch(text):
        return f"« {text} »"
    return "(texte libre non recopié : il pourrait contenir des données de santé)"


class FrameError(MdpcError):
    """The frame of possible adaptations cannot be read (message in French)."""


@dataclass(frozen=True)
class FrameEntry:
    code: str
    label: str
    keeps: str


@dataclass(frozen=True)
class Adaptation:
    """One accommodation granted: its kind, its detail (minutes, the format's competency and label)."""

    kind: str
    advice: str
    minutes: int = 0
    competency: str = ""
    entry: FrameEntry | None = None

    def label(self) -> str:
        """What the candidate's own report says (no health detail: the advice stays in the jury's file)."""
        if self.kind == EXTRA_TIME:
            return f"temps supplémentaire : {self.minutes} min"
        if self.kind == FORMAT and self.entry is not None:
            return f"format adapté pour {self.competency} : {self.entry.label}"
        return KIND_LABEL[self.kind]


def _flatten(items) -> list:
    out = []
    for item in items or []:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def parse_frame(data, source: str = "cadre_amenagements.yaml") -> dict[str, tuple[FrameEntry, ...]]:
    if not isinstance(data, Mapping) or not isinstance(data.get("cadre"), Mapping):
        raise FrameError(f"Fichier {source} : une section « cadre: » est attendue (une liste d'adaptations par "
                         "compétence évaluée en situation).")
    frame = {}
    for code, items in data["cadre"].items():
        entries = []
        for item in _flatten(items):
            if not isinstance(item, Mapping) or not all(str(item.get(k) or "").strip() for k in ("code", "libelle", "garde")):
                raise FrameError(f"Fichier {source}, {code} : chaque adaptation a un « code », un « libelle » et ce "
                                 "qu'elle « garde » de la situation.")
            entries.append(FrameEntry(str(item["code"]).strip(), " ".join(str(item["libelle"]).split()),
                                      " ".join(str(item["garde"]).split())))
        codes = [e.code for e in entries]
        if len(set(codes)) != len(codes):
            raise FrameError(f"Fichier {source}, {code} : un code d'adaptation figure deux fois.")
        frame[str(code)] = tuple(entries)
    return frame


@lru_cache(maxsize=4)
def load_frame(path: str | Path = FRAME_FILE) -> dict[str, tuple[FrameEntry, ...]]:
    """The frame of possible format adaptations, per competency assessed in a work situation."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FrameError(f"Cadre des aménagements illisible ({Path(path).name}) : {exc}") from exc
    return parse_frame(data, Path(path).name)


def frame_markdown(codes: list[str], frame: Mapping[str, tuple[FrameEntry, ...]] | None = None) -> str:
    """The frame for the trainer's guide: one list per competency of `codes` that the frame covers."""
    frame = load_frame() if frame is None else frame
    parts = []
    for code in codes:
        if code in frame:
            parts.append(f"**{code}** — adaptations de format possibles (code : ce que devient la situation ; ce qui "
                         "reste évalué) :\n\n" + "\n".join(f"- `{e.code}` : {e.label} ; *{e.keeps}*." for e in frame[code]))
    return "\n\n".join(parts)


def _advice(entry, where: str, problems: list[str]) -> str:
    advice = entry.get("avis_referent") if isinstance(entry, Mapping) else None
    if not isinstance(advice, str) or len(advice.strip()) < MIN_ADVICE:
        problems.append(f"{where} : l'avis motivé du référent handicap manque (ou tient en moins de {MIN_ADVICE} "
                        "caractères).")
        return ""
    return advice.strip()


def parse_adaptations(candidate: str, data, competencies: set[str],
                      frame: Mapping[str, tuple[FrameEntry, ...]] | None = None) -> tuple[list[Adaptation], list[str]]:
    """The accommodations granted to `candidate` (section ``amenagements`` of the jury's file), and French refusals."""
    frame = load_frame() if frame is None else frame
    if data is None:
        return [], []
    where = f"Aménagement refusé pour {candidate}"
    if not isinstance(data, Mapping):
        return [], [f"{where} : « amenagements » s'écrit par genre ({', '.join(KIND_LABEL)})."]
    granted, problems = [], []
    for kind, entry in data.items():
        here = f"{where} ({KIND_LABEL.get(kind, '')})"
        if kind not in KIND_LABEL:
            problems.append(f"{where} : genre d'aménagement inconnu, non recopié ici (attendu : "
                            f"{', '.join(KIND_LABEL)}).")
        elif kind == FORMAT:
            for k, item in enumerate(entry if isinstance(entry, list) else [entry], 1):
                local: list[str] = []
                advice = _advice(item, f"{here}, demande {k}", local)
                code = str(item.get("competence", "")) if isinstance(item, Mapping) else ""
                wanted = str(item.get("adaptation", "")) if isinstance(item, Mapping) else ""
                found = next((e for e in frame.get(code, ()) if e.code == wanted), None)
                if code not in competencies:
                    local.append(f"{here}, demande {k} : compétence {shown(code, COMPETENCY_CODE)} inconnue du référentiel.")
                elif code not in frame:
                    local.append(f"{here}, demande {k} : {code} n'est pas évaluée en situation ; le cadre des "
                                 "aménagements possibles (grilles/cadre_amenagements.yaml) ne prévoit pas d'en adapter le format.")
                elif found is None:
                    local.append(f"{here}, demande {k} : l'adaptation demandée n'est pas dans le cadre des aménagements possibles "
                                 f"de {code} (possibles : {', '.join(e.code for e in frame[code])}).")
                problems.extend(local)
                if not local:
                    granted.append(Adaptation(FORMAT, advice, competency=code, entry=found))
        else:
            local = []
            advice = _advice(entry, here, local)
            minutes = entry.get("minutes") if isinstance(entry, Mapping) else None
            if kind == EXTRA_TIME and (not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0):
                local.append(f"{here} : « minutes » n'est pas un nombre de minutes : reçu {shown(minutes, NUMBER)}.")
            problems.extend(local)
            if not local:
                granted.append(Adaptation(kind, advice, minutes if kind == EXTRA_TIME else 0))
    return granted, problems
