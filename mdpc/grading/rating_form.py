"""The graders' rubric entry form (ipywidgets), used by grilles/saisie_des_notes.ipynb.

For one candidate, every criterion shows its verbatim text, the level descriptors of its grid, the
autograded evidence and the level it proposes (the tests it rests on, their points, and why it stops at its
cap: :mod:`mdpc.core.proposals`), the answers and outputs its tests read, and a link to a read-only page of the
candidate's graded notebook at the criterion's cell (:mod:`mdpc.grading.rating_evidence`: never the notebook,
which would start a kernel on the candidate's code); one criterion is drawn by
:mod:`mdpc.grading.rating_panel` (with its comment presets), the keyboard field is :mod:`mdpc.grading.rating_keys`,
and the grading notebook finds the course with :mod:`mdpc.grading.course_finder`. The grader
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
links, which open the pages of ``copies_anonymes/<number>/…`` (:mod:`mdpc.grading.anonymous_copies`: the graded notebooks
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
from IPython.display import display

from mdpc.core.decisions import CriterionStatus
from mdpc.core.exemptions import load as load_accommodations
from mdpc.core.ratings import GRADER, JURY, RatingState
from mdpc.core.referential import default as default_referential
from mdpc.core.safe_text import html_text
from mdpc.core.similarity import SimilarPair
from mdpc.core.similarity_text import pair_html
from mdpc.errors import MdpcError
from mdpc.grading import anonymity
from mdpc.grading.anonymous_copies import gradebook_names, view_folder
from mdpc.grading.course import Course, CourseError
from mdpc.grading.course_finder import check_graded
from mdpc.grading.rating_evidence import evidence_html, render_copy
from mdpc.grading.rating_keys import KeyField
from mdpc.grading.rating_panel import CriterionPanel, overview_html
from mdpc.grading.ratings import RatingBook

_STYLE = {"description_width": "initial"}


class RubricEntry:
    """Pick an assignment and a candidate, then rate every criterion."""

    def __init__(self, cours: str | Path = ".", devoir: str | None = None, correcteur: str = "",
                 dispenses: str | Path | None = None):
        self.course = Course(check_graded(cours))  # refused before anything opens: no gradebook is ever created
        self.book = RatingBook(self.course)
        self.accommodations = load_accommodations(Path(dispenses) if dispenses else self.course.root / "dispenses.yaml")
        assignments = sorted(p.name for p in (self.course.root / "cas_pratiques").glob("B*") if p.is_dir())
        self.grader = w.Text(value=correcteur, description="Correcteur", placeholder="Prénom Nom", style=_STYLE)
        self.jury = w.Checkbox(description="Niveau final du jury (tranche une divergence)", style=_STYLE)
        self.assignment = w.Dropdown(options=assignments, value=devoir if devoir in assignments else
                                     (assignments[0] if assignments else None), description="Bloc (devoir)", style=_STYLE)
        self.candidate = w.Dropdown(description="Candidat", style=_STYLE)
        self.one_criterion = w.Checkbox(description="Un seul critère (le courant), copie après copie", style=_STYLE,
                                        layout=w.Layout(width="auto"))
        self.progress = w.HTML()
        self.overview = w.HTML()  # progress per candidate and per grader
        self.similar = w.HTML()  # the similarity alert, when the candidate is in a listed pair
        self.body = w.VBox()
        self.panels: dict[tuple[str, int], CriterionPanel] = {}
        self.headers: dict[str, w.Button] = {}
        self.sections: dict[str, w.VBox] = {}
        self.current: tuple[str, int] | None = None
        self.rated: set[tuple[str, int]] = set()
        self.exempt: set[tuple[str, int]] = set()
        self.keys = KeyField(self)
        self.jury_view = False  # the box is ticked by a member of the declared jury (jury.yaml)
        self._loading = False
        self.assignment.observe(lambda _: self.load_assignment(), names="value")
        self.wanted: str | None = None  # the candidate last chosen: selected again in every assignment that has them
        self.candidate.observe(lambda _: None if self._loading else self.choose(), names="value")
        self.grader.observe(lambda _: self.reload(fresh=False), names="value")
        self.jury.observe(lambda _: self.reload(fresh=False), names="value")
        self.one_criterion.observe(lambda _: self.layout_sections(), names="value")
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
        options = sorted(((self.shown(sid), sid) for sid in self.submissions),
                         key=(lambda o: o[0]) if self.anonymous else (lambda o: o[1]))
        self._loading = True
        try:  # the candidate last chosen stays selected from one assignment to the next; else the first
            self.candidate.options = options
            ids = [sid for _, sid in options]
            self.candidate.value = self.wanted if self.wanted in ids else (ids[0] if ids else None)
        finally:
            self._loading = False
        crits = sorted(set(self.maps.rubric.values()))
        self.panels = {c: CriterionPanel(self, *c) for c in crits}
        codes = sorted({c for c, _ in crits})
        self.headers, self.sections = {}, {}
        for code in codes:
            # a button, not an accordion title: it takes the keyboard focus (Tab) and opens with Entrée or Espace
            header = w.Button(description=f"▸ {code} — {default_referential().competency(code).title[:80]}…",
                              layout=w.Layout(width="98%"), tooltip=f"Ouvrir ou fermer la compétence {code}")
            header.add_class("mdpc-competence")
            header.on_click(lambda _, code=code: self.toggle(code))
            self.headers[code] = header
            self.sections[code] = w.VBox([p.box for (c, _), p in self.panels.items() if c == code],
                                         layout=w.Layout(display="none"))
        kept_criterion = self.current if self.current in self.panels else (crits[0] if crits else None)
        self.current = None
        self.reload(fresh=False)
        if kept_criterion:
            self.set_current(kept_criterion)
        self.layout_sections()

    def choose(self) -> None:
        self.wanted = self.candidate.value
        self.reload()

    # -- sections, current criterion, keyboard -------------------------------------------------------
    def toggle(self, code: str) -> None:
        shown = self.sections[code].layout.display != "none"
        self.sections[code].layout.display = "none" if shown else None
        self.headers[code].description = ("▸ " if shown else "▾ ") + self.headers[code].description[2:]
        if not shown and (self.current is None or self.current[0] != code):
            self.set_current(next(k for k in self.panels if k[0] == code))

    def open_section(self, code: str) -> None:
        if self.sections[code].layout.display == "none":
            self.toggle(code)

    def layout_sections(self) -> None:
        """Every competency (a header and its criteria), or only the current criterion's panel."""
        if self.one_criterion.value and self.current:
            self.body.children = [self.panels[self.current].box]
        else:
            self.body.children = [x for code in self.sections for x in (self.headers[code], self.sections[code])]

    def set_current(self, key: tuple[str, int]) -> None:
        if self.current in self.panels:
            self.panels[self.current].mark_current(False)
        self.current = key
        self.panels[key].mark_current(True)
        self.open_section(key[0])
        self.keys.show()
        self.layout_sections()

    def current_panel(self) -> CriterionPanel | None:
        return self.panels.get(self.current) if self.current else None

    def next_to_rate(self) -> str:
        """Make the next criterion still to rate (by this grader, for this candidate) the current one."""
        order = list(self.panels)
        start = order.index(self.current) + 1 if self.current in order else 0
        for key in order[start:] + order[:start]:
            if key not in self.rated and key not in self.exempt:
                self.set_current(key)
                return f"critère suivant à noter : {key[0]}, critère {key[1]}"
        return "tous les critères de cette copie sont notés"

    def step_candidate(self, step: int) -> str:
        """The next (or previous) copy, on the same criterion."""
        ids = [sid for _, sid in self.candidate.options]
        if not ids:
            return "✘ aucune copie"
        k = ids.index(self.candidate.value) + step if self.candidate.value in ids else 0
        if not 0 <= k < len(ids):
            return "dernière copie" if step > 0 else "première copie"
        self.candidate.value = ids[k]
        return html_text(self.shown(ids[k], with_id=False))

    def focus(self) -> None:
        self.keys.focus()

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

    def link(self, notebook: str, folder: Path | None = None, anchor: str = "", tests: set[str] = frozenset()) -> str | None:
        """The copy's read-only page (never the notebook itself, which would start a kernel on the candidate's
        code); with the rubric cell `anchor` and its `tests`, the criterion's page at that cell
        (:func:`mdpc.grading.rating_evidence.render_copy`)."""
        page = render_copy(self.course.root, folder or self.copy_folder(), notebook, anchor or None, tests)
        return os.path.relpath(page, Path.cwd()) + (f"#{anchor}" if anchor else "") if page else None

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
        self.rated, self.exempt = set(own), set()
        folder = self.copy_folder()
        documents = self.documents(folder)
        for (code, k), panel in self.panels.items():
            eff = ratings.get((self.candidate.value, code, k))
            is_exempt = acc.is_exempt(code, k)
            notebook, grade_id = self.maps.rubric_cell(code, k)
            tests = {g for (n, g), c in self.maps.evidence.items() if n == notebook and c == (code, k)}
            panel.refresh(sub.results.get((code, k)), eff, own.get((code, k)), is_exempt,
                          self.link(notebook, folder, grade_id, tests), documents.get(code, []),
                          evidence_html(folder, notebook, tests))
            exempt += is_exempt
            if is_exempt:
                self.exempt.add((code, k))
            done = (eff is not None and eff.level is not None) if jury else (code, k) in own
            rated += bool(done and not is_exempt)
            divergent += bool(jury and eff is not None and eff.state == RatingState.DIVERGENT)
        total = len(self.panels) - exempt
        whose = "niveaux retenus" if jury else (f"critères notés par {html_text(who)}" if who else "critères notés")
        name = html_text(self.shown(self.candidate.value, with_id=False))
        self.progress.value = (f"{refused}<b>{name}</b> — {whose} : {rated} / {total}, restant à noter : "
                               f"{total - rated}" + (f" ; {exempt} {CriterionStatus.EXEMPT.label}(s)" if exempt else "")
                               + (f" ; ⚠ {divergent} divergence(s) à trancher" if divergent else ""))
        self.overview.value = overview_html(self, self.book.history(self.assignment.value), who)
        self.keys.show()

    def panel(self, competency: str, number: int) -> CriterionPanel:
        return self.panels[(competency, number)]

    def widget(self) -> w.VBox:
        return w.VBox([w.HBox([self.grader, self.jury]), w.HBox([self.assignment, self.candidate]), self.progress,
                       self.keys.box, self.one_criterion, self.overview, self.similar, self.body])

    def _ipython_display_(self):
        display(self.widget())
        self.focus()
