"""Never follow a link a candidate made: copy, sweep and write without dereferencing anything.

Candidates control three places that code running with the grader's rights (root, under ``mdpc
autograde``) reads or writes afterwards: their submission in the exchange's inbound folder (writable by
every candidate), their collected copy in ``submitted/``, and the folder their kernel writes in. A symbolic
link there, followed by a privileged copy, ``chmod`` or write, reads or changes whatever it points to: the
answer key, the gradebook, the course's configuration, a root-only file of the host. So:

- :func:`copy_tree` copies a tree without ever following a link: each folder is opened relative to its
  parent with ``O_NOFOLLOW``, each file with ``O_NOFOLLOW | O_NONBLOCK`` and checked to be a regular file
  once open (a link swapped in after the listing is refused, a named pipe never blocks the copy); symbolic
  links, special files (pipes, sockets, devices), files with another hard link and folders nested too deep
  are left out, and returned;
- :func:`sweep` removes in place what a kernel left in its folder: symbolic links, special files, and hard
  links to files outside the folder; it runs once no process of the sandbox user is left
  (:func:`stop_user`: nothing can put a link back behind it);
- :func:`write_text` writes through a temporary file in the same folder and a rename, the folder opened
  with ``O_NOFOLLOW``: a link in place of the file is replaced, never written through.

Each thing left out or removed is a :class:`Removed`; :meth:`Removed.incident` turns it into an incident of
the copy, in French, naming the link and where it pointed, never anything of what it points to
(:func:`incidents`: past ten at one step, the others in one).
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import stat
import subprocess
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MAX_DEPTH = 64  # folders nested deeper than this are left out of a copy (a submission never needs as many)

# where a link was found: the words that end an incident message
AT_COLLECT = "au ramassage (il n'a pas été copié dans submitted/)"
AT_SCRATCH = "de la copie de travail, avant la correction"
AFTER_KERNEL = "du dossier de la copie après l'exécution des carnets, avant tout autre traitement"

KIND_LINK = "lien_retire"
KIND_SPECIAL = "fichier_special_retire"
KIND_DEEP = "dossier_trop_profond"


def shown(text: str, limit: int = 160) -> str:
    """A name or a link target chosen by a candidate, safe to print in a French message: control and
    format characters replaced by « ? », cut at `limit` characters."""
    clean = "".join("?" if unicodedata.category(ch)[0] == "C" else ch for ch in str(text))
    return clean if len(clean) <= limit else clean[:limit] + "…"


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "tube nommé"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "périphérique"
    return "fichier spécial"


@dataclass(frozen=True)
class Removed:
    """One thing left out of a copy or removed from it, never followed."""

    path: str                 # relative to the copy, with « / »
    kind: str                 # "symlink", "hardlink", "special", "deep"
    target: str = ""          # a symbolic link's own text (what it pointed to), never read through
    detail: str = ""          # the kind of special file, the number of hard links

    def message(self, where: str) -> str:
        name = shown(self.path)
        if self.kind == "symlink":
            return (f"Lien symbolique « {name} » retiré {where} : il pointait vers « {shown(self.target)} ». "
                    "Il n'a jamais été suivi : rien de sa cible n'a été lu, copié ni modifié.")
        if self.kind == "hardlink":
            return (f"Lien physique « {name} » retiré {where} : ce fichier partageait son contenu avec un fichier "
                    f"extérieur à la copie ({self.detail} liens) ; il n'a été ni lu ni copié.")
        if self.kind == "special":
            return f"Fichier spécial « {name} » ({self.detail}) retiré {where} ; il n'a pas été lu."
        return (f"Dossier « {name} » imbriqué à plus de {MAX_DEPTH} niveaux, écarté {where} avec son contenu.")

    def incident(self, where: str) -> dict:
        kind = {"symlink": KIND_LINK, "hardlink": KIND_LINK, "special": KIND_SPECIAL}.get(self.kind, KIND_DEEP)
        return {"carnet": "", "type": kind, "message": self.message(where)}


def incidents(removed: list[Removed], where: str, limit: int = 10) -> list[dict]:
    """The incidents of what was removed from one copy at one step: one each for the first `limit`, then
    one for all the others (a spray of links must not bury the candidate's report)."""
    out = [r.incident(where) for r in removed[:limit]]
    rest = removed[limit:]
    if rest:
        kinds = sorted({r.incident(where)["type"] for r in rest})
        names = ", ".join(f"« {shown(r.path, 60)} »" for r in rest[:3])
        targets = sorted({shown(r.target, 80) for r in rest if r.target})[:3]
        out.append({"carnet": "", "type": kinds[0] if len(kinds) == 1 else KIND_LINK,
                    "message": f"{len(rest)} autres liens ou fichiers spéciaux retirés {where} ({names}…"
                               + (f" ; ils pointaient notamment vers « {' », « '.join(targets)} »" if targets else "")
                               + ") : aucun n'a été suivi."})
    return out


def ignore_names(exclude: list[str] | tuple[str, ...] = (), include: list[str] | None = None,
                 max_file_size_kb: float | None = None) -> Callable[[str, bool, int], bool]:
    """A test `(name, is_dir, size) -> left out?` with the meaning of nbgrader's ``CourseDirectory.ignore``,
    ``include`` and ``max_file_size`` (kB), applied to what :func:`copy_tree` has already checked (it never
    asks the file system about a name: nbgrader's own test follows links)."""
    def ignored(name: str, is_dir: bool, size: int) -> bool:
        if any(fnmatch.fnmatch(name, g) for g in exclude):
            return True
        if is_dir:
            return False
        if include and not any(fnmatch.fnmatch(name, g) for g in include):
            return True
        return bool(max_file_size_kb) and size > 1000 * max_file_size_kb
    return ignored


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def copy_tree(src: Path, dest: Path, ignore: Callable[[str, bool, int], bool] | None = None) -> list[Removed]:
    """Copy the folder `src` into `dest` (which must not exist) without following any link, even one
    swapped in while the copy runs; returns what was left out. Modes are copied without the set-user-ID,
    set-group-ID and sticky bits; modification times are kept. `src` itself must be a real folder
    (``NotADirectoryError`` or ``OSError`` ELOOP otherwise)."""
    removed: list[Removed] = []
    top = os.open(src, _DIR_FLAGS)
    try:
        _copy_dir(top, Path(dest), "", ignore, removed, 0)
    finally:
        os.close(top)
    return removed


def _copy_dir(fd: int, dest: Path, rel: str, ignore, removed: list[Removed], depth: int) -> None:
    st = os.fstat(fd)
    dest.mkdir(mode=0o700)
    with os.scandir(fd) as it:
        names = sorted(e.name for e in it)
    for name in names:
        path = f"{rel}{name}"
        try:
            st_entry = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            continue  # gone since the listing
        mode = st_entry.st_mode
        if stat.S_ISLNK(mode):
            try:
                target = os.readlink(name, dir_fd=fd)
            except OSError:
                target = "?"
            removed.append(Removed(path, "symlink", target))
        elif stat.S_ISDIR(mode):
            if ignore and ignore(name, True, 0):
                continue
            if depth >= MAX_DEPTH:
                removed.append(Removed(path, "deep"))
                continue
            try:
                child = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except OSError:  # replaced by a link or something else since the listing
                removed.append(Removed(path, "symlink", "?"))
                continue
            try:
                _copy_dir(child, dest / name, path + "/", ignore, removed, depth + 1)
            finally:
                os.close(child)
        elif stat.S_ISREG(mode):
            _copy_file(fd, name, dest / name, path, ignore, removed)
        else:
            removed.append(Removed(path, "special", detail=_special_kind(mode)))
    os.chmod(dest, stat.S_IMODE(st.st_mode) & 0o777 | 0o700)
    os.utime(dest, ns=(st.st_atime_ns, st.st_mtime_ns))


def _copy_file(dir_fd: int, name: str, dest: Path, path: str, ignore, removed: list[Removed]) -> None:
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except OSError:  # a link swapped in (ELOOP), or gone
        removed.append(Removed(path, "symlink", "?"))
        return
    with open(fd, "rb", closefd=True) as fin:
        st = os.fstat(fin.fileno())
        if not stat.S_ISREG(st.st_mode):
            removed.append(Removed(path, "special", detail=_special_kind(st.st_mode)))
            return
        if st.st_nlink > 1:
            removed.append(Removed(path, "hardlink", detail=str(st.st_nlink)))
            return
        if ignore and ignore(name, False, st.st_size):
            return
        out = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        with open(out, "wb", closefd=True) as fout:
            shutil.copyfileobj(fin, fout, 1 << 20)
            os.fchmod(fout.fileno(), stat.S_IMODE(st.st_mode) & 0o777)
            os.utime(fout.fileno(), ns=(st.st_atime_ns, st.st_mtime_ns))


def sweep(folder: Path) -> list[Removed]:
    """Remove from `folder`, in place, every symbolic link, special file and hard link to a file outside
    it, and clear the set-user-ID and set-group-ID bits of its files; returns what was removed. Run it
    when nothing else writes there (the sandbox user's processes stopped): any error is raised, for the
    caller to treat the copy as failed rather than go on with a folder it could not check."""
    folder = Path(folder)
    if stat.S_ISLNK(os.lstat(folder).st_mode):
        raise OSError(f"{folder} est un lien symbolique : dossier refusé")
    removed: list[Removed] = []
    files: list[tuple[str, os.stat_result]] = []
    seen: Counter = Counter()
    stack = [(str(folder), "")]
    while stack:
        path, rel = stack.pop()
        with os.scandir(path) as it:
            entries = list(it)
        for e in entries:
            st = e.stat(follow_symlinks=False)
            name = rel + e.name
            if stat.S_ISLNK(st.st_mode):
                target = os.readlink(e.path)
                os.unlink(e.path)
                removed.append(Removed(name, "symlink", target))
            elif stat.S_ISDIR(st.st_mode):
                stack.append((e.path, name + "/"))
            elif stat.S_ISREG(st.st_mode):
                files.append((e.path, st))
                seen[(st.st_dev, st.st_ino)] += 1
                if st.st_mode & (stat.S_ISUID | stat.S_ISGID):
                    os.chmod(e.path, stat.S_IMODE(st.st_mode) & 0o777)  # checked: a regular file
            else:
                os.unlink(e.path)
                removed.append(Removed(name, "special", detail=_special_kind(st.st_mode)))
    for path, st in files:
        if st.st_nlink > seen[(st.st_dev, st.st_ino)]:
            os.unlink(path)
            removed.append(Removed(str(Path(path).relative_to(folder)), "hardlink", detail=str(st.st_nlink)))
    return sorted(removed, key=lambda r: r.path)


def write_text(path: Path, text: str, mode: int = 0o600) -> None:
    """Write `text` to `path` (UTF-8) without ever writing through a link: a temporary file is created in
    the same folder, opened with ``O_NOFOLLOW``, then renamed over `path` (a link there is replaced, its
    target untouched). The folder itself must not be a link."""
    path = Path(path)
    dfd = os.open(path.parent, _DIR_FLAGS)
    try:
        tmp = f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dfd)
        try:
            with open(fd, "w", encoding="utf-8", closefd=True) as fh:
                fh.write(text)
            os.replace(tmp, path.name, src_dir_fd=dfd, dst_dir_fd=dfd)
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=dfd)
            except FileNotFoundError:
                pass
            raise
    finally:
        os.close(dfd)


def append_line(path: Path, line: str) -> None:
    """Append one line to a journal file, never through a link (``O_NOFOLLOW``), created 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with open(fd, "a", encoding="utf-8", closefd=True) as fh:
        fh.write(line.rstrip("\n") + "\n")


def processes_of(uid: int) -> list[int]:
    """Process numbers whose real, effective, saved or file-system user id is `uid` (read from
    ``/proc/<pid>/status``, which a process cannot hide by making itself non-dumpable)."""
    wanted, out = str(uid).encode(), []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", "rb") as fh:
                for line in fh:
                    if line.startswith(b"Uid:"):
                        if wanted in line.split()[1:]:
                            out.append(int(name))
                        break
        except OSError:
            continue  # gone meanwhile
    return out


def stop_user(uid: int, timeout: float = 10.0) -> int:
    """Kill every process of the sandbox user `uid` and wait until none is left; returns how many were
    still there. First with one ``kill -9 -1`` run as that user (the kernel signals all its processes at
    once: a fork bomb cannot outrun it), then process by process until none is left. Raises ``TimeoutError`` if some are
    still alive after `timeout` seconds (the caller then fails the copy). Never for root nor for the
    caller's own user."""
    if uid in (0, os.geteuid(), os.getuid()):
        raise ValueError(f"stop_user({uid}) : uniquement pour un utilisateur du bac à sable")
    found = processes_of(uid)
    if not found:
        return 0
    kill = shutil.which("kill")
    if kill:  # procps (or util-linux) kill; without it, process by process below
        subprocess.run([kill, "-9", "-1"], user=uid, group=uid, extra_groups=[], capture_output=True, check=False)
    deadline = time.monotonic() + timeout
    while True:
        left = processes_of(uid)
        zombies = []
        for pid in left:
            try:
                with open(f"/proc/{pid}/stat", "rb") as fh:
                    state = fh.read().rsplit(b")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state in (b"Z", b"X"):
                zombies.append(pid)  # dead already: nothing left to run
                continue
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        if len(zombies) == len(left):
            return len(found)
        if time.monotonic() > deadline:
            raise TimeoutError(f"processus de l'utilisateur {uid} encore en vie : {sorted(set(left) - set(zombies))}")
        time.sleep(0.002)
