"""The steps of a no-code table recipe (issue 17) and how a recipe is replayed: :class:`mdpc_utils.tableur.Tableur`
shows them as widgets, this module computes them.

A recipe is plain data, ``{"depart": table, "etapes": [{"op": …, parameters…}, …]}``, read back from the answers
file: every step is checked and bounded, and every formula goes through :mod:`mdpc_utils.formules`.
"""

from __future__ import annotations

import html

import pandas as pd

from .etapes import ARRANGEMENTS, MODES, OPERATIONS, ORDERS  # noqa: F401 (the tool reads them here)
from .formules import Formula, FormulaError

MAX_STEPS = 40
MAX_ITERATIONS = 100
MAX_ROWS = 200_000
PREVIEW_ROWS = 15


class StepError(FormulaError):
    """A step that cannot be applied: the message names the step."""


def _names(text: str) -> list[str]:
    return [n.strip() for n in (text or "").split(",") if n.strip()]


def _column(table: pd.DataFrame, name: str):
    for c in table.columns:
        if str(c) == name:
            return c
    raise FormulaError(f"colonne inconnue : « {name} » (colonnes : {', '.join(map(str, table.columns))})")


def _pairs(text: str, what: str) -> list[tuple[str, str]]:
    pairs = []
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        name, sep, rest = part.partition("=")
        if not sep or not name.strip() or not rest.strip():
            raise FormulaError(f"écrivez chaque {what} sous la forme « nom = … », séparés par des points-virgules")
        pairs.append((name.strip(), rest.strip()))
    if not pairs:
        raise FormulaError(f"aucun {what} indiqué")
    return pairs


def _group_values(table, keys, formula: Formula, constants):
    """One value per group of ``keys`` (a Series indexed by the groups)."""
    values = {}
    for key, part in table.groupby(keys, sort=True, dropna=False):
        value = formula.evaluate(part, constants)
        if isinstance(value, pd.Series):
            raise FormulaError(f"« {formula.text} » donne une colonne, pas une valeur par groupe : "
                               "utilisez somme(), moyenne(), nombre()…")
        values[key] = value
    index = pd.MultiIndex.from_tuples(values, names=keys) if len(keys) > 1 else pd.Index(
        [k[0] if isinstance(k, tuple) else k for k in values], name=keys[0])
    return pd.Series(list(values.values()), index=index, dtype=object).infer_objects()


def _one_value(table, formula: Formula, constants):
    """One value computed on a whole table (a total)."""
    value = formula.evaluate(table, constants)
    if isinstance(value, pd.Series):
        raise FormulaError(f"« {formula.text} » donne une colonne, pas une valeur : utilisez somme(), moyenne(), "
                           "nombre()…")
    return value


def _looked_up(table, other, keys: list[str], formula: Formula, constants):
    """For each row of ``table``, ``formula`` computed on the rows of ``other`` with the same ``keys`` (all of
    ``other`` without keys), as SOMME.SI.ENS does: a row with no match gets the formula on no row (0 for a sum)."""
    if not keys:
        return _one_value(other, formula, constants)
    per_group = _group_values(other, [_column(other, k) for k in keys], formula, constants)
    try:
        nothing = _one_value(other.iloc[0:0], formula, constants)
    except FormulaError:
        nothing = float("nan")
    mine = [_column(table, k) for k in keys]
    wanted = pd.MultiIndex.from_frame(table[mine]) if len(mine) > 1 else pd.Index(table[mine[0]])
    found = wanted.isin(per_group.index)
    values = per_group.reindex(wanted[found])
    out = pd.Series([nothing] * len(table), index=table.index, dtype=object)
    out[found] = values.to_numpy()
    return out.infer_objects()


def apply_step(table, step: dict, sources: dict, constants: dict):
    """Apply one step of a recipe; raises FormulaError (French) when it cannot be applied."""
    op = step.get("op")
    if not isinstance(table, pd.DataFrame):
        raise FormulaError("cette étape demande un tableau : la précédente a produit une série ou une valeur")
    if op == "calculer":
        name = (step.get("colonne") or "").strip()
        if not name:
            raise FormulaError("donnez un nom à la colonne")
        value = Formula(step.get("formule")).evaluate(table, constants)
        out = table.copy()
        out[name] = value
        return out
    if op == "iterer":
        return _iterate(table, step, constants)
    if op == "filtrer":
        mask = Formula(step.get("condition")).evaluate(table, constants)
        if not isinstance(mask, pd.Series):
            raise FormulaError("la condition doit porter sur une colonne (ex. part_pct >= 10)")
        return table[mask.fillna(False).astype(bool)]
    if op == "regrouper":
        keys = [_column(table, k) for k in _names(step.get("par"))]
        if not keys:
            raise FormulaError("indiquez au moins une colonne de regroupement")
        columns = {name: _group_values(table, keys, Formula(text), constants)
                   for name, text in _pairs(step.get("calculs"), "calcul")}
        return pd.DataFrame(columns).reset_index()
    if op == "totaliser":
        return pd.DataFrame({name: [_one_value(table, Formula(text), constants)]
                             for name, text in _pairs(step.get("calculs"), "total")})
    if op == "resumer":
        other = sources.get(step.get("table"))
        if not isinstance(other, pd.DataFrame):
            raise FormulaError("choisissez l'autre table")
        keys = _names(step.get("cles"))
        for k in keys:
            _column(table, k), _column(other, k)
        out = table.copy()
        for name, text in _pairs(step.get("calculs"), "calcul"):
            out[name] = _looked_up(table, other, keys, Formula(text), constants)
        return out
    if op == "joindre":
        other = sources.get(step.get("table"))
        if not isinstance(other, pd.DataFrame):
            raise FormulaError("choisissez la table à joindre")
        keys = _names(step.get("cles"))
        if not keys:
            raise FormulaError("indiquez les colonnes communes aux deux tables")
        for k in keys:
            _column(table, k), _column(other, k)
        how = step.get("mode") if step.get("mode") in ("inner", "left") else "inner"
        out = table.merge(other, on=keys, how=how, suffixes=("", "_2"))
        if len(out) > MAX_ROWS:
            raise FormulaError(f"la jointure donne {len(out)} lignes : vérifiez les colonnes communes")
        return out
    if op == "trier":
        formulas = _names(step.get("cles"))
        if not formulas:
            raise FormulaError("indiquez par quoi trier")
        keys = pd.DataFrame({f"_k{i}": Formula(f).evaluate(table, constants) for i, f in enumerate(formulas)},
                            index=table.index)
        order = keys.sort_values(list(keys.columns), ascending=step.get("ordre") == "croissant", kind="stable").index
        return table.loc[order]
    if op == "colonnes":
        names = _names(step.get("colonnes"))
        if not names:
            raise FormulaError("indiquez les colonnes à garder")
        return table[[_column(table, n) for n in names]]
    if op == "renommer":
        pairs = _pairs(step.get("noms"), "nom")
        return table.rename(columns={_column(table, old): new for old, new in pairs})
    if op == "index":
        names = [_column(table, n) for n in _names(step.get("colonnes"))]
        if not names:
            raise FormulaError("indiquez la colonne de l'index")
        return table.set_index(names)
    if op == "sans_index":
        return table.reset_index(drop=table.index.name is None and not isinstance(table.index, pd.MultiIndex))
    if op == "premieres":
        try:
            n = int(str(step.get("nombre") or "").strip())
        except ValueError:
            raise FormulaError("indiquez un nombre entier de lignes") from None
        return table.head(n)
    if op == "croiser":
        rows, cols = _column(table, (step.get("lignes") or "").strip()), _column(table, (step.get("colonnes") or "").strip())
        values = _group_values(table, [rows, cols], Formula(step.get("valeur")), constants)
        out = values.unstack(cols)
        if step.get("rangement") == "apparition":  # rows and columns in the order they first appear in the table
            out = out.reindex(index=pd.Index(pd.unique(table[rows]), name=rows),
                              columns=pd.Index(pd.unique(table[cols]), name=cols))
        return out
    if op == "transposer":
        return table.T.infer_objects()
    if op == "depivoter":
        keep = [_column(table, n) for n in _names(step.get("garder"))]
        names, values = (step.get("noms") or "").strip() or "colonne", (step.get("valeurs") or "").strip() or "valeur"
        if names == values or names in map(str, keep) or values in map(str, keep):
            raise FormulaError("donnez aux deux nouvelles colonnes des noms différents de ceux des colonnes gardées")
        if len(table) * max(1, table.shape[1] - len(keep)) > MAX_ROWS:
            raise FormulaError(f"le résultat dépasserait {MAX_ROWS} lignes")
        return table.melt(id_vars=keep, var_name=names, value_name=values)
    if op == "colonne_seule":
        return table[_column(table, (step.get("colonne") or "").strip())]
    if op == "valeur":
        value = Formula(step.get("formule")).evaluate(table, constants)
        if isinstance(value, pd.Series):
            raise FormulaError("la formule donne une colonne : utilisez somme(), moyenne(), max()… pour une valeur")
        return value.item() if hasattr(value, "item") else value
    if op == "rechercher":
        return _lookup(table, step, sources, constants)
    if op == "dedoublonner":
        names = [_column(table, n) for n in _names(step.get("colonnes"))]
        if not names:
            raise FormulaError("indiquez les colonnes qui repèrent un doublon")
        return table.drop_duplicates(subset=names, keep="first")
    if op in ("fiche", "liste"):
        values = {}
        for name, text in _pairs(step.get("calculs"), "calcul"):
            shadowed = table.drop(columns=[c for c in table.columns if str(c) in values])  # a value named before wins
            value = Formula(text).evaluate(shadowed, {**constants, **values})
            if isinstance(value, pd.Series):
                raise FormulaError(f"« {text} » donne une colonne : utilisez somme(), moyenne(), max()… pour une valeur")
            values[name] = value.item() if hasattr(value, "item") else value
        return values if op == "fiche" else tuple(values.values())
    raise FormulaError(f"étape inconnue : {op!r}")


def _iterate(table: pd.DataFrame, step: dict, constants: dict) -> pd.DataFrame:
    """A spreadsheet's iterative calculation: the column starts from a formula, then a formula that may read the
    column itself is computed again until the column no longer changes."""
    name = (step.get("colonne") or "").strip()
    if not name:
        raise FormulaError("donnez un nom à la colonne")
    out = table.copy()
    out[name] = Formula(step.get("depart")).evaluate(out, constants)
    formula = Formula(step.get("formule"))
    for _ in range(MAX_ITERATIONS):
        new = formula.evaluate(out, constants)
        new = new if isinstance(new, pd.Series) else pd.Series(new, index=out.index)
        old = out[name]
        same = (new == old) | (new.isna() & old.isna())
        out[name] = new
        if bool(same.all()):
            return out
    raise FormulaError(f"la colonne « {name} » change encore après {MAX_ITERATIONS} calculs : la formule "
                       "ne converge pas (une boucle dans les données ?)")


def _lookup(table, step: dict, sources: dict, constants: dict):
    """VLOOKUP: the value of each row's key found in the first column of another table (first match; empty when
    not found), taken from that table's column of the given number."""
    other = sources.get(step.get("table"))
    if not isinstance(other, pd.DataFrame):
        raise FormulaError("choisissez la table où chercher" if step.get("table") not in sources
                           else f"la table « {step.get('table')} » n'est pas encore calculée")
    name = (step.get("colonne") or "").strip()
    if not name:
        raise FormulaError("donnez un nom à la nouvelle colonne")
    text = str(step.get("numero") or "").strip() or "2"
    try:
        number = int(text)
    except ValueError:
        raise FormulaError("indiquez le numéro de la colonne renvoyée (2 pour la deuxième)") from None
    if not 1 <= number <= other.shape[1]:
        raise FormulaError(f"la table « {step.get('table')} » a {other.shape[1]} colonnes : numéro {number} impossible")
    found = pd.Series(other.iloc[:, number - 1].to_numpy(), index=other.iloc[:, 0].to_numpy())
    found = found[~found.index.duplicated(keep="first")]
    key = Formula(step.get("cle")).evaluate(table, constants)
    out = table.copy()
    out[name] = key.map(found) if isinstance(key, pd.Series) else found.get(key)
    return out


def run_recipe(recipe: dict, sources: dict, constants: dict | None = None):
    """The result of a recipe: a table, a series or a value; raises StepError naming the failing step."""
    start = recipe.get("depart")
    if start not in sources:
        raise StepError("choisissez la table de départ")
    if not isinstance(sources[start], pd.DataFrame):
        raise StepError(f"la table de départ « {start} » n'est pas encore calculée : répondez d'abord à la question "
                        "qui la construit, puis exécutez de nouveau cette cellule")
    steps = recipe.get("etapes") or []
    if not isinstance(steps, list) or len(steps) > MAX_STEPS:
        raise StepError(f"recette illisible ou trop longue ({MAX_STEPS} étapes au plus)")
    result = sources[start].copy()
    for i, step in enumerate(steps, 1):
        if not isinstance(step, dict):
            raise StepError(f"étape {i} illisible")
        label = OPERATIONS.get(step.get("op"), ("?",))[0]
        try:
            result = apply_step(result, step, sources, constants or {})
        except FormulaError as exc:
            raise StepError(f"Étape {i} ({label}) : {exc}") from None
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            raise StepError(f"Étape {i} ({label}) : calcul impossible ({exc.__class__.__name__} : {str(exc)[:120]})") from None
    return result


def _frame(value):
    """A source as a table: a Series becomes a table with its index as a column."""
    if isinstance(value, pd.Series):
        return value.rename(value.name if value.name is not None else "valeur").reset_index()
    return value


def _resolve(source):
    if hasattr(source, "resultat"):
        source = source.resultat()
    elif callable(source):
        source = source()
    return _frame(source)


def preview_html(value) -> str:
    """An accessible HTML view of a result (first rows of a table, a series, or a value)."""
    if isinstance(value, pd.Series):
        value = value.to_frame()
    if isinstance(value, pd.DataFrame):
        shown = value.head(PREVIEW_ROWS).round(4)
        more = f"<p>… {len(value) - PREVIEW_ROWS} lignes de plus.</p>" if len(value) > PREVIEW_ROWS else ""
        return f"<p>{len(value)} lignes × {value.shape[1]} colonnes</p>" + shown.to_html(border=0) + more
    if isinstance(value, dict):
        rows = "".join(f"<tr><th scope='row'>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                       for k, v in value.items())
        return f"<p>Fiche de {len(value)} valeurs</p><table>{rows}</table>"
    if isinstance(value, tuple):
        return "<p>Valeurs : <strong>" + html.escape(" ; ".join(map(str, value))) + "</strong></p>"
    return f"<p>Valeur : <strong>{html.escape(str(value))}</strong></p>"
