"""The trainer's side of nbgrader's exchange, without following a candidate's link.

The exchange's inbound folder is writable by every candidate: a candidate can put a symbolic link in their
submission (or make their whole submission a link) after ``nbgrader submit``. ``nbgrader collect`` copies
each submission with ``shutil.copytree``, which follows links: run as root, it would copy a root-only file
of the host (or a whole folder) into ``submitted/``, then into the candidate's graded copy and feedback.

nbgrader_config.py registers :class:`SafeCollect` as the exchange's collect plugin
(``ExchangeFactory.collect``): the same collect, whose copy is :func:`.nofollow.copy_tree` (no link ever
followed, even one swapped in during the copy; links, special files and files with another hard link left
out). What was left out becomes incidents of the candidate's copy (:func:`.incidents.note_collected`),
shown in their report and counted in the jury minutes. A submission that is itself a link is not collected.

:class:`SafeReleaseFeedback` is nbgrader's ``release_feedback``, which copies each feedback file's mode into
the exchange: the course keeps its feedback 0600 (:mod:`.feedback`), the exchange's copy, named after a
secret hash, is made readable (0644) for the candidate to fetch, as nbgrader's own model wants.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from nbgrader.exchange.default import ExchangeCollect, ExchangeReleaseFeedback

from mdpc.grading.incidents import note_collected
from mdpc.grading.nofollow import AT_COLLECT, copy_tree, ignore_names, incidents, shown


class SafeCollect(ExchangeCollect):
    """``nbgrader collect`` that never follows a link of the inbound folder (see the module)."""

    def do_copy(self, src, dest, log=None):
        src, dest = Path(src), Path(dest)
        student, assignment = dest.parent.name, dest.name
        ignore = ignore_names(self.coursedir.ignore, self.coursedir.include or None, self.coursedir.max_file_size)
        try:
            removed = copy_tree(src, dest, ignore)
        except OSError:
            try:
                target = os.readlink(src)
            except OSError:
                target = "?"
            if dest.exists():
                shutil.rmtree(dest)
            message = (f"Remise « {shown(src.name)} » non ramassée : ce n'est pas un dossier mais un lien symbolique "
                       f"(vers « {shown(target)} ») ou un fichier spécial ; il n'a pas été suivi.")
            self.log.error(message)
            note_collected(Path(self.coursedir.root), assignment, student,
                           [{"carnet": "", "type": "remise_refusee", "message": message}])
            return
        size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
        if size > 1000 * self.coursedir.max_dir_size:  # nbgrader's own check, on the copy
            shutil.rmtree(dest)
            self.log.error("Directory size is too big")
            raise RuntimeError(f"Directory size is too big. Size is {size}, maximum size is "
                               f"{1000 * self.coursedir.max_dir_size}")
        for r in removed:
            self.log.warning("%s", r.message(AT_COLLECT))
        note_collected(Path(self.coursedir.root), assignment, student, incidents(removed, AT_COLLECT))
        if self.coursedir.groupshared:  # nbgrader's group permissions, on a copy that holds no link
            for dirname, _, filenames in os.walk(dest):
                os.chmod(dirname, (os.stat(dirname).st_mode | 0o2770) & 0o2777)
                for name in filenames:
                    path = os.path.join(dirname, name)
                    os.chmod(path, (os.stat(path).st_mode | 0o660) & 0o777)


class SafeReleaseFeedback(ExchangeReleaseFeedback):
    """``nbgrader release_feedback`` whose released files are readable by the candidates (0644) even
    though the course's feedback files are private (0600)."""

    def copy_files(self):
        super().copy_files()
        for entry in os.scandir(self.dest_path):
            if entry.name.endswith(".html") and entry.is_file(follow_symlinks=False):
                st = entry.stat(follow_symlinks=False)
                if st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) != 0o644:
                    os.chmod(entry.path, 0o644)
