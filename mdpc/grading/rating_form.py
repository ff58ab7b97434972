"""The graders' rubric entry form (ipywidgets), used by grilles/saisie_des_notes.ipynb.

For one candidate, every criterion shows its verbatim text, the level descriptors of its grid, the
autograded evidence and the level it proposes (the tests it rests on, their points, and why it stops at its
cap: :mod:`mdpc.core.proposals`), and a link to the candidate's graded notebook; the grader
picks a level, writes a comment and saves: the rating goes into the journal of ratings (notation.db, the one
store of graders' levels) and the level that counts is mirrored into the nbgrader gradebook, where
formgrader shows it.

Double marking is blind: each grader sees and edits only their own rating (an empty form until they have
rated), never another grader's level, comment or a divergence; the jury (« Niveau final du jury » ticked by
a member of the jury declared in the course's ``jury.yaml``, :mod:`mdpc.core.roster`) sees every grader's
level and comment, and the level that counts. Ticked by anyone else, the box shows why it is refused and
the form stays a grader's. (This guards the form; a grader who can read ``notation.db`` itself is kept
out by the file's permissions, not by the form.)

With anonymous grading (``anonymat: true`` in the course's ``jury.yaml``, :mod:`mdpc.grading.anonymity`), the
form names each candidate by their copy number only: the picker, the header, the similarity alert, and the
links, which open ``copies_anonymes/<number>/…`` (:mod:`mdpc.grading.anonymous_copies`: the graded notebooks
and deliverables without the candidate's id, names and identity answers) instead of ``autograded/<id>/…``.
The ratings are recorded under the real id.

When the cohort's similarity check (``mdpc.app.check_similarity``, kept in the course's ``similitudes.json``)
lists the candidate in a pair, the form opens with an alert: the other candidate's id and the passages side
by side (:func:`mdpc.core.similarity_text.pair_html`), a signal for the jury to examine, never a sanction.

Everything shown comes from records (names, comments, the title of a candidate's document): it goes into the
widgets' HTML through :func:`~mdpc.core.safe_text.html_text`. The other labels (the candidate list, the
level buttons, the descriptions) are text: ipywidgets 8 renders them as text (``description_allow_html`` is
False by default, and option labels are escaped).
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import ipywidgets as w
from IPython.display import HTML, display

from mdpc.core import proposals
from mdpc.core.decisions import CriterionStatus
from mdpc.core.exemptions import load as load_accommodations
from mdpc.core.grids import default_grids, default_scale
from mdpc.core.ratings import GRADER, JURY, Effective, Rating, RatingState
from mdpc.core.referential import default as default_referential
from mdpc.core.safe_text import html_text
from mdpc.core.similarity import SimilarPair
from mdpc.core.similarity_text import pair_html
from mdpc.errors import MdpcError
from mdpc.grading import anonymity
from mdpc.grading.anonymous_copies import gradebook_names, view_folder
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

    def refresh(self, result, effective: Effective | None, own: Rating | None, exempt: bool, link: str | None,
                documents: list[tuple[str, str]] = ()) -> None:
        """Show the criterion to the grader: their own rating only, or, to the jury, every grader's."""
        grid = default_grids()[self.competency].criteria[self.number - 1]
        scale = default_scale()
        crit = default_referential().criterion(self.competency, self.number)
        rows = "".join(f"<tr><th scope='row' style='text-align:left'>{k} — {html_text(scale.levels[k])}</th>"
                       f"<td style='text-align:left'>{html_text(grid.descriptors[k])}</td></tr>"
                       for k in sorted(scale.levels))
        evidence = "<p>Aucun test autocorrigé pour ce critère.</p>"
        if result is not None and result.auto_share is not None:
            evidence = self.evidence_html(result, scale)
        if self.entry.jury_view:
            current = self._jury_view(effective, scale)
        elif own is not None:
            current = f"Votre niveau enregistré : {own.level} — {html_text(scale.label(own.level))}."
        else:
            current = "Vous n'avez pas encore noté ce critère."
        self.html = (  # kept as text too: what the grader sees, readable in tests and logs
            f"<h4>{self.competency}, critère {self.number}</h4><blockquote>{html_text(crit.full_text)}</blockquote>"
            f"<details><summary>Descripteurs des niveaux</summary><table>{rows}</table></details>"
            f"{evidence}<p>{current}</p>"
            + (f"<p><a href='{html_text(link)}' target='_blank'>Ouvrir la copie du candidat</a></p>" if link else "")
            + "".join(f"<p>📄 <a href='{html_text(path)}' target='_blank'>{html_text(name)}</a> (document produit "
                      "par le candidat)</p>" for name, path in documents))
        self.info.clear_output()
        with self.info:
            display(HTML(self.html))
        for widget in (self.level, self.comment, self.button):
            widget.disabled = exempt
        self.message.value = "<b>Dispensé</b> : ce critère ne reçoit pas de niveau." if exempt else ""
        # each grader starts from their own words (or an empty form), never from another's
        self.level.value = own.level if own is not None else None
        self.comment.value = own.comment if own is not None else ""

    @staticmethod
    def evidence_html(result, scale) -> str:
        """The automatic proposal and what it rests on: the tests (name, points, what each checks), that it reads
        only what they verify, and, once it has reached its cap, why it goes no higher."""
        tests = "".join(f"<li>{html_text(line)}</li>" for line in proposals.test_lines(result, with_checks=True))
        ceiling = proposals.ceiling(result, scale.levels)
        return (f"<p>{html_text(proposals.headline(result, scale.levels))}</p>"
                + (f"<ul>{tests}</ul>" if tests else "")
                + f"<p>{html_text(proposals.BASIS)}"
                + (f"<br>{html_text(ceiling)}" if ceiling else "") + "</p>")

    @staticmethod
    def _jury_view(effective: Effective | None, scale) -> str:
        if effective is None or effective.state == RatingState.NONE:
            return "Aucun correcteur n'a encore noté ce critère."
        graders = "".join(f"<li>{html_text(who)} : {level} — {html_text(scale.label(level))}"
                          + (f" — « {html_text(effective.comments.get(who, ''))} »" if effective.comments.get(who) else "")
                          + "</li>" for who, level in effective.levels.items())
        if effective.state == RatingState.DIVERGENT:
            verdict = "⚠ Notes divergentes : le jury arrête le niveau final."
        elif effective.state == RatingState.JURY:
            verdict = f"Niveau final arrêté par le jury : {effective.level} ({html_text(', '.join(effective.graders))})."
        else:
            verdict = f"Niveau retenu : {effective.level} — {html_text(scale.label(effective.level))}."
        return f"{verdict}<ul>{graders}</ul>"

    def save(self) -> bool:
        if self.level.value is None:
            self.message.value = "✘ Choisissez un niveau avant d'enregistrer."
            return False
        try:
            eff = self.entry.book.record(self.entry.assignment.value, self.entry.recorded_as(), self.competency,
                                         self.number, self.entry.grader.value, self.level.value, self.comment.value,
                                         jury=self.entry.jury.value, accommodations=self.entry.accommodations)
        except MdpcError as exc:
            self.message.value = f"✘ {html_text(str(exc))}"
            return False
        level = self.level.value
        self.entry.reload()
        # a grader is told nothing of the others (blind double marking); the jury sees where it stands
        note = " — notes divergentes : à trancher" if self.entry.jury_view and eff.state == RatingState.DIVERGENT else ""
        self.message.value = f"✔ Enregistré : niveau {level}{note}."
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
        self.similar = w.HTML()  # the similarity alert, when the candidate is in a listed pair
        self.body = w.Accordion()
        self.panels: dict[tuple[str, int], CriterionPanel] = {}
        self.jury_view = False  # the box is ticked by a member of the declared jury (jury.yaml)
        self.assignment.observe(lambda _: self.load_assignment(), names="value")
        self.candidate.observe(lambda _: self.reload(), names="value")
        self.grader.observe(lambda _: self.reload(fresh=False), names="value")
        self.jury.observe(lambda _: self.reload(fresh=False), names="value")
        self.load_assignment()

    def load_assignment(self) -> None:
        self.maps = self.course.maps(self.assignment.value)
        try:
            self.submissions = self.course.read(self.assignment.value)
        except CourseError as exc:
            self.submissions = {}
            self.progress.value = f"✘ {html_text(str(exc))}"
        self.anonymous = anonymity.enabled(self.course.root)
        self.numbers = anonymity.copy_numbers(self.course.root, self.submissions) if self.anonymous else None
        # anonymous: « Copie n° … » in the order of the numbers, which says nothing of the ids
        self.candidate.options = sorted(((self.shown(sid), sid) for sid in self.submissions),
                                        key=(lambda o: o[0]) if self.anonymous else (lambda o: o[1]))
        crits = sorted(set(self.maps.rubric.values()))
        self.panels = {c: CriterionPanel(self, *c) for c in crits}
        codes = sorted({c for c, _ in crits})
        self.body.children = [w.VBox([p.box for (c, _), p in self.panels.items() if c == code]) for code in codes]
        for i, code in enumerate(codes):
            self.body.set_title(i, f"{code} — {default_referential().competency(code).title[:80]}…")
        self.reload(fresh=False)

    def shown(self, candidate: str, with_id: bool = True) -> str:
        """How the form names a candidate: « Prénom Nom (id) », or « Copie n° 482913 » when grading anonymously."""
        if self.anonymous:
            return anonymity.label(self.numbers.copy_of(candidate)).capitalize()
        sub = self.submissions.get(candidate)
        name = sub.name if sub is not None else candidate
        return f"{name} ({candidate})" if with_id else name

    def recorded_as(self) -> str:
        """The candidate as the form hands them to the journal: their copy number when grading anonymously (the
        journal records the real id; its refusals then name the copy number, never the id)."""
        return self.numbers.copy_of(self.candidate.value) if self.anonymous else self.candidate.value

    def copy_folder(self) -> Path:
        """The candidate's graded copy: autograded/<id>/<assignment>, or its anonymous view (copy number only)."""
        if self.anonymous:
            with self.course.gradebook() as gb:
                names = gradebook_names(gb, self.candidate.value)
            return view_folder(self.course.root, self.numbers, self.candidate.value, self.assignment.value, names)
        return self.course.root / "autograded" / self.candidate.value / self.assignment.value

    def link(self, notebook: str, folder: Path | None = None) -> str | None:
        target = (folder or self.copy_folder()) / f"{notebook}.ipynb"
        return os.path.relpath(target, Path.cwd()) if target.exists() else None

    def documents(self, folder: Path | None = None) -> dict[str, list[tuple[str, str]]]:
        """The deliverables and written supports the candidate's notebooks produced (livrables/*.html), by competency."""
        folder = (folder or self.copy_folder()) / "livrables"
        found: dict[str, list[tuple[str, str]]] = {}
        for p in sorted(folder.glob("*.html")):
            head = p.read_text(encoding="utf-8", errors="replace")[:4000]
            code = re.search(r"compétence (C\d\.\d)", head)
            title = re.search(r"<title>(.*?)</title>", head)
            if code:
                found.setdefault(code.group(1), []).append((html.unescape(title.group(1)) if title else p.name,
                                                            os.path.relpath(p, Path.cwd())))
        return found

    def similar_pairs(self, candidate: str) -> list[SimilarPair]:
        """The listed pairs that name `candidate` (the course's similitudes.json; none if it is absent or unreadable)."""
        try:
            data = json.loads((self.course.root / "similitudes.json").read_text(encoding="utf-8"))
            pairs = [SimilarPair.from_json(p) for p in data.get("paires", [])]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return []
        return [p for p in pairs if candidate in (p.a, p.b)]

    def similarity_alert(self, candidate: str) -> str:
        pairs = self.similar_pairs(candidate)
        if not pairs:
            return ""
        names = {}
        if self.anonymous:  # the other candidate of a pair by their copy number too
            numbers = anonymity.copy_numbers(self.course.root, {c for p in pairs for c in (p.a, p.b)})
            names = {c: f"n° {numbers.copy_of(c)}" for p in pairs for c in (p.a, p.b)}
        alerts = "".join(pair_html(p, focus=candidate, names=names, heading="h4") for p in pairs)
        if self.anonymous:
            alerts = alerts.replace("la copie de n° ", "la copie n° ")
        others = ", ".join(names.get(p.other(candidate), p.other(candidate)) for p in pairs)
        return ("<div role='alert' style='border:2px solid #000;padding:6px;margin:4px 0'>"
                f"<p><b>⚠ Copie à examiner (similitudes)</b> : {len(pairs)} autre(s) copie(s) partagent des passages "
                f"distinctifs avec celle-ci : {html_text(others)}.</p>" + alerts + "</div>")

    def reload(self, fresh: bool = True) -> None:
        """Refresh the panels (fresh=False reuses the submissions load_assignment just read)."""
        if not self.candidate.value:
            if not self.progress.value.startswith("✘"):
                self.progress.value = "Aucune copie autocorrigée pour ce devoir : lancez d'abord l'autocorrection."
            return
        if fresh:
            self.submissions = self.course.read(self.assignment.value)
        sub = self.submissions[self.candidate.value]
        self.similar.value = self.similarity_alert(self.candidate.value)
        history = self.book.history(self.assignment.value, self.candidate.value)
        ratings = self.book.graders(self.assignment.value)
        who, jury, refused = self.book.name_of(self.grader.value), self.jury.value, ""
        if jury:  # every grader's level and words: for the declared jury only
            try:
                self.book.signer(who, jury=True)
            except MdpcError as exc:
                jury, refused = False, f"✘ {html_text(str(exc))} La vue du jury lui est réservée.<br>"
        self.jury_view = jury
        role = JURY if jury else GRADER
        own = {(r.competency, r.criterion): r for r in history if r.who == who and r.role == role}  # latest wins
        acc = self.accommodations.get(self.candidate.value)
        rated = exempt = divergent = 0
        folder = self.copy_folder()
        documents = self.documents(folder)
        for (code, k), panel in self.panels.items():
            eff = ratings.get((self.candidate.value, code, k))
            is_exempt = acc.is_exempt(code, k)
            notebook, _ = self.maps.rubric_cell(code, k)
            panel.refresh(sub.results.get((code, k)), eff, own.get((code, k)), is_exempt,
                          self.link(notebook, folder), documents.get(code, []))
            exempt += is_exempt
            done = (eff is not None and eff.level is not None) if jury else (code, k) in own
            rated += bool(done and not is_exempt)
            divergent += bool(jury and eff is not None and eff.state == RatingState.DIVERGENT)
        total = len(self.panels) - exempt
        whose = "niveaux retenus" if jury else (f"critères notés par {html_text(who)}" if who else "critères notés")
        name = html_text(self.shown(self.candidate.value, with_id=False))
        self.progress.value = (f"{refused}<b>{name}</b> — {whose} : {rated} / {total}, restant à noter : "
                               f"{total - rated}" + (f" ; {exempt} {CriterionStatus.EXEMPT.label}(s)" if exempt else "")
                               + (f" ; ⚠ {divergent} divergence(s) à trancher" if divergent else ""))

    def panel(self, competency: str, number: int) -> CriterionPanel:
        return self.panels[(competency, number)]

    def _ipython_display_(self):
        display(w.VBox([w.HBox([self.grader, self.jury]), w.HBox([self.assignment, self.candidate]), self.progress,
                        self.similar, self.body]))
