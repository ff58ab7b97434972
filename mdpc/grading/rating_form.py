"""The graders' rubric entry form (ipywidgets), used by grilles/saisie_des_notes.ipynb.

For one candidate, every criterion shows its verbatim text, the level descriptors of its grid, the
autograded evidence and the level it proposes, and a link to the candidate's graded notebook; the grader
picks a level, writes a comment and saves: the rating goes into the audit trail (notation.db) and the
level that counts into the nbgrader gradebook, where formgrader reads it.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import ipywidgets as w
from IPython.display import HTML, display

from mdpc.core.decisions import DISPENSE
from mdpc.core.exemptions import load as load_accommodations
from mdpc.core.grids import GridError, default_grids, default_scale
from mdpc.core.referential import default as default_referential
from mdpc.grading.course import Course, CourseError
from mdpc.grading.ratings import RatingBook

_WIDE = w.Layout(width="98%")
_STYLE = {"description_width": "initial"}


class CriterionPanel:
    def __init__(self, entry: RubricEntry, competency: str, number: int):
        self.entry, self.competency, self.number = entry, competency, number
        scale = default_scale()
        self.level = w.ToggleButtons(options=[(f"{k} {v}", k) for k, v in sorted(scale.levels.items())], value=None,
                                     description="Niveau", style={"button_width": "auto", **_STYLE})
        self.comment = w.Textarea(description="Commentaire", rows=3, layout=_WIDE, style=_STYLE)
        self.button = w.Button(description="Enregistrer", icon="check", tooltip="Enregistrer le niveau et le commentaire")
        self.button.on_click(lambda _: self.save())
        self.message = w.HTML()
        self.info = w.Output()
        self.html = ""
        self.box = w.VBox([self.info, self.level, self.comment, w.HBox([self.button, self.message])],
                          layout=w.Layout(border="1px solid #bbb", padding="6px", margin="4px 0"))

    def refresh(self, result, effective, exempt: bool, link: str | None, documents: list[tuple[str, str]] = ()) -> None:
        grid = default_grids()[self.competency].criteria[self.number - 1]
        scale = default_scale()
        crit = default_referential().criterion(self.competency, self.number)
        rows = "".join(f"<tr><th scope='row' style='text-align:left'>{k} — {html.escape(scale.levels[k])}</th>"
                       f"<td style='text-align:left'>{html.escape(grid.descriptors[k])}</td></tr>"
                       for k in sorted(scale.levels))
        evidence = "Aucun test autocorrigé pour ce critère."
        if result is not None and result.auto_share is not None:
            evidence = (f"Tests autocorrigés : {100 * result.auto_share:.0f} % des points — niveau proposé : "
                        f"{result.proposed} ({scale.label(result.proposed)}).")
        current = "Pas encore de niveau enregistré."
        if effective is not None and effective.state == "divergentes":
            current = "⚠ Notes divergentes (" + ", ".join(f"{k} : {v}" for k, v in effective.levels.items()) + \
                      ") : le jury arrête le niveau final."
        elif result is not None and result.confirmed:
            who = ", ".join(effective.graders) if effective else "formgrader"
            current = f"Niveau enregistré : {result.level} — {scale.label(result.level)} ({html.escape(who)})."
        self.html = (  # kept as text too: what the grader sees, readable in tests and logs
            f"<h4>{self.competency}, critère {self.number}</h4><blockquote>{html.escape(crit.full_text)}</blockquote>"
            f"<details><summary>Descripteurs des niveaux</summary><table>{rows}</table></details>"
            f"<p>{evidence}<br>{current}</p>"
            + (f"<p><a href='{html.escape(link)}' target='_blank'>Ouvrir la copie du candidat</a></p>" if link else "")
            + "".join(f"<p>📄 <a href='{html.escape(path)}' target='_blank'>{html.escape(name)}</a> (document produit "
                      "par le candidat)</p>" for name, path in documents))
        self.info.clear_output()
        with self.info:
            display(HTML(self.html))
        disabled = exempt
        for widget in (self.level, self.comment, self.button):
            widget.disabled = disabled
        self.message.value = "<b>Dispensé</b> : ce critère ne reçoit pas de niveau." if exempt else ""
        self.level.value = result.level if (result is not None and result.confirmed) else None
        self.comment.value = (result.comment if result is not None and result.confirmed else "") or ""

    def save(self) -> bool:
        if self.level.value is None:
            self.message.value = "✘ Choisissez un niveau avant d'enregistrer."
            return False
        try:
            eff = self.entry.book.record(self.entry.assignment.value, self.entry.candidate.value, self.competency,
                                         self.number, self.entry.grader.value, self.level.value, self.comment.value,
                                         jury=self.entry.jury.value, accommodations=self.entry.accommodations)
        except (CourseError, GridError) as exc:
            self.message.value = f"✘ {html.escape(str(exc))}"
            return False
        self.entry.reload()
        note = " — notes divergentes : à trancher par le jury" if eff.state == "divergentes" else ""
        self.message.value = f"✔ Enregistré : niveau {self.level.value}{note}."
        return True


class RubricEntry:
    """Pick an assignment and a candidate, then rate every criterion."""

    def __init__(self, cours: str | Path = ".", devoir: str | None = None, correcteur: str = "",
                 dispenses: str | Path | None = None):
        self.course = Course(cours)
        self.book = RatingBook(self.course)
        self.accommodations = load_accommodations(Path(dispenses) if dispenses else self.course.root / "dispenses.yaml")
        assignments = sorted(p.name for p in (self.course.root / "cas_pratiques").glob("B*") if p.is_dir())
        self.grader = w.Text(value=correcteur, description="Correcteur", placeholder="Prénom Nom", style=_STYLE)
        self.jury = w.Checkbox(description="Niveau final du jury (tranche une divergence)", style=_STYLE)
        self.assignment = w.Dropdown(options=assignments, value=devoir or (assignments[0] if assignments else None),
                                     description="Bloc (devoir)", style=_STYLE)
        self.candidate = w.Dropdown(description="Candidat", style=_STYLE)
        self.progress = w.HTML()
        self.body = w.Accordion()
        self.panels: dict[tuple[str, int], CriterionPanel] = {}
        self.assignment.observe(lambda _: self.load_assignment(), names="value")
        self.candidate.observe(lambda _: self.reload(), names="value")
        self.load_assignment()

    def load_assignment(self) -> None:
        self.maps = self.course.maps(self.assignment.value)
        try:
            self.submissions = self.course.read(self.assignment.value)
        except CourseError as exc:
            self.submissions = {}
            self.progress.value = f"✘ {html.escape(str(exc))}"
        self.candidate.options = [(f"{s.name} ({sid})", sid) for sid, s in sorted(self.submissions.items())]
        crits = sorted(set(self.maps.rubric.values()))
        self.panels = {c: CriterionPanel(self, *c) for c in crits}
        codes = sorted({c for c, _ in crits})
        self.body.children = [w.VBox([p.box for (c, _), p in self.panels.items() if c == code]) for code in codes]
        for i, code in enumerate(codes):
            self.body.set_title(i, f"{code} — {default_referential().competency(code).title[:80]}…")
        self.reload(fresh=False)

    def link(self, notebook: str) -> str | None:
        target = self.course.root / "autograded" / self.candidate.value / self.assignment.value / f"{notebook}.ipynb"
        return os.path.relpath(target, Path.cwd()) if target.exists() else None

    def documents(self) -> dict[str, list[tuple[str, str]]]:
        """The deliverables and written supports the candidate's notebooks produced (livrables/*.html), by competency."""
        folder = self.course.root / "autograded" / self.candidate.value / self.assignment.value / "livrables"
        found: dict[str, list[tuple[str, str]]] = {}
        for p in sorted(folder.glob("*.html")):
            head = p.read_text(encoding="utf-8", errors="replace")[:4000]
            code = re.search(r"compétence (C\d\.\d)", head)
            title = re.search(r"<title>(.*?)</title>", head)
            if code:
                found.setdefault(code.group(1), []).append((html.unescape(title.group(1)) if title else p.name,
                                                            os.path.relpath(p, Path.cwd())))
        return found

    def reload(self, fresh: bool = True) -> None:
        """Refresh the panels from the gradebook (fresh=False reuses what load_assignment just read)."""
        if not self.candidate.value:
            if not self.progress.value.startswith("✘"):
                self.progress.value = "Aucune copie autocorrigée pour ce devoir : lancez d'abord l'autocorrection."
            return
        if fresh:
            self.submissions = self.course.read(self.assignment.value)
        sub = self.submissions[self.candidate.value]
        ratings = self.book.graders(self.assignment.value)
        acc = self.accommodations.get(self.candidate.value)
        rated = exempt = divergent = 0
        documents = self.documents()
        for (code, k), panel in self.panels.items():
            result = sub.results.get((code, k))
            eff = ratings.get((self.candidate.value, code, k))
            is_exempt = acc.is_exempt(code, k)
            notebook, _ = self.maps.rubric_cell(code, k)
            panel.refresh(result, eff, is_exempt, self.link(notebook), documents.get(code, []))
            exempt += is_exempt
            rated += bool(result is not None and result.confirmed and not is_exempt)
            divergent += bool(eff is not None and eff.state == "divergentes")
        total = len(self.panels) - exempt
        self.progress.value = (f"<b>{sub.name}</b> — critères notés : {rated} / {total}, restant à noter : "
                               f"{total - rated}" + (f" ; {exempt} {DISPENSE}(s)" if exempt else "")
                               + (f" ; ⚠ {divergent} divergence(s) à trancher" if divergent else ""))

    def panel(self, competency: str, number: int) -> CriterionPanel:
        return self.panels[(competency, number)]

    def _ipython_display_(self):
        display(w.VBox([w.HBox([self.grader, self.jury]), w.HBox([self.assignment, self.candidate]), self.progress,
                        self.body]))
