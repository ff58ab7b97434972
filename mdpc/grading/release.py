"""Regenerate the committed release/ folder from cas_pratiques/ with nbgrader, in a scratch course."""

from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mdpc.grading.course import run_nbgrader


def generate_release(project_root: Path, target: Path) -> list[str]:
    """Run nbgrader generate_assignment on every assignment into target (a throwaway gradebook)."""
    assignments = sorted(p.name for p in (project_root / "cas_pratiques").glob("B*") if p.is_dir())
    with tempfile.TemporaryDirectory(prefix="mdpc-publier-") as tmp:
        scratch = Path(tmp)
        shutil.copytree(project_root / "cas_pratiques", scratch / "cas_pratiques",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "reponses.json*"))

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
            list(pool.map(generate, assignments))
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for a in assignments:
            shutil.copytree(scratch / "cours" / a / "release" / a, target / a)
    return [f"release/{a}/ régénéré" for a in assignments]


def regenerate_release(project_root: Path) -> list[str]:
    return generate_release(project_root, project_root / "release")
