"""How a case shows its forms in JupyterLab: a locked cell that builds a form shows the form, not its code.

A candidate answers in the widgets; the Python that lays them out is the project's, locked, and reads like noise
to a sales manager. ``mdpc publier`` marks these cells ``metadata.jupyter.source_hidden`` (JupyterLab's own
« collapsed input »: one click on the bar on the left shows the code again) before it regenerates
``release/``, which keeps the mark, and opens each with a French comment naming the form (JupyterLab still
shows a hidden cell's first line). A form cell is a locked code cell, neither a test nor a solution, that
builds a kit form (``Form(``), a no-code tool (``Tableur(``, ``Grille(``) or an interactive view
(``interact``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from mdpc import CAS_DIR

_BUILDS_WIDGETS = re.compile(r"\b(?:Form|Tableur|Grille)\(|\binteract(?:ive)?\(")
_TITLE = re.compile(r"\b(Form|Tableur|Grille)\(\s*NOTEBOOK\s*,\s*f?\"[^\"]*\"\s*,\s*f?\"([^\"]+)\"")
_KINDS = {"Form": ("Formulaire", "Formulaires"), "Tableur": ("Outil", "Outils"), "Grille": ("Grille", "Grilles")}
HEADLINE_START = ("# Formulaire « ", "# Formulaires « ", "# Tableau de bord interactif", "# Outil « ", "# Outils « ",
                  "# Grille « ", "# Grilles « ")


def is_form_cell(cell) -> bool:
    md = cell.get("metadata", {}).get("nbgrader", {})
    return (cell.get("cell_type") == "code" and bool(md.get("locked")) and not md.get("grade")
            and not md.get("solution") and bool(_BUILDS_WIDGETS.search(cell.get("source", ""))))


def headline(source: str) -> str:
    """The French comment a form cell opens with: JupyterLab shows a hidden cell's first line, nothing else."""
    found = _TITLE.search(source)
    if found is None:
        return "# Tableau de bord interactif"
    one, many = _KINDS[found.group(1)]
    title = found.group(2)
    if "{" in title:  # one form per item (an f-string title): the part the forms share
        return f"# {many} « {title.split('{')[0].strip()} … »"
    return f"# {one} « {title} »"


def sync_form_cells(nb) -> list[str]:
    """Hide the code of every form cell of a notebook and open it with its headline (in place); return the
    grade ids changed."""
    changed = []
    for cell in nb.cells:
        if not is_form_cell(cell):
            continue
        before = (cell.source, cell.metadata.get("jupyter", {}).get("source_hidden"))
        if not cell.source.startswith(HEADLINE_START):
            cell.source = headline(cell.source) + "\n" + cell.source
        cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
        if (cell.source, True) != before:
            changed.append(cell.metadata["nbgrader"].get("grade_id", "?"))
    return changed


def render_form_cells(cases_dir: Path = CAS_DIR) -> list[str]:
    """Mark the form cells of every source notebook; one French line per notebook written."""
    lines = []
    for path in sorted(Path(cases_dir).glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        changed = sync_form_cells(nb)
        if changed:
            nbformat.write(nb, path)
            lines.append(f"{path.relative_to(Path(cases_dir).parent).as_posix()} : code des formulaires masqué "
                         f"({', '.join(changed)})")
    return lines
