"""nbgrader configuration of the MDPC course (the project's root is the course directory).

Trainers run nbgrader from this folder: ``nbgrader generate_assignment B4_pilotage_performance``,
``nbgrader release_assignment``, ``nbgrader collect``, ``nbgrader autograde``. The demo (``mdpc demo``)
writes a copy of this file into its own working folder, with its own gradebook and exchange.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by nbgrader when it reads this file)

ROOT = Path(__file__).resolve().parent if "__file__" in globals() else Path(os.getcwd())

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.course_id = "mdpc"
c.CourseDirectory.source_directory = "cas_pratiques"
c.CourseDirectory.release_directory = "release"
# The gradebook: SQLite in the course folder; for a jury of several graders working at once, PostgreSQL
# (README, « Un gradebook partagé ») : MDPC_DB_URL=postgresql+psycopg://utilisateur@hôte/base
c.CourseDirectory.db_url = os.environ.get("MDPC_DB_URL") or f"sqlite:///{ROOT / 'gradebook.db'}"
# The solution's widget answers (corrige/) and answers files set aside never leave the source folder.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "corrige",
                            "reponses.json.corrompu-*", ".reponses-*"]

# Exchange folder on this machine (one machine, or a shared disk); JupyterHub courses set their own.
c.Exchange.root = str(ROOT / "echange")
c.Exchange.timezone = "Europe/Paris"

# What candidates see where a solution was removed: French stubs. The code stub raises nothing, so that « Run All »
# on an unfinished copy reaches the last cell and shows every form (issue 17); an unanswered name then gets a
# one-line French notice from the cells that read it, and no point.
c.ClearSolutions.code_stub = {"python": "# À COMPLÉTER : écrivez votre code ici\npass"}
c.ClearSolutions.text_stub = "RÉDIGEZ VOTRE RÉPONSE ICI"

# A candidate's widget answers are theirs: autograde must never overwrite them with a source copy.
_assignments = sorted(p.name for p in (ROOT / "cas_pratiques").glob("B*") if p.is_dir())
c.Autograde.exclude_overwriting = {a: ["reponses.json"] for a in _assignments}

# A graded or rubric cell that a candidate deleted is put back at autograde, with this note (French).
c.OverwriteCells.add_missing_cells = True
c.OverwriteCells.missing_cell_notification = ("Cellule (id : {cell_id}) absente de la copie remise : "
                                              "rétablie à la correction.\n\n")

# A cell that runs longer than this is stopped (infinite loop in a submission).
c.Execute.timeout = 120
c.Execute.startup_timeout = 120

# formgrader does not print this configuration on its assignments page (graders would read the gradebook's URL,
# with its password when PostgreSQL has one, and the course's paths).
c.FormgradeExtension.debug = False

# nbclient may stall for a whole cell timeout after a widget cell: poll the kernel in slices (see module).
try:
    import mdpc.grading.kernel_channels  # noqa: F401
except ImportError:  # nbgrader run outside the project's environment
    pass

# Hidden tests judged in a kernel of their own, which no code of the candidate ever runs in (mdpc.grading.judge).
try:
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    from mdpc.grading.judge import JudgedExecute

    c.Autograde.autograde_preprocessors = [JudgedExecute if p is Execute else p
                                           for p in Autograde.class_traits()["autograde_preprocessors"].default()]
except ImportError:  # nbgrader run outside the project's environment
    pass

# Feedback for candidates: no hidden tests nor mark schemes, short French errors, rubric levels shown;
# nothing active in the page (candidates' HTML, scripts, graders' comments as plain text); personal data,
# so owner only (files 0600, folders 0700); the exchange's copy stays readable by candidates.
try:
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    from mdpc.grading.feedback import CandidateFeedback, FeedbackExporter, SafeFeedback, private_feedback

    c.GenerateFeedback.preprocessors = [CandidateFeedback, GetGrades, SafeFeedback, CSSHTMLHeaderPreprocessor]
    c.GenerateFeedback.exporter_class = FeedbackExporter  # HTMLExporter without its soup pass: feedback 1.6 × faster
    c.GenerateFeedback.permissions = 600
    c.GenerateFeedback.post_convert_hook = private_feedback(ROOT / "feedback")
    c.ExchangeFactory.release_feedback = "mdpc.grading.safe_exchange.SafeReleaseFeedback"
except ImportError:  # nbgrader run outside the project's environment: nbgrader's own feedback
    pass

# The exchange's inbound folder is writable by every candidate: collect never follows a link found there
# (mdpc/grading/safe_exchange.py; what it leaves out becomes an incident of the copy).
try:
    import mdpc.grading.safe_exchange  # noqa: F401

    c.ExchangeFactory.collect = "mdpc.grading.safe_exchange.SafeCollect"
except ImportError:  # nbgrader run outside the project's environment: nbgrader's own collect follows links
    pass
