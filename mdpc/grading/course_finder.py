"""Find the course a grader works on, without editing code, and never create a gradebook where none is.

A *graded course* is a folder holding ``nbgrader_config.py`` and a gradebook: the SQLite file its
configuration names (``gradebook.db`` by default) exists, or the configuration points to a database server
(PostgreSQL). The project's root holds ``nbgrader_config.py`` but, until autograding runs there, no
gradebook: it is not offered, and opening it is refused in French — opening nbgrader's gradebook or the
journal of ratings would silently create empty ``gradebook.db`` and ``notation.db`` files.

:func:`courses_near` looks where a grader's notebook is opened: the folder itself, its parents (two levels)
and the folders directly inside each of them (the project's ``demo_mdpc/`` after ``make demo``, a sibling
course folder…). :class:`CoursePicker` offers them in the grading notebook (grilles/saisie_des_notes.ipynb).
"""

from __future__ import annotations

import os
from pathlib import Path

import ipywidgets as w
from IPython.display import display

from mdpc.core.safe_text import html_text
from mdpc.grading.course import CourseError, configured_db_url

SKIPPED = {".git", ".venv", "node_modules", "__pycache__", ".ipynb_checkpoints"}


def gradebook_of(root: Path) -> str | None:
    """Where the course's gradebook is, or None when the folder is not a graded course (nothing is created)."""
    if not (root / "nbgrader_config.py").is_file():
        return None
    try:
        url = configured_db_url(root)
    except CourseError:
        return None
    if not url.startswith("sqlite:///"):
        return url  # a database server: it holds the gradebook
    path = Path(url.removeprefix("sqlite:///"))
    return str(path) if path.is_file() else None


def check_graded(root: str | Path) -> Path:
    """`root`, resolved, if it is a graded course; else a French CourseError (and no file is created)."""
    root = Path(root).resolve()
    if not (root / "nbgrader_config.py").is_file():
        raise CourseError(f"{root} n'est pas un dossier de cours nbgrader (nbgrader_config.py absent).")
    if gradebook_of(root) is None:
        raise CourseError(f"Le dossier {root} n'a pas encore de gradebook : aucune copie n'y a été autocorrigée. "
                          "Choisissez le dossier d'un cours corrigé (par exemple demo_mdpc après « make demo ») ; "
                          "rien n'a été créé ici.")
    return root


def courses_near(start: str | Path = ".") -> list[Path]:
    """The graded courses around `start`: itself, its two parents and the folders directly inside each."""
    start = Path(start).resolve()
    places = [start, *list(start.parents)[:2]]
    seen: list[Path] = []
    for place in places:
        try:
            inside = sorted(p for p in place.iterdir() if p.is_dir() and p.name not in SKIPPED)
        except OSError:
            inside = []
        for folder in (place, *inside):
            if folder not in seen and gradebook_of(folder) is not None:
                seen.append(folder)
    return seen


def label(folder: Path, start: Path) -> str:
    """A course folder as the picker names it: its path from the notebook's folder."""
    return os.path.relpath(folder, start)


class CoursePicker:
    """The grading notebook's first widget: the graded courses found near the notebook, the nearest chosen;
    choosing another opens its rubric entry form (:class:`mdpc.grading.rating_form.RubricEntry`) below."""

    def __init__(self, start: str | Path = ".", devoir: str | None = None, correcteur: str = ""):
        self.start = Path(start).resolve()
        # the grader's name: given, else the one `make lab CORRECTEUR="…"` sets (formgrader signs with it too)
        self.devoir, self.correcteur = devoir, correcteur or os.environ.get("MDPC_CORRECTEUR", "")
        self.found = courses_near(self.start)
        self.course = w.Dropdown(options=[(label(p, self.start), str(p)) for p in self.found],
                                 description="Cours", style={"description_width": "initial"})
        self.message = w.HTML()
        self.entry = None
        self.box = w.VBox([self.course, self.message])
        if not self.found:
            self.message.value = (f"✘ Aucun cours corrigé trouvé autour de {html_text(str(self.start))} (un dossier "
                                  "avec nbgrader_config.py et un gradebook). Lancez « make demo », ou ouvrez ce "
                                  "carnet dans le dossier de votre cours.")
            return
        self.course.value = str(self.found[0])
        self.course.observe(lambda _: self.open(), names="value")
        self.open()

    def open(self) -> None:
        from mdpc.grading.rating_form import RubricEntry

        previous = self.entry
        try:
            self.entry = RubricEntry(cours=self.course.value, devoir=self.devoir, correcteur=(
                previous.grader.value if previous else self.correcteur))
        except CourseError as exc:
            self.message.value = f"✘ {html_text(str(exc))}"
            return
        self.message.value = ""
        self.box.children = [self.course, self.message, self.entry.widget()]
        self.entry.focus()

    def _ipython_display_(self):
        display(self.box)
