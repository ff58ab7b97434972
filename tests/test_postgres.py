"""A gradebook several graders share: the course on PostgreSQL, for real.

The fixture starts a PostgreSQL server of Debian's package (``postgresql``; ``make test`` installs it when
it is missing) in a temporary folder, on a Unix socket only, and stops it at the end. The course then
works as a trainer would set it up: ``c.CourseDirectory.db_url`` in its nbgrader_config.py.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from mdpc import demo
from mdpc.authoring.demo_cohort import make_submission
from mdpc.grading.autograde import autograde_cohort
from mdpc.grading.course import Course
from mdpc.grading.journal import verify_journal
from mdpc.grading.ratings import RatingBook

pytestmark = pytest.mark.slow
A = "B4_pilotage_performance"
PORT = 54329
CANDIDATES = ("p01", "p02", "p03")
GRADERS = ("Correcteur A", "Correcteur B", "Correcteur C", "Correcteur D")


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _as_postgres(args: list, **kw):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + [str(a) for a in args], check=True, capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def pg_url():
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL absent (paquet Debian « postgresql ») : make test l'installe en root")
    base = Path(tempfile.mkdtemp(prefix="mdpc-pg-"))
    data, sockets = base / "donnees", base / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    _as_postgres([bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"])
    _as_postgres([bindir / "pg_ctl", "-D", data, "-l", base / "serveur.log", "-w", "start",
                  "-o", f"-k {sockets} -c listen_addresses='' -p {PORT} -c max_connections=60"])
    try:
        _as_postgres([bindir / "createdb", "-h", sockets, "-p", PORT, "-U", "postgres", "mdpc"])
        yield f"postgresql+psycopg://postgres@/mdpc?host={sockets}&port={PORT}"
    finally:
        _as_postgres([bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def course(pg_url, tmp_path_factory):
    root = tmp_path_factory.mktemp("pg") / "cours"
    course = demo.prepare_course(root)
    with open(root / "nbgrader_config.py", "a", encoding="utf-8") as fh:
        fh.write(f"\nc.CourseDirectory.db_url = {pg_url!r}\n")
    course = Course(root)
    assert course.db_url == pg_url
    course.nbgrader("db", "assignment", "add", A, f"--duedate={demo.DUE.isoformat(sep=' ')}")
    with course.gradebook() as gb:
        for sid in CANDIDATES:
            gb.update_or_create_student(sid, first_name=sid, last_name="Partagé")
    course.nbgrader("generate_assignment", A, "--force")
    for sid in CANDIDATES:
        folder = root / "submitted" / sid / A
        shutil.copytree(root / "release" / A, folder)
        make_submission(folder, course.source(A), blank=sid == "p03",
                             wrong=("plan_inchange",) if sid == "p02" else ())
        (folder / "timestamp.txt").write_text("2027-01-08 10:00:00.000000 UTC", encoding="utf-8")
    assert autograde_cohort(course, A, progress=False, without_isolation=True) == {}
    assert not (root / "gradebook.db").exists()  # everything went to PostgreSQL
    return course


def test_autograde_writes_into_postgresql(course):
    with course.gradebook() as gb:
        scores = {s: gb.find_submission(A, s).score for s in CANDIDATES}
        best = gb.find_assignment(A).max_score
    assert scores["p03"] == 0
    assert 0 < scores["p02"] < scores["p01"]
    records = course.read(A)
    assert set(records) == set(CANDIDATES)
    assert best > 0


def _rate(root: str, jobs: list[tuple]) -> int:
    book = RatingBook(Course(root))
    for candidate, code, number, who, level in jobs:
        book.record(A, candidate, code, number, who, level, f"{who} : niveau {level}")
    return len(jobs)


def test_graders_rating_at_once_lose_nothing(course):
    criteria = [(c, n) for c, k in (("C4.1", 3), ("C4.2", 3), ("C4.3", 3)) for n in range(1, k + 1)]
    plan = {g: [] for g in GRADERS}
    expected = {}
    for i, sid in enumerate(CANDIDATES):
        for j, (code, n) in enumerate(criteria):
            first, second = GRADERS[(i + j) % 4], GRADERS[(i + j + 1) % 4]
            a, b = (i + j) % 4, (i + j) % 4 if j % 3 else (i + j + 1) % 4  # one criterion in three: divergent
            plan[first].append((sid, code, n, first, a))
            plan[second].append((sid, code, n, second, b))
            expected[(sid, code, n)] = a if a == b else None
    with multiprocessing.get_context("spawn").Pool(len(GRADERS) * 2) as pool:
        halves = [(g, jobs[k::2]) for g, jobs in plan.items() for k in (0, 1)]  # 8 writers at once
        counts = pool.starmap(_rate, [(str(course.root), jobs) for _, jobs in halves])
    assert sum(counts) == 2 * len(expected)
    book = RatingBook(course)
    history = [r for sid in CANDIDATES for r in book.history(A, sid)]
    assert len(history) == 2 * len(expected)
    maps = course.maps(A)
    with course.gradebook() as gb:
        for (sid, code, n), level in expected.items():
            notebook, grade_id = maps.rubric_cell(code, n)
            grade = gb.find_grade(grade_id, notebook, A, sid)
            assert grade.manual_score == (None if level is None else float(level)), (sid, code, n)
            comment = gb.find_comment(grade_id, notebook, A, sid).manual_comment or ""
            if level is not None:
                assert "niveau" in comment
    assert len(book.divergences([A])) == sum(v is None for v in expected.values())
    chain = verify_journal(book.path)  # eight writers at once, one unbroken chain: no rank twice, none missing
    assert chain.ok, chain.summary()
    assert chain.notes == chain.head_rank == 2 * len(expected)
