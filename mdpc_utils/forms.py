"""ipywidgets forms whose answers survive autograding (ARCHITECTURE.md, contracts 3 and 9).

A form is a list of labelled fields; each field restores its value from the answers file when the
cell runs and saves every change at once. Under the widgets, a plain HTML summary of the answers is
displayed too: it stays readable in formgrader, in feedback and for screen readers.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field

import ipywidgets as w
from IPython.display import HTML, display

from .answers import AnswerStore

STYLE = {"description_width": "initial"}
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def dom_class(*parts) -> str:
    """The CSS class that names a field in the page (``mdpc-<form>-<key>``): a stable handle for a browser test, a
    user style or an assistive tool, never a value."""
    return "mdpc-" + "-".join(_UNSAFE.sub("_", str(p)) for p in parts)
LAYOUT = {"width": "95%"}
BOX = {"border": "1px solid #999", "padding": "6px"}
_SHARED: dict = {}


def shared(klass, **props):
    """One model per distinct look (a Layout or a style), shared by every widget of the kernel that has it.

    ipywidgets lets widgets share a Layout or a style: each widget refers to it by its model id. A grid of a
    hundred fields then opens a hundred models instead of three hundred; the kernel sends, the autograde reads
    and the graded copy stores a third of them. A closed model (``Widget.close_all()``) is made again."""
    key = (klass, tuple(sorted(props.items())))
    model = _SHARED.get(key)
    if model is None or model.comm is None:
        model = _SHARED[key] = klass(**props)
    return model


def make(cls, *, layout: dict | None = None, style: dict | None = None, **kw):
    """``cls(**kw)`` with a shared Layout and a shared style (:func:`shared`): never change a widget's
    ``layout`` or ``style`` in place, give it another."""
    traits = cls.class_traits()
    if "layout" in traits:
        kw["layout"] = shared(w.Layout, **(layout or {}))
    if "style" in traits:
        kw["style"] = shared(traits["style"].klass, **(style or {}))
    return cls(**kw)


@dataclass
class Field:
    """One question of a form. kind: texte, long, nombre, entier, choix, multiple, date."""

    key: str
    label: str
    kind: str = "texte"
    options: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""
    extra: dict = field(default_factory=dict)

    def make_widget(self, value, layout: dict | None = None):
        common = {"description": self.label, "style": STYLE, "layout": LAYOUT if layout is None else layout}
        if self.kind == "texte":
            return make(w.Text, value=value or "", placeholder=self.help, **common)
        if self.kind == "long":
            return make(w.Textarea, value=value or "", placeholder=self.help, rows=self.extra.get("rows", 5), **common)
        if self.kind in ("nombre", "entier"):
            cls = w.BoundedFloatText if self.kind == "nombre" else w.BoundedIntText
            lo = -1e12 if self.minimum is None else self.minimum
            hi = 1e12 if self.maximum is None else self.maximum
            start = value if isinstance(value, (int, float)) and lo <= value <= hi else max(lo, min(hi, 0))
            return make(cls, value=start, min=lo, max=hi, **common)
        if self.kind == "choix":
            options = [("— choisir —", None)] + [(str(o), o) for o in self.options]
            return make(w.Dropdown, options=options, value=value if value in self.options else None, **common)
        if self.kind == "multiple":
            chosen = tuple(v for v in (value or ()) if v in self.options)
            return make(w.SelectMultiple, options=list(self.options), value=chosen, rows=min(8, len(self.options)),
                        **common)
        if self.kind == "date":
            try:
                start = dt.date.fromisoformat(value) if value else None
            except (TypeError, ValueError):
                start = None
            return make(w.DatePicker, value=start, **common)
        raise ValueError(f"Type de champ inconnu : {self.kind}")


def _read(widget, kind):
    value = widget.value
    if kind == "multiple":
        return list(value)
    if kind == "date":
        return value.isoformat() if value else None
    return value


class Form:
    """A titled group of fields saved under ``<name>.<key>`` in the notebook's answers."""

    def __init__(self, notebook: str, name: str, title: str, fields: list[Field], *, store: AnswerStore | None = None,
                 intro: str = ""):
        self.notebook, self.name, self.title, self.fields, self.intro = notebook, name, title, fields, intro
        self.store = store or AnswerStore(notebook)
        saved = self.store.answers()
        self.widgets = {}
        for f in fields:
            widget = f.make_widget(saved.get(self.qualified(f.key)))
            widget.observe(self._saver(f), names="value")
            widget.add_class(dom_class(name, f.key))
            self.widgets[f.key] = widget
        self._summary = None

    def qualified(self, key: str) -> str:
        return f"{self.name}.{key}"

    def _saver(self, f: Field):
        def save(change):
            self.store.set(self.qualified(f.key), _read(self.widgets[f.key], f.kind))
            if self._summary is not None:
                self._summary.update(HTML(self.summary_html()))
        return save

    def values(self) -> dict:
        """The answers as plain Python values (dates as ISO strings, multiple choices as lists)."""
        return {f.key: _read(self.widgets[f.key], f.kind) for f in self.fields}

    def fill(self, **values) -> None:
        """Set answers as a candidate would by typing or clicking (each change is saved)."""
        for key, value in values.items():
            f = next(x for x in self.fields if x.key == key)
            widget = self.widgets[key]
            if f.kind == "date" and isinstance(value, str):
                value = dt.date.fromisoformat(value)
            if f.kind == "multiple":
                value = tuple(value)
            widget.value = value

    def missing(self) -> list[str]:
        """Labels of the fields left empty."""
        return [f.label for f in self.fields if self.values()[f.key] in (None, "", [], ())]

    def summary_html(self) -> str:
        rows = []
        for f in self.fields:
            v = self.values()[f.key]
            shown = ", ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else str(v))
            rows.append(f"<tr><th scope='row' style='text-align:left'>{html.escape(f.label)}</th>"
                        f"<td style='text-align:left;white-space:pre-wrap'>{html.escape(shown) or '<em>(sans réponse)</em>'}</td></tr>")
        return (f"<table><caption style='text-align:left'>Réponses enregistrées — {html.escape(self.title)}</caption>"
                f"{''.join(rows)}</table>")

    def box(self):
        header = make(w.HTML, value=f"<h4>{html.escape(self.title)}</h4>"
                      + (f"<p>{html.escape(self.intro)}</p>" if self.intro else ""))
        return make(w.VBox, children=[header, *self.widgets.values()], layout=BOX)

    def show(self) -> None:
        """Display the widgets, then a plain summary that follows every change."""
        display(self.box())
        self._summary = display(HTML(self.summary_html()), display_id=True)

    def _ipython_display_(self):
        self.show()
