"""Three sessions, graded for real: for each, the solution earns every autograded point, the blank release none.

Each session is a course of its own built as ``mdpc publier --session`` builds it (``mdpc.demo.prepare_course``
with the identifier: sources, session.yaml), released by nbgrader, fetched and submitted by two candidates (the
session's answer key; the blank release), collected and autograded by ``mdpc autograde`` (sandbox, judge). The
planted events of each assignment are checked detectable by the lesson's method in the fast tests of each
variant module (``tests/test_sessions_<module>.py``); here the sessions' releases are also compared: no two
sessions hand out the same data.
"""

import hashlib
from pathlib import Path

import pytest

from mdpc import RELEASE_DIR, demo
from mdpc.authoring.demo_cohort import make_submission
from mdpc.authoring.sessions import course_session
from mdpc.grading.autograde import autograde_assignments
from mdpc.grading.exchange import exchange_step

SESSIONS = ("essai-1", "essai-2", "essai-3")
pytestmark = pytest.mark.slow


def _grade(root: Path, session: str) -> dict:
    course = demo.prepare_course(root, session)
    students = {"solution": {}, "vierge": {"blank": True}}
    with course.gradebook() as gb:
        for a in demo.ASSIGNMENTS:
            gb.update_or_create_assignment(a, duedate=demo.DUE)
        for sid in students:
            gb.update_or_create_student(sid, first_name="Essai", last_name=sid)
    for a in demo.ASSIGNMENTS:
        course.run_in_process("generate_assignment", a)
        course.run_in_process("release_assignment", a)
        for sid, kw in students.items():
            home = root / "candidats" / sid
            home.mkdir(parents=True, exist_ok=True)
            exchange_step("fetch", home, a, sid, root / "echange")
            make_submission(home / a, course.source(a), **kw)
            exchange_step("submit", home, a, sid, root / "echange")
        course.run_in_process("collect", a)
    errors = autograde_assignments(course, list(demo.ASSIGNMENTS), progress=False)
    scores = {}
    with course.gradebook() as gb:
        for a in demo.ASSIGNMENTS:
            for sub in gb.find_assignment(a).submissions:
                for nb in sub.notebooks:
                    for g in nb.grades:
                        if g.auto_score is not None:
                            scores[(sub.student.id, a, nb.name, g.name)] = (g.score, g.max_score)
    data = {a: hashlib.sha256(b"".join(p.read_bytes() for p in sorted((root / "release" / a / "data").glob("*.csv"))))
            .hexdigest() for a in demo.ASSIGNMENTS}
    return {"errors": errors, "scores": scores, "data": data, "session": course_session(root)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return {s: _grade(tmp_path_factory.mktemp(s) / "cours", s) for s in SESSIONS}


@pytest.mark.parametrize("session", SESSIONS)
def test_each_session_gives_the_solution_every_point_and_the_blank_release_none(graded, session):
    g = graded[session]
    assert g["session"] == session
    assert not any(g["errors"].values()), g["errors"]
    solution = {k: v for k, v in g["scores"].items() if k[0] == "solution"}
    blank = {k: v for k, v in g["scores"].items() if k[0] == "vierge"}
    assert {k[1] for k in solution} == set(demo.ASSIGNMENTS) and len(solution) == len(blank) > 60
    assert [k for k, (score, top) in solution.items() if score < top] == []
    assert [k for k, (score, _) in blank.items() if score > 0] == []


def test_no_two_sessions_hand_out_the_same_data(graded):
    for a in demo.ASSIGNMENTS:
        today = hashlib.sha256(b"".join(p.read_bytes() for p in sorted((RELEASE_DIR / a / "data").glob("*.csv"))))
        prints = [graded[s]["data"][a] for s in SESSIONS] + [today.hexdigest()]
        assert len(set(prints)) == len(SESSIONS) + 1, a
