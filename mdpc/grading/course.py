"""nbgrader glue: run nbgrader on a course folder, read the gradebook into criterion results, write levels.

A course folder holds ``nbgrader_config.py``, ``cas_pratiques/`` (source), ``release/``, ``submitted/``,
``autograded/`` and ``gradebook.db``: the project's root is one, the demo's working folder another.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from mdpc.authoring.coverage import checks_of
from mdpc.core.decisions import CriterionResult, TestScore, resolve_level
from mdpc.core.grids import Grid, Scale, default_grids, default_scale
from mdpc.core.submissions import Submission, merge_submissions
from mdpc.errors import MdpcError


class CourseError(MdpcError):
    """An nbgrader step failed or the course folder is not usable (message in French)."""


def nbgrader_env() -> dict:
    """Environment for nbgrader subprocesses: this interpreter's bin folder first (nbgrader calls alembic)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def _venv_on_path() -> None:
    """This interpreter's bin folder on PATH, for what nbgrader starts itself (alembic) in this process."""
    here = str(Path(sys.executable).parent)
    if here not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = here + os.pathsep + os.environ.get("PATH", "")


def run_nbgrader(args: list[str], cwd: str | Path, log: Path | None = None, check: bool = True,
                 timeout: float | None = 3600, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in cwd (with `env` added to the environment); its output goes to the log."""
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env={**nbgrader_env(), **(env or {})},
                          capture_output=True, text=True, timeout=timeout)
    if log:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"\n$ nbgrader {' '.join(args)}\n{proc.stdout}{proc.stderr}")
    if check and proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-12:])
        raise CourseError(f"La commande « nbgrader {' '.join(args)} » a échoué (code {proc.returncode}).\n{tail}")
    return proc


@dataclass
class CellMaps:
    """What the source notebooks say about their graded cells."""

    evidence: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)  # (notebook, test id) -> criterion
    rubric: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)    # (notebook, rubric id) -> criterion
    notebooks: list[str] = field(default_factory=list)
    checks: dict[tuple[str, str], str] = field(default_factory=dict)  # (notebook, test id) -> what the test checks

    def rubric_cell(self, competency: str, number: int) -> tuple[str, str]:
        for key, crit in self.rubric.items():
            if crit == (competency, number):
                return key
        raise CourseError(f"Aucune cellule d'évaluation pour {competency}, critère {number}, dans ce devoir.")


def cell_maps(source_dir: Path) -> CellMaps:
    maps = CellMaps()
    for path in sorted(source_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        maps.notebooks.append(path.stem)
        for cell in nb.cells:
            g = cell.metadata.get("nbgrader", {})
            md = cell.metadata.get("mdpc", {})
            if "competence" not in md or "grade_id" not in g:
                continue
            crit = (md["competence"], int(md["critere"]))
            if g.get("task"):
                maps.rubric[(path.stem, g["grade_id"])] = crit
            elif g.get("grade") and cell.cell_type == "code":
                maps.evidence[(path.stem, g["grade_id"])] = crit
                maps.checks[(path.stem, g["grade_id"])] = checks_of(cell.source)
    return maps


def configured_db_url(root: Path) -> str:
    """The gradebook's address as the course's nbgrader_config.py sets it (``c.CourseDirectory.db_url``):
    SQLite in the course folder by default, PostgreSQL for a jury of several graders (README)."""
    from traitlets.config.loader import PyFileConfigLoader

    try:
        config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
        url = config.CourseDirectory.get("db_url") if "CourseDirectory" in config else None
    except Exception as exc:
        raise CourseError(f"nbgrader_config.py de {root} illisible : {exc.__class__.__name__} : {exc}") from None
    return str(url) if url else f"sqlite:///{root / 'gradebook.db'}"


class Course:
    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        if not (self.root / "nbgrader_config.py").exists():
            raise CourseError(f"{self.root} n'est pas un dossier de cours nbgrader (nbgrader_config.py absent).")
        self.db_url = configured_db_url(self.root)
        self._maps: dict[str, tuple[tuple, CellMaps]] = {}

    def source(self, assignment: str) -> Path:
        return self.root / "cas_pratiques" / assignment

    def maps(self, assignment: str) -> CellMaps:
        """The assignment's graded cells, read once and again only when a source notebook changes."""
        src = self.source(assignment)
        if not src.is_dir():
            raise CourseError(f"Devoir introuvable : {src}")
        stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in src.glob("*.ipynb")))
        cached = self._maps.get(assignment)
        if cached is None or cached[0] != stamp:
            cached = self._maps[assignment] = (stamp, cell_maps(src))
        return cached[1]

    def nbgrader(self, *args: str, log: Path | None = None, check: bool = True):
        return run_nbgrader(list(args), self.root, log or self.root / "journal_nbgrader.log", check)

    def nbgrader_api(self):
        """nbgrader's own API (the one formgrader uses), configured from this course's nbgrader_config.py."""
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        config.CourseDirectory.root = str(self.root)
        config.CourseDirectory.db_url = self.db_url
        return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)

    def run_in_process(self, step: str, assignment: str, log: Path | None = None) -> None:
        """``nbgrader generate_assignment | release_assignment | collect`` for one assignment, through nbgrader's API
        in this process: the same code as the command without a Python start (≈ 2 s) each time. The log goes
        to the course journal; a failure raises CourseError with its last lines."""
        steps = {"generate_assignment": lambda api: api.generate_assignment(assignment, force=True),
                 "release_assignment": lambda api: api.release_assignment(assignment),
                 "collect": lambda api: api.collect(assignment, update=False)}  # the command's default
        _venv_on_path()
        result = steps[step](self.nbgrader_api())
        text = (result.get("log") or "") + (result.get("error") or "")
        log = log or self.root / "journal_nbgrader.log"
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"\n$ nbgrader {step} {assignment}   (API de nbgrader, dans le processus)\n{text}")
        if not result.get("success"):
            tail = "\n".join(text.strip().splitlines()[-12:])
            raise CourseError(f"« nbgrader {step} {assignment} » a échoué.\n{tail}")

    def gradebook(self):
        from nbgrader.api import Gradebook

        _venv_on_path()  # a new gradebook runs `alembic` (nbgrader.api.get_alembic_version)
        return Gradebook(self.db_url)

    def students(self) -> list[tuple[str, str]]:
        with self.gradebook() as gb:
            return [(s.id, " ".join(x for x in (s.first_name, s.last_name) if x) or s.id) for s in gb.students]

    def read(self, assignment: str, scale: Scale | None = None,
             grids: dict[str, Grid] | None = None) -> dict[str, Submission]:
        """Every submission of the assignment as criterion results: the share of autograded points of each
        criterion, the tests it rests on (in the notebook's order) and the level it proposes, within the
        criterion's cap. Graders' levels are not read here: the journal of ratings holds them
        (:func:`mdpc.core.ratings.apply_ratings`); the gradebook's copy is kept aside, to be compared."""
        scale = scale or default_scale()
        grids = default_grids() if grids is None else grids
        maps = self.maps(assignment)
        order = {key: i for i, key in enumerate(maps.evidence)}
        out: dict[str, Submission] = {}
        with self.gradebook() as gb:
            try:
                assignment_row = gb.find_assignment(assignment)
            except Exception as exc:
                raise CourseError(f"Le devoir « {assignment} » n'est pas dans le gradebook : lancez d'abord l'autocorrection.") from exc
            due = assignment_row.duedate
            for sub in assignment_row.submissions:
                student = sub.student
                name = " ".join(x for x in (student.first_name, student.last_name) if x) or student.id
                earned: dict[tuple[str, int], list[float]] = {}
                mirrored: dict[tuple[str, int], float | None] = {}
                s = Submission(student.id, name, {}, sub.timestamp, due, assignment=assignment)
                present = set()
                tests: dict[tuple[str, int], list[tuple[int, TestScore]]] = {}
                for nb in sub.notebooks:
                    present.add(nb.name)
                    for grade in nb.grades:
                        key = (nb.name, grade.name)
                        if key in maps.evidence:
                            e = earned.setdefault(maps.evidence[key], [0.0, 0.0])
                            e[0] += grade.score or 0.0
                            e[1] += grade.max_score or 0.0
                            tests.setdefault(maps.evidence[key], []).append((order[key], TestScore(
                                grade.name, grade.score or 0.0, grade.max_score or 0.0, maps.checks.get(key, ""))))
                            s.auto_score += grade.score or 0.0
                            s.auto_max += grade.max_score or 0.0
                        elif key in maps.rubric:
                            mirrored[maps.rubric[key]] = grade.manual_score
                s.missing_notebooks = [n for n in maps.notebooks if n not in present]
                for crit in set(maps.rubric.values()) | set(earned):
                    r = CriterionResult(*crit, gradebook_level=mirrored.get(crit),
                                        tests=[t for _, t in sorted(tests.get(crit, []), key=lambda x: x[0])])
                    if crit in earned and earned[crit][1]:
                        r.auto_share = earned[crit][0] / earned[crit][1]
                    s.results[crit] = resolve_level(r, None, scale, grids)
                out[student.id] = s
        return out

    def read_many(self, assignments: list[str], scale: Scale | None = None) -> dict[str, Submission]:
        """Every candidate's submissions over several assignments, merged (see merge_submissions)."""
        if len(assignments) == 1:
            return self.read(assignments[0], scale)
        return merge_submissions({a: self.read(a, scale) for a in assignments})

    def assignments(self) -> list[str]:
        """The assignments of the gradebook, in name order (B1… before B4…)."""
        with self.gradebook() as gb:
            return sorted(a.name for a in gb.assignments)

    def assignment_of(self, competency: str) -> str:
        """The assignment whose rubric cells rate this competency."""
        for src in sorted(p for p in (self.root / "cas_pratiques").glob("B*") if p.is_dir()):
            if any(c == competency for c, _ in self.maps(src.name).rubric.values()):
                return src.name
        raise CourseError(f"Aucun devoir du cours n'évalue la compétence {competency}.")

    def submitted_assignments(self) -> list[str]:
        """Assignments with at least one collected submission (submitted/<candidate>/<assignment>)."""
        return sorted({p.name for p in (self.root / "submitted").glob("*/*") if p.is_dir()})
