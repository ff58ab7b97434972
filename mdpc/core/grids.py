"""Rating scale, per-competency grids and the rubric cells built from them (DESIGN.md §1 and §4)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from mdpc import GRILLES_DIR
from mdpc.core.referential import Referential, ReferentialError
from mdpc.core.referential import default as default_referential
from mdpc.errors import MdpcError

MARK_SCHEME_BEGIN = "=== BEGIN MARK SCHEME ==="
MARK_SCHEME_END = "=== END MARK SCHEME ==="


class GridError(MdpcError):
    """A scale or grid file is missing or inconsistent (message in French)."""


@dataclass(frozen=True)
class Scale:
    levels: dict[int, str]
    acquired_from: int
    proposal: tuple[tuple[float, int], ...]
    automatic_is_decisive: bool
    default_rule: object
    late_tolerance_minutes: int

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

    def propose(self, share: float) -> int:
        """Level proposed by the share (0–1) of autograded points earned for a criterion."""
        for minimum, level in self.proposal:
            if share + 1e-9 >= minimum:
                return level
        return min(self.levels)


@dataclass(frozen=True)
class GridCriterion:
    competency: str
    number: int
    text: str
    descriptors: dict[int, str]

    @property
    def grade_id(self) -> str:
        return f"{self.competency.replace('.', '_')}_crit{self.number}"


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
        scale = Scale(levels, int(data["seuil_acquis"]), proposal, bool(data.get("propositions_automatiques_decisives")),
                      data.get("regle_validation", "tous"), int(data.get("tolerance_retard_minutes", 0)))
    except FileNotFoundError:
        raise GridError(f"Fichier d'échelle introuvable : {path}") from None
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise GridError(f"Fichier d'échelle {path} invalide : {exc!r}") from exc
    if sorted(levels) != list(range(len(levels))):
        raise GridError(f"L'échelle de {path} doit numéroter ses niveaux 0, 1, 2… sans trou.")
    if scale.acquired_from not in levels:
        raise GridError(f"Le seuil d'acquisition {scale.acquired_from} n'est pas un niveau de l'échelle.")
    check_rule(scale.default_rule, "echelle.yaml")
    return scale


def check_rule(rule, where: str):
    if rule == "tous":
        return rule
    if isinstance(rule, dict) and set(rule) == {"au_moins"} and isinstance(rule["au_moins"], int) and rule["au_moins"] > 0:
        return rule
    raise GridError(f"Règle de validation inconnue dans {where} : {rule!r} (attendu : « tous » ou « au_moins: N »).")


def load_grid(path: Path, scale: Scale, referential: Referential) -> Grid:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        code = data["competence"]
        comp = referential.competency(code)
        crits = []
        for entry in data["criteres"]:
            k = int(entry["critere"])
            official = referential.criterion(code, k)
            if entry["texte"].strip() != official.full_text:
                raise GridError(
                    f"{path.name} : le critère {k} de {code} ne cite pas le référentiel à l'identique.\n"
                    f"  référentiel : {official.full_text}\n  grille      : {entry['texte'].strip()}"
                )
            descriptors = {int(lv): str(txt) for lv, txt in entry["niveaux"].items()}
            if sorted(descriptors) != sorted(scale.levels):
                raise GridError(f"{path.name} : le critère {k} de {code} doit décrire chaque niveau de l'échelle "
                                f"({', '.join(map(str, sorted(scale.levels)))}).")
            crits.append(GridCriterion(code, k, official.full_text, descriptors))
    except (KeyError, TypeError, AttributeError, yaml.YAMLError) as exc:
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


def rubric_cell_source(grid: Grid, number: int, scale: Scale | None = None,
                       referential: Referential | None = None) -> str:
    """Markdown of the rubric cell rating one criterion: verbatim text, then the hidden mark scheme."""
    scale = scale or default_scale()
    referential = referential or default_referential()
    crit = referential.criterion(grid.competency, number)
    gcrit = grid.criteria[number - 1]
    total = len(grid.criteria)
    rows = "\n".join(f"| {lv} — {scale.levels[lv]} | {gcrit.descriptors[lv]} |" for lv in sorted(scale.levels))
    return (
        f"### Évaluation — {grid.competency}, critère {number} sur {total}\n\n"
        f"> {crit.markdown().replace(chr(10), chr(10) + '> ')}\n\n"
        f"*Cellule réservée au jury : niveau de 0 à {scale.top} et commentaire, saisis dans la grille d'évaluation.*\n\n"
        f"{MARK_SCHEME_BEGIN}\n\n"
        f"| Niveau | Ce que le correcteur observe dans ce cas |\n|---|---|\n{rows}\n\n"
        f"{MARK_SCHEME_END}"
    )


def rubric_cell_metadata(grid: Grid, number: int, scale: Scale | None = None) -> dict:
    """nbgrader metadata of a manually graded task cell, plus the mdpc criterion link."""
    scale = scale or default_scale()
    return {
        "nbgrader": {"grade": False, "grade_id": grid.criteria[number - 1].grade_id, "locked": True,
                     "points": scale.top, "schema_version": 3, "solution": False, "task": True},
        "mdpc": {"competence": grid.competency, "critere": number},
    }


def rubric_cell(grid: Grid, number: int) -> dict:
    import nbformat

    return nbformat.v4.new_markdown_cell(rubric_cell_source(grid, number), metadata=rubric_cell_metadata(grid, number))


def sync_rubric_cells(nb) -> list[str]:
    """Rewrite every rubric cell of a notebook from its grid; return the grade ids changed."""
    grids = default_grids()
    changed = []
    for cell in nb.cells:
        md = cell.get("metadata", {}).get("mdpc", {})
        if not cell.get("metadata", {}).get("nbgrader", {}).get("task") or "competence" not in md:
            continue
        grid = grids[md["competence"]]
        source = rubric_cell_source(grid, md["critere"])
        meta = rubric_cell_metadata(grid, md["critere"])
        if cell.source != source or cell.metadata.get("nbgrader") != meta["nbgrader"]:
            cell.source = source
            cell.metadata.update(meta)
            changed.append(meta["nbgrader"]["grade_id"])
    return changed
