"""Work around a stall of nbclient with widgets: poll the kernel's channels in short slices.

Measured here (benchmarks/README.md, « Blocage de nbclient ») on the dashboard notebook C4.2, run 500 times
two at a time: about one run in 60 stopped for exactly the cell timeout (120 s in autograde) right after the
``interact`` dashboard cell, both the client and the kernel idle, then went on as if nothing had happened;
with ipykernel 6.31 as with 7.4 (nbclient #312 reports the same blocking with ipywidgets). jupyter_client's
asynchronous channel waits for a message with one ``socket.poll(timeout)`` on a zmq.asyncio socket; when the
socket's edge-triggered notification is missed, nothing wakes the wait until the timeout. Waiting in slices
of half a second re-reads the socket's state at each slice: with this patch, 383 runs gave no stall.

Importing this module patches ``AsyncZMQSocketChannel.get_msg`` (same signature, same result, same
``queue.Empty`` at the same deadline). nbgrader_config.py imports it, so that every nbgrader run of the
course has it, and the report engine imports it too.
"""

from __future__ import annotations

import time
from queue import Empty

from jupyter_client.channels import AsyncZMQSocketChannel

SLICE_SECONDS = 0.5

if not getattr(AsyncZMQSocketChannel.get_msg, "_mdpc_sliced", False):
    _original_get_msg = AsyncZMQSocketChannel.get_msg

    async def get_msg(self, timeout: float | None = None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            step = SLICE_SECONDS if deadline is None else max(0.0, min(SLICE_SECONDS, deadline - time.monotonic()))
            try:
                return await _original_get_msg(self, timeout=step)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    get_msg._mdpc_sliced = True
    AsyncZMQSocketChannel.get_msg = get_msg
