"""The demo cohort's data files, without running the demo: checked on loading, never released, not stale.

A wrong answer whose edit no longer finds its text in the solution, or which names a test that no longer
exists, fails here in a second rather than after the demo's few minutes in tests/test_pipeline.py.
"""

import json
import shutil

import nbformat
import pytest
import yaml

from mdpc import CAS_DIR, RELEASE_DIR
from mdpc.authoring.demo_cohort import (
    COHORT_FILE,
    IDENTITY_FILE,
    VARIANTS_FILE,
    WRONG_ANSWERS_FILE,
    DemoError,
    load_cohort,
    make_submission,
    solution_answers,
    strip_solution,
    variants,
    wrong_answers,
)
from mdpc.demo import ASSIGNMENTS
from mdpc_utils.answers import ANSWERS_FILE

WRONG_ANSWERS = wrong_answers()
A = "B4_management_equipe"


def _cells(assignment: str, notebook: str) -> dict:
    return {c.get("id"): c for c in nbformat.read(CAS_DIR / assignment / f"{notebook}.ipynb", as_version=4).cells}


def test_every_assignment_has_its_catalogue_and_cohort_beside_its_answer_key():
    for a in ASSIGNMENTS:
        assert (CAS_DIR / a / "corrige" / WRONG_ANSWERS_FILE).is_file()
        assert (CAS_DIR / a / "corrige" / COHORT_FILE).is_file()
        assert any(w.assignment == a for w in WRONG_ANSWERS.values()), a
    cohort = load_cohort(ASSIGNMENTS)
    assert [c.id for c in cohort] == ["c01", "c02", "c03", "c04", "c05", "c06", "c07", "c08"]
    assert [c.id for c in cohort if c.no_code] == ["c08"] and not any(c.wrong for c in cohort if c.no_code)
    assert {w for c in cohort for w in c.all_wrong} == set(WRONG_ANSWERS)


def test_no_demo_file_is_released():
    released = [p for p in RELEASE_DIR.rglob("*") if p.name in ("corrige", WRONG_ANSWERS_FILE, COHORT_FILE)]
    assert released == []


@pytest.mark.parametrize("name", sorted(WRONG_ANSWERS))
def test_wrong_answer_still_applies_to_the_source_notebooks(name):
    """Each edit finds its text in a solution cell of the notebook; each test it must fail exists there."""
    w = WRONG_ANSWERS[name]
    cells = _cells(w.assignment, w.notebook)
    code = {}
    for edit in w.edits:
        cell = cells.get(edit.cell)
        assert cell is not None and cell.metadata.get("nbgrader", {}).get("solution"), (
            f"{name} : cellule de réponse {edit.cell} absente de {w.notebook}")
        source = code.setdefault(edit.cell, strip_solution(cell.source))
        assert edit.old in source, f"{name} : texte « {edit.old} » introuvable dans {edit.cell}"
        code[edit.cell] = source.replace(edit.old, edit.new)
    tests = {c.metadata["nbgrader"]["grade_id"] for c in cells.values()
             if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}
    assert w.fails <= tests, f"{name} : test(s) {sorted(w.fails - tests)} absent(s) de {w.notebook}"
    solution = solution_answers(CAS_DIR / w.assignment)[w.notebook]
    assert set(w.answers) <= set(solution), f"{name} : question(s) {sorted(set(w.answers) - set(solution))} inconnue(s)"


def test_candidates_answer_overrides_name_known_questions():
    for c in load_cohort(ASSIGNMENTS):
        for notebook, values in c.answers.items():
            assignment = next(a for a in ASSIGNMENTS if (CAS_DIR / a / f"{notebook}.ipynb").exists())
            assert set(values) <= set(solution_answers(CAS_DIR / assignment)[notebook]), (c.id, notebook)


@pytest.fixture
def cas(tmp_path):
    """A course with one assignment: its notebooks and its trainer material (corrige/)."""
    root = tmp_path / "cas_pratiques"
    (root / A).mkdir(parents=True)
    for path in (CAS_DIR / A).glob("*.ipynb"):
        shutil.copy(path, root / A / path.name)
    shutil.copytree(CAS_DIR / A / "corrige", root / A / "corrige")
    return root


def _rewrite(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize("change, message", [
    (lambda d: d["sans_suivi"].pop("echoue"), r"erreur type « sans_suivi » : « echoue » doit lister"),
    (lambda d: d["ecart_negatif"]["modifications"][0].pop("après"),
     r"erreur type « ecart_negatif », modification 1 : les clés « cellule », « avant » et « après » sont attendues"),
    (lambda d: d["sans_suivi"].update(carnet="C4_9_inconnu"),
     r"erreur type « sans_suivi » : le carnet « C4_9_inconnu » n'existe pas"),
    (lambda d: d["sans_suivi"].update(echec=["C4_5_test_appropriation"]),
     r"erreur type « sans_suivi » : clé\(s\) inconnue\(s\) echec"),
], ids=["sans_echoue", "modification_incomplete", "carnet_inconnu", "cle_inconnue"])
def test_a_malformed_catalogue_names_its_file_and_entry(cas, change, message):
    path = cas / A / "corrige" / WRONG_ANSWERS_FILE
    _rewrite(path, change)
    with pytest.raises(DemoError, match=rf"Fichier .*{A}/corrige/{WRONG_ANSWERS_FILE}, {message}"):
        wrong_answers(cas)


@pytest.mark.parametrize("entry, message", [
    ({"carnet": "C4_5_montee_competences", "description": "d", "reponses": {"x": 1}, "echoue": ["t"]},
     r"variante « v » : clé\(s\) inconnue\(s\) echoue"),
    ({"carnet": "C4_5_montee_competences", "description": "d", "reponses": {"x": 1}},
     r"variante « v » : « groupe » doit valoir « a » ou « b »"),
    ({"carnet": "C4_5_montee_competences", "description": "d", "groupe": "a"},
     r"variante « v » : ni modification du code ni réponse remplacée"),
], ids=["echoue_refuse", "sans_groupe", "vide"])
def test_a_malformed_variant_names_its_file_and_entry(cas, entry, message):
    path = cas / A / "corrige" / VARIANTS_FILE
    path.write_text(yaml.safe_dump({"v": entry}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DemoError, match=rf"Fichier .*{A}/corrige/{VARIANTS_FILE}, {message}"):
        variants(cas)


def test_a_variant_is_applied_like_a_mistake_and_fails_nothing(cas, tmp_path):
    path = cas / A / "corrige" / VARIANTS_FILE
    mistake = wrong_answers(cas)["ecart_negatif"]
    edit = mistake.edits[0]
    path.write_text(yaml.safe_dump({"v_essai": {"carnet": mistake.notebook, "description": "autre écriture",
                                                "groupe": "b", "modifications": [
                                                    {"cellule": edit.cell, "avant": edit.old,
                                                     "après": edit.old + "  # écrit autrement"}]}},
                                   allow_unicode=True), encoding="utf-8")
    found = variants(cas)["v_essai"]
    assert found.group == "b" and found.fails == frozenset()
    folder = tmp_path / "copie"
    shutil.copytree(RELEASE_DIR / A, folder)
    make_submission(folder, cas / A, ("v_essai",))
    cell = next(c for c in nbformat.read(folder / f"{mistake.notebook}.ipynb", as_version=4).cells if c.id == edit.cell)
    assert "# écrit autrement" in cell.source


@pytest.mark.parametrize("change, message", [
    (lambda d: d["candidats"]["c02"].update(erreurs_types=["inventee"]),
     r"candidat « c02 » : erreur type « inventee » absente de erreurs_types.yaml de ce devoir"),
    (lambda d: d["candidats"]["c05"]["niveaux"].update({"C4.4": [2, 2]}),
     r"candidat « c05 », niveaux, C4.4 : une liste de 3 niveaux"),
    (lambda d: d["candidats"]["c01"].update(niveaux={"C4.1": [3, 3, 3]}),
     r"candidat « c01 », niveaux : la compétence « C4.1 » n'est pas évaluée dans ce devoir"),
    (lambda d: d["candidats"].update(c99={}), r"candidat « c99 » : candidat inconnu"),
], ids=["erreur_inconnue", "niveaux_manquants", "competence_d_un_autre_devoir", "candidat_inconnu"])
def test_a_malformed_cohort_file_names_its_file_and_entry(cas, change, message):
    _rewrite(cas / A / "corrige" / COHORT_FILE, change)
    with pytest.raises(DemoError, match=rf"Fichier .*{A}/corrige/{COHORT_FILE}, {message}"):
        load_cohort([A], cas)


def test_a_malformed_identity_file_or_yaml_names_its_file(cas, tmp_path):
    identity = tmp_path / "cohorte.yaml"
    data = yaml.safe_load(IDENTITY_FILE.read_text(encoding="utf-8"))
    data["candidats"][2]["remise"] = "demain"
    identity.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DemoError, match=r"cohorte.yaml, candidat « c03 » : « remise » doit être une date et heure"):
        load_cohort([A], cas, identity)
    (cas / A / "corrige" / WRONG_ANSWERS_FILE).write_text("sans_suivi: [carnet\n", encoding="utf-8")
    with pytest.raises(DemoError, match=rf"{A}/corrige/{WRONG_ANSWERS_FILE} illisible \(YAML invalide\)"):
        wrong_answers(cas)


def test_a_stale_edit_or_an_unknown_name_stops_the_submission(cas, tmp_path):
    folder = tmp_path / "copie"
    shutil.copytree(RELEASE_DIR / A, folder)
    with pytest.raises(DemoError, match="Erreur\\(s\\) type\\(s\\) ou variante\\(s\\) inconnue\\(s\\) : inventee"):
        make_submission(folder, cas / A, ("inventee",))
    _rewrite(cas / A / "corrige" / WRONG_ANSWERS_FILE,
             lambda d: d["ecart_negatif"]["modifications"][0].update(avant="texte disparu du corrigé"))
    with pytest.raises(DemoError, match="« ecart_negatif » .*texte introuvable dans la cellule C4_5_ecarts_rep"):
        make_submission(folder, cas / A, ("ecart_negatif",))


def test_a_submission_is_the_solution_with_the_named_mistakes(tmp_path):
    folder = tmp_path / "copie"
    shutil.copytree(RELEASE_DIR / A, folder)
    make_submission(folder, CAS_DIR / A, ("ecart_negatif", "sans_suivi", "plan_inchange"))  # the last: bloc 4, other case
    nb = nbformat.read(folder / "C4_5_montee_competences.ipynb", as_version=4)
    code = next(c.source for c in nb.cells if c.get("id") == "C4_5_ecarts_rep")
    assert "ecarts = _cible - matrice" in code and "BEGIN SOLUTION" not in code
    answers = json.loads((folder / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert answers["C4_5_montee_competences"]["appropriation.rituels"] == ["Aucun suivi formalisé"]
