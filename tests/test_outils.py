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
    assert evaluate("arrondi_sup(24.5 / (0.7 * 0.2))") == 175 and evaluate("arrondi_inf(0.1 * 3 * 10)") == 3  # no noise
    assert evaluate("arrondi_sup(x / (0.7 * 0.2))", pd.DataFrame({"x": [24.5, 24.51]})).tolist() == [175, 176]
    assert evaluate("pente(ventes, mois)", SALES.iloc[:2]) == pytest.approx(4.0)
    assert evaluate("[ventes] × 2 − 1", SALES).tolist() == [19, 27, 15, 23, 39]  # typographic signs accepted
    z = evaluate("(ventes - moyenne(ventes, par=mois)) / ecart_type(ventes, par=mois)", SALES)
    g = SALES.groupby("mois")["ventes"]
    assert z.round(6).tolist() == ((SALES["ventes"] - g.transform("mean")) / g.transform("std")).round(6).tolist()


def test_powers_missing_values_and_first_values_as_in_a_spreadsheet():
    """puissance() takes a column as exponent (discounting), na() leaves a cell empty, premier()/dernier() read the
    first and last values filled in, as their per-group forms do."""
    years = pd.DataFrame({"annee": [0, 1, 2], "flux": [-100.0, 60.0, 60.0], "g": ["a", "b", "a"]})
    assert evaluate("somme(flux / puissance(1 + 0.1, annee))", years) == pytest.approx(-100 + 60 / 1.1 + 60 / 1.21)
    assert evaluate("puissance(2, 10)", years) == 1024
    assert evaluate("min(si(flux > 100, annee, na()))", years) != evaluate("min(si(flux > 100, annee, na()))", years)  # NaN
    assert evaluate("si(flux > 0, annee, na())", years).isna().tolist() == [True, False, False]
    assert evaluate("premier(si(flux > 0, annee, na()))", years) == 1
    assert evaluate("dernier(flux)", years) == 60 and evaluate("premier(flux, par=g)", years).tolist() == [-100, 60, -100]
    assert evaluate("puissance(10, 400)", years) == float("inf")  # a float: no unbounded integer


@pytest.mark.parametrize("formula, message", [
    ("__import__('os').system('id')", "non autorisé"),
    ("open('/etc/passwd')", "fonction inconnue"),
    ("ventes.sum()", "non autorisé"),
    ("commercial * 100000000", "texte"),
    ("\"x\" * 10 ** 9", "texte"),
    ("((10 ** 300) ** 300) ** 300", "calcul impossible"),
    ("2 ** 100000", "exposant trop grand"),
    ("substitue(substitue(substitue(substitue(substitue(texte(ventes), \"1\", \"1111111111\"), \"1\", \"1111111111\"), "
     "\"1\", \"1111111111\"), \"1\", \"1111111111\"), \"1\", \"1111111111\")", "texte trop long"),
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


@pytest.mark.parametrize("saved", ["texte", {"depart": ["x"], "etapes": "abc"}, {"depart": "ventes", "etapes": [1, None,
                                   {"op": "calculer", "colonne": {"a": 1}, "formule": ["ventes"]}]}])
def test_a_hand_edited_recipe_never_stops_the_notebook(tmp_path, saved):
    path = tmp_path / "reponses.json"
    path.write_text(json.dumps({"nb": {"outil.recette": saved}}))
    tool = Tableur("nb", "outil", "Taux", {"ventes": SALES}, store=AnswerStore("nb", path))
    tool.box()  # the widgets show what can be shown
    assert tool.resultat() is None


def test_a_lesson_tool_starts_from_its_example_and_a_case_tool_from_nothing(tmp_path):
    example = {"depart": "ventes", "etapes": [{"op": "valeur", "formule": "somme(ventes)"}]}
    lesson = Tableur("nb", "exemple", "Exemple", {"ventes": SALES}, store=AnswerStore("nb", tmp_path / "r.json"),
                     exemple=example)
    assert lesson.resultat() == 64
    lesson.recipe["etapes"].clear()
    assert example["etapes"], "the example given is never changed by the candidate's edits"


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
    data = json.loads(path.read_text(encoding="utf-8"))
    data["nb"]["mix.lignes"] = [{"canal": 3, "part": "beaucoup"}, "junk", {"canal": ["Salon"], "part": None}]
    path.write_text(json.dumps(data), encoding="utf-8")
    tampered = Grille("nb", "mix", "Mix", columns, lignes=TEAMS, fixes=("commercial",), store=AnswerStore("nb", path))
    tampered.box()  # a hand-edited file: the grid still shows, values it cannot take are left empty
    assert tampered.resultat()["canal"].isna().all()
    free = Grille("nb", "libre", "Libre", columns, store=AnswerStore("nb", path))
    free.box()
    free.fill([{"canal": "Webinaire", "part": 1}, {}])
    assert len(free.resultat()) == 1  # empty rows are not answers


def test_first_and_last_work_on_a_whole_column_as_per_group():
    assert evaluate("premier(ventes)", SALES) == 10 and evaluate("dernier(ventes)", SALES) == 20
    assert evaluate("premier(ventes, par=commercial)", SALES).tolist() == [10, 10, 8, 8, 20]
    recipe = {"depart": "ventes", "etapes": [{"op": "regrouper", "par": "commercial", "calculs": "debut = premier(ventes)"}]}
    assert run_recipe(recipe, {"ventes": SALES})["debut"].tolist() == [10, 8, 20]


def test_a_total_row_and_the_totals_of_another_table_as_sumifs():
    recipe = {"depart": "ventes", "etapes": [
        {"op": "filtrer", "condition": "mois == mois_choisi"},
        {"op": "totaliser", "calculs": "ventes = somme(ventes) ; lignes = nombre(ventes)"},
        {"op": "resumer", "table": "equipes", "cles": "", "calculs": "nord = somme(equipe == \"Nord\")"},
        {"op": "calculer", "colonne": "moyenne", "formule": "si(lignes > 0, ventes / lignes, 0)"}]}
    one = run_recipe(recipe, {"ventes": SALES, "equipes": TEAMS}, {"mois_choisi": 1})
    assert one.to_dict("records") == [{"ventes": 38.0, "lignes": 3, "nord": 2, "moyenne": pytest.approx(38 / 3)}]
    none = run_recipe(recipe, {"ventes": SALES, "equipes": TEAMS}, {"mois_choisi": 12})  # no row: totals of nothing
    assert none.to_dict("records") == [{"ventes": 0.0, "lignes": 0, "nord": 2, "moyenne": 0.0}]
    per_rep = {"depart": "equipes", "etapes": [
        {"op": "resumer", "table": "ventes", "cles": "commercial",
         "calculs": "ventes = somme(ventes) ; mois_2 = somme(si(mois == 2, ventes, 0)) ; debut = premier(mois)"}]}
    teams = pd.concat([TEAMS, pd.DataFrame({"commercial": ["Dan"], "equipe": ["Sud"]})], ignore_index=True)
    table = run_recipe(per_rep, {"equipes": teams, "ventes": SALES})
    assert list(table["commercial"]) == ["Ana", "Ben", "Chloé", "Dan"]  # the table's rows, in its order
    assert table["ventes"].tolist() == [24, 20, 20, 0] and table["mois_2"].tolist() == [14, 12, 0, 0]
    assert table["debut"].tolist()[:3] == [1, 1, 1] and pd.isna(table["debut"].iloc[3])
    with pytest.raises(StepError, match="donne une colonne"):
        run_recipe({"depart": "ventes", "etapes": [{"op": "totaliser", "calculs": "x = ventes * 2"}]}, {"ventes": SALES})


def test_a_pivot_keeps_the_order_of_the_table_when_asked():
    recipe = {"depart": "ventes", "etapes": [
        {"op": "trier", "cles": "ventes", "ordre": "decroissant"},
        {"op": "croiser", "lignes": "commercial", "colonnes": "mois", "valeur": "somme(ventes)"}]}
    assert list(run_recipe(recipe, {"ventes": SALES}).index) == ["Ana", "Ben", "Chloé"]  # alphabetical by default
    recipe["etapes"][1]["rangement"] = "apparition"
    table = run_recipe(recipe, {"ventes": SALES})
    assert list(table.index) == ["Chloé", "Ana", "Ben"] and list(table.columns) == [1, 2]
    assert table.index.name == "commercial" and table.loc["Ana", 2] == 14


def test_a_grid_can_start_from_a_draft_of_its_rows(tmp_path):
    path = tmp_path / "reponses.json"
    draft = TEAMS.assign(part=[0.5, 0.3, 0.2])
    columns = [Field("equipe", "Équipe", "choix", options=("Nord", "Sud")), Field("part", "Part", "nombre")]

    def grid():
        return Grille("nb", "plan", "Plan", columns, lignes=draft, fixes=("commercial",), index="commercial",
                      preremplir=True, store=AnswerStore("nb", path))
    first = grid()
    assert first.resultat() is None  # a draft is not an answer until the candidate enters something
    first.box()
    first.fill([{}, {"equipe": "Nord"}])
    table = grid().resultat()
    assert table["equipe"].tolist() == ["Nord", "Nord", "Nord"] and table["part"].tolist() == [0.5, 0.3, 0.2]


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


def test_text_functions_clean_a_file_as_a_spreadsheet_would():
    crm = pd.DataFrame({"nom": ["  Froid  des Monts ", "Azur"], "email": [" Lea.Roux@X.fr", "a b@y.fr"],
                        "tel": ["06 47.98-76 81", None], "siret": ["28762614192444", "2876261419244"]})
    assert evaluate("supprespace(nom)", crm).tolist() == ["Froid des Monts", "Azur"]
    assert evaluate("substitue(minuscule(email), \" \", \"\")", crm).tolist() == ["lea.roux@x.fr", "ab@y.fr"]
    assert evaluate("chiffres(tel)", crm).tolist() == ["0647987681", ""]  # an empty cell stays an empty text
    assert evaluate("longueur(chiffres(tel))", crm).tolist() == [10, 0]
    assert evaluate("\"+33\" + droite(chiffres(tel), 9)", crm).tolist() == ["+33647987681", "+33"]
    assert evaluate("gauche(nom, 0)", crm).tolist() == ["", ""] and evaluate("droite(\"69001\", 0)") == ""
    assert evaluate("majuscule(gauche(supprespace(nom), 4))", crm).tolist() == ["FROI", "AZUR"]
    assert evaluate("cle_luhn(siret)", crm).tolist() == [True, False]
    assert [evaluate(f"cle_luhn(\"{n}\")") for n in ("4970101122334455", "4970101122334456", "", "12a4")] == [
        True, False, False, False]
    assert evaluate("dans(x, liste)", pd.DataFrame({"x": ["M0", "M1", "M2"]}), {"liste": ["M0", "M2"]}).tolist() == [
        True, False, True]  # a list given whole, as a recipe's parameter


def test_a_recipe_looks_up_removes_duplicates_and_ends_on_a_record_or_a_list():
    targets = pd.Series({"Ana": 20, "Ben": 10})  # a series: its index, then its values (names do not matter)
    lookup = {"depart": "ventes", "etapes": [
        {"op": "rechercher", "table": "objectifs", "cle": "commercial", "colonne": "cible"},
        {"op": "dedoublonner", "colonnes": "commercial"},
        {"op": "fiche", "calculs": "ventes = somme(ventes) ; cible = somme(cible) ; taux = ventes / cible"}]}
    record = run_recipe(lookup, {"ventes": SALES, "objectifs": targets.reset_index()})
    assert record == {"ventes": 38.0, "cible": 30.0, "taux": pytest.approx(38 / 30)}  # Chloé: not found, empty
    assert all(type(v) is float for v in record.values())
    table = run_recipe({"depart": "ventes", "etapes": lookup["etapes"][:2]}, {"ventes": SALES, "objectifs": TEAMS})
    assert table["commercial"].tolist() == ["Ana", "Ben", "Chloé"] and table["cible"].tolist() == ["Nord", "Sud", "Nord"]
    pair = run_recipe({"depart": "ventes", "etapes": [{"op": "liste", "calculs": "n = nombre(ventes) ; double = 2 * n"}]},
                      {"ventes": SALES})
    assert pair == (5, 10)
    with pytest.raises(StepError, match="Étape 1 .* 2 colonnes : numéro 3 impossible"):
        run_recipe({"depart": "ventes", "etapes": [dict(lookup["etapes"][0], numero="3")]},
                   {"ventes": SALES, "objectifs": targets.reset_index()})
    with pytest.raises(StepError, match="pas encore calculée"):
        run_recipe({"depart": "propre", "etapes": []}, {"propre": None})


def test_a_dict_argument_also_gives_constants_named_after_the_parameter(tmp_path):
    weights = pd.DataFrame({"nom": ["a", "b"], "notoriete": [1.0, 3.0]})
    tool = Tableur("nb", "outil", "Score", {"table": weights}, store=AnswerStore("nb", tmp_path / "reponses.json"))
    tool.recipe = {"depart": "table", "etapes": [{"op": "calculer", "colonne": "score",
                                                  "formule": "poids_notoriete * notoriete"}]}
    score = tool.fonction("table", "poids")
    assert score(weights, {"notoriete": 10})["score"].tolist() == [10.0, 30.0]  # the column keeps its name


def test_a_number_the_grid_shows_is_the_number_it_saves(tmp_path):
    """A whole-number field with a minimum above 0 shows that minimum: left as shown, it is saved as shown."""
    path = tmp_path / "reponses.json"
    columns = [Field("mois", "Mois", "entier", minimum=1, maximum=6), Field("note", "Note", "texte")]
    grid = Grille("nb", "g", "G", columns, lignes=TEAMS, fixes=("commercial",), store=AnswerStore("nb", path))
    grid.box()
    grid.fill([{"note": "vu"}])
    table = Grille("nb", "g", "G", columns, lignes=TEAMS, fixes=("commercial",), store=AnswerStore("nb", path)).resultat()
    assert table["mois"].tolist() == [1, 1, 1]
