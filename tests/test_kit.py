"""The candidate kit (package mdpc_utils) stands alone and gives no answer away.

a. every kit module imports in a fresh interpreter where the grading stack cannot be imported;
b. ``pip install ./mdpc_utils`` installs the kit alone, and that copy is complete and is the one imported;
c. no public function of the kit, run on a case's data, returns a value that a hidden test expects;
d. the kit's files hold no answer key and no demo material.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import inspect
import io
import itertools
import json
import math
import multiprocessing
import numbers
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import typing
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mdpc import CAS_DIR, PROJECT_ROOT

KIT_DIR = PROJECT_ROOT / "mdpc_utils"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


KIT_MODULES = sorted(_module_name(p) for p in KIT_DIR.rglob("*.py"))
# The kit's import contract in pyproject.toml ([tool.importlinter], contract « kit ») names the grading stack.
GRADING_STACK = next(c for c in tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                     ["tool"]["importlinter"]["contracts"] if c["id"] == "kit")["forbidden_modules"]

# -- a, b: imports in an interpreter without the grading stack ----------------------------------------------

BLOCKED_INTERPRETER = r'''
import importlib, json, sys

class Blocker:
    """A finder, first in sys.meta_path, that makes the grading stack unimportable."""
    def __init__(self, names):
        self.names = set(names)
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.names:
            raise ImportError(f"{name} : absent de l'environnement des candidats (test)")
        return None

blocked, modules = json.loads(sys.argv[1]), json.loads(sys.argv[2])
preloaded = sorted(m for m in sys.modules if m.partition(".")[0] in blocked)
sys.meta_path.insert(0, Blocker(blocked))
files = {m: importlib.import_module(m).__file__ for m in modules}
try:
    importlib.import_module("mdpc.grading.course")
    grading = "importé"
except ImportError as exc:
    grading = str(exc)
print(json.dumps({"preloaded": preloaded, "files": files, "grading": grading}))
'''


def _import_kit_blocked(cwd: Path, pythonpath: Path | None = None) -> dict:
    """Import every kit module in a fresh interpreter where the grading stack raises ImportError."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    proc = subprocess.run([sys.executable, "-c", BLOCKED_INTERPRETER, json.dumps(GRADING_STACK), json.dumps(KIT_MODULES)],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"le kit ne s'importe pas sans le système de notation :\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_every_kit_module_imports_without_the_grading_stack(tmp_path):
    assert {"mdpc", "nbgrader", "papermill", "sqlalchemy", "weasyprint", "psycopg", "tqdm"} <= set(GRADING_STACK)
    out = _import_kit_blocked(tmp_path)
    assert out["preloaded"] == [], f"importés avant le bloqueur (.pth ?) : {out['preloaded']}"
    assert sorted(out["files"]) == KIT_MODULES and len(KIT_MODULES) >= 8
    assert all(Path(f).is_relative_to(KIT_DIR) for f in out["files"].values()), out["files"]
    # the blocker works: in that same interpreter, the grading system does not import
    assert "absent de l'environnement des candidats" in out["grading"], out["grading"]


def test_the_kit_installs_alone_and_complete(tmp_path):
    """What a candidates' image runs (README, « Environnement des candidats »), offline: pip reads no index."""
    source = shutil.copytree(KIT_DIR, tmp_path / "source", ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    target = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--no-index", "--target", str(target), str(source)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"pip install ./mdpc_utils échoue :\n{proc.stderr[-3000:]}"
    installed = target / "mdpc_utils"
    expected = sorted(p.relative_to(KIT_DIR).as_posix() for p in KIT_DIR.rglob("*")
                      if p.is_file() and p.suffix in (".py", ".json") and "__pycache__" not in p.parts)
    assert "jupyterlab/overrides.json" in expected
    missing = [name for name in expected if not (installed / name).is_file()]
    assert not missing, f"absents de l'installation du kit : {missing}"
    assert [n for n in expected if (installed / n).read_bytes() != (KIT_DIR / n).read_bytes()] == []
    neutral = tmp_path / "ailleurs"
    neutral.mkdir()
    out = _import_kit_blocked(neutral, pythonpath=target)
    strays = {m: f for m, f in out["files"].items() if not Path(f).is_relative_to(installed)}
    assert not strays, f"modules importés hors de la copie installée : {strays}"


# -- d: no answer key, no demo material ---------------------------------------------------------------------

SECRETS = re.compile(r"WRONG_ANSWERS|_ref_|Corrigé de référence|\bcorrige\b")


def test_the_kit_holds_no_answer_key_nor_demo_material():
    found = [f"{p.relative_to(PROJECT_ROOT)}:{n} : {line.strip()}"
             for p in sorted(KIT_DIR.rglob("*")) if p.is_file() and p.suffix in (".py", ".json", ".toml")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if SECRETS.search(line)]
    assert not found, "Le kit des candidats contient un corrigé ou du matériel de démonstration :\n" + "\n".join(found)


@pytest.mark.parametrize("line", ["WRONG_ANSWERS = {}", "def _ref_nps(notes):", "# Corrigé de référence",
                                  'json.loads(Path("corrige/reponses_corrige.json").read_text())',
                                  'folder / "corrige" / name'])
def test_the_answer_key_scan_would_see_one(line):
    assert SECRETS.search(line)
    assert not SECRETS.search("Votre copie est corrigée ; la correction est envoyée au jury.")


# -- c: answer facts of the cases ---------------------------------------------------------------------------
#
# A fact is a value a hidden test expects: every value bound in a cell holding a solution or hidden tests of a
# source notebook, run with the committed widget answers (corrige/) as nbgrader autograde runs the solution; what
# every `_ref_*` call of the « Corrigé de référence » blocks returns; the committed widget answers themselves.
# Not facts: what the candidate is given (the case's CSV files, what the release shows before the first answer,
# stated constants), the messages of checkers (check_*), texts, booleans and small whole numbers (counts, weeks,
# levels: too common to give anything away). Values are compared in a canonical form: numbers to 1e-6, collections
# of ids as sets, tables up to row and column order, dtypes, index names and the label of a lone column.

SMALL_INTEGER = 12


def _scalar(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, numbers.Number):
        f = float(v)
        return None if math.isnan(f) else round(f, 6)
    if isinstance(v, str | dt.date):
        return v if isinstance(v, str) else v.isoformat()
    if isinstance(v, tuple):
        return tuple(_scalar(x) for x in v)
    return repr(v)


def _table(data) -> tuple:
    frame = data.to_frame(name=0) if isinstance(data, pd.Series) else data
    index = frame.index
    if index.nlevels == 1 and index.name is None and pd.api.types.is_integer_dtype(index):
        frame = frame.reset_index(drop=True)  # a positional index is no part of the value
    else:
        frame = frame.rename_axis([f"#{i}" for i in range(index.nlevels)]).reset_index()  # index names do not count
    labels = [str(c) for c in frame.columns]
    values = [i for i, label in enumerate(labels) if not label.startswith("#")]
    if len(values) == 1:
        labels[values[0]] = ""
    order = sorted(range(len(labels)), key=labels.__getitem__)
    rows = sorted((tuple(_scalar(row[i]) for i in order) for row in frame.itertuples(index=False, name=None)), key=repr)
    return ("table", tuple(labels[i] for i in order), tuple(rows))


def _atomic(v) -> bool:
    return v is None or isinstance(v, str | numbers.Number | np.bool_ | dt.date | tuple) and not isinstance(v, np.ndarray)


def canonical(value, depth: int = 0) -> list:
    """The canonical forms under which a value is compared; [] for what is never a fact."""
    if value is None or isinstance(value, bool | np.bool_ | str | bytes):
        return []
    if isinstance(value, numbers.Number):
        f = float(value)
        if math.isnan(f) or math.isinf(f) or (f.is_integer() and abs(f) <= SMALL_INTEGER):
            return []
        return [("num", round(f, 6))]
    if isinstance(value, pd.DataFrame | pd.Series):
        return [_table(value)] if value.size else []
    if depth > 1:
        return []
    if isinstance(value, dict):
        if value and all(_atomic(v) for v in value.values()):
            keys = canonical(list(value), depth + 1)
            return keys + [_table(pd.Series(list(value.values()), index=pd.Index(list(value), tupleize_cols=True)))]
        return [k for v in value.values() for k in canonical(v, depth + 1)]
    if type(value).__name__ == "Pandas":  # a row of DataFrame.itertuples(): the case's data, not an answer
        return []
    if isinstance(value, np.ndarray) and value.ndim > 1:
        return [_table(pd.DataFrame(value))] if value.size else []
    if isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Index):
        items = list(value)
        if items and all(_atomic(v) for v in items) and not all(isinstance(v, bool | np.bool_) for v in items):
            return [("ids", frozenset(_scalar(v) for v in items))]
        return [k for v in items for k in canonical(v, depth + 1)]
    return []


@dataclass
class Facts:
    """Canonical answer facts of one assignment, each with where it comes from."""

    keys: dict = field(default_factory=dict)       # canonical key -> origin
    numbers: dict = field(default_factory=dict)    # rounded number -> origin
    given: set = field(default_factory=set)        # canonical keys of what the candidate is given
    constants: dict = field(default_factory=dict)  # constants the notebooks state (UPPERCASE names)

    def __repr__(self) -> str:
        return f"Facts({len(self.keys)} valeurs, {len(self.numbers)} nombres, {len(self.given)} données)"

    def add(self, value, origin: str) -> None:
        for key in canonical(value):
            self.add_key(key, origin)

    def add_key(self, key: tuple, origin: str) -> None:
        if key[0] == "num":
            self.numbers.setdefault(key[1], origin)
        else:
            self.keys.setdefault(key, origin)

    def match(self, value) -> str | None:
        for key in canonical(value):
            if key in self.given:
                continue
            if key[0] == "num":
                near = [o for n, o in self.numbers.items() if abs(n - key[1]) <= 1e-6 and ("num", n) not in self.given]
                if near:
                    return near[0]
            elif key in self.keys:
                return self.keys[key]
        return None


SOLUTION_OR_HIDDEN = ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS")
UNTOUCHED = object()


def _run_case(path: str) -> dict:
    """Run a source notebook in this (forked) process as autograde runs the solution; return its facts and givens."""
    import matplotlib.pyplot as plt

    from mdpc_utils import bloc2, bloc3, bloc4

    notebook = Path(path)
    checker_outputs: list = []  # a checker's messages are feedback, never an expected value
    for module in (bloc2, bloc3, bloc4):
        for name, fn in list(vars(module).items()):
            if name.startswith("check") and callable(fn):
                setattr(module, name, lambda *a, _fn=fn, **k: checker_outputs.append(_fn(*a, **k)) or checker_outputs[-1])
    work = Path(tempfile.mkdtemp(prefix=f"mdpc-kit-{notebook.stem}-"))
    (work / "data").symlink_to(notebook.parent / "data")
    shutil.copy(notebook.parent / "corrige" / "reponses_corrige.json", work / "reponses.json")
    ns: dict = {"__name__": "__main__", "display": lambda *a, **k: None}
    facts, givens, constants = [], [], {}
    answered = False
    cwd = os.getcwd()
    os.chdir(work)
    try:
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            before = dict(ns)
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(source, f"{notebook.name}:{cell.get('id')}", "exec"), ns)
            plt.close("all")
            for name in [n for n in ns if n.startswith("_ref_") and not hasattr(ns[n], "recorded")]:
                def recording(*a, _fn=ns[name], _name=name, **k):
                    result = _fn(*a, **k)
                    facts.append((f"{_name}(…)", result))
                    return result
                recording.recorded = True
                ns[name] = recording
            changed = [(n, v) for n, v in ns.items() if before.get(n, UNTOUCHED) is not v and not n.startswith("__")]
            answering = any(mark in source for mark in SOLUTION_OR_HIDDEN)
            answered = answered or answering
            for name, value in changed:
                if answering:
                    if not any(value is out for out in checker_outputs):
                        facts.append((name, value))
                elif not answered or name.isupper():
                    givens.append(value)
                    if name.isupper():
                        constants[name] = value
    finally:
        os.chdir(cwd)
        shutil.rmtree(work, ignore_errors=True)
    stem = notebook.stem
    return {"facts": [(k, f"{stem} : {name}") for name, value in facts for k in canonical(value)],
            "given": [k for value in givens for k in canonical(value)],
            "constants": {k: v for k, v in constants.items() if _picklable_constant(v)}}


def _picklable_constant(v) -> bool:
    return _atomic(v) or isinstance(v, list | dict) and all(_atomic(x) for x in (v.values() if isinstance(v, dict) else v))


ASSIGNMENTS = sorted(p for p in CAS_DIR.iterdir() if p.is_dir() and list(p.glob("*.ipynb")))


@pytest.fixture(scope="module")
def case_facts() -> dict[str, Facts]:
    """{assignment: its answer facts}; notebooks run two at a time, each in a forked process of its own (the run
    patches the kit's checkers and changes folder)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401  (imported once, before the forks)

    for module in KIT_MODULES:
        importlib.import_module(module)

    notebooks = sorted(str(p) for a in ASSIGNMENTS for p in a.glob("*.ipynb"))
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
        runs = dict(zip(notebooks, pool.map(_run_case, notebooks), strict=True))
    out = {}
    for assignment in ASSIGNMENTS:
        facts = Facts()
        for path, run in runs.items():
            if Path(path).parent != assignment:
                continue
            for key, origin in run["facts"]:
                facts.add_key(key, origin)
            facts.given.update(run["given"])
            facts.constants.update(run["constants"])
        for notebook, answers in json.loads((assignment / "corrige" / "reponses_corrige.json").read_text("utf-8")).items():
            for question, value in answers.items():
                facts.add(value, f"{notebook} : réponse {question} (corrige/)")
        for frame in _case_frames(assignment).values():
            facts.given.update(canonical(frame) + canonical(list(frame.columns)))
            for column in frame.columns:
                facts.given.update(canonical(list(frame[column])) + canonical(frame[column]))
        out[assignment.name] = facts
    return out


def _case_frames(assignment: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_csv(p) for p in sorted((assignment / "data").glob("*.csv"))}


# -- c: calling every public function of the kit on a case's data --------------------------------------------

# Public callables of the kit that are not called, with the reason.
NOT_CALLED = {
    "mdpc_utils.answers.AnswerStore": "reads and writes the answers file: input/output, not a computation",
    "mdpc_utils.forms.Field": "an ipywidgets field description: no value computed from the case",
    "mdpc_utils.forms.Form": "ipywidgets form, saved to the answers file: input/output",
    "mdpc_utils.livrable.Livrable": "writes the candidate's HTML deliverable from their own answers: output",
    "mdpc_utils.cases.load_csv": "reads the case's data: what it returns is what every candidate is given",
    "mdpc_utils.cases.describe": "displays a chart and its caption (IPython display); returns None",
    "mdpc_utils.cases.bar_chart": "draws a matplotlib Figure from the series it is given: no value to compare",
    "mdpc_utils.cases.grading": "reads whether the kernel runs for a verdict (environment): no argument, no value of the case",
    "mdpc_utils.cases.show": "displays the value it is given (rounded, first rows) or a notice: no value computed",
    "mdpc_utils.fonctions.FormulaError": "an exception class: its French message, no value",
    "mdpc_utils.recette.StepError": "an exception class: its French message, no value",
    "mdpc_utils.tableur.Tableur": "ipywidgets table builder, its recipe saved to the answers file: it computes only the "
                                  "recipe the candidate enters (its replay is run_recipe, exercised)",
    "mdpc_utils.grille.Grille": "ipywidgets grid saved to the answers file: it returns what the candidate typed",
    "mdpc_utils.forms.dom_class": "names a field's CSS class from its form and key: no value of the case",
    "mdpc_utils.forms.make": "builds an ipywidgets widget with a shared look (Layout, style): no value of the case",
    "mdpc_utils.forms.shared": "one ipywidgets Layout or style per look, shared by the kernel's widgets: no value",
    "mdpc_utils.formules.help_text": "no argument: the list of formula functions shown in the tools",
    "mdpc_utils.recette.apply_step": "applies one step the candidate wrote (a dict of their recipe); without one it "
                                     "computes nothing (tests/test_outils.py)",
    "mdpc_utils.recette.run_recipe": "replays the candidate's recipe; without one it computes nothing "
                                     "(tests/test_outils.py)",
} | {f"mdpc_utils.jupyterlab.nbgrader_fr.{name}": "translates the files of nbgrader's JupyterLab extension, never a "
     "case's data (tests/test_nbgrader_fr.py)"
     for name in ("Entry", "Table", "TranslationError", "load_table", "string_literals", "translate_text",
                  "managed_files", "is_translated", "translate", "pristine_copy", "main")}
# English parameter names of the kit -> French names of the case files and columns. It only ranks candidates:
# every value of the right type is still tried, up to MAX_CALLS combinations per function and assignment.
GLOSSARY = {"team": "equipe", "activities": "activites", "capacity": "capacite", "tasks": "taches",
            "progress": "avancement", "channels": "canaux", "targets": "cibles", "offer": "offre", "needs": "besoins",
            "levels": "competences", "levers": "leviers", "commitments": "engagements", "competitors": "concurrents",
            "notes": "note", "scores": "note", "surveys": "enquetes", "accounts": "comptes", "prices": "prix",
            "costs": "couts", "row": "ligne", "clean": "fichier", "extract": "fichier", "schedule": "planning",
            "reference": "date"}
MAX_CALLS = 200


def _kit_callables(modules) -> list[tuple[str, typing.Callable]]:
    return [(f"{m.__name__}.{name}", obj) for m in modules for name, obj in sorted(vars(m).items())
            if not name.startswith("_") and callable(obj) and getattr(obj, "__module__", None) == m.__name__]


def _kind(value) -> str | None:
    if isinstance(value, bool | np.bool_) or value is None:
        return None
    for kind, types in (("frame", pd.DataFrame), ("series", pd.Series), ("number", numbers.Number), ("string", str),
                        ("date", dt.date), ("dict", dict), ("list", list | tuple | frozenset | set)):
        if isinstance(value, types):
            return kind
    return None


def _pool(assignment: Path, constants: dict) -> dict[str, list[tuple[str, object]]]:
    """What a kit function may be given for an assignment, by kind: its CSV files (and their columns), the
    constants the kit and the notebooks state, the one-row files as dicts, the committed widget answers."""
    from mdpc_utils import bloc2, bloc3, bloc4, cases

    pool: dict[str, list] = {k: [] for k in ("frame", "series", "number", "string", "date", "dict", "list")}
    pool["bool"], pool["none"] = [("True", True), ("False", False)], [("None", None)]

    def put(label, value):
        if (kind := _kind(value)) is not None:
            pool[kind].append((label, value))
        if kind == "list":
            pool["string"] += [(f"{label}[{i}]", v) for i, v in enumerate(list(value)[:8]) if isinstance(v, str)]

    for stem, frame in _case_frames(assignment).items():
        put(f"{stem}.csv", frame)
        for column in frame.columns:
            put(f"{stem}.{column}", frame[column])
            put(f"{stem}.{column} (liste)", list(frame[column]))
        put(f"{stem}.csv ligne 1", frame.iloc[0].to_dict())
    for module in (bloc2, bloc3, bloc4, cases):
        for name, value in vars(module).items():
            if name.isupper():
                put(f"{module.__name__}.{name}", value)
    for name, value in constants.items():
        put(name, value)
    for notebook, answers in json.loads((assignment / "corrige" / "reponses_corrige.json").read_text("utf-8")).items():
        forms: dict[str, dict] = {}
        for question, value in answers.items():
            form, _, key = question.partition(".")
            forms.setdefault(form, {})[key] = value
            if isinstance(value, list):
                put(f"{notebook} : {question}", value)
        for form, values in forms.items():
            put(f"{notebook} : formulaire {form}", values)
    return pool


def _kinds_of(annotation) -> list[str] | None:
    """Pool kinds for a type hint; None (every kind) when there is none or it says nothing."""
    if annotation is inspect.Parameter.empty or annotation is typing.Any:
        return None
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, type(int | str)):
        kinds = [_kinds_of(a) for a in args]
        return None if None in kinds else sorted({k for ks in kinds for k in ks})
    base = typing.get_origin(annotation) or annotation
    for kind, types in (("none", type(None)), ("bool", bool), ("frame", pd.DataFrame), ("series", pd.Series),
                        ("number", int | float), ("string", str), ("date", dt.date), ("dict", dict),
                        ("list", list | tuple | set | frozenset)):
        if isinstance(base, type) and issubclass(base, types):
            return [kind]
    return None


def _tokens(name: str) -> set[str]:
    return {GLOSSARY.get(t, t) for t in re.split(r"[_.\s:()\[\]]+", name.lower()) if len(t) > 2}


def _candidates(param: inspect.Parameter, hint, pool) -> list[tuple[str, object]]:
    """A parameter with a default keeps it; another gets every pool value of the kinds its type hint names (of every
    kind without one), those whose name matches the parameter's (through GLOSSARY) first."""
    if param.default is not inspect.Parameter.empty:
        return [(f"{param.default!r}", param.default)]
    kinds = _kinds_of(hint) or ["frame", "series", "number", "string", "date", "dict", "list"]
    found = [c for k in kinds for c in pool[k]]
    mine = _tokens(param.name)
    return sorted(found, key=lambda c: not any(a.startswith(b) or b.startswith(a) for a in mine for b in _tokens(c[0])))


def _combinations(lists: list[list]):
    """Combinations in growing shells (the first candidates of every list first), MAX_CALLS at most."""
    count = 0
    for k in range(1, max(map(len, lists), default=0) + 1):
        for combo in itertools.product(*(range(min(k, len(c))) for c in lists)):
            if k - 1 in combo or k == 1:
                yield [c[i] for c, i in zip(lists, combo, strict=True)]
                count += 1
                if count >= MAX_CALLS:
                    return


def exercise(callables, assignment: Path, facts: Facts) -> tuple[list[str], set[str]]:
    """Call every callable with values bound from the assignment's pool; (answers returned, callables that ran)."""
    pool = _pool(assignment, facts.constants)
    leaks, ran = [], set()
    for qualname, fn in callables:
        signature = inspect.signature(fn)
        hints = typing.get_type_hints(fn)
        params = [p for p in signature.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        lists = [_candidates(p, hints.get(p.name, inspect.Parameter.empty), pool) for p in params]
        if any(not c for c in lists):
            continue
        for combo in _combinations(lists):
            kwargs = {p.name: v.copy() if hasattr(v, "copy") else v for p, (_, v) in zip(params, combo, strict=True)}
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = fn(**kwargs)
            except Exception:
                continue
            ran.add(qualname)
            origin = facts.match(result)
            if origin and not set(canonical(result)) & {k for v in kwargs.values() for k in canonical(v)}:
                bound = ", ".join(f"{p.name}={label}" for p, (label, _) in zip(params, combo, strict=True))
                leaks.append(f"{qualname}({bound}) renvoie {origin}")
    return leaks, ran


def test_no_kit_function_returns_what_a_hidden_test_expects(case_facts):
    modules = [importlib.import_module(m) for m in KIT_MODULES]
    callables = [(q, fn) for q, fn in _kit_callables(modules) if q not in NOT_CALLED]
    assert set(NOT_CALLED) <= {q for q, _ in _kit_callables(modules)}, "NOT_CALLED nomme une fonction disparue du kit"
    leaks, ran = [], set()
    for assignment in ASSIGNMENTS:
        found, called = exercise(callables, assignment, case_facts[assignment.name])
        leaks += [f"{assignment.name} : {leak}" for leak in found]
        ran |= called
    assert not leaks, ("Le kit des candidats renvoie des valeurs qu'attendent les tests cachés : déplacez le calcul dans "
                       "un bloc « Corrigé de référence » du carnet source.\n" + "\n".join(sorted(set(leaks))[:20]))
    never = sorted({q for q, _ in callables} - ran)
    assert not never, (f"Jamais appelées avec les données des cas : {never} ; complétez GLOSSARY ou, pour une entrée-"
                       "sortie, ajoutez-les à NOT_CALLED avec la raison.")


# -- c: the check can fail -----------------------------------------------------------------------------------
# Functions that would give answers away if the kit held them; the first is mdpc/authoring/datagen/b4.py::capacity,
# the kit's `capacity(team, absences)` before the answer key left it.


def capacity(team: pd.DataFrame, absences: pd.DataFrame, weeks=tuple(range(2, 10))) -> pd.DataFrame:
    cap = pd.DataFrame({w: team.set_index("commercial").jours_par_semaine for w in weeks}, dtype=float)
    for a in absences.itertuples():
        cap.loc[a.commercial, a.semaine] = max(0, cap.loc[a.commercial, a.semaine] - a.jours)
    return cap * 7


def market_concentration(competitors: pd.DataFrame) -> float:
    return float((competitors["part_de_marche_pct"] ** 2).sum())


def earned_value(tasks: pd.DataFrame, progress: pd.DataFrame) -> pd.Series:
    m = tasks[["id", "cout_eur"]].merge(progress, on="id")
    pv, ev, ac = (m.cout_eur * m.prevu_pct / 100).sum(), (m.cout_eur * m.realise_pct / 100).sum(), m.cout_reel_eur.sum()
    bac = m.cout_eur.sum()
    return pd.Series({"PV": pv, "EV": ev, "AC": ac, "SPI": ev / pv, "CPI": ev / ac, "BAC": bac, "EAC": bac * ac / ev})


def tasks_in_alert(tasks: pd.DataFrame, progress: pd.DataFrame, threshold: float = 0.9) -> set[str]:
    m = tasks[["id", "cout_eur"]].merge(progress, on="id").set_index("id")
    ev = m.cout_eur * m.realise_pct / 100
    late = (ev < threshold * m.cout_eur * m.prevu_pct / 100) | (ev < threshold * m.cout_reel_eur)
    return set(m.index[late & ((m.prevu_pct > 0) | (m.realise_pct > 0))])


LEAKS = [(capacity, "B4_pilotage_performance", "C4_1_plan_de_charges"),
         (market_concentration, "B1_strategie_developpement", "C1_1_etude_de_marche"),
         (earned_value, "B3_pilotage_projets", "C3_2_tableau_de_bord_projet"),
         (tasks_in_alert, "B3_pilotage_projets", "C3_2_tableau_de_bord_projet")]


@pytest.mark.parametrize("leak, assignment, notebook", LEAKS, ids=[f.__name__ for f, _, _ in LEAKS])
def test_a_kit_function_giving_an_answer_away_would_be_caught(case_facts, leak, assignment, notebook):
    leaks, ran = exercise([(f"kit.{leak.__name__}", leak)], CAS_DIR / assignment, case_facts[assignment])
    assert ran, f"{leak.__name__} n'a pas pu être appelée avec les données de {assignment}"
    assert any(f" renvoie {notebook} : " in found for found in leaks), leaks


def test_a_checker_answers_an_empty_choice_with_messages_not_a_crash():
    """A candidate who runs the C2.5 checker before choosing any module reads what is missing (it crashed)."""
    import pandas as pd

    from mdpc.authoring.datagen.b2 import MODULE_PAR_BESOIN
    from mdpc_utils import bloc2

    data = CAS_DIR / "B2_deploiement_strategies" / "data"
    needs = pd.read_csv(data / "besoins_hypotheses.csv")
    assert list(needs.columns) == ["id", "besoin", "priorite"]  # which module answers a need is not given away
    problems = bloc2.check_solution([], pd.read_csv(data / "offre_modules.csv"), needs, 10, 1e9, 1e9,
                                    MODULE_PAR_BESOIN)
    assert problems[0].startswith("L'abonnement de supervision (M0)")
    assert any(p.startswith("Besoin essentiel non couvert") for p in problems)
    hidden = (CAS_DIR / "B2_deploiement_strategies" / "C2_5_entretien_vente.ipynb").read_text(encoding="utf-8")
    assert str(MODULE_PAR_BESOIN).replace("'", '\\"') in hidden  # the hidden test holds the same table


def test_own_company_data_only_for_the_projets_professionnels_and_never_for_the_tests(tmp_path, monkeypatch):
    """``mes_donnees/`` replaces the case's data in C1.1 to C1.3 and C3.5 only, never in the judge kernel."""
    import mdpc.grading.intake as intake
    import mdpc.grading.sandbox as sandbox
    from mdpc_utils import cases

    assert (sandbox.JUDGE_VARIABLE, intake.OWN_DATA, intake.DATA_DIR) == (cases.JUDGE_VARIABLE, cases.OWN_DATA, "data")
    (tmp_path / "data").mkdir()
    (tmp_path / "mes_donnees").mkdir()
    (tmp_path / "data" / "ventes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "mes_donnees" / "ventes.csv").write_text("a,b\n9,9\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(cases.JUDGE_VARIABLE, raising=False)
    cell = "NOTEBOOK = {nb!r}\nvaleur = load_csv('ventes').a[0]"
    seen = {}
    for nb in ("C1_2_cartographie_marche", "C3_5_rapport_activite", "C4_1_plan_de_charges", "C2_2_base_clients"):
        ns = {"load_csv": cases.load_csv}
        exec(cell.format(nb=nb), ns)  # as a notebook cell calls it: NOTEBOOK in the caller's globals
        seen[nb] = int(ns["valeur"])
    assert seen == {"C1_2_cartographie_marche": 9, "C3_5_rapport_activite": 9, "C4_1_plan_de_charges": 1,
                    "C2_2_base_clients": 1}
    monkeypatch.setenv(cases.JUDGE_VARIABLE, "1")
    ns = {"load_csv": cases.load_csv}
    exec(cell.format(nb="C1_2_cartographie_marche"), ns)
    assert int(ns["valeur"]) == 1  # the tests compare with the case's data


def test_check_fails_for_a_verdict_and_only_notices_for_the_candidate(monkeypatch, capsys):
    """« Run All » on an unfinished copy goes on (one-line notice); validate, autograde and the judge fail."""
    from mdpc_utils import cases

    for name in (cases.GRADING_VARIABLE, cases.JUDGE_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    cases.check(True, "jamais affiché")
    cases.check(False, "« ecarts_mois » : une ligne par mois de 2026")
    assert capsys.readouterr().err == "✘ « ecarts_mois » : une ligne par mois de 2026\n"
    for name, value in ((cases.GRADING_VARIABLE, "validate"), (cases.GRADING_VARIABLE, "autograde"),
                        (cases.JUDGE_VARIABLE, "1")):
        monkeypatch.setenv(name, value)
        with pytest.raises(AssertionError, match="une ligne par mois"):
            cases.check(False, "« ecarts_mois » : une ligne par mois de 2026")
        monkeypatch.delenv(name)


def test_show_displays_an_answer_or_names_the_missing_one(capsys):
    import pandas as pd

    from mdpc_utils.cases import check, show

    frame = pd.DataFrame({"ecart": [1.234, -5.678, 9.0]})
    assert show(frame, "classement", decimals=1, rows=2).equals(frame.head(2).round(1))
    assert show(None, "classement") is None
    assert capsys.readouterr().err == "✘ « classement » n'est pas encore calculé : complétez la cellule ci-dessus.\n"
    assert check(True, "x") and not check(False, "y")
    capsys.readouterr()


def test_a_test_cell_ending_with_a_check_shows_nothing():
    """IPython displays a cell's last value: a check's verdict must not print « True » under a test cell."""
    from IPython.core.interactiveshell import InteractiveShell

    from mdpc_utils.cases import check

    formatted, _ = InteractiveShell.instance().display_formatter.format(check(True, "x"))
    assert formatted == {}
