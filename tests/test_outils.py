"""The no-code tools of the kit (issue 17): formulas, recipe-built tables, editable grids.

A candidate who writes no code builds each computed answer with a :class:`~mdpc_utils.tableur.Tableur` (a recipe
of spreadsheet steps) or types it in a :class:`~mdpc_utils.grille.Grille`; the recipe and the rows are saved in
the answers file and replayed identically when the notebook runs again (autograde). Formulas come from a file
the candidate controls, so they are evaluated from a white list and bounded.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from mdpc_utils.answers import AnswerStore
from mdpc_utils.forms import Field
from mdpc_utils.formules import FormulaError, evaluate
from mdpc_utils.grille import Grille
from mdpc_utils.tableur import StepError, Tableur, run_recipe

SALES = pd.DataFrame({"commercial": ["Ana", "Ana", "Ben", "Ben", "Chloé"], "mois": [1, 2, 1, 2, 1],
                      "ventes": [10.0, 14.0, 8.0, 12.0, 20.0], "objectif": [12, 12, 10, 10, 15]})
TEAMS = pd.DataFrame({"commercial": ["Ana", "Ben", "Chloé"], "equipe": ["Nord", "Sud", "Nord"]})


def test_formulas_compute_what_a_spreadsheet_would():
    assert evaluate("ventes / objectif", SALES).round(3).tolist() == [0.833, 1.167, 0.8, 1.2, 1.333]
    assert evaluate("somme(ventes)", SALES) == 64
    assert evaluate("100 * ventes / somme(ventes, par=commercial)", SALES).round(1).tolist() == [41.7, 58.3, 40.0, 60.0, 100.0]
    assert evaluate("si(ventes >= objectif, \"atteint\", \"manqué\")", SALES).tolist() == [
        "manqué", "atteint", "manqué", "atteint", "atteint"]
    assert evaluate("grand(ventes, 2)", SALES) == 14
    assert evaluate("cumul(ventes, par=commercial)", SALES).tolist() == [10, 24, 8, 20, 20]
    assert evaluate("arrondi_sup(ventes / 3)", SALES).tolist() == [4, 5, 3, 4, 7]
    assert evaluate("pente(ventes, mois)", SALES.iloc[:2]) == pytest.approx(4.0)
    assert evaluate("[ventes] × 2 − 1", SALES).tolist() == [19, 27, 15, 23, 39]  # typographic signs accepted
    z = evaluate("(ventes - moyenne(ventes, par=mois)) / ecart_type(ventes, par=mois)", SALES)
    g = SALES.groupby("mois")["ventes"]
    assert z.round(6).tolist() == ((SALES["ventes"] - g.transform("mean")) / g.transform("std")).round(6).tolist()


@pytest.mark.parametrize("formula, message", [
    ("__import__('os').system('id')", "non autorisé"),
    ("open('/etc/passwd')", "fonction inconnue"),
    ("ventes.sum()", "non autorisé"),
    ("commercial * 100000000", "texte"),
    ("\"x\" * 10 ** 9", "texte"),
    ("((10 ** 300) ** 300) ** 300", "calcul impossible"),
    ("2 ** 100000", "exposant trop grand"),
    ("(lambda: 1)()", "non autorisé"),
    ("[x for x in ventes]", "nom inconnu"),
    ("{x for x in ventes}", "non autorisé"),
    ("ventse * 2", "nom inconnu : « ventse »"),
    ("somme(" * 200 + ")" * 200, "trop"),
])
def test_a_formula_runs_nothing_but_arithmetic_and_says_why_in_french(formula, message):
    with pytest.raises(FormulaError, match=message):
        evaluate(formula, SALES)


def test_a_recipe_filters_joins_groups_sorts_and_indexes():
    recipe = {"depart": "ventes", "etapes": [
        {"op": "joindre", "table": "equipes", "cles": "commercial", "mode": "inner"},
        {"op": "filtrer", "condition": "mois == 1"},
        {"op": "regrouper", "par": "equipe", "calculs": "ventes = somme(ventes) ; taux_pct = 100 * somme(ventes) / somme(objectif)"},
        {"op": "trier", "cles": "taux_pct", "ordre": "decroissant"},
        {"op": "index", "colonnes": "equipe"},
    ]}
    result = run_recipe(recipe, {"ventes": SALES, "equipes": TEAMS})
    assert list(result.index) == ["Nord", "Sud"]
    assert result.loc["Nord", "ventes"] == 30 and result.loc["Sud", "taux_pct"] == pytest.approx(80.0)


def test_a_failing_step_is_named():
    recipe = {"depart": "ventes", "etapes": [{"op": "calculer", "colonne": "x", "formule": "ventes / objectif"},
                                             {"op": "trier", "cles": "marge", "ordre": "decroissant"}]}
    with pytest.raises(StepError, match=r"Étape 2 \(Trier\) : nom inconnu : « marge »"):
        run_recipe(recipe, {"ventes": SALES})


def test_the_recipe_is_saved_and_replayed_from_the_answers_file(tmp_path):
    path = tmp_path / "reponses.json"
    tool = Tableur("nb", "outil", "Taux", {"ventes": SALES}, store=AnswerStore("nb", path))
    assert tool.resultat() is None and tool.fonction("ventes") is None  # a blank copy answers nothing
    tool.box()  # the widgets, as in JupyterLab
    tool.recipe["depart"] = "ventes"
    tool.recipe["etapes"].append({"op": "calculer", "colonne": "taux", "formule": "ventes / objectif"})
    tool._save()
    saved = json.loads(path.read_text(encoding="utf-8"))["nb"]["outil.recette"]
    assert saved["depart"] == "ventes" and saved["etapes"][0]["formule"] == "ventes / objectif"
    again = Tableur("nb", "outil", "Taux", {"ventes": SALES}, store=AnswerStore("nb", path))  # autograde
    assert again.resultat()["taux"].round(2).tolist() == [0.83, 1.17, 0.8, 1.2, 1.33]
    other = SALES.assign(ventes=SALES["ventes"] * 2)
    assert again.fonction("ventes")(other)["taux"].round(2).tolist() == [1.67, 2.33, 1.6, 2.4, 2.67]
    assert "taux" not in SALES.columns  # the recipe works on a copy


def test_a_broken_recipe_gives_none_and_a_french_notice(tmp_path, capsys):
    path = tmp_path / "reponses.json"
    path.write_text(json.dumps({"nb": {"outil.recette": {"depart": "ventes", "etapes": [{"op": "calculer"}]}}}))
    tool = Tableur("nb", "outil", "Taux", {"ventes": SALES}, store=AnswerStore("nb", path))
    assert tool.resultat() is None
    assert "Étape 1 (Calculer une colonne)" in capsys.readouterr().err


def test_a_tool_can_start_from_another_tools_result(tmp_path):
    store = AnswerStore("nb", tmp_path / "reponses.json")
    first = Tableur("nb", "a", "A", {"ventes": SALES}, store=store)
    first.recipe = {"depart": "ventes", "etapes": [{"op": "filtrer", "condition": "commercial == \"Ana\""}]}
    second = Tableur("nb", "b", "B", {"ana": first}, store=store)
    second.recipe = {"depart": "ana", "etapes": [{"op": "valeur", "formule": "somme(ventes)"}]}
    assert second.resultat() == 24


def test_a_grid_keeps_its_rows_and_gives_a_typed_table(tmp_path):
    path = tmp_path / "reponses.json"
    columns = [Field("canal", "Canal", "choix", options=("Salon", "Webinaire")), Field("part", "Part", "nombre")]
    grid = Grille("nb", "mix", "Mix", columns, lignes=TEAMS, fixes=("commercial",), index="commercial",
                  store=AnswerStore("nb", path))
    assert grid.resultat() is None
    grid.box()
    grid.fill([{"canal": "Salon", "part": 0.6}, {"canal": "Inconnu", "part": 0.4}])
    again = Grille("nb", "mix", "Mix", columns, lignes=TEAMS, fixes=("commercial",), index="commercial",
                   store=AnswerStore("nb", path))
    table = again.resultat()
    assert list(table.index) == ["Ana", "Ben", "Chloé"]
    assert table.loc["Ana", "canal"] == "Salon" and pd.isna(table.loc["Ben", "canal"])  # not in the list: empty
    assert table["part"].tolist()[:2] == [0.6, 0.4]
    free = Grille("nb", "libre", "Libre", columns, store=AnswerStore("nb", path))
    free.box()
    free.fill([{"canal": "Webinaire", "part": 1}, {}])
    assert len(free.resultat()) == 1  # empty rows are not answers


TASKS = pd.DataFrame({"id": ["A", "B", "C", "D"], "duree": [2, 5, 1, 2], "predecesseurs": ["", "A", "A", "B;C"]})


def test_list_lookups_read_the_rows_a_cell_names_or_that_name_it():
    assert evaluate("max_liste(duree, id, predecesseurs, 0)", TASKS).tolist() == [0, 2, 2, 5]
    assert evaluate("min_citant(duree, id, predecesseurs, 99)", TASKS).tolist() == [1, 2, 2, 99]
    assert evaluate("min_citant(duree, id, predecesseurs, duree)", TASKS).tolist() == [1, 2, 2, 2]  # per-row default
    with pytest.raises(FormulaError, match="trois colonnes"):
        evaluate("max_liste(3, id, predecesseurs)", TASKS)


def test_division_leaves_the_cell_empty_where_the_divisor_is_zero():
    frame = pd.DataFrame({"a": [1.0, 0.0, 3.0], "b": [2.0, 0.0, 0.0]})
    result = evaluate("division(a, b)", frame)
    assert result.iloc[0] == 0.5 and result.iloc[1:].isna().all()
    assert evaluate("division(1, 0)") != evaluate("division(1, 0)")  # NaN
    assert evaluate("division(a, 4)", frame).tolist() == [0.25, 0.0, 0.75]


def test_an_iterative_column_is_computed_again_until_it_no_longer_changes():
    recipe = {"depart": "taches", "etapes": [
        {"op": "iterer", "colonne": "debut", "depart": "0", "formule": "max_liste(debut + duree, id, predecesseurs, 0)"},
        {"op": "calculer", "colonne": "fin", "formule": "debut + duree"}]}
    result = run_recipe(recipe, {"taches": TASKS})
    assert result["debut"].tolist() == [0, 2, 2, 7] and result["fin"].tolist() == [2, 7, 3, 9]
    loop = {"depart": "taches", "etapes": [{"op": "iterer", "colonne": "x", "depart": "0", "formule": "x + 1"}]}
    with pytest.raises(StepError, match="ne converge pas"):
        run_recipe(loop, {"taches": TASKS})


def test_unpivoting_turns_columns_into_rows():
    wide = pd.DataFrame({"mois": ["01", "02"], "prevu": [10, 20], "realise": [8, 25]})
    recipe = {"depart": "t", "etapes": [{"op": "depivoter", "garder": "mois", "noms": "mesure", "valeurs": "valeur"},
                                        {"op": "regrouper", "par": "mesure", "calculs": "total = somme(valeur)"}]}
    result = run_recipe(recipe, {"t": wide})
    assert result.set_index("mesure")["total"].to_dict() == {"prevu": 30, "realise": 33}
    clash = {"depart": "t", "etapes": [{"op": "depivoter", "garder": "mois", "noms": "mois", "valeurs": "valeur"}]}
    with pytest.raises(StepError, match="noms différents"):
        run_recipe(clash, {"t": wide})
