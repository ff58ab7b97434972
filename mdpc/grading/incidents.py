"""Incidents of autograde: what the checks of each copy found, and the copies that could not be graded.

Each graded copy carries its incidents in ``autograded/<candidate>/<assignment>/incidents_correction.json``
(:data:`INCIDENTS_FILE`); a copy that could not be autograded stays in ``incidents_autocorrection.json`` at
the course root (:data:`FAILURES_FILE`) until a later run grades it, and gets a gradebook submission so that
the candidate appears in the decisions, the reports and the jury minutes with criteria still pending.
What ``nbgrader collect`` left out of a submission (links, special files: :mod:`.safe_exchange`) is kept in
:data:`COLLECT_FILE`, at the course root, until the candidate's next collected submission replaces it.
"""

from __future__ import annotations

import json
from pathlib import Path

from mdpc.grading.course import Course
from mdpc.grading.nofollow import write_text

INCIDENTS_FILE = "incidents_correction.json"

FAILURES_FILE = "incidents_autocorrection.json"  # at the course root: {assignment: {student: message}}

COLLECT_FILE = "incidents_ramassage.json"  # at the course root: {assignment: {student: [incident, ...]}}


def _read_json(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:  # a damaged file must not stop a batch; the next run rewrites it
        return {}
    return data if isinstance(data, dict) else {}


def note_collected(root: Path, assignment: str, student: str, incidents: list[dict]) -> None:
    """Keep what the collect of this candidate's submission left out (replacing what an earlier collect of
    the same assignment said), in ``COLLECT_FILE``, written without following a link, owner only."""
    path = Path(root) / COLLECT_FILE
    data = _read_json(path)
    mine = data.setdefault(assignment, {})
    if incidents:
        mine[student] = incidents
    else:
        mine.pop(student, None)
    data = {a: dict(sorted(per.items())) for a, per in sorted(data.items()) if per}
    if data or path.exists():
        write_text(path, json.dumps(data, ensure_ascii=False, indent=1))


def _read_failures(course: Course) -> dict[str, dict[str, str]]:
    return _read_json(course.root / FAILURES_FILE)


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
        write_text(path, json.dumps(failures, ensure_ascii=False, indent=1))
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
    """{student: incidents} of one assignment's copies that had any: what the collect left out of the
    submission (:data:`COLLECT_FILE`), what the checks of :mod:`.intake` and the sweeps found in each graded
    copy, and the copies whose autograde failed (type ``echec_autocorrection``)."""
    out: dict[str, list[dict]] = {}
    for student, items in _read_json(course.root / COLLECT_FILE).get(assignment, {}).items():
        if isinstance(items, list) and items:
            out.setdefault(student, []).extend(items)
    for path in sorted((course.root / "autograded").glob(f"*/{assignment}/{INCIDENTS_FILE}")):
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            items = [{"carnet": "", "type": "incidents_illisibles",
                      "message": f"le relevé d'incidents {path.name} est illisible"}]
        if items:
            out.setdefault(path.parent.parent.name, []).extend(items)
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
