"""Benchmark on a generated cohort: mdpc's parallel batches against the naive baseline, same machine, one run.

(a) autograde: ``mdpc autograde`` (autograde_cohort) against one ``nbgrader autograde`` run, from the same
    collected submissions; the two gradebooks are checked identical.
(b) reports: ``mdpc rapports`` (build_reports, HTML only, then with PDF) against a sequential loop of the
    papermill CLI followed by ``jupyter nbconvert --to html``, one candidate after another.

Run: ``.venv/bin/python benchmarks/bench_cohorte.py [N] [a|ab]`` (N candidates, 200 by default; ~75 min at 200 on
2 cores). Prints seconds per candidate and the ratios.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mdpc import demo
from mdpc.app import collect, decide
from mdpc.authoring.demo_cohort import make_submission, wrong_answers
from mdpc.grading.autograde import autograde_cohort
from mdpc.grading.course import Course, nbgrader_env, run_nbgrader
from mdpc.reports import CANDIDATE_TEMPLATE
from mdpc.reports.batch import build_reports

A = demo.ASSIGNMENT


def make_cohort(root: Path, n: int, seed: int = 7) -> Course:
    course = demo.prepare_course(root)
    rng = random.Random(seed)
    course.nbgrader("db", "assignment", "add", A, f"--duedate={demo.DUE.isoformat(sep=' ')}")
    ids = [f"b{i:03d}" for i in range(1, n + 1)]
    with course.gradebook() as gb:  # one process for all, not one nbgrader start per candidate
        for sid in ids:
            gb.update_or_create_student(sid, first_name=f"Candidat {sid}", last_name="Banc")
    course.nbgrader("generate_assignment", A, "--force")
    names = sorted(wrong_answers())
    for sid in ids:
        folder = root / "submitted" / sid / A
        shutil.copytree(root / "release" / A, folder)
        wrong = tuple(rng.sample(names, rng.randint(0, 4)))
        make_submission(folder, course.source(A), wrong, blank=rng.random() < 0.05)
        (folder / "timestamp.txt").write_text("2027-01-08 10:00:00.000000 UTC", encoding="utf-8")
    return course


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(n: int = 200, parts: str = "ab") -> None:
    with tempfile.TemporaryDirectory(prefix="mdpc-banc-") as tmp:
        tmp = Path(tmp)
        course = make_cohort(tmp / "cours", n)
        seq = tmp / "sequentiel"
        shutil.copytree(course.root, seq, symlinks=True)
        t_seq = timed(lambda: run_nbgrader(["autograde", A, "--force"], seq, seq / "journal.log"))
        t_par = timed(lambda: autograde_cohort(course, A, progress=False, without_isolation=True))
        same = subprocess.run([sys.executable, str(Path(__file__).with_name("compare_gradebooks.py")),
                               str(seq / "gradebook.db"), str(course.root / "gradebook.db")],
                              capture_output=True, text=True).stdout.strip()
        print(f"(a) autocorrection, {n} candidats : nbgrader {t_seq / n:.2f} s/candidat ; mdpc autograde "
              f"{t_par / n:.2f} s/candidat ; rapport {t_seq / t_par:.2f} ; gradebooks : {same}")
        if "b" not in parts:
            return

        records = decide(collect(course, [A]), "Banc d'essai")
        data = tmp / "donnees"
        data.mkdir()
        (data / "cohorte.json").write_text(json.dumps([r.to_json() for r in records], ensure_ascii=False), encoding="utf-8")
        for rec in records:
            (data / f"{rec.id}.json").write_text(json.dumps(rec.to_json(), ensure_ascii=False), encoding="utf-8")
        naive = tmp / "naif"
        naive.mkdir()
        bindir = Path(sys.executable).parent

        def naive_loop():
            for rec in records:
                sid = rec.id
                out = naive / f"rapport_{sid}.ipynb"
                subprocess.run([str(bindir / "papermill"), str(CANDIDATE_TEMPLATE), str(out), "-p", "resultats",
                                str(data / f"{sid}.json"), "-p", "cohorte", str(data / "cohorte.json"),
                                "--no-progress-bar"], check=True, capture_output=True, env=nbgrader_env())
                subprocess.run([str(bindir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)],
                               check=True, capture_output=True, env=nbgrader_env())

        t_naive = timed(naive_loop)
        t_html = timed(lambda: build_reports(records, tmp / "rapports_html", progress=False, pdf=False))
        t_pdf = timed(lambda: build_reports(records, tmp / "rapports_pdf", progress=False, pdf=True))
        print(f"(b) rapports, {n} candidats : boucle papermill + nbconvert {t_naive / n:.2f} s/candidat ; "
              f"mdpc rapports (HTML) {t_html / n:.2f} s/candidat, rapport {t_naive / t_html:.2f} ; "
              f"avec PDF {t_pdf / n:.2f} s/candidat, rapport {t_naive / t_pdf:.2f} "
              "(mdpc produit en plus le rapport de cohorte et le procès-verbal)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200, sys.argv[2] if len(sys.argv) > 2 else "ab")
