"""Erase one candidate's personal data from a course folder (``mdpc effacer``), at the end of retention.

What goes: the candidate's row and grades in the gradebook (nbgrader's ``remove_student``, which takes
their submissions with it), their ratings in ``notation.db`` (the journal forbids deletion by trigger; the
erasure lifts it for this candidate only, inside one transaction, and records that an erasure took place,
with its date and the number of lines, and no name), their folders in ``submitted/``, ``autograded/``,
``feedback/``, their copies and released feedback in the exchange, their reports and result file in
``rapports/``, their entry in the jury's ``dispenses.yaml`` and in ``incidents_autocorrection.json``, and the
lines of the journals (``journal_*.log``) that name them. What is left to do by hand is said: the cohort
files in ``rapports/`` still hold the candidate until the reports are produced again.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sqlite3

import yaml

from mdpc.core.exemptions import FILE_HEADER
from mdpc.grading.course import Course
from mdpc.grading.incidents import FAILURES_FILE
from mdpc.grading.ratings import DB_NAME

ERASURES = """
CREATE TABLE IF NOT EXISTS effacements (
    id INTEGER PRIMARY KEY AUTOINCREMENT, horodatage TEXT NOT NULL, lignes INTEGER NOT NULL
);
"""


def _released_feedback(root, candidate: str) -> list:
    """The candidate's feedback files released into the exchange (``nbgrader release_feedback``): nbgrader
    names each after the MD5 of the submission's secret and the notebook's name, not after the candidate;
    the secret is in the candidate's ``submitted/`` and ``feedback/`` folders."""
    from nbgrader.utils import notebook_hash

    names = set()
    for kind in ("submitted", "feedback"):
        for secret_file in sorted((root / kind / candidate).glob("*/submission_secret.txt")):
            secret = secret_file.read_text(encoding="utf-8")
            notebooks = {p.stem for p in secret_file.parent.glob("*.ipynb")} | {
                p.stem for p in secret_file.parent.glob("*.html")}
            names |= {f"{notebook_hash(secret=secret, notebook_id=nb)}.html" for nb in notebooks}
    return [p for p in sorted(root.glob("echange/*/feedback/*.html")) if p.name in names]


def erase_candidate(course: Course, candidate: str) -> list[str]:
    """Remove everything about `candidate` from the course folder; returns what was done, in French."""
    from nbgrader.api import MissingEntry

    root, done = course.root, []
    with course.gradebook() as gb:
        try:
            gb.remove_student(candidate)
            done.append("gradebook : candidat et notes supprimés")
        except MissingEntry:
            done.append("gradebook : candidat absent")
    db = root / DB_NAME
    if db.exists():
        with sqlite3.connect(db) as con:
            con.executescript(ERASURES)
            trigger = con.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                  "AND name = 'notes_sans_suppression'").fetchone()
            con.execute("DROP TRIGGER IF EXISTS notes_sans_suppression")
            n = con.execute("DELETE FROM notes WHERE candidat = ?", (candidate,)).rowcount
            if trigger:
                con.execute(trigger[0])
            con.execute("INSERT INTO effacements (horodatage, lignes) VALUES (?, ?)",
                        (dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), n))
        done.append(f"journal des notes : {n} ligne(s) supprimée(s), effacement consigné sans nom")
    for path in _released_feedback(root, candidate):
        path.unlink()
        done.append(f"échange : retour {path.name} supprimé")
    for folder in ("submitted", "autograded", "feedback"):
        path = root / folder / candidate
        if path.exists():
            shutil.rmtree(path)
            done.append(f"{folder}/{candidate} supprimé")
    for path in sorted(root.glob(f"echange/**/{candidate}+*")):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
        done.append(f"échange : {path.name} supprimé")
    reports = root / "rapports"
    for path in sorted(reports.glob(f"rapport_{candidate}.*")) + sorted(reports.glob(f"resultats/{candidate}.json")):
        path.unlink()
        done.append(f"rapports/{path.relative_to(reports)} supprimé")
    failures = root / FAILURES_FILE
    if failures.exists():
        data = json.loads(failures.read_text(encoding="utf-8") or "{}")
        if any(candidate in per for per in data.values()):
            data = {a: {s: m for s, m in per.items() if s != candidate} for a, per in data.items()}
            failures.write_text(json.dumps({a: per for a, per in data.items() if per}, ensure_ascii=False, indent=1),
                                encoding="utf-8")
            done.append(f"{FAILURES_FILE} : entrées du candidat retirées")
    for path in sorted(root.glob("dispenses*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if candidate in (data.get("candidats") or {}):
            del data["candidats"][candidate]
            path.write_text(FILE_HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            done.append(f"{path.name} : entrée du candidat retirée")
    mention = re.compile(rf"(?<![\w-]){re.escape(candidate)}(?![\w-])")
    for journal in sorted(root.glob("journal_*.log")):
        lines = journal.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
        kept = [ln for ln in lines if not mention.search(ln)]
        if len(kept) != len(lines):
            journal.write_text("".join(kept), encoding="utf-8")
            done.append(f"{journal.name} : {len(lines) - len(kept)} ligne(s) le citant supprimée(s)")
    done.append("à faire : relancer « mdpc rapports » (les fichiers de cohorte le citent encore)")
    return done
