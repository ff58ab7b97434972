"""The coordinator's job as one application service: collect → decide → publish.

The ``mdpc`` command, the demo, the tests and the benchmarks all go through here, so that a candidate's
record is built one way:

- :func:`collect` reads a course: every candidate's submissions (autograded evidence) from the gradebook,
  the graders' levels from the journal of ratings, the jury's accommodations and the copies' incidents;
- :func:`check_similarity` (called by :func:`collect`) lists the pairs of copies whose written answers or code
  look alike, for the jury to examine (never a sanction: :mod:`mdpc.core.similarity`), and keeps them in the
  course's ``similitudes.json``, where the graders' form reads them;
- :func:`decide` turns that into one :class:`~mdpc.core.record.CandidateRecord` per candidate;
- :func:`publish` produces the reports, the cohort report, the jury minutes and the CSV files, then the
  certificates, bloc attestations and notification letters (:mod:`mdpc.reports.documents`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from mdpc.authoring.sessions import case_set_label
from mdpc.core.exemptions import Accommodations
from mdpc.core.exemptions import load as load_accommodations
from mdpc.core.grids import Scale, default_scale
from mdpc.core.ratings import Effective, apply_ratings
from mdpc.core.record import CandidateRecord, build_records
from mdpc.core.similarity import SimilarPair, find_similar
from mdpc.core.submissions import Submission
from mdpc.grading.course import Course, CourseError
from mdpc.grading.incidents import incidents_for
from mdpc.grading.nofollow import write_text
from mdpc.grading.ratings import RatingBook
from mdpc.grading.similarity_sources import cohort_sources

SIMILARITY_FILE = "similitudes.json"  # in the course folder: the pairs the graders' form shows


@dataclass
class Collected:
    """What a course holds about its candidates, ready for the decisions."""

    submissions: dict[str, Submission]
    accommodations: Accommodations = field(default_factory=Accommodations)
    ratings: dict[tuple[str, str, int], Effective] = field(default_factory=dict)
    incidents: dict[str, list[dict]] = field(default_factory=dict)
    double_marked: list[dict] = field(default_factory=list)
    assignments: list[str] = field(default_factory=list)
    cases: str = ""  # which session's variant of the cases the course holds (its session.yaml)
    similar: list[SimilarPair] = field(default_factory=list)  # copies that look alike: for the jury to examine
    similarity_notes: list[str] = field(default_factory=list)  # what the check could not read


def assignments_of(course: Course, wanted: list[str] | None = None, collected: bool = False) -> list[str]:
    """The assignments to work on: those asked for (each must be known), else all of the gradebook
    (and, with `collected`, those collected in ``submitted/``)."""
    found = sorted(set(course.assignments()) | set(course.submitted_assignments() if collected else ()))
    wanted = list(wanted or found)
    unknown = [a for a in wanted if a not in found]
    if unknown or not wanted:
        raise CourseError(f"Devoir(s) absent(s) du gradebook : {', '.join(unknown) or 'aucun devoir'} "
                          f"(devoirs connus : {', '.join(found) or 'aucun'}).")
    return wanted


def collect(course: Course, assignments: list[str] | None = None, accommodations: Path | str | None = None,
            scale: Scale | None = None) -> Collected:
    """Read everything the decisions need from a course (see the module's docstring).

    `accommodations`: the jury's file (default ``dispenses.yaml`` of the course; a missing file means none)."""
    scale = scale or default_scale()
    assignments = assignments_of(course, assignments)
    subs = course.read_many(assignments, scale)
    book = RatingBook(course, scale)
    ratings = book.graders(assignments)
    for sub in subs.values():
        apply_ratings(sub, ratings, scale)
    accs = load_accommodations(Path(accommodations) if accommodations else course.root / "dispenses.yaml")
    similar, notes = check_similarity(course, assignments)
    return Collected(subs, accs, ratings, incidents_for(course, assignments), book.double_marked(assignments),
                     assignments, case_set_label(course.root), similar, notes)


def check_similarity(course: Course, assignments: list[str]) -> tuple[list[SimilarPair], list[str]]:
    """The pairs of collected copies that look alike over `assignments` (highest score first), and French notes
    on what could not be read; the pairs are written to the course's ``similitudes.json`` (private), which the
    graders' form reads. A signal for the jury, never a decision: nothing here reads or changes a grade."""
    candidates, references, notes = cohort_sources(course.root, assignments)
    pairs = find_similar(candidates, references)
    write_text(course.root / SIMILARITY_FILE,
               json.dumps({"devoirs": assignments, "paires": [p.to_json() for p in pairs], "notes": notes},
                          ensure_ascii=False, indent=1))
    return pairs, notes


def decide(collected: Collected, session: str) -> list[CandidateRecord]:
    """One record per candidate: decisions per criterion, competency, bloc and certification."""
    return build_records(collected.submissions, collected.accommodations, session, collected.ratings,
                         collected.incidents, collected.cases)


def minutes_context(course_root: Path | str, records: list[CandidateRecord], minutes: dict | None = None,
                    scale: Scale | None = None) -> dict:
    """What the minutes and every report show besides the records, read from the course folder: the
    certification's identity (``certification.yaml``, else the project's: a missing field stops here, before
    anything is produced), the jury (``jury.yaml``), the candidates' access routes (``candidats.yaml``), the date,
    place and lateness rule (:func:`mdpc.core.minutes.build_context`)."""
    from mdpc.core import certification, enrolment, roster
    from mdpc.core.minutes import build_context

    root = Path(course_root)
    minutes = minutes or {}
    identity = certification.load(root)
    jury = roster.load(root / roster.ROSTER_FILE)
    extra = [] if jury and jury.jury else list(minutes.get("membres") or [])
    return build_context(identity, jury, enrolment.load(root), records, minutes.get("date", ""),
                         minutes.get("lieu", ""), (scale or default_scale()).late_tolerance_minutes, extra)


def publish(records: list[CandidateRecord], out_dir: Path, collected: Collected | None = None, *, session: str = "",
            minutes: dict | None = None, workers: int | None = None, pdf: bool = True, anonymise: bool = False,
            progress: bool = True, course_root: Path | str | None = None) -> dict:
    """The reports of every candidate, the cohort report, the jury minutes and the CSV files (see
    :func:`mdpc.reports.batch.build_reports`). With `course_root`, every document carries the certification's
    identity and the minutes the jury's composition and the access routes (:func:`minutes_context`); given also
    the jury's date (``minutes["date"]``, AAAA-MM-JJ), the certificates, bloc attestations and notification
    letters are issued in ``<out_dir>/documents/`` (:func:`mdpc.reports.documents.issue_documents`; under the key
    ``documents``, None without a date). The date, the place and the certification's identity are checked before
    any report."""
    from mdpc.reports.batch import build_reports
    from mdpc.reports.documents import FOLDER, check_batch, issue_documents, parse_deliberation_date

    minutes = minutes or {}
    day = parse_deliberation_date(minutes.get("date")) if course_root is not None else None
    if day is not None:
        check_batch(course_root, day, minutes.get("lieu", ""))  # a French error before anything is produced
        minutes = {**minutes, "date": day.isoformat()}  # the minutes write it « 15 janvier 2027 »
    context = minutes_context(course_root, records, minutes) if course_root is not None else dict(minutes)
    result = build_reports(records, out_dir, progress, workers, double=collected.double_marked if collected else [],
                           session=session, minutes=context, pdf=pdf, anonymise=anonymise,
                           similar=collected.similar if collected else [])
    result["documents"] = (issue_documents(records, out_dir / FOLDER, Path(course_root), day, minutes.get("lieu", ""),
                                           progress, pdf) if day is not None else None)
    return result


def publish_session(identifier: str, course: str | Path | None) -> list[str]:
    """``mdpc publier --session``: the session's cases in a course folder of its own, outside the project
    (sources with their keys, session.yaml, the release by nbgrader); returns what was written, in French."""
    import shutil

    from mdpc import CAS_DIR, PROJECT_ROOT
    from mdpc.authoring.sessions import SessionError, build_session, check_identifier, write_session_file

    check_identifier(identifier)
    if not course:
        raise SessionError("Une session se publie dans un dossier de cours à elle : précisez --cours DOSSIER "
                           "(par exemple --cours ../session-2027-03).")
    course_dir, root = Path(course).resolve(), PROJECT_ROOT.resolve()
    if course_dir == root or root in course_dir.parents:
        raise SessionError(f"{course_dir} est dans le projet : le dossier d'une session est un cours à part, hors du "
                           "projet (les cas de référence de cas_pratiques/ ne sont jamais réécrits).")
    if (course_dir / "gradebook.db").exists():
        raise SessionError(f"{course_dir} a déjà un gradebook : une session publiée ne se régénère pas sous des copies "
                           "déjà remises. Choisissez un autre dossier.")
    assignments = sorted(p.name for p in CAS_DIR.glob("B*") if p.is_dir())
    course_dir.mkdir(parents=True, exist_ok=True)
    build_session(identifier, course_dir / "cas_pratiques", assignments)
    if not (course_dir / "nbgrader_config.py").exists():
        shutil.copy(PROJECT_ROOT / "nbgrader_config.py", course_dir / "nbgrader_config.py")
    write_session_file(course_dir, identifier, assignments)
    lines = []
    for a in assignments:
        Course(course_dir).run_in_process("generate_assignment", a)
        lines.append(f"session « {identifier} » : {a} généré dans {course_dir / 'release' / a}")
    return lines + [f"Session « {identifier} » prête dans {course_dir} : sources (cas_pratiques/, corrigés dans "
                    f"corrige/), version candidats (release/), identité de la session ({course_dir / 'session.yaml'})."]
