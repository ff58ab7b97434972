"""Deliverables assembled from a candidate's answers, and the candidate's own company data (mes_donnees/)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from mdpc_utils.answers import AnswerStore  # noqa: E402
from mdpc_utils.cases import load_csv  # noqa: E402
from mdpc_utils.forms import Field, Form  # noqa: E402
from mdpc_utils.livrable import Livrable  # noqa: E402


def test_document_holds_answers_tables_and_accessible_figures(tmp_path):
    store = AnswerStore("nb", tmp_path / "reponses.json")
    form = Form("nb", "swot", "SWOT", [Field("forces", "Forces", "long"), Field("menaces", "Menaces", "long")], store=store)
    form.fill(forces="Logiciel éprouvé\nClientèle fidèle")
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    doc = Livrable("Livrable 3 — Business model", "C1.3", "Projet professionnel", company="Ombelle <Énergie>")
    doc.section("SWOT").answers(form)
    doc.table(pd.DataFrame({"annee": [1, 2], "ca": [775200.0, 1393200.5], "echeance": ["2027-03-31", "T1"],
                            "jalon": pd.to_datetime(["2027-01-04", "2027-06-30"])}), "Compte")
    doc.table(None, "Tableau manquant")
    doc.figure(fig, "Flux cumulés par année")
    path = doc.save("l3.html", tmp_path / "livrables")
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html><html lang='fr'>")
    assert "Logiciel éprouvé\nClientèle fidèle" in html and "Ombelle &lt;Énergie&gt;" in html
    assert "1 393 200,5" in html  # French number formatting
    assert "<td class='d'>31/03/2027</td>" in html and "<td>T1</td>" in html and "<td class='d'>30/06/2027</td>" in html
    assert "non encore calculé" in html
    assert "alt='Flux cumulés par année'" in html and "data:image/png;base64," in html
    assert doc.empty_answers == ["SWOT — Menaces"] and "(sans réponse)" in html


def _in_case(notebook: str, name: str, folder):
    """load_csv called as a case's cell calls it: the case's NOTEBOOK name in the caller's globals."""
    ns = {"load_csv": load_csv, "NOTEBOOK": notebook, "args": (name, folder)}
    exec("frame = load_csv(*args)", ns)
    return ns["frame"]


def test_own_company_data_replaces_the_case_data(tmp_path, capsys):
    project = "C1_1_etude_de_marche"  # a projet professionnel
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "concurrents.csv").write_text("concurrent,part\nA,60\nB,40\n", encoding="utf-8")
    assert list(_in_case(project, "concurrents", tmp_path / "data")["concurrent"]) == ["A", "B"]
    (tmp_path / "mes_donnees").mkdir()
    (tmp_path / "mes_donnees" / "concurrents.csv").write_text("concurrent,part\nX,70\nY,30\n", encoding="utf-8")
    assert list(_in_case(project, "concurrents", tmp_path / "data")["concurrent"]) == ["X", "Y"]
    assert list(_in_case("C4_2_tableau_de_bord", "concurrents", tmp_path / "data")["concurrent"]) == ["A", "B"]
    (tmp_path / "mes_donnees" / "concurrents.csv").write_text("nom,part\nX,70\n", encoding="utf-8")
    with pytest.raises(ValueError, match="doit avoir les colonnes du fichier du cas.*concurrent, part"):
        _in_case(project, "concurrents", tmp_path / "data")
    with pytest.raises(FileNotFoundError, match="Fichier de données introuvable"):
        _in_case(project, "absent", tmp_path / "data")
