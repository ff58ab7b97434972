"""Incidents of autograde: what the checks of each copy found, and the copies that could not be graded.

Each graded copy carries its incidents in ``autograded/<candidate>/<assignment>/incidents_correction.json``
(:data:`INCIDENTS_FILE`); a copy that could not be autograded stays in ``incidents_autocorrection.json`` at
the course root (:data:`FAILURES_FILE`) until a later run grades it, and gets a gradebook submission so that
the candidate appears in the decisions, the reports and the jury minutes with criteria still pending.
"""

from __future__ import annotations

import json

from mdpc.grading.course import Course

INCIDENTS_FILE = "incidents_correction.json"

FAILURES_FILE = "incidents_autocorrection.json"  # at the course root: {assignment: {student: message}}


def _read_failures(course: Course) -> dict[str, dict[str, str]]:
    path = course.root / FAILURES_FILE
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:  # a damaged file must not stop a batch; the next run rewrites it
        return {}


def note_failures(course: Course, assignment: str, errors: dict[str, str], graded: list[str]) -> None:
    """Keep the copies that could not be graded (until a later run grades them), and give each a
    submission in the gradebook: the candidate then appears in the decisions, the reports and the jury
    minutes, with criteria still to rate (« en attente »), instead of vanishing."""
    failures = _read_failures(course)
    mine = {s: m for s, m in failures.get(assignment, {}).items() if s not in graded}
    mine.update(errors)
    if mine:
        failures[assignment] = dict(sorted(mine.items()))
    else:
        failures.pop(assignment, None)
    path = course.root / FAILURES_FILE
    if failures or path.exists():
        path.write_text(json.dumps(failures, ensure_ascii=False, indent=1), encoding="utf-8")
    if not errors:
        return
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url) as gb:
        for student in errors:
            try:
                gb.find_submission(assignment, student)
                continue  # graded before: its last grades stay, the incident says they are not the latest
            except MissingEntry:
                pass
            stamp = course.root / "submitted" / student / assignment / "timestamp.txt"
            try:
                when = {"timestamp": stamp.read_text(encoding="utf-8").strip()}
            except OSError:
                when = {}
            for kwargs in (when, {}):  # without the time if nbgrader cannot read it
                try:
                    gb.update_or_create_student(student)  # a candidate collected but never registered
                    gb.add_submission(assignment, student, **kwargs)
                    break
                except Exception:  # noqa: BLE001 — never stop a batch here: the failure stays listed
                    gb.db.rollback()


def read_incidents(course: Course, assignment: str) -> dict[str, list[dict]]:
    """{student: incidents} of one assignment's copies that had any: what the checks of :mod:`.intake`
    found in each graded copy, and the copies whose autograde failed (type ``echec_autocorrection``)."""
    out: dict[str, list[dict]] = {}
    for path in sorted((course.root / "autograded").glob(f"*/{assignment}/{INCIDENTS_FILE}")):
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            items = [{"carnet": "", "type": "incidents_illisibles",
                      "message": f"le relevé d'incidents {path.name} est illisible"}]
        if items:
            out[path.parent.parent.name] = items
    for student, message in _read_failures(course).get(assignment, {}).items():
        earlier = (course.root / "autograded" / student / assignment).is_dir()
        out.setdefault(student, []).append({
            "carnet": "", "type": "echec_autocorrection", "corrigee_avant": earlier,
            "message": ("dernière autocorrection en échec, les points sont ceux de la correction précédente "
                        if earlier else "copie non autocorrigée, critères en attente ")
            + "(relancer mdpc autograde) : " + message})
    return out


def incidents_for(course: Course, assignments: list[str]) -> dict[str, list[dict]]:
    """{student: incidents} over several assignments, each incident naming its assignment (``devoir``)."""
    out: dict[str, list[dict]] = {}
    for assignment in assignments:
        for student, items in read_incidents(course, assignment).items():
            out.setdefault(student, []).extend({"devoir": assignment, **i} for i in items)
    return out
