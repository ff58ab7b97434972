"""The fork server of one candidate copy: its notebooks' kernels forked from a process that imported once.

Starting a kernel costs an interpreter, ipykernel and, in the case's first cell, pandas, matplotlib,
ipywidgets and the kit: about 1.4 s per notebook on 2 cores, most of a notebook's execution. Inside the
copy's sandbox (:mod:`.forked_kernel` starts it with bubblewrap: no network, the copy's folder and nothing
of the grading system), this server imports them once, before any candidate code exists, then forks one
kernel per notebook on request. Each kernel is a fresh interpreter state as far as the candidate's code is
concerned (nothing of a previous notebook: each is a new child of the server, which never runs candidate
code), and runs as the unprivileged user its launcher names, with the same limits as a kernel started
afresh (:func:`mdpc.grading.sandbox._set_limits`), no capability, ``no_new_privs``, and dies with the server.

This file is executed as a script inside the sandbox (``python -P -c <source>``): the grading system is not
mounted there, so it imports nothing of ``mdpc``, and only from the environment, never from the copy (``-P``).
The server runs as root inside the sandbox with three capabilities only (change user and group ids, signal
its kernels); its socket is root's, 0600: a candidate's kernel cannot reach it.

Protocol, one connection per kernel (JSON line in, then lines out): the launcher sends
``{"uid", "limits", "argv", "cwd"}`` with its standard output and error (``SCM_RIGHTS``); the server answers
``pid <n>`` once the kernel is forked, then ``exit <code>`` when it ends. If the launcher goes away first
(jupyter_client killed it), the kernel's process group is killed. ``{"stop": true}`` asks a server with no
kernel running to exit; it also exits after ``idle`` seconds without one.
"""

import json
import os
import resource
import selectors
import signal
import socket
import sys
import time

# Imported before any kernel exists. Not matplotlib's inline backend: its import hooks the figures into the
# running IPython (none here), so pyplot loads it in the kernel, at the first figure, as in a fresh kernel.
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "numpy", "pandas", "matplotlib", "matplotlib.pyplot",
           "ipywidgets", "IPython.display", "mdpc_utils.cases", "mdpc_utils.forms", "mdpc_utils.answers",
           "mdpc_utils.grille", "mdpc_utils.tableur", "mdpc_utils.livrable", "mdpc_utils.bloc2", "mdpc_utils.bloc3",
           "mdpc_utils.bloc4")
MIB = 1024 * 1024
_CAP_VERSION_3 = 0x20080522
_PR_SET_PDEATHSIG, _PR_SET_NO_NEW_PRIVS, _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 1, 38, 47, 4


def _preload() -> None:
    import importlib

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 — a module missing here is imported by the kernel itself, as usual
            pass


def _drop_privileges(uid: int) -> None:
    """Become `uid` for good: no supplementary group, no capability left (effective, permitted,
    inheritable, ambient), ``no_new_privs``; like ``setpriv --reuid --regid --clear-groups --inh-caps=-all
    --no-new-privs``."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    if libc.capset(ctypes.byref(Header(_CAP_VERSION_3, 0)), (Data * 2)()) != 0:
        raise OSError(ctypes.get_errno(), "capset")
    libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "no_new_privs")
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # cleared by the change of ids: set after it
    if os.getuid() != uid or os.geteuid() != uid or os.getgid() != uid or os.getgroups():
        raise OSError("identité du noyau non abandonnée")


def _limits(lim: dict) -> None:
    """The sandbox's limits (mdpc.grading.sandbox._set_limits), soft and hard alike."""
    def cap(which, value):
        hard = resource.getrlimit(which)[1]
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))

    cap(resource.RLIMIT_AS, lim["memoire_mio"] * MIB)
    cap(resource.RLIMIT_CPU, lim["cpu_s"])
    cap(resource.RLIMIT_FSIZE, lim["fichier_mio"] * MIB)
    cap(resource.RLIMIT_NOFILE, lim["fichiers_ouverts"])
    cap(resource.RLIMIT_NPROC, lim["processus"])
    cap(resource.RLIMIT_CORE, 0)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _kernel(request: dict, fds: list) -> None:
    """In the forked child: become the candidate's kernel (never returns)."""
    code = 126
    try:
        os.setsid()
        os.umask(0o022)  # as a kernel started by jupyter_client (the server's own is 077)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # Python's defaults, as in a fresh interpreter
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        for sig in (signal.SIGTERM, signal.SIGCHLD, signal.SIGALRM):
            signal.signal(sig, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for target, fd in zip((1, 2), fds, strict=False):
            os.dup2(fd, target)
        for fd in [int(n) for n in os.listdir("/proc/self/fd")]:  # the server's socket and connections above all
            if fd > 2:
                try:
                    os.close(fd)
                except OSError:
                    pass
        _limits(request["limits"])
        _drop_privileges(int(request["uid"]))
        import tempfile

        # IPython's folder (startup files, history) of this kernel alone: /tmp is shared by the copy's kernels
        os.environ["IPYTHONDIR"] = tempfile.mkdtemp(prefix="ipython-")
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed()  # the server's state is every kernel's: drawn afresh, as in a new interpreter
        os.chdir(request["cwd"])
        sys.path.insert(0, request["cwd"])  # as `python -m ipykernel_launcher` started in the copy's folder
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()  # ipykernel's launch_new_instance, with one step between its two
        app.initialize(request["argv"])
        widgets = sys.modules.get("ipywidgets")
        if widgets is not None and hasattr(widgets, "_handle_ipython"):
            widgets._handle_ipython()  # what its import does in a running kernel: the widgets' comm targets
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 — whatever happens, the child never returns into the server
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def _close(conn, sel, fds=()) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass
    try:
        sel.unregister(conn)
    except (KeyError, ValueError):
        pass
    conn.close()


def _unlink_own(path: str, inode: int) -> None:
    """Remove the socket file if it is still this server's (a newer server may have taken the name)."""
    try:
        if os.lstat(path).st_ino == inode:
            os.unlink(path)
    except OSError:
        pass


def serve(path: str, idle: float, ready: int) -> None:
    """Listen on `path`, write one byte on the file descriptor `ready` once listening, fork kernels."""
    signal.alarm(120)  # a server stuck before it listens stops by itself (its launchers fall back meanwhile)
    _preload()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    os.umask(0o077)
    try:
        os.unlink(path + ".tmp")
    except FileNotFoundError:
        pass
    listener.bind(path + ".tmp")
    listener.listen(8)
    os.rename(path + ".tmp", path)  # appears only when ready: a launcher that sees it can connect
    inode = os.lstat(path).st_ino
    signal.alarm(0)
    os.write(ready, b"!")
    os.close(ready)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ)
    kernels: dict = {}  # pid -> its launcher's connection
    since = time.monotonic()
    while True:
        for key, _ in sel.select(timeout=0.2):
            if key.fileobj is listener:
                conn, _ = listener.accept()
                sel.register(conn, selectors.EVENT_READ, data={"buf": b"", "pid": None, "fds": []})
                continue
            conn, state = key.fileobj, key.data
            try:
                chunk, fds, _flags, _addr = socket.recv_fds(conn, 65536, 4)
            except OSError:
                chunk, fds = b"", []
            state["fds"] += fds
            if state["pid"] is not None or not chunk:  # the launcher went away: its kernel goes too
                _close(conn, sel, state["fds"])
                if state["pid"] is not None:
                    for kill in (os.killpg, os.kill):
                        try:
                            kill(state["pid"], signal.SIGKILL)
                        except OSError:
                            pass
                continue
            state["buf"] += chunk
            if b"\n" not in state["buf"]:
                continue
            try:
                request = json.loads(state["buf"].split(b"\n", 1)[0])
            except ValueError:
                _close(conn, sel, state["fds"])
                continue
            if request.get("stop"):
                _close(conn, sel, state["fds"])
                if not kernels:
                    _unlink_own(path, inode)
                    return
                continue
            fds, state["fds"] = state["fds"], []
            pid = os.fork()
            if pid == 0:
                _kernel(request, fds)
            for fd in fds:
                os.close(fd)
            state["pid"] = pid
            kernels[pid] = conn
            try:
                conn.sendall(f"pid {pid}\n".encode())
            except OSError:  # its launcher is gone: the next turn sees the connection closed and kills the kernel
                pass
        while kernels:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if not pid:
                break
            conn = kernels.pop(pid, None)
            if conn is not None and conn.fileno() != -1:  # still connected: its launcher learns the exit code
                try:
                    conn.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
                except OSError:
                    pass
                _close(conn, sel)
        if kernels:
            since = time.monotonic()
        elif time.monotonic() - since > idle:
            _unlink_own(path, inode)
            return


if __name__ == "__main__":
    serve(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))
