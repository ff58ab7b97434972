"""Courseware and grading tools for the MDPC certification (« Manager développement et performance commerciale »)."""

from pathlib import Path

__version__ = "0.1.0"

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GRILLES_DIR = PROJECT_ROOT / "grilles"
CAS_DIR = PROJECT_ROOT / "cas_pratiques"
RELEASE_DIR = PROJECT_ROOT / "release"
COURS_DIR = PROJECT_ROOT / "cours"
