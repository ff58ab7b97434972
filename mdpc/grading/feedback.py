"""What candidates receive after grading: nbgrader's feedback, made safe and complete (French).

nbgrader's feedback shows hidden tests by default (nbgrader #917), and a failed test's traceback quotes
the hidden lines too. ``CandidateFeedback`` (registered in nbgrader_config.py for GenerateFeedback)
removes the hidden tests and the graders' mark schemes, shortens every error to its French message,
writes the jury's level and comment under each criterion, and opens the notebook with a summary of the
levels of the competency. ``SafeFeedback``, registered after nbgrader's ``GetGrades``, leaves nothing active
in the page: the notebook is cleaned as at recording (:mod:`.sanitize`: a notebook graded by plain
``nbgrader autograde`` is cleaned too) and the graders' comments are shown as text.

Hidden tests are looked for in the cells that can hold them, the test cells (graded, not a solution:
their source is put back from the course's source before execution), and mark schemes in the rubric
(task) cells. A candidate's own cell that merely contains the marker text (« ### BEGIN HIDDEN TESTS ») is
the candidate's text: left as it is, it no longer stops the feedback of the whole notebook (nbgrader's
ClearHiddenTests raises on a marker outside a graded cell). A test or rubric cell whose region cannot be
read is replaced whole, never shown.

Feedback is personal data: nbgrader writes it 0644 in folders 0755. nbgrader_config.py sets
``GenerateFeedback.permissions`` to 600 and :func:`private_feedback` as its post-convert hook, which
makes every folder of ``feedback/`` 0700; the exchange's copy, which candidates fetch, is made readable
again by :class:`mdpc.grading.safe_exchange.SafeReleaseFeedback` (nbgrader's own permission model there).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import nbformat
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, NbGraderPreprocessor
from nbgrader.utils import is_grade, is_solution, is_task

from mdpc.core.grids import default_scale
from mdpc.core.safe_text import md_text
from mdpc.grading.sanitize import sanitize_notebook


class CandidateFeedback(NbGraderPreprocessor):
    """Feedback preprocessor: no hidden test, no mark scheme, short French errors, rubric levels shown."""

    def preprocess(self, nb, resources):
        hidden, scheme = ClearHiddenTests(), ClearMarkScheme()
        for cell in nb.cells:
            if is_grade(cell) and not is_solution(cell):
                _clear(cell, hidden._remove_hidden_test_region)
            if is_task(cell):
                _clear(cell, scheme._remove_mark_scheme_region)
        nb.metadata.pop("celltoolbar", None)
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


IMAGE_ALT = "Image produite par le carnet (sans description)"
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\salt=)", re.IGNORECASE)


# nbgrader's feedback template loads MathJax from a public CDN (nbconvert's mathjax macro, its default address):
# the page is made self-contained, as every page the project writes; no case's statement uses LaTeX.
_MATHJAX = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTML exporter for the feedback, without its pass over the whole page with BeautifulSoup
    (``html.parser``), more than half of ``generate_feedback`` under cProfile (4.4 s of 8.2 s for 12 notebooks
    of B4; without the profiler, 4.8 → 3.05 s of computation: benchmarks/README.md). That pass adds an
    alternative text to each image without one, and makes the inputs and outputs of JupyterLab's templates
    focusable; nbgrader's feedback template extends the classic one, which has neither of those blocks, so
    only the images are left to do: they get a French alternative text here, on the markup the template
    wrote. The filters are registered as nbconvert's ``HTMLExporter.from_notebook_node`` does. MathJax, which
    the template would fetch from a public CDN, is left out: the page fetches nothing, and says it is French."""

    def from_notebook_node(self, nb, resources=None, **kw):
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata,
                                                                       parent=self, resources=resources))
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        html = _MATHJAX.sub("", html, count=1).replace("<html>", '<html lang="fr">', 1)
        return _IMG_WITHOUT_ALT.sub(f'<img alt="{IMAGE_ALT}"', html), resources


UNREADABLE_REGION = "*(Contenu réservé à la correction : il n'est pas reproduit dans les retours.)*"


def _clear(cell, remove) -> None:
    """Remove the reserved region of one cell; a cell whose region cannot be read is replaced whole."""
    try:
        remove(cell)
    except RuntimeError:
        cell.source = UNREADABLE_REGION
        cell["outputs"] = [] if cell.cell_type == "code" else cell.get("outputs", [])


def private_feedback(feedback: Path):
    """nbgrader's post-convert hook for GenerateFeedback: every folder under `feedback` (the course's
    ``feedback/``) made 0700, never through a link, all of them each time (the hook runs after each candidate,
    and ``--force`` makes a candidate's folder again, 0755). nbgrader swallows a hook's error:
    ``protect_course`` closes ``feedback/`` again."""

    def hook(**_ignored) -> None:
        try:
            top = os.lstat(feedback)
        except FileNotFoundError:
            return
        if not stat.S_ISDIR(top.st_mode):
            return
        os.chmod(feedback, 0o700)
        for student in os.scandir(feedback):
            if not student.is_dir(follow_symlinks=False):
                continue
            os.chmod(student.path, 0o700)
            for folder in os.scandir(student.path):  # every time: --force makes a folder again, 0755
                if not folder.is_dir(follow_symlinks=False):
                    continue
                for root, dirs, _files in os.walk(folder.path):  # never descends into a link
                    for d in dirs:
                        path = os.path.join(root, d)
                        if stat.S_ISDIR(os.lstat(path).st_mode):
                            os.chmod(path, 0o700)
                os.chmod(folder.path, 0o700)

    return hook
