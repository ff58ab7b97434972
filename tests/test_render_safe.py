"""Everything rendered is made safe (fast): the notebook sanitiser, the escaping helpers, the CSV cells, the
PDF's URL fetcher, formgrader's page. The whole path, from a hostile submission to the jury minutes, is in
``tests/test_hostile.py`` (h17 to h19)."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import re
import socket

import nbformat
import pandas as pd
import pytest
from markup import MARKER, active_markup, formgrader_page, formgrader_resources
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from mdpc.core.safe_text import csv_cell, csv_frame, html_text, md_text, write_csv
from mdpc.grading.sanitize import (
    ACTIVE_CONTENT,
    _removed,
    clean_html,
    clean_markdown,
    markdown_is_plain,
    sanitize_copy,
    sanitize_notebook,
)

X = MARKER
HOSTILE_HTML = [
    f"<script>{X}()</script>",
    f"<img src=x onerror={X}()>",
    f"<IMG SRC=x OnError='{X}()'>",
    f"<a href='javascript:{X}()'>lien</a>",
    f"<a href='JaVa&#x09;ScRiPt:{X}()'>lien</a>",
    f"<iframe src='https://example.invalid/{X}'></iframe>",
    f"<object data='https://example.invalid/{X}'></object><embed src='https://example.invalid/{X}'>",
    f"<form action='https://example.invalid/{X}'><input name=q></form>",
    f"<svg onload={X}()><script>{X}()</script></svg>",
    f"<math><mtext><table><mglyph><style><img src=x onerror={X}()>",
    f"<div style='background:url(https://example.invalid/{X})'>x</div>",
    f"<style>body {{ background: url(https://example.invalid/{X}) }}</style>",
    f"<!--><img src=x onerror={X}()>-->",
    f"<noscript><p title='</noscript><img src=x onerror={X}()>'></noscript>",
    f"<details open ontoggle={X}()>x</details>",
    f"<img src='https://example.invalid/{X}.png'>",
    f"<a href='data:text/html,<script>{X}()</script>'>x</a>",
]


@pytest.mark.parametrize("payload", HOSTILE_HTML)
def test_clean_html_leaves_nothing_active(payload):
    assert payload != clean_html(payload)
    assert X not in clean_html(payload), clean_html(payload)
    assert clean_html(clean_html(payload)) == clean_html(payload)  # idempotent


def test_clean_html_keeps_what_the_cases_show(tmp_path):
    from mdpc_utils.answers import AnswerStore
    from mdpc_utils.forms import Field, Form

    frame = pd.DataFrame({"commercial": ["Léa", "Hugo"], "ca": [1.5, -2.25]})
    plain = frame._repr_html_()
    styled = frame.style.set_properties(**{"text-align": "left"}).hide(axis="index").to_html()
    for page in (plain, styled):
        clean = clean_html(page)
        assert "<table" in clean and "<td" in clean and "Léa" in clean and "-2.25" in clean
        assert clean_html(clean) == clean  # a copy cleaned twice (autograde again, feedback) stays the same
    assert ".dataframe thead th { text-align: right; }" in clean_html(plain)  # pandas' own CSS kept
    grouped = frame.assign(zone=["Nord", "Sud"], n=[1, 2]).pivot_table(index="zone", values=["ca", "n"],
                                                                      aggfunc=["sum", "mean"])
    assert _removed(grouped._repr_html_(), clean_html(grouped._repr_html_())) == []  # MultiIndex headers: halign
    assert "text-align: left;" in clean_html(styled) and 'id="T_' in clean_html(styled)
    form = Form("essai", "objectifs", "Vos objectifs", [Field("a", "Objectif <principal>")],
                store=AnswerStore("essai", tmp_path / "reponses.json", quiet=True))
    summary = form.summary_html()
    clean = clean_html(summary)
    assert "Réponses enregistrées" in clean and "<caption" in clean and "scope=\"row\"" in clean
    assert "white-space:pre-wrap" in clean and "&lt;principal&gt;" in clean
    rich = ("<h3>Titre</h3><ul><li>un</li></ul><details><summary>Voir</summary><p role='note' aria-label='n'>x</p>"
            "</details><a href='https://example.org/doc' target='_blank'>doc</a>"
            f"<img alt='figure' src='data:image/png;base64,{base64.b64encode(b'png').decode()}'>")
    clean = clean_html(rich)
    for kept in ("<h3>", "<li>", "<details>", "<summary>", 'role="note"', 'aria-label="n"', 'target="_blank"',
                 'href="https://example.org/doc"', 'rel="noopener noreferrer"', "data:image/png;base64"):
        assert kept in clean, kept


def test_plain_markdown_is_left_as_it_is():
    plain = ("## Ma réponse\n\nTexte *important* et **gras**, une liste :\n\n- un\n- deux\n\n"
             "| poste | montant |\n|---|---|\n| loyer | 1 200 € |\n\nligne<br>suite<br/>fin [site](https://example.org)")
    assert markdown_is_plain(plain)
    assert clean_markdown(plain) == (plain, [])
    for source in ("a < b et R&D", "<b>gras</b>", "![image](attachment:a.png)"):  # not plain, but harmless
        clean, removed = clean_markdown(source, {"a.png": {"image/png": "iVBORw0KGgo="}})
        assert removed == [] and clean.startswith("<div>")
        assert markdown2html_mistune(clean).strip() == clean  # shown exactly as cleaned
    assert "<b>gras</b>" in clean_markdown("<b>gras</b>")[0]
    assert 'src="data:image/png' in clean_markdown("![image](attachment:a.png)", {"a.png": {"image/png": "AA=="}})[0]


@pytest.mark.parametrize("source", [
    f"Réponse <img src=x onerror={X}()> fin",
    f"<script>{X}()</script>",
    f"[clic](javascript:{X}())",
    f"[clic](JAVASCRIPT:{X}())",
    f"[clic](<javascript:{X}()>)",
    f"<javascript:{X}()>",
    f"[clic][r]\n\n[r]: javascript:{X}()",
    f"[clic](jav&#x61;script:{X}())",
    f"![img](file:///etc/hostname?{X})",
    f"<iframe src='https://example.invalid/{X}'></iframe>",
    f"<svg><script>{X}()</script></svg>",
    f"* liste\n\n  <img src=x onerror={X}()>",
])
def test_hostile_markdown_is_made_inert_as_nbconvert_renders_it(source):
    assert X in markdown2html_mistune(source) or "javascript" in markdown2html_mistune(source).lower()
    clean, removed = clean_markdown(source)
    page = markdown2html_mistune(clean)  # what formgrader and the feedback would show
    assert active_markup(page) == [] and "<script" not in page and "<iframe" not in page, page
    assert removed and clean_markdown(clean) == (clean, [])


def _notebook():
    svg = f"<svg xmlns='http://www.w3.org/2000/svg'><script>{X}()</script><circle r='4'/></svg>"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"Ma réponse <img src=x onerror={X}()>", id="reponse"),
        nbformat.v4.new_markdown_cell("Réponse *sage* | a | b |", id="sage"),
        nbformat.v4.new_code_cell("x = 1", id="sorties", outputs=[
            nbformat.v4.new_output("display_data", {"application/javascript": f"{X}()", "text/plain": "<JS>"}),
            nbformat.v4.new_output("display_data", {"text/html": f"<b>ok</b><script>{X}()</script>",
                                                    "text/plain": "<HTML>"}),
            nbformat.v4.new_output("display_data", {"image/svg+xml": svg, "image/png": "iVBORw0KGgo=",
                                                    "text/plain": "<Figure>"},
                                   metadata={"filenames": {"image/png": f"file:///etc/{X}.png"}}),
            nbformat.v4.new_output("display_data", {"image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg'/>"}),
            nbformat.v4.new_output("display_data", {"text/markdown": f"[a](javascript:{X}())"}),
            nbformat.v4.new_output("display_data", {"application/vnd.jupyter.widget-view+json": {
                "model_id": "m1", "version_major": 2, "version_minor": 0}, "text/plain": "Widget"}),
            nbformat.v4.new_output("stream", text=f"<img src=x onerror={X}()>\n"),
        ]),
        nbformat.v4.new_raw_cell(f"<script>{X}()</script>", id="brut"),
    ]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"version_major": 2, "version_minor": 0,
        "state": {"m1": {"model_name": "HTMLModel", "model_module": "@jupyter-widgets/controls",
                         "model_module_version": "2.0.0",
                         "state": {"value": f"<img src=x onerror={X}()>", "description": "<b>d</b>",
                                   "description_allow_html": True}}}}}
    return nb


def test_notebook_outputs_markdown_raw_cells_and_widget_state_are_cleaned():
    nb = _notebook()
    found = dict(sanitize_notebook(nb))
    text = nbformat.writes(nb)
    assert text.count(X) == 1 and nb.cells[2].outputs[6].text == f"<img src=x onerror={X}()>\n"  # text stays text
    outs = nb.cells[2].outputs
    assert "application/javascript" not in outs[0].data and outs[0].data["text/plain"] == "<JS>"
    assert outs[1].data["text/html"] == "<b>ok</b>"
    assert "image/svg+xml" not in outs[2].data and outs[2].data["image/png"] == "iVBORw0KGgo="  # the png is kept
    assert "filenames" not in outs[2].metadata
    assert outs[3].data["text/html"].startswith('<img alt="figure (SVG)" src="data:image/svg+xml;base64,')
    assert outs[5].data["application/vnd.jupyter.widget-view+json"]["model_id"] == "m1"  # widgets are data
    assert nb.cells[1].source == "Réponse *sage* | a | b |"
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]["m1"]["state"]
    assert state["description_allow_html"] is False and X not in state["value"]
    assert set(found) == {"cellule 1 (id reponse)", "cellule 3 (id sorties)", "cellule 4 (id brut)",
                          "état des widgets"}
    assert "sortie application/javascript" in found["cellule 3 (id sorties)"]
    assert "script d'une image SVG" in found["cellule 3 (id sorties)"]
    assert "attribut onerror" in found["cellule 1 (id reponse)"]
    assert sanitize_notebook(nb) == [] and nbformat.writes(nb) == text  # a second pass changes nothing


RESOURCES = formgrader_resources("h18", f"<img src=x onerror={X}()>", "=HYPERLINK(\"https://example.invalid\")")


def test_formgrader_page_of_a_cleaned_copy_runs_nothing_of_the_candidate(tmp_path):
    """The same copy, before cleaning, would run the candidate's code in formgrader: the test can fail."""
    path = tmp_path / "C4_1.ipynb"
    nbformat.write(_notebook(), path)
    raw = formgrader_page(path, formgrader_resources("h18"))
    assert active_markup(raw)  # formgrader renders candidates' HTML as it is
    incidents = sanitize_copy(tmp_path)
    page = formgrader_page(path, formgrader_resources("h18"))
    assert active_markup(page) == [] and X not in page.replace(f"&lt;img src=x onerror={X}()&gt;", "")
    assert [i.kind for i in incidents] == [ACTIVE_CONTENT] and incidents[0].notebook == "C4_1"
    assert incidents[0].message.startswith("Contenu actif retiré du carnet « C4_1.ipynb »")
    assert "cellule 3 (id sorties) : sortie application/javascript" in incidents[0].message
    assert sanitize_copy(tmp_path) == []


def test_formgrader_page_shows_a_hostile_name_as_text(tmp_path):
    from mdpc.grading.formgrader_journal import EscapedNames

    path = tmp_path / "C4_1.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    assert active_markup(formgrader_page(path, RESOURCES))  # nbgrader's template: the name is markup
    page = formgrader_page(path, RESOURCES, wrap=EscapedNames)
    assert active_markup(page) == []
    assert f"&lt;img src=x onerror={X}()&gt;" in page


NAME = f"<img src=x onerror={X}()> =HYPERLINK(\"https://example.invalid\")"


@pytest.mark.parametrize("value", [NAME, f"[clic](javascript:{X}())", f"![i](file:///etc/hostname?{X})",
                                   f"a | b\n# titre\n<script>{X}()</script>", f"$\\href{{javascript:{X}()}}{{x}}$",
                                   "&lt;img src=x onerror=" + X + "()&gt;"])
def test_md_text_is_literal_text_in_markdown_and_in_a_table(value):
    page = markdown2html_mistune(f"- **Nom :** {md_text(value)}\n\n| a | b |\n|---|---|\n| {md_text(value)} | z |")
    assert active_markup(page) == [] and "<script" not in page and "<img" not in page and "<h1" not in page
    assert page.count("<td>") == 2  # a « | » in the value does not add a cell
    assert md_text("l1\nl2", lines=True) == "l1<br>l2" and md_text("l1\r\nl2") == "l1 l2"
    assert html_text(value).count("<") == 0


def test_report_views_show_hostile_values_as_text(monkeypatch):
    """A candidate's report, the cohort report and the minutes, with a hostile name, session, grader, comment,
    incident, exemption advice and jury member: every value shown as text."""
    from IPython.display import HTML, Markdown

    import mdpc_utils.cases
    from mdpc.core import exemptions as ex
    from mdpc.core.decisions import CriterionResult, TestScore
    from mdpc.core.grids import default_scale
    from mdpc.core.ratings import GRADER, Rating, apply_ratings, effective_by_criterion
    from mdpc.core.record import build_record
    from mdpc.core.referential import default as default_referential
    from mdpc.core.submissions import Submission
    from mdpc.reports import candidate_view, cohort_view, minutes_view

    shown: list[str] = []

    def display(obj, *args, **kwargs):
        if isinstance(obj, Markdown):
            shown.append(markdown2html_mistune(obj.data))
        elif isinstance(obj, HTML):
            shown.append(obj.data)
        elif hasattr(obj, "to_html"):
            shown.append(obj.to_html())

    for module in (candidate_view, cohort_view, minutes_view, mdpc_utils.cases):
        monkeypatch.setattr(module, "display", display)
    monkeypatch.setattr(mdpc_utils.cases.plt, "close", lambda *a: None)
    ref = default_referential()
    hostile_test = TestScore(f"<b onmouseover={X}()>test</b>", 1.0, 1.0, f"[x](javascript:{X}())")
    results = {(c.code, k.number): CriterionResult(c.code, k.number, auto_share=1.0, tests=[hostile_test])
               for c in ref.competencies.values() for k in c.criteria}
    due = dt.datetime(2027, 1, 8, 11, 0)
    sub = Submission("h18", NAME, results, due + dt.timedelta(hours=2), due, 150.0, 196.0,
                     assignment="B4_pilotage_performance")
    grader = f"<b onmouseover={X}()>Correctrice</b>"
    ratings = effective_by_criterion([Rating("B4_pilotage_performance", "h18", "C4.1", 1, grader, GRADER, 3,
                                             f"[clic](javascript:{X}()) <script>{X}()</script>", "2027-01-10T10:00")])
    apply_ratings(sub, ratings, default_scale())
    reason = {"affirmee": True, "motif": f"<img src=x onerror={X}()> motif de la condition"}
    accs = ex.parse({"candidats": {"h18": {"dossier": f"<iframe src=javascript:{X}()>", "dispenses": [
        {"competence": "C4.2", "critere": 3, "avis_referent": f"<img src=x onerror={X}()> avis motivé du référent",
         "date_decision_jury": "2027-01-05", "capacite_professionnelle_globale_preservee": reason,
         "critere_sans_application_dans_la_pratique_future": reason},
        {"competence": "C4.1", "critere": 2, "avis_referent": f"<img src=x onerror={X}()> trop court"}]}}})
    incidents = [{"carnet": f"C4_1 <img src=x onerror={X}()>", "type": ACTIVE_CONTENT, "devoir": "B4",
                  "message": f"Carnet remis sous le nom « [x](javascript:{X}()).ipynb »"}]
    session = f"<img src=x onerror={X}()> session"
    rec = build_record(sub, accs.get("h18"), accs.refusals_of("h18"), session, ratings, incidents)
    for show in (candidate_view.show_header, candidate_view.show_decisions, candidate_view.show_criteria,
                 candidate_view.show_accommodations, candidate_view.show_incidents,
                 candidate_view.show_recommendations):
        show(rec)
    candidate_view.show_levels_chart(rec, [rec])
    cohort_view.show_cohort_header([rec], session)
    cohort_view.show_double_marking([{"candidat": NAME, "competence": "C4.1", "critere": 1,
                                      "niveaux": {grader: 3, "M. Keller": 2}, "niveau_final": None, "jury": False}])
    context = {"date": f"<script>{X}()</script>", "lieu": f"[lieu](javascript:{X}())",
               "certification": {"lignes": [f"<img src=x onerror={X}()> certificateur"], "blocs": {"1": f"<b>{X}</b>"}},
               "jury": [{"nom": f"<img src=x onerror={X}()>", "qualite": f"<b>{X}</b>", "statut": "extérieur"}],
               "regle_composition": f"<script>{X}()</script>", "ecarts_composition": [f"<i>{X}</i>"],
               "voies_acces": {"h18": f"<script>{X}()</script>"}, "regle_retard": f"[r](javascript:{X}())"}
    candidate_view.show_header(rec, context)
    minutes_view.show_minutes([rec], session, context)
    minutes_view.show_signatures(context)
    page = "\n".join(shown)
    assert active_markup(page) == [], active_markup(page)
    assert page.count(X) >= 10  # every hostile value is there, as text
    assert "&lt;img src=x onerror=" in page and "avis motivé du référent" in page


def test_csv_cells_cannot_become_formulas(tmp_path):
    for text in (" =1+1", "\u00a0@SUM(A1)", "\uff1dHYPERLINK(\"http://x\")", "\u3000\uff0b1"):
        assert csv_cell(text) == "'" + text  # behind spaces, or written in full width
    for text in ("=HYPERLINK(\"https://example.invalid\")", "+33 6", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(text) == "'" + text
    for value in ("Léa Fontaine", "", "C4.1 critère 3", -3, -2.5, 0, 12, None):
        assert csv_cell(value) == value
    frame = pd.DataFrame({"nom": ["=1+1", "Léa"], "retard (min)": [-15, 30], "taux": [-2.5, 50.0],
                          "=colonne": ["x", "y"]})
    out = csv_frame(frame)
    assert list(out["nom"]) == ["'=1+1", "Léa"] and list(out.columns)[-1] == "'=colonne"
    assert out["retard (min)"].dtype.kind == "i" and out["taux"].dtype.kind == "f"  # numbers stay numbers
    path = tmp_path / "t.csv"
    write_csv(frame, path, float_format="%.1f")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[0][-1] == "'=colonne" and rows[1] == ["'=1+1", "-15", "-2.5", "x"] and rows[2][2] == "50.0"


def test_every_csv_for_people_goes_through_the_helper():
    """No `to_csv` outside the helper, in the code that writes files for people (data generators aside)."""
    from pathlib import Path

    import mdpc

    offenders = [str(p) for p in Path(mdpc.__file__).parent.rglob("*.py")
                 if "datagen" not in p.parts and p.name != "safe_text.py" and ".to_csv(" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_pdf_reads_data_urls_only_and_never_the_host_nor_the_network(tmp_path, monkeypatch):
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    from mdpc.reports import batch

    secret = tmp_path / "secret.txt"
    secret.write_text("contenu-de-l-hote", encoding="utf-8")
    png = base64.b64encode(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082")).decode()
    page = (f"<p>{NAME}</p><img src='{secret.as_uri()}'><img src='file:///etc/hostname'>"
            "<img src='http://127.0.0.1:9/x.png'><link rel='stylesheet' href='https://example.invalid/s.css'>"
            f"<link rel='attachment' href='{secret.as_uri()}'><style>@import url('http://127.0.0.1:9/i.css');</style>"
            f"<img alt='graphique' src='data:image/png;base64,{png}'>")

    class Recording(URLFetcher):  # WeasyPrint's default: what it would read
        opened: list[str] = []

        def fetch(self, url, headers=None):
            Recording.opened.append(url)
            if url.startswith("http"):
                raise ValueError("pas de réseau dans ce test")
            return super().fetch(url, headers)

    HTML(string=page, url_fetcher=Recording()).write_pdf(tmp_path / "defaut.pdf")
    assert secret.as_uri() in Recording.opened  # without the fetcher, a host file is embedded: the test can fail

    connections = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: connections.append(address))
    made = []
    monkeypatch.setattr(batch, "data_only_fetcher", lambda real=batch.data_only_fetcher: made.append(real()) or made[-1])
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output("display_data", {"text/html": page})])]
    assert batch.to_pdf(nb, tmp_path / "r.pdf", f"Relevé — {NAME}") is None
    pdf = (tmp_path / "r.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"contenu-de-l-hote" not in pdf
    refused = made[0].refused
    assert secret.as_uri() in refused and "file:///etc/hostname" in refused
    assert "http://127.0.0.1:9/x.png" in refused and "https://example.invalid/s.css" in refused
    assert all(not url.startswith("data:") for url in refused)
    assert connections == []


def test_feedback_pages_give_every_image_a_french_text_without_the_soup_pass(monkeypatch):
    """The feedback exporter: nbgrader's template, every image of an output gets a French alternative text, an
    image that has its own keeps it, and nbconvert's whole-page BeautifulSoup pass (half of the time) is gone."""
    from pathlib import Path

    import nbconvert.exporters.html as html_module
    import nbgrader

    from mdpc.grading.feedback import IMAGE_ALT, FeedbackExporter

    def no_soup(*_args, **_kwargs):
        raise AssertionError("BeautifulSoup appelé sur la page entière")

    monkeypatch.setattr(html_module, "BeautifulSoup", no_soup)
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("![Carte du marché](data:image/png;base64," + png + ")"),
        nbformat.v4.new_code_cell("graphique()", outputs=[nbformat.v4.new_output(
            "display_data", data={"image/png": png, "text/plain": "<Figure>"})])])
    formgrader = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
    exporter = FeedbackExporter(template_name="feedback", extra_template_basedirs=[str(formgrader / "templates")],
                                extra_template_paths=[str(formgrader / "static" / "node_modules" / "bootstrap" / "dist" / "css")])
    page, _ = exporter.from_notebook_node(nb, resources={"nbgrader": {"notebook": "C", "score": 0, "max_score": 0, "late_penalty": 0}})
    images = re.findall(r"<img\b[^>]*>", page)
    assert len(images) == 2
    assert sum(f'alt="{IMAGE_ALT}"' in img for img in images) == 1
    assert any('alt="Carte du marché"' in img for img in images)
    assert all(re.search(r"\salt=", img) for img in images)
    # self-contained: nbgrader's template would load MathJax from a public CDN
    assert re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page, re.I) == [] and '<html lang="fr">' in page
