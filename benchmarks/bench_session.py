"""A whole session, all twenty cases: ``nbgrader autograde`` against ``mdpc autograde``, and the floor (issue 20).

N candidates hand in all five assignments (twenty notebooks each) with varied answers, drawn from a fixed seed:
the solution with 0 to 4 of the course's typical mistakes (``corrige/erreurs_types.yaml``), correct answers
written another way (``corrige/variantes.yaml``), about one copy in six answered through the widgets only, one in
twenty blank. From the same collected state:

(a) ``nbgrader autograde``, one run per assignment, one after the other, as a trainer would (the project's
    configuration, in a copy of the course);
(b) ``mdpc autograde`` of the five assignments at once (one pool of workers, one per core; the sandbox when this
    machine gives it, as root with bubblewrap, else ``--sans-isolation``, said in the output); the two gradebooks
    are compared (``compare_gradebooks.py``) and the peak memory of the grading processes is sampled;
(c) the floor: the same notebooks, their locked and test cells restored from the sources as nbgrader restores
    them, executed in warm kernels (one per core, namespace reset between notebooks: ``tests/warm_kernel.py``),
    whose verdicts are checked against (b)'s points;
(d) the reports, cohort report, jury minutes and CSV files of the N candidates, their certificates, bloc attestations
    and notification letters (``mdpc.app.publish`` with the course folder and the jury's date, HTML and PDF; the
    demo's specimen identity, a registration drawn for each candidate).

Run: ``.venv/bin/python benchmarks/bench_session.py N`` (≈ 40 s per candidate on 2 cores). The last line:
``session: nbgrader <a> s/candidat, mdpc <b> s/candidat, plancher <f> s/candidat, rapport <a/b>×``.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import psutil

from mdpc import demo
from mdpc.app import collect, decide, publish
from mdpc.authoring.demo_cohort import certification as demo_certification
from mdpc.authoring.demo_cohort import make_submission, variants, wrong_answers
from mdpc.core import certification, enrolment
from mdpc.core.roster import ROSTER_FILE
from mdpc.core.roster import dump as dump_roster
from mdpc.grading.autograde import autograde_assignments
from mdpc.grading.course import Course, run_nbgrader
from mdpc.grading.sandbox import status

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from warm_kernel import verdicts  # noqa: E402 — the tests' warm kernel: nbgrader's semantics without its cost

ASSIGNMENTS = list(demo.ASSIGNMENTS)
GRADING = ("spawn_main", "nbgrader", "mdpc.grading.sandbox", "ipykernel", "fork server", "bwrap")


def make_session(root: Path, n: int, seed: int = 20) -> tuple[Course, dict[str, dict]]:
    """The course with N candidates' submissions of the five assignments; what each candidate handed in."""
    course = demo.prepare_course(root)
    rng = random.Random(seed)
    ids = [f"s{i:03d}" for i in range(1, n + 1)]
    with course.gradebook() as gb:
        for a in ASSIGNMENTS:
            gb.update_or_create_assignment(a, duedate=demo.DUES.get(a, demo.DUE))
        for sid in ids:
            gb.update_or_create_student(sid, first_name=f"Candidat {sid}", last_name="Session")
    for a in ASSIGNMENTS:
        course.run_in_process("generate_assignment", a)
    (root / certification.FILE_NAME).write_text(certification.dump(demo_certification()), encoding="utf-8")
    (root / ROSTER_FILE).write_text(dump_roster(demo.ROSTER), encoding="utf-8")
    routes = sorted(enrolment.ROUTES)
    (root / enrolment.FILE_NAME).write_text(enrolment.dump({"candidats": {sid: {
        "nom": "Session", "prenom": f"Candidat {sid}", "date_naissance": f"{rng.randint(1970, 2004)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "voie_acces": rng.choice(routes)} for sid in ids}}), encoding="utf-8")
    mistakes, others = sorted(wrong_answers()), sorted(variants())
    profile = {}
    for sid in ids:
        blank, no_code = rng.random() < 0.05, rng.random() < 0.16
        chosen = tuple(rng.sample(mistakes, rng.randint(0, 4)) + rng.sample(others, rng.randint(0, 3)))
        profile[sid] = {"vierge": blank, "sans_code": no_code and not blank, "erreurs_variantes": chosen}
        for a in ASSIGNMENTS:
            folder = root / "submitted" / sid / a
            shutil.copytree(root / "release" / a, folder)
            make_submission(folder, course.source(a), () if no_code else chosen, blank=blank,
                            no_code=no_code and not blank)
            (folder / "timestamp.txt").write_text("2027-01-05 10:00:00.000000 UTC", encoding="utf-8")
    return course, profile


class PeakMemory:
    """The largest total resident memory of the grading processes (pool workers, nbgrader, sandbox launchers,
    kernels, fork servers), sampled every 0.2 s while it runs."""

    def __init__(self) -> None:
        self.peak, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for p in psutil.process_iter(["cmdline", "memory_info"]):
                cmd = " ".join(p.info["cmdline"] or [])
                if p.info["memory_info"] is not None and any(g in cmd for g in GRADING):
                    total += p.info["memory_info"].rss
            self.peak = max(self.peak, total)
            time.sleep(0.2)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _floor_part(copies: list[tuple[str, str]]) -> dict:
    return verdicts([(Path(c), Path(s)) for c, s in copies])


def floor(course: Course, ids: list[str], workers: int) -> tuple[float, dict]:
    """Seconds to run every copy in warm kernels (one per worker), and the verdicts."""
    top = course.root.parent / "plancher"  # a copy: the warm kernels write their deliverables in the folders
    shutil.copytree(course.root / "submitted", top, symlinks=True)
    copies = [(str(top / sid / a), str(course.source(a))) for sid in ids for a in ASSIGNMENTS]
    parts = [copies[i::workers] for i in range(workers)]
    start = time.perf_counter()
    out: dict = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for found in pool.map(_floor_part, parts):
            out.update(found)
    return time.perf_counter() - start, out


def agreement(course: Course, found: dict) -> tuple[int, int]:
    """(test cells whose warm-kernel verdict matches mdpc's points, test cells compared)."""
    from nbgrader.api import MissingEntry

    same = total = 0
    with course.gradebook() as gb:
        for (folder, nb, cell), raised in found.items():
            sid, a = Path(folder).parent.name, Path(folder).name
            try:
                grade = gb.find_grade(cell, nb, a, sid)
            except MissingEntry:  # a copy mdpc could not grade: counted as a disagreement
                total += 1
                continue
            total += 1
            same += (grade.auto_score < grade.max_score) == raised
    return same, total


def main(n: int = 200) -> None:
    workers = os.cpu_count() or 1
    isolated, why = status()
    with tempfile.TemporaryDirectory(prefix="mdpc-banc-session-") as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        course, profile = make_session(tmp / "cours", n)
        ids = sorted(profile)
        print(f"{n} candidats × {len(ASSIGNMENTS)} devoirs générés en {time.perf_counter() - t0:.0f} s "
              f"({sum(p['vierge'] for p in profile.values())} copies vierges, "
              f"{sum(p['sans_code'] for p in profile.values())} sans code)", flush=True)
        seq = tmp / "sequentiel"
        shutil.copytree(course.root, seq, symlinks=True)
        start = time.perf_counter()
        for a in ASSIGNMENTS:
            run_nbgrader(["autograde", a, "--force"], seq, seq / "journal.log", timeout=None)
        t_seq = time.perf_counter() - start
        print(f"(a) nbgrader autograde, un devoir après l'autre : {t_seq:.0f} s", flush=True)
        start = time.perf_counter()
        with PeakMemory() as memory:
            errors = autograde_assignments(course, ASSIGNMENTS, workers=workers, progress=False,
                                           without_isolation=not isolated)
        t_par = time.perf_counter() - start
        failed = sum(len(e) for e in errors.values())
        same = subprocess.run([sys.executable, str(Path(__file__).with_name("compare_gradebooks.py")),
                               str(seq / "gradebook.db"), str(course.root / "gradebook.db")],
                              capture_output=True, text=True).stdout.strip()
        print(f"(b) mdpc autograde ({'bac à sable' if isolated else 'sans isolation : ' + why}), {workers} "
              f"processus : {t_par:.0f} s ; copies en échec : {failed} ; gradebooks : {same} ; pic de mémoire des "
              f"processus de correction {memory.peak / 2**20:.0f} Mio, soit {memory.peak / 2**20 / workers:.0f} Mio "
              "par processus de correction", flush=True)
        t_floor, found = floor(course, ids, workers)
        agree, compared = agreement(course, found)
        print(f"(c) plancher, noyaux chauds ({workers}) : {t_floor:.0f} s ; verdicts identiques à mdpc autograde "
              f"pour {agree} cellules de test sur {compared}", flush=True)
        start = time.perf_counter()
        collected = collect(Course(course.root), ASSIGNMENTS)
        records = decide(collected, "Banc de session")
        batch = publish(records, tmp / "rapports", collected, session="Banc de session", progress=False,
                        minutes=dict(demo.MINUTES), course_root=course.root)
        t_reports = time.perf_counter() - start
        issued = [d["nature"] for c in batch["documents"]["candidats"] for d in c.get("documents", [])]
        print(f"(d) relevés HTML et PDF, rapport de cohorte, procès-verbal, CSV, {len(issued)} parchemin(s) ou "
              f"attestation(s) et {n} lettres de notification de {n} candidats : {t_reports:.0f} s "
              f"({t_reports / n:.2f} s/candidat)", flush=True)
        print(f"session: nbgrader {t_seq / n:.2f} s/candidat, mdpc {t_par / n:.2f} s/candidat, "
              f"plancher {t_floor / n:.2f} s/candidat, rapport {t_seq / t_par:.2f}×")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
