"""What candidates receive after grading: nbgrader's feedback, made safe and complete (French).

nbgrader's feedback shows hidden tests by default (nbgrader #917), and a failed test's traceback quotes
the hidden lines too. ``CandidateFeedback`` (registered in nbgrader_config.py for GenerateFeedback)
removes the hidden tests and the graders' mark schemes, shortens every error to its French message,
writes the jury's level and comment under each criterion, and opens the notebook with a summary of the
levels of the competency. ``SafeFeedback``, registered after nbgrader's ``GetGrades``, leaves nothing active
in the page: the notebook is cleaned as at recording (:mod:`.sanitize`: a notebook graded by plain
``nbgrader autograde`` is cleaned too) and the graders' comments are shown as text.
"""

from __future__ import annotations

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, NbGraderPreprocessor
from nbgrader.utils import is_grade, is_solution, is_task

from mdpc.core.grids import default_scale
from mdpc.core.safe_text import md_text
from mdpc.grading.sanitize import sanitize_notebook


class CandidateFeedback(NbGraderPreprocessor):
    """Feedback preprocessor: no hidden test, no mark scheme, short French errors, rubric levels shown."""

    def preprocess(self, nb, resources):
        nb, resources = ClearHiddenTests().preprocess(nb, resources)
        nb, resources = ClearMarkScheme().preprocess(nb, resources)
        info = resources.get("nbgrader", {})
        levels = self._levels(nb, info) if info.get("db_url") else {}
        scale = default_scale()
        rows = []
        for cell in nb.cells:
            if cell.cell_type == "code" and is_grade(cell) and not is_solution(cell):
                for out in cell.get("outputs", []):
                    if out.get("output_type") == "error":
                        out["traceback"] = [f"{out.get('ename', 'Erreur')} : {out.get('evalue', '')}"]
            if is_task(cell) and cell.metadata.get("mdpc"):
                md = cell.metadata["mdpc"]
                level, comment = levels.get(cell.metadata["nbgrader"]["grade_id"], (None, ""))
                shown = "non encore évalué" if level is None else f"{int(level)} — {scale.label(int(level))}"
                cell.source += (f"\n\n**Niveau attribué par le jury : {shown}**"
                                + (f"  \n*{md_text(comment, lines=True)}*" if comment else ""))
                # the cell's metadata comes from the candidate's file (nbgrader restores only its own): text
                rows.append(f"| {md_text(md.get('competence'))}, critère {md_text(md.get('critere'))} | {shown} |")
        if rows:
            summary = ("## Votre résultat sur cette compétence\n\n| Critère | Niveau attribué |\n|---|---|\n"
                       + "\n".join(rows) + "\n\nLe détail, avec les commentaires du jury, figure sous chaque critère "
                       "en fin de carnet. Les tests cachés de la correction ne sont pas reproduits.")
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(summary))
        return nb, resources

    def _levels(self, nb, info) -> dict:
        out = {}
        with Gradebook(info["db_url"]) as gb:
            for cell in nb.cells:
                if is_task(cell):
                    gid = cell.metadata["nbgrader"]["grade_id"]
                    try:
                        grade = gb.find_grade(gid, info["notebook"], info["assignment"], info["student"])
                        comment = gb.find_comment(gid, info["notebook"], info["assignment"], info["student"])
                    except MissingEntry:
                        continue
                    out[gid] = (grade.manual_score, comment.manual_comment or "")
        return out


class SafeFeedback(NbGraderPreprocessor):
    """Feedback preprocessor, after ``GetGrades``: the notebook cleaned of anything active (outputs, Markdown,
    raw cells, widget state: :func:`~mdpc.grading.sanitize.sanitize_notebook`), and the graders' comments
    that nbgrader's feedback template renders as Markdown (``metadata.nbgrader.comment``) made plain text."""

    def preprocess(self, nb, resources):
        sanitize_notebook(nb)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("comment"):
                meta["comment"] = md_text(meta["comment"], lines=True)
        return nb, resources
