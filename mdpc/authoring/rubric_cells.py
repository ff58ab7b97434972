"""The rubric cells of the case notebooks, rendered from the referential, the grids and the scale (ARCHITECTURE.md, contrat 1).

Every criterion is rated in its competency's notebook by one nbgrader manually graded task cell: a heading,
the criterion quoted verbatim from ``grilles/referentiel.yaml``, a line for the graders, then the level
descriptors of its grid (``grilles/competences/``) and how high the automatic proposal may go (its cap, from
``grilles/echelle.yaml``) in nbgrader's hidden mark scheme. Those files are the only
source of these texts: ``mdpc publier`` (``make release``) calls :func:`render_rubric_cells` before it
regenerates ``release/``, so changing a wording or a descriptor is one file and one command.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from mdpc import CAS_DIR
from mdpc.core.grids import (
    CAP_BEYOND,
    CAP_JUDGEMENT,
    CAP_ORAL,
    Grid,
    GridCriterion,
    GridError,
    Scale,
    default_grids,
    default_scale,
)

MARK_SCHEME_BEGIN = "=== BEGIN MARK SCHEME ==="
MARK_SCHEME_END = "=== END MARK SCHEME ==="


class RubricCellError(GridError):
    """A rubric cell names a competency or a criterion that no grid rates (message in French)."""


def rubric_cell_source(grid: Grid, number: int, scale: Scale | None = None) -> str:
    """Markdown of the rubric cell rating one criterion: verbatim text, then the hidden mark scheme."""
    scale = scale or default_scale()
    gcrit = grid.criteria[number - 1]
    rows = "\n".join(f"| {lv} — {scale.levels[lv]} | {gcrit.descriptors[lv]} |" for lv in sorted(scale.levels))
    quote = gcrit.criterion.markdown().replace("\n", "\n> ")
    return (
        f"### Évaluation — {grid.competency}, critère {number} sur {len(grid.criteria)}\n\n"
        f"> {quote}\n\n"
        f"*Cellule réservée au jury : niveau de 0 à {scale.top} et commentaire, saisis dans la grille d'évaluation.*\n\n"
        f"{MARK_SCHEME_BEGIN}\n\n"
        f"| Niveau | Ce que le correcteur observe dans ce cas |\n|---|---|\n{rows}\n\n"
        f"{proposal_note(gcrit, scale)}\n\n"
        f"{MARK_SCHEME_END}"
    )


CAP_NOTES = {
    CAP_BEYOND: "le niveau {above} va au-delà de ce que montrent les tests",
    CAP_JUDGEMENT: "critère de jugement, son niveau {above} demande la lecture du correcteur",
    CAP_ORAL: "compétence évaluée à l'oral, les tests ne lisent que le support écrit",
}


def proposal_note(gcrit: GridCriterion, scale: Scale) -> str:
    """One line for the graders: how high the automatic proposal of this criterion may go, and why."""
    cap, reasons = scale.proposal_cap(gcrit.judgement, gcrit.oral)
    why = " ; ".join(CAP_NOTES[r].format(above=cap + 1) for r in reasons)
    return f"*Proposition automatique des tests : au plus {cap} ({why}).*"


def rubric_cell_metadata(grid: Grid, number: int, scale: Scale | None = None) -> dict:
    """nbgrader metadata of a manually graded task cell, plus the mdpc criterion link."""
    scale = scale or default_scale()
    return {
        "nbgrader": {"grade": False, "grade_id": grid.criteria[number - 1].criterion.grade_id, "locked": True,
                     "points": scale.top, "schema_version": 3, "solution": False, "task": True},
        "mdpc": {"competence": grid.competency, "critere": number},
    }


def rubric_cell(grid: Grid, number: int, scale: Scale | None = None):
    """A new rubric cell for one criterion, to place in a case notebook being written."""
    return nbformat.v4.new_markdown_cell(rubric_cell_source(grid, number, scale),
                                         metadata=rubric_cell_metadata(grid, number, scale))


def is_rubric_cell(cell) -> bool:
    """True for a manually graded task cell linked to a criterion (``metadata.mdpc.competence``)."""
    metadata = cell.get("metadata", {})
    return bool(metadata.get("nbgrader", {}).get("task")) and "competence" in metadata.get("mdpc", {})


def sync_rubric_cells(nb, grids: dict[str, Grid] | None = None, scale: Scale | None = None) -> list[str]:
    """Rewrite every rubric cell of a notebook (in place) from its grid; return the grade ids changed."""
    grids = default_grids() if grids is None else grids
    scale = scale or default_scale()
    changed = []
    for cell in nb.cells:
        if not is_rubric_cell(cell):
            continue
        code, number = cell.metadata["mdpc"]["competence"], cell.metadata["mdpc"].get("critere")
        grade_id = cell.metadata["nbgrader"].get("grade_id", "?")
        grid = grids.get(code)
        if grid is None:
            raise RubricCellError(f"la cellule d'évaluation {grade_id} renvoie à la compétence « {code} », "
                                  "qui n'a pas de grille dans grilles/competences/.")
        if not isinstance(number, int) or not 1 <= number <= len(grid.criteria):
            raise RubricCellError(f"la cellule d'évaluation {grade_id} renvoie au critère « {number} » de {code}, "
                                  f"qui n'existe pas (la compétence compte {len(grid.criteria)} critères).")
        source = rubric_cell_source(grid, number, scale)
        metadata = rubric_cell_metadata(grid, number, scale)
        if cell.source != source or any(cell.metadata.get(k) != v for k, v in metadata.items()):
            cell.source = source
            cell.metadata.update(metadata)
            changed.append(metadata["nbgrader"]["grade_id"])
    return changed


def render_rubric_cells(cases_dir: Path = CAS_DIR, grids: dict[str, Grid] | None = None,
                        scale: Scale | None = None) -> list[str]:
    """Rewrite the rubric cells of every source notebook under cases_dir from the referential and the grids.

    A notebook is written only when one of its rubric cells changed, by nbformat's own writer (the one the
    committed notebooks come from), so an up-to-date notebook is left byte for byte as it is. Returns one
    French line per notebook written, naming the cells rewritten.
    """
    cases_dir = Path(cases_dir)
    grids = default_grids() if grids is None else grids
    scale = scale or default_scale()
    lines = []
    for path in sorted(cases_dir.glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        try:
            changed = sync_rubric_cells(nb, grids, scale)
        except RubricCellError as exc:
            raise RubricCellError(f"{path.relative_to(cases_dir.parent).as_posix()} : {exc}") from None
        if changed:
            nbformat.write(nb, path)
            lines.append(f"{path.relative_to(cases_dir.parent).as_posix()} : cellule(s) d'évaluation "
                         f"{', '.join(changed)} réécrite(s) d'après le référentiel et la grille")
    return lines
