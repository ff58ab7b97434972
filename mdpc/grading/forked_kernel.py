"""A candidate's kernel forked from its copy's fork server, inside the copy's sandbox (the launcher's side).

The sandbox launcher (:mod:`.sandbox`) starts a kernel in a new bubblewrap sandbox of its own; for a copy
whose kernels share a sockets folder of their own (``copie-…``, given by :class:`.judge.JudgedExecute`), it
asks the copy's fork server instead (:mod:`.fork_server`, started here the first time, inside a sandbox that
holds the same things: the copy, its data read-only, the copy's sockets folder, the system and the
environment read-only, no network). The kernel is forked with the libraries already imported; everything
else is as before: the kernel's own user id (:func:`.sandbox.kernel_uid` of this launcher), which the copy's
folder is given to; the same limits; this launcher as the process jupyter_client knows, watching the copy's
quota (:func:`.watcher.over_quota`) and returning the kernel's exit code; killing this launcher kills the
kernel (the server sees the connection close). After each kernel, the provisioner stops every process of
that user and sweeps the folder (:mod:`.kernel_sweep`), as before; the server, root in its sandbox, is not
one of them. A copy's server stops when the worker's next copy starts one, or after ``IDLE_SECONDS``.

Anything unusual — no server, a server that does not answer — and the launcher starts the kernel the usual
way: the fork server only saves time.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import time
from pathlib import Path

from mdpc.grading import fork_server
from mdpc.grading.watcher import WATCH_SECONDS, _report, over_quota

NO_FORK_VARIABLE = "MDPC_SANS_FOURCHE"  # set (to anything): every kernel started afresh (benchmarks, comparisons)
COPY_PREFIX = "copie-"        # the sockets folder of one copy's candidate kernels (mdpc.grading.judge)
SERVER_SOCKET = "fourche.sock"
IDLE_SECONDS = 30.0
START_SECONDS = 20.0   # well under nbclient's start timeout: a slow server, and the kernel starts as usual
ANSWER_SECONDS = 30.0


def copy_folder(sockets_root: Path, cwd: str) -> Path:
    """The sockets folder of one copy's candidate kernels (root's, 0755: each kernel's own folder inside
    is given to that kernel's user), where the copy's fork server listens."""
    digest = hashlib.sha256(os.path.realpath(cwd).encode()).hexdigest()[:16]
    folder = sockets_root / (COPY_PREFIX + digest)
    folder.mkdir(exist_ok=True)
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        raise OSError(f"dossier des sockets inattendu : {folder}")
    os.chmod(folder, 0o755)  # whatever the umask: each kernel's user crosses it to its own folder
    return folder


def adopt_servers() -> None:
    """Make this process the one the fork servers it causes are handed to when their launcher exits (a
    child subreaper), so that :func:`reap_servers` collects them: in a container whose first process
    reaps nothing, each would stay a zombie, and count against its limit of processes."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def reap_servers(timeout: float = 5.0) -> None:
    """Collect the ended fork servers handed to this process, waiting up to `timeout` seconds for those asked
    to stop (:func:`stop_servers`); call it when this process has no child of its own left running."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not pid:
            if time.monotonic() > deadline:
                return
            time.sleep(0.05)


def _connect(path: Path) -> socket.socket | None:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(str(path))
    except OSError:
        conn.close()
        return None
    return conn


def stop_servers(sockets_root: Path, but: Path | None = None) -> None:
    """Ask the fork servers under a worker's sockets folder (but the copy folder `but`) to stop; each
    stops only with no kernel running, and by itself after ``IDLE_SECONDS`` anyway."""
    for other in sockets_root.glob(f"{COPY_PREFIX}*/{SERVER_SOCKET}"):
        if other.parent != but:
            conn = _connect(other)
            if conn is not None:
                try:
                    conn.sendall(b'{"stop": true}\n')
                except OSError:
                    pass
                conn.close()


def _start_server(opts, cwd: Path, folder: Path) -> int:
    """Start the copy's fork server in a sandbox of its own, detached (it outlives this launcher); returns
    the reading end of a pipe on which the server writes one byte once it listens (end of file: it died)."""
    from mdpc.grading.sandbox import bwrap_prefix

    prefix, fds = bwrap_prefix(opts, cwd, folder)
    prefix = [a for a in prefix if a != "--die-with-parent"]  # detached: it stops by itself (idle, stop)
    prefix[prefix.index("--chdir") + 1] = "/"  # root never reads the copy (a matplotlibrc…): each kernel goes there
    source = Path(fork_server.__file__).read_text(encoding="utf-8")
    ready_r, ready_w = os.pipe()
    command = [*prefix, "--cap-add", "CAP_SETUID,CAP_SETGID,CAP_KILL", sys.executable, "-P", "-c", source,
               str(folder / SERVER_SOCKET), str(IDLE_SECONDS), str(ready_w)]
    first = os.fork()
    if first == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                os.close(ready_r)
                os.set_inheritable(ready_w, True)
                null = os.open(os.devnull, os.O_RDWR)
                for target in (0, 1, 2):
                    os.dup2(null, target)
                os.execvp(command[0], command)
        finally:
            os._exit(0)
    os.waitpid(first, 0)
    for fd in (*fds, ready_w):
        os.close(fd)
    return ready_r


def _server(opts, cwd: Path, folder: Path) -> socket.socket | None:
    path = folder / SERVER_SOCKET
    conn = _connect(path)
    if conn is not None:
        return conn
    stop_servers(folder.parent, but=folder)
    path.unlink(missing_ok=True)
    ready = _start_server(opts, cwd, folder)
    try:
        readable, _, _ = select.select([ready], [], [], START_SECONDS)
        started = bool(readable) and os.read(ready, 1) == b"!"
    finally:
        os.close(ready)
    return _connect(path) if started else None


def _line(conn: socket.socket, buf: bytearray) -> str | None:
    while b"\n" not in buf:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        buf += chunk
    line, _, rest = bytes(buf).partition(b"\n")
    buf[:] = rest
    return line.decode()


def _clear_ipc(server_pid: int) -> None:
    """Remove the System V shared memory, semaphores and queues a previous kernel of the copy left in the
    sandbox's IPC namespace (shared by the copy's kernels; the memory limit does not count them)."""
    nsenter, ipcrm = shutil.which("nsenter"), shutil.which("ipcrm")
    if nsenter and ipcrm:
        subprocess.run([nsenter, f"--ipc=/proc/{server_pid}/ns/ipc", ipcrm, "--all"], capture_output=True,
                       timeout=30, check=False)


def _request(kernel: list[str], opts, cwd: Path) -> tuple[socket.socket, int, Path, bytearray] | None:
    """Ask the copy's server for the kernel: (connection, server's process number, the kernel's sockets folder,
    what was read beyond the first line), or None."""
    from mdpc.grading.sandbox import own_connection

    conn_index = kernel.index("-f") + 1
    info = json.loads(Path(kernel[conn_index]).read_text(encoding="utf-8"))
    folder = Path(info.get("ip", "")).parent.parent
    if (os.environ.get(NO_FORK_VARIABLE) or info.get("transport") != "ipc" or not folder.name.startswith(COPY_PREFIX)
            or kernel[1:3] != ["-m", "ipykernel_launcher"]):
        return None
    conn = _server(opts, cwd, folder)
    if conn is None:
        return None
    server_pid, server_uid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[:2]
    if server_uid != 0:  # the server is root in its sandbox: anything else listening there is not it
        conn.close()
        return None
    _clear_ipc(server_pid)
    kernel, sockets = own_connection(kernel, opts, cwd)
    limits = {k: getattr(opts, k) for k in ("memoire_mio", "cpu_s", "fichier_mio", "fichiers_ouverts", "processus")}
    request = {"uid": opts.uid, "limits": limits, "argv": kernel[3:], "cwd": str(cwd)}
    buf = bytearray()
    conn.settimeout(ANSWER_SECONDS)
    socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], [1, 2])
    first = _line(conn, buf)
    if not first or not first.startswith("pid "):
        conn.close()
        return None
    conn.settimeout(None)
    return conn, server_pid, sockets, buf


def run_forked(kernel: list[str], opts, cwd: Path) -> int | None:
    """Run the kernel forked from the copy's server and watch it; its exit code, or None when the kernel
    could not be had that way (the caller then starts it as usual)."""
    try:
        asked = _request(kernel, opts, cwd)
    except Exception:  # noqa: BLE001 — whatever went wrong, the kernel starts the usual way
        asked = None
    if asked is None:
        return None
    conn, server_pid, sockets, buf = asked
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is for the kernel, not for its launcher
    strikes = 0
    while True:
        ready, _, _ = select.select([conn], [], [], WATCH_SECONDS)
        if ready:
            try:
                last = _line(conn, buf)
            except OSError:
                last = None
            conn.close()
            if last and last.startswith("exit "):
                code = int(last.split()[1])
                return code if code >= 0 else 128 - code
            return 128 + signal.SIGKILL  # the server is gone: so is the kernel (parent-death signal)
        reason = over_quota(cwd, opts, server_pid, sockets)
        strikes = strikes + 1 if reason else 0
        if strikes >= 2:
            _report(opts.journal, cwd, reason)
            conn.close()  # the server kills the kernel's process group; the provisioner stops the user's processes
            return 128 + signal.SIGKILL
