"""The main job end to end on the demo cohort: nbgrader exchange, autograde, grader levels, decisions, reports.

One demo run (a few minutes) feeds every test here. The demo's candidates carry the named wrong answers
of each case's catalogue (cas_pratiques/<devoir>/corrige/erreurs_types.yaml), so these tests also prove, for every case notebook, that the solution
earns every autograded point, the blank release none, and each plausible wrong answer loses exactly
the tests that guard it.
"""

import html
import io
import re
from contextlib import ExitStack, redirect_stdout
from html import unescape

import nbformat
import pandas as pd
import pytest
import yaml

from mdpc import cli, demo
from mdpc.app import collect, decide
from mdpc.authoring.demo_cohort import DemoError, load_cohort, wrong_answers
from mdpc.core.exemptions import load as load_accommodations
from mdpc.core.grids import GridError, default_grids
from mdpc.core.roster import RosterError
from mdpc.grading.course import CourseError, run_nbgrader
from mdpc.grading.exchange import COURSE_ID
from mdpc.grading.journal import verify_journal
from mdpc.grading.ratings import RatingBook

pytestmark = pytest.mark.slow
NOTEBOOKS = ("C1_1_etude_de_marche", "C1_2_cartographie_marche", "C1_3_business_model", "C1_4_proposition_affaires",
             "C2_1_plan_prospection", "C2_2_base_clients", "C2_3_reseau_partenaires", "C2_4_negociation",
             "C2_5_entretien_vente", "C3_1_cahier_des_charges", "C3_2_tableau_de_bord_projet", "C3_3_contrat",
             "C3_4_suivi_clients", "C3_5_rapport_activite",
             "C4_1_plan_de_charges", "C4_2_tableau_de_bord", "C4_3_analyse_statistique",
             "C4_4_reunion_pilotage", "C4_5_montee_competences", "C4_6_equipe_hybride")
COHORT = load_cohort(demo.ASSIGNMENTS)
WRONG_ANSWERS = wrong_answers()
CODES = ("C1.1", "C1.2", "C1.3", "C1.4", "C2.1", "C2.2", "C2.3", "C2.4", "C2.5", "C3.1", "C3.2", "C3.3", "C3.4", "C3.5",
         "C4.1", "C4.2", "C4.3", "C4.4", "C4.5", "C4.6")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return demo.run_demo(tmp_path_factory.mktemp("demo") / "demo_mdpc", progress=False)


@pytest.fixture(scope="module")
def scores(run):
    """{candidate: {notebook: {test id: (score, max)}}} straight from the gradebook."""
    out = {}
    with run["course"].gradebook() as gb:
        for assignment in demo.ASSIGNMENTS:
            for sub in gb.find_assignment(assignment).submissions:
                out.setdefault(sub.student.id, {}).update(
                    {nb.name: {g.name: (g.score, g.max_score) for g in nb.grades if g.auto_score is not None}
                     for nb in sub.notebooks})
    return out


def records(run):
    """The candidates' records as the report templates read them (their JSON)."""
    return {r.id: r.to_json() for r in run["records"]}


def enrol(course, name):
    """A grader added to the session's roster (jury.yaml), as the coordinator would for a new grader."""
    from mdpc.core.roster import ROSTER_FILE
    from mdpc.core.roster import dump as dump_roster

    path = course.root / ROSTER_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not any(m["nom"] == name for m in data["correcteurs"]):
        data["correcteurs"].append({"nom": name})
        path.write_text(dump_roster(data), encoding="utf-8")


def competency(rec, code):
    return next(c for b in rec["blocs"] for c in b["competences"] if c["code"] == code)


def test_batch_has_no_error(run):
    assert run["errors"] == {}


def test_solution_earns_every_autograded_point(scores):
    for nb in NOTEBOOKS:
        tests = scores["c01"][nb]
        assert tests and all(score == maximum for score, maximum in tests.values()), (nb, tests)


def test_the_candidate_without_code_earns_every_autograded_point(run, scores):
    """c08 changes no code cell: every answer comes from the no-code tools and the forms (issue 17)."""
    copy = run["course"].root / "submitted" / "c08"
    for assignment in demo.ASSIGNMENTS:
        released = run["course"].root / "release" / assignment
        for path in sorted(released.glob("*.ipynb")):
            mine = nbformat.read(copy / assignment / path.name, as_version=4)
            theirs = nbformat.read(path, as_version=4)
            assert [c.source for c in mine.cells if c.cell_type == "code"] == [
                c.source for c in theirs.cells if c.cell_type == "code"], path.name
    for nb in NOTEBOOKS:
        tests = scores["c08"][nb]
        assert tests and tests == {t: (m, m) for t, (_, m) in tests.items()}, (nb, tests)
        assert set(tests) == set(scores["c01"][nb])


def test_blank_release_earns_nothing(scores):
    for nb in NOTEBOOKS:
        assert all(score == 0 for score, _ in scores["c04"][nb].values()), nb


def test_every_wrong_answer_is_exercised():
    used = [w for c in COHORT for w in c.all_wrong]
    assert sorted(set(used)) == sorted(WRONG_ANSWERS)


@pytest.mark.parametrize("candidate", [c for c in COHORT if c.wrong], ids=lambda c: c.id)
def test_wrong_answers_lose_exactly_the_tests_that_guard_them(scores, candidate):
    for nb in NOTEBOOKS:
        expected = set().union(*[WRONG_ANSWERS[w].fails for w in candidate.all_wrong
                                 if WRONG_ANSWERS[w].notebook == nb])
        failed = {t for t, (score, maximum) in scores[candidate.id][nb].items() if score < maximum}
        assert failed == expected, f"{candidate.id} / {nb}"


def test_competency_decisions(run):
    got = {sid: {c: competency(r, c)["statut"] for c in CODES} for sid, r in records(run).items()}
    V, N, A = "validé", "non validé", "en attente"
    B1 = {"c01": (V, V, V, V), "c02": (V, A, N, N), "c03": (N, N, N, N), "c04": (N, N, N, N), "c05": (V, V, V, V),
          "c06": (N, V, N, A), "c07": (V, N, V, V), "c08": (V, V, V, V)}
    B2 = {"c01": (V, V, V, V, V), "c02": (N, V, N, N, N), "c03": (N, N, N, N, N), "c04": (N, N, N, N, N),
          "c05": (V, V, V, V, V), "c06": (N, N, V, A, V), "c07": (V, V, V, N, V),
          "c08": (V, V, V, V, V)}
    B3 = {"c01": (V, V, V, V, V), "c02": (N, V, N, V, N), "c03": (N, N, N, N, N), "c04": (N, N, N, N, N),
          "c05": (V, V, V, V, V), "c06": (V, N, V, N, V), "c07": (V, V, V, V, V),
          "c08": (V, V, V, V, V)}
    B4 = {"c01": (V, V, V, V, V, V), "c02": (N, V, N, N, V, N), "c03": (N, N, N, N, N, N), "c04": (N, N, N, N, N, N),
          "c05": (V, V, V, V, V, V), "c06": (V, V, A, A, N, V), "c07": (A, V, V, V, V, N),
          "c08": (V, V, V, V, V, V)}
    # c02, C1.2 criterion 3: the two graders disagree, the jury has not decided yet; c06 has not held the orals of
    # C1.4, C2.4 and C4.4: only autograded proposals, not decisive; c07, C4.1: two graders disagree
    assert got == {sid: dict(zip(CODES, B1[sid] + B2[sid] + B3[sid] + B4[sid], strict=True)) for sid in B1}
    blocs = {sid: tuple(r["blocs"][i]["statut"] for i in range(4)) for sid, r in records(run).items()}
    assert blocs == {"c01": (V, V, V, V), "c02": (N, N, N, N), "c03": (N, N, N, N), "c04": (N, N, N, N),
                     "c05": (V, V, V, V), "c06": (N, N, N, N), "c07": (N, N, V, N),
                     "c08": (V, V, V, V)}
    decision = {sid: (r["decision"]["statut"], r["decision"]["blocs_acquis"]) for sid, r in records(run).items()}
    assert decision == {"c01": ("certification obtenue", [1, 2, 3, 4]), "c02": (N, []), "c03": (N, []), "c04": (N, []),
                        "c05": ("certification obtenue", [1, 2, 3, 4]),  # with an exemption granted by the jury
                        "c06": (N, []), "c07": ("validation partielle", [3]),
                        "c08": ("certification obtenue", [1, 2, 3, 4])}  # without writing one line of code


def test_exemption_and_extra_time(run):
    rec = records(run)["c05"]
    crit = competency(rec, "C4.2")["criteres"][2]
    assert crit["statut"] == "dispensé" and crit["niveau"] is None
    assert rec["dispenses"][0]["competence"] == "C4.2"
    assert rec["remise"]["temps_supplementaire_minutes"] == 60 and rec["remise"]["retard_minutes"] == 0
    refused = records(run)["c02"]["dispenses_refusees"]
    assert refused and "pratique professionnelle future" in refused[0]
    assert competency(records(run)["c02"], "C4.1")["criteres"][2]["statut"] != "dispensé"


def test_late_submission_and_pending_grades(run):
    rec = records(run)["c06"]
    assert rec["remise"]["retard_minutes"] > 2 * 24 * 60 - 180
    assert [d["devoir"] for d in rec["remise"]["devoirs"]] == list(demo.ASSIGNMENTS)
    assert all(d["retard_minutes"] > 2 * 24 * 60 - 180 for d in rec["remise"]["devoirs"])
    pending = competency(rec, "C4.3")["criteres"]
    assert all(c["statut"] == "en attente" for c in pending)
    assert {c["source"] for c in pending} == {"proposition automatique"}
    assert all(r["remise"]["retard_minutes"] == 0 for sid, r in records(run).items() if sid != "c06")
    summary = {line.split()[0]: line for line in demo.summary_table(run["records"], run["reports"]).splitlines()[1:]}
    assert re.search(r" 1 j \d+ h( \d+ min)? ", summary["c06"]) and " — " in summary["c01"]  # read as a person would


def test_reports_and_cohort_csv(run):
    assert len(run["reports"]) == len(COHORT)
    for out in run["reports"]:
        html = out["html"].read_text(encoding="utf-8")
        rec = records(run)[out["candidat"]]
        assert rec["candidat"]["nom"] in html and "<img" in html and "Description du graphique" in html
        assert 'lang="fr"' in html and "Traceback" not in html
        # every criterion's level is in the chart's table: nothing elided by pandas (« … », « 3 rows × 69 columns »)
        assert "rows ×" not in html and "un par bloc" in html
        levels = next(t for t in re.findall(r"<table.*?</table>", html, re.S) if "critère 5" in t)
        assert levels.split("<tbody>")[1].count("<tr") == len(CODES), "une ligne par compétence (tableau des niveaux)"
    c06 = next(o for o in run["reports"] if o["candidat"] == "c06")["html"].read_text(encoding="utf-8")
    assert re.search(r"hors délai de 1 j \d+ h", c06)
    shown = unescape(c06)  # C4.3 not rated yet: each proposal says what it rests on and why it stops at its cap
    assert "Propositions automatiques, à confirmer par un correcteur." in shown
    assert "C4_3_test_causes : 1 / 1 point" in shown and "Plafonnée à 1 (la part des points seule donnerait 2)" in shown
    assert "Pour atteindre le niveau « Acquis »" in run["reports"][2]["html"].read_text(encoding="utf-8")
    table = pd.read_csv(run["csv"], sep=";", encoding="utf-8-sig")
    assert list(table["candidat"]) == [c.id for c in COHORT]
    assert {*CODES, "Bloc 1", "Bloc 2", "Bloc 3", "Bloc 4", "certification"} <= set(table.columns)
    assert not (run["course"].root / "release" / demo.ASSIGNMENT_B4M / "jeux_de_role").exists()


def test_candidate_reports_hold_every_criterion_and_decision(run):
    for out in run["reports"]:
        rec = records(run)[out["candidat"]]
        html = out["html"].read_text(encoding="utf-8")
        for code in CODES:
            comp = competency(rec, code)
            assert f"{code} — " in html
            for cr in comp["criteres"]:
                assert cr["texte"][:60] in html.replace("&#x27;", "'").replace("&#39;", "'")
        assert out["pdf"].read_bytes().startswith(b"%PDF")
    c07 = next(o for o in run["reports"] if o["candidat"] == "c07")["html"].read_text(encoding="utf-8")
    assert "notes divergentes : Mme Aubert 1, M. Keller 2" in c07


def test_jury_minutes_and_cohort_report(run):
    batch = run["batch"]
    minutes = batch["pv"]["html"].read_text(encoding="utf-8")
    for c in COHORT:
        assert f"{c.first} {c.last.upper()} ({c.id})" in minutes  # the civil identity of candidats.yaml
    assert "Signatures des membres du jury" in minutes and "Mme Bernard, directrice commerciale, présidente" in minutes
    for mention in ("RNCP00000", "SPÉCIMEN", "RNCP00000BC04", "Composition conforme", "Voies d'accès",
                    "validation des acquis de l'expérience (VAE)", "15 janvier 2027", "Règle de retard appliquée",
                    "dossier AH-2027-005", "pratique professionnelle future"):  # c02's refused request
        assert mention in minutes, mention
    reasons = minutes.split("Motifs des blocs non validés")[1]
    c02 = reasons.split("(c02)")[1].split("(c03)")[0]
    assert "Bloc 4 (RNCP00000BC04), non validé : compétence(s) non validée(s)" in c02 and "Demande refusée" in c02
    assert "Déficience visuelle" not in minutes and "synthèse vocale" not in minutes  # health data: jury's file only
    assert re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", minutes, re.I) == []  # nothing fetched remotely
    assert batch["pv"]["pdf"].read_bytes().startswith(b"%PDF")
    table = pd.read_csv(batch["pv_csv"], sep=";", encoding="utf-8-sig")
    assert list(table["candidat"]) == [c.id for c in COHORT]
    assert table.set_index("candidat").loc["c02", "bloc 4"] == "non validé"
    assert table.set_index("candidat").loc["c05", "bloc 1"] == "validé"
    assert str(table.set_index("candidat").loc["c05", "blocs acquis"]) == "1, 2, 3, 4"
    assert table.set_index("candidat").loc["c05", "aménagements et dispenses"] == (
        "aménagement (dossier AH-2027-005) ; dispense C4.2-3 (dossier AH-2027-005, jury du 5 janvier 2027)")
    assert table.set_index("candidat").loc["c03", "voie d'accès"] == "validation des acquis de l'expérience (VAE)"
    for name in ("pv_jury.csv", "cohorte_decisions.csv"):
        assert "Déficience" not in (batch["pv_csv"].parent / name).read_text(encoding="utf-8-sig")
    cohort = batch["cohorte"]["html"].read_text(encoding="utf-8")
    assert "Taux de réussite par critère" in cohort and "Comparaison des correcteurs" in cohort
    assert "critère(s) doublement corrigé(s)" in cohort and "tranché par le jury" in cohort


def test_similar_copies_are_flagged_for_the_jury_in_the_cohort_report_and_both_grading_forms(run):
    """Issue 18: c06 copies c05's synthesis of C4.3 with light edits; c02, c05, c06 and c07 write their own syntheses
    of C1.3, C3.5 and C4.3 on the same facts; the others hand in the key's texts. Only c05 – c06 is listed."""
    from mdpc.grading.rating_form import RubricEntry

    assert [(p.a, p.b) for p in run["similar"]] == [("c05", "c06")]
    pair = run["similar"][0]
    assert {p.question for p in pair.passages} >= {"synthese.resultats", "synthese.facteurs"}
    cohort = unescape(run["batch"]["cohorte"]["html"].read_text(encoding="utf-8"))
    section = cohort.split("Copies à examiner (similitudes)", 1)[1]
    assert "Copie de c05 et copie de c06" in section and "jamais une sanction" in section
    assert "⟦" in section and "<u>" in run["batch"]["cohorte"]["html"].read_text(encoding="utf-8")
    for a, b in (("c02", "c05"), ("c02", "c06"), ("c02", "c07"), ("c05", "c07"), ("c06", "c07"), ("c01", "c08")):
        assert f"Copie de {a} et copie de {b}" not in section
    table = pd.read_csv(run["batch"]["similitudes_csv"], sep=";", encoding="utf-8-sig")
    assert set(zip(table["candidat A"], table["candidat B"], strict=True)) == {("c05", "c06")}
    for out in run["reports"]:  # never in a candidate's own report
        assert "similitude" not in out["html"].read_text(encoding="utf-8").lower()
    entry = RubricEntry(cours=run["course"].root, devoir=demo.ASSIGNMENT, correcteur="Mme Aubert")
    for me, other in (("c05", "c06"), ("c06", "c05")):
        entry.candidate.value = me
        alert = unescape(entry.similar.value)
        assert f"Similitude avec la copie de {other}" in alert and "⟦" in alert and "jamais une sanction" in alert
    for honest in ("c02", "c07", "c01"):
        entry.candidate.value = honest
        assert entry.similar.value == ""


def test_reports_run_again_idempotently(run):
    from mdpc.reports.batch import build_reports

    out = run["course"].root / "rapports"
    before = sorted(p.name for p in out.iterdir())
    batch = build_reports(run["records"][:2], out, progress=False, workers=1, pdf=False)
    assert all("erreur" not in o for o in batch["candidats"])
    assert sorted(p.name for p in out.iterdir()) == before


def test_grader_levels_are_where_formgrader_keeps_them(run):
    with run["course"].gradebook() as gb:
        grade = gb.find_grade("C4_1_crit2", "C4_1_plan_de_charges", demo.ASSIGNMENT, "c02")
        comment = gb.find_comment("C4_1_crit2", "C4_1_plan_de_charges", demo.ASSIGNMENT, "c02")
        assert grade.manual_score == 1 and grade.max_score == 3
        # the demo grader writes the grid's descriptor of the level given
        assert comment.manual_comment == default_grids()["C4.1"].criteria[1].descriptors[1]


@pytest.mark.parametrize("batch", [False, True], ids=["une-a-une", "par-lot"])
def test_wrong_ratings_are_refused_in_french(run, batch):
    """One rating at a time (formgrader) or in a batch sharing one gradebook (the demo, ``mdpc noter`` from a
    file: the demo's levels checked by the other tests were written so): each refusal leaves nothing behind."""
    book = RatingBook(run["course"])
    before = len(book.history(demo.ASSIGNMENT))
    with ExitStack() as stack:
        if batch:
            stack.enter_context(book.batch())
        _refusals(run, book)
        if batch:  # the batch's gradebook still answers after the refusals
            assert book._gb.find_grade("C4_1_crit1", "C4_1_plan_de_charges", demo.ASSIGNMENT, "c01").max_score == 3
    assert len(book.history(demo.ASSIGNMENT)) == before


def _refusals(run, book):
    with pytest.raises(GridError, match="hors de l'échelle"):
        book.record(demo.ASSIGNMENT, "c01", "C4.1", 1, "Mme Aubert", 7)
    with pytest.raises(CourseError, match="Aucune cellule d'évaluation"):
        book.record(demo.ASSIGNMENT, "c01", "C4.1", 9, "Mme Aubert", 2)
    with pytest.raises(CourseError, match="Pas de copie autocorrigée de inconnu"):
        book.record(demo.ASSIGNMENT, "inconnu", "C4.1", 1, "Mme Aubert", 2)
    with pytest.raises(CourseError, match="nom du correcteur"):
        book.record(demo.ASSIGNMENT, "c01", "C4.1", 1, "  ", 2)
    with pytest.raises(RosterError, match="« M. Inconnu » n'est pas correcteur de cette session"):
        book.record(demo.ASSIGNMENT, "c01", "C4.1", 1, "M. Inconnu", 2)  # the name is no longer free text
    with pytest.raises(RosterError, match="n'est pas membre du jury"):
        book.record(demo.ASSIGNMENT, "c07", "C4.1", 1, "M. Inconnu", 2, jury=True)  # nor is the jury box
    accs = load_accommodations(run["course"].root / "dispenses.yaml")
    with pytest.raises(CourseError, match="dispensé.*ne reçoit pas de niveau"):
        book.record(demo.ASSIGNMENT, "c05", "C4.2", 3, "Mme Aubert", 2, accommodations=accs)


def test_double_marking_divergences_and_audit_trail(run):
    book = RatingBook(run["course"])
    div = {(d["candidat"], d["competence"], d["critere"]): d for d in book.divergences(list(demo.ASSIGNMENTS))}
    assert set(div) == {("c02", "C4.3", 3), ("c07", "C4.1", 1), ("c02", "C1.2", 3)}
    assert div[("c02", "C4.3", 3)]["tranche_par_le_jury"] and div[("c02", "C4.3", 3)]["niveau_final"] == 1
    assert div[("c07", "C4.1", 1)]["niveaux"] == {"Mme Aubert": 1, "M. Keller": 2}
    assert not div[("c07", "C4.1", 1)]["tranche_par_le_jury"]
    with run["course"].gradebook() as gb:
        assert gb.find_grade("C4_1_crit1", "C4_1_plan_de_charges", demo.ASSIGNMENT, "c07").manual_score is None
        assert gb.find_grade("C4_3_crit3", "C4_3_analyse_statistique", demo.ASSIGNMENT, "c02").manual_score == 1
        assert gb.find_comment("C4_3_crit3", "C4_3_analyse_statistique", demo.ASSIGNMENT, "c02"
                               ).manual_comment.startswith("[Jury — Mme Bernard")
    trail = book.history(demo.ASSIGNMENT, "c02")
    assert {r.who for r in trail} == {"Mme Aubert", "M. Keller", "Mme Bernard"}  # the names jury.yaml declares
    assert all(r.at for r in trail)
    assert verify_journal(book.path).ok
    import sqlite3
    from contextlib import closing

    # closed at once: a connection left open (a reference cycle through the exception) keeps SQLite's locks on
    # the journal in this process, which a later copy of the course folder (copytree opens and closes the
    # files) silently drops; another process then takes itself for the last reader and resets the WAL
    with closing(sqlite3.connect(book.path)) as db, pytest.raises(sqlite3.DatabaseError, match="ne se modifie pas"):
        db.execute("UPDATE notes SET niveau = 3")
    rec = records(run)["c07"]
    crit = competency(rec, "C4.1")["criteres"][0]
    assert crit["statut"] == "en attente" and crit["notes_divergentes"]
    assert competency(records(run)["c01"], "C4.1")["criteres"][0]["correcteur"] == "Mme Aubert"
    assert competency(records(run)["c02"], "C4.3")["criteres"][2]["correcteur"].startswith("jury (")


def test_the_demo_declares_its_graders_and_jury_and_its_journal_verifies(run):
    from mdpc.core.roster import ROSTER_FILE
    from mdpc.core.roster import load as load_roster

    root = run["course"].root
    roster = load_roster(root / ROSTER_FILE)
    assert tuple(m.name for m in roster.graders) == demo.GRADERS and roster.president.name == demo.JURY_CHAIR
    assert (root / ROSTER_FILE).read_text(encoding="utf-8").startswith("# Correcteurs et jury de la session")
    assert (root / ROSTER_FILE).stat().st_mode & 0o077 == 0  # names of people: owner only
    signed = {(r.who, r.role) for a in demo.ASSIGNMENTS for r in RatingBook(run["course"]).history(a)}
    assert {who for who, role in signed if role == "jury"} == {demo.JURY_CHAIR}
    assert {who for who, role in signed if role == "correcteur"} <= {m.name for m in roster.graders}
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["journal", "--cours", str(root), "--verifier"]) == 0
    assert re.match(r"journal intact : \d+ notes, chaîne vérifiée jusqu'à [0-9a-f]{16}\n", out.getvalue())


def test_real_use_commands(run, tmp_path):
    root = str(run["course"].root)
    levels = tmp_path / "niveaux.csv"
    levels.write_text("candidat;competence;critere;niveau;commentaire\nc06;C4.3;1;3;Analyse complète\n"
                      "c06;C4.3;2;5;hors échelle\n", encoding="utf-8")
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["noter", "--cours", root, "--fichier", str(levels), "--correcteur", "M. Keller"]) == 1
    assert "enregistré : c06 C4.3 critère 1 → niveau 3" in out.getvalue()
    assert "ligne 2 refusée : Niveau « 5 » hors de l'échelle" in out.getvalue()
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["decisions", "--cours", root, "--csv", str(tmp_path / "d.csv")]) == 0
    assert "c06" in out.getvalue() and (tmp_path / "d.csv").exists()
    rec = decide(collect(run["course"], [demo.ASSIGNMENT]), "s")[5]
    assert rec.competency("C4.3").criteria[0].grader == "M. Keller"


def test_demo_folder_is_recreated_but_never_a_foreign_one(tmp_path):
    work = tmp_path / "d"
    demo.prepare_course(work)
    (work / "trace").write_text("x")
    demo.prepare_course(work)
    assert not (work / "trace").exists() and (work / "cas_pratiques").is_dir()
    foreign = tmp_path / "mes_documents"
    foreign.mkdir()
    (foreign / "precieux.txt").write_text("x")
    with pytest.raises(DemoError, match="n'est pas un dossier de démonstration"):
        demo.prepare_course(foreign)
    assert (foreign / "precieux.txt").exists()


def test_rubric_entry_form_saves_into_the_gradebook(run):
    from mdpc.grading.rating_form import RubricEntry

    course = run["course"]
    entry = RubricEntry(cours=course.root, devoir=demo.ASSIGNMENT, correcteur="Mme Aubert")
    entry.candidate.value = "c06"  # C4.3 not yet rated by the demo graders (another test may rate criterion 1)
    rated = lambda: int(re.search(r"critères notés par Mme Aubert : (\d+) / 9", entry.progress.value).group(1))  # noqa: E731
    before = rated()
    assert 6 <= before <= 7 and "restant à noter" in entry.progress.value
    shown = unescape(entry.panel("C4.3", 3).html)  # a criterion of judgement: its proposal stops at 1, and says why
    assert "niveau proposé : 1 (Partiellement acquis)" in shown and "C4_3_test_causes : 1 / 1 point — " in shown
    assert "ne repose que sur les calculs et les réponses que ces tests vérifient" in shown
    assert "Plafonnée à 1 (la part des points seule donnerait 2) : critère de jugement" in shown
    panel = entry.panel("C4.3", 2)
    assert panel.level.value is None and not panel.button.disabled
    panel.button.click()
    assert "Choisissez un niveau" in panel.message.value
    panel.level.value, panel.comment.value = 3, "Écarts classés, anomalies qualifiées."
    panel.button.click()
    assert panel.message.value.startswith("✔ Enregistré : niveau 3")
    with course.gradebook() as gb:  # mirrored where formgrader and the feedback read it
        assert gb.find_grade("C4_3_crit2", "C4_3_analyse_statistique", demo.ASSIGNMENT, "c06").manual_score == 3
        assert gb.find_comment("C4_3_crit2", "C4_3_analyse_statistique", demo.ASSIGNMENT, "c06"
                               ).manual_comment == "Écarts classés, anomalies qualifiées."
    assert rated() == before + 1
    # a level written into the gradebook behind the journal's back counts for nothing, and is flagged
    with course.gradebook() as gb:
        gb.find_grade("C4_3_crit3", "C4_3_analyse_statistique", demo.ASSIGNMENT, "c06").manual_score = 1
        gb.db.commit()
    entry.reload()
    assert entry.panel("C4.3", 3).level.value is None
    rec = decide(collect(course, [demo.ASSIGNMENT]), "s")[5]
    assert rec.competency("C4.3").criteria[2].source != "correcteur"
    assert any(i.kind == "niveau_hors_journal" and "C4.3, critère 3" in i.message for i in rec.incidents)
    entry.candidate.value = "c05"
    exempt = entry.panel("C4.2", 3)
    assert exempt.button.disabled and "Dispensé" in exempt.message.value
    assert "1 dispensé(s)" in entry.progress.value
    entry.candidate.value = "c07"  # C4.1 criterion 1: Mme Aubert 1, M. Keller 2 — a grader sees only their own
    assert "divergence" not in entry.progress.value and "Keller" not in entry.panel("C4.1", 1).html
    assert entry.panel("C4.1", 1).level.value == 1
    entry.jury.value = True  # the jury sees both graders, their words and the divergence
    assert "1 divergence(s) à trancher" in entry.progress.value
    assert "M. Keller : 2" in entry.panel("C4.1", 1).html and "Mme Aubert : 1" in entry.panel("C4.1", 1).html
    entry.jury.value = False
    entry.grader.value = ""
    panel = entry.panel("C4.1", 2)
    panel.level.value = 2
    panel.button.click()
    assert "nom du correcteur" in panel.message.value


def test_double_marking_is_blind_and_each_grader_signs_only_their_words(run):
    from mdpc.grading.rating_form import RubricEntry

    course, book = run["course"], RatingBook(run["course"])
    enrol(course, "M. Dupont")
    first = book.own(demo.ASSIGNMENT, "c01", "C4.2", 1, "Mme Aubert")
    assert first is not None and first.comment
    entry = RubricEntry(cours=course.root, devoir=demo.ASSIGNMENT, correcteur="M. Dupont")
    entry.candidate.value = "c01"
    panel = entry.panel("C4.2", 1)
    assert panel.level.value is None and panel.comment.value == ""  # an empty form, not the first grader's
    assert "Aubert" not in panel.html and first.comment not in panel.html
    panel.level.value, panel.comment.value = first.level, "Indicateurs justes, lecture rapide."
    panel.button.click()
    mine = book.own(demo.ASSIGNMENT, "c01", "C4.2", 1, "M. Dupont")
    assert (mine.level, mine.comment) == (first.level, "Indicateurs justes, lecture rapide.")
    assert book.own(demo.ASSIGNMENT, "c01", "C4.2", 1, "Mme Aubert") == first  # her words stay hers
    eff = book.effective(demo.ASSIGNMENT, "c01", "C4.2", 1)
    assert eff.state == "concordantes" and eff.comments == {"Mme Aubert": first.comment,
                                                             "M. Dupont": "Indicateurs justes, lecture rapide."}
    entry.jury.value = True  # a grader who is not on the jury ticks its box: told why, and still blind
    assert "« M. Dupont » n'est pas membre du jury" in html.unescape(entry.progress.value) and not entry.jury_view
    assert "Aubert" not in entry.panel("C4.2", 1).html and first.comment not in entry.panel("C4.2", 1).html
    panel = entry.panel("C4.2", 1)
    panel.level.value = 3
    panel.button.click()
    assert "n'est pas membre du jury" in html.unescape(panel.message.value) and book.effective(
        demo.ASSIGNMENT, "c01", "C4.2", 1).state == "concordantes"  # no jury level recorded


def test_parallel_autograde_matches_nbgrader_sequential(run, tmp_path):
    """The demo's parallel autograde and nbgrader's own sequential one, run again on a copy of the course
    for a sample of copies (mistakes, blank, late with mistakes: every kind, in less time), agree exactly."""
    import shutil

    from nbgrader.api import Gradebook

    copy = tmp_path / "sequentiel"
    shutil.copytree(run["course"].root, copy, symlinks=True, ignore=shutil.ignore_patterns("rapports", "candidats"))
    with Gradebook(f"sqlite:///{copy / 'gradebook.db'}") as gb:  # nbgrader must write every automatic score again
        for sid in ("c02", "c04", "c06"):
            for nb in gb.find_submission(demo.ASSIGNMENT, sid).notebooks:
                for g in nb.grades:
                    g.auto_score = None
        gb.db.commit()
    run_nbgrader(["autograde", demo.ASSIGNMENT, "--force", "--student=c0[246]"], copy)  # nbgrader takes a glob

    def dump(db):
        out = {}
        with Gradebook(f"sqlite:///{db}") as gb:
            for sub in gb.find_assignment(demo.ASSIGNMENT).submissions:
                out[(sub.student.id, "remise")] = sub.timestamp
                for nb in sub.notebooks:
                    out[(sub.student.id, nb.name, "retard")] = nb.late_submission_penalty
                    for g in nb.grades:
                        out[(sub.student.id, nb.name, g.name)] = (g.auto_score, g.manual_score, g.needs_manual_grade)
                    for c in nb.comments:
                        out[(sub.student.id, nb.name, c.name)] = (c.auto_comment, c.manual_comment)
        return out

    parallel, sequential = dump(run["course"].root / "gradebook.db"), dump(copy / "gradebook.db")
    assert len(parallel) > 120 and parallel == sequential


def test_feedback_shows_levels_but_no_hidden_test(run):
    folder = run["course"].root / "feedback" / "c02" / demo.ASSIGNMENT
    pages = {p.stem: p.read_text(encoding="utf-8") for p in folder.glob("*.html")}
    assert set(pages) == {n for n in NOTEBOOKS if n[:4] in ("C4_1", "C4_2", "C4_3")}
    for name, page in pages.items():
        for secret in ("HIDDEN TESTS", "MARK SCHEME", "_capacite_vraie", "def _attendu", "_vraies", "Ce que le correcteur"):
            assert secret not in page, (name, secret)
        assert "Votre résultat sur cette compétence" in page and "Niveau attribué par le jury" in page
    assert "Niveau attribué par le jury : 1 — Partiellement acquis" in pages["C4_1_plan_de_charges"]
    assert "AssertionError : Capacité de" in pages["C4_1_plan_de_charges"]  # the French message, not the code


def test_bloc1_feedback_and_deliverables(run):
    """Bloc 1: feedback without hidden tests; each candidate's deliverables are in the autograded copy."""
    root = run["course"].root
    folder = root / "feedback" / "c02" / demo.ASSIGNMENT_B1
    pages = {p.stem: p.read_text(encoding="utf-8") for p in folder.glob("*.html")}
    assert set(pages) == {n for n in NOTEBOOKS if n.startswith("C1")}
    for name, page in pages.items():
        for secret in ("HIDDEN TESTS", "MARK SCHEME", "def _vrais", "_essai", "Ce que le correcteur"):
            assert secret not in page, (name, secret)
    assert "TCAM attendu" in pages["C1_1_etude_de_marche"]  # c02's mistake, told in French
    livrables = root / "autograded" / "c01" / demo.ASSIGNMENT_B1 / "livrables"
    names = sorted(p.name for p in livrables.glob("*.html"))
    assert names == ["livrable_1_etude_de_marche.html", "livrable_2_cartographie.html",
                     "livrable_3_business_model.html", "proposition_technique.html"]
    doc = (livrables / "livrable_3_business_model.html").read_text(encoding="utf-8")
    assert "Point mort : 1522 bornes" in doc and "<img" in doc and "(sans réponse)" not in doc
    blank = root / "autograded" / "c04" / demo.ASSIGNMENT_B1 / "livrables" / "livrable_1_etude_de_marche.html"
    assert "(sans réponse)" in blank.read_text(encoding="utf-8")  # the blank copy's document says what is missing


@pytest.mark.parametrize("assignment", demo.ASSIGNMENTS)
def test_every_assignment_gives_feedback_without_secrets(run, assignment):
    for cand in ("c02", "c03"):
        pages = list((run["course"].root / "feedback" / cand / assignment).glob("*.html"))
        assert pages, (cand, assignment)
        for page in pages:
            text = page.read_text(encoding="utf-8")
            for secret in ("HIDDEN TESTS", "MARK SCHEME", "BEGIN SOLUTION", "Ce que le correcteur", "Fiches de rôle"):
                assert secret not in text, (page.name, secret)


def test_rubric_entry_links_each_criterion_to_the_candidates_document(run):
    from mdpc.grading.rating_form import RubricEntry

    entry = RubricEntry(cours=run["course"].root, devoir=demo.ASSIGNMENT_B1, correcteur="Mme Aubert")
    entry.candidate.value = "c01"
    shown = entry.panel("C1.3", 1).html
    assert "livrable_3_business_model.html" in shown and "Livrable 3 — Business model" in shown
    assert "livrable_1" not in shown
    assert "proposition_technique.html" in entry.panel("C1.4", 2).html


def test_a_candidates_report_and_feedback_name_no_other_candidate(run):
    """Privacy: the cohort appears in a report only as averages; feedback is the candidate's own."""
    root = run["course"].root
    for c in COHORT:
        others = [o for o in COHORT if o.id != c.id]
        files = [root / "rapports" / f"rapport_{c.id}.html", *sorted((root / "feedback" / c.id).rglob("*.html"))]
        assert len(files) > 1
        for path in files:
            text = path.read_text(encoding="utf-8")
            if path.parent.name == "rapports":  # the check can fail: the report does name its own candidate
                assert c.last in text
            for o in others:
                assert f"{o.first} {o.last}" not in text, (c.id, path.name, o.id)
                assert not re.search(rf"\b{o.id}\b", text), (c.id, path.name, o.id)


def test_personal_data_is_not_world_readable(run):
    root = run["course"].root
    for name in ("submitted", "autograded", "feedback", "rapports", "gradebook.db", "notation.db", "dispenses.yaml"):
        mode = (root / name).stat().st_mode
        assert mode & 0o077 == 0, (name, oct(mode))


def test_cohort_report_can_be_anonymised(run, tmp_path):
    from mdpc.reports.batch import build_reports

    book = RatingBook(run["course"])
    batch = build_reports(run["records"], tmp_path / "anonyme", progress=False, pdf=False, anonymise=True,
                          double=book.double_marked(list(demo.ASSIGNMENTS)))
    shared = batch["cohorte_anonyme"]["html"]
    assert shared.parent == tmp_path / "anonyme" / "diffusion" and [p.name for p in shared.parent.glob("*.html")] == [
        "rapport_cohorte_anonyme.html"]  # apart from every named file
    text = shared.read_text(encoding="utf-8")
    assert "copie 1" in text  # the double-marking table is there, under pseudonyms
    for o in COHORT:
        assert o.last not in text and not re.search(rf"\b{o.id}\b", text), o.id
    named = batch["cohorte"]["html"]
    assert re.search(r"\bc0\d\b", named.read_text(encoding="utf-8"))  # the jury's version names them


def test_erasing_a_candidate_leaves_nothing_of_them_and_everything_else(run, tmp_path):
    import shutil as sh
    import sqlite3
    from contextlib import closing

    from mdpc.grading.course import Course
    from mdpc.grading.erasure import erase_candidate

    root = tmp_path / "cours"
    sh.copytree(run["course"].root, root, symlinks=True)
    course = Course(root)
    assert "c05" in (root / "dispenses.yaml").read_text(encoding="utf-8")
    assert cli.main(["effacer", "c05", "--cours", str(root)]) == 1  # refused without --confirmer
    released = root / "echange" / COURSE_ID / "feedback"
    course.nbgrader("release_feedback", demo.ASSIGNMENT)
    before = set(released.glob("*.html"))
    mine = len(list((root / "feedback" / "c05" / demo.ASSIGNMENT).glob("*.html")))
    assert mine == 3 and len(before) > mine  # one per notebook and candidate
    assert re.search(r"(?<![\w-])c05(?![\w-])", (root / "journal_autocorrection.log").read_text(encoding="utf-8"))
    book = RatingBook(course)  # a grader's comment that names the candidate, and a formgrader draft
    book.record(demo.ASSIGNMENT, "c05", "C4.1", 2, "M. Keller", 2, "Clara Petit a bien réparti la charge (zq-5501).")
    book.save_draft(demo.ASSIGNMENT, "c05", "C4.1", 3, "M. Keller", "Brouillon sur Clara Petit (zq-5502).")
    theirs = sum(len(book.history(a, "c05")) for a in demo.ASSIGNMENTS)
    chain_before = verify_journal(root / "notation.db")
    assert chain_before.ok and theirs > 1
    done = erase_candidate(course, "c05")
    assert any("gradebook" in d for d in done)
    assert any(f"{theirs} note(s) caviardée(s)" in d and "1 brouillon(s)" in d for d in done), done
    with course.gradebook() as gb:
        ids = {s.id for s in gb.students}
    assert "c05" not in ids and "c01" in ids
    with closing(sqlite3.connect(root / "notation.db")) as db:  # closed before the file is read below
        for table, columns in (("notes", ("candidat", "commentaire")), ("brouillons", ("candidat", "commentaire")),
                               ("evenements", ("detail",))):
            named = " OR ".join(f"{c} LIKE '%c05%' OR {c} LIKE '%Clara%'" for c in columns)
            assert db.execute(f"SELECT COUNT(*) FROM {table} WHERE {named}").fetchone()[0] == 0, table
        assert db.execute("SELECT COUNT(*) FROM notes WHERE candidat = 'c01'").fetchone()[0] > 0
        assert db.execute("SELECT COUNT(*) FROM notes WHERE efface IS NOT NULL AND candidat = '' AND commentaire = '' "
                          "AND niveau IS NOT NULL").fetchone()[0] == theirs  # the levels stay, nobody's
        erasure = db.execute("SELECT detail FROM evenements WHERE nature = 'effacement'").fetchall()
        assert [yaml.safe_load(d)["tables"] for (d,) in erasure] == [{"notes": theirs, "brouillons": 1}]
        with pytest.raises(sqlite3.DatabaseError):  # the journal stayed append-only: its triggers were never lifted
            db.execute("DELETE FROM notes WHERE candidat = 'c01'")
    stored = b"".join(p.read_bytes() for p in root.glob("notation.db*"))  # nor in a free page or the WAL
    assert b"zq-5501" not in stored and b"zq-5502" not in stored and b"Clara Petit" not in stored
    chain_after = verify_journal(root / "notation.db")  # the chain still verifies, the blanked rows said as such
    assert chain_after.ok and chain_after.redacted == theirs and chain_after.notes == chain_before.notes
    assert all(chain_after.chains[r] == c for r, c in chain_before.chains.items())
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["journal", "--cours", str(root), "--verifier", "--tete", chain_before.head[:16]]) == 0
    assert out.getvalue().startswith("journal intact") and f"dont {theirs} note(s) caviardée(s)" in out.getvalue()
    assert "1 ligne(s) ajoutée(s) depuis" in out.getvalue()  # the erasure itself
    assert not any(c == "" for c, _, _ in RatingBook(course).graders(list(demo.ASSIGNMENTS)))  # no ghost candidate
    for folder in ("submitted", "autograded", "feedback"):
        assert not (root / folder / "c05").exists() and (root / folder / "c01").exists()
    assert not list((root / "rapports").glob("rapport_c05.*")) and list((root / "rapports").glob("rapport_c01.*"))
    assert not list(root.glob("echange/**/c05+*"))
    gone = before - set(released.glob("*.html"))
    assert len(gone) == mine and len(before) - len(gone) > 0, done  # c05's feedback, and only theirs
    for journal in root.glob("journal_*.log"):
        text = journal.read_text(encoding="utf-8")
        assert not re.search(r"(?<![\w-])c05(?![\w-])", text) and "c01" in text, journal.name
    assert "c05" not in (root / "dispenses.yaml").read_text(encoding="utf-8")


def test_formgrader_levels_go_into_the_journal_and_stay_blind(run, tmp_path):
    """formgrader (nbgrader's grading web page) with the project's server extension, on the demo course:
    a second grader sees an empty rubric cell, a comment typed first waits for its level, the level is signed
    in the journal, and clearing a level is refused."""
    import json as _json
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    from mdpc.grading.course import nbgrader_env

    course, token = run["course"], "jeton-formgrader"
    enrol(course, "Mme Fabre")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**nbgrader_env(), "MDPC_CORRECTEUR": "Mme Fabre", "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("JUPYTERHUB_API_TOKEN", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", "--ServerApp.allow_root=True", f"--ServerApp.root_dir={course.root}",
         "--ServerApp.jpserver_extensions={'nbgrader.server_extensions.formgrader': True, "
         "'mdpc.grading.formgrader_journal': True}"],
        cwd=course.root, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "serveur.log", "w"))
    base = f"http://127.0.0.1:{port}/formgrader/api"

    def call(method, path, body=None):
        req = urllib.request.Request(f"{base}/{path}", method=method, headers={"Authorization": f"token {token}"},
                                     data=None if body is None else _json.dumps(body).encode())
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, _json.loads(r.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, None

    try:
        for _ in range(120):
            try:
                if call("GET", "status")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("serveur Jupyter non démarré : " + (tmp_path / "serveur.log").read_text()[-2000:])
        with course.gradebook() as gb:
            nb = gb.find_submission_notebook("C4_1_plan_de_charges", demo.ASSIGNMENT, "c01")
            notebook_id, grade = nb.id, gb.find_grade("C4_1_crit1", nb.name, demo.ASSIGNMENT, "c01")
            grade_id, comment_id = grade.id, gb.find_comment("C4_1_crit1", nb.name, demo.ASSIGNMENT, "c01").id
            assert grade.manual_score == 3  # Mme Aubert's level, mirrored in the gradebook
        status, grades = call("GET", f"grades?submission_id={notebook_id}")
        assert status == 200
        mine = next(g for g in grades if g["name"] == "C4_1_crit1")
        assert mine["manual_score"] is None  # blind: not Mme Aubert's 3
        status, comments = call("GET", f"comments?submission_id={notebook_id}")
        assert next(c for c in comments if c["name"] == "C4_1_crit1")["manual_comment"] in (None, "")
        assert call("PUT", f"comment/{comment_id}", {"manual_comment": "Plan faisable, arbitrage à étayer."})[0] == 200
        status, saved = call("PUT", f"grade/{grade_id}", {"manual_score": 2})
        assert status == 200 and saved["manual_score"] == 2
        book = RatingBook(course)
        fabre = book.own(demo.ASSIGNMENT, "c01", "C4.1", 1, "Mme Fabre")
        assert (fabre.level, fabre.comment) == (2, "Plan faisable, arbitrage à étayer.")
        assert book.effective(demo.ASSIGNMENT, "c01", "C4.1", 1).state == "divergentes"
        with course.gradebook() as gb:  # the mirror follows the journal: a divergence has no level
            assert gb.find_grade("C4_1_crit1", "C4_1_plan_de_charges", demo.ASSIGNMENT, "c01").manual_score is None
        assert call("PUT", f"grade/{grade_id}", {"manual_score": None})[0] == 400
        assert call("PUT", f"grade/{grade_id}", {"manual_score": 7})[0] == 400
        assert len(book.history(demo.ASSIGNMENT, "c01")) == len(set(book.history(demo.ASSIGNMENT, "c01")))
    finally:
        server.terminate()
        server.wait(timeout=30)
