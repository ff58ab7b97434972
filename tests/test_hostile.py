"""Hostile and broken submissions: each one graded with its documented outcome, the batch going on.

One folder per behaviour in ``tests/fixtures/copies_hostiles/`` (its ``comportement.yaml`` says what it does
to the copy and the documented outcome, which the tests below check; the README's table « Copies hostiles ou
abîmées » says the same for trainers). Each copy starts from the solution of B4_pilotage_performance (three
notebooks) and goes through the whole path: released, fetched and submitted through nbgrader's exchange,
collected, graded in one ``mdpc autograde`` run (cells limited to 30 s here instead of 120), feedback
generated and released through the exchange, C4.1 rated by a grader, decisions, reports (HTML) and jury
minutes. The reference candidate h01 hands in the solution as it is: every other candidate's outcome is read
against it, and h01 must come out untouched by what the others did. Every incident reaches the candidate's
report (« Incidents de correction ») and the minutes.

The links of h40 to h42 point at files this test marks with a token of its own: the course's answer key
and configuration, a file of the course, a root-only file and folder of the host (``{SECRET}``); none of
them may change (content, mode), and no token may reach a submission, a graded copy, the feedback, the
exchange or the reports.

h17 to h19 attack whoever reads a copy (issue 15, « everything rendered is made safe »): active content in a
Markdown answer (h17) or in outputs (h18) must be gone from the graded copy, from formgrader's page and from
the feedback, and reported; a hostile display name and grader's comment (h19) must stay text in the grading
form, the reports, the minutes, the feedback and the PDF, and be neutralised in the CSV files.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import stat
from pathlib import Path

import nbformat
import pytest
import yaml
from markup import MARKER, active_markup, formgrader_page, formgrader_resources

from mdpc import demo
from mdpc.app import collect, decide, publish
from mdpc.authoring.demo_cohort import make_submission
from mdpc.core.decisions import Outcome
from mdpc.core.grids import default_grids
from mdpc.core.roster import ROSTER_FILE
from mdpc.core.roster import dump as dump_roster
from mdpc.grading.autograde import autograde_cohort
from mdpc.grading.exchange import COURSE_ID, exchange_step
from mdpc.grading.incidents import note_failures, read_incidents
from mdpc.grading.ratings import RatingBook
from mdpc.grading.sandbox import status
from mdpc.grading.sanitize import ACTIVE_CONTENT

pytestmark = pytest.mark.slow
A = "B4_pilotage_performance"
DUE = demo.DUE.isoformat(sep=" ")  # the exchange stamps submissions now, before this date
NB1, NB2, NB3 = "C4_1_plan_de_charges", "C4_2_tableau_de_bord", "C4_3_analyse_statistique"

HOSTILES = Path(__file__).parent / "fixtures" / "copies_hostiles"
FIXTURES = {d.name[:3]: d for d in sorted(HOSTILES.iterdir()) if (d / "comportement.yaml").exists()}
BEHAVIOURS = {sid: yaml.safe_load((d / "comportement.yaml").read_text(encoding="utf-8")) for sid, d in FIXTURES.items()}
SPY = (FIXTURES["h13"] / "ajout.py").read_text(encoding="utf-8")


def _append(path, cell_id, code, before=False):
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == cell_id)
    cell.source = code + "\n" + cell.source if before else cell.source + "\n" + code
    nbformat.write(nb, path)


def _edit(path, fn):
    nb = nbformat.read(path, as_version=4)
    fn(nb)
    nbformat.write(nb, path)


def _apply(home, folder, spec, course_root):
    """Do to a candidate's copy what the fixture's comportement.yaml says (see its LISEZMOI.md)."""
    if spec.get("ajout"):
        code = (f"COURSE = {str(course_root)!r}\nPROJECT = {str(demo.PROJECT_ROOT)!r}\n"
                + (folder / spec["ajout"]).read_text(encoding="utf-8"))
        # a blank copy's answer cell ends with `raise NotImplementedError`: the code goes before it
        _append(home / f"{NB1}.ipynb", spec.get("ajout_cellule", "C4_1_capacite_rep"), code,
                before=spec.get("copie_blanche", False))
    for nb, cells in spec.get("modifier_cellules", {}).items():
        _edit(home / nb, lambda book, cells=cells: [c.__setitem__("source", cells[c.get("id")])
                                                     for c in book.cells if c.get("id") in cells])
    for nb, ids in spec.get("supprimer_cellules", {}).items():
        _edit(home / nb, lambda book, ids=ids: book.__setitem__("cells", [c for c in book.cells if c.get("id") not in ids]))
    for old, new in spec.get("renommer", {}).items():
        (home / old).rename(home / new)
    for name in spec.get("supprimer", []):
        (home / name).unlink()
    for target, source in spec.get("remplacer", {}).items():
        (home / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(folder / source, home / target)
    for target, mib in spec.get("fichier_creux_mio", {}).items():
        with open(home / target, "wb") as fh:
            fh.truncate(mib * 1024 * 1024)
    for nb, sources in spec.get("cellules_markdown", {}).items():
        _edit(home / nb, lambda book, sources=sources: book.cells.extend(
            nbformat.v4.new_markdown_cell(text) for text in sources))
    for target, depth in spec.get("json_imbrique", {}).items():
        (home / target).write_text("[" * depth + "]" * depth, encoding="utf-8")


def _links(folder, links, places):
    """The symbolic links of a fixture (``liens_remis``, ``liens_ramasses``), made in `folder`."""
    for name, target in (links or {}).items():
        (folder / name).symlink_to(target.format(**places))


def _digest(folder):
    """Each file's hash, each link's own text: a link is never followed."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_symlink():
            out[str(p.relative_to(folder))] = "lien → " + os.readlink(p)
        elif p.is_file():
            out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _state(path):
    """What must not change in a target: its content's hash and its mode."""
    st = os.lstat(path)
    content = hashlib.sha256(path.read_bytes()).hexdigest() if stat.S_ISREG(st.st_mode) else None
    return content, stat.S_IMODE(st.st_mode)


@pytest.fixture(scope="module")
def targets(tmp_path_factory):
    """A root-only file and folder of the host, each holding a token (removed afterwards)."""
    base = Path("/root") if os.access("/root", os.W_OK) else tmp_path_factory.mktemp("racine")
    tag = secrets.token_hex(8)
    secret, secret_dir = base / f"secret-test-{tag}", base / f"secret-test-dossier-{tag}"
    token = f"JETON-SECRET-{secrets.token_hex(12)}"
    secret.write_text(token + "\n", encoding="utf-8")
    os.chmod(secret, 0o600)
    secret_dir.mkdir(mode=0o700)
    (secret_dir / "cle.txt").write_text(token + "\n", encoding="utf-8")
    os.chmod(secret_dir / "cle.txt", 0o600)
    yield {"SECRET": str(secret), "SECRET_DIR": str(secret_dir), "token": token,
           "before": {p: _state(p) for p in (secret, secret_dir, secret_dir / "cle.txt")}}
    secret.unlink()
    shutil.rmtree(secret_dir)


def _rate_c41(course, students):
    """A grader rates every criterion of C4.1 « acquis » (3) for the copies that could be graded (the grader's
    name and comment of the fixture's `correcteur` and `commentaire_correcteur` when it has them)."""
    book = RatingBook(course)
    with book.batch():
        for sid in students:
            spec = BEHAVIOURS[sid]
            for k in range(1, len(default_grids()["C4.1"].criteria) + 1):
                book.record(A, sid, "C4.1", k, spec.get("correcteur", "Correctrice Essai"), 3,
                            spec.get("commentaire_correcteur", "Critère atteint."))
    return book


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, targets):
    """The whole path: release, fetch and submit through nbgrader's exchange, collect, autograde,
    feedback (generated and released), a grader's levels, decisions, reports (HTML) and jury minutes."""
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        pytest.skip("le bac à sable complet demande root (et bubblewrap) : tests sautés sur ce poste")
    isolated, why = status()
    assert isolated, why
    root = tmp_path_factory.mktemp("hostile") / "cours"
    Path("/tmp/mdpc-h36-hors-du-bac").unlink(missing_ok=True)
    course = demo.prepare_course(root)
    graders = sorted({spec.get("correcteur", "Correctrice Essai") for spec in BEHAVIOURS.values()})
    (root / ROSTER_FILE).write_text(dump_roster({  # the session's graders; h19's (hostile) name sits on the jury
        "correcteurs": [{"nom": g} for g in graders],
        "jury": [{"nom": BEHAVIOURS["h19"]["correcteur"], "qualite": "présidente du jury", "president": True}]}),
        encoding="utf-8")
    places = {"SECRET": targets["SECRET"], "SECRET_DIR": targets["SECRET_DIR"], "COURSE": str(root)}
    with course.gradebook() as gb:  # `nbgrader db assignment add` and `db student add`, through nbgrader's API
        gb.update_or_create_assignment(A, duedate=DUE)
        for sid, spec in BEHAVIOURS.items():
            gb.update_or_create_student(sid, first_name=spec.get("prenom", spec["description"]),
                                        last_name=spec.get("nom", "Essai"))
    course.run_in_process("generate_assignment", A)
    course.run_in_process("release_assignment", A)
    homes = {sid: root / "candidats" / sid / A for sid in BEHAVIOURS}
    for sid in BEHAVIOURS:
        exchange_step("fetch", homes[sid].parent, A, sid, root / "echange")
        make_submission(homes[sid], course.source(A), blank=BEHAVIOURS[sid].get("copie_blanche", False))
        _apply(homes[sid], FIXTURES[sid], BEHAVIOURS[sid], root)
    for sid in BEHAVIOURS:  # `nbgrader submit` (not --strict: a missing notebook is submitted with a warning)
        exchange_step("submit", homes[sid].parent, A, sid, root / "echange", strict=False)
        inbound = next((root / "echange" / COURSE_ID / "inbound").glob(f"{sid}+{A}+*"))
        _links(inbound, BEHAVIOURS[sid].get("liens_remis"), places)  # the inbound folder: writable by all
    # the course's files the kernels' links point at, marked with tokens and made private (0600)
    key = root / "cas_pratiques" / A / "corrige" / "reponses_corrige.json"
    tokens = {"corrigé": f"JETON-CORRIGE-{secrets.token_hex(12)}", "cours": f"JETON-COURS-{secrets.token_hex(12)}",
              "configuration": f"JETON-CONFIGURATION-{secrets.token_hex(12)}", "secret": targets["token"]}
    key.write_text(json.dumps({**json.loads(key.read_text(encoding="utf-8")), "canari": tokens["corrigé"]}),
                   encoding="utf-8")
    (root / "canari_cours.txt").write_text(tokens["cours"] + "\n", encoding="utf-8")
    with open(root / "nbgrader_config.py", "a", encoding="utf-8") as fh:
        fh.write(f"\n# {tokens['configuration']}\n")
    course_targets = [key, key.parent, root / "canari_cours.txt", root / "nbgrader_config.py"]
    for p in course_targets[:1] + course_targets[2:]:
        os.chmod(p, 0o600)
    before_targets = {p: _state(p) for p in course_targets}
    course.run_in_process("collect", A)
    sub = {sid: root / "submitted" / sid / A for sid in BEHAVIOURS}
    for sid in BEHAVIOURS:
        _links(sub[sid], BEHAVIOURS[sid].get("liens_ramasses"), places)
    before = {sid: _digest(f) for sid, f in sub.items()}
    errors = autograde_cohort(course, A, progress=False, cell_timeout=30)
    left = _sandbox_processes()
    feedback = course.nbgrader("generate_feedback", A, "--force", check=False)
    released = course.nbgrader("release_feedback", A, check=False)
    scores = {}
    with course.gradebook() as gb:
        for s in gb.find_assignment(A).submissions:
            scores[s.student.id] = {nb.name: {g.name: g.score for g in nb.grades if g.auto_score is not None}
                                    for nb in s.notebooks}
    _rate_c41(course, [sid for sid in BEHAVIOURS if sid not in errors])
    collected = collect(course, [A])
    records = decide(collected, "Session d'essai")
    reports = publish(records, root / "rapports", collected, progress=False, pdf=False, session="Session d'essai")
    return {"course": course, "root": root, "errors": errors, "scores": scores, "before": before,
            "incidents": read_incidents(course, A), "sub": sub, "records": {r.id: r.to_json() for r in records},
            "reports": reports, "feedback": feedback, "released": released, "tokens": tokens,
            "targets": before_targets, "left": left}


def _sandbox_processes(name: str = "rafale_h42") -> list[str]:
    """Processes named `name` (h42's detached process names itself so) still alive after the run."""
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/comm", encoding="utf-8") as fh:
                    if fh.read().strip() == name:
                        out.append(pid)
            except OSError:
                continue
    return out


def _graded(run, sid, nb):
    return nbformat.read(run["root"] / "autograded" / sid / A / f"{nb}.ipynb", as_version=4)


def _outputs(nb, cell_id):
    cell = next(c for c in nb.cells if c.get("id") == cell_id)
    return cell.get("outputs", [])


def _kinds(run, sid):
    return {i["type"] for i in run["incidents"].get(sid, [])}


def test_reference_copy_earns_everything_and_only_the_killed_kernel_fails(hostile):
    ref = hostile["scores"]["h01"]
    assert all(v > 0 for nb in ref.values() for v in nb.values())
    assert set(hostile["errors"]) == {"h05", "h44"}, hostile["errors"]
    assert "autocorrection en échec" in hostile["errors"]["h05"]
    assert not (hostile["root"] / "autograded" / "h05" / A).exists()
    same = {sid for sid, b in BEHAVIOURS.items() if "mêmes points que la référence" in b["issue_attendue"]}
    assert same == {"h02", "h03", "h04", "h06", "h07", "h08", "h12", "h15", "h16", "h17", "h18", "h19",
                    "h34", "h40", "h41", "h42", "h43", "h46"}  # as documented
    for sid in same:
        assert hostile["scores"][sid] == ref, sid


def test_submissions_are_never_changed(hostile):
    for sid, folder in hostile["sub"].items():
        assert _digest(folder) == hostile["before"][sid], sid


def test_infinite_loop_is_stopped_and_the_notebook_goes_on(hostile):
    outs = _outputs(_graded(hostile, "h02", NB1), "C4_1_capacite_rep")
    assert any(o.get("ename") == "CellTimeoutError" for o in outs)


def test_memory_hog_gets_memory_error(hostile):
    outs = _outputs(_graded(hostile, "h03", NB1), "C4_1_capacite_rep")
    assert any(o.get("ename") == "MemoryError" for o in outs)


def test_output_flood_is_cut(hostile):
    outs = _outputs(_graded(hostile, "h04", NB1), "C4_1_capacite_rep")
    text = "".join(o.get("text", "") for o in outs if o.get("output_type") == "stream")
    assert 0 < text.count("\n") <= 1000
    assert (hostile["root"] / "autograded" / "h04" / A / f"{NB1}.ipynb").stat().st_size < 2_000_000


def test_edited_test_cell_is_restored_and_reported(hostile):
    assert "cellule_modifiee" in _kinds(hostile, "h06")
    source = next(c for c in _graded(hostile, "h06", NB1).cells if c.get("id") == "C4_1_test_capacite").source
    assert "neutralisés" not in source


def test_deleted_cells_are_put_back_and_reported(hostile):
    assert "cellule_supprimee" in _kinds(hostile, "h07")
    ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in _graded(hostile, "h07", NB1).cells}
    assert {"C4_1_test_capacite", "C4_1_crit2"} <= ids
    book = RatingBook(hostile["course"])  # the rubric cell put back can be rated
    book.record(A, "h07", "C4.1", 2, "Correctrice Essai", 2, "Critère noté malgré la cellule supprimée.")


def test_renamed_notebook_is_graded_under_its_name(hostile):
    assert "renomme" in _kinds(hostile, "h08")


def _tests_reading_forms_only(notebook: str) -> set[str]:
    """The tests of a notebook that read no name the candidate's code binds: they judge form answers only, which
    live in the copy's answers file (``reponses.json``), not in the notebook."""
    from mdpc.grading.judge_code import bound_names, is_test, read_names

    nb = nbformat.read(hostile_source(notebook), as_version=4)
    coded = set().union(*(bound_names(c.source) for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")))
    return {c.metadata["nbgrader"]["grade_id"] for c in nb.cells if is_test(c) and not read_names(c.source) & coded}


def hostile_source(notebook: str) -> Path:
    return demo.PROJECT_ROOT / "cas_pratiques" / A / f"{notebook}.ipynb"


def test_missing_and_unreadable_notebooks_earn_nothing_the_others_are_graded(hostile):
    """The blank release graded in place of a missing or unreadable notebook earns nothing from code; the form
    answers the candidate saved in the answers file (handed in, intact) still count, as for any copy."""
    ref = hostile["scores"]["h01"]
    for sid, broken, kind in (("h09", NB2, "manquant"), ("h10", NB3, "illisible")):
        assert kind in _kinds(hostile, sid)
        mine = hostile["scores"][sid]
        forms_only = _tests_reading_forms_only(broken)
        assert {t: p for t, p in mine[broken].items() if p} == {t: ref[broken][t] for t in forms_only
                                                                 if ref[broken][t]}, (sid, broken, forms_only)
        assert sum(p for t, p in mine[broken].items() if t not in forms_only) == 0
        for nb in ref:
            if nb != broken:
                assert mine[nb] == ref[nb], (sid, nb)


def test_corrupt_answers_file_is_reported(hostile):
    assert "reponses_illisibles" in _kinds(hostile, "h11")
    assert sum(map(sum, (nb.values() for nb in hostile["scores"]["h11"].values()))) < sum(
        map(sum, (nb.values() for nb in hostile["scores"]["h01"].values())))
    assert not any(p.name.startswith("reponses.json.corrompu") for p in hostile["sub"]["h11"].iterdir())


def test_oversized_file_is_left_out(hostile):
    assert "fichier_trop_volumineux" in _kinds(hostile, "h12")
    assert not (hostile["root"] / "autograded" / "h12" / A / "data" / "enorme.csv").exists()


def test_spy_cannot_read_write_or_reach_anything(hostile):
    outs = _outputs(_graded(hostile, "h13", NB1), "C4_1_capacite_rep")
    line = next(ln for o in outs for ln in o.get("text", "").splitlines() if ln.startswith("ESPION "))
    found = json.loads(line[len("ESPION "):])
    assert len(found) == 8
    assert all(v.startswith("REFUSÉ") for v in found.values()), found
    with sqlite3.connect(hostile["root"] / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_spy_attempts_succeed_outside_the_sandbox(hostile):
    """The same attempts, run by the test itself: the files they read exist and are readable."""
    namespace = {"COURSE": str(hostile["root"]), "PROJECT": str(demo.PROJECT_ROOT)}
    exec(SPY.replace('open(COURSE + "/gradebook.db", "ab").write(b"x")', '0').replace(
        '_s.create_connection(("93.184.216.34", 80), timeout=3)', '0').replace(
        '_s.getaddrinfo("example.org", 80)', '0'), namespace)
    assert all(v.startswith("LU") for k, v in namespace["_r"].items()), namespace["_r"]


def test_regrading_after_rating_keeps_the_graders_level(hostile):
    course, root = hostile["course"], hostile["root"]
    book = RatingBook(course)
    book.record(A, "h01", "C4.1", 1, "Correctrice Essai", 3, "Objectifs précis et bien répartis.")
    shutil.copy(root / "submitted" / "h01" / A / "timestamp.txt", root / "timestamp.bak")
    (root / "submitted" / "h01" / A / "timestamp.txt").write_text("2027-01-08 11:00:00.000000 UTC", encoding="utf-8")
    assert autograde_cohort(course, A, ["h01"], progress=False) == {}
    shutil.copy(root / "timestamp.bak", root / "submitted" / "h01" / A / "timestamp.txt")
    with course.gradebook() as gb:
        grade = gb.find_grade("C4_1_crit1", NB1, A, "h01")
        comment = gb.find_comment("C4_1_crit1", NB1, A, "h01")
        assert grade.manual_score == 3
        assert "bien répartis" in (comment.manual_comment or "")
        assert gb.find_submission(A, "h01").score >= sum(hostile["scores"]["h01"][NB1].values())


def test_fork_bomb_hits_the_process_limit(hostile):
    """The bomb stops at the sandbox user's process limit: while its processes live, the candidate's kernel can
    start no thread and its next cells fail (h14), but the tests run in the judge, under another user id, and
    the copy is graded. Each kernel runs under a user id of its own, and the bomb's processes die with its
    sandbox: the next copy graded by the same worker (h15) is graded in full."""
    assert "h14" not in hostile["errors"]
    graded = _graded(hostile, "h14", NB1)  # the cells after the bomb: the charge tool (locked), then the answer
    starved = " ".join(o.get("evalue", "") for cell in ("C4_1_outil_charge", "C4_1_charge_rep")
                       for o in _outputs(graded, cell))
    assert "can't start new thread" in starved
    assert hostile["scores"]["h14"][NB1]["C4_1_test_charge"] == 0 < hostile["scores"]["h01"][NB1]["C4_1_test_charge"]
    outs = _outputs(_graded(hostile, "h16", NB1), "C4_1_capacite_rep")
    line = next(ln for o in outs for ln in o.get("text", "").splitlines() if ln.startswith("FOURCHE "))
    _, children, refused = line.split()
    assert refused == "BlockingIOError", line  # EAGAIN: RLIMIT_NPROC of the sandbox user
    assert 0 < int(children) < 512, line


def test_every_candidate_reaches_the_decisions_the_reports_and_the_minutes(hostile):
    assert set(hostile["records"]) == set(BEHAVIOURS)
    assert all("erreur" not in o and o["html"] for o in hostile["reports"]["candidats"]), hostile["reports"]
    assert "erreur" not in hostile["reports"]["pv"]
    with open(hostile["reports"]["pv_csv"], encoding="utf-8-sig") as fh:
        rows = {r["candidat"]: r for r in csv.DictReader(fh, delimiter=";")}
    assert set(rows) == set(BEHAVIOURS)
    assert "copie non autocorrigée" in rows["h05"]["incidents de correction"]
    assert "absent de la copie" in rows["h09"]["incidents de correction"]
    assert rows["h01"]["incidents de correction"] == ""


def _competency(rec, code):
    return next(c for b in rec["blocs"] for c in b["competences"] if c["code"] == code)


def test_decisions_follow_the_documented_outcomes(hostile):
    recs = hostile["records"]
    for sid in set(BEHAVIOURS) - {"h05", "h44"}:  # graded, then rated « acquis » by the grader
        assert _competency(recs[sid], "C4.1")["statut"] == Outcome.VALIDATED, sid
    for sid in ("h05", "h44"):  # not graded: nothing decided, the reason said
        assert _competency(recs[sid], "C4.1")["statut"] == Outcome.PENDING, sid
        assert [i["type"] for i in recs[sid]["incidents"]] == ["echec_autocorrection"], sid
    assert recs["h09"]["autocorrection"]["points"] < recs["h01"]["autocorrection"]["points"]
    assert recs["h01"]["incidents"] == []


def test_candidate_reports_explain_the_incidents(hostile):
    html = {o["candidat"]: Path(o["html"]).read_text(encoding="utf-8") for o in hostile["reports"]["candidats"]}
    assert "Incidents de correction" in html["h01"] and "sans incident" in html["h01"]
    assert "copie non autocorrigée" in html["h05"]
    assert "absent de la copie" in html["h09"]
    assert "illisible" in html["h10"]
    pv = Path(hostile["reports"]["pv"]["html"]).read_text(encoding="utf-8")
    assert pv.count("copie non autocorrigée") == 2


def test_failures_are_kept_until_a_later_run_grades_the_copy(hostile):
    """A copy that fails stays listed, with a submission in the gradebook even for a candidate collected but
    never registered; a copy graded before keeps its points and says so; a later success clears both."""
    course = hostile["course"]
    note_failures(course, A, {"h99": "noyau mort", "h01": "noyau mort"}, graded=[])
    found = read_incidents(course, A)
    assert "copie non autocorrigée" in found["h99"][-1]["message"]
    assert found["h01"][-1]["message"].startswith("dernière autocorrection en échec")
    with course.gradebook() as gb:
        assert gb.find_submission(A, "h99").student.id == "h99"
        gb.remove_student("h99")
    note_failures(course, A, {}, graded=["h01", "h99"])
    found = read_incidents(course, A)
    assert "h99" not in found and "h01" not in found
    assert "h05" in found  # the others stay until graded


# -- tests judged out of the candidate's reach (mdpc.grading.judge) ------------------------------------------------

TAMPERING = ("h30", "h31", "h32")
H36_TRACE = Path("/tmp/mdpc-h36-hors-du-bac")  # written by h36's fake `mdpc` package, wherever it runs


def _points(run, sid, nb=None):
    return sum(v for name, grades in run["scores"][sid].items() if nb in (None, name) for v in grades.values())


@pytest.mark.parametrize("sid", TAMPERING + ("h33",))
def test_a_blank_copy_that_tampers_with_the_tests_earns_nothing(hostile, sid):
    assert _points(hostile, sid) == 0, hostile["scores"][sid]
    kinds = _kinds(hostile, sid)
    assert ("contournement_des_tests" if sid in TAMPERING else "valeur_non_transmise") in kinds, kinds


def test_a_module_left_in_the_copy_never_reaches_the_tests(hostile):
    """h36 hands in a blank copy with a fake kit beside the notebooks (checks made silent): its own kernel
    loads it, the judge never imports from the copy (PYTHONSAFEPATH): no point, and the jury is told."""
    assert _points(hostile, "h36") == 0, hostile["scores"]["h36"]
    said = [i["message"] for i in hostile["incidents"]["h36"] if i["type"] == "module_depose"]
    assert said and "mdpc_utils" in said[0] and "mdpc," in said[0], hostile["incidents"]["h36"]
    assert not H36_TRACE.exists()  # its fake `mdpc` never ran outside the sandbox (the launcher runs as root there)


@pytest.mark.parametrize("sid", ("h37", "h38", "h39"))
def test_data_the_candidate_controls_never_sets_the_expected_values(hostile, sid):
    """Rewritten data files (h37), data emptied in the kernel and rewritten during grading (h38), own company
    data outside the projets professionnels (h39): the tests still expect the capacity of the case's data."""
    assert hostile["scores"][sid][NB1]["C4_1_test_capacite"] == 0 < hostile["scores"]["h01"][NB1]["C4_1_test_capacite"]
    released = (hostile["root"] / "release" / A / "data" / "absences.csv").read_bytes()
    assert (hostile["root"] / "autograded" / sid / A / "data" / "absences.csv").read_bytes() == released
    kinds = _kinds(hostile, sid)
    assert {"h37": "donnees_du_cas_retablies", "h39": "donnees_propres"}.get(sid, "") in kinds | {""}, kinds
    if sid == "h38":
        said = "".join(o.get("text", "") for o in _outputs(_graded(hostile, sid, NB1), "C4_1_capacite_rep"))
        assert "ECRITURE_DONNEES_REFUSEE" in said and "REUSSIE" not in said, said


def test_each_tampering_technique_is_named_in_the_incident(hostile):
    said = {sid: " ".join(i["message"] for i in hostile["incidents"][sid] if i["type"] == "contournement_des_tests")
            for sid in TAMPERING}
    assert "transformation du code" in said["h30"]
    assert "crochet d'événement" in said["h31"] and "pre_run_cell" in said["h31"]
    assert "fonctions intégrées" in said["h32"] and "outils du kit remplacés" in said["h32"]
    for sid in TAMPERING:  # shown in the candidate's report and in the minutes, as every incident
        report = next(o for o in hostile["reports"]["candidats"] if o["candidat"] == sid)
        assert "tentative de contournement des tests" in Path(report["html"]).read_text(encoding="utf-8")


def test_hidden_tests_never_reach_the_candidates_kernel(hostile):
    """h31 copies the source of every cell it runs into the outputs: no test cell ever ran in its kernel."""
    for nb in (NB1,):  # the hook is installed by the first answer of C4.1, in that notebook's kernel
        graded = _graded(hostile, "h31", nb)
        text = json.dumps([c.get("outputs", []) for c in graded.cells], ensure_ascii=False)
        spied = [ln for ln in text.split("\\n") if "ESPION-SOURCE" in ln]
        assert spied  # the hook did run, on the candidate's and the locked cells
        assert not [ln for ln in spied if "HIDDEN TESTS" in ln or "_capacite_vraie" in ln or "Auto-vérification" in ln]


def test_private_names_of_the_tests_stay_theirs(hostile):
    assert hostile["scores"]["h34"] == hostile["scores"]["h01"]
    assert not _kinds(hostile, "h34") & {"contournement_des_tests", "valeur_non_transmise"}


def test_a_sabotaging_function_only_loses_its_own_test(hostile):
    scores, ref = hostile["scores"]["h35"], hostile["scores"]["h01"]
    assert scores[NB1]["C4_1_test_charge"] == 0 < ref[NB1]["C4_1_test_charge"]
    assert scores[NB1]["C4_1_test_capacite"] == ref[NB1]["C4_1_test_capacite"]
    assert scores[NB2] == ref[NB2] and scores[NB3] == ref[NB3]


# --- h17 to h19: everything rendered is made safe ----------------------------------------------------------

ACTIVE = ("h17", "h18")  # active content in a Markdown answer, in outputs


def test_active_content_is_gone_from_the_graded_copies_and_formgrader(hostile):
    """The marker sits only where it would act (an event handler, a URL, a script): after recording, no graded
    notebook holds it, and formgrader's page of each shows nothing active."""
    for sid in ACTIVE:
        assert "contenu_actif_retire" in _kinds(hostile, sid), sid
        for path in sorted((hostile["root"] / "autograded" / sid / A).glob("*.ipynb")):
            text = path.read_text(encoding="utf-8")
            assert MARKER not in text, (sid, path.name)
            nb = nbformat.reads(text, as_version=4)
            shown = json.dumps([c.source for c in nb.cells if c.cell_type != "code"]
                               + [o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])]
                               + [nb.metadata.get("widgets", {})]).lower()  # what is rendered as markup
            for bad in ("onerror", "<script", "javascript:", "<iframe", "<object", "<form", "application/javascript"):
                assert bad not in shown, (sid, path.name, bad)
            page = formgrader_page(path, formgrader_resources(sid))
            assert active_markup(page) == [] and MARKER not in page, (sid, path.name)
    submitted = (hostile["root"] / "submitted" / "h17" / A / f"{NB1}.ipynb").read_text(encoding="utf-8")
    assert MARKER in submitted  # the evidence stays as handed in


def test_active_content_is_reported_with_its_notebook_and_cell(hostile):
    h17 = [i for i in hostile["incidents"]["h17"] if i["type"] == ACTIVE_CONTENT]
    assert [i["carnet"] for i in h17] == [NB1]
    assert "balise <script>" in h17[0]["message"] and "attribut onerror" in h17[0]["message"]
    assert "adresse javascript:" in h17[0]["message"] and "balise <iframe>" in h17[0]["message"]
    h18 = next(i for i in hostile["incidents"]["h18"] if i["type"] == ACTIVE_CONTENT)["message"]
    assert "(id C4_1_capacite_rep)" in h18 and "sortie application/javascript" in h18
    assert "script d'une image SVG" in h18 and "balise <iframe>" in h18 and "balise <object>" in h18
    graded = _graded(hostile, "h18", NB1)
    if graded.metadata.get("widgets"):  # the widget state nbclient saved: the HTML widget was cleaned
        assert "état des widgets" in h18
    html = {o["candidat"]: Path(o["html"]).read_text(encoding="utf-8") for o in hostile["reports"]["candidats"]}
    for sid in ACTIVE:
        assert "Contenu actif retiré du carnet" in html[sid], sid
    with open(hostile["reports"]["pv_csv"], encoding="utf-8-sig") as fh:
        rows = {r["candidat"]: r for r in csv.DictReader(fh, delimiter=";")}
    assert "incident(s) corrigé(s) avant notation" in Path(hostile["reports"]["pv"]["html"]).read_text(encoding="utf-8")
    assert all("Contenu actif retiré" in rows[sid]["incidents de correction"] for sid in ACTIVE)
    assert not any(i["type"] == ACTIVE_CONTENT for sid in BEHAVIOURS if sid not in ACTIVE
                   for i in hostile["incidents"].get(sid, []))  # nobody else's copy was touched


def test_the_reference_copy_keeps_its_tables_forms_and_figures(hostile):
    """Cleaning keeps what the cases legitimately show: pandas tables, the forms' summaries, png figures."""
    kinds, html = set(), []
    for path in sorted((hostile["root"] / "autograded" / "h01" / A).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for out in cell.get("outputs", []):
                kinds |= set(out.get("data", {}))
                html.append(out.get("data", {}).get("text/html", ""))
    page = "".join(html)
    assert {"text/html", "image/png", "application/vnd.jupyter.widget-view+json"} <= kinds
    assert "<table" in page and "Réponses enregistrées" in page and "<caption" in page
    assert "Description du graphique" in page and "white-space:pre-wrap" in page
    assert hostile["records"]["h01"]["incidents"] == []


def test_feedback_of_hostile_copies_shows_nothing_active(hostile):
    course = hostile["course"]
    course.nbgrader("generate_feedback", A, "--student", "h1[789]", "--force")
    for sid in ("h17", "h18", "h19"):
        pages = sorted((hostile["root"] / "feedback" / sid / A).glob("*.html"))
        assert len(pages) == 3, sid
        for page in pages:
            text = page.read_text(encoding="utf-8")
            assert active_markup(text) == [], (sid, page.name, active_markup(text))
            if sid in ACTIVE:
                assert MARKER not in text, (sid, page.name)
    c41 = (hostile["root"] / "feedback" / "h19" / A / f"{NB1}.html").read_text(encoding="utf-8")
    assert "[clic](javascript:" in c41 and "&lt;script&gt;" in c41  # the grader's comment, as text


def _h19(hostile):
    return BEHAVIOURS["h19"]


def test_hostile_name_and_comment_stay_text_in_the_grading_form(hostile):
    from mdpc.grading.rating_form import RubricEntry

    spec = _h19(hostile)
    entry = RubricEntry(cours=hostile["root"], devoir=A, correcteur=spec["correcteur"])
    label = {sid: text for text, sid in entry.candidate.options}["h19"]
    assert label.startswith('=HYPERLINK("http://example.invalid/?"&A1;"clic") <img src=x')  # a plain-text label
    entry.candidate.value = "h19"
    shown = [entry.progress.value] + [p.html for p in entry.panels.values()]
    entry.jury.value = True  # the jury sees every grader's name and comment
    shown += [entry.progress.value] + [p.html for p in entry.panels.values()]
    page = "\n".join(shown)
    assert active_markup(page) == [], active_markup(page)
    assert "&lt;b onmouseover=mdpc_xss()&gt;Correctrice&lt;/b&gt;" in page and "&lt;script&gt;" in page


def test_hostile_name_and_comment_stay_text_in_the_reports_and_the_minutes(hostile):
    reports = {o["candidat"]: Path(o["html"]).read_text(encoding="utf-8") for o in hostile["reports"]["candidats"]}
    minutes = Path(hostile["reports"]["pv"]["html"]).read_text(encoding="utf-8")
    cohort = Path(hostile["reports"]["cohorte"]["html"]).read_text(encoding="utf-8")
    for name, page in [*reports.items(), ("pv", minutes), ("cohorte", cohort)]:
        assert active_markup(page) == [], (name, active_markup(page))
    assert '=HYPERLINK("http://example.invalid/?"&amp;A1;"clic") &lt;img src=x onerror=mdpc_xss()&gt;' in reports["h19"]
    assert "onerror=mdpc_xss()" in minutes  # the name is there, as text
    assert "[clic](javascript:mdpc_xss())" in reports["h19"]  # the grader's comment, as text


def _number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
        return True
    except ValueError:
        return False


def test_hostile_name_is_neutralised_in_the_csv_files(hostile):
    out = Path(hostile["reports"]["csv"]).parent
    for name in ("cohorte_decisions.csv", "pv_jury.csv"):
        with open(out / name, encoding="utf-8-sig", newline="") as fh:
            rows = {r["candidat"]: r for r in csv.DictReader(fh, delimiter=";")}
        assert rows["h19"]["nom"].startswith("'=HYPERLINK("), name
        assert rows["h01"]["nom"] == "copie de référence (corrigé) Essai"
        for row in rows.values():  # numbers stay numbers; no other cell can start a formula
            assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) and not _number(v) for v in row.values()), row


def test_hostile_names_pdf_reads_nothing_from_the_host_or_the_network(hostile, monkeypatch):
    import socket

    from mdpc.reports import batch

    connections, made = [], []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: connections.append(address))
    monkeypatch.setattr(batch, "data_only_fetcher", lambda real=batch.data_only_fetcher: made.append(real()) or made[-1])
    out = Path(hostile["reports"]["csv"]).parent
    for stem in ("rapport_h19", "pv_jury"):
        nb = nbformat.read(out / f"{stem}.ipynb", as_version=4)
        assert batch.to_pdf(nb, out / f"{stem}.pdf", f"Relevé — {_h19(hostile)['prenom']} {_h19(hostile)['nom']}") is None
        assert (out / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
    assert len(made) == 2 and all(f.refused == [] for f in made)  # escaped: no URL ever reached WeasyPrint
    assert connections == []




# --- No link is ever followed (h40 to h42), the sandbox's limits (h43, h44), intake and feedback (h45, h46) ---

def _everything_candidates_or_readers_get(run) -> list[Path]:
    """Every file a candidate or a reader of the reports can get: submissions, graded copies, feedback, the
    exchange (released feedback included) and the reports; links are listed, never followed."""
    root = run["root"]
    return [p for top in ("submitted", "autograded", "feedback", "echange", "rapports")
            for p in (root / top).rglob("*") if p.is_symlink() or p.is_file()]


def test_no_target_changed_and_no_link_anywhere(hostile, targets):
    for path, state in hostile["targets"].items():  # the answer key, its folder, a course file, the configuration
        assert _state(path) == state, path
    for path, state in targets["before"].items():  # the host's root-only file and folder
        assert _state(path) == state, path
    with sqlite3.connect(hostile["root"] / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    links = [p for p in _everything_candidates_or_readers_get(hostile) if p.is_symlink()  # h41's evidence aside:
             and "submitted" not in p.parts and "inbound" not in p.parts]  # its links, never followed
    assert links == []
    assert [p.name for p in (hostile["root"] / "submitted" / "h41" / A).iterdir() if p.is_symlink()] == [
        "secret_ramasse.txt"]  # liens_ramasses, put there by the test after the collect


def test_no_token_reaches_a_copy_the_feedback_the_exchange_or_the_reports(hostile):
    tokens = [t.encode() for t in hostile["tokens"].values()] + [b"SQLite format 3"]
    for path in _everything_candidates_or_readers_get(hostile):
        if path.is_symlink():
            continue
        data = path.read_bytes()
        for token in tokens:
            assert token not in data, (path, token)


def test_links_left_by_the_kernel_are_removed_and_reported(hostile):
    graded = hostile["root"] / "autograded" / "h40" / A
    outs = _outputs(_graded(hostile, "h40", NB1), "C4_1_capacite_rep")
    assert any("LIENS 7" in o.get("text", "") for o in outs), outs  # made in the sandbox: the attempt was real
    found = [i for i in hostile["incidents"]["h40"] if i["type"] == "lien_retire"]
    names = {i["message"].split("« ")[1].split(" »")[0] for i in found}
    assert {"incidents_correction.json", "corrige.html", "gradebook.html", "timestamp.txt", "livrables/cle.json",
            "corrige_du_cours", "C4_2_tableau_de_bord.ipynb"} <= names, found
    assert all("jamais été suivi" in i["message"] for i in found)
    assert json.loads((graded / "incidents_correction.json").read_text(encoding="utf-8"))  # ours, not the config
    nbformat.validate(_graded(hostile, "h40", NB2))  # the next notebook written as a notebook, where it belongs
    assert (graded / "timestamp.txt").read_text(encoding="utf-8") == (
        hostile["sub"]["h40"] / "timestamp.txt").read_text(encoding="utf-8")  # put back as handed in
    html = {o["candidat"]: Path(o["html"]).read_text(encoding="utf-8") for o in hostile["reports"]["candidats"]}
    assert "Lien symbolique" in html["h40"] and "gradebook.html" in html["h40"]


def test_links_in_the_submission_are_never_followed(hostile):
    kinds = {i["message"].split("« ")[1].split(" »")[0]: i["message"] for i in hostile["incidents"]["h41"]
             if i["type"] == "lien_retire"}
    assert "au ramassage" in kinds["secret.txt"] and "au ramassage" in kinds["dossier_secret"]
    assert "avant la correction" in kinds["secret_ramasse.txt"]
    assert not (hostile["sub"]["h41"] / "secret.txt").exists() and not (hostile["sub"]["h41"] / "dossier_secret").exists()
    assert not (hostile["root"] / "autograded" / "h41" / A / "secret_ramasse.txt").exists()


def test_a_link_spray_from_a_detached_process_is_stopped_then_swept(hostile):
    assert hostile["left"] == [], hostile["left"]  # the detached process did not outlive its copy
    assert not _sandbox_processes()
    found = [i for i in hostile["incidents"]["h42"] if i["type"] == "lien_retire"]
    assert len(found) >= 3
    graded = hostile["root"] / "autograded" / "h42" / A
    assert not any(p.is_symlink() for p in graded.rglob("*"))
    nbformat.validate(_graded(hostile, "h42", NB3))


def test_the_sandboxs_tmp_is_limited(hostile):
    outs = _outputs(_graded(hostile, "h43", NB1), "C4_1_capacite_rep")
    line = next(ln for o in outs for ln in o.get("text", "").splitlines() if ln.startswith("TMP "))
    _, written, ename, errno = line.split()
    assert ename == "OSError" and errno == "28", line  # ENOSPC: the tmpfs is full
    assert 0 < int(written) <= 256 * 1024 * 1024, line


def test_many_files_stop_the_copy_and_say_why(hostile):
    assert "Copie arrêtée par le bac à sable" in hostile["errors"]["h44"]
    assert "fichiers" in hostile["errors"]["h44"]
    assert not (hostile["root"] / "autograded" / "h44").exists()
    html = {o["candidat"]: Path(o["html"]).read_text(encoding="utf-8") for o in hostile["reports"]["candidats"]}
    assert "Copie arrêtée par le bac à sable" in html["h44"]
    with open(hostile["reports"]["pv_csv"], encoding="utf-8-sig") as fh:
        rows = {r["candidat"]: r for r in csv.DictReader(fh, delimiter=";")}
    assert "copie non autocorrigée" in rows["h44"]["incidents de correction"]


def test_a_deeply_nested_answers_file_is_unreadable_and_the_batch_goes_on(hostile):
    found = [i for i in hostile["incidents"]["h45"] if i["type"] == "reponses_illisibles"]
    assert found and "RecursionError" in found[0]["message"]
    assert "h45" in hostile["scores"] and "h45" not in hostile["errors"]


def test_marker_text_in_a_candidate_cell_does_not_break_the_feedback(hostile):
    assert hostile["feedback"].returncode == 0, hostile["feedback"].stdout[-2000:] + hostile["feedback"].stderr[-2000:]
    assert hostile["released"].returncode == 0, hostile["released"].stderr[-2000:]
    graded = {sid for sid in BEHAVIOURS if sid not in hostile["errors"]}
    for sid in graded:
        assert len(list((hostile["root"] / "feedback" / sid / A).glob("*.html"))) == 3, sid
    page = (hostile["root"] / "feedback" / "h46" / A / f"{NB1}.html").read_text(encoding="utf-8")
    assert "MARQUEURS" in page  # the candidate's own text stays
    for path in (hostile["root"] / "feedback").rglob("*.html"):
        assert "Corrigé de référence" not in path.read_text(encoding="utf-8"), path  # hidden tests never shown


def test_feedback_is_private_and_the_released_copy_readable(hostile):
    top = hostile["root"] / "feedback"
    for path in [top, *top.rglob("*")]:
        assert stat.S_IMODE(os.lstat(path).st_mode) & 0o077 == 0, path
    released = list((hostile["root"] / "echange" / COURSE_ID / "feedback").glob("*.html"))
    assert released and all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in released)
