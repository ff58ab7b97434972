"""What the similarity check compares: each candidate's written answers and code, and the reference texts.

Read from the course's copies as collected (``submitted/<candidat>/<devoir>/``), each copied first into a
private temporary folder by :func:`mdpc.grading.nofollow.copy_tree`, which never follows a link (a copy
that links its answers file to the answer key, another candidate's copy or a file of the host gives
nothing of it): only notebooks, ``reponses.json`` and the deliverables (``*.html``) are copied, files over
20 Mio left out.

Per candidate (:class:`~mdpc.core.similarity.Passage`):

- **formulaire**: the text values of ``reponses.json`` (a string per notebook and question; lists, numbers,
  the tools' recipes and grids are not text; a choice's label is text, but the release carries it, so the
  check drops it as a reference);
- **texte**: the Markdown answer cells (nbgrader solution cells of type markdown), minus the release's stub;
- **code**: the code of the solution cells, minus the lines of the release's stub;
- **livrable**: the text of each deliverable (``livrables/*.html``), minus the candidate's own form answers
  (compared as such already) and the markup.

References (every candidate received them or may reproduce them): every cell of the released notebooks,
every cell of the source notebooks (the key's code), and the texts of the answer key's files in
``corrige/`` (``*.json``, ``variantes.yaml``). A file that cannot be read is skipped with a French note:
one bad copy never stops the check.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import yaml

from mdpc.core.similarity import Passage
from mdpc.grading.nofollow import copy_tree, ignore_names, shown

_COPIED = ignore_names(exclude=["data", "mes_donnees", ".ipynb_checkpoints", "__pycache__"],
                       include=["*.ipynb", "reponses.json", "*.html"], max_file_size_kb=20_000)
_MAX_DEPTH_JSON = (RecursionError, ValueError)


def _strings(value, depth: int = 0) -> Iterator[str]:
    """Every string inside a JSON or YAML value (references from the key's files)."""
    if depth > 50:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, depth + 1)


def _cells(path: Path) -> list[dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise ValueError("pas de cellules")
    return [c for c in cells if isinstance(c, dict)]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _grade_id(cell: dict) -> str | None:
    meta = cell.get("metadata", {})
    nbg = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return nbg.get("grade_id") if isinstance(nbg, dict) and nbg.get("solution") else None


def references(course_root: Path, assignment: str) -> dict[tuple[str, str, str], list[str]]:
    """The texts of an assignment that no candidate is to be flagged for sharing."""
    refs: dict[tuple[str, str, str], list[str]] = {}
    for folder in (course_root / "release" / assignment, course_root / "cas_pratiques" / assignment):
        for nb in sorted(folder.glob("*.ipynb")):
            try:
                for cell in _cells(nb):
                    refs.setdefault((assignment, nb.stem, cell.get("id") or "*"), []).append(_source(cell))
            except (OSError, *_MAX_DEPTH_JSON):
                continue
    key = course_root / "cas_pratiques" / assignment / "corrige"
    for path in sorted([*key.glob("*.json"), *key.glob("variantes.yaml")]):
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path.suffix == ".json" else \
                yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, *_MAX_DEPTH_JSON):
            continue
        refs[(assignment, "corrige", path.name)] = list(_strings(data))
    return refs


def _stubs(course_root: Path, assignment: str) -> dict[tuple[str, str], str]:
    """The release's version of each solution cell (its stub), by (notebook, grade_id)."""
    out = {}
    for nb in sorted((course_root / "release" / assignment).glob("*.ipynb")):
        try:
            for cell in _cells(nb):
                gid = _grade_id(cell)
                if gid:
                    out[(nb.stem, gid)] = _source(cell)
        except (OSError, *_MAX_DEPTH_JSON):
            continue
    return out


class _Text(HTMLParser):
    """The text of an HTML document, one block per element, without scripts, styles or images."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style", "title")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style", "title") and self._skip > 0

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.blocks.append(" ".join(data.split()))


def deliverable_text(html_text: str, own_answers: set[str]) -> str:
    parser = _Text()
    parser.feed(html_text)
    parser.close()
    return "\n".join(b for b in parser.blocks if b not in own_answers)


def _answers(copy: Path, assignment: str) -> list[Passage]:
    path = copy / "reponses.json"
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("pas un dictionnaire")
    out = []
    for notebook, values in sorted(data.items()):
        if not isinstance(values, dict):
            continue
        for question, value in sorted(values.items()):
            if isinstance(value, str) and value.strip():
                out.append(Passage(assignment, str(notebook), str(question), "formulaire", value))
    return out


def _solutions(nb: Path, assignment: str, stubs: dict[tuple[str, str], str]) -> list[Passage]:
    out = []
    for cell in _cells(nb):
        gid = _grade_id(cell)
        if not gid:
            continue
        stub = stubs.get((nb.stem, gid), "")
        stub_lines = {line.strip() for line in stub.splitlines() if line.strip()}
        own = "\n".join(line for line in _source(cell).splitlines() if line.strip() not in stub_lines)
        if own.strip():
            kind = "code" if cell.get("cell_type") == "code" else "texte"
            out.append(Passage(assignment, nb.stem, gid, kind, own))
    return out


def candidate_passages(copy: Path, assignment: str, stubs: dict[tuple[str, str], str],
                       notes: list[str], who: str) -> list[Passage]:
    """The passages of one collected copy (already copied without links); what cannot be read is noted."""
    where = f"{shown(who)} ({assignment})"
    try:
        passages = _answers(copy, assignment)
    except (OSError, UnicodeDecodeError, *_MAX_DEPTH_JSON):
        passages = []
        notes.append(f"{where} : reponses.json illisible, ses réponses aux formulaires ne sont pas comparées.")
    for nb in sorted(copy.glob("*.ipynb")):
        try:
            passages += _solutions(nb, assignment, stubs)
        except (OSError, UnicodeDecodeError, AttributeError, TypeError, *_MAX_DEPTH_JSON):
            notes.append(f"{where} : carnet « {shown(nb.name)} » illisible, ses réponses écrites et son code ne "
                         "sont pas comparés.")
    own = {" ".join(p.text.split()) for p in passages if p.kind == "formulaire"}
    for doc in sorted((copy / "livrables").glob("*.html")):
        try:
            text = deliverable_text(doc.read_text(encoding="utf-8", errors="replace"), own)
        except (OSError, AssertionError, ValueError):
            notes.append(f"{where} : livrable « {shown(doc.name)} » illisible, il n'est pas comparé.")
            continue
        if text.strip():
            passages.append(Passage(assignment, "livrables", doc.name, "livrable", text))
    return passages


def cohort_sources(course_root: Path, assignments: list[str]) -> tuple[dict[str, list[Passage]],
                                                                      dict[tuple[str, str, str], list[str]], list[str]]:
    """Every candidate's passages over `assignments`, the reference texts, and French notes on what was skipped."""
    course_root = Path(course_root)
    candidates: dict[str, list[Passage]] = {}
    refs: dict[tuple[str, str, str], list[str]] = {}
    notes: list[str] = []
    submitted = course_root / "submitted"
    for assignment in assignments:
        refs.update(references(course_root, assignment))
        stubs = _stubs(course_root, assignment)
        for student in sorted(p for p in submitted.glob(f"*/{assignment}")):
            who = student.parent.name
            candidates.setdefault(who, [])
            with tempfile.TemporaryDirectory(prefix="mdpc-similitudes-") as tmp:
                copy = Path(tmp) / "copie"
                try:
                    copy_tree(student, copy, _COPIED)  # links and special files left out, never followed
                except OSError:
                    notes.append(f"{shown(who)} ({assignment}) : copie illisible (lien ou dossier spécial), "
                                 "elle n'est pas comparée.")
                    continue
                candidates[who] += candidate_passages(copy, assignment, stubs, notes, who)
    return candidates, refs, notes
