"""Benchmark: what judging the tests in a kernel of their own costs, against nbgrader's single kernel.

The same generated cohort (bench_cohorte.make_cohort, B4_pilotage_performance, three notebooks per candidate) is
graded twice by ``mdpc autograde`` in this session, alternately: once with the project's configuration (tests
judged in a second kernel, mdpc.grading.judge), once with nbgrader's own ``Execute`` (one kernel, the tests in
the candidate's). Both must give every candidate the same points. Prints seconds per candidate and the ratio.

Run: ``.venv/bin/python benchmarks/bench_juge.py [N] [R]`` (N candidates, 8 by default; R rounds, 2 by default).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_cohorte import A, make_cohort

from mdpc.grading.autograde import autograde_cohort
from mdpc.grading.course import Course

SINGLE_KERNEL = """
# benchmark baseline: nbgrader's own Execute, tests in the candidate's kernel
from nbgrader.converters import Autograde as _A
c.Autograde.autograde_preprocessors = _A.class_traits()["autograde_preprocessors"].default()
"""


def points(course: Course) -> dict[str, float]:
    with course.gradebook() as gb:
        return {s.student.id: sum(g.score for nb in s.notebooks for g in nb.grades if g.auto_score is not None)
                for s in gb.find_assignment(A).submissions}


def main(n: int = 8, rounds: int = 2) -> None:
    with tempfile.TemporaryDirectory(prefix="mdpc-banc-juge-") as tmp:
        tmp = Path(tmp)
        base = make_cohort(tmp / "cours", n)
        times: dict[str, list[float]] = {"juge": [], "un noyau": []}
        results = {}
        for r in range(rounds):
            for kind in ("juge", "un noyau") if r % 2 == 0 else ("un noyau", "juge"):
                root = tmp / f"{kind.replace(' ', '_')}_{r}"
                shutil.copytree(base.root, root, symlinks=True)
                if kind == "un noyau":
                    with open(root / "nbgrader_config.py", "a", encoding="utf-8") as fh:
                        fh.write(SINGLE_KERNEL)
                course = Course(root)
                start = time.perf_counter()
                assert autograde_cohort(course, A, progress=False) == {}
                times[kind].append((time.perf_counter() - start) / n)
                results[kind] = points(course)
        assert results["juge"] == results["un noyau"], "points différents selon le mode d'exécution"
        judge, single = min(times["juge"]), min(times["un noyau"])
        print(f"juge : {judge:.2f} s/candidat ; un seul noyau (nbgrader) : {single:.2f} s/candidat ; "
              f"surcoût du juge {judge / single:.2f} × ; points identiques ({n} candidats)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
