"""The MDPC grading system: from the referential to the jury minutes (see ARCHITECTURE.md).

Layers, each importing only those before it: ``mdpc.core`` (referential, scale, grids, decisions,
exemptions, the typed record), ``mdpc.authoring`` (data generators, rubric cells, coverage matrix, demo
cohort), ``mdpc.grading`` (nbgrader side: course, autograde, sandbox, intake, ratings journal, feedback),
``mdpc.reports`` (papermill templates and their views), then ``mdpc.app`` (collect → decide → publish),
``mdpc.demo`` and ``mdpc.cli``. Candidates never import this package; they import the kit, ``mdpc_utils``.
"""

from pathlib import Path

__version__ = "0.2.0"

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GRILLES_DIR = PROJECT_ROOT / "grilles"
CAS_DIR = PROJECT_ROOT / "cas_pratiques"
RELEASE_DIR = PROJECT_ROOT / "release"
COURS_DIR = PROJECT_ROOT / "cours"
