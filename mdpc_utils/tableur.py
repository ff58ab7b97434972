"""The table builder: what a manager does in a spreadsheet, as a recipe of steps over the case data (issue 17).

A :class:`Tableur` starts from one of the case's tables and applies steps the candidate picks from a list:
calculate a column from a formula (:mod:`mdpc_utils.formules`), filter rows, group, join another table, sort,
keep or rename columns, index, pivot, transpose, take one column or one value. The recipe — never the result —
is saved in the answers file at every change, like a form's answers, and replayed when the notebook runs
again, in JupyterLab or at autograde. The candidate's answer cell reads ``nom = outil.resultat()``: the tool
never binds an answer name itself, so a candidate who prefers pandas replaces that line by code and earns the
same points. :meth:`Tableur.fonction` turns the recipe into a function for the questions that ask for one.

The tool computes what a spreadsheet would; which figures to compute, and what they mean, stays the candidate's.
"""

from __future__ import annotations

import html
import json
import sys

import ipywidgets as w
import pandas as pd
from IPython.display import HTML, display

from .answers import AnswerStore
from .forms import BOX, LAYOUT, STYLE, dom_class, make
from .formules import help_text
from .recette import (
    ARRANGEMENTS,
    MAX_STEPS,
    MODES,
    OPERATIONS,
    ORDERS,
    StepError,
    _frame,
    _resolve,
    preview_html,
    run_recipe,
)


def _clean_recipe(recipe: dict) -> dict:
    """A recipe as the widgets can show it, whatever the answers file held (a hand-edited file never stops the
    notebook: what is not a step is dropped, the replay says what is wrong with the rest)."""
    start = recipe.get("depart")
    steps = recipe.get("etapes")
    steps = [{str(k): v if isinstance(v, (str, int, float)) or v is None else str(v) for k, v in step.items()}
             for step in (steps if isinstance(steps, list) else []) if isinstance(step, dict)][:MAX_STEPS]
    return {"depart": start if isinstance(start, str) else None, "etapes": steps}


class Tableur:
    """A recipe-built table over ``sources`` (name → DataFrame, Series, or a tool whose result it reads)."""

    def __init__(self, notebook: str, name: str, title: str, sources: dict, *, constants: dict | None = None,
                 intro: str = "", store: AnswerStore | None = None, exemple: dict | None = None):
        """``exemple``: a recipe to start from while nothing is saved — for the lessons, which show the tools at
        work; a case never gives one (its tools start empty)."""
        self.notebook, self.name, self.title, self.intro = notebook, name, title, intro
        self.sources, self.constants = dict(sources), dict(constants or {})
        self.store = store or AnswerStore(notebook)
        saved = self.store.get(self.key)
        start = saved if isinstance(saved, dict) else exemple
        self.recipe = _clean_recipe(json.loads(json.dumps(start)) if isinstance(start, dict) else {})
        self._ui = None

    @property
    def key(self) -> str:
        return f"{self.name}.recette"

    # ---- computing -------------------------------------------------------------------------------
    def _sources(self, replaced: dict | None = None) -> dict:
        sources = {k: _resolve(v) for k, v in self.sources.items()}
        sources.update({k: _frame(v) for k, v in (replaced or {}).items()})
        return sources

    def compute(self, replaced: dict | None = None, constants: dict | None = None):
        """The recipe's result; raises StepError."""
        return run_recipe(self.recipe, self._sources(replaced), {**self.constants, **(constants or {})})

    def resultat(self):
        """The table (or series, or value) the recipe builds; None while the recipe is not started or fails
        (a one-line French notice says why)."""
        if not self.recipe.get("depart"):
            return None
        try:
            return self.compute()
        except StepError as exc:
            print(f"✘ {self.title} : {exc}", file=sys.stderr)
            return None

    def fonction(self, *parameters: str):
        """The recipe as a function of ``parameters``: a table argument replaces the source of that name, a
        dict's items become constants (also named ``<parameter>_<key>``: ``poids_notoriete`` for the key
        ``notoriete`` of ``poids``, when a column is named ``notoriete``), any other value the constant of that
        name. None while no recipe."""
        if not self.recipe.get("depart"):
            return None

        def replay(*args, **kwargs):
            if len(args) > len(parameters):
                raise TypeError(f"{len(parameters)} paramètres attendus : {', '.join(parameters)}")
            bound = dict(zip(parameters, args, strict=False)) | kwargs
            replaced, constants = {}, {}
            for name, value in bound.items():
                if isinstance(value, (pd.DataFrame, pd.Series)):
                    replaced[name] = value
                elif isinstance(value, dict):  # its items, also as <parameter>_<key> when a column has the key's name
                    constants.update(value)
                    constants.update({f"{name}_{k}": v for k, v in value.items()})
                else:
                    constants[name] = value
            return self.compute(replaced, constants)
        replay.__name__ = self.name
        replay.__doc__ = f"Recette « {self.title} » ({', '.join(parameters)})"
        return replay

    # ---- the widgets -----------------------------------------------------------------------------
    def _save(self) -> None:
        self.store.set(self.key, self.recipe)
        self._refresh()

    def _param_widget(self, i: int, step: dict, param: str, label: str, kind: str, placeholder: str):
        style, layout = STYLE, LAYOUT
        if kind == "table":
            options = [("— choisir —", None)] + [(k, k) for k in self.sources]
            widget = make(w.Dropdown, options=options, value=step.get(param) if step.get(param) in self.sources else None,
                          description=label, style=style, layout=layout)
        elif kind in ("mode", "ordre", "rangement"):
            options = {"mode": MODES, "ordre": ORDERS, "rangement": ARRANGEMENTS}[kind]
            values = [v for _, v in options]
            widget = make(w.Dropdown, options=options, value=step.get(param) if step.get(param) in values else values[0],
                          description=label, style=style, layout=layout)
            step.setdefault(param, widget.value)
        else:
            widget = make(w.Text, value=str(step.get(param) or ""), placeholder=placeholder, description=label,
                          continuous_update=False, style=style, layout=layout)

        def changed(change):
            step[param] = change["new"]
            self._save()
        widget.observe(changed, names="value")
        widget.add_class(dom_class(self.name, f"e{i + 1}", param))
        return widget

    def _move(self, i: int, delta: int):
        def click(_):
            steps = self.recipe["etapes"]
            j = i + delta
            if 0 <= j < len(steps):
                steps[i], steps[j] = steps[j], steps[i]
                self._save()
                self._draw_steps()
        return click

    def _remove(self, i: int):
        def click(_):
            del self.recipe["etapes"][i]
            self._save()
            self._draw_steps()
        return click

    def _draw_steps(self) -> None:
        rows = []
        for i, step in enumerate(self.recipe["etapes"]):
            label, params = OPERATIONS.get(step.get("op"), ("Étape inconnue", []))
            header = make(w.HTML, value=f"<strong>Étape {i + 1} — {html.escape(label)}</strong>")
            buttons = [make(w.Button, description="Monter", tooltip=f"Monter l'étape {i + 1}", icon="arrow-up"),
                       make(w.Button, description="Descendre", tooltip=f"Descendre l'étape {i + 1}", icon="arrow-down"),
                       make(w.Button, description="Supprimer", tooltip=f"Supprimer l'étape {i + 1}", icon="trash",
                            button_style="warning")]
            buttons[0].on_click(self._move(i, -1))
            buttons[1].on_click(self._move(i, 1))
            buttons[2].on_click(self._remove(i))
            for button, what in zip(buttons, ("monter", "descendre", "supprimer"), strict=True):
                button.add_class(dom_class(self.name, f"e{i + 1}", what))
            widgets = [self._param_widget(i, step, *p) for p in params]
            rows.append(make(w.VBox, children=[header, *widgets, make(w.HBox, children=buttons)],
                             layout={"border": "1px solid #bbb", "padding": "4px", "margin": "2px 0"}))
        self._ui["steps"].children = rows

    def _refresh(self) -> None:
        if self._ui is None:
            return
        if not self.recipe.get("depart"):
            text = "<p><em>Choisissez la table de départ, puis ajoutez des étapes.</em></p>"
        else:
            try:
                text = preview_html(self.compute())
            except StepError as exc:
                text = f"<p role='alert'>✘ {html.escape(str(exc))}</p>"
        self._ui["preview"].value = f"<div aria-live='polite'><h5>Résultat</h5>{text}</div>"

    def box(self):
        start = make(w.Dropdown, options=[("— choisir —", None)] + [(k, k) for k in self.sources],
                     value=self.recipe.get("depart") if self.recipe.get("depart") in self.sources else None,
                     description="Table de départ", style=STYLE)

        def start_changed(change):
            self.recipe["depart"] = change["new"]
            self._save()
        start.observe(start_changed, names="value")
        start.add_class(dom_class(self.name, "depart"))
        adder = make(w.Dropdown, options=[(label, op) for op, (label, _) in OPERATIONS.items()],
                     description="Nouvelle étape", style=STYLE)
        add = make(w.Button, description="Ajouter l'étape", icon="plus", tooltip="Ajouter l'étape choisie à la fin")

        def add_step(_):
            if len(self.recipe["etapes"]) < MAX_STEPS:
                self.recipe["etapes"].append({"op": adder.value})
                self._save()
                self._draw_steps()
        add.on_click(add_step)
        adder.add_class(dom_class(self.name, "nouvelle"))
        add.add_class(dom_class(self.name, "ajouter"))
        helper = make(w.Accordion, children=[make(w.HTML, value="<pre style='white-space:pre-wrap'>"
                                                  + html.escape(help_text()) + "</pre>")])
        helper.set_title(0, "Aide : fonctions des formules")
        helper.selected_index = None
        self._ui = {"steps": make(w.VBox), "preview": make(w.HTML)}
        self._draw_steps()
        self._refresh()
        header = make(w.HTML, value=f"<h4>{html.escape(self.title)}</h4>" + (f"<p>{html.escape(self.intro)}</p>" if self.intro else "")
                        + "<p>Tables disponibles : " + ", ".join(f"<code>{html.escape(k)}</code>" for k in self.sources)
                        + (" ; constantes : " + ", ".join(f"<code>{html.escape(k)}</code> = {html.escape(str(v))}"
                                                          for k, v in self.constants.items()) if self.constants else "")
                        + "</p>")
        return make(w.VBox, children=[header, start, self._ui["steps"], make(w.HBox, children=[adder, add]), helper,
                                      self._ui["preview"]], layout=BOX)

    def show(self) -> None:
        display(self.box())
        display(HTML(f"<p>Recette enregistrée dans <code>reponses.json</code> sous « {html.escape(self.key)} ».</p>"))

    def _ipython_display_(self):
        self.show()
