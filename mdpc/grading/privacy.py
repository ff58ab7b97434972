"""Personal data stays with its owner: what the project writes about candidates is not world-readable.

The course folder holds personal data in a known set of places (README, « Données personnelles »):
``submitted/``, ``autograded/``, ``feedback/``, ``rapports/``, ``copies_anonymes/`` and ``lecture/`` (the grading
form's read-only pages of the copies) (folders),
``gradebook.db``, ``notation.db``, the copy numbers of anonymous grading ``anonymat.json``,
``incidents_autocorrection.json``, ``incidents_ramassage.json``, the register of issued documents and its key
(``registre_parchemins.json``, ``.cle_parchemins``), the jury's ``dispenses*.yaml``, the roster of graders and jury
``jury*.yaml``, the candidates' registration ``candidats*.yaml`` and the journals (files). :func:`protect_course`
sets the folders to 0700 and the files to 0600 (owner only): a file nbgrader writes 0444 inside a 0700 folder
stays out of other users' reach. The exchange folder keeps nbgrader's own permission model.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PERSONAL_FOLDERS = ("submitted", "autograded", "feedback", "rapports", "copies_anonymes", "lecture")
PERSONAL_FILES = ("gradebook.db", "notation.db", "anonymat.json", "journal_autocorrection.log",
                  "journal_nbgrader.log", "incidents_autocorrection.json", "incidents_ramassage.json",
                  "registre_parchemins.json", ".cle_parchemins", ".registre_parchemins.verrou")  # register of issued documents, its secret key
PERSONAL_PATTERNS = ("dispenses*.yaml", "amenagements*.yaml", "jury*.yaml", "candidats*.yaml")


def make_private(path: Path) -> None:
    """Owner only: 0700 for a folder, 0600 for a file (nothing if it does not exist, nor if it is a link:
    a link is never followed, its target is not the course's)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        os.chmod(path, 0o700)
    elif stat.S_ISREG(mode):
        os.chmod(path, 0o600)


def personal_paths(root: Path) -> list[Path]:
    paths = [root / p for p in PERSONAL_FOLDERS + PERSONAL_FILES]
    paths += [p for pattern in PERSONAL_PATTERNS for p in sorted(root.glob(pattern))]
    return [p for p in paths if p.exists()]


def protect_course(root: Path) -> list[Path]:
    """Make every personal-data place of a course folder private; returns what was protected."""
    paths = personal_paths(Path(root))
    for p in paths:
        make_private(p)
    return paths
