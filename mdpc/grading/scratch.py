"""The scratch course each autograde worker grades in, away from the real gradebook.

A worker gets a private course (:func:`scratch_course`): the course's sources by link, its own copy of the
gradebook as it was before any grading (:func:`initial_gradebook`), a checked copy of each submission
(:mod:`mdpc.grading.intake`, the original untouched) and the sandbox kernel (:mod:`mdpc.grading.sandbox`) on
Unix sockets of its own. :func:`execute_chunk` runs nbgrader there for a batch of candidates.

No link is ever followed (:mod:`mdpc.grading.nofollow`): each submission is copied without following any
link, and what was left out (links, special files) becomes incidents of the copy; each kernel's folder is
swept when the kernel stops (:mod:`mdpc.grading.kernel_sweep`, which writes to this worker's
``JOURNAL``), and once more, with the sandbox user's processes stopped, when nbgrader is done.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

from mdpc.grading.course import Course, CourseError, run_nbgrader
from mdpc.grading.intake import prepare_copy
from mdpc.grading.kernel_sweep import after_kernel
from mdpc.grading.nofollow import AT_SCRATCH, copy_tree, ignore_names, write_text
from mdpc.grading.sandbox import KERNEL_NAME, Limits, install_kernelspec, status, worker_uid

JOURNAL = "nettoyage_noyaux.jsonl"  # in the scratch course, out of the sandbox: sweeps and quota stops
REFUSED = "remise_refusee"          # incident of a submission that could not be copied without following a link


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
        # never follow a link (mdpc.grading.nofollow): links and special files are left out, as incidents
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            left_out = copy_tree(course.root / "submitted" / s / assignment, copy, ignore_names([".ipynb_checkpoints"]))
        except OSError as exc:  # the submission itself is a link, or unreadable: not graded
            shutil.rmtree(copy, ignore_errors=True)
            incidents[s] = [{"carnet": "", "type": REFUSED, "message": f"copie remise illisible ou remplacée par un "
                             f"lien symbolique ({exc.__class__.__name__}) : elle n'a pas été suivie ni corrigée"}]
            continue
        incidents[s] = [r.incident(AT_SCRATCH) for r in left_out]
        incidents[s] += [i.as_dict() for i in prepare_copy(copy, course.root / "release" / assignment)]
    sockets = folder / "noyaux"
    sockets.mkdir(exist_ok=True)
    # each kernel's folder is swept when it stops; the sweeps and the watcher's stops go to JOURNAL
    install_kernelspec(folder / "jupyter", Limits(uid=worker_uid()), journal=folder / JOURNAL)
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


def _swept(folder: Path, assignment: str, students: list[str]) -> tuple[dict[str, list], dict[str, str]]:
    """What the sweeps and the watcher wrote to the worker's journal, per candidate: ({student: incidents},
    {student: why the watcher stopped the copy})."""
    found: dict[str, list] = {s: [] for s in students}
    stopped: dict[str, str] = {}
    path = folder / JOURNAL
    if not path.exists():
        return found, stopped
    top = folder / "autograded"
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
            rel = Path(item.pop("dossier")).relative_to(top).parts
        except (ValueError, KeyError, TypeError):
            continue
        if len(rel) < 2 or rel[1] != assignment or rel[0] not in found:
            continue
        if item.get("type") == "quota_depasse":
            stopped.setdefault(rel[0], item.get("message", ""))
        elif item not in found[rel[0]]:
            found[rel[0]].append(item)
    return found, stopped


SUBMISSION_FILES = ("timestamp.txt", "submission_secret.txt")  # read later by nbgrader, as root (release_feedback)


def _restore_submission_files(submitted: Path, graded: Path) -> list[dict]:
    """Put back, as handed in, the files of the submission that nbgrader reads again later (the time of
    submission, the secret that names the released feedback): the candidate's code could change or delete
    them in its folder. Written without following a link; an incident for each one that had changed."""
    out = []
    for name in SUBMISSION_FILES:
        source, target = submitted / name, graded / name
        try:
            wanted = source.read_bytes()
        except FileNotFoundError:
            wanted = None
        try:
            found = target.read_bytes() if not target.is_symlink() else None
        except FileNotFoundError:
            found = None
        if found == wanted:
            continue
        if wanted is None:
            target.unlink()
        else:
            write_text(target, wanted.decode("utf-8", errors="replace"), mode=0o644)
        out.append({"carnet": "", "type": "fichier_de_remise_retabli",
                    "message": f"Fichier « {name} » de la remise modifié ou supprimé pendant l'exécution des carnets : "
                               "rétabli tel que remis."})
    return out


def execute_chunk(root: str, scratch: str, assignment: str, students: list[str],
                  gradebook: str | None = None, cell_timeout: int | None = None) -> dict[str, dict]:
    """Worker: grade a few candidates with one nbgrader run in a scratch course;
    {student: {"erreur": message or None, "incidents": [...]}}.

    When nbgrader is done, every graded folder is swept once more with the sandbox user's processes
    stopped (nothing is expected there: each kernel's folder was swept when it stopped); a folder that
    cannot be swept fails its copy."""
    folder, incidents = scratch_course(Course(root), Path(scratch) / students[0], students, assignment,
                                       Path(gradebook) if gradebook else None, cell_timeout)
    journal = Path(root) / "journal_autocorrection.log"
    env = {"JUPYTER_PATH": os.pathsep.join(filter(None, [str(folder / "jupyter"), os.environ.get("JUPYTER_PATH")]))}
    proc = run_nbgrader(["autograde", assignment, "--force"], folder, journal, check=False, env=env)
    uid = worker_uid() if status()[0] else 0
    out = {}
    for s in students:
        graded = folder / "autograded" / s / assignment
        refused = [i["message"] for i in incidents[s] if i["type"] == REFUSED]
        error = None if graded.is_dir() else (refused[0] if refused else _failure(proc, journal, s))
        restored = []
        if error is None:
            try:
                after_kernel(graded, uid, folder / JOURNAL)
                restored = _restore_submission_files(folder / "submitted" / s / assignment, graded)
            except (OSError, TimeoutError, RecursionError) as exc:
                error = f"copie non vérifiable après l'exécution ({exc.__class__.__name__}) : elle n'est pas enregistrée"
        out[s] = {"erreur": error, "incidents": incidents[s] + restored}
    swept, stopped = _swept(folder, assignment, students)
    for s in students:
        out[s]["incidents"] = out[s]["incidents"] + swept[s]
        if s in stopped:
            if out[s]["erreur"]:
                out[s]["erreur"] = f"{stopped[s]} — {out[s]['erreur']}"
            else:
                out[s]["incidents"].append({"carnet": "", "type": "quota_depasse", "message": stopped[s]})
    return out
