"""Benchmark: nbclient's stall after a widget cell, with and without mdpc.grading.kernel_channels.

The solution of C4.2 (interactive dashboard) is executed N times by nbclient, two processes at a time as
in ``mdpc autograde`` on two cores, with a cell timeout of 20 s, first without the patch, then with it, in
the same session. A run counts as stalled when it lasts more than 10 s (a normal run: 2 to 5 s).

Run: ``.venv/bin/python benchmarks/bench_blocage.py [N]`` (N runs per process and per variant, 150 by
default: about 25 minutes on 2 cores). Prints, for each variant, the runs, the stalls and the mean duration.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

A, NB = "B4_pilotage_performance", "C4_2_tableau_de_bord"


def execute(notebook: str, runs: int, patched: bool) -> None:
    """Child process: run the notebook `runs` times; print one duration per line."""
    if patched:
        import mdpc.grading.kernel_channels  # noqa: F401
    import nbformat
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    for _ in range(runs):
        nb = nbformat.read(notebook, as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=20, kernel_manager_class=AsyncKernelManager, allow_errors=True,
                       resources={"metadata": {"path": str(Path(notebook).parent)}}).execute()
        print(f"{time.perf_counter() - start:.2f}", flush=True)


def main(runs: int = 150) -> None:
    from mdpc import CAS_DIR, PROJECT_ROOT
    from mdpc.authoring.demo_cohort import make_submission
    from mdpc.grading.course import nbgrader_env

    with tempfile.TemporaryDirectory(prefix="mdpc-blocage-") as tmp:
        copies = []
        for k in range(2):
            folder = Path(tmp) / f"copie{k}"
            shutil.copytree(PROJECT_ROOT / "release" / A, folder)
            make_submission(folder, CAS_DIR / A)
            copies.append(folder / f"{NB}.ipynb")
        for patched in (False, True):
            procs = [subprocess.Popen([sys.executable, __file__, "--executer", str(c), str(runs), str(int(patched))],
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=nbgrader_env())
                     for c in copies]
            times = [float(x) for p in procs for x in p.communicate()[0].split()]
            stalls = sum(t > 10 for t in times)
            print(f"{'avec' if patched else 'sans'} l'attente découpée : {len(times)} exécutions, {stalls} blocage(s), "
                  f"durée moyenne {sum(times) / len(times):.2f} s")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--executer":
        execute(sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1")
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 150)
