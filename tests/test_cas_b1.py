"""Bloc 1 cases (C1.1 to C1.4): answers out of reach of the candidate (issue 16).

- the PESTEL answer is no column of the released data, and the hidden test's key matches the generator;
- a hidden test computes its expectation only from names bound by locked cells (the judge's own values), its own
  private names, or the answer it tests: never from a frame a candidate cell binds;
- the visible part of a test cell names no expected value;
- the variants file has the catalogue's shape and every replaced text is found in the solution.
"""

import ast
import builtins
import re

import nbformat
import pandas as pd
import pytest
import yaml

from mdpc import CAS_DIR, RELEASE_DIR
from mdpc.authoring.datagen import b1 as datagen_b1

ASSIGNMENT = CAS_DIR / datagen_b1.ASSIGNMENT_B1
NOTEBOOKS = sorted(ASSIGNMENT.glob("C1_*.ipynb"))
HIDDEN = "### BEGIN HIDDEN TESTS"

# The answers each hidden test checks: the only candidate-bound names its hidden part may read (the visible
# part checks form and may read the candidate's names).
ANSWERS_UNDER_TEST = {
    "C1_1_test_pestel_couverture": set(),
    "C1_1_test_pestel_enjeux": set(),
    "C1_1_test_score_pestel": {"score_pestel", "grille_pestel"},
    "C1_1_test_tendances": {"tendances"},
    "C1_1_test_benchmark": {"benchmark", "hhi"},
    "C1_1_test_porter": set(),
    "C1_1_test_atouts": {"atouts"},
    "C1_1_test_secteurs": {"secteurs_moteurs"},
    "C1_1_test_marches": set(),
    "C1_2_test_segments": {"segments"},
    "C1_2_test_dimensions": {"marche_par_zone", "marche_par_client", "marche_par_offre"},
    "C1_2_test_poids": set(),
    "C1_2_test_matrice": {"matrice"},
    "C1_2_test_synthese": {"synthese_secteurs"},
    "C1_2_test_cibles": {"cibles"},
    "C1_2_test_sources": set(),
    "C1_3_test_swot": set(),
    "C1_3_test_registre": {"registre"},
    "C1_3_test_maitrise": set(),
    "C1_3_test_canevas": set(),
    "C1_3_test_compte": {"compte"},
    "C1_3_test_rentabilite": {"flux_cumules", "point_mort_bornes", "delai_recuperation_ans"},
    "C1_3_test_objectifs": set(),
    "C1_3_test_conclusion": set(),
    "C1_4_test_indicateurs": {"indicateurs", "comparaison"},
    "C1_4_test_obstacles": set(),
    "C1_4_test_option": set(),
    "C1_4_test_valeur": set(),
}


def _cells(path):
    for cell in nbformat.read(path, as_version=4).cells:
        yield cell.metadata.get("nbgrader", {}), cell


def _bound(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def _read(tree):
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    for call in ast.walk(tree):  # globals().get("name") reads a candidate name too
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "get"
                and isinstance(call.func.value, ast.Call) and getattr(call.func.value.func, "id", "") == "globals"
                and call.args and isinstance(call.args[0], ast.Constant)):
            names.add(call.args[0].value)
    return names


def _test_cells():
    for path in NOTEBOOKS:
        locked = set()
        for meta, cell in _cells(path):
            if cell.cell_type != "code":
                continue
            if meta.get("grade"):
                yield meta["grade_id"], cell.source, set(locked)
            elif meta.get("locked") and not meta.get("solution"):
                locked |= _bound(ast.parse(cell.source))


def test_the_pestel_domain_is_not_released_and_the_hidden_key_matches_the_generator():
    for folder in (ASSIGNMENT, RELEASE_DIR / datagen_b1.ASSIGNMENT_B1):
        assert "domaine" not in pd.read_csv(folder / "data" / "veille.csv").columns, folder
    source = nbformat.read(ASSIGNMENT / "C1_1_etude_de_marche.ipynb", as_version=4)
    cell = next(c for m, c in _cells(ASSIGNMENT / "C1_1_etude_de_marche.ipynb") if m.get("grade_id") == "C1_1_test_pestel_enjeux")
    assert source is not None and HIDDEN in cell.source
    hidden = ast.parse(cell.source.split(HIDDEN)[1].split("### END HIDDEN TESTS")[0])
    key = next(ast.literal_eval(n.value) for n in ast.walk(hidden)
               if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "_DOMAINE")
    assert key == datagen_b1.pestel_domains()


def test_every_test_cell_is_listed():
    assert {gid for gid, _, _ in _test_cells()} == set(ANSWERS_UNDER_TEST)


@pytest.mark.parametrize("grade_id", sorted(ANSWERS_UNDER_TEST))
def test_a_hidden_test_reads_only_locked_names_or_the_answer_it_checks(grade_id):
    source, locked = next((s, lk) for gid, s, lk in _test_cells() if gid == grade_id)
    tree = ast.parse(source.replace(HIDDEN, "").replace("### END HIDDEN TESTS", ""))
    own = {n for n in _bound(tree) if n.startswith("_")}
    stray = {n for n in _bound(tree) if not n.startswith("_")} - _bound_in_comprehensions(tree)
    assert not stray, f"{grade_id} : noms publics écrits par le test : {sorted(stray)}"
    hidden = ast.parse(source.split(HIDDEN)[1].split("### END HIDDEN TESTS")[0] if HIDDEN in source else "")
    read = _read(hidden) - own - locked - set(dir(builtins)) - _bound_in_comprehensions(tree)
    assert read <= ANSWERS_UNDER_TEST[grade_id], (
        f"{grade_id} lit des noms liés par une cellule du candidat : {sorted(read - ANSWERS_UNDER_TEST[grade_id])}")


def _bound_in_comprehensions(tree):
    """Loop variables of comprehensions and lambda arguments are local to them (not written to the kernel)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            for gen in node.generators:
                names |= {n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Lambda, ast.FunctionDef)):
            names |= {a.arg for a in node.args.args}
            if isinstance(node, ast.FunctionDef):
                names |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return names


@pytest.mark.parametrize("grade_id", sorted(ANSWERS_UNDER_TEST))
def test_the_visible_part_names_no_expected_value(grade_id):
    source = next(s for gid, s, _ in _test_cells() if gid == grade_id)
    visible = source.split(HIDDEN)[0].replace("Colonnes attendues : {', '.join(_cols)}", "")
    assert not re.search(r"attendue?s?\s*:?\s*\{|\(attendu|ordre attendu|rangé en", visible, re.I), grade_id
    assert "veille[\"domaine\"]" not in source and "_domaine" not in visible.lower()


def test_variants_have_the_catalogue_shape_and_apply_to_the_solution():
    variants = yaml.safe_load((ASSIGNMENT / "corrige" / "variantes.yaml").read_text(encoding="utf-8"))
    solutions = {p.stem: {c.get("id"): c.source for m, c in _cells(p) if m.get("solution")} for p in NOTEBOOKS}
    groups = {"a": set(), "b": set()}
    for name, entry in variants.items():
        assert name.startswith("b1_") and "echoue" not in entry, name
        assert set(entry) <= {"carnet", "groupe", "description", "modifications", "reponses"}, name
        groups[entry["groupe"]].add(entry["carnet"])
        for edit in entry.get("modifications", ()):
            assert edit["avant"] in solutions[entry["carnet"]][edit["cellule"]], f"{name} : « avant » introuvable"
    assert groups["a"] == groups["b"] == {p.stem for p in NOTEBOOKS}
