"""Regenerate the committed release/ folder from cas_pratiques/ and cours/ with nbgrader, in a scratch course.

Cases are released as nbgrader makes them, one folder per assignment (``release/<devoir>/``). Each lesson
(``cours/<bloc>/``: its notebook and its own ``donnees/``) goes through the same ``nbgrader
generate_assignment`` as an assignment of its own, ``lecon_<bloc>``, released under ``release/lecons/``
(apart from the cases, so that what is checked of a case's release — stubs, no solution — stays the
cases'). A lesson has no solution and no test: its release is its source, with nbgrader's metadata.
"""

from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mdpc.grading.course import run_nbgrader

LESSONS_RELEASE = "lecons"  # release/lecons/lecon_<bloc>/
LESSON_PREFIX = "lecon_"
_IGNORED = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "reponses.json*", "mes_donnees")


def lesson_folders(project_root: Path) -> dict[str, Path]:
    """{assignment id: lesson folder}: every folder of cours/ that holds a lesson notebook."""
    cours = project_root / "cours"
    return {f"{LESSON_PREFIX}{p.name}": p for p in sorted(cours.iterdir()) if p.is_dir() and any(p.glob("*.ipynb"))}


def generate_release(project_root: Path, target: Path) -> list[str]:
    """Run nbgrader generate_assignment on every assignment and lesson into target (a throwaway gradebook)."""
    assignments = sorted(p.name for p in (project_root / "cas_pratiques").glob("B*") if p.is_dir())
    lessons = lesson_folders(project_root)
    with tempfile.TemporaryDirectory(prefix="mdpc-publier-") as tmp:
        scratch = Path(tmp)
        shutil.copytree(project_root / "cas_pratiques", scratch / "cas_pratiques", ignore=_IGNORED)
        for a, folder in lessons.items():  # a lesson is a source assignment of the scratch course
            shutil.copytree(folder, scratch / "cas_pratiques" / a, ignore=_IGNORED)

        # one scratch course per assignment (its own gradebook), two nbgrader runs at a time
        def generate(a: str) -> None:
            course = scratch / "cours" / a
            course.mkdir(parents=True)
            (course / "cas_pratiques").symlink_to(scratch / "cas_pratiques", target_is_directory=True)
            shutil.copy(project_root / "nbgrader_config.py", course / "nbgrader_config.py")
            with open(course / "nbgrader_config.py", "a", encoding="utf-8") as fh:  # never a shared gradebook
                fh.write(f"\nc.CourseDirectory.db_url = {'sqlite:///' + str(course / 'gradebook.db')!r}\n")
            run_nbgrader(["generate_assignment", a, "--force"], course, course / "journal.log")

        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(generate, [*assignments, *lessons]))
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for a in assignments:
            shutil.copytree(scratch / "cours" / a / "release" / a, target / a)
        for a in lessons:
            shutil.copytree(scratch / "cours" / a / "release" / a, target / LESSONS_RELEASE / a)
    return [f"release/{a}/ régénéré" for a in assignments] + [
        f"release/{LESSONS_RELEASE}/{a}/ régénéré (leçon)" for a in lessons]


def regenerate_release(project_root: Path) -> list[str]:
    return generate_release(project_root, project_root / "release")
