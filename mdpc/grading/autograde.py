"""Autograde a cohort in parallel, with the same results as ``nbgrader autograde`` and one gradebook writer.

nbgrader executes one notebook after another (nbgrader #174), and several nbgrader processes writing
one SQLite gradebook at once fail with lock errors or lose grades. So the work is split in two:

1. execution, in parallel: each worker process grades its candidates with nbgrader itself, in a scratch
   course of its own (the course's sources, a copy of a snapshot of the gradebook taken before any
   grading, the candidate's submission), so it never touches the real gradebook;
2. recording, in this process alone, as each batch finishes (while the workers go on with the next
   ones): what nbgrader wrote in the batch's scratch gradebook (the fields its autograde writes) is
   copied into the real gradebook through nbgrader's API, and the graded notebooks move into
   ``autograded/``.

Each worker's kernels talk over Unix sockets in the worker's own folder (IPC transport), never over TCP
ports: two processes that pick a free port at the same moment can pick the same one, and the kernel that
loses the race dies before the first cell (jupyter_client #487; the same race hits papermill, #511).

A candidate whose execution fails in a batch is graded again, alone, once (a kernel that died on a loaded
machine must not cost a grade); if that fails too, the candidate is reported with nbgrader's error lines,
left out of the recording, and the others go on. nbgrader's full output is appended to
``journal_autocorrection.log`` in the course folder.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import tempfile
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from tqdm import tqdm

from mdpc.grading.course import Course, CourseError
from mdpc.grading.incidents import INCIDENTS_FILE, note_failures
from mdpc.grading.nofollow import sweep, write_text
from mdpc.grading.privacy import protect_course
from mdpc.grading.sandbox import status
from mdpc.grading.sanitize import sanitize_copy
from mdpc.grading.scratch import execute_chunk, initial_gradebook

UNISOLATED_RISKS = ("le code des candidats s'exécute sous votre compte, avec vos droits (en root : tous les droits "
                    "sur la machine) : il peut lire les "
                    "tests cachés et les corrigés (cas_pratiques/), le gradebook, le journal des notes "
                    "(notation.db) et les copies des autres candidats, les modifier, écrire dans les journaux et "
                    "dans le dossier du cours, et joindre le réseau ; seules les limites de ressources "
                    "s'appliquent")


class IsolationError(CourseError):
    """The full sandbox is not available and the trainer did not accept to grade without it."""


def chunks(students: list[str], workers: int, largest: int = 32, smallest: int = 4) -> list[list[str]]:
    """Batches in decreasing sizes (guided scheduling): each is a quarter of what remains per worker,
    between `smallest` and `largest` candidates, so that each nbgrader start (≈ 2 s) serves many copies
    while the last batches are small and the workers finish together.

    Measured on 40 candidates of B4_pilotage_performance, 2 cores (benchmarks/bench_cohorte.py, same
    session): nbgrader autograde 7.84 s/candidate; fixed batches of 4: 4.18 (1.88 ×); of 20: 4.00 (1.96 ×).
    For 200 candidates and 2 workers this gives 32, 32, 32, 26, 20, 15, 11, 8, 6, 5, 4, 4, 4, 1."""
    out, rest = [], list(students)
    while rest:
        size = max(1, min(largest, max(smallest, -(-len(rest) // (2 * workers)))))
        out.append(rest[:size])
        rest = rest[size:]
    return out


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def autograde_cohort(course: Course, assignment: str, students: list[str] | None = None, workers: int | None = None,
                     progress: bool = True, batch: int = 32, cell_timeout: int | None = None,
                     without_isolation: bool = False) -> dict[str, str]:
    """Grade every submitted candidate of one assignment (or the given ones); return {student: error}
    for those that failed. See :func:`autograde_assignments`."""
    return autograde_assignments(course, [assignment], students, workers, progress, batch, cell_timeout,
                                 without_isolation)[assignment]


def require_isolation(without_isolation: bool = False) -> None:
    """Raise :class:`IsolationError` (French) when the full sandbox is not available, unless the trainer
    accepted to grade without it (``--sans-isolation``); the sandbox is used whenever it is available."""
    isolated, why = status()
    if not isolated and not without_isolation:
        raise IsolationError(f"Autocorrection refusée : le bac à sable complet n'est pas disponible sur cette machine "
                             f"({why}). Sans lui, {UNISOLATED_RISKS}. Lancez mdpc autograde en root avec bubblewrap "
                             "installé (paquet Debian « bubblewrap »), ou, pour des copies de confiance seulement, "
                             "ajoutez l'option --sans-isolation.")


def autograde_assignments(course: Course, assignments: list[str], students: list[str] | None = None,
                          workers: int | None = None, progress: bool = True, batch: int = 32,
                          cell_timeout: int | None = None, without_isolation: bool = False) -> dict[str, dict[str, str]]:
    """Grade every submitted candidate of several assignments (or the given candidates) in one pool of
    workers; return {assignment: {student: error}} for the copies that failed.

    One pool for all the assignments: the batches of every assignment are queued together, largest first,
    so that no worker waits for another at the end of each assignment. Each graded copy's incidents (see
    :mod:`.intake`) are written beside it, in ``INCIDENTS_FILE``; the candidates whose copy could not be
    graded are kept in ``FAILURES_FILE`` until a later run grades them; :func:`read_incidents` gathers both.
    `batch` is the largest batch; `cell_timeout` overrides nbgrader's per-cell limit (seconds). A worker
    process that dies (killed by the system, say) costs its batch one more attempt, each candidate alone,
    in a fresh pool: the run goes on. Without the full sandbox (:func:`.sandbox.status`), the run is
    refused (:class:`IsolationError`) unless `without_isolation` is true."""
    require_isolation(without_isolation)
    if course.db_url.startswith("sqlite:///") and not Path(course.db_url[len("sqlite:///"):]).exists():
        raise CourseError(f"Pas de gradebook dans {course.root} : générez d'abord le devoir.")
    submitted = course.root / "submitted"
    who = {a: sorted(p.name for p in submitted.iterdir() if (p / a).is_dir() and (not students or p.name in students))
           for a in assignments}
    total = sum(map(len, who.values()))
    errors: dict[str, dict[str, str]] = {a: {} for a in assignments}
    workers = max(1, min(workers or os.cpu_count() or 1, max(total, 1)))
    with tempfile.TemporaryDirectory(prefix="mdpc-autograde-") as tmp:
        tmp = Path(tmp)
        initial = {a: str(initial_gradebook(course, a, tmp / f"gradebook-initial-{a}.db")) for a in assignments}
        bar = tqdm(total=total, desc="Autocorrection", unit="copie", disable=not progress)
        pool = _pool(workers)
        futures: dict = {}
        finished = 0  # copies recorded, or failed for good

        def submit(assignment: str, group: list[str], attempt: int) -> None:
            nonlocal pool
            args = (execute_chunk, str(course.root), str(tmp / "exec" / assignment / f"essai{attempt}"), assignment,
                    group, initial[assignment], cell_timeout)
            try:
                futures[pool.submit(*args)] = (assignment, group, attempt)
            except BrokenProcessPool:  # a worker died: the batches it took down are retried in a new pool
                pool.shutdown(wait=False, cancel_futures=True)
                pool = _pool(workers)
                futures[pool.submit(*args)] = (assignment, group, attempt)

        try:
            queue = [(a, g) for a in assignments for g in chunks(who[a], workers, batch)]
            for a, group in sorted(queue, key=lambda item: -len(item[1])):  # stable: largest batches first
                submit(a, group, 1)
            while futures:
                done_now, _ = wait(futures, timeout=2, return_when=FIRST_COMPLETED)
                for future in done_now:
                    assignment, group, attempt = futures.pop(future)
                    try:
                        outcome = future.result()
                    except Exception as exc:  # a worker that died: the others go on
                        outcome = {s: {"erreur": f"processus interrompu : {exc.__class__.__name__} : {exc}",
                                       "incidents": []} for s in group}
                    failed = [s for s in group if outcome[s]["erreur"]]
                    if attempt == 1:  # a second chance, alone: a transient failure must not cost a grade
                        for s in failed:
                            submit(assignment, [s], 2)
                    else:
                        errors[assignment].update({s: outcome[s]["erreur"] for s in failed})
                    done = {s: (f"{assignment}/essai{attempt}/{group[0]}", outcome[s]["incidents"])
                            for s in group if s not in failed}
                    if done:  # recorded now, while the workers grade the next batches
                        errors[assignment].update(record(course, assignment, done, tmp))
                    finished += len(group) - (len(failed) if attempt == 1 else 0)
                # progress within the running batches: copies nbgrader has finished but not yet recorded
                pending = sum(1 for _ in (tmp / "exec").glob("*/essai1/*/autograded/*/*"))
                bar.update(max(0, min(total, finished + pending) - bar.n))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
    for a in assignments:
        note_failures(course, a, errors[a], graded=[s for s in who[a] if s not in errors[a]])
    protect_course(course.root)
    return errors


def _give_back(folder: Path, owner_of: Path) -> None:
    """Files the sandboxed kernel wrote belong to its user id: hand them to the course's owner."""
    owner = owner_of.stat()
    if os.geteuid() != 0:
        return
    for path in [folder, *folder.rglob("*")]:
        if path.lstat().st_uid != owner.st_uid:
            os.chown(path, owner.st_uid, owner.st_gid, follow_symlinks=False)


def record(course: Course, assignment: str, students: dict[str, tuple[str, list]], tmp: Path) -> dict[str, str]:
    """Copy what nbgrader wrote in each scratch gradebook into the real one, from this process alone.

    The fields are those nbgrader's autograde writes (submission timestamp, each grade's automatic score
    and manual-grading flag, automatic comments, late penalty); manual scores and comments already in the
    real gradebook are left as they are. The graded notebooks then move into ``autograded/``, cleaned of
    anything active (:func:`mdpc.grading.sanitize.sanitize_copy`; what was removed joins the copy's incidents).
    """
    import warnings

    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own session warnings, harmless here
    errors = {}
    (course.root / "autograded").mkdir(exist_ok=True)
    by_folder: dict[str, list[str]] = {}
    for student, (scratch, _) in students.items():
        by_folder.setdefault(scratch, []).append(student)
    with Gradebook(course.db_url) as main:
        for scratch, group in by_folder.items():
            folder = tmp / "exec" / scratch
            with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:  # opened once per batch
                for student in group:
                    graded = folder / "autograded" / student / assignment
                    try:
                        left = sweep(graded)  # swept by the worker already: nothing is expected here
                    except OSError as exc:
                        errors[student] = f"copie corrigée illisible à l'enregistrement : {exc.__class__.__name__}"
                        continue
                    if left:
                        errors[student] = ("copie écartée : liens trouvés au moment de l'enregistrement ("
                                           + ", ".join(r.path for r in left[:5]) + ")")
                        continue
                    try:
                        sub = gb.find_submission(assignment, student)
                        target = main.update_or_create_submission(assignment, student, timestamp=sub.timestamp)
                        target.extension = sub.extension
                        for nb in sub.notebooks:
                            dest = main.find_submission_notebook(nb.name, assignment, student)
                            dest.late_submission_penalty = nb.late_submission_penalty
                            dest.flagged = nb.flagged
                            for g in nb.grades:
                                grade = main.find_grade(g.name, nb.name, assignment, student)
                                grade.auto_score = g.auto_score
                                grade.needs_manual_grade = grade.manual_score is not None or g.auto_score is None
                            for c in nb.comments:
                                main.find_comment(c.name, nb.name, assignment, student).auto_comment = c.auto_comment
                        main.db.commit()
                    except (MissingEntry, OSError) as exc:
                        main.db.rollback()
                        errors[student] = f"enregistrement des notes en échec : {exc}"
                        continue
                    dest_dir = course.root / "autograded" / student / assignment
                    if dest_dir.is_symlink():
                        dest_dir.unlink()
                    elif dest_dir.exists():
                        shutil.rmtree(dest_dir)
                    dest_dir.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(graded), dest_dir)
                    # render-safe: nothing active reaches a grader (formgrader, grading form, feedback)
                    cleaned = [i.as_dict() for i in sanitize_copy(dest_dir)]
                    _give_back(dest_dir, course.root)
                    write_text(dest_dir / INCIDENTS_FILE, json.dumps(students[student][1] + cleaned, ensure_ascii=False,
                                                                     indent=1), mode=0o644)
    return errors
