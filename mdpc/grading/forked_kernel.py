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
import signal
import socket
import struct
import sys
from pathlib import Path

from mdpc.grading import fork_server
from mdpc.grading.watcher import WATCH_SECONDS, _report, over_quota

NO_FORK_VARIABLE = "MDPC_SANS_FOURCHE"  # set (to anything): every kernel started afresh (benchmarks, comparisons)
COPY_PREFIX = "copie-"        # the sockets folder of one copy's candidate kernels (mdpc.grading.judge)
SERVER_SOCKET = "fourche.sock"
IDLE_SECONDS = 30.0
START_SECONDS = 120.0


def copy_folder(sockets_root: Path, cwd: str) -> Path:
    """The sockets folder of one copy's candidate kernels (root's, 0755: each kernel's own folder inside
    is given to that kernel's user), where the copy's fork server listens."""
    digest = hashlib.sha256(os.path.realpath(cwd).encode()).hexdigest()[:16]
    folder = sockets_root / (COPY_PREFIX + digest)
    folder.mkdir(mode=0o755, exist_ok=True)
    return folder


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


def run_forked(kernel: list[str], opts, cwd: Path) -> int | None:
    """Run the kernel forked from the copy's server and watch it; its exit code, or None when the kernel
    could not be had that way (the caller then starts it as usual)."""
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
    kernel, _ = own_connection(kernel, opts, cwd)
    limits = {k: getattr(opts, k) for k in ("memoire_mio", "cpu_s", "fichier_mio", "fichiers_ouverts", "processus")}
    request = {"uid": opts.uid, "limits": limits, "argv": kernel[3:], "cwd": str(cwd)}
    buf = bytearray()
    try:
        socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], [1, 2])
        first = _line(conn, buf)
    except OSError:
        first = None
    if not first or not first.startswith("pid "):
        conn.close()
        return None
    server_pid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0]
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
        reason = over_quota(cwd, opts, server_pid)
        strikes = strikes + 1 if reason else 0
        if strikes >= 2:
            _report(opts.journal, cwd, reason)
            conn.close()  # the server kills the kernel's process group; the provisioner stops the user's processes
            return 128 + signal.SIGKILL
