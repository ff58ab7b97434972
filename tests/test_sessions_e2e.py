"""Three sessions: for each, the solution earns every autograded point, the blank release none.

Each session is a course of its own built as ``mdpc publier --session`` builds it (``mdpc.demo.prepare_course``
with the identifier: sources, session.yaml), its assignments generated and released by nbgrader. The first
session goes the whole way a trainer's does for its answer key: fetched and submitted, collected and
autograded by ``mdpc autograde`` (sandbox, judge); its blank release, which loses every point, and the two other
sessions are checked for what differs from session to session, the data and the expected values: the copies run
in one warm kernel (``warm_kernel.verdicts``: nbgrader's semantics, a test cell that raises loses its points),
four times faster than the whole path and without what the first session already proves of it. The planted
events of each assignment are checked detectable by the lesson's method in the fast tests of each variant
module (``tests/test_sessions_<module>.py``); here the sessions' releases are also compared: no two sessions
hand out the same data, and a firm found in several cases has one name in all of them.
"""

import hashlib
import shutil
from pathlib import Path

import pytest
from warm_kernel import verdicts

from mdpc import RELEASE_DIR, demo
from mdpc.authoring.demo_cohort import make_submission
from mdpc.authoring.sessions import course_session, session_seed
from mdpc.authoring.variants import shared_names
from mdpc.grading.autograde import autograde_assignments
from mdpc.grading.exchange import exchange_step

SESSIONS = ("essai-1", "essai-2", "essai-3")
WHOLE_PATH = "essai-1"
STUDENTS = {"solution": {}, "vierge": {"blank": True}}
pytestmark = pytest.mark.slow


def _graded(root: Path, course, students: dict) -> tuple[dict, dict]:
    """The whole path: exchange, collect, ``mdpc autograde``; (errors, {(student, assignment, notebook,
    test): lost points})."""
    with course.gradebook() as gb:
        for a in demo.ASSIGNMENTS:
            gb.update_or_create_assignment(a, duedate=demo.DUE)
        for sid in students:
            gb.update_or_create_student(sid, first_name="Essai", last_name=sid)
    for a in demo.ASSIGNMENTS:
        for sid, kw in students.items():
            home = root / "candidats" / sid
            home.mkdir(parents=True, exist_ok=True)
            exchange_step("fetch", home, a, sid, root / "echange")
            make_submission(home / a, course.source(a), **kw)
            exchange_step("submit", home, a, sid, root / "echange")
        course.run_in_process("collect", a)
    errors = autograde_assignments(course, list(demo.ASSIGNMENTS), progress=False)
    lost = {}
    with course.gradebook() as gb:
        for a in demo.ASSIGNMENTS:
            for sub in gb.find_assignment(a).submissions:
                for nb in sub.notebooks:
                    for g in nb.grades:
                        if g.auto_score is not None:
                            lost[(sub.student.id, a, nb.name, g.name)] = g.auto_score < g.max_score
    return errors, lost


def _warm(root: Path, course, students: dict) -> dict:
    """The same copies, made from the release, run in one warm kernel."""
    copies = {}
    for sid, kw in students.items():
        for a in demo.ASSIGNMENTS:
            home = root / "candidats" / sid / a
            shutil.copytree(root / "release" / a, home)
            make_submission(home, course.source(a), **kw)
            copies[str(home)] = (sid, a)
    raised = verdicts([(Path(h), course.source(a)) for h, (_, a) in copies.items()])
    return {(*copies[folder], nb, test): r for (folder, nb, test), r in raised.items()}


def _session(root: Path, session: str) -> dict:
    course = demo.prepare_course(root, session)
    for a in demo.ASSIGNMENTS:
        course.run_in_process("generate_assignment", a)
        course.run_in_process("release_assignment", a)
    if session == WHOLE_PATH:  # the solution the whole way; the blank copy, whose points are all lost, warm
        errors, lost = _graded(root, course, {"solution": STUDENTS["solution"]})
        lost |= _warm(root, course, {"vierge": STUDENTS["vierge"]})
    else:
        errors, lost = {}, _warm(root, course, STUDENTS)
    data = {a: hashlib.sha256(b"".join(p.read_bytes() for p in sorted((root / "release" / a / "data").glob("*.csv"))))
            .hexdigest() for a in demo.ASSIGNMENTS}
    texts = {a: "\n".join(p.read_text(encoding="utf-8") for p in sorted((root / "release" / a).rglob("*"))
                          if p.suffix in {".ipynb", ".md", ".csv"}) for a in demo.ASSIGNMENTS}
    return {"errors": errors, "lost": lost, "data": data, "texts": texts, "session": course_session(root)}


@pytest.fixture(scope="module")
def sessions(tmp_path_factory):
    return {s: _session(tmp_path_factory.mktemp(s) / "cours", s) for s in SESSIONS}


@pytest.mark.parametrize("session", SESSIONS)
def test_each_session_gives_the_solution_every_point_and_the_blank_release_none(sessions, session):
    s = sessions[session]
    assert s["session"] == session
    assert not any(s["errors"].values()), s["errors"]
    solution = {k: lost for k, lost in s["lost"].items() if k[0] == "solution"}
    blank = {k: lost for k, lost in s["lost"].items() if k[0] == "vierge"}
    assert {k[1] for k in solution} == set(demo.ASSIGNMENTS) and len(solution) == len(blank) > 60
    assert [k for k, lost in solution.items() if lost] == []
    assert [k for k, lost in blank.items() if not lost] == []


def test_no_two_sessions_hand_out_the_same_data(sessions):
    for a in demo.ASSIGNMENTS:
        today = hashlib.sha256(b"".join(p.read_bytes() for p in sorted((RELEASE_DIR / a / "data").glob("*.csv"))))
        prints = [sessions[s]["data"][a] for s in SESSIONS] + [today.hexdigest()]
        assert len(set(prints)) == len(SESSIONS) + 1, a


@pytest.mark.parametrize("session", SESSIONS)
def test_the_company_has_one_name_in_all_the_cases_of_a_session(sessions, session):
    company = shared_names(session_seed(session))["Ombelle"]
    for a, text in sessions[session]["texts"].items():
        assert company in text and "Ombelle" not in text, a
