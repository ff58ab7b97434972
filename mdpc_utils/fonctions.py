"""The functions a formula may call (:mod:`mdpc_utils.formules`), with their French names and help.

Each works on a column (a pandas Series: element by element, or aggregated to one value) or on plain values, as a
spreadsheet function would; ``par=`` computes per group. Nothing here knows a case: these are a spreadsheet's
functions, and which to use, on what, stays the candidate's choice.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


class FormulaError(ValueError):
    """A formula that cannot be computed; the message is French and says why."""


MAX_TEXT = 10_000  # characters of one cell: nested replacements never grow a text without bound


def _replace(text: str, old, new) -> str:
    old, new = str(old), str(new)
    if old and len(new) > len(old) and len(text) + text.count(old) * (len(new) - len(old)) > MAX_TEXT:
        raise FormulaError(f"texte trop long après remplacement ({MAX_TEXT} caractères au plus par case)")
    return text.replace(old, new)


def _aggregate(name, how):
    def fn(*args, par=None):
        if len(args) != 1:
            raise FormulaError(f"{name}() prend une colonne (et, si besoin, par=colonne)")
        x = args[0]
        if not isinstance(x, pd.Series):
            return x
        if par is not None:
            return x.groupby(_series_like(par, x)).transform(how)
        if how in ("first", "last"):  # as groupby's first and last: the first (last) value filled in
            filled = x.dropna()
            return float("nan") if filled.empty else filled.iloc[0 if how == "first" else -1]
        return getattr(x, how)()
    fn.__doc__ = name
    return fn


def _series_like(value, ref: pd.Series) -> pd.Series:
    return value if isinstance(value, pd.Series) else pd.Series(value, index=ref.index)


def _minmax(name, how, elementwise):
    agg = _aggregate(name, how)

    def fn(*args, par=None):
        if len(args) == 1:
            return agg(*args, par=par)
        if not args:
            raise FormulaError(f"{name}() demande au moins une valeur")
        result = args[0]
        for other in args[1:]:
            result = elementwise(result, other)
        return result
    return fn


def _if(condition, yes, no):
    if isinstance(condition, pd.Series):
        values = np.where(condition.fillna(False).astype(bool),
                          yes.to_numpy() if isinstance(yes, pd.Series) else yes,
                          no.to_numpy() if isinstance(no, pd.Series) else no)
        return pd.Series(values, index=condition.index)
    return yes if condition else no


def _round(x, n=0, how=None):
    n = int(n)
    if how is not None:  # as a spreadsheet: the noise of a computation (24.5 / 0.14 = 175.00000000000003) is not rounded up
        factor = 10 ** n
        scaled = x * factor if n else x
        scaled = scaled.round(9) if isinstance(scaled, pd.Series) else round(scaled, 9)
        return how(scaled) / factor if n else how(scaled)
    return x.round(n) if isinstance(x, pd.Series) else round(x, n)


def _ceil(x, n=0):
    return _round(x, n, np.ceil) if isinstance(x, pd.Series) else _round(x, n, lambda v: float(math.ceil(v)))


def _floor(x, n=0):
    return _round(x, n, np.floor) if isinstance(x, pd.Series) else _round(x, n, lambda v: float(math.floor(v)))


def _nth(largest: bool):
    def fn(x, k=1):
        k = int(k)
        values = x.dropna().sort_values(ascending=not largest) if isinstance(x, pd.Series) else pd.Series([x])
        if not 1 <= k <= len(values):
            raise FormulaError(f"rang {k} hors du tableau ({len(values)} valeurs)")
        return values.iloc[k - 1]
    return fn


def _cumul(x, par=None):
    return x.groupby(_series_like(par, x)).cumsum() if par is not None else x.cumsum()


def _previous(x, n=1, par=None):
    return x.groupby(_series_like(par, x)).shift(int(n)) if par is not None else x.shift(int(n))


def _rank(x, decroissant=True, par=None):
    if par is not None:
        return x.groupby(_series_like(par, x)).rank(ascending=not decroissant, method="min")
    return x.rank(ascending=not decroissant, method="min")


MAX_LIST_ROWS = 5_000


def _items(text) -> set[str]:
    """The elements of a list written in one cell: « T02;T03 » (or « T02, T03 »); empty cell, empty list."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return set()
    return {part.strip() for part in str(text).replace(",", ";").split(";") if part.strip()}


def _list_lookup(name: str, largest: bool):
    """For each row, the largest (smallest) value among the rows its list names (``max_liste``), or among the rows
    whose list names it (``min_citant``): a spreadsheet's MAX.SI.ENS over the keys written in a cell."""
    def fn(valeurs, cles, liste, defaut=0):
        if not all(isinstance(x, pd.Series) for x in (valeurs, cles, liste)):
            raise FormulaError(f"{name}() porte sur trois colonnes de la table : valeurs, clés et listes")
        if len(liste) > MAX_LIST_ROWS:
            raise FormulaError(f"{name}() : {MAX_LIST_ROWS} lignes au plus")
        keys, values, lists = [str(k) for k in cles], list(valeurs), [_items(x) for x in liste]
        default = list(defaut) if isinstance(defaut, pd.Series) else [defaut] * len(liste)
        out = []
        for i in range(len(lists)):
            if largest:   # rows whose key is in this row's list
                found = [v for k, v in zip(keys, values, strict=True) if k in lists[i] and not pd.isna(v)]
            else:         # rows whose list holds this row's key
                found = [v for items, v in zip(lists, values, strict=True) if keys[i] in items and not pd.isna(v)]
            out.append((max(found) if largest else min(found)) if found else default[i])
        return pd.Series(out, index=liste.index).infer_objects()
    return fn


def _division(a, b):
    """a / b, empty (NaN) where b is 0: a spreadsheet's SIERREUR(a / b ; "")."""
    if isinstance(a, pd.Series) or isinstance(b, pd.Series):
        denominator = b.where(b != 0) if isinstance(b, pd.Series) else (float("nan") if b == 0 else b)
        return a / denominator
    return float("nan") if b == 0 else a / b


def _pair(y, x):
    frame = pd.DataFrame({"y": pd.to_numeric(y), "x": pd.to_numeric(x)}).dropna()
    if len(frame) < 2 or frame["x"].nunique() < 2:
        raise FormulaError("il faut au moins deux points de x différents")
    return frame


def _slope(y, x):
    f = _pair(y, x)
    return float(np.polyfit(f["x"], f["y"], 1)[0])


def _intercept(y, x):
    f = _pair(y, x)
    return float(np.polyfit(f["x"], f["y"], 1)[1])


def _correlation(x, y):
    f = _pair(y, x)
    return float(f["x"].corr(f["y"]))


def _elementwise(fn_series, fn_scalar):
    def fn(x):
        return fn_series(x) if isinstance(x, pd.Series) else fn_scalar(x)
    return fn


def _isin(x, *values):
    values = [v for a in values for v in (a if isinstance(a, (list, tuple, set)) else [a])]  # a list given whole
    return x.isin(values) if isinstance(x, pd.Series) else x in values


def _contains(x, text):
    if isinstance(x, pd.Series):
        return x.astype(str).str.contains(str(text), case=False, regex=False)
    return str(text).lower() in str(x).lower()


def _dates(x):
    return pd.to_datetime(x)


def _year(x):
    d = _dates(x)
    return d.dt.year if isinstance(d, pd.Series) else d.year


def _month(x):
    d = _dates(x)
    return d.dt.month if isinstance(d, pd.Series) else d.month


def _days_between(start, end):
    delta = _dates(end) - _dates(start)
    return delta.dt.days if isinstance(delta, pd.Series) else delta.days


def _text(x):
    return x.astype(str) if isinstance(x, pd.Series) else str(x)


def _number(x):
    return pd.to_numeric(x, errors="coerce") if isinstance(x, pd.Series) else float(x)


def _power(x, n):
    """x ** n in floating point: a column may be the exponent, and no integer grows without bound."""
    def as_float(v):
        return pd.to_numeric(v).astype(float) if isinstance(v, pd.Series) else np.float64(v)
    with np.errstate(over="ignore", invalid="ignore"):  # too large: inf ; negative to a fraction: NaN
        return as_float(x) ** as_float(n)


def _missing():
    return float("nan")


def _empty(x):
    return x.isna() | (x.astype(str).str.strip() == "") if isinstance(x, pd.Series) else x is None or str(x).strip() == ""


# name → (function, one-line French help shown in the tools)
FUNCTIONS = {
    "somme": (_aggregate("somme", "sum"), "somme(x) : total de la colonne ; somme(x, par=g) : total de chaque groupe"),
    "moyenne": (_aggregate("moyenne", "mean"), "moyenne(x), moyenne(x, par=g)"),
    "mediane": (_aggregate("mediane", "median"), "mediane(x), mediane(x, par=g)"),
    "ecart_type": (_aggregate("ecart_type", "std"), "ecart_type(x) : écart-type d'échantillon (comme ECARTYPE)"),
    "nombre": (_aggregate("nombre", "count"), "nombre(x) : nombre de valeurs renseignées"),
    "premier": (_aggregate("premier", "first"), "premier(x) : première valeur (du groupe)"),
    "dernier": (_aggregate("dernier", "last"), "dernier(x) : dernière valeur (du groupe)"),
    "min": (_minmax("min", "min", np.minimum), "min(x) : plus petite valeur ; min(a, b) : la plus petite des deux"),
    "max": (_minmax("max", "max", np.maximum), "max(x) : plus grande valeur ; max(a, b) : la plus grande des deux"),
    "grand": (_nth(True), "grand(x, k) : k-ième plus grande valeur (comme GRANDE.VALEUR)"),
    "petit": (_nth(False), "petit(x, k) : k-ième plus petite valeur"),
    "cumul": (_cumul, "cumul(x) : somme cumulée dans l'ordre des lignes ; cumul(x, par=g)"),
    "precedent": (_previous, "precedent(x) : valeur de la ligne précédente (vide en première ligne)"),
    "rang": (_rank, "rang(x) : 1 pour la plus grande valeur ; rang(x, decroissant=False) ; rang(x, par=g)"),
    "max_liste": (_list_lookup("max_liste", True),
                  "max_liste(valeurs, cles, liste, defaut) : pour chaque ligne, la plus grande des valeurs des lignes dont la "
                  "clé figure dans sa liste (éléments séparés par « ; »), defaut si sa liste est vide — ex. la fin de ses "
                  "prédécesseurs"),
    "min_citant": (_list_lookup("min_citant", False),
                   "min_citant(valeurs, cles, liste, defaut) : pour chaque ligne, la plus petite des valeurs des lignes dont "
                   "la liste cite sa clé, defaut si aucune ne la cite — ex. le début de ses successeurs"),
    "division": (_division, "division(a, b) : a / b, case vide si b vaut 0 (comme SIERREUR(a / b ; \"\"))"),
    "si": (_if, "si(condition, valeur_si_vrai, valeur_si_faux)"),
    "abs": (_elementwise(lambda s: s.abs(), abs), "abs(x) : valeur absolue"),
    "arrondi": (_round, "arrondi(x, n) : arrondi à n décimales"),
    "arrondi_sup": (_ceil, "arrondi_sup(x) : arrondi à l'entier supérieur (comme PLAFOND)"),
    "arrondi_inf": (_floor, "arrondi_inf(x) : arrondi à l'entier inférieur"),
    "puissance": (_power, "puissance(x, n) : x à la puissance n, n pouvant être une colonne (comme PUISSANCE), "
                          "ex. flux / puissance(1 + taux, annee)"),
    "racine": (_elementwise(np.sqrt, math.sqrt), "racine(x)"),
    "log": (_elementwise(np.log, math.log), "log(x) : logarithme népérien"),
    "exp": (_elementwise(np.exp, math.exp), "exp(x)"),
    "pente": (_slope, "pente(y, x) : pente de la droite des moindres carrés de y en fonction de x"),
    "ordonnee_origine": (_intercept, "ordonnee_origine(y, x) : ordonnée à l'origine de cette droite"),
    "correlation": (_correlation, "correlation(x, y) : coefficient de corrélation de Pearson"),
    "dans": (_isin, "dans(x, \"a\", \"b\") : vrai si x vaut l'une des valeurs (ou l'une des valeurs d'une liste)"),
    "contient": (_contains, "contient(x, \"mot\") : vrai si le texte contient le mot (sans tenir compte de la casse)"),
    "na": (_missing, "na() : valeur manquante (comme NA()), ex. si(condition, valeur, na()) ; min(), somme()… l'ignorent"),
    "vide": (_elementwise(_empty, _empty), "vide(x) : vrai si la case est vide"),
    "annee": (_year, "annee(date)"),
    "mois": (_month, "mois(date)"),
    "jours_entre": (_days_between, "jours_entre(debut, fin) : nombre de jours"),
    "texte": (_text, "texte(x)"),
    "nombre_de": (_number, "nombre_de(x) : convertit un texte en nombre"),
}


# -- Text functions, as a spreadsheet's (SUPPRESPACE, MINUSCULE, SUBSTITUE, NBCAR, GAUCHE, DROITE), and a check digit --


def _texts(fn_text):
    """A text function applied to a column cell by cell (an empty cell stays an empty text) or to one value."""
    def fn(x, *args):
        if isinstance(x, pd.Series):
            return x.map(lambda v: fn_text("" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v), *args))
        return fn_text("" if x is None else str(x), *args)
    return fn


def _left(text: str, n=1) -> str:
    n = int(n)
    return text[:n] if n > 0 else ""


def _right(text: str, n=1) -> str:
    n = int(n)
    return text[-n:] if n > 0 else ""


def _luhn(text: str) -> bool:
    """Luhn check digit (SIREN, SIRET, bank cards): digits only, every second digit from the right doubled."""
    if not text.isdigit() or not text.isascii():
        return False
    total = 0
    for i, c in enumerate(reversed(text)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


FUNCTIONS.update({
    "longueur": (_texts(len), "longueur(x) : nombre de caractères du texte (comme NBCAR)"),
    "gauche": (_texts(_left), "gauche(x, n) : les n premiers caractères (comme GAUCHE)"),
    "droite": (_texts(_right), "droite(x, n) : les n derniers caractères (comme DROITE)"),
    "minuscule": (_texts(str.lower), "minuscule(x) : le texte en minuscules"),
    "majuscule": (_texts(str.upper), "majuscule(x) : le texte en majuscules"),
    "supprespace": (_texts(lambda t: " ".join(t.split())), "supprespace(x) : sans espaces au début ni à la fin, "
                                                             "un seul entre deux mots (comme SUPPRESPACE)"),
    "substitue": (_texts(_replace),
                  "substitue(x, \"ancien\", \"nouveau\") : remplace partout un texte par un autre (comme SUBSTITUE)"),
    "chiffres": (_texts(lambda t: "".join(c for c in t if c.isascii() and c.isdigit())),
                 "chiffres(x) : les seuls chiffres du texte, dans l'ordre (\"04 78-12\" donne \"047812\")"),
    "cle_luhn": (_texts(_luhn), "cle_luhn(x) : vrai si x n'a que des chiffres et que sa clé de contrôle de Luhn est "
                                "juste (SIREN, SIRET, carte bancaire)"),
})
