"""Hidden tests judged in a kernel of their own, which no code of the candidate ever runs in.

nbgrader executes a submitted notebook in one kernel: the candidate's cells, then the test cells, in the
same interpreter. Whatever the candidate's code leaves in it decides the verdict: an input transformer that
turns every test into ``pass``, an event hook that prints the hidden tests into the outputs, a patched
``check`` or builtin, an object whose ``__eq__`` always says yes. :class:`JudgedExecute` replaces nbgrader's
``Execute`` preprocessor (``c.Autograde.autograde_preprocessors``) and runs two kernels per notebook:

- the **candidate kernel** runs the candidate's cells and the locked cells, in order, as nbgrader would;
  it never receives a test cell;
- the **judge kernel** runs the trusted cells only — locked cells and test cells, as restored from the
  source by nbgrader — and receives, before each, the values of the names the cell reads that the
  candidate's cells bind: as data rebuilt from an allowlist of types (``judge_kernel.DataUnpickler``),
  never as code; the candidate's functions become proxies whose calls run in the candidate kernel and
  return data. Names that locked cells bind keep the judge's own value (the case data as loaded, not as
  the candidate may have rewritten it); names starting with ``_`` (the tests' own) and builtins' names are
  never taken from the candidate.

The test cells' outputs, hence nbgrader's points, come from the judge kernel. The judge runs the locked cells
silently (IPython's ``silent``: no display hook, no post-execute event): their outputs are never kept, and
building the forms' widgets and the charts a second time cost 0.7 s per notebook (B4, 2 cores; 0.36 s
silently, same points). What the candidate's code did to its own kernel is looked for at the end (hooks,
transformers, patched builtins or kit) and reported as an incident, « tentative de contournement des
tests », for the jury; it cannot change a verdict.

Each kernel gets a sockets folder of its own (IPC transport), created afresh for it: under the sandbox,
the candidate kernel cannot even see the judge's.

The candidate's kernel is new for every notebook. The judge kernel, which never runs a candidate's code, is
kept for the next notebook of the same copy (same folder, same read-only sandbox) when the notebook ended
cleanly: its namespace is reset (``judge_code.RESET``), its modules stay loaded. A copy's first judge loads
the libraries (``judge_code.WARM``) while the candidate's kernel runs its first cell. Any other copy, a
timeout or an error gets a new judge; the last one is stopped when the grading process exits.
"""

from __future__ import annotations

import ast
import asyncio
import atexit
import builtins
import json
import os
import queue
import shutil
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.util import run_sync
from nbgrader.preprocessors import Execute
from traitlets import Unicode

from mdpc.grading.forked_kernel import copy_folder
from mdpc.grading.judge_code import (
    BASELINE,
    BOOT,
    CALL,
    CALL_PROMPT,
    EXPORT,
    JUDGE_SOURCE,
    PROBE,
    RESET,
    WARM,
    bound_names,
    is_test,
    is_trusted,
    read_names,
    report_findings,
)

_IDLE: dict = {}  # the judge kept for the copy's next notebook: {"judge": (key, manager, client)}


async def _shutdown(km, kc) -> None:
    try:
        if kc is not None:
            kc.stop_channels()
        if await km.is_alive():
            await km.shutdown_kernel(now=True)
    finally:
        await km.cleanup_resources()
        JudgedExecute._forget_ip(km)


@atexit.register
def _stop_idle_judge() -> None:
    idle = _IDLE.pop("judge", None)
    if idle is not None:
        run_sync(_shutdown)(idle[1], idle[2])


class JudgedExecute(Execute):
    """nbgrader's Execute with the tests judged in a kernel of their own (see the module docstring)."""

    judge_kernel_name = Unicode("", help="Kernel of the judge (default: the notebook's kernel).").tag(config=True)
    sockets_root = Unicode("", help="Folder under which each kernel gets a sockets folder of its own "
                                    "(IPC transport); default: the system's temporary folder.").tag(config=True)

    # -- kernels -------------------------------------------------------------------------------------
    def _fresh_ip(self, copy: bool = False) -> str:
        root = self.sockets_root or None
        if root:
            Path(root).mkdir(parents=True, exist_ok=True)
            if copy:  # one copy's candidate kernels: a folder of their own, for the copy's fork server
                root = copy_folder(Path(root), self.resources.get("metadata", {}).get("path") or ".")
        return str(Path(tempfile.mkdtemp(prefix="noyau-", dir=root)) / "k")

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if km.transport == "ipc":
            km.ip = self._fresh_ip(copy=True)
        return km

    def _judge_key(self) -> tuple[str, str, str]:
        cwd = self.resources.get("metadata", {}).get("path") or ""
        return (self.judge_kernel_name or self.kernel_name or "python3", os.path.realpath(cwd) if cwd else "",
                self.sockets_root)

    async def _take_judge(self) -> bool:
        """The judge of this copy's previous notebook, reset; False if there is none (another one is stopped)."""
        idle = _IDLE.pop("judge", None)
        if idle is None:
            return False
        key, self.km_j, self.kc_j = idle
        if key == self._judge_key() and await self.km_j.is_alive():
            reply = await self._judge_run(RESET.format(source=JUDGE_SOURCE), silent=True)
            if reply is not None and reply["content"].get("status") == "ok":
                return True
        await self._stop_judge()
        return False

    async def _launch_judge(self) -> None:
        """Start the judge's process (before the candidate's kernel is ready: the two start side by side)."""
        self.km_j = AsyncKernelManager(kernel_name=self._judge_key()[0], config=self.config)
        if self.km_j.transport == "ipc":
            self.km_j.ip = self._fresh_ip()
        cwd = self.resources.get("metadata", {}).get("path") or None
        await self.km_j.start_kernel(extra_arguments=self.extra_arguments, cwd=cwd)

    async def _ready_judge(self) -> None:
        self.kc_j = self.km_j.client()
        self.kc_j.start_channels()
        await self.kc_j.wait_for_ready(timeout=self.startup_timeout)
        self.kc_j.allow_stdin = True
        await self._judge_run(BOOT.format(source=JUDGE_SOURCE), silent=True)
        self.kc_j.execute(WARM, silent=True, store_history=False)  # not awaited: see the module docstring

    async def _stop_judge(self) -> None:
        km, kc, self.km_j, self.kc_j = getattr(self, "km_j", None), getattr(self, "kc_j", None), None, None
        if km is not None:
            await _shutdown(km, kc)

    async def _end_judge(self, clean: bool) -> None:
        """Keep the judge for the copy's next notebook if this one ended cleanly, else stop it."""
        if clean and self.km_j is not None and self.kc_j is not None and await self.km_j.is_alive():
            _IDLE["judge"] = (self._judge_key(), self.km_j, self.kc_j)
            self.km_j = self.kc_j = None
        else:
            await self._stop_judge()

    @staticmethod
    def _forget_ip(km) -> None:
        folder = Path(str(km.ip)).parent
        if km.transport == "ipc" and folder.name.startswith("noyau-"):
            shutil.rmtree(folder, ignore_errors=True)

    # -- messages ------------------------------------------------------------------------------------
    async def _reply(self, kc, msg_id: str, timeout: float | None) -> dict | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            try:
                msg = await kc.get_shell_msg(timeout=0.5 if left is None else min(0.5, left))
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    @staticmethod
    async def _drain(kc, msg_id: str, timeout: float = 30) -> None:
        """Read a request's messages on the iopub channel up to its end (« idle »): nothing piles up unread."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = await kc.get_iopub_msg(timeout=min(0.5, max(0.01, deadline - time.monotonic())))
            except queue.Empty:
                continue
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                return

    async def _candidate_eval(self, code: str) -> str | None:
        """Run `code` silently in the candidate's kernel; the string it leaves in ``__mdpc_sortie__``."""
        if not await self.km_c.is_alive():
            return None
        msg_id = self.kc_c.execute(code, silent=True, store_history=False, allow_stdin=False,
                                   user_expressions={"r": "__mdpc_sortie__"})
        reply = await self._reply(self.kc_c, msg_id, self.timeout)
        if reply is None:  # a candidate's function that does not answer: interrupt it, the test fails
            try:
                await self.km_c.interrupt_kernel()
                await self._reply(self.kc_c, msg_id, 30)
            except Exception:  # noqa: BLE001 — a dead kernel: the test fails, the notebook goes on
                pass
            return None
        await self._drain(self.kc_c, msg_id)
        expr = reply["content"].get("user_expressions", {}).get("r", {})
        if expr.get("status") != "ok":
            return None
        try:
            value = ast.literal_eval(expr["data"]["text/plain"])
        except (ValueError, SyntaxError, KeyError):
            return None
        return value if isinstance(value, str) else None

    async def _serve_calls(self) -> None:
        """Answer the judge's calls to the candidate's functions (input requests), as long as it runs."""
        while True:
            try:
                msg = await self.kc_j.get_stdin_msg(timeout=0.2)
            except queue.Empty:
                continue
            prompt = msg["content"].get("prompt", "")
            answer = None
            if msg["msg_type"] == "input_request" and prompt.startswith(CALL_PROMPT):
                answer = await self._candidate_eval(CALL.format(payload=prompt[len(CALL_PROMPT):]))
            self.kc_j.input(answer or json.dumps({"erreur": "TimeoutError",
                                                  "message": "la fonction du candidat n'a pas répondu"}))

    async def _judge_run(self, code: str, silent: bool = False, expression: str | None = None):
        """Run `code` in the judge (answering its calls to the candidate's functions meanwhile); with
        `expression`, return that expression's value (a literal), else the execute reply."""
        serve = asyncio.ensure_future(self._serve_calls())
        try:
            msg_id = self.kc_j.execute(code, silent=silent, store_history=not silent, allow_stdin=True,
                                       user_expressions={"r": expression} if expression else None)
            reply = await self._reply(self.kc_j, msg_id, self.timeout)
            if reply is None:
                self._judge_clean = False
            await self._drain(self.kc_j, msg_id)
            if expression is None or reply is None:
                return reply
            value = reply["content"].get("user_expressions", {}).get("r", {})
            try:
                return ast.literal_eval(value["data"]["text/plain"]) if value.get("status") == "ok" else None
            except (ValueError, SyntaxError, KeyError):
                return None
        finally:
            serve.cancel()

    async def _send_values(self, source: str) -> None:
        names = sorted(n for n in read_names(source) & self._candidate_names - self._locked_names - bound_names(source)
                       if not n.startswith("_") and not hasattr(builtins, n))
        if not names:
            return
        payload = await self._candidate_eval(EXPORT.format(names=names))
        if payload:
            reply = await self._judge_run(f"__mdpc_refus__ = __mdpc_juge__.bind({payload!r}, globals())",
                                          silent=True, expression="__mdpc_refus__")
            self._refused.update(reply or [])

    # -- cells -----------------------------------------------------------------------------------------
    async def _in_judge(self, cell, index: int):
        await self._send_values(cell.source)
        if not is_test(cell):
            return await self._judge_run(cell.source, silent=True)
        serve = asyncio.ensure_future(self._serve_calls())
        self.kc, self.km = self.kc_j, self.km_j
        try:
            return await NotebookClient.async_execute_cell(self, cell, index, store_history=True)
        finally:
            self.kc, self.km = self.kc_c, self.km_c
            serve.cancel()

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, self.resources
        if is_test(cell):
            run_sync(self._in_judge)(cell, index)
            return cell, self.resources
        cell, resources = super().preprocess_cell(cell, resources, index)
        if is_trusted(cell):
            run_sync(self._in_judge)(cell, index)
        return cell, self.resources

    def preprocess(self, nb, resources=None, km=None):
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self._locked_names = set().union(*(bound_names(c.source) for c in nb.cells if is_trusted(c) and not is_test(c)))
        self._candidate_names = set().union(*(bound_names(c.source) for c in nb.cells
                                              if c.cell_type == "code" and not is_trusted(c)))
        findings, self._refused, self._judge_clean = [], set(), False
        self.km_j = self.kc_j = None
        try:
            kept = run_sync(self._take_judge)()
            if not kept:
                run_sync(self._launch_judge)()  # the judge starts while the candidate's kernel does
            with self.setup_kernel():
                self.kc_c, self.km_c = self.kc, self.km
                try:
                    if not kept:
                        run_sync(self._ready_judge)()
                    self._judge_clean = True
                    info = self.wait_for_reply(self.kc.kernel_info())
                    self.nb.metadata["language_info"] = info["content"]["language_info"]
                    run_sync(self._candidate_eval)(BASELINE)
                    for index, cell in enumerate(self.nb.cells):
                        self.preprocess_cell(cell, resources, index)
                    probe = run_sync(self._candidate_eval)(PROBE)
                    findings = json.loads(probe) if probe else []
                finally:
                    self.kc, self.km = self.kc_c, self.km_c
        except BaseException:
            self._judge_clean = False
            raise
        finally:
            run_sync(self._end_judge)(self._judge_clean)
        self.set_widgets_metadata()
        report_findings(self.resources, findings, sorted(self._refused))
        return self.nb, self.resources

    async def _async_cleanup_kernel(self) -> None:
        km = self.km
        await super()._async_cleanup_kernel()
        if km is not None:
            self._forget_ip(km)
