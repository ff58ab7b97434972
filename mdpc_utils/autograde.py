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

A candidate whose execution fails is reported and left out of the recording; the others go on.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from .course import Course, run_nbgrader


def _link(target: Path, link: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link, target_is_directory=target.is_dir())


def snapshot(db: Path, target: Path) -> Path:
    """A consistent copy of a SQLite gradebook (SQLite's backup API), safe while it is being written."""
    with sqlite3.connect(db) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def scratch_course(course: Course, folder: Path, students: list[str], assignment: str,
                   gradebook: Path | None = None) -> Path:
    """A private course for one worker: shared sources, its own gradebook copy and output folders."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(course.root / "nbgrader_config.py", folder / "nbgrader_config.py")
    _link(course.root / "cas_pratiques", folder / "cas_pratiques")
    shutil.copy(gradebook or course.root / "gradebook.db", folder / "gradebook.db")
    for s in students:
        _link(course.root / "submitted" / s, folder / "submitted" / s)
    return folder


def execute_chunk(root: str, scratch: str, assignment: str, students: list[str],
                  gradebook: str | None = None) -> dict[str, str | None]:
    """Worker: grade a few candidates with one nbgrader run in a scratch course; {student: error or None}."""
    folder = scratch_course(Course(root), Path(scratch) / students[0], students, assignment,
                            Path(gradebook) if gradebook else None)
    proc = run_nbgrader(["autograde", assignment, "--force"], folder, folder / "journal.log", check=False)
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-6:])
    return {s: None if (folder / "autograded" / s / assignment).is_dir()
            else f"autocorrection en échec (code {proc.returncode}) : {tail}" for s in students}


def chunks(students: list[str], workers: int, size: int) -> list[list[str]]:
    """Batches of at most `size` candidates (one nbgrader start each), at least one per worker when possible.

    Batches of 4 measured 4.77 and 4.23 s/candidate on 30 candidates and 2 cores, batches of 5 once
    6.71 s/candidate (benchmarks/bench_cohorte.py); single runs vary a lot on this machine (the same
    nbgrader baseline measured 8.2 and 11.3 s/candidate), so the batch size effect is not established."""
    size = max(1, min(size, -(-len(students) // workers)))
    return [students[i:i + size] for i in range(0, len(students), size)]


def autograde_cohort(course: Course, assignment: str, students: list[str] | None = None, workers: int | None = None,
                     progress: bool = True, batch: int = 4) -> dict[str, str]:
    """Grade every submitted candidate (or the given ones); return {student: error} for those that failed."""
    submitted = course.root / "submitted"
    students = students or sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir())
    if not (course.root / "gradebook.db").exists():
        raise FileNotFoundError(f"Pas de gradebook dans {course.root} : générez d'abord le devoir.")
    errors: dict[str, str] = {}
    workers = max(1, min(workers or os.cpu_count() or 1, len(students) or 1))
    with tempfile.TemporaryDirectory(prefix="mdpc-autograde-") as tmp:
        tmp = Path(tmp)
        initial = str(snapshot(course.root / "gradebook.db", tmp / "gradebook-initial.db"))
        bar = tqdm(total=len(students), desc="Autocorrection", unit="copie", disable=not progress)
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(execute_chunk, str(course.root), str(tmp / "exec"), assignment, group, initial): group
                       for group in chunks(students, workers, batch)}
            for future in as_completed(futures):
                group = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:  # a worker that died: the others go on
                    outcome = {s: f"processus interrompu : {exc.__class__.__name__} : {exc}" for s in group}
                errors.update({s: e for s, e in outcome.items() if e})
                done = [s for s in group if not outcome.get(s)]
                if done:  # recorded now, while the workers grade the next batches
                    errors.update(record(course, assignment, {s: group[0] for s in done}, tmp))
                bar.update(len(group))
        bar.close()
    return errors


def record(course: Course, assignment: str, students: dict[str, str], tmp: Path) -> dict[str, str]:
    """Copy what nbgrader wrote in each scratch gradebook into the real one, from this process alone.

    The fields are those nbgrader's autograde writes (submission timestamp, each grade's automatic score
    and manual-grading flag, automatic comments, late penalty); manual scores and comments already in the
    real gradebook are left as they are. The graded notebooks then move into ``autograded/``.
    """
    import warnings

    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own session warnings, harmless here
    errors = {}
    (course.root / "autograded").mkdir(exist_ok=True)
    by_folder: dict[str, list[str]] = {}
    for student, scratch in students.items():
        by_folder.setdefault(scratch, []).append(student)
    with Gradebook(course.db_url) as main:
        for scratch, group in by_folder.items():
            folder = tmp / "exec" / scratch
            with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:  # opened once per batch
                for student in group:
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
                    if dest_dir.exists():
                        shutil.rmtree(dest_dir)
                    dest_dir.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(folder / "autograded" / student / assignment), dest_dir)
    return errors
