"""Regenerate the committed release/ folder from cas_pratiques/ with nbgrader, in a scratch course."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .course import run_nbgrader


def generate_release(project_root: Path, target: Path) -> list[str]:
    """Run nbgrader generate_assignment on every assignment into target (a throwaway gradebook)."""
    assignments = sorted(p.name for p in (project_root / "cas_pratiques").glob("B*") if p.is_dir())
    with tempfile.TemporaryDirectory(prefix="mdpc-publier-") as tmp:
        scratch = Path(tmp)
        shutil.copytree(project_root / "cas_pratiques", scratch / "cas_pratiques",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "reponses.json*"))
        shutil.copy(project_root / "nbgrader_config.py", scratch / "nbgrader_config.py")
        for a in assignments:
            run_nbgrader(["generate_assignment", a, "--force"], scratch, scratch / "journal.log")
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(scratch / "release", target)
    return [f"release/{a}/ régénéré" for a in assignments]


def regenerate_release(project_root: Path) -> list[str]:
    return generate_release(project_root, project_root / "release")
