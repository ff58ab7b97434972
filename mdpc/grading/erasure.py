"""Erase one candidate's personal data from a course folder (``mdpc effacer``), at the end of retention.

What goes: the candidate's row and grades in the gradebook (nbgrader's ``remove_student``, which takes
their submissions with it), the personal part of their ratings in ``notation.db`` (candidate id, comment and
salt blanked, digests kept so that the chain still verifies; level, criterion, signer and time stay; their
formgrader drafts deleted; the erasure recorded in the chain, with its date and how many rows of which
tables, and no name: :meth:`mdpc.grading.journal.Journal.erase_candidate` — the journal's triggers stay in
place, they allow this one change), their folders in ``submitted/``, ``autograded/``,
``feedback/``, their copies and released feedback in the exchange, their reports and result file in
``rapports/``, their entry in the jury's ``dispenses.yaml`` and in ``incidents_autocorrection.json``, and the
lines of the journals (``journal_*.log``) that name them. What is left to do by hand is said: the cohort
files in ``rapports/`` still hold the candidate until the reports are produced again.
"""

from __future__ import annotations

import json
import re
import shutil

import yaml

from mdpc.core.exemptions import FILE_HEADER
from mdpc.grading.course import Course
from mdpc.grading.incidents import FAILURES_FILE
from mdpc.grading.journal import DB_NAME, Journal


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
    if (root / DB_NAME).exists():
        journal = Journal(root / DB_NAME)
        journal.open()  # an older journal is chained first, so that its rows are sealed before they are blanked
        n, drafts = journal.erase_candidate(candidate)
        done.append(f"journal des notes : {n} note(s) caviardée(s) (identifiant et commentaire retirés, niveaux et "
                    f"empreintes gardés, la chaîne se vérifie toujours), {drafts} brouillon(s) supprimé(s) ; "
                    "effacement consigné dans le journal, sans nom")
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
