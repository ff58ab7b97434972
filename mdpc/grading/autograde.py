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
import sqlite3
import tempfile
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from tqdm import tqdm

from mdpc.grading.course import Course, run_nbgrader
from mdpc.grading.intake import prepare_copy
from mdpc.grading.privacy import protect_course
from mdpc.grading.sandbox import KERNEL_NAME, Limits, install_kernelspec, worker_uid


def _link(target: Path, link: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link, target_is_directory=target.is_dir())


def snapshot(db: Path, target: Path) -> Path:
    """A consistent copy of a SQLite gradebook (SQLite's backup API), safe while it is being written."""
    with sqlite3.connect(db) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def initial_gradebook(course: Course, assignment: str, target: Path) -> Path:
    """The gradebook every worker starts from, as SQLite: a consistent copy of the course's SQLite
    gradebook, or, when the course's gradebook is another database (PostgreSQL), the same starting point
    rebuilt in SQLite: the assignment's cells (nbgrader generate_assignment from the same sources), its
    due date, the students and each submission's extension (what autograde reads)."""
    if course.db_url.startswith("sqlite:///"):
        return snapshot(Path(course.db_url[len("sqlite:///"):]), target)
    from nbgrader.api import Gradebook, MissingEntry

    structure = target.parent / "structure"
    structure.mkdir()
    shutil.copy(course.root / "nbgrader_config.py", structure / "nbgrader_config.py")
    _link(course.root / "cas_pratiques", structure / "cas_pratiques")
    url = f"sqlite:///{target}"
    run_nbgrader(["generate_assignment", assignment, "--force", f"--CourseDirectory.db_url={url}"], structure,
                 course.root / "journal_autocorrection.log")
    with Gradebook(course.db_url) as main, Gradebook(url) as gb:
        try:
            source = main.find_assignment(assignment)
        except MissingEntry:
            raise FileNotFoundError(f"Le devoir {assignment} n'est pas dans le gradebook : générez-le d'abord.") from None
        gb.update_or_create_assignment(assignment, duedate=source.duedate)
        for st in main.students:
            gb.update_or_create_student(st.id, first_name=st.first_name, last_name=st.last_name, email=st.email,
                                        lms_user_id=st.lms_user_id)
        for sub in source.submissions:
            if sub.extension is not None:
                gb.update_or_create_submission(assignment, sub.student.id, extension=sub.extension)
    return target


def scratch_course(course: Course, folder: Path, students: list[str], assignment: str,
                   gradebook: Path | None = None, cell_timeout: int | None = None) -> tuple[Path, dict[str, list]]:
    """A private course for one worker: shared sources, its own gradebook copy, a copy of each submission
    (checked and repaired by :mod:`.intake`, the original untouched), the sandbox kernel. Returns the
    folder and each candidate's incidents."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(course.root / "nbgrader_config.py", folder / "nbgrader_config.py")
    _link(course.root / "cas_pratiques", folder / "cas_pratiques")
    shutil.copy(gradebook or course.root / "gradebook.db", folder / "gradebook.db")
    incidents = {}
    for s in students:
        copy = folder / "submitted" / s / assignment
        shutil.copytree(course.root / "submitted" / s / assignment, copy, symlinks=False,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        incidents[s] = [i.as_dict() for i in prepare_copy(copy, course.root / "release" / assignment)]
    sockets = folder / "noyaux"
    sockets.mkdir(exist_ok=True)
    install_kernelspec(folder / "jupyter", Limits(uid=worker_uid()))
    with open(folder / "nbgrader_config.py", "a", encoding="utf-8") as fh:
        fh.write("\n# mdpc autograde: this worker's kernels on Unix sockets of its own (no TCP port race),\n"
                 "# started in the sandbox (mdpc.grading.sandbox)\n"
                 f"c.KernelManager.transport = 'ipc'\nc.KernelManager.ip = {str(sockets / 'k')!r}\n"
                 f"c.CourseDirectory.db_url = {'sqlite:///' + str(folder / 'gradebook.db')!r}\n"
                 f"c.Execute.kernel_name = {KERNEL_NAME!r}\n"
                 "# the notebook is done when its last cell has answered: stop the kernel at once (≈ 0.4 s\n"
                 "# saved per notebook on a graceful shutdown, benchmarks/README.md)\n"
                 "c.Execute.shutdown_kernel = 'immediate'\n"
                 + (f"c.Execute.timeout = {int(cell_timeout)}\n" if cell_timeout else ""))
    return folder, incidents


def _failure(proc, journal: Path, student: str) -> str:
    """nbgrader's error lines about one candidate (or its last lines), for a French report."""
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    errors = [ln.strip() for ln in lines if "ERROR" in ln or "Error" in ln]
    mine = [ln for ln in errors if student in ln] or errors or lines[-6:]
    return (f"autocorrection en échec (code {proc.returncode}) : " + " | ".join(mine[-4:])
            + f" — journal complet : {journal}")


def execute_chunk(root: str, scratch: str, assignment: str, students: list[str],
                  gradebook: str | None = None, cell_timeout: int | None = None) -> dict[str, dict]:
    """Worker: grade a few candidates with one nbgrader run in a scratch course;
    {student: {"erreur": message or None, "incidents": [...]}}."""
    folder, incidents = scratch_course(Course(root), Path(scratch) / students[0], students, assignment,
                                       Path(gradebook) if gradebook else None, cell_timeout)
    journal = Path(root) / "journal_autocorrection.log"
    env = {"JUPYTER_PATH": os.pathsep.join(filter(None, [str(folder / "jupyter"), os.environ.get("JUPYTER_PATH")]))}
    proc = run_nbgrader(["autograde", assignment, "--force"], folder, journal, check=False, env=env)
    return {s: {"erreur": None if (folder / "autograded" / s / assignment).is_dir() else _failure(proc, journal, s),
                "incidents": incidents[s]} for s in students}


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
                     progress: bool = True, batch: int = 32, cell_timeout: int | None = None) -> dict[str, str]:
    """Grade every submitted candidate of one assignment (or the given ones); return {student: error}
    for those that failed. See :func:`autograde_assignments`."""
    return autograde_assignments(course, [assignment], students, workers, progress, batch, cell_timeout)[assignment]


def autograde_assignments(course: Course, assignments: list[str], students: list[str] | None = None,
                          workers: int | None = None, progress: bool = True, batch: int = 32,
                          cell_timeout: int | None = None) -> dict[str, dict[str, str]]:
    """Grade every submitted candidate of several assignments (or the given candidates) in one pool of
    workers; return {assignment: {student: error}} for the copies that failed.

    One pool for all the assignments: the batches of every assignment are queued together, largest first,
    so that no worker waits for another at the end of each assignment. Each graded copy's incidents (see
    :mod:`.intake`) are written beside it, in ``INCIDENTS_FILE``; the candidates whose copy could not be
    graded are kept in ``FAILURES_FILE`` until a later run grades them; :func:`read_incidents` gathers both.
    `batch` is the largest batch; `cell_timeout` overrides nbgrader's per-cell limit (seconds). A worker
    process that dies (killed by the system, say) costs its batch one more attempt, each candidate alone,
    in a fresh pool: the run goes on."""
    if course.db_url.startswith("sqlite:///") and not Path(course.db_url[len("sqlite:///"):]).exists():
        raise FileNotFoundError(f"Pas de gradebook dans {course.root} : générez d'abord le devoir.")
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


INCIDENTS_FILE = "incidents_correction.json"


def _give_back(folder: Path, owner_of: Path) -> None:
    """Files the sandboxed kernel wrote belong to its user id: hand them to the course's owner."""
    owner = owner_of.stat()
    if os.geteuid() != 0:
        return
    for path in [folder, *folder.rglob("*")]:
        if path.lstat().st_uid != owner.st_uid:
            os.chown(path, owner.st_uid, owner.st_gid, follow_symlinks=False)


FAILURES_FILE = "incidents_autocorrection.json"  # at the course root: {assignment: {student: message}}


def _read_failures(course: Course) -> dict[str, dict[str, str]]:
    path = course.root / FAILURES_FILE
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:  # a damaged file must not stop a batch; the next run rewrites it
        return {}


def note_failures(course: Course, assignment: str, errors: dict[str, str], graded: list[str]) -> None:
    """Keep the copies that could not be graded (until a later run grades them), and give each a
    submission in the gradebook: the candidate then appears in the decisions, the reports and the jury
    minutes, with criteria still to rate (« en attente »), instead of vanishing."""
    failures = _read_failures(course)
    mine = {s: m for s, m in failures.get(assignment, {}).items() if s not in graded}
    mine.update(errors)
    if mine:
        failures[assignment] = dict(sorted(mine.items()))
    else:
        failures.pop(assignment, None)
    path = course.root / FAILURES_FILE
    if failures or path.exists():
        path.write_text(json.dumps(failures, ensure_ascii=False, indent=1), encoding="utf-8")
    if not errors:
        return
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url) as gb:
        for student in errors:
            try:
                gb.find_submission(assignment, student)
                continue  # graded before: its last grades stay, the incident says they are not the latest
            except MissingEntry:
                pass
            stamp = course.root / "submitted" / student / assignment / "timestamp.txt"
            try:
                when = {"timestamp": stamp.read_text(encoding="utf-8").strip()}
            except OSError:
                when = {}
            for kwargs in (when, {}):  # without the time if nbgrader cannot read it
                try:
                    gb.update_or_create_student(student)  # a candidate collected but never registered
                    gb.add_submission(assignment, student, **kwargs)
                    break
                except Exception:  # noqa: BLE001 — never stop a batch here: the failure stays listed
                    gb.db.rollback()


def read_incidents(course: Course, assignment: str) -> dict[str, list[dict]]:
    """{student: incidents} of one assignment's copies that had any: what the checks of :mod:`.intake`
    found in each graded copy, and the copies whose autograde failed (type ``echec_autocorrection``)."""
    out: dict[str, list[dict]] = {}
    for path in sorted((course.root / "autograded").glob(f"*/{assignment}/{INCIDENTS_FILE}")):
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            items = [{"carnet": "", "type": "incidents_illisibles",
                      "message": f"le relevé d'incidents {path.name} est illisible"}]
        if items:
            out[path.parent.parent.name] = items
    for student, message in _read_failures(course).get(assignment, {}).items():
        earlier = (course.root / "autograded" / student / assignment).is_dir()
        out.setdefault(student, []).append({
            "carnet": "", "type": "echec_autocorrection", "corrigee_avant": earlier,
            "message": ("dernière autocorrection en échec, les points sont ceux de la correction précédente "
                        if earlier else "copie non autocorrigée, critères en attente ")
            + "(relancer mdpc autograde) : " + message})
    return out


def incidents_for(course: Course, assignments: list[str]) -> dict[str, list[dict]]:
    """{student: incidents} over several assignments, each incident naming its assignment (``devoir``)."""
    out: dict[str, list[dict]] = {}
    for assignment in assignments:
        for student, items in read_incidents(course, assignment).items():
            out.setdefault(student, []).extend({"devoir": assignment, **i} for i in items)
    return out


def record(course: Course, assignment: str, students: dict[str, tuple[str, list]], tmp: Path) -> dict[str, str]:
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
    for student, (scratch, _) in students.items():
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
                    _give_back(dest_dir, course.root)
                    (dest_dir / INCIDENTS_FILE).write_text(json.dumps(students[student][1], ensure_ascii=False,
                                                                      indent=1), encoding="utf-8")
    return errors
