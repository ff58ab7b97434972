"""The watcher of a candidate's kernel: the copy's folder may not fill the machine.

The sandbox launcher (:mod:`.sandbox`) forks the kernel (in bubblewrap, or alone) and stays beside it as
its watcher (:func:`watch`): every ``WATCH_SECONDS`` it measures the copy's folder (never following a link)
and, in the sandbox, the number of files of the sandbox's own ``/tmp`` (a tmpfs: bubblewrap limits its size,
not its number of files; an older bubblewrap, before 0.7, not even its size, which is then measured too),
and stops the kernel when the copy goes over its quota (files and
folders, disk space, depth). The reason, in French, goes to the autograde journal (standard error) and
to the worker's journal (``--journal``), from which the copy's failure says why. Killed by jupyter_client
with its process group, the watcher takes the kernel with it (bubblewrap's ``--die-with-parent``, or
:func:`die_with_parent` without the sandbox).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import sys
import time
from pathlib import Path

from mdpc.grading.nofollow import append_line

MIB = 1024 * 1024
WATCH_SECONDS = 0.2  # how often the watcher measures the copy's folder
MAX_DEPTH = 100      # folders nested deeper than this stop the kernel (the watcher could not measure them)


def measure(folder: Path, max_entries: int, max_depth: int = MAX_DEPTH) -> tuple[int, int, bool]:
    """(bytes on disk, files and folders, nested too deep) of `folder`, never following a link (each
    folder is opened with ``O_NOFOLLOW``); counting stops past `max_entries`."""
    total = count = 0
    stack = [(str(folder), 0)]
    while stack and count <= max_entries:
        path, depth = stack.pop()
        try:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as exc:
            if exc.errno == errno.ENAMETOOLONG:  # deeper than a path can name
                return total, count, True
            continue  # gone, or replaced by a link: not counted, never followed
        try:
            with os.scandir(fd) as it:
                for e in it:
                    count += 1
                    try:
                        st = e.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    total += st.st_blocks * 512
                    if stat.S_ISDIR(st.st_mode):
                        if depth >= max_depth:
                            return total, count, True
                        stack.append((f"{path}/{e.name}", depth + 1))
        except OSError:
            pass
        finally:
            os.close(fd)
    return total, count, False


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


def _inside_tmp(child: int) -> str | None:
    """The sandbox's own /tmp seen from outside, through a process of the sandbox: bubblewrap's first
    process keeps the host's root, so the first descendant whose /tmp is not the host's; None until
    bubblewrap has set it up."""
    host = os.stat("/tmp").st_dev
    level = [child]
    for _depth in range(4):
        level = [k for pid in level[:16] for k in _children(pid)]
        for pid in level:
            try:
                if os.stat(f"/proc/{pid}/root/tmp").st_dev != host:
                    return f"/proc/{pid}/root/tmp"
            except OSError:
                continue
    return None


def _sandbox_tmp(child: int) -> tuple[int, int]:
    """(bytes, files and folders) in the sandbox's own /tmp (a tmpfs), (0, 0) until it exists."""
    path = _inside_tmp(child)
    try:
        st = os.statvfs(path) if path else None
    except OSError:
        st = None
    if st is None:
        return 0, 0
    used = (st.f_blocks - st.f_bfree) * st.f_frsize
    return used, max(0, st.f_files - st.f_ffree - 1)  # the root folder of the tmpfs is not the candidate's


def over_quota(folder: Path, opts, child: int | None = None, also: Path | None = None) -> str | None:
    """Why the copy's kernel must stop (French), or None: the copy's folder, the kernel's sockets folder
    `also` (writable by the kernel, on the host's disk) and, with `child` (the sandbox's bubblewrap), the
    sandbox's /tmp, against the quota of `opts`."""
    size, count, deep = measure(folder, opts.dossier_fichiers)
    if also is not None:
        more = measure(also, opts.dossier_fichiers)
        size, count, deep = size + more[0], count + more[1], deep or more[2]
    tmp_bytes = 0
    if child is not None:
        tmp_bytes, tmp_count = _sandbox_tmp(child)
        count += tmp_count
    stop = "le noyau du candidat a été arrêté pour protéger la machine."
    if deep:
        return (f"Copie arrêtée par le bac à sable : le dossier de la copie contient des dossiers imbriqués sur plus "
                f"de {MAX_DEPTH} niveaux ; {stop}")
    if count > opts.dossier_fichiers:
        return (f"Copie arrêtée par le bac à sable : plus de {_fr(opts.dossier_fichiers)} fichiers et dossiers créés "
                f"(dossier de la copie et /tmp du bac à sable), au-delà de la limite ; {stop}")
    if tmp_bytes > opts.tmp_mio * MIB:  # only without bubblewrap's --size (older than 0.7)
        return (f"Copie arrêtée par le bac à sable : son /tmp occupait {tmp_bytes / MIB:.0f} Mio, au-delà de la "
                f"limite de {opts.tmp_mio} Mio ; {stop}")
    if size > opts.dossier_mio * MIB:
        return (f"Copie arrêtée par le bac à sable : le dossier de la copie occupait {size / MIB:.0f} Mio sur le "
                f"disque, au-delà de la limite de {opts.dossier_mio} Mio ; {stop}")
    return None


def _fr(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")  # 10 000, French thousands separator (narrow no-break space)


def _report(journal: str, folder: Path, message: str) -> None:
    print(f"[mdpc] {message}", file=sys.stderr, flush=True)
    if journal:
        append_line(Path(journal), json.dumps({"dossier": str(folder), "type": "quota_depasse", "message": message},
                                              ensure_ascii=False))


def watch(child: int, folder: Path, opts, isolated: bool, also: Path | None = None) -> int:
    """Wait for the kernel's process `child`, measuring the copy's folder every ``WATCH_SECONDS``; stop the
    kernel (and every process of this group) when the copy goes over the quota. Returns the exit code."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is for the kernel, not for its watcher
    strikes = 0
    while True:
        pid, code = os.waitpid(child, os.WNOHANG)
        if pid:
            code = os.waitstatus_to_exitcode(code)
            return code if code >= 0 else 128 - code
        reason = over_quota(folder, opts, child if isolated else None, also)
        # twice in a row: while bubblewrap sets the sandbox up, its processes' /tmp is a passing mount
        strikes = strikes + 1 if reason else 0
        if strikes >= 2:
            _report(opts.journal, folder, reason)
            if os.getpgrp() == os.getpid():  # started by jupyter_client in a session of its own
                os.killpg(os.getpgrp(), signal.SIGKILL)
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            return 128 + signal.SIGKILL
        time.sleep(WATCH_SECONDS)


def die_with_parent() -> None:
    """The kernel dies with its watcher (bubblewrap's --die-with-parent does it in the sandbox)."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
