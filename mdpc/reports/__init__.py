"""Papermill report templates: one ``parameters`` cell each."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent
CANDIDATE_TEMPLATE = TEMPLATES / "rapport_candidat.ipynb"
COHORT_TEMPLATE = TEMPLATES / "rapport_cohorte.ipynb"
MINUTES_TEMPLATE = TEMPLATES / "pv_jury.ipynb"
HTML_TEMPLATES = TEMPLATES / "templates"  # nbconvert templates: the report pages, with nothing fetched remotely
SELF_CONTAINED = "mdpc_autonome"
