"""Editable grids: the tabular answers a manager writes — a plan, a schedule, a RACI, a skills plan (issue 17).

A :class:`Grille` shows one line of fields per row, built with the form fields of :mod:`mdpc_utils.forms`
(text, number, choice from a list built from the data, date), each with its label, so that the keyboard and a
screen reader reach every cell. Rows are either given (the ``lignes`` of a table, whose ``fixes`` columns are
shown and not edited: one row per segment, per task…; with ``preremplir``, the editable columns start from the
values of ``lignes`` that bear their name, as a draft to amend) or free (rows added and removed by buttons). Every change
is saved in the answers file at once and read back when the cell runs again; :meth:`Grille.resultat` gives the
table, or None while nothing is entered, and the answer cell reads ``nom = grille.resultat()``.
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd
from IPython.display import HTML, display

from .answers import AnswerStore
from .forms import BOX, Field, _read, dom_class, make

MAX_ROWS = 60


def _blank(value, kind: str) -> bool:
    return value in (None, "", [], ()) or (kind in ("nombre", "entier") and value == 0)


class Grille:
    """A table the candidate fills in, saved under ``<name>.lignes``."""

    def __init__(self, notebook: str, name: str, title: str, colonnes: list[Field], *,
                 lignes: pd.DataFrame | list[dict] | None = None, fixes: tuple = (), nb_lignes: int = 5,
                 index: str | None = None, intro: str = "", preremplir: bool = False, store: AnswerStore | None = None):
        self.notebook, self.name, self.title, self.intro, self.index = notebook, name, title, intro, index
        self.columns = list(colonnes)
        self.fixed_rows = pd.DataFrame(lignes).reset_index(drop=True) if lignes is not None else None
        self.fixed = tuple(fixes)
        self.store = store or AnswerStore(notebook)
        saved = self.store.get(self.key)
        self.rows: list[dict] = [r for r in saved if isinstance(r, dict)][:MAX_ROWS] if isinstance(saved, list) else []
        self.saved = isinstance(saved, list)
        wanted = len(self.fixed_rows) if self.fixed_rows is not None else max(nb_lignes, len(self.rows))
        self.rows += [{} for _ in range(wanted - len(self.rows))]
        if self.fixed_rows is not None:
            self.rows = self.rows[:wanted]
            if preremplir:  # a draft: a value never entered starts from the given rows (nothing is saved yet)
                for i, row in enumerate(self.rows):
                    for f in self.columns:
                        if f.key not in row and f.key in self.fixed_rows.columns:
                            value = self.fixed_rows.loc[i, f.key]
                            row[f.key] = None if pd.isna(value) else value.item() if hasattr(value, "item") else value
        self._body = None

    @property
    def key(self) -> str:
        return f"{self.name}.lignes"

    def _clean(self, row: dict) -> dict:
        out = {}
        for f in self.columns:
            value = row.get(f.key)
            if f.kind == "choix" and value not in f.options:
                value = None
            elif f.kind in ("nombre", "entier") and not isinstance(value, (int, float)):
                value = None
            elif f.kind == "multiple":
                value = [v for v in (value or []) if v in f.options] if isinstance(value, list) else []
            elif f.kind in ("texte", "long", "date") and value is not None and not isinstance(value, str):
                value = str(value)
            out[f.key] = value
        return out

    def resultat(self) -> pd.DataFrame | None:
        """The grid as a table (fixed columns first); None while nothing was entered."""
        if not self.saved:
            return None
        records = []
        for i, row in enumerate(self.rows):
            values = self._clean(row)
            if self.fixed_rows is None and all(_blank(values[f.key], f.kind) for f in self.columns):
                continue
            fixed = {c: self.fixed_rows.loc[i, c] for c in self.fixed} if self.fixed_rows is not None else {}
            records.append(fixed | values)
        if not records:
            return None
        table = pd.DataFrame(records, columns=[*self.fixed, *(f.key for f in self.columns)])
        table = table.infer_objects()
        return table.set_index(self.index) if self.index in table.columns else table

    def _save(self) -> None:
        self.saved = True
        self.store.set(self.key, [self._clean(r) for r in self.rows])
        if self._summary is not None:
            self._summary.update(HTML(self.summary_html()))

    def _cell(self, row: dict, f: Field, label: str, i: int):
        # a hand-edited answers file never stops the notebook (_clean)
        widget = f.make_widget(self._clean(row)[f.key], layout={"width": f.extra.get("width", "auto")})
        widget.add_class(dom_class(self.name, f"l{i}", f.key))
        if self.fixed_rows is not None and f.kind in ("nombre", "entier") and self._clean(row)[f.key] is None:
            row[f.key] = widget.value  # what the field shows (its minimum) is what the grid saves, not « empty »
        widget.description = label

        def changed(change):
            row[f.key] = _read(widget, f.kind)
            self._save()
        widget.observe(changed, names="value")
        return widget

    def _draw(self) -> None:
        lines = []
        for i, row in enumerate(self.rows):
            if self.fixed_rows is not None:
                name = " · ".join(str(self.fixed_rows.loc[i, c]) for c in self.fixed)
                head = make(w.HTML, value=f"<strong>{html.escape(name)}</strong>")
            else:
                name = f"ligne {i + 1}"
                head = make(w.HTML, value=f"<strong>Ligne {i + 1}</strong>")
            cells = [self._cell(row, f, f"{f.label} ({name})" if f.extra.get("long_label") else f.label, i)
                     for f in self.columns]
            lines.append(make(w.VBox, children=[head, make(w.HBox, children=cells, layout={"flex_flow": "row wrap"})],
                              layout={"border_bottom": "1px solid #ddd", "padding": "2px 0"}))
        self._body.children = lines

    def box(self):
        self._body = make(w.VBox)
        self._draw()
        parts = [make(w.HTML, value=f"<h4>{html.escape(self.title)}</h4>"
                      + (f"<p>{html.escape(self.intro)}</p>" if self.intro else "")),
                 self._body]
        if self.fixed_rows is None:
            add = make(w.Button, description="Ajouter une ligne", icon="plus")
            remove = make(w.Button, description="Retirer la dernière ligne", icon="minus")
            add.add_class(dom_class(self.name, "ajouter"))
            remove.add_class(dom_class(self.name, "retirer"))

            def added(_):
                if len(self.rows) < MAX_ROWS:
                    self.rows.append({})
                    self._draw()

            def removed(_):
                if self.rows:
                    self.rows.pop()
                    self._save()
                    self._draw()
            add.on_click(added)
            remove.on_click(removed)
            parts.append(make(w.HBox, children=[add, remove]))
        return make(w.VBox, children=parts, layout=BOX)

    def summary_html(self) -> str:
        table = self.resultat()
        if table is None:
            return f"<p>{html.escape(self.title)} : <em>(rien de saisi)</em></p>"
        return (f"<p>Grille enregistrée — {html.escape(self.title)} ({len(table)} lignes)</p>"
                + table.to_html(border=0))

    _summary = None

    def show(self) -> None:
        display(self.box())
        self._summary = display(HTML(self.summary_html()), display_id=True)

    def _ipython_display_(self):
        self.show()

    def fill(self, rows: list[dict]) -> None:
        """Enter rows as a candidate would (tests and demo); each row's values by column key."""
        for i, values in enumerate(rows):
            if i >= len(self.rows):
                self.rows.append({})
            self.rows[i].update(values)
        self._save()
