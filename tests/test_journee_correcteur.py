"""The grader's day in the rubric entry form (issue 21, item 3): the course found without editing code and no
gradebook created where no course is; the first candidate selected and kept across assignments; the keyboard
field (AZERTY and QWERTY); comment presets from the grids; one criterion copy after copy; progress.

A small graded course: the demo's sources, two candidates whose submissions are in the gradebook (nbgrader's
``add_submission``, no autograde: about 5 s), for two assignments.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mdpc import demo
from mdpc.core.grids import default_grids
from mdpc.grading.course import CourseError

pytestmark = pytest.mark.slow
A, B = "B4_management_equipe", "B4_pilotage_performance"


def graded_course(root: Path):
    """A course whose gradebook holds two candidates' submissions to A and B (nothing autograded)."""
    course = demo.prepare_course(root)
    with course.gradebook() as gb:
        for assignment in (A, B):
            gb.update_or_create_assignment(assignment, duedate=demo.DUE)
        gb.update_or_create_student("n01", first_name="Nina", last_name="Navigateur")
        gb.update_or_create_student("n02", first_name="Noé", last_name="Nord")
    for assignment in (A, B):
        course.run_in_process("generate_assignment", assignment)
    with course.gradebook() as gb:
        for assignment in (A, B):
            for sid in ("n01", "n02"):
                gb.add_submission(assignment, sid)
    return course


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project folder as after `make demo`: nbgrader_config.py at its root (no gradebook), grilles/, and the
    graded course demo_mdpc/ inside."""
    root = tmp_path_factory.mktemp("isole") / "projet"  # alone two levels up: the finder looks that far
    root.mkdir()
    shutil.copy(demo.PROJECT_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    (root / "grilles").mkdir()
    graded_course(root / "demo_mdpc")
    return root


def test_the_course_is_found_and_no_gradebook_is_created_where_no_course_is(project):
    from mdpc.grading.course_finder import CoursePicker, courses_near
    from mdpc.grading.rating_form import RubricEntry

    with pytest.raises(CourseError, match="pas encore de gradebook.*rien n'a été créé"):
        RubricEntry(cours=project, devoir=A, correcteur="Mme Aubert")
    assert not (project / "gradebook.db").exists() and not (project / "notation.db").exists()
    assert courses_near(project / "grilles") == [project / "demo_mdpc"]
    picker = CoursePicker(project / "grilles", correcteur="Mme Aubert")  # the notebook opened in grilles/
    assert picker.course.options == (("../demo_mdpc", str(project / "demo_mdpc")),) and picker.entry is not None
    assert picker.entry.course.root == project / "demo_mdpc"
    assert not (project / "gradebook.db").exists() and not (project / "notation.db").exists()


def test_no_course_around_is_said_in_french(tmp_path):
    from mdpc.grading.course_finder import CoursePicker

    far = tmp_path / "a" / "b" / "c"
    far.mkdir(parents=True)
    picker = CoursePicker(far)
    assert picker.entry is None and "Aucun cours corrigé trouvé" in picker.message.value
    assert not list(tmp_path.rglob("*.db"))


def test_the_first_candidate_is_selected_and_kept_across_assignments(project):
    from mdpc.grading.rating_form import RubricEntry

    entry = RubricEntry(cours=project / "demo_mdpc", devoir=A, correcteur="Mme Aubert")
    assert entry.candidate.value == "n01" and entry.current == ("C4.4", 1)
    entry.candidate.value = "n02"
    entry.assignment.value = B
    assert entry.candidate.value == "n02" and "Noé Nord" in entry.progress.value
    entry.assignment.value = A
    assert entry.candidate.value == "n02"


def test_keyboard_rates_saves_jumps_and_moves_to_the_next_copy(project):
    from mdpc.grading.rating_form import RubricEntry

    entry = RubricEntry(cours=project / "demo_mdpc", devoir=A, correcteur="M. Clavier")
    assert all(type(h).__name__ == "Button" for h in entry.headers.values())  # headers take the focus
    keys = entry.keys.text
    keys.value = "é"  # AZERTY's 2 without Maj
    panel = entry.panel("C4.4", 1)
    assert panel.level.value == 2 and not entry.book.own(A, "n01", "C4.4", 1, "M. Clavier")
    keys.value = "te"
    descriptor = default_grids()["C4.4"].criteria[0].descriptors[2]
    own = entry.book.own(A, "n01", "C4.4", 1, "M. Clavier")
    assert own.level == 2 and descriptor in own.comment, own
    keys.value = "s"  # critère suivant à noter
    assert entry.current == ("C4.4", 2) and "C4.4, critère 2" in entry.keys.where.value
    keys.value = "3e"
    keys.value = "c"  # the next copy, same criterion
    assert entry.candidate.value == "n02" and entry.current == ("C4.4", 2)
    keys.value = "1e"
    assert entry.book.own(A, "n02", "C4.4", 2, "M. Clavier").level == 1
    keys.value = "c"
    assert "dernière copie" in entry.keys.message.value and entry.candidate.value == "n02"
    keys.value = "z"
    assert "touche inconnue" in entry.keys.message.value
    keys.value = "p"
    assert entry.candidate.value == "n01"
    keys.value = "s"  # C4.4 criteria 1 and 2 are rated for n01: the next one still to rate is criterion 3
    assert entry.current == ("C4.4", 3)
    entry.one_criterion.value = True  # one criterion, copy after copy: only its panel shows
    assert entry.body.children == (entry.panel("C4.4", 3).box,)
    overview = entry.overview.value
    assert "Nina Navigateur</td><td>2 /" in overview and "Noé Nord</td><td>1 /" in overview, overview
    assert "M. Clavier : 3 critère(s) noté(s)" in overview


def test_comment_presets_come_from_the_level_descriptors_and_stay_editable(project):
    from mdpc.grading.rating_form import RubricEntry
    from mdpc.grading.rating_panel import presets

    grid = default_grids()["C4.5"].criteria[1]
    assert [text.split(" : ", 1)[1] for _, text in presets("C4.5", 2)] == [grid.descriptors[k] for k in range(4)]
    entry = RubricEntry(cours=project / "demo_mdpc", devoir=A, correcteur="Mme Preset")
    panel = entry.panel("C4.5", 2)
    panel.preset.value = 1
    assert grid.descriptors[1] in panel.comment.value and panel.preset.value is None
    panel.comment.value += " Manque l'analyse des écarts."
    panel.level.value = 1
    assert panel.save()
    assert entry.book.own(A, "n01", "C4.5", 2, "Mme Preset").comment.endswith("Manque l'analyse des écarts.")


def test_make_lab_starts_for_root_too(tmp_path):
    """The command `make lab` runs (read from `make -n`) starts a server, root or not: as root Jupyter refuses
    to start without --allow-root, which the Makefile adds only then."""
    import os
    import socket
    import subprocess
    import time
    import urllib.request

    quiet = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}  # under make test
    out = subprocess.run(["make", "--no-print-directory", "-n", "lab"], cwd=demo.PROJECT_ROOT, capture_output=True,
                         text=True, check=True, env=quiet).stdout
    line = next(x for x in reversed(out.strip().splitlines()) if " lab " in x)
    assert ("--allow-root" in line) == (os.geteuid() == 0), line
    # formgrader shows the course of the folder Jupyter starts in (make lab COURS=…; demo_mdpc/ after make demo)
    assert line.startswith('cd "') and '--notebook-dir="' in line, line
    command = [arg.replace('"', "") for arg in line.split(" lab ", 1)[1].split()]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    jupyter = str(demo.PROJECT_ROOT / ".venv" / "bin" / "jupyter")
    if not Path(jupyter).exists():
        pytest.skip(".venv absent : make install")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    server = subprocess.Popen([jupyter, "lab", *command, "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                               "--IdentityProvider.token=jeton"], cwd=demo.PROJECT_ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=open(tmp_path / "lab.log", "w"))
    try:
        for _ in range(120):
            if server.poll() is not None:
                break
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token=jeton", timeout=1)
                return
            except OSError:
                time.sleep(0.5)
        raise AssertionError("make lab n'a pas démarré : " + (tmp_path / "lab.log").read_text()[-1500:])
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_evidence_beside_the_criterion_and_the_copy_read_only_at_its_cell(project):
    """The answers and outputs the criterion's tests read, beside it; the link opens a static page of the copy
    at the criterion's cell (no notebook, so no kernel), cleaned of anything active."""
    import json
    import os

    import nbformat

    from mdpc.grading.rating_form import RubricEntry

    root = project / "demo_mdpc"
    nb_name = "C4_4_reunion_pilotage"
    copy = root / "autograded" / "n01" / A
    copy.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(root / "release" / A / f"{nb_name}.ipynb", as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid == "C4_4_objectifs_rep":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="Objectif d'équipe : 4 812 000 €"),
                            nbformat.v4.new_output("display_data", data={
                                "text/html": "<b>tableau</b><img src=x onerror=alert(1)>"}),
                            nbformat.v4.new_output("display_data", data={"image/png": "x' onerror='alert(2)"})]
    nbformat.write(nb, copy / f"{nb_name}.ipynb")
    (copy / "reponses.json").write_text(json.dumps({nb_name: {
        "deroule.titre_1": "Pourquoi cette réunion", "messages.enjeux": "Les enjeux <script>x</script>"}}),
        encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(project / "grilles")
    try:
        entry = RubricEntry(cours=root, devoir=A, correcteur="Mme Aubert")
        entry.candidate.value = "n01"
        first, second = entry.panel("C4.4", 1).html, entry.panel("C4.4", 2).html
        assert "Pourquoi cette réunion" in first and "Les enjeux" not in first  # only what its tests read
        assert "Les enjeux &lt;script&gt;" in second and "Objectif d&#x27;équipe : 4 812 000 €" in second
        assert "<b>tableau</b>" in second and "onerror" not in second
        link = next(x.split("'")[0] for x in first.split("href='")[1:] if "lecture/" in x)
        # the criterion's page: the cells its tests read, the tests, its rubric cell (the viewer opens at them)
        assert link.endswith(f"lecture/autograded/n01/{A}/{nb_name}.C4_4_crit1.html#C4_4_crit1"), link
        page = Path(link.split("#")[0]).read_text(encoding="utf-8")
        whole = Path(entry.link(nb_name, entry.copy_folder())).read_text(encoding="utf-8")
        second_page = Path(entry.link(nb_name, entry.copy_folder(), "C4_4_crit2", {"C4_4_test_objectifs"})
                           .split("#")[0]).read_text(encoding="utf-8")
    finally:
        os.chdir(cwd)
    assert (root / "lecture").stat().st_mode & 0o777 == 0o700  # candidates' work: owner only
    sections = [x.split("'")[0] for x in page.split("<section id='")[1:]]
    assert sections == ["C4_4_form_deroule", "C4_4_test_deroule", "C4_4_crit1"], sections
    assert "Pourquoi cette réunion" in page and "Les enjeux" not in page  # the answers its forms stood for
    assert "Objectif d&#x27;équipe" in second_page and "Objectif d&#x27;équipe" in whole
    assert "<section id='C4_4_crit3'>" in whole and "C4_4_crit3" not in page
    for text in (page, second_page, whole):
        assert "onerror" not in text and "<script" not in text.lower()
    assert ".ipynb" not in first


def test_formgrader_pages_show_no_raw_mark_scheme_marker():
    """formgrader's grading page goes through EscapedNames (mdpc.grading.formgrader_journal): the markers of the
    rubric cells' mark scheme, as nbconvert renders them, become a French heading; the descriptors stay."""
    from nbconvert import HTMLExporter

    from mdpc.grading.formgrader_journal import EscapedNames

    source = demo.PROJECT_ROOT / "cas_pratiques" / A / "C4_4_reunion_pilotage.ipynb"
    raw, _ = HTMLExporter().from_filename(str(source))
    assert "=== BEGIN MARK SCHEME ===" in raw  # what formgrader showed
    page, _ = EscapedNames(HTMLExporter()).from_filename(str(source), resources={"student": "<b>x</b>"})
    assert "MARK SCHEME" not in page and "===" not in page
    rubric_cells = source.read_text(encoding="utf-8").count("=== BEGIN MARK SCHEME ===")
    assert page.count("Descripteurs des niveaux (réservés aux correcteurs et au jury)") == rubric_cells == 3
    assert "Le candidat ouvre la réunion en annonçant l&#39;objectif" in page or "annonçant l'objectif" in page
