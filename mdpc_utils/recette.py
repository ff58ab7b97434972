"""The steps of a no-code table recipe (issue 17) and how a recipe is replayed: :class:`mdpc_utils.tableur.Tableur`
shows them as widgets, this module computes them.

A recipe is plain data, ``{"depart": table, "etapes": [{"op": …, parameters…}, …]}``, read back from the answers
file: every step is checked and bounded, and every formula goes through :mod:`mdpc_utils.formules`.
"""

from __future__ import annotations

import html

import pandas as pd

from .formules import Formula, FormulaError

MAX_STEPS = 40
MAX_ROWS = 200_000
PREVIEW_ROWS = 15

# op → (French label, [(parameter, label, kind, placeholder)]) ; kind: texte, table, mode, ordre
OPERATIONS = {
    "calculer": ("Calculer une colonne", [("colonne", "Nom de la colonne", "texte", "ex. score"),
                                          ("formule", "Formule", "texte", "ex. impact * probabilite")]),
    "filtrer": ("Filtrer les lignes", [("condition", "Garder les lignes où", "texte", "ex. part_pct >= 10")]),
    "regrouper": ("Regrouper", [("par", "Regrouper par (colonnes séparées par des virgules)", "texte", "ex. departement"),
                                ("calculs", "Calculs par groupe (nom = formule ; …)", "texte",
                                 "ex. total = somme(ventes) ; clients = nombre(client)")]),
    "joindre": ("Joindre une autre table", [("table", "Table à joindre", "table", ""),
                                           ("cles", "Colonnes communes (séparées par des virgules)", "texte", "ex. secteur, taille"),
                                           ("mode", "Lignes gardées", "mode", "")]),
    "trier": ("Trier", [("cles", "Trier par (formules séparées par des virgules)", "texte", "ex. score"),
                        ("ordre", "Ordre", "ordre", "")]),
    "colonnes": ("Garder des colonnes", [("colonnes", "Colonnes gardées, dans l'ordre (séparées par des virgules)", "texte", "")]),
    "renommer": ("Renommer des colonnes", [("noms", "Nouveaux noms (ancien = nouveau ; …)", "texte", "ex. ca = chiffre_affaires")]),
    "index": ("Mettre une colonne en index", [("colonnes", "Colonne(s) de l'index", "texte", "ex. departement")]),
    "sans_index": ("Remettre l'index en colonne", []),
    "premieres": ("Garder les premières lignes", [("nombre", "Nombre de lignes", "texte", "ex. 5")]),
    "croiser": ("Tableau croisé", [("lignes", "En lignes (colonne)", "texte", "ex. zone"),
                                  ("colonnes", "En colonnes (colonne)", "texte", "ex. secteur"),
                                  ("valeur", "Valeur de chaque case (formule par groupe)", "texte", "ex. somme(marche_eur)")]),
    "transposer": ("Transposer (lignes ↔ colonnes)", []),
    "colonne_seule": ("Ne garder qu'une colonne (série)", [("colonne", "Colonne", "texte", "")]),
    "valeur": ("Calculer une valeur unique", [("formule", "Formule", "texte", "ex. somme(part_pct ** 2)")]),
    "rechercher": ("Chercher une valeur dans une autre table (comme RECHERCHEV)", [
        ("table", "Table où chercher (dans sa première colonne)", "table", ""),
        ("cle", "Valeur cherchée (formule sur la table en cours)", "texte", "ex. segment"),
        ("colonne", "Nom de la nouvelle colonne", "texte", "ex. clients_cible"),
        ("numero", "Numéro de la colonne renvoyée (2 si vide)", "texte", "2")]),
    "dedoublonner": ("Supprimer les doublons (garder la première ligne)", [
        ("colonnes", "Colonnes qui repèrent un doublon (séparées par des virgules)", "texte", "ex. email")]),
    "fiche": ("Calculer plusieurs valeurs (une fiche : nom → valeur)", [
        ("calculs", "Valeurs (nom = formule ; …), chacune peut reprendre les précédentes", "texte",
         "ex. total = somme(ventes) ; part = total / 1000")]),
    "liste": ("Calculer plusieurs valeurs (une liste, dans l'ordre)", [
        ("calculs", "Valeurs (nom = formule ; …), chacune peut reprendre les précédentes", "texte",
         "ex. total = somme(ventes) ; moyenne = moyenne(ventes)")]),
}
MODES = [("lignes présentes dans les deux tables", "inner"), ("toutes les lignes de la table en cours", "left")]
ORDERS = [("décroissant", "decroissant"), ("croissant", "croissant")]


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
        return values.unstack(cols)
    if op == "transposer":
        return table.T.infer_objects()
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
