"""What a candidate's kernel leaves behind is swept as soon as it stops, before nbgrader goes on.

nbgrader autograde runs as root (it starts the sandbox, :mod:`.sandbox`) and, after each notebook's kernel,
writes in the very folder the kernel could write in: the executed notebook, the next notebook, then
``chmod`` on every file (its permission step), later the feedback's copy of every file. A symbolic link
left there by the candidate's code would be followed by each of these: the answer key made world-readable,
the course's configuration or the gradebook overwritten, the gradebook published in the feedback.

The sandbox kernel is started through :class:`SandboxProvisioner` (named in its kernel specification,
registered as the ``mdpc-bac-a-sable`` kernel provisioner in ``pyproject.toml``). When jupyter_client
cleans up after the kernel (after it stopped or died, before nbclient returns to nbgrader),
:func:`after_kernel` stops every process left to the sandbox user (a process that escaped the kernel's
group cannot put a link back afterwards), then sweeps the kernel's folder (:func:`.nofollow.sweep`):
links, special files and outside hard links are removed and written, with where they pointed, to the
worker's journal (:data:`JOURNAL`), from which :func:`finish_copies` makes incidents of the copy when
nbgrader is done. If the sweep cannot be done, the cleanup fails and so does the copy: nbgrader never goes
on with a folder that was not checked.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Int, Unicode

from mdpc.grading.nofollow import AFTER_KERNEL, append_line, incidents, stop_user, sweep, write_text
from mdpc.grading.sandbox import kernel_uid

JOURNAL = "nettoyage_noyaux.jsonl"  # in a worker's scratch course, out of the sandbox: sweeps and quota stops
SUBMISSION_FILES = ("timestamp.txt", "submission_secret.txt")  # read later by nbgrader, as root (release_feedback)


def after_kernel(folder: Path, uid: int = 0, journal: Path | None = None) -> list[dict]:
    """Stop the sandbox user's processes (when `uid` is one), sweep `folder`; returns the incidents and
    appends them to `journal` (one JSON line each, with the folder)."""
    if uid and os.geteuid() == 0 and uid not in (0, os.getuid()):
        stop_user(uid)
    found = incidents(sweep(folder), AFTER_KERNEL)
    if journal:
        for item in found:
            append_line(journal, json.dumps({"dossier": str(folder), **item}, ensure_ascii=False))
    return found


class SandboxProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, plus :func:`after_kernel` at each cleanup of the kernel."""

    journal = Unicode("", help="journal (JSON lines) of what the sweeps removed").tag(config=True)
    uid = Int(0, help="the base of the sandbox users (0: none); a kernel's user is base + its launcher's "
                      "process number (mdpc.grading.sandbox.kernel_uid)").tag(config=True)
    _folder: str | None = None
    _user: int = 0

    async def launch_kernel(self, cmd, **kwargs):
        if not kwargs.get("cwd"):  # nbclient starts each kernel in its notebook's folder: the copy, swept later
            raise RuntimeError("noyau du bac à sable sans dossier de travail (cwd) : la copie ne pourrait pas être "
                               "vérifiée après son exécution ; démarrage refusé")
        self._folder = str(kwargs["cwd"])
        info = await super().launch_kernel(cmd, **kwargs)
        self._user = kernel_uid(self.uid, self.process.pid) if self.uid and self.process is not None else 0
        return info

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart=restart)
        if self._folder:  # jupyter_client may clean up twice: once is enough, nothing of the kernel runs after
            after_kernel(Path(self._folder), self._user, Path(self.journal) if self.journal else None)
            self._folder = None


def _journal(folder: Path, assignment: str, students: list[str]) -> tuple[dict[str, list], dict[str, str]]:
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


def finish_copies(folder: Path, assignment: str, outcome: dict[str, dict], uid: int = 0) -> None:
    """When nbgrader is done in the scratch course `folder`: each graded copy swept once more, with the
    sandbox user `uid`'s processes stopped (nothing is expected there: each kernel's folder was swept when
    it stopped), the submission's files nbgrader reads again put back as handed in, and what the sweeps and
    the watcher wrote to the journal added to `outcome` ({student: {"erreur", "incidents"}}, updated in
    place): incidents of the copy, or the reason the watcher stopped it in its error. A copy that cannot
    be checked fails."""
    for s, result in outcome.items():
        if result["erreur"]:
            continue
        graded = folder / "autograded" / s / assignment
        try:
            after_kernel(graded, uid, folder / JOURNAL)
            result["incidents"] = result["incidents"] + _restore_submission_files(
                folder / "submitted" / s / assignment, graded)
        except (OSError, TimeoutError, RecursionError) as exc:
            result["erreur"] = (f"copie non vérifiable après l'exécution ({exc.__class__.__name__}) : elle n'est pas "
                                "enregistrée")
    swept, stopped = _journal(folder, assignment, list(outcome))
    for s, result in outcome.items():
        result["incidents"] = result["incidents"] + swept[s]
        if s in stopped:
            if result["erreur"]:
                result["erreur"] = f"{stopped[s]} — {result['erreur']}"
            else:
                result["incidents"].append({"carnet": "", "type": "quota_depasse", "message": stopped[s]})
