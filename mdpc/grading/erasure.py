"""Erase one candidate's personal data from a course folder (``mdpc effacer``), at the end of retention.

What goes: the candidate's row and grades in the gradebook (nbgrader's ``remove_student``, which takes
their submissions with it), the personal part of their ratings in ``notation.db`` (candidate id, comment and
salt blanked, digests kept so that the chain still verifies; level, criterion, signer and time stay; their
formgrader drafts deleted; the erasure recorded in the chain, with its date and how many rows of which
tables, and no name: :meth:`mdpc.grading.journal.Journal.erase_candidate` — the journal's triggers stay in
place, they allow this one change), their folders in ``submitted/``, ``autograded/``,
``feedback/`` and ``lecture/autograded/`` (the read-only pages of the grading form), their copies and released feedback in the exchange, their reports and result file in
``rapports/``, their registration in ``candidats.yaml`` (civil identity, birth date, access route), their
entry in the jury's ``dispenses.yaml``, in ``incidents_autocorrection.json`` and in ``incidents_ramassage.json``,
their copy number and anonymous view (``anonymat.json``, ``copies_anonymes/``, :func:`mdpc.grading.anonymity.forget`),
the lines of the journals (``journal_*.log``) that name them, and their copies of the certificates, attestations and
letters in ``rapports/documents/``. What stays, and is said: their entries in the register of issued documents
(``registre_parchemins.json``), the minimum the certifier keeps to verify a document and issue a duplicate (the
course identifier is blanked in them: reused, it would take them over) (:mod:`mdpc.core.register`). What is left to
do by hand is said: the cohort files in ``rapports/`` still hold the candidate until the reports are produced again.
The identifier is checked (:func:`check_identifier`) and never used as a file pattern.
"""

from __future__ import annotations

import json
import re
import shutil

import yaml

from mdpc.core.enrolment import FILE_HEADER as ENROLMENT_HEADER
from mdpc.core.enrolment import FILE_NAME as ENROLMENT_FILE
from mdpc.core.exemptions import FILE_HEADER
from mdpc.core.register import REGISTER_FILE, Register, RegisterError, locked
from mdpc.grading.anonymity import forget
from mdpc.grading.course import Course, CourseError
from mdpc.grading.incidents import COLLECT_FILE, FAILURES_FILE
from mdpc.grading.journal import DB_NAME, Journal
from mdpc.grading.nofollow import write_text


def check_identifier(candidate: str) -> str:
    """The candidate's identifier, if it can only name the candidate's own files and folders; a French
    CourseError otherwise (empty, « . » or « .. », a path separator, a space at either end, a control
    character)."""
    if (not candidate or candidate.strip() != candidate or candidate in (".", "..") or "/" in candidate
            or "\\" in candidate or any(ord(ch) < 32 or ord(ch) == 127 for ch in candidate)):
        raise CourseError(f"Identifiant de candidat refusé : {candidate!r} (vide, « . », « .. », ou contenant « / », "
                          "« \\ », une espace en bord ou un caractère de contrôle) ; rien n'a été effacé.")
    return candidate


def _exchange_entries(root, candidate: str) -> list:
    """The candidate's submissions in the exchange (``<candidat>+<devoir>+<horodatage>[+<aléa>]``), by the
    exact rule nbgrader uses to read a submission's owner, never by a pattern the identifier could widen."""
    out, top = [], root / "echange"
    for path in sorted(top.glob("**/*+*")):
        if any("+" in part for part in path.relative_to(top).parts[:-1]):
            continue  # a file inside a submission, not a submission
        parts = path.name.rsplit("+", 3)
        if len(parts) >= 3 and parts[0] == candidate:
            out.append(path)
    return out


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


def issued_copies(folder, candidate: str) -> list:
    """The candidate's copies of issued documents (``certificat_<id>``, ``attestation_<id>_BC0n``, ``lettre_<id>``,
    HTML and PDF), matched on the exact identifier: their register entries stay (:mod:`mdpc.core.register`)."""
    names = re.compile(rf"(certificat|lettre)_{re.escape(candidate)}\.(html|pdf)|"
                       rf"attestation_{re.escape(candidate)}_BC\d{{2}}\.(html|pdf)")
    if folder.is_symlink() or not folder.is_dir():  # a link is never followed
        return []
    return [p for p in sorted(folder.glob("*")) if names.fullmatch(p.name) and (p.is_file() or p.is_symlink())]


def _drop_entry(path, candidate: str, header: str, said: str) -> str:
    """Remove `candidate` from the ``candidats:`` section of the YAML file `path` (header written again); what was
    done, in French. An unreadable file is left as it is and said: the rest of the erasure goes on."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError):
        return f"{path.name} illisible (YAML invalide), laissé tel quel : retirez-en le candidat à la main"
    people = data.get("candidats") if isinstance(data, dict) else None
    if not isinstance(people, dict) or candidate not in people:
        return f"{path.name} : candidat absent"
    del people[candidate]
    write_text(path, header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return f"{path.name} : {said}"


def erase_candidate(course: Course, candidate: str) -> list[str]:
    """Remove everything about `candidate` from the course folder; returns what was done, in French.
    The identifier is checked first (:func:`check_identifier`) and never used as a pattern: erasing
    ``dupont[1]`` leaves ``dupont1`` untouched."""
    from nbgrader.api import MissingEntry

    check_identifier(candidate)
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
    for folder in ("submitted", "autograded", "feedback", "lecture/autograded"):  # lecture/: the grading form's pages
        path = root / folder / candidate
        if path.is_symlink():
            path.unlink()
            done.append(f"{folder}/{candidate} (lien) supprimé")
        elif path.exists():
            shutil.rmtree(path)
            done.append(f"{folder}/{candidate} supprimé")
    for path in _exchange_entries(root, candidate):
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        done.append(f"échange : {path.name} supprimé")
    done += forget(root, candidate)  # anonymous grading: the candidate's copy number and anonymous view
    reports = root / "rapports"
    mine = [p for p in sorted(reports.glob("rapport_*")) if p.stem == f"rapport_{candidate}" and p.suffix]
    mine += [p for p in [reports / "resultats" / f"{candidate}.json"] if p.is_file() or p.is_symlink()]
    mine += issued_copies(reports / "documents", candidate)
    for path in mine:
        path.unlink()
        done.append(f"rapports/{path.relative_to(reports)} supprimé")
    try:
        with locked(root):
            register = Register.load(root)
            kept_entries = register.of_candidate(candidate)
            for entry in kept_entries:  # the course identifier goes: reused by someone else, it would take over
                entry.candidat = ""     # these numbers on the next batch and void the documents they name
            if kept_entries:
                register.save()
    except RegisterError as exc:
        kept_entries = []
        done.append(f"{REGISTER_FILE} non lu et laissé tel quel : {exc}")
    if kept_entries:
        done.append(f"{REGISTER_FILE} : {len(kept_entries)} entrée(s) gardée(s) volontairement ("
                    + ", ".join(e.numero for e in kept_entries) + ") : numéro, nature, nom, date et lieu de naissance, "
                    "date et lieu de délivrance, empreinte du code ; le minimum pour vérifier le document et en "
                    "délivrer un duplicata, que le certificateur conserve (l'identifiant du cours en est retiré)")
    for name in (FAILURES_FILE, COLLECT_FILE):  # {assignment: {candidate: ...}} at the course root
        kept = root / name
        if kept.exists():
            data = json.loads(kept.read_text(encoding="utf-8") or "{}")
            if any(candidate in per for per in data.values()):
                data = {a: {s: m for s, m in per.items() if s != candidate} for a, per in data.items()}
                kept.write_text(json.dumps({a: per for a, per in data.items() if per}, ensure_ascii=False, indent=1),
                                encoding="utf-8")
                done.append(f"{name} : entrées du candidat retirées")
    similar = root / "similitudes.json"  # derived from the copies (mdpc.app.check_similarity): made again without them
    if similar.is_file() and not similar.is_symlink() and f'"{candidate}"' in similar.read_text(encoding="utf-8"):
        similar.unlink()
        done.append("similitudes.json supprimé (refait sans le candidat à la prochaine vérification)")
    for path in sorted(root.glob("dispenses*.yaml")):
        done.append(_drop_entry(path, candidate, FILE_HEADER, "entrée du candidat retirée"))
    enrolments = root / ENROLMENT_FILE  # civil identity and birth date: the register keeps the minimum it needs
    if enrolments.is_file() and not enrolments.is_symlink():
        done.append(_drop_entry(enrolments, candidate, ENROLMENT_HEADER,
                                "inscription du candidat retirée (identité, naissance, voie d'accès)"))
    mention = re.compile(rf"(?<![\w-]){re.escape(candidate)}(?![\w-])")
    for journal in sorted(root.glob("journal_*.log")):
        lines = journal.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
        kept = [ln for ln in lines if not mention.search(ln)]
        if len(kept) != len(lines):
            journal.write_text("".join(kept), encoding="utf-8")
            done.append(f"{journal.name} : {len(lines) - len(kept)} ligne(s) le citant supprimée(s)")
    done.append("à faire : relancer « mdpc rapports » (les fichiers de cohorte le citent encore)")
    return done
