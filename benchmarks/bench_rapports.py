"""Benchmark: cost of one candidate report, as a ratio to executing an empty notebook with papermill.

Both are timed in the same session, so the ratio says how much the report template adds to the
unavoidable kernel start, whatever the machine. Run: ``.venv/bin/python benchmarks/bench_rapports.py [N]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill as pm

from mdpc.app import Collected, decide
from mdpc.core.decisions import CriterionResult, LevelSource
from mdpc.core.record import CandidateRecord
from mdpc.core.submissions import Submission
from mdpc.reports.batch import build_reports


def synthetic_records(n: int) -> list[CandidateRecord]:
    subs = {}
    for i in range(n):
        results = {}
        for code in ("C4.1", "C4.2", "C4.3"):
            for k in (1, 2, 3):
                r = CriterionResult(code, k, level=(i + k) % 4, source=LevelSource.GRADER, comment="Commentaire.")
                results[(code, k)] = r
        subs[f"b{i:03d}"] = Submission(f"b{i:03d}", f"Candidat {i}", results, None, None, 10.0, 13.0)
    return decide(Collected(subs), "Banc d'essai")


def main(n: int = 4) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        empty = tmp / "vide.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), empty)
        start = time.perf_counter()
        for i in range(n):
            pm.execute_notebook(str(empty), str(tmp / f"vide_{i}.ipynb"), progress_bar=False, kernel_name="python3")
        baseline = (time.perf_counter() - start) / n
        records = synthetic_records(n)
        start = time.perf_counter()
        build_reports(records, tmp / "rapports", progress=False)  # noqa: F841
        report = (time.perf_counter() - start) / n
    print(f"carnet vide : {baseline:.2f} s ; relevé : {report:.2f} s ; rapport relevé / carnet vide = {report / baseline:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4)
