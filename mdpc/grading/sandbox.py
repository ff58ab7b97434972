"""The sandbox a candidate's code runs in during autograde: the least rights this machine allows.

``mdpc autograde`` executes code written by candidates. Each worker's scratch course gets a kernel
specification of its own, ``mdpc-bac-a-sable`` (:func:`install_kernelspec`), whose command is this module:
``python -m mdpc.grading.sandbox [limits] -- python -m ipykernel_launcher -f {connection_file}``. Started
by nbgrader (as root or not), it

1. sets resource limits that the kernel inherits: address space (a memory hog gets ``MemoryError``, the
   machine and the other workers are untouched), CPU time, size of a written file (``SIGXFSZ`` ignored:
   the write fails with ``OSError``), open files, processes of the sandbox user, no core file;
2. when it runs as root and bubblewrap (Debian's ``bubblewrap``, 0.7 or later) is installed, starts the
   kernel in new namespaces: no network at all (an empty network namespace of its own; the kernel talks
   to nbgrader over Unix sockets, which is why autograde uses the IPC transport), its own process
   numbers, System V IPC and host name; a file system that holds, read-only, only what a kernel needs (the
   system, Python, the project's virtual environment, the candidate kit ``mdpc_utils`` and nothing of the
   grading system), a ``/tmp`` of its own limited in size (``Limits.tmp_mib``: a write beyond fails with
   ``OSError``; with a bubblewrap older than 0.7, which cannot size it, the watcher stops the kernel) and,
   writable, the candidate's copy being graded (read-only for the judge kernel, ``--lecture-seule``, which
   never imports from it: ``PYTHONSAFEPATH``) and the folder of the kernel's sockets; the kernel then runs
   under an unprivileged user id of its own (no account is needed; :func:`kernel_uid`: one per kernel, so
   that the process limit, which counts a user's tasks, keeps a fork bomb from starving the other kernels —
   another worker's, the judge's, the next notebook's), with no capability and ``no_new_privs``. The
   source notebooks (solutions, hidden tests), the gradebooks, the other candidates' copies and the jury's
   files do not exist in there; the environment is emptied (no secret in a variable reaches the candidate);
3. otherwise (not root, or no bubblewrap), runs the kernel with the limits alone and says so in the
   autograde journal, in French (``mdpc autograde`` refuses to get there without ``--sans-isolation``);
4. in both cases stays beside the kernel as its watcher (:func:`mdpc.grading.watcher.watch`): every
   fraction of a second it measures the copy's folder (and, in the sandbox, the number of files of its
   ``/tmp``), and stops the kernel when they go over the quota (``Limits.folder_mib``, ``folder_files``):
   a copy that writes 100,000 small files cannot fill the machine. The reason goes to the autograde
   journal and to the worker's journal of incidents (``--journal``), for the copy's report.

What the kernel leaves behind in its folder (links toward the course's files, …) is swept by the kernel's
provisioner when it stops (:mod:`mdpc.grading.kernel_sweep`), before nbgrader touches the folder again.

In the sandbox, a copy's kernels are forked from its fork server (:mod:`.forked_kernel`): same sandbox, limits,
user ids and watcher, libraries imported once per copy; else, the start above.

:func:`status` says which of the two a machine gives, for the CLI and the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mdpc.errors import MdpcError
from mdpc.grading.forked_kernel import run_forked
from mdpc.grading.watcher import MIB, die_with_parent, watch

KERNEL_NAME = "mdpc-bac-a-sable"
JUDGE_KERNEL_NAME = "mdpc-juge"  # the kernel that runs the tests (mdpc.grading.judge): same sandbox, copy read-only
PROVISIONER = "mdpc-bac-a-sable"  # entry point (pyproject.toml): mdpc.grading.kernel_sweep.SandboxProvisioner
SANDBOX_UID = 61000
GRADING_VARIABLE = "NBGRADER_EXECUTION"  # mdpc_utils.cases.GRADING_VARIABLE
JUDGE_VARIABLE = "MDPC_JUGE"  # mdpc_utils.cases.JUDGE_VARIABLE: the judge reads the case's data, never mes_donnees/
DATA_DIR = "data"             # the case's data, mounted read-only over the candidate's writable copy


class SandboxError(MdpcError):
    """The kernel cannot be sandboxed as asked (message in French)."""


@dataclass(frozen=True)
class Limits:
    """What one candidate kernel may use (defaults sized for the cases: a kernel needs ≈ 1.5 GiB of
    address space once pandas and matplotlib are loaded; the cases run in seconds)."""

    memory_mib: int = 4096       # address space
    cpu_seconds: int = 900       # CPU time of the whole notebook (each cell also has nbgrader's timeout)
    file_mib: int = 256          # largest file the kernel may write
    open_files: int = 1024
    processes: int = 512         # tasks of the sandbox user (threads count): no fork bomb
    tmp_mib: int = 256           # size of the sandbox's own /tmp (memory: a tmpfs)
    folder_mib: int = 1024       # disk space of the copy's folder while it runs (the watcher stops the kernel)
    folder_files: int = 10_000   # files and folders of the copy's folder and of the sandbox's /tmp
    uid: int = SANDBOX_UID       # the base: each kernel runs under base + its own launcher's process number
    read_only: bool = False      # the candidate's copy mounted read-only, left to its owner (the judge kernel)

    def args(self) -> list[str]:
        return [f"--memoire-mio={self.memory_mib}", f"--cpu-s={self.cpu_seconds}", f"--fichier-mio={self.file_mib}",
                f"--fichiers-ouverts={self.open_files}", f"--processus={self.processes}",
                f"--tmp-mio={self.tmp_mib}", f"--dossier-mio={self.folder_mib}",
                f"--dossier-fichiers={self.folder_files}", f"--uid={self.uid}"] + ["--lecture-seule"] * self.read_only


def status() -> tuple[bool, str]:
    """(isolated, French explanation): whether kernels get the full sandbox on this machine."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False, ("bac à sable réduit aux limites de ressources : l'autocorrection ne tourne pas en root, "
                       "elle ne peut ni isoler le noyau ni changer d'utilisateur")
    if not shutil.which("bwrap"):
        return False, ("bac à sable réduit aux limites de ressources : bubblewrap n'est pas installé "
                       "(paquet Debian « bubblewrap »)")
    if not shutil.which("setpriv"):
        return False, "bac à sable réduit aux limites de ressources : setpriv (util-linux) est introuvable"
    tmp = ("/tmp et dossier de la copie limités en taille" if _bwrap_sizes_tmpfs() else
           "dossier de la copie limité en taille, /tmp surveillé (bubblewrap antérieur à 0.7 : sans taille fixe, "
           "le noyau est arrêté au-delà de la limite)")
    return True, ("bac à sable complet : sans réseau, système de fichiers réduit à la copie du candidat, "
                  f"un utilisateur non privilégié par noyau (à partir de l'uid {SANDBOX_UID}), "
                  f"limites de ressources, {tmp}")


@lru_cache(maxsize=1)
def _bwrap_sizes_tmpfs() -> bool:
    """Whether the installed bubblewrap can limit the size of a tmpfs (``--size``, bubblewrap 0.7); an
    older one gets a /tmp without a fixed size, which the watcher measures and stops past ``tmp_mib``."""
    try:
        out = subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return "--size" in out.stdout + out.stderr


def kernel_uid(base: int = SANDBOX_UID, pid: int | None = None) -> int:
    """The user id a sandboxed kernel runs under: `base` plus the kernel's own process number (the launcher
    execs the sandbox, so they are one), unique among the processes alive. RLIMIT_NPROC counts all the tasks of
    a user id: with one id per kernel, a fork bomb's processes, until they are gone, starve no other kernel —
    not another worker's, not the judge's, not the next notebook's of the same copy."""
    return base + (os.getpid() if pid is None else pid)


def install_kernelspec(folder: Path, limits: Limits = Limits(), name: str = KERNEL_NAME,
                       journal: Path | None = None) -> Path:
    """Write the sandbox kernel specification `name` under ``folder/kernels``; put ``folder`` first in
    ``JUPYTER_PATH`` for nbgrader to find it. Returns ``folder``.

    A candidate's kernel (not `limits.read_only`) is started through this project's provisioner
    (:mod:`mdpc.grading.kernel_sweep`), which sweeps the kernel's folder when it stops; `journal` (JSON
    lines, outside the sandbox) receives what the sweep removed and why the watcher stopped a kernel. The
    judge kernel cannot write in the copy: nothing to sweep, nothing to watch."""
    spec = folder / "kernels" / name
    spec.mkdir(parents=True, exist_ok=True)
    # -P: the launcher runs as root in the copy's folder, and must never import a module the candidate left there
    argv = [sys.executable, "-P", "-m", "mdpc.grading.sandbox", *limits.args(),
            *([f"--journal={journal}"] if journal else []), "--",
            sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    metadata = {"debugger": False}
    if not limits.read_only:
        metadata["kernel_provisioner"] = {"provisioner_name": PROVISIONER,
                                          "config": {"journal": str(journal or ""), "uid": limits.uid}}
    (spec / "kernel.json").write_text(json.dumps({
        "argv": argv, "display_name": "Python 3 (bac à sable MDPC)", "language": "python",
        "interrupt_mode": "message", "metadata": metadata}, indent=1), encoding="utf-8")
    return folder


def _set_limits(opts) -> None:
    def cap(which, value):  # soft and hard alike: the candidate's code cannot raise them again
        hard = resource.getrlimit(which)[1]
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))

    cap(resource.RLIMIT_AS, opts.memoire_mio * MIB)
    cap(resource.RLIMIT_CPU, opts.cpu_s)
    cap(resource.RLIMIT_FSIZE, opts.fichier_mio * MIB)
    cap(resource.RLIMIT_NOFILE, opts.fichiers_ouverts)
    cap(resource.RLIMIT_NPROC, opts.processus)
    cap(resource.RLIMIT_CORE, 0)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # inherited across exec: an oversized write fails, no kill


def _chown_tree(top: Path, uid: int) -> None:
    """The copy given to the kernel's user, and readable by all (the judge kernel, another user, reads the
    answers file and the data there, read-only): a file the candidate's JupyterLab wrote 0600 stays
    readable. Never through a link (no kernel runs yet in the folder: nothing can swap one in)."""
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            path = os.path.join(root, name)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                continue
            os.chown(path, uid, uid, follow_symlinks=False)
            os.chmod(path, stat.S_IMODE(st.st_mode) | (0o755 if stat.S_ISDIR(st.st_mode) else 0o644))
    os.chown(top, uid, uid)
    os.chmod(top, stat.S_IMODE(os.lstat(top).st_mode) | 0o755)


def _system_binds() -> list[str]:
    """The read-only view of the system a Python kernel needs (merged /usr or not)."""
    args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    return args


def _python_binds() -> list[str]:
    """Python, the project's environment and the candidate kit, read-only, at their real paths and their
    names; the grading system (``mdpc``) is hidden under an empty folder wherever the environment holds it."""
    import mdpc
    import mdpc_utils

    args = []
    for p in (sys.base_prefix, sys.prefix, str(Path(mdpc_utils.__file__).parent)):
        real = os.path.realpath(p)
        args += ["--ro-bind", real, real] + (["--ro-bind", real, p] if p != real else [])
    grading = os.path.realpath(Path(mdpc.__file__).parent)
    mounted = [os.path.realpath(p) for p in (sys.base_prefix, sys.prefix)]
    if any(grading.startswith(m + os.sep) for m in mounted):  # installed into the environment (not editable)
        args += ["--tmpfs", grading]
    return args


def _parents(targets: list[str]) -> list[str]:
    """Traversable (0755) folders above each mount point: bubblewrap would create them 0700."""
    args, seen = [], set()
    for target in targets:
        for parent in reversed(Path(target).parents[:-1] if len(Path(target).parents) > 1 else []):
            if str(parent) not in seen and str(parent) not in ("/usr", "/tmp", "/etc"):
                seen.add(str(parent))
                args += ["--perms", "0755", "--dir", str(parent)]
    return args


def _font_cache() -> list[Path]:
    """matplotlib's font list, copied in so that each kernel does not rebuild it (seconds)."""
    folders = [os.environ.get("MPLCONFIGDIR"), str(Path.home() / ".cache" / "matplotlib")]
    return [f for d in folders if d for f in sorted(Path(d).glob("fontlist-v*.json"))][:1]


def own_connection(kernel: list[str], opts, cwd: Path) -> tuple[list[str], Path]:
    """The kernel's command with a copy of its connection file that the sandbox user can read (in the
    kernel's own sockets folder, given to that user), and that folder; the copy given to the user too."""
    conn_index = kernel.index("-f") + 1
    info = json.loads(Path(kernel[conn_index]).read_text(encoding="utf-8"))
    if info.get("transport") != "ipc":
        raise SandboxError("Bac à sable : le noyau doit communiquer par sockets Unix (transport « ipc ») ; "
                           "configurez KernelManager.transport = 'ipc'.")
    sockets = Path(info["ip"]).parent
    own_conn = sockets / f"connexion-{os.getpid()}.json"
    own_conn.write_text(json.dumps(info), encoding="utf-8")
    for path in (sockets, own_conn):
        os.chown(path, opts.uid, opts.uid)
    os.chmod(own_conn, 0o600)
    if not opts.lecture_seule:
        _chown_tree(cwd, opts.uid)
    return kernel[:conn_index] + [str(own_conn)] + kernel[conn_index + 1:], sockets


def bwrap_prefix(opts, cwd: Path, sockets: Path) -> tuple[list[str], list[int]]:
    """bubblewrap's arguments up to the command (namespaces, file system, environment) for a sandbox that
    holds the copy `cwd` and the folder `sockets`, and the file descriptors it must inherit."""
    binds = [*_python_binds(), "--ro-bind" if opts.lecture_seule else "--bind", str(cwd), str(cwd),
             "--bind", str(sockets), str(sockets)]
    data = cwd / DATA_DIR
    if not opts.lecture_seule and data.is_dir() and not data.is_symlink():  # restored from the release at intake
        binds += ["--ro-bind", str(data), str(data)]
    fds, args = [], ["bwrap", "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                     "--hostname", "bac-a-sable", "--die-with-parent", "--clearenv", *_system_binds(),
                     "--proc", "/proc", "--dev", "/dev",
                     "--perms", "1777", *(["--size", str(opts.tmp_mio * MIB)] if _bwrap_sizes_tmpfs() else []),
                     "--tmpfs", "/tmp",
                     "--perms", "0777", "--dir", "/tmp/matplotlib"]
    for cache in _font_cache():
        fd = os.open(cache, os.O_RDONLY)
        os.set_inheritable(fd, True)
        fds.append(fd)
        args += ["--perms", "0644", "--file", str(fd), f"/tmp/matplotlib/{cache.name}"]
    args += [*_parents([binds[i + 2] for i, a in enumerate(binds) if a in ("--bind", "--ro-bind")]), *binds,
             "--chdir", str(cwd),
             "--setenv", "PATH", f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
             "--setenv", "HOME", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib",
             "--setenv", "LANG", "C.UTF-8", "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
             "--setenv", "MPLBACKEND", "agg" if opts.lecture_seule else "module://matplotlib_inline.backend_inline",
             *(["--setenv", "PYTHONSAFEPATH", "1", "--setenv", JUDGE_VARIABLE, "1"] if opts.lecture_seule else []),
             # nbgrader's own mark that a kernel runs for a verdict (mdpc_utils.cases.grading: checks then fail)
             *(["--setenv", GRADING_VARIABLE, os.environ[GRADING_VARIABLE]] if os.environ.get(GRADING_VARIABLE) else [])]
    return args, fds


def sandbox_command(kernel: list[str], opts, cwd: Path) -> tuple[list[str], list[int], Path]:
    """The bubblewrap command line that runs `kernel` isolated, the file descriptors it must inherit, and the
    kernel's sockets folder (which the watcher measures with the copy)."""
    kernel, sockets = own_connection(kernel, opts, cwd)
    args, fds = bwrap_prefix(opts, cwd, sockets)
    return [*args, "--cap-add", "CAP_SETUID,CAP_SETGID",
            "setpriv", f"--reuid={opts.uid}", f"--regid={opts.uid}", "--clear-groups", "--inh-caps=-all",
            "--no-new-privs", "--", *kernel], fds, sockets


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        raise SystemExit("usage : python -m mdpc.grading.sandbox [limites] -- commande du noyau")
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="mdpc.grading.sandbox")
    parser.add_argument("--memoire-mio", type=int, default=Limits.memory_mib)
    parser.add_argument("--cpu-s", type=int, default=Limits.cpu_seconds)
    parser.add_argument("--fichier-mio", type=int, default=Limits.file_mib)
    parser.add_argument("--fichiers-ouverts", type=int, default=Limits.open_files)
    parser.add_argument("--processus", type=int, default=Limits.processes)
    parser.add_argument("--tmp-mio", type=int, default=Limits.tmp_mib)
    parser.add_argument("--dossier-mio", type=int, default=Limits.folder_mib)
    parser.add_argument("--dossier-fichiers", type=int, default=Limits.folder_files)
    parser.add_argument("--uid", type=int, default=SANDBOX_UID)
    parser.add_argument("--lecture-seule", action="store_true")
    parser.add_argument("--journal", default="")
    opts = parser.parse_args(argv[:split])
    opts.uid = kernel_uid(opts.uid)
    kernel = argv[split + 1:]
    cwd = Path.cwd()
    isolated, why = status()
    fds, sockets = [], None  # what the sandbox inherits; the kernel's sockets folder, measured by the watcher
    if isolated and not opts.lecture_seule:  # forked from the copy's fork server when there is one
        code = run_forked(kernel, opts, cwd)
        if code is not None:
            sys.exit(code)
    if isolated:
        try:
            command, fds, sockets = sandbox_command(kernel, opts, cwd)
        except SandboxError as exc:
            raise SystemExit(str(exc)) from None
    else:
        print(f"[mdpc] {why}", file=sys.stderr, flush=True)
        command = kernel
    if opts.lecture_seule:  # the judge: trusted code only, on a read-only copy; never imports from the copy
        os.environ["PYTHONSAFEPATH"] = "1"
        os.environ[JUDGE_VARIABLE] = "1"
        _set_limits(opts)
        os.execvp(command[0], command)
    child = os.fork()
    if child == 0:  # the kernel (in its sandbox): limits set here, never on the watcher
        try:
            if not isolated:
                die_with_parent()
            _set_limits(opts)
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    for fd in fds:
        os.close(fd)
    sys.exit(watch(child, cwd, opts, isolated, sockets))


if __name__ == "__main__":
    main()
