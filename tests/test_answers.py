"""The answers file (ARCHITECTURE.md, contract 3): saved at every change, restored in a fresh kernel, corrupt files set aside."""

import json
import textwrap

import nbformat
import pytest
from nbclient import NotebookClient

from mdpc_utils.answers import AnswerStore
from mdpc_utils.forms import Field, Form


def test_missing_file_means_empty_answers(tmp_path):
    store = AnswerStore("C4_1", tmp_path / "reponses.json")
    assert store.answers() == {} and store.get("x", "défaut") == "défaut"
    assert not (tmp_path / "reponses.json").exists()


def test_set_keeps_other_notebooks_and_questions(tmp_path):
    path = tmp_path / "reponses.json"
    AnswerStore("C4_1", path).set("objectif_1.intitule", "Augmenter le CA")
    AnswerStore("C4_2", path).set("seuils.taux_atteinte", 85)
    AnswerStore("C4_1", path).set("objectif_1.valeur_cible", 12.5)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {"C4_1": {"objectif_1.intitule": "Augmenter le CA", "objectif_1.valeur_cible": 12.5},
                    "C4_2": {"seuils.taux_atteinte": 85}}
    assert [p.name for p in tmp_path.iterdir()] == ["reponses.json"]  # no temporary file left behind


@pytest.mark.parametrize("content", ["{ pas du json", "[1, 2]", '{"C4_1": "texte"}', b"\xff\xfe\x00"])
def test_corrupt_file_is_set_aside_never_overwritten(tmp_path, capsys, content):
    path = tmp_path / "reponses.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    store = AnswerStore("C4_1", path)
    assert store.answers() == {}
    kept = list(tmp_path.glob("reponses.json.corrompu-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == (content if isinstance(content, bytes) else content.encode())
    out = capsys.readouterr().out
    assert "illisible" in out and kept[0].name in out and "rien n'a été effacé" in out
    store.set("q", "nouvelle réponse")
    assert json.loads(path.read_text(encoding="utf-8")) == {"C4_1": {"q": "nouvelle réponse"}}
    assert kept[0].exists()


def test_form_saves_each_change_and_restores(tmp_path):
    path = tmp_path / "reponses.json"
    fields = [Field("intitule", "Intitulé"), Field("cible", "Cible", "nombre", minimum=0),
              Field("indicateur", "Indicateur", "choix", options=("CA", "Rendez-vous")),
              Field("echeance", "Échéance", "date"), Field("canaux", "Canaux", "multiple", options=("web", "salon"))]
    form = Form("C4_1", "objectif_1", "Objectif", fields, store=AnswerStore("C4_1", path))
    form.fill(intitule="Augmenter le CA", cible=120.0, indicateur="CA", echeance="2027-03-31", canaux=["salon"])
    again = Form("C4_1", "objectif_1", "Objectif", fields, store=AnswerStore("C4_1", path))
    assert again.values() == {"intitule": "Augmenter le CA", "cible": 120.0, "indicateur": "CA",
                              "echeance": "2027-03-31", "canaux": ["salon"]}
    assert "Augmenter le CA" in again.summary_html() and again.missing() == []
    assert all(w.description for w in again.widgets.values())  # labels a screen reader can read


def test_unknown_saved_choice_is_ignored(tmp_path):
    path = tmp_path / "reponses.json"
    AnswerStore("nb", path).set("f.indicateur", "valeur supprimée de la liste")
    form = Form("nb", "f", "F", [Field("indicateur", "Indicateur", "choix", options=("CA",))],
                store=AnswerStore("nb", path))
    assert form.values()["indicateur"] is None


@pytest.mark.slow  # starts two Jupyter kernels
def test_widget_value_survives_a_fresh_kernel(tmp_path):
    """What a candidate types in one kernel is seen by a test cell after re-execution in a new kernel."""
    make_form = textwrap.dedent("""
        from mdpc_utils.forms import Form, Field
        form = Form("C4_1_plan_de_charges", "objectif_1", "Objectif",
                    [Field("intitule", "Intitulé"), Field("cible", "Cible", "nombre", minimum=0)])
        form
    """)
    first = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(make_form), nbformat.v4.new_code_cell(
        "form.widgets['intitule'].value = 'Doubler les rendez-vous en Isère'\nform.widgets['cible'].value = 42.0")])
    NotebookClient(first, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    second = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(make_form), nbformat.v4.new_code_cell(
        "assert form.values() == {'intitule': 'Doubler les rendez-vous en Isère', 'cible': 42.0}, form.values()\n"
        "print('restauré')")])
    NotebookClient(second, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert second.cells[1].outputs[0]["text"].strip() == "restauré"
