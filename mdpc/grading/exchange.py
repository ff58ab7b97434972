"""A candidate's side of nbgrader's exchange, run in this process: fetch an assignment, submit it.

The demo and the end-to-end tests play several candidates at once, each in their own home folder, as on
their own machine; this runs nbgrader's own exchange classes (the code of ``nbgrader fetch_assignment`` and
``nbgrader submit``) without starting Python twice per assignment.
"""

from __future__ import annotations

from pathlib import Path

COURSE_ID = "mdpc"  # the course of nbgrader_config.py
CACHE_DIR = ".nbgrader_cache"


def exchange_step(step: str, home: Path, assignment: str, student: str, exchange_root: Path,
                  strict: bool = True, course_id: str = COURSE_ID) -> None:
    """A candidate's ``nbgrader fetch_assignment`` (`step` "fetch") or ``nbgrader submit`` ("submit").

    `home` is the candidate's folder: the assignment is fetched into ``home/<assignment>`` and
    submitted from there. nbgrader keeps a copy of each submission in a local cache, by default one per
    user account (``$JUPYTER_DATA_DIR/nbgrader_cache``): here each candidate has their own,
    ``home/.nbgrader_cache``, as on their own machine. Sharing one would mix candidates' copies, write
    fictional ones into the real user's data folder, and make candidates submitting at the same time race
    to create it (nbgrader tests, then creates the folder: ``FileExistsError``).
    `strict`: refuse a submission with a notebook missing (``nbgrader submit --strict``, which the demo
    uses); without it, nbgrader warns and submits, as its default does."""
    if step not in ("fetch", "submit"):
        raise ValueError(f"exchange step {step!r}: 'fetch' or 'submit'")
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit
    from traitlets.config import Config

    cfg = Config()
    cfg.CourseDirectory.root = str(home)
    cfg.CourseDirectory.course_id = course_id
    cfg.CourseDirectory.assignment_id = assignment
    cfg.Exchange.root = str(exchange_root)
    cfg.Exchange.assignment_dir = str(home)
    cfg.Exchange.cache = str(Path(home) / CACHE_DIR)
    cfg.Exchange.timezone = "Europe/Paris"
    if step == "submit":
        cfg.CourseDirectory.student_id = student
        cfg.ExchangeSubmit.strict = strict
    kind = ExchangeSubmit if step == "submit" else ExchangeFetchAssignment
    kind(coursedir=CourseDirectory(config=cfg), authenticator=Authenticator(config=cfg), config=cfg).start()
