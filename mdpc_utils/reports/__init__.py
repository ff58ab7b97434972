"""Papermill report templates: one ``parameters`` cell each, executed once per candidate."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent
CANDIDATE_TEMPLATE = TEMPLATES / "rapport_candidat.ipynb"
