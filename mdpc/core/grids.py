"""Rating scale and per-competency grids (ARCHITECTURE.md, contracts 1 and 4).

A grid names each criterion of its competency by number and gives its level descriptors; the criterion's
text is the referential's own (grilles/referentiel.yaml), never copied into the grid. The rubric cells of
the case notebooks are rendered from both by :mod:`mdpc.authoring.rubric_cells`.

A grid marks its criteria of judgement (``jugement: true``: pertinence, analysis, argument, posture, hindsight,
which correct figures cannot prove). The scale caps the level the autograded tests may propose
(``plafonds_proposition``): never the top level, which names what goes beyond « acquis »; never « acquis »
for a criterion of judgement, nor for a competency rated on an oral, whose tests only read the written support.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from mdpc import GRILLES_DIR
from mdpc.core.referential import Criterion, Referential, ReferentialError
from mdpc.core.referential import default as default_referential
from mdpc.errors import MdpcError

GRID_KEYS = {"competence", "cas", "criteres", "regle_validation"}
CRITERION_KEYS = {"critere", "jugement", "niveaux"}
CAP_KEYS = {"general", "jugement", "oral"}

# Why an automatic proposal stops where it does (the keys of ``plafonds_proposition`` in echelle.yaml).
CAP_BEYOND = "general"      # the top level names what goes beyond « acquis »: no test shows it
CAP_JUDGEMENT = "jugement"  # a criterion of judgement: « acquis » needs the grader's reading
CAP_ORAL = "oral"           # a competency rated on an oral: the tests only read the written support


class GridError(MdpcError):
    """A scale or grid file is missing or inconsistent (message in French)."""


@dataclass(frozen=True)
class ProposalCaps:
    """The highest level an automatic proposal may reach: always, for a criterion of judgement, on an oral."""

    general: int
    judgement: int
    oral: int


@dataclass(frozen=True)
class Scale:
    levels: dict[int, str]
    acquired_from: int
    proposal: tuple[tuple[float, int], ...]
    automatic_is_decisive: bool
    default_rule: object
    late_tolerance_minutes: int
    caps: ProposalCaps

    @property
    def top(self) -> int:
        return max(self.levels)

    def label(self, level: int | None) -> str:
        if level is None:
            return "Non évalué"
        return self.levels[int(level)]

    def is_acquired(self, level: int) -> bool:
        return level >= self.acquired_from

    def check_level(self, level) -> int:
        """Return the level as an int, or raise GridError when it is not on the scale."""
        try:
            value = int(level)
        except (TypeError, ValueError):
            value = None
        if value is None or value != level or value not in self.levels:
            allowed = ", ".join(f"{k} ({v})" for k, v in sorted(self.levels.items()))
            raise GridError(f"Niveau « {level} » hors de l'échelle : niveaux possibles {allowed}.")
        return value

    def level_of_share(self, share: float) -> int:
        """The level the share (0–1) of autograded points earned for a criterion gives, before any cap."""
        for minimum, level in self.proposal:
            if share + 1e-9 >= minimum:
                return level
        return min(self.levels)

    def proposal_cap(self, judgement: bool = False, oral: bool = False) -> tuple[int, tuple[str, ...]]:
        """The highest level a proposal may reach for such a criterion, and the rules that set it
        (CAP_BEYOND, CAP_JUDGEMENT, CAP_ORAL: every rule that applies and gives that lowest cap)."""
        rules = {CAP_BEYOND: self.caps.general}
        if judgement:
            rules[CAP_JUDGEMENT] = self.caps.judgement
        if oral:
            rules[CAP_ORAL] = self.caps.oral
        cap = min(rules.values())
        return cap, tuple(k for k, v in rules.items() if v == cap)

    def propose(self, share: float, judgement: bool = False, oral: bool = False) -> int:
        """Level proposed by the share (0–1) of autograded points earned for a criterion, within its cap."""
        return min(self.level_of_share(share), self.proposal_cap(judgement, oral)[0])


@dataclass(frozen=True)
class GridCriterion:
    """One criterion of a grid: the referential's criterion and the grid's descriptor for each level."""

    criterion: Criterion      # its code, number, grade id and verbatim text
    descriptors: dict[int, str]
    judgement: bool = False   # a criterion of judgement (« jugement: true »): correct figures cannot prove it
    oral: bool = False        # its competency is rated on an oral (the referential's modality)

    @property
    def number(self) -> int:
        return self.criterion.number

    @property
    def text(self) -> str:
        """The criterion verbatim from the referential, sub-points included, as one line."""
        return self.criterion.full_text


@dataclass(frozen=True)
class Grid:
    competency: str
    case: str
    criteria: tuple[GridCriterion, ...]
    rule: object


def load_scale(path: str | Path | None = None) -> Scale:
    path = Path(path) if path else GRILLES_DIR / "echelle.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        levels = {int(e["niveau"]): str(e["libelle"]) for e in data["echelle"]}
        proposal = tuple(sorted(((float(p["part_minimale"]), int(p["niveau"])) for p in data["proposition_automatique"]),
                                reverse=True))
        caps = _caps(data.get("plafonds_proposition"), path)
        scale = Scale(levels, int(data["seuil_acquis"]), proposal, bool(data.get("propositions_automatiques_decisives")),
                      data.get("regle_validation", "tous"), int(data.get("tolerance_retard_minutes", 0)), caps)
    except FileNotFoundError:
        raise GridError(f"Fichier d'échelle introuvable : {path}") from None
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise GridError(f"Fichier d'échelle {path} invalide : {exc!r}") from exc
    if sorted(levels) != list(range(len(levels))):
        raise GridError(f"L'échelle de {path} doit numéroter ses niveaux 0, 1, 2… sans trou.")
    if scale.acquired_from not in levels:
        raise GridError(f"Le seuil d'acquisition {scale.acquired_from} n'est pas un niveau de l'échelle.")
    _check_caps(scale, path)
    check_rule(scale.default_rule, "echelle.yaml")
    return scale


def _caps(data, path: Path) -> ProposalCaps:
    if not isinstance(data, dict) or set(data) != CAP_KEYS:
        raise GridError(f"{path.name} : « plafonds_proposition » doit donner les trois plafonds de la proposition "
                        f"automatique, {', '.join(f'« {k} »' for k in sorted(CAP_KEYS))} (trouvé : {data!r}).")
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise GridError(f"{path.name} : le plafond « {key} » de la proposition automatique doit être un niveau "
                            f"de l'échelle, un nombre entier (trouvé : {value!r}).")
    return ProposalCaps(data["general"], data["jugement"], data["oral"])


def _check_caps(scale: Scale, path: Path) -> None:
    caps = scale.caps
    for key, value in ((CAP_BEYOND, caps.general), (CAP_JUDGEMENT, caps.judgement), (CAP_ORAL, caps.oral)):
        if value not in scale.levels:
            raise GridError(f"{path.name} : le plafond « {key} » de la proposition automatique ({value}) n'est pas un "
                            "niveau de l'échelle.")
    if caps.judgement > caps.general or caps.oral > caps.general:
        raise GridError(f"{path.name} : les plafonds « jugement » ({caps.judgement}) et « oral » ({caps.oral}) ne "
                        f"peuvent dépasser le plafond « general » ({caps.general}), qui vaut pour tout critère.")
    above = sorted({level for _, level in scale.proposal if level > caps.general})
    if above:
        raise GridError(f"{path.name} : la proposition automatique propose le niveau {above[0]}, au-dessus de son "
                        f"plafond « general » ({caps.general}) : retirez cette ligne de « proposition_automatique ».")


def check_rule(rule, where: str):
    if rule == "tous":
        return rule
    if isinstance(rule, dict) and set(rule) == {"au_moins"} and isinstance(rule["au_moins"], int) and rule["au_moins"] > 0:
        return rule
    raise GridError(f"Règle de validation inconnue dans {where} : {rule!r} (attendu : « tous » ou « au_moins: N »).")


def _check_keys(found, allowed: set[str], where: str) -> None:
    if not isinstance(found, dict):
        raise GridError(f"{where} : un dictionnaire YAML est attendu.")
    unknown = sorted(set(found) - allowed)
    if "texte" in unknown:
        raise GridError(f"{where} : le champ « texte » n'a plus cours dans les grilles. Le texte du critère vient "
                        "du référentiel (grilles/referentiel.yaml) : retirez ce champ, la grille ne donne que le "
                        "numéro du critère et ses niveaux.")
    if unknown:
        raise GridError(f"{where} : champ(s) inconnu(s) {', '.join(f'« {k} »' for k in unknown)} "
                        f"(champs possibles : {', '.join(sorted(allowed))}).")


def load_grid(path: Path, scale: Scale, referential: Referential) -> Grid:
    """Read one grid: criteria named by number (their text comes from the referential) and level descriptors."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        _check_keys(data, GRID_KEYS, path.name)
        code = data["competence"]
        comp = referential.competency(code)
        crits = []
        for i, entry in enumerate(data["criteres"], 1):
            _check_keys(entry, CRITERION_KEYS, f"{path.name}, critère n° {i} de {code}")
            k = int(entry["critere"])
            official = referential.criterion(code, k)
            descriptors = {int(lv): str(txt) for lv, txt in entry["niveaux"].items()}
            if sorted(descriptors) != sorted(scale.levels):
                raise GridError(f"{path.name} : le critère {k} de {code} doit décrire chaque niveau de l'échelle "
                                f"({', '.join(map(str, sorted(scale.levels)))}).")
            judgement = entry.get("jugement", False)
            if not isinstance(judgement, bool):
                raise GridError(f"{path.name} : « jugement » du critère {k} de {code} vaut « {judgement} » ; écrivez "
                                "« jugement: true » pour un critère de jugement, ou retirez le champ (sans guillemets : "
                                "true ou false).")
            crits.append(GridCriterion(official, descriptors, judgement, comp.modality.is_oral))
    except (KeyError, TypeError, AttributeError, ValueError, yaml.YAMLError) as exc:
        raise GridError(f"Grille {path} invalide : {exc!r}") from exc
    except ReferentialError as exc:
        raise GridError(f"Grille {path} : {exc}") from exc
    numbers = [c.number for c in crits]
    if numbers != list(range(1, len(comp.criteria) + 1)):
        raise GridError(f"{path.name} : la grille de {code} doit couvrir les critères 1 à {len(comp.criteria)} "
                        f"dans l'ordre (trouvé : {numbers}).")
    rule = check_rule(data.get("regle_validation", scale.default_rule), path.name)
    return Grid(code, str(data.get("cas", "")), tuple(crits), rule)


def load_grids(directory: str | Path | None = None, scale: Scale | None = None,
               referential: Referential | None = None) -> dict[str, Grid]:
    directory = Path(directory) if directory else GRILLES_DIR / "competences"
    scale = scale or default_scale()
    referential = referential or default_referential()
    grids = {}
    for path in sorted(directory.glob("*.yaml")):
        grid = load_grid(path, scale, referential)
        if grid.competency in grids:
            raise GridError(f"Deux grilles pour la compétence {grid.competency} dans {directory}.")
        grids[grid.competency] = grid
    return grids


@lru_cache(maxsize=1)
def default_scale() -> Scale:
    return load_scale()


@lru_cache(maxsize=1)
def default_grids() -> dict[str, Grid]:
    return load_grids()
