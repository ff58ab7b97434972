"""The demo cohort as data: seven fictional candidates, the plausible mistakes they make, the levels they get.

Where each part lives, and why:

- ``cas_pratiques/<devoir>/corrige/erreurs_types.yaml``: the assignment's catalogue of wrong answers (its
  notebook, a French description, edits of the solution code, widget answers replaced, and the autograded
  tests it must fail, no other). The edits quote the solution, so the catalogue is trainer material kept
  beside the answer key, which nbgrader never releases (``nbgrader_config.py`` ignores ``corrige``).
- ``cas_pratiques/<devoir>/corrige/variantes.yaml``: correct answers written another way, as competent
  candidates would (same schema, a ``groupe`` « a » or « b » instead of ``echoue``): the solution with every
  variant of one group applied earns every autograded point (``tests/test_variantes.py``).
- ``cas_pratiques/<devoir>/corrige/cohorte_demo.yaml``: the assignment's part of the demo cohort, which
  is answers and grading material too: each candidate's wrong answers in it, extra widget answers, the
  first and second graders' levels and the jury's.
- ``mdpc/authoring/demo/cohorte.yaml`` (package data): who the candidates are, which holds no answer (ids,
  names, profiles, submission times, blank copy) and the fictional jury file of accommodations. A data file
  rather than Python constants because it is read and edited together with the per-assignment files (same
  ids, same French vocabulary, one loader checks them all) and because the jury file is already in the
  format ``mdpc.core.exemptions.load`` reads. How the session runs (assignments, due dates, graders, jury)
  stays in the runner, ``mdpc.demo``: it says how the demo goes, not who takes part.

Every file is checked on loading; a malformed one raises :class:`DemoError` naming the file and the entry.
Candidates' work is made from the solution by :func:`make_submission`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import nbformat
import yaml

from mdpc import CAS_DIR, PROJECT_ROOT
from mdpc.core import referential
from mdpc.errors import MdpcError
from mdpc_utils.answers import ANSWERS_FILE

WRONG_ANSWERS_FILE = "erreurs_types.yaml"
VARIANTS_FILE = "variantes.yaml"
VARIANT_GROUPS = ("a", "b")
COHORT_FILE = "cohorte_demo.yaml"
IDENTITY_FILE = Path(__file__).resolve().parent / "demo" / "cohorte.yaml"
_NAME = re.compile(r"[a-z0-9_]+")
_WRONG_KEYS = {"carnet", "description", "modifications", "reponses", "echoue"}
_VARIANT_KEYS = _WRONG_KEYS - {"echoue"} | {"groupe"}
_EDIT_KEYS = {"cellule", "avant", "après"}
_COHORT_KEYS = {"erreurs_types", "reponses", "niveaux", "seconde_correction", "jury"}
_IDENTITY_KEYS = {"id", "prenom", "nom", "profil", "remise", "copie_blanche", "sans_code"}
NO_CODE_FILE = "reponses_sans_code.json"


class DemoError(MdpcError):
    """The demo cohort's data or working folder is not usable (message in French)."""


class Edit(NamedTuple):
    """Replace ``old`` by ``new`` in the solution code of cell ``cell``."""

    cell: str
    old: str
    new: str


@dataclass(frozen=True)
class WrongAnswer:
    """A plausible mistake: edits of the solution code, widget answers replaced, the tests it must fail."""

    name: str
    assignment: str
    notebook: str
    description: str
    edits: tuple[Edit, ...] = ()
    answers: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))  # question -> value (read-only)
    fails: frozenset[str] = frozenset()            # autograded tests this mistake must fail (and no other)
    group: str = ""                                # a correct variant's group (variantes.yaml), "" for a mistake


@dataclass(frozen=True)
class Candidate:
    """A fictional candidate: identity, and per assignment their wrong answers and the levels they get."""

    id: str
    first: str
    last: str
    profile: str
    submitted: dt.datetime                            # when they hand in the bloc 4 assignments
    blank: bool = False
    no_code: bool = False                             # answers through the widgets only, code cells as released
    wrong: dict = field(default_factory=dict)         # assignment -> (wrong answer names, in order)
    answers: dict = field(default_factory=dict)       # notebook -> {question: value}, extra widget answers
    levels: dict = field(default_factory=dict)        # competency -> (level per criterion; None: not rated yet)
    second: dict = field(default_factory=dict)        # second grader's levels (double marking)
    jury: dict = field(default_factory=dict)          # jury's final levels {(competency, criterion): level}

    @property
    def all_wrong(self) -> tuple[str, ...]:
        """Every wrong answer of the candidate, assignment after assignment."""
        return tuple(name for names in self.wrong.values() for name in names)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _read_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DemoError(f"Fichier de la cohorte de démonstration introuvable : {_shown(path)}.") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DemoError(f"Fichier {_shown(path)} illisible (YAML invalide) : {exc}") from exc


def _mapping(value, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DemoError(f"{where} : une table (clé : valeur) est attendue.")
    return value


def _text(value, where: str, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise DemoError(f"{where} : un texte{'' if empty else ' non vide'} est attendu (reçu : {value!r}).")
    return value


def _unknown_keys(entry: dict, allowed: set[str], where: str) -> None:
    extra = sorted(map(str, set(entry) - allowed))
    if extra:
        raise DemoError(f"{where} : clé(s) inconnue(s) {', '.join(extra)} (clés possibles : "
                        f"{', '.join(sorted(allowed))}).")


def _edits(value, where: str) -> tuple[Edit, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise DemoError(f"{where} : « modifications » doit être une liste de (cellule, avant, après).")
    out = []
    for k, item in enumerate(value, 1):
        here = f"{where}, modification {k}"
        item = _mapping(item, here)
        _unknown_keys(item, _EDIT_KEYS, here)
        if set(item) != _EDIT_KEYS:
            raise DemoError(f"{here} : les clés « cellule », « avant » et « après » sont attendues.")
        out.append(Edit(_text(item["cellule"], f"{here}, cellule"), _text(item["avant"], f"{here}, avant"),
                        _text(item["après"], f"{here}, après", empty=True)))
    return tuple(out)


def _wrong_answer(name, entry, assignment: str, source_dir: Path, where: str, variant: bool = False) -> WrongAnswer:
    kind = "variante" if variant else "erreur type"
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise DemoError(f"{where} : nom de {kind} invalide {name!r} (lettres minuscules, chiffres et _).")
    where = f"{where}, {kind} « {name} »"
    entry = _mapping(entry, where)
    _unknown_keys(entry, _VARIANT_KEYS if variant else _WRONG_KEYS, where)
    notebook = _text(entry.get("carnet"), f"{where}, carnet")
    if not (source_dir / f"{notebook}.ipynb").is_file():
        raise DemoError(f"{where} : le carnet « {notebook} » n'existe pas dans {assignment}.")
    edits = _edits(entry.get("modifications"), where)
    answers = _mapping(entry.get("reponses"), f"{where}, reponses")
    if not edits and not answers:
        raise DemoError(f"{where} : ni modification du code ni réponse remplacée, la {kind} ne change rien.")
    if variant:
        if entry.get("groupe") not in VARIANT_GROUPS:
            raise DemoError(f"{where} : « groupe » doit valoir " + " ou ".join(f"« {g} »" for g in VARIANT_GROUPS) + ".")
        return WrongAnswer(name, assignment, notebook, _text(entry.get("description"), f"{where}, description"),
                           edits, MappingProxyType({str(k): v for k, v in answers.items()}), group=entry["groupe"])
    fails = entry.get("echoue")
    if not isinstance(fails, list) or not fails or not all(isinstance(t, str) and t for t in fails):
        raise DemoError(f"{where} : « echoue » doit lister au moins un identifiant de test autocorrigé.")
    return WrongAnswer(name, assignment, notebook, _text(entry.get("description"), f"{where}, description"),
                       edits, MappingProxyType({str(k): v for k, v in answers.items()}), frozenset(fails))


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        st = path.stat()
    except FileNotFoundError:
        return str(path), 0, -1
    return str(path), st.st_mtime_ns, st.st_size


def load_wrong_answers(source_dir: Path, file: str = WRONG_ANSWERS_FILE) -> dict[str, WrongAnswer]:
    """The catalogue of an assignment (its source folder): name -> wrong answer (or correct variant, with
    ``file=VARIANTS_FILE``); none without a file."""
    return dict(_load_wrong_answers(*_stamp(Path(source_dir).resolve() / "corrige" / file)))


@lru_cache(maxsize=32)
def _load_wrong_answers(path: str, mtime: int, size: int) -> tuple[tuple[str, WrongAnswer], ...]:
    file = Path(path)
    if size < 0:
        return ()
    source_dir = file.parent.parent
    where = f"Fichier {_shown(file)}"
    data = _mapping(_read_yaml(file), where)
    variant = file.name == VARIANTS_FILE
    return tuple((name, _wrong_answer(name, entry, source_dir.name, source_dir, where, variant))
                 for name, entry in data.items())


def wrong_answers(cas_dir: Path = CAS_DIR, file: str = WRONG_ANSWERS_FILE) -> dict[str, WrongAnswer]:
    """Every assignment's catalogue, in assignment order; a name is one mistake (or, with
    ``file=VARIANTS_FILE``, one correct variant) in the whole course."""
    out: dict[str, WrongAnswer] = {}
    for source_dir in sorted(p for p in Path(cas_dir).iterdir() if p.is_dir()):
        for name, wrong in load_wrong_answers(source_dir, file).items():
            if name in out:
                raise DemoError(f"« {name} » défini deux fois : dans {out[name].assignment} et dans "
                                f"{wrong.assignment} ({file}) ; un nom par entrée.")
            out[name] = wrong
    return out


def variants(cas_dir: Path = CAS_DIR) -> dict[str, WrongAnswer]:
    """Every assignment's correct variants (``variantes.yaml``), by name."""
    return wrong_answers(cas_dir, VARIANTS_FILE)


def _levels(value, code: str, where: str) -> tuple[int | None, ...]:
    count = len(referential.default().competency(code).criteria)
    if (not isinstance(value, list) or len(value) != count
            or not all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in value)):
        raise DemoError(f"{where}, {code} : une liste de {count} niveaux (entiers, ou null) est attendue, un par "
                        f"critère (reçu : {value!r}).")
    return tuple(value)


def _sheet(value, codes: set[str], where: str) -> dict[str, tuple[int | None, ...]]:
    sheet = _mapping(value, where)
    for code in sheet:
        if code not in codes:
            raise DemoError(f"{where} : la compétence « {code} » n'est pas évaluée dans ce devoir "
                            f"(compétences : {', '.join(sorted(codes))}).")
    return {code: _levels(levels, code, where) for code, levels in sheet.items()}


def _identities(path: Path) -> list[dict]:
    where = f"Fichier {_shown(path)}"
    data = _mapping(_read_yaml(path), where)
    people = data.get("candidats")
    if not isinstance(people, list) or not people:
        raise DemoError(f"{where} : la liste « candidats » est attendue.")
    out, seen = [], set()
    for k, entry in enumerate(people, 1):
        here = f"{where}, candidat {k}"
        entry = _mapping(entry, here)
        _unknown_keys(entry, _IDENTITY_KEYS, here)
        sid = _text(entry.get("id"), f"{here}, id")
        here = f"{where}, candidat « {sid} »"
        if sid in seen:
            raise DemoError(f"{here} : identifiant en double.")
        seen.add(sid)
        when = entry.get("remise")
        if not isinstance(when, dt.datetime) or when.tzinfo is None:
            raise DemoError(f"{here} : « remise » doit être une date et heure avec fuseau "
                            f"(ex. 2027-01-08 10:05:00+01:00), reçu : {when!r}.")
        blank = entry.get("copie_blanche", False)
        if not isinstance(blank, bool):
            raise DemoError(f"{here} : « copie_blanche » vaut true ou false.")
        no_code = entry.get("sans_code", False)
        if not isinstance(no_code, bool) or (no_code and blank):
            raise DemoError(f"{here} : « sans_code » vaut true ou false, et pas true pour une copie blanche.")
        out.append({"id": sid, "first": _text(entry.get("prenom"), f"{here}, prenom"),
                    "last": _text(entry.get("nom"), f"{here}, nom"),
                    "profile": _text(entry.get("profil"), f"{here}, profil"), "submitted": when, "blank": blank,
                    "no_code": no_code})
    return out


def _assignment_part(source_dir: Path, ids: list[str], catalogue: dict[str, WrongAnswer]) -> dict[str, dict]:
    """One assignment's cohorte_demo.yaml: candidate id -> checked entry."""
    path = source_dir / "corrige" / COHORT_FILE
    where = f"Fichier {_shown(path)}"
    data = _mapping(_read_yaml(path), where)
    people = _mapping(data.get("candidats"), f"{where}, candidats")
    notebooks = {p.stem for p in source_dir.glob("*.ipynb")}
    codes = {nb[:4].replace("_", ".") for nb in notebooks}
    out = {}
    for sid, entry in people.items():
        here = f"{where}, candidat « {sid} »"
        if sid not in ids:
            raise DemoError(f"{here} : candidat inconnu de {_shown(IDENTITY_FILE)}.")
        entry = _mapping(entry, here)
        _unknown_keys(entry, _COHORT_KEYS, here)
        names = entry.get("erreurs_types") or []
        if not isinstance(names, list):
            raise DemoError(f"{here} : « erreurs_types » doit être une liste de noms.")
        for name in names:
            if name not in catalogue:
                raise DemoError(f"{here} : erreur type « {name} » absente de {WRONG_ANSWERS_FILE} de ce devoir.")
        answers = _mapping(entry.get("reponses"), f"{here}, reponses")
        for nb, values in answers.items():
            if nb not in notebooks:
                raise DemoError(f"{here}, reponses : le carnet « {nb} » n'existe pas dans {source_dir.name}.")
            _mapping(values, f"{here}, reponses, {nb}")
        jury = {}
        for code, levels in _sheet(entry.get("jury"), codes, f"{here}, jury").items():
            jury.update({(code, k): level for k, level in enumerate(levels, 1) if level is not None})
        out[sid] = {"wrong": tuple(names), "answers": {nb: dict(v or {}) for nb, v in answers.items()},
                    "levels": _sheet(entry.get("niveaux"), codes, f"{here}, niveaux"),
                    "second": _sheet(entry.get("seconde_correction"), codes, f"{here}, seconde_correction"),
                    "jury": jury}
    return out


def load_cohort(assignments: tuple[str, ...] | list[str], cas_dir: Path = CAS_DIR,
                identity: Path = IDENTITY_FILE) -> list[Candidate]:
    """The demo cohort: identities, then each assignment's part (in the order of `assignments`)."""
    people = _identities(Path(identity))
    ids = [p["id"] for p in people]
    parts = {a: _assignment_part(Path(cas_dir) / a, ids, load_wrong_answers(Path(cas_dir) / a))
             for a in assignments}
    cohort = []
    for person in people:
        mine = {a: part.get(person["id"], {}) for a, part in parts.items()}
        cohort.append(Candidate(
            **person,
            wrong={a: p["wrong"] for a, p in mine.items() if p.get("wrong")},
            answers={nb: v for p in mine.values() for nb, v in p.get("answers", {}).items()},
            levels={c: v for p in mine.values() for c, v in p.get("levels", {}).items()},
            second={c: v for p in mine.values() for c, v in p.get("second", {}).items()},
            jury={k: v for p in mine.values() for k, v in p.get("jury", {}).items()}))
    return cohort


def _section(name: str, identity: Path) -> dict:
    data = _mapping(_read_yaml(Path(identity)), f"Fichier {_shown(Path(identity))}")
    return _mapping(data.get(name), f"Fichier {_shown(Path(identity))}, {name}")


def accommodations(identity: Path = IDENTITY_FILE) -> dict:
    """The fictional jury file of the demo (« amenagements »), as ``mdpc.core.exemptions`` reads it."""
    return _section("amenagements", identity)


def enrolments(identity: Path = IDENTITY_FILE) -> dict:
    """The fictional registration of the demo's candidates (« inscriptions »), as ``mdpc.core.enrolment`` reads it."""
    return _section("inscriptions", identity)


def certification(identity: Path = IDENTITY_FILE) -> dict:
    """The demo's fictional certification identity, marked specimen, as ``mdpc.core.certification`` reads it."""
    return _section("certification", identity)


def strip_solution(source: str) -> str:
    """The solution code without nbgrader's ``### BEGIN/END SOLUTION`` markers."""
    return "\n".join(line for line in source.split("\n") if not re.match(r"\s*### (BEGIN|END) SOLUTION", line))


def solution_answers(source_dir: Path) -> dict:
    """The widget answers of the solution, kept beside the source and never released (corrige/)."""
    return json.loads((Path(source_dir) / "corrige" / "reponses_corrige.json").read_text(encoding="utf-8"))


def no_code_answers(source_dir: Path) -> dict:
    """What a candidate who writes no code enters: the solution's form answers, plus the recipes of the
    no-code tools and the rows of the grids (``corrige/reponses_sans_code.json``)."""
    answers = solution_answers(source_dir)
    path = Path(source_dir) / "corrige" / NO_CODE_FILE
    try:
        extra = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DemoError(f"{_shown(path)} : illisible ({exc.__class__.__name__}).") from None
    for notebook, values in extra.items():
        answers.setdefault(notebook, {}).update(values)
    return answers


def make_submission(folder: Path, source_dir: Path, wrong: tuple[str, ...] = (), blank: bool = False,
                    answer_overrides: dict | None = None, no_code: bool = False) -> None:
    """Turn a fetched release folder into a candidate's work: solution code with the named mistakes (or
    correct variants).

    `wrong` names mistakes of any assignment of the course (``source_dir``'s parent folder); those of
    other assignments change nothing here. A blank copy is left as released; a copy « sans code » keeps the
    released code cells and answers through the widgets only (:func:`no_code_answers`)."""
    catalogue = {**wrong_answers(Path(source_dir).parent), **variants(Path(source_dir).parent)}
    unknown = [w for w in wrong if w not in catalogue]
    if unknown:
        raise DemoError(f"Erreur(s) type(s) ou variante(s) inconnue(s) : {', '.join(unknown)} (voir "
                        f"corrige/{WRONG_ANSWERS_FILE} et corrige/{VARIANTS_FILE} de chaque devoir).")
    mistakes = [catalogue[w] for w in wrong]
    if blank:
        return
    if no_code:
        answers = no_code_answers(source_dir)
        for nb_name, values in (answer_overrides or {}).items():
            if nb_name in answers:
                answers[nb_name].update(values)
        (folder / ANSWERS_FILE).write_text(json.dumps(answers, ensure_ascii=False, indent=1), encoding="utf-8")
        return
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        src = {c.get("id"): c for c in nbformat.read(source_dir / path.name, as_version=4).cells}
        for cell in nb.cells:
            if not cell.metadata.get("nbgrader", {}).get("solution"):
                continue
            code = strip_solution(src[cell.id].source)
            for m in mistakes:
                for cell_id, old, new in (m.edits if m.notebook == path.stem else ()):
                    if cell_id == cell.id:
                        if old not in code:
                            raise DemoError(f"Erreur type « {m.name} » ({m.description}) : texte introuvable "
                                            f"dans la cellule {cell_id} de {m.notebook}.")
                        code = code.replace(old, new)
            cell.source = code
        nbformat.write(nb, path)
    answers = solution_answers(source_dir)
    for m in mistakes:
        if m.notebook in answers:  # only this assignment's notebooks
            answers[m.notebook].update(m.answers)
    for nb_name, values in (answer_overrides or {}).items():
        if nb_name in answers:
            answers[nb_name].update(values)
    (folder / ANSWERS_FILE).write_text(json.dumps(answers, ensure_ascii=False, indent=1), encoding="utf-8")
