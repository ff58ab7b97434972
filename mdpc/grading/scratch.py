"""The scratch course each autograde worker grades in, away from the real gradebook.

A worker gets a private course (:func:`scratch_course`): the course's sources by link, its own copy of the
gradebook as it was before any grading (:func:`initial_gradebook`), a checked copy of each submission
(:mod:`mdpc.grading.intake`, the original untouched) and the sandbox kernel (:mod:`mdpc.grading.sandbox`) on
Unix sockets of its own. :func:`execute_chunk` runs nbgrader there for a batch of candidates.

No link is ever followed (:mod:`mdpc.grading.nofollow`): each submission is copied without following any
link, and what was left out (links, special files) becomes incidents of the copy; each kernel's folder is
swept when the kernel stops, and once more when nbgrader is done (:mod:`mdpc.grading.kernel_sweep`).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from mdpc.grading.course import Course, CourseError, run_nbgrader
from mdpc.grading.forked_kernel import adopt_servers, reap_servers, stop_servers
from mdpc.grading.intake import prepare_copy
from mdpc.grading.judge_code import INCIDENTS_VARIABLE
from mdpc.grading.kernel_sweep import JOURNAL, finish_copies
from mdpc.grading.nofollow import AT_SCRATCH, copy_tree, ignore_names
from mdpc.grading.nofollow import incidents as left_out_incidents  # `incidents` names the dict below
from mdpc.grading.sandbox import JUDGE_KERNEL_NAME, KERNEL_NAME, Limits, install_kernelspec, status

REFUSED = "remise_refusee"  # incident of a submission that could not be copied without following a link


def _link(target: Path, link: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link, target_is_directory=target.is_dir())


def snapshot(db: Path, target: Path) -> Path:
    """A consistent copy of a SQLite gradebook (SQLite's backup API), safe while it is being written."""
    with closing(sqlite3.connect(db)) as src, closing(sqlite3.connect(target)) as dst:  # closed, not left to GC
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
            raise CourseError(f"Le devoir {assignment} n'est pas dans le gradebook : générez-le d'abord.") from None
        gb.update_or_create_assignment(assignment, duedate=source.duedate)
        for st in main.students:
            gb.update_or_create_student(st.id, first_name=st.first_name, last_name=st.last_name, email=st.email,
                                        lms_user_id=st.lms_user_id)
        for sub in source.submissions:
            if sub.extension is not None:
                gb.update_or_create_submission(assignment, sub.student.id, extension=sub.extension)
    return target


def scratch_course(course: Course, folder: Path, students: list[str], assignment: str,
                   gradebook: Path | None = None, cell_timeout: int | None = None) -> tuple[Path, dict[str, list], Path]:
    """A private course for one worker: shared sources, its own gradebook copy, a copy of each submission
    (checked and repaired by :mod:`.intake`, the original untouched), the sandbox kernel. Returns the
    folder, each candidate's incidents and the folder of the kernels' sockets: a private one (``mkdtemp``) in
    the system's temporary folder, since a Unix socket's path may not exceed 107 bytes and the scratch
    course's path holds the assignment's and the first candidate's names, of any length."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(course.root / "nbgrader_config.py", folder / "nbgrader_config.py")
    _link(course.root / "cas_pratiques", folder / "cas_pratiques")
    shutil.copy(gradebook or course.root / "gradebook.db", folder / "gradebook.db")
    incidents = {}
    for s in students:
        copy = folder / "submitted" / s / assignment
        # never follow a link (mdpc.grading.nofollow): links and special files are left out, as incidents
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            left_out = copy_tree(course.root / "submitted" / s / assignment, copy, ignore_names([".ipynb_checkpoints"]))
        except OSError as exc:  # the submission itself is a link, or unreadable: not graded
            shutil.rmtree(copy, ignore_errors=True)
            incidents[s] = [{"carnet": "", "type": REFUSED, "message": f"copie remise illisible ou remplacée par un "
                             f"lien symbolique ({exc.__class__.__name__}) : elle n'a pas été suivie ni corrigée"}]
            continue
        incidents[s] = left_out_incidents(left_out, AT_SCRATCH)
        incidents[s] += [i.as_dict() for i in prepare_copy(copy, course.root / "release" / assignment)]
    sockets = Path(tempfile.mkdtemp(prefix="mdpc-noyaux-"))
    # each candidate kernel's folder is swept when it stops; the sweeps and the watcher's stops go to JOURNAL
    install_kernelspec(folder / "jupyter", Limits(), journal=folder / JOURNAL)
    install_kernelspec(folder / "jupyter", Limits(read_only=True), JUDGE_KERNEL_NAME)
    (folder / "juge").mkdir(exist_ok=True)
    with open(folder / "nbgrader_config.py", "a", encoding="utf-8") as fh:
        fh.write("\n# mdpc autograde: kernels on Unix sockets (no TCP port race), each in a folder of its own,\n"
                 "# started in the sandbox (mdpc.grading.sandbox); tests judged in a kernel of their own\n"
                 f"c.KernelManager.transport = 'ipc'\nc.KernelManager.ip = {str(sockets / 'k')!r}\n"
                 f"c.JudgedExecute.sockets_root = {str(sockets)!r}\n"
                 f"c.JudgedExecute.judge_kernel_name = {JUDGE_KERNEL_NAME!r}\n"
                 f"c.CourseDirectory.db_url = {'sqlite:///' + str(folder / 'gradebook.db')!r}\n"
                 f"c.Execute.kernel_name = {KERNEL_NAME!r}\n"
                 "# the notebook is done when its last cell has answered: stop the kernel at once (≈ 0.4 s\n"
                 "# saved per notebook on a graceful shutdown, benchmarks/README.md)\n"
                 "c.Execute.shutdown_kernel = 'immediate'\n"
                 + (f"c.Execute.timeout = {int(cell_timeout)}\n" if cell_timeout else ""))
    return folder, incidents, sockets


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
    {student: {"erreur": message or None, "incidents": [...]}}, completed by
    :func:`.kernel_sweep.finish_copies`."""
    folder, incidents, sockets = scratch_course(Course(root), Path(scratch) / students[0], students, assignment,
                                                Path(gradebook) if gradebook else None, cell_timeout)
    journal = Path(root) / "journal_autocorrection.log"
    env = {"JUPYTER_PATH": os.pathsep.join(filter(None, [str(folder / "jupyter"), os.environ.get("JUPYTER_PATH")])),
           INCIDENTS_VARIABLE: str(folder / "juge")}
    if status()[0]:  # the copies' fork servers, detached from their launchers, are this process's to reap
        adopt_servers()
    try:
        proc = run_nbgrader(["autograde", assignment, "--force"], folder, journal, check=False, env=env)
    finally:
        stop_servers(sockets)  # nothing left to fork (mdpc.grading.forked_kernel)
        reap_servers()
        shutil.rmtree(sockets, ignore_errors=True)
    for found in sorted((folder / "juge").glob("*.json")):  # what the judge saw the candidates' code attempt
        item = json.loads(found.read_text(encoding="utf-8"))
        if item.get("candidat") in incidents:
            incidents[item["candidat"]].extend(item.get("incidents", []))
    out = {}
    for s in students:
        refused = [i["message"] for i in incidents[s] if i["type"] == REFUSED]
        graded = (folder / "autograded" / s / assignment).is_dir()
        out[s] = {"erreur": None if graded else (refused[0] if refused else _failure(proc, journal, s)),
                  "incidents": incidents[s]}
    # never follow a link: each graded folder checked once more (each kernel's processes were stopped by its
    # provisioner, under the kernel's own user), the kernels' sweeps and stops reported
    finish_copies(folder, assignment, out)
    return out
