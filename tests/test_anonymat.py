"""Anonymous grading: graders see copy numbers, never the candidates' names or ids (mdpc.grading.anonymity).

A small course is built here (one rubric cell, two candidates in the gradebook, an autograded copy with a
deliverable the kit wrote, a similarity pair): no nbgrader run, the tests stay fast.
"""

import json
import os
import shutil
import stat
from pathlib import Path

import nbformat
import pytest
import yaml

from mdpc.core.roster import ROSTER_FILE
from mdpc.core.similarity import SharedPassage, SimilarPair
from mdpc.grading import anonymity
from mdpc.grading.anonymity import MAP_FILE, AnonymityError, CopyNumbers
from mdpc.grading.anonymous_copies import anonymous_deliverable
from mdpc.grading.course import Course
from mdpc.grading.ratings import RatingBook

A, NB, CELL = "B4_essai", "C4_1_essai", "C4_1_crit1"
CANDIDATES = {"jdupont": ("Jeanne", "Dupontel"), "mleroy": ("Marc", "Leroyer")}
GRADER = "Mme Aubert"


def _source_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_markdown_cell("Critère 1 de C4.1")
    cell.metadata["nbgrader"] = {"task": True, "grade": False, "solution": False, "locked": True,
                                 "grade_id": CELL, "points": 3, "schema_version": 3}
    cell.metadata["mdpc"] = {"competence": "C4.1", "critere": 1}
    nb.cells.append(cell)
    return nb


def _graded_notebook(sid: str, first: str, last: str) -> nbformat.NotebookNode:
    """A graded copy that names its candidate as real ones do: the form's output and saved widget state (the
    « Auteur du rapport » answer), a traceback with the copy's path, a name written in an answer."""
    nb = _source_notebook()
    form = nbformat.v4.new_code_cell("entreprise")
    form.outputs = [nbformat.v4.new_output("display_data", data={
        "text/plain": f"VBox(children=(Text(value='{first} {last}', description='Auteur du rapport'),))",
        "application/vnd.jupyter.widget-view+json": {"model_id": "m1", "version_major": 2, "version_minor": 0}})]
    error = nbformat.v4.new_code_cell("1 / 0")
    error.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                            traceback=[f"File /tmp/copie/autograded/{sid}/{A}/{NB}.ipynb:1"])]
    answer = nbformat.v4.new_markdown_cell(f"Synthèse rédigée par {last.upper()}  {first}.")
    nb.cells += [form, error, answer]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"version_major": 2, "version_minor": 0,
        "state": {"m1": {"model_name": "TextModel", "state": {"value": f"{first} {last}",
                                                              "description": "Auteur du rapport"}}}}}
    return nb


def _deliverable(folder: Path, author: str) -> None:
    """A deliverable as a case writes it with the kit: the author in its header and in the form's answers."""
    from mdpc_utils.forms import Field, Form
    from mdpc_utils.livrable import Livrable

    os.environ.pop("MDPC_SOURCE_FORMATEUR", None)
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        form = Form(NB, "entreprise", "Entreprise étudiée", [Field("nom", "Entreprise"), Field("auteur", "Auteur du rapport")])
        form.fill(nom="Ombelle Énergie", auteur=author)
        doc = Livrable("Rapport d'activité", "C4.1", "Projet professionnel", company="Ombelle Énergie", author=author)
        doc.section("Projet").answers(form)
        doc.save("rapport_activite.html")
    finally:
        os.chdir(cwd)


def make_course(root: Path, anonymous: bool) -> Course:
    (root / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")
    (root / "cas_pratiques" / A).mkdir(parents=True)
    nbformat.write(_source_notebook(), root / "cas_pratiques" / A / f"{NB}.ipynb")
    roster = {"correcteurs": [{"nom": GRADER}], **({"anonymat": True} if anonymous else {})}
    (root / ROSTER_FILE).write_text(yaml.safe_dump(roster, allow_unicode=True), encoding="utf-8")
    course = Course(root)
    with course.gradebook() as gb:
        gb.add_assignment(A)
        gb.add_notebook(NB, A)
        gb.add_task_cell(CELL, NB, A, max_score=3, cell_type="markdown")
        for sid, (first, last) in CANDIDATES.items():
            gb.add_student(sid, first_name=first, last_name=last)
            gb.add_submission(A, sid)
    for sid, (first, last) in CANDIDATES.items():
        copy = root / "autograded" / sid / A
        copy.mkdir(parents=True)
        nbformat.write(_graded_notebook(sid, first, last), copy / f"{NB}.ipynb")
        _deliverable(copy, f"{first} {last}")
        (root / "submitted" / sid / A).mkdir(parents=True)
    passage = SharedPassage(A, NB, "synthese", "formulaire", 0.9, "texte commun", "texte commun", ((0, 5),), ((0, 5),))
    pair = SimilarPair("jdupont", "mleroy", 0.93, (passage,))
    (root / "similitudes.json").write_text(json.dumps({"paires": [pair.to_json()]}), encoding="utf-8")
    return course


@pytest.fixture(scope="module")
def course_templates(tmp_path_factory):
    """Both small courses, built once (a gradebook costs seconds); each test works on a copy."""
    return {anonymous: make_course(tmp_path_factory.mktemp("modele"), anonymous).root for anonymous in (True, False)}


@pytest.fixture
def anonymous_course(course_templates, tmp_path):
    shutil.copytree(course_templates[True], tmp_path / "cours", symlinks=True)
    return Course(tmp_path / "cours")


@pytest.fixture
def named_course(course_templates, tmp_path):
    shutil.copytree(course_templates[False], tmp_path / "cours", symlinks=True)
    return Course(tmp_path / "cours")


def identities() -> list[str]:
    return [*CANDIDATES, *(n for names in CANDIDATES.values() for n in names)]


# -- the copy numbers ---------------------------------------------------------------------------------------

def test_copy_numbers_are_stable_private_and_not_derived_from_the_ids(tmp_path):
    first = CopyNumbers(tmp_path, ["c01", "c02", "c03"])
    assert all(len(n) == 6 and n.isdigit() for n in first.numbers.values())
    assert len(set(first.numbers.values())) == 3
    mode = stat.S_IMODE(os.stat(tmp_path / MAP_FILE).st_mode)
    assert mode == 0o600, oct(mode)
    again = CopyNumbers(tmp_path, ["c01", "c02", "c03", "c04"])  # a newcomer draws a number, the others keep theirs
    assert {c: again.numbers[c] for c in first.numbers} == first.numbers and "c04" in again.numbers
    # drawn, not computed: the same ids in other courses receive other numbers, in no fixed order
    tables = []
    for k in range(8):
        (tmp_path / str(k)).mkdir()
        tables.append(CopyNumbers(tmp_path / str(k), ["c01", "c02", "c03"]).numbers)
    assert len({tuple(t.values()) for t in tables}) == 8
    assert len({tuple(sorted(t, key=t.get)) for t in tables}) > 1  # the order of the numbers is not the ids'


def test_a_copy_number_is_never_a_candidates_id_nor_drawn_twice(tmp_path, monkeypatch):
    draws = iter([223456, 223456, 654321, 654321, 345678])  # 223456 is an id; 654321, once drawn, is taken
    monkeypatch.setattr(anonymity.secrets, "randbelow", lambda n: next(draws) - 100000)
    numbers = CopyNumbers(tmp_path, ["223456", "x"])
    assert numbers.numbers == {"223456": "654321", "x": "345678"}


def test_unknown_copy_number_is_refused_in_french_without_naming_anyone(tmp_path):
    numbers = CopyNumbers(tmp_path, ["jdupont"])
    assert numbers.candidate_of(numbers.copy_of("jdupont")) == "jdupont"
    assert numbers.candidate_of(f"n° {numbers.copy_of('jdupont')}") == "jdupont"
    with pytest.raises(AnonymityError, match="Numéro de copie inconnu : « 000001 »") as caught:
        numbers.candidate_of("000001")
    assert "jdupont" not in str(caught.value)


def test_a_damaged_table_is_refused_never_drawn_again(tmp_path):
    CopyNumbers(tmp_path, ["c01"])
    (tmp_path / MAP_FILE).write_text("{ pas du JSON", encoding="utf-8")
    with pytest.raises(AnonymityError, match="illisible.*ne le supprimez pas"):
        CopyNumbers(tmp_path, ["c01"])
    assert (tmp_path / MAP_FILE).read_text(encoding="utf-8") == "{ pas du JSON"


def test_the_option_is_read_from_jury_yaml_and_checked(tmp_path):
    assert anonymity.enabled(tmp_path) is False  # no jury.yaml
    (tmp_path / ROSTER_FILE).write_text("correcteurs:\n  - nom: Mme Aubert\nanonymat: oui\n", encoding="utf-8")
    with pytest.raises(AnonymityError, match="« anonymat » vaut true ou false"):
        anonymity.enabled(tmp_path)
    (tmp_path / ROSTER_FILE).write_text("correcteurs:\n  - nom: Mme Aubert\nanonymat: true\n", encoding="utf-8")
    assert anonymity.enabled(tmp_path) is True


# -- the grading notebook ----------------------------------------------------------------------------------

def form_text(entry) -> str:
    """Everything the grading form shows a grader: the picker's labels, the header, the alert, each panel's
    HTML and the links and documents it opens (paths, and the content of each document)."""
    shown = [label for label, _ in entry.candidate.options]
    shown += [entry.progress.value, entry.similar.value, *(p.html for p in entry.panels.values())]
    folder = entry.copy_folder()
    for docs in entry.documents(folder).values():
        for title, path in docs:
            shown += [title, path, Path(path).read_text(encoding="utf-8")]
    link = entry.link(NB, folder)
    shown += [link, Path(link).read_text(encoding="utf-8")]  # the notebook the grader opens, as it is
    return "\n".join(shown)


def rubric_entry(course):
    from mdpc.grading.rating_form import RubricEntry

    cwd = Path.cwd()
    os.chdir(course.root)  # the links are relative to the notebook's folder
    try:
        entry = RubricEntry(cours=course.root, devoir=A, correcteur=GRADER)
        texts = {}
        for _, sid in entry.candidate.options:
            entry.candidate.value = sid
            texts[sid] = form_text(entry)
        return entry, texts
    finally:
        os.chdir(cwd)


def test_the_grading_form_names_no_candidate_when_anonymous(anonymous_course):
    entry, texts = rubric_entry(anonymous_course)
    numbers = anonymity.copy_numbers(anonymous_course.root)
    for sid, text in texts.items():
        for identity in identities():
            assert identity not in text, f"{identity} visible dans la grille de {sid}"
        assert f"copie n° {numbers.copy_of(sid)}" in text.casefold()
        other = next(c for c in CANDIDATES if c != sid)
        assert f"copie n° {numbers.copy_of(other)}" in text  # the similarity alert, by copy number
        assert "[masqué]" in text  # the deliverable and the notebook are shown, without their author
    assert [label for label, _ in entry.candidate.options] == sorted(label for label, _ in entry.candidate.options)


def test_the_grading_form_names_the_candidates_when_not_anonymous(named_course):
    _, texts = rubric_entry(named_course)
    for sid, text in texts.items():
        first, last = CANDIDATES[sid]
        # the link opens the copy's read-only page (mdpc.grading.rating_evidence), never the notebook
        assert sid in text and f"{first} {last}" in text and f"lecture/autograded/{sid}/{A}/{NB}.html" in text
    assert not (named_course.root / MAP_FILE).exists()  # no table drawn without the option


def test_a_rating_given_by_copy_number_lands_on_the_candidate(anonymous_course):
    entry, _ = rubric_entry(anonymous_course)
    numbers = anonymity.copy_numbers(anonymous_course.root)
    entry.candidate.value = "mleroy"
    panel = entry.panel("C4.1", 1)
    panel.level.value, panel.comment.value = 2, "Analyse juste."
    assert panel.save(), panel.message.value
    book = RatingBook(anonymous_course)
    [rating] = book.history(A)
    assert (rating.candidate, rating.level, rating.who) == ("mleroy", 2, GRADER)  # the journal keeps the real id
    book.record(A, numbers.copy_of("jdupont"), "C4.1", 1, GRADER, 3, "Très bien.")  # mdpc noter --candidat <n°>
    assert {r.candidate: r.level for r in book.history(A)} == {"mleroy": 2, "jdupont": 3}
    with anonymous_course.gradebook() as gb:  # the gradebook's mirror too (formgrader, feedback)
        assert gb.find_grade(CELL, NB, A, "jdupont").manual_score == 3
    with pytest.raises(AnonymityError, match="Numéro de copie inconnu : « 999999 »"):
        book.record(A, "999999", "C4.1", 1, GRADER, 3)
    with pytest.raises(AnonymityError, match="Candidat inconnu : « Jeanne Dupontel » n'est ni le numéro"):
        book.record(A, "Jeanne Dupontel", "C4.1", 1, GRADER, 3)
    book.record(A, "mleroy", "C4.1", 1, GRADER, 1, "Le coordinateur, par l'identifiant.")
    assert book.history(A)[-1].candidate == "mleroy"


def test_mdpc_noter_accepts_a_copy_number(anonymous_course, capsys):
    from mdpc.cli import main

    numbers = CopyNumbers(anonymous_course.root, CANDIDATES)
    code = main(["noter", "--cours", str(anonymous_course.root), "--correcteur", GRADER, "--candidat",
                 numbers.copy_of("jdupont"), "--competence", "C4.1", "--critere", "1", "--niveau", "2"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "jdupont" not in out and numbers.copy_of("jdupont") in out
    assert [r.candidate for r in RatingBook(anonymous_course).history(A)] == ["jdupont"]
    assert main(["noter", "--cours", str(anonymous_course.root), "--correcteur", GRADER, "--candidat", "123",
                 "--competence", "C4.1", "--critere", "1", "--niveau", "2"]) == 1
    assert "Numéro de copie inconnu : « 123 »" in capsys.readouterr().out


# -- the deliverables --------------------------------------------------------------------------------------

def test_the_kit_marks_the_author_and_the_graders_copy_drops_it(tmp_path, monkeypatch):
    folder = tmp_path / "jdupont" / A  # the candidate's login in the path and the environment, as in a hub
    folder.mkdir(parents=True)
    for variable in ("USER", "LOGNAME", "JUPYTERHUB_USER"):
        monkeypatch.setenv(variable, "jdupont")
    _deliverable(folder, "Jeanne Dupontel")
    [written] = (folder / "livrables").glob("*.html")
    text = written.read_text(encoding="utf-8")
    assert "jdupont" not in text  # the kit never writes the candidate's login
    assert text.count("Jeanne Dupontel") == 2  # the header's author and the form's answer, as the kit writes them
    assert written.name == "rapport_activite.html"  # a file name the case gives, never the candidate's
    masked = anonymous_deliverable(text)
    assert "Jeanne Dupontel" not in masked and "Ombelle Énergie" in masked and "<h2>Projet</h2>" in masked


# -- formgrader ----------------------------------------------------------------------------------------------

@pytest.fixture
def formgrader(anonymous_course, tmp_path_factory):
    """A Jupyter server with nbgrader's formgrader and the project's extension, on the small course."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    from mdpc.grading.course import nbgrader_env

    work, token = tmp_path_factory.mktemp("serveur"), "jeton-anonymat"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**nbgrader_env(), "MDPC_CORRECTEUR": GRADER, "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
           "JUPYTER_CONFIG_DIR": str(work / "config")}
    env.pop("JUPYTERHUB_API_TOKEN", None)
    log = open(work / "serveur.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", "--ServerApp.allow_root=True",
         f"--ServerApp.root_dir={anonymous_course.root}",
         "--ServerApp.jpserver_extensions={'nbgrader.server_extensions.formgrader': True, "
         "'mdpc.grading.formgrader_journal': True}"],
        cwd=anonymous_course.root, env=env, stdout=subprocess.DEVNULL, stderr=log)

    def call(method, path, body=None):
        req = urllib.request.Request(f"http://127.0.0.1:{port}/formgrader/{path}", method=method,
                                     headers={"Authorization": f"token {token}"},
                                     data=None if body is None else json.dumps(body).encode())
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    try:
        for _ in range(120):
            try:
                if call("GET", "api/status")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.25)
        else:
            pytest.fail("serveur Jupyter non démarré : " + (work / "serveur.log").read_text()[-2000:])
        yield call
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_formgrader_serves_copy_numbers_and_records_under_the_real_id(anonymous_course, formgrader):
    call = formgrader
    numbers = anonymity.copy_numbers(anonymous_course.root)
    dupont = numbers.copy_of("jdupont")
    with anonymous_course.gradebook() as gb:
        notebook_id = gb.find_submission_notebook(NB, A, "jdupont").id
        grade_id = gb.find_grade(CELL, NB, A, "jdupont").id
    served = {}
    for path in ("api/students", f"api/submissions/{A}", f"api/submitted_notebooks/{A}/{NB}", f"api/student/{dupont}",
                 f"api/student_submissions/{dupont}", f"api/student_notebook_submissions/{dupont}/{A}",
                 f"api/submission/{A}/{dupont}", f"api/grades?submission_id={notebook_id}",
                 f"api/comments?submission_id={notebook_id}", f"submissions/{notebook_id}/",
                 f"submissions/{notebook_id}/livrables/rapport_activite.html"):  # a file the page links to
        status, served[path] = call("GET", path)
        assert status == 200, (path, served[path][:500])
    for path, text in served.items():
        for identity in identities():
            assert identity not in text, f"{identity} servi par formgrader : {path}"
    students = json.loads(served["api/students"])
    assert sorted(s["id"] for s in students) == sorted(numbers.numbers.values())
    page = served[f"submissions/{notebook_id}/"]  # no link to the notebook itself (a live kernel): the page is the copy
    assert "data-link=" not in page
    # a real id, or a number nobody has, finds no one; names are not edited under anonymity
    assert call("GET", "api/student/jdupont")[0] == 404 and call("GET", "api/student/000000")[0] == 404
    assert call("PUT", f"api/student/{dupont}", {"first_name": "X", "last_name": "Y", "email": None})[0] == 403
    status, saved = call("PUT", f"api/grade/{grade_id}", {"manual_score": 2})
    assert status == 200 and "jdupont" not in saved
    assert [(r.candidate, r.level) for r in RatingBook(anonymous_course).history(A)] == [("jdupont", 2)]
    assert ("jdupont", "Jeanne Dupontel") in anonymous_course.students()  # the gradebook keeps the identities
    roster = anonymous_course.root / ROSTER_FILE  # an option that cannot be read: formgrader shows no one
    roster.write_text(roster.read_text(encoding="utf-8").replace("anonymat: true", "anonymat: oui"), encoding="utf-8")
    status, text = call("GET", "api/students")
    assert status == 503 and not any(identity in text for identity in identities())


def test_formgrader_totals_never_count_a_graders_level(anonymous_course, formgrader):
    """A level rated in a rubric (task) cell is mirrored into the gradebook, and nbgrader adds it to every total it
    shows: another grader would read it there (blind double marking). formgrader's answers count the tests only."""
    numbers = anonymity.copy_numbers(anonymous_course.root)
    dupont = numbers.copy_of("jdupont")
    paths = ("api/students", f"api/submissions/{A}", f"api/submitted_notebooks/{A}/{NB}", f"api/student/{dupont}",
             f"api/student_submissions/{dupont}", f"api/student_notebook_submissions/{dupont}/{A}",
             f"api/submission/{A}/{dupont}", "api/assignments", f"api/notebooks/{A}")

    def totals():
        answers = {path: formgrader("GET", path) for path in paths}
        assert all(status == 200 for status, _ in answers.values()), {k: v for k, v in answers.items() if v[0] != 200}
        return {path: json.loads(text) for path, (_, text) in answers.items()}

    before = totals()
    with anonymous_course.gradebook() as gb:
        grade_id = gb.find_grade(CELL, NB, A, "jdupont").id
    assert formgrader("PUT", f"api/grade/{grade_id}", {"manual_score": 3})[0] == 200
    with anonymous_course.gradebook() as gb:  # the mirror is there, for the feedback and the jury's documents
        assert gb.find_submission(A, "jdupont").score == 3
    after = totals()
    marks = [[r["needs_manual_grade"] for r in answer[f"api/submissions/{A}"] if r["student"] == dupont]
             for answer in (before, after)]
    assert marks == [[True], [False]]  # the grader who rated sees the copy graded (own_marks)
    for path in paths:  # field by field; « needs manual grade » says a criterion was rated, not its level
        rows_before, rows_after = (v if isinstance(v, list) else [v] for v in (before[path], after[path]))
        for old, new in zip(rows_before, rows_after, strict=True):
            assert {k: (old[k], new[k]) for k in old if old[k] != new.get(k) and k != "needs_manual_grade"} == {}, path
    text = json.dumps(before)
    assert '"score": 3' not in text and '"average_score": 0.0' in text


def test_formgrader_marks_a_copy_to_grade_for_each_grader(anonymous_course, monkeypatch):
    """« Needs manual grading » in formgrader's lists is the asking grader's: a copy another grader rated is still to
    grade for them (nbgrader's own mark would say « graded », hence that someone rated, and let them skip it)."""
    from types import SimpleNamespace

    import yaml as yml

    from mdpc.grading.formgrader_totals import own_marks

    roster = anonymous_course.root / ROSTER_FILE
    data = yml.safe_load(roster.read_text(encoding="utf-8"))
    data["correcteurs"].append({"nom": "M. Second"})
    roster.write_text(yml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    RatingBook(anonymous_course).record(A, "jdupont", "C4.1", 1, GRADER, 2, "")
    with anonymous_course.gradebook() as gb:
        handler = SimpleNamespace(gradebook=gb, coursedir=SimpleNamespace(root=str(anonymous_course.root)))
        rows = [s.to_dict() for s in gb.find_assignment(A).submissions]
        rows += [s.to_dict() for sub in gb.find_assignment(A).submissions for s in sub.notebooks]
        assert {(r["student"], r["needs_manual_grade"]) for r in rows} == {("jdupont", False), ("mleroy", True)}
        monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
        marks = {}
        for who in (GRADER, "M. Second", ""):
            monkeypatch.setenv("MDPC_CORRECTEUR", who)
            marks[who] = {(r["student"], "failed_tests" in r, r["needs_manual_grade"])
                          for r in own_marks(handler, [dict(r) for r in rows])}
    both = {(sid, kind) for sid in CANDIDATES for kind in (False, True)}
    assert marks[GRADER] == {(s, k, s == "mleroy") for s, k in both}
    assert marks["M. Second"] == marks[""] == {(s, k, True) for s, k in both}


def test_the_page_of_a_missing_copy_names_no_one(anonymous_course, formgrader):
    """formgrader's page « notebook not found » (a submission whose graded notebook is gone) has the grading page's
    header: the copy number there too, never the candidate's id or names."""
    with anonymous_course.gradebook() as gb:
        notebook_id = gb.find_submission_notebook(NB, A, "jdupont").id
    (anonymous_course.root / "autograded" / "jdupont" / A / f"{NB}.ipynb").unlink()
    status, page = formgrader("GET", f"submissions/{notebook_id}/")
    assert status == 404 and "introuvable" in page, page[:500]
    assert anonymity.copy_numbers(anonymous_course.root).copy_of("jdupont") in page
    assert not [identity for identity in identities() if identity in page]


def test_erasing_a_candidate_takes_their_number_and_anonymous_view_only(anonymous_course):
    from mdpc.grading.erasure import erase_candidate
    from mdpc.grading.privacy import protect_course

    entry, _ = rubric_entry(anonymous_course)  # opens both copies: their anonymous views exist
    before = anonymity.copy_numbers(anonymous_course.root).numbers
    view = anonymous_course.root / anonymity.VIEW_DIR
    assert sorted(p.name for p in view.iterdir()) == sorted(before.values())
    protect_course(anonymous_course.root)
    assert stat.S_IMODE(os.stat(view).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(anonymous_course.root / MAP_FILE).st_mode) == 0o600
    done = erase_candidate(anonymous_course, "jdupont")
    assert any("numéro de copie du candidat supprimés" in line for line in done)
    after = CopyNumbers(anonymous_course.root).numbers
    assert after == {"mleroy": before["mleroy"]}
    assert [p.name for p in view.iterdir()] == [before["mleroy"]]


def test_the_anonymous_view_masks_identity_answers_the_gradebook_does_not_know(anonymous_course):
    from mdpc.grading.anonymous_copies import view_folder

    copy = anonymous_course.root / "autograded" / "mleroy" / A
    answers = json.loads((copy / "reponses.json").read_text(encoding="utf-8"))
    answers[NB]["entreprise.auteur"] = "Capitaine Nemo"  # not the gradebook's name
    (copy / "reponses.json").write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    (copy / "livrables" / "mleroy_perso.html").write_text("<p>Capitaine  NEMO, mleroy</p>", encoding="utf-8")
    (copy / "livrables" / "Capitaine-nemo.html").write_text("<p>rien</p>", encoding="utf-8")
    numbers = anonymity.copy_numbers(anonymous_course.root)
    view = view_folder(anonymous_course.root, numbers, "mleroy", A)
    written = {p.name: p.read_text(encoding="utf-8") for p in view.rglob("*") if p.is_file() and p.name != ".source"}
    # no candidate's file name; the kit's own name kept, the notebook's links lead to it
    assert sorted(written) == sorted(["document_1.html", "document_2.html", "rapport_activite.html", f"{NB}.ipynb"])
    assert not any(w in text for text in written.values() for w in ("Nemo", "NEMO", "mleroy"))
    assert f"[masqué], {numbers.copy_of('mleroy')}" in written["document_2.html"]
    nbformat.validate(nbformat.reads(written[f"{NB}.ipynb"], as_version=4))  # still a notebook JupyterLab opens
    deep = '{"cells": [], "metadata": {"x": ' + "[" * 5000 + "]" * 5000 + "}}"  # a hostile notebook
    (copy / "C4_9_piege.ipynb").write_text(deep, encoding="utf-8")
    assert not (view_folder(anonymous_course.root, numbers, "mleroy", A) / "C4_9_piege.ipynb").exists()


def test_the_scrubber_finds_names_as_a_page_writes_them_and_only_whole_ids():
    from mdpc.grading.anonymous_copies import Scrubber

    scrub = Scrubber("c01", "123456", ["Anne O'Brien", "O'Brien Anne", "Al"])  # « Al »: too short to mask
    assert scrub.text("Par anne  o'brien (Anne O&#x27;Brien), c01/B4, c011, Alpha") == \
        "Par [masqué] ([masqué]), 123456/B4, c011, Alpha"


def test_the_anonymous_view_follows_the_graded_copy(anonymous_course):
    from mdpc.grading.anonymous_copies import view_folder

    numbers = anonymity.copy_numbers(anonymous_course.root)
    graded = anonymous_course.root / "autograded" / "jdupont" / A / f"{NB}.ipynb"
    view = view_folder(anonymous_course.root, numbers, "jdupont", A)
    assert view_folder(anonymous_course.root, numbers, "jdupont", A) == view  # unchanged: not made again
    nb = nbformat.read(graded, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("Après une nouvelle autocorrection, Jeanne Dupontel."))
    nbformat.write(nb, graded)  # graded again
    (anonymous_course.root / "autograded" / "jdupont" / A / "livrables" / "rapport_activite.html").unlink()
    view_folder(anonymous_course.root, numbers, "jdupont", A, ["Jeanne Dupontel"])
    text = (view / f"{NB}.ipynb").read_text(encoding="utf-8")
    assert "Après une nouvelle autocorrection, [masqué]." in text
    assert not (view / "livrables" / "rapport_activite.html").exists()  # gone from the copy, gone from the view


def test_every_field_that_asks_who_wrote_is_an_identity_field():
    """A case that asks for the author under another key would show their name to graders: the key must be one
    the anonymous copies mask (mdpc_utils.livrable.IDENTITY_FIELDS)."""
    import re

    from mdpc import CAS_DIR
    from mdpc_utils.livrable import IDENTITY_FIELDS

    asks_who = re.compile(r"\b(auteur|autrice|rédig|prénom|votre nom|signataire|nom du candidat)", re.IGNORECASE)
    fields = []
    for path in sorted(CAS_DIR.glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            fields += [(path.name, key, label) for key, label in re.findall(r'Field\("(\w+)", "([^"]*)"', cell.source)]
    assert len(fields) > 50  # the pattern still finds the cases' fields
    who = [(name, key, label) for name, key, label in fields if asks_who.search(label)]
    assert len(who) >= 4 and all(key in IDENTITY_FIELDS for _, key, _ in who), who


def test_identities_come_back_for_the_decisions(anonymous_course):
    from mdpc.app import collect, decide

    numbers = anonymity.copy_numbers(anonymous_course.root)
    RatingBook(anonymous_course).record(A, numbers.copy_of("jdupont"), "C4.1", 1, GRADER, 3, "Très bien.")
    records = {r.id: r for r in decide(collect(anonymous_course), "Session d'essai")}
    assert set(records) == set(CANDIDATES)  # the real ids, not the copy numbers
    record = records["jdupont"]
    text = json.dumps(record.to_json(), ensure_ascii=False)
    assert record.candidate.name == "Jeanne Dupontel" and "Très bien." in text  # the rating, on its candidate
    assert numbers.copy_of("jdupont") not in text and "Très bien." not in json.dumps(records["mleroy"].to_json())
