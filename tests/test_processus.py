"""A grading worker killed in the middle of its batch (the system's OOM killer, an operator's kill -9).

``mdpc autograde`` grades batches of copies in a pool of worker processes. When one dies, every batch it held
fails with ``BrokenProcessPool``: the run must not stop, must not lose a copy, and must give each copy of the
lost batches one more attempt, alone, in a fresh pool (``autograde_assignments``).
"""

import shutil
import signal
import threading
import time

import psutil
import pytest

from mdpc import demo
from mdpc.authoring.demo_cohort import make_submission
from mdpc.grading.autograde import autograde_assignments

A = demo.ASSIGNMENT_B4M
CANDIDATES = ["k01", "k02", "k03", "k04"]


def _kill_a_busy_worker(stop: threading.Event, killed: list[int]) -> None:
    """Kill -9 the first pool worker seen running nbgrader (a worker with a child process)."""
    me = psutil.Process()
    while not stop.is_set():
        for child in me.children():
            try:
                if "spawn_main" in " ".join(child.cmdline()) and child.children():
                    child.send_signal(signal.SIGKILL)
                    killed.append(child.pid)
                    return
            except psutil.Error:
                continue
        time.sleep(0.1)


@pytest.mark.slow
def test_a_worker_killed_mid_batch_loses_no_copy(tmp_path):
    course = demo.prepare_course(tmp_path / "cours")
    with course.gradebook() as gb:
        gb.update_or_create_assignment(A, duedate=demo.DUE)
        for sid in CANDIDATES:
            gb.update_or_create_student(sid, first_name=sid, last_name="Essai")
    course.run_in_process("generate_assignment", A)
    for sid in CANDIDATES:
        folder = course.root / "submitted" / sid / A
        shutil.copytree(course.root / "release" / A, folder)
        make_submission(folder, course.source(A))
        (folder / "timestamp.txt").write_text("2027-01-08 10:00:00.000000 UTC", encoding="utf-8")

    stop, killed = threading.Event(), []
    killer = threading.Thread(target=_kill_a_busy_worker, args=(stop, killed), daemon=True)
    killer.start()
    try:
        errors = autograde_assignments(course, [A], workers=2, progress=False, without_isolation=True)
    finally:
        stop.set()
        killer.join(timeout=5)
    assert killed, "aucun processus de correction n'a pu être tué pendant son lot : le test n'a rien éprouvé"
    assert errors == {A: {}}, errors
    with course.gradebook() as gb:
        for sid in CANDIDATES:
            sub = gb.find_submission(A, sid)
            assert sub.code_score == sub.max_code_score > 0, f"{sid} : {sub.code_score}/{sub.max_code_score} après la reprise"
    assert not (course.root / "incidents_autocorrection.json").exists() or A not in (
        course.root / "incidents_autocorrection.json").read_text(encoding="utf-8")
