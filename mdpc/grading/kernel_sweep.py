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
worker's journal, from which :mod:`.scratch` makes incidents of the copy. If the sweep cannot be done, the
cleanup fails and so does the copy: nbgrader never goes on with a folder that was not checked.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Int, Unicode

from mdpc.grading.nofollow import AFTER_KERNEL, append_line, stop_user, sweep


def after_kernel(folder: Path, uid: int = 0, journal: Path | None = None) -> list[dict]:
    """Stop the sandbox user's processes (when `uid` is one), sweep `folder`; returns the incidents and
    appends them to `journal` (one JSON line each, with the folder)."""
    if uid and os.geteuid() == 0 and uid not in (0, os.getuid()):
        stop_user(uid)
    incidents = [r.incident(AFTER_KERNEL) for r in sweep(folder)]
    if journal:
        for item in incidents:
            append_line(journal, json.dumps({"dossier": str(folder), **item}, ensure_ascii=False))
    return incidents


class SandboxProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, plus :func:`after_kernel` at each cleanup of the kernel."""

    journal = Unicode("", help="journal (JSON lines) of what the sweeps removed").tag(config=True)
    uid = Int(0, help="the sandbox user of this worker's kernels (0: none)").tag(config=True)
    _folder: str | None = None

    async def launch_kernel(self, cmd, **kwargs):
        if not kwargs.get("cwd"):  # nbclient starts each kernel in its notebook's folder: the copy, swept later
            raise RuntimeError("noyau du bac à sable sans dossier de travail (cwd) : la copie ne pourrait pas être "
                               "vérifiée après son exécution ; démarrage refusé")
        self._folder = str(kwargs["cwd"])
        return await super().launch_kernel(cmd, **kwargs)

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart=restart)
        if self._folder:  # jupyter_client may clean up twice: once is enough, nothing of the kernel runs after
            after_kernel(Path(self._folder), self.uid, Path(self.journal) if self.journal else None)
            self._folder = None
