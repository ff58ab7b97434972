"""One criterion of the rubric entry form (:mod:`mdpc.grading.rating_form`): its text, level descriptors,
autograded evidence, the level buttons, the comment with its presets, and the save button.

Comment presets come from the criterion's grid (``grilles/competences/*.yaml``): one per level, « Niveau k —
<descriptor> ». Choosing one (or typing ``t`` in the keyboard field, :mod:`mdpc.grading.rating_keys`) writes
it into the comment box, where the grader edits it before saving; nothing is saved until they do.
"""

from __future__ import annotations

import ipywidgets as w
from IPython.display import HTML, display

from mdpc.core import proposals
from mdpc.core.grids import default_grids, default_scale
from mdpc.core.ratings import GRADER, Effective, Rating, RatingState
from mdpc.core.referential import default as default_referential
from mdpc.core.safe_text import html_text
from mdpc.errors import MdpcError

_WIDE = w.Layout(width="98%")
_STYLE = {"description_width": "initial"}
_IDLE, _CURRENT = "1px solid #bbb", "3px solid #000"


def presets(competency: str, number: int) -> list[tuple[int, str]]:
    """The comment presets of a criterion: one per level of the scale, from its grid's level descriptors."""
    grid = default_grids()[competency].criteria[number - 1]
    scale = default_scale()
    return [(k, f"Niveau {k} ({scale.levels[k]}) : {grid.descriptors[k]}") for k in sorted(scale.levels)]


class CriterionPanel:
    def __init__(self, entry, competency: str, number: int):
        self.entry, self.competency, self.number = entry, competency, number
        scale = default_scale()
        self.level = w.ToggleButtons(options=[(f"{k} {v}", k) for k, v in sorted(scale.levels.items())], value=None,
                                     description="Niveau", style={"button_width": "auto", **_STYLE})
        self.comment = w.Textarea(description="Commentaire", rows=3, layout=_WIDE, style=_STYLE)
        self.presets = presets(competency, number)
        self.preset = w.Dropdown(options=[("— commentaire type (descripteur d'un niveau) —", None)]
                                 + [(text[:140], k) for k, text in self.presets],
                                 value=None, description="Commentaire type", layout=_WIDE, style=_STYLE)
        self.preset.observe(lambda ch: self.use_preset(ch["new"]), names="value")
        self.button = w.Button(description="Enregistrer", icon="check", tooltip="Enregistrer le niveau et le commentaire")
        self.button.on_click(lambda _: self.save())
        self.message = w.HTML()
        self.info = w.Output()
        self.html = ""
        self.box = w.VBox([self.info, self.level, self.preset, self.comment, w.HBox([self.button, self.message])],
                          layout=w.Layout(border=_IDLE, padding="6px", margin="4px 0"))

    def mark_current(self, current: bool) -> None:
        """The criterion the keyboard acts on is framed in a thick border (and named in the keyboard field)."""
        self.box.layout.border = _CURRENT if current else _IDLE

    def use_preset(self, level: int | None) -> None:
        """Write the preset of `level` into the comment box, to be edited before saving (None: nothing)."""
        if level is None:
            return
        text = dict(self.presets)[level]
        self.comment.value = text
        self.preset.value = None

    def refresh(self, result, effective: Effective | None, own: Rating | None, exempt: bool, link: str | None,
                documents: list[tuple[str, str]] = (), evidence_extra: str = "") -> None:
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
            f"{evidence}{evidence_extra}<p>{current}</p>"
            + (f"<p><a href='{html_text(link)}' target='_blank'>Ouvrir la copie à ce critère (lecture seule, sans noyau)"
               "</a></p>" if link else "")
            + "".join(f"<p>📄 <a href='{html_text(path)}' target='_blank'>{html_text(name)}</a> (document produit "
                      "par le candidat)</p>" for name, path in documents))
        self.info.clear_output()
        with self.info:
            display(HTML(self.html))
        for widget in (self.level, self.comment, self.button, self.preset):
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




def overview_html(entry, ratings_rows, who: str) -> str:
    """Progress per candidate (criteria `who` rated / to rate, exemptions left out) and per grader (how many
    criteria each signed: a count, never a level — double marking stays blind)."""
    criteria = set(entry.panels)
    mine: dict[str, set] = {}
    per_grader: dict[str, set] = {}
    for r in ratings_rows:
        if r.role != GRADER:
            continue
        per_grader.setdefault(r.who, set()).add((r.candidate, r.competency, r.criterion))
        if r.who == who:
            mine.setdefault(r.candidate, set()).add((r.competency, r.criterion))
    rows = ""
    for _, sid in entry.candidate.options:
        acc = entry.accommodations.get(sid)
        to_rate = {key for key in criteria if not acc.is_exempt(*key)}
        rows += (f"<tr><td>{html_text(entry.shown(sid, with_id=False))}</td>"
                 f"<td>{len(mine.get(sid, set()) & to_rate)} / {len(to_rate)}</td></tr>")
    graders = "".join(f"<li>{html_text(name)} : {len(done)} critère(s) noté(s)</li>"
                      for name, done in sorted(per_grader.items()))
    return ("<details><summary>Progression par copie et par correcteur</summary>"
            f"<table><tr><th scope='col'>Copie</th><th scope='col'>Vos critères notés</th></tr>{rows}</table>"
            f"<ul>{graders or '<li>Aucune note encore.</li>'}</ul></details>")
