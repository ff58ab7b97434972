"""What a grader opens under anonymous grading: ``copies_anonymes/<number>/<assignment>/``.

The graded copy ``autograded/<id>/<assignment>/`` names its candidate in its path, and may name them in its
content: the answer to an identity field of a form (« Auteur du rapport », :data:`mdpc_utils.livrable.
IDENTITY_FIELDS`) is in the notebook's saved widget state and in the text of its form cell's output, and a
deliverable written by the kit carries it in its header and its answers; a traceback carries the copy's
path, hence the id. The anonymous view holds copies of the graded notebooks and deliverables in which:

- the candidate's id becomes their copy number (case kept, whole words only: a path, a log line);
- their names as the gradebook knows them (« Prénom Nom », « Nom Prénom ») and their answers to identity
  fields become ``[masqué]``, in any case, whole words only;
- what the kit marks as the author's identity in a deliverable is blanked whatever it says
  (:func:`anonymous_deliverable`); a deliverable keeps its file name (the links of the notebook's outputs
  still lead to it) unless the name holds the candidate's id or names (``jdupont_rapport.html``, a file they
  added to ``livrables/``): it is then ``document_<k>.html``.

Everything else a candidate wrote stays as written: a name given otherwise (a last name alone, initials, a
signature in an answer) is not recognised; README, « Correction anonyme », says so to graders and candidates.
The view is made from the graded copy, which stays the reference, when a grader opens the copy (grading
notebook, formgrader's page) and the graded files changed since (:data:`STAMP`: a 19 Mo copy, 0.4 to 0.5 s
to make, 1 ms to find unchanged); ``mdpc effacer`` removes it (:func:`mdpc.grading.anonymity.forget`).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from mdpc.grading.anonymity import VIEW_DIR, AnonymityError, CopyNumbers

MASK = "[masqué]"
STAMP = ".source"  # in a view: the digest of the graded files (names, sizes, times) it was made from
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![\w-])", r"(?![\w-])"


def identity_answers(copy: Path) -> list[str]:
    """The copy's answers to identity fields (``reponses.json``: ``{notebook: {"form.field": value}}``)."""
    from mdpc_utils.livrable import IDENTITY_FIELDS

    try:
        data = json.loads((copy / "reponses.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return []
    found = []
    for answers in data.values() if isinstance(data, dict) else ():
        for key, value in answers.items() if isinstance(answers, dict) else ():
            if str(key).rsplit(".", 1)[-1] in IDENTITY_FIELDS and isinstance(value, str) and value.strip():
                found.append(value.strip())
    return found


class Scrubber:
    """Replaces a candidate's id by their copy number and their names by ``[masqué]`` in a text."""

    def __init__(self, candidate: str, number: str, names: Iterable[str]):
        self.candidate, self.number = candidate, number
        self.id_pattern = re.compile(_EDGE_BEFORE + re.escape(candidate) + _EDGE_AFTER)
        names = {" ".join(n.split()) for n in names if len(" ".join(n.split())) >= 3}
        names = sorted(names | {html.escape(n) for n in names}, key=len, reverse=True)  # « O'Brien » in a page
        # a name's words may be separated by any spaces (a line break in a table, two spaces in a form)
        # the first word of each name and the id, lowercased: a text without any of them is left untouched
        # without running the patterns (a notebook's images are megabytes of text: 1.2 s a copy, 0.1 s so)
        self.needles = {n.split()[0].casefold() for n in names} | {candidate.casefold()}
        self.name_pattern = (re.compile(_EDGE_BEFORE + "(?:" + "|".join(r"\s+".join(map(re.escape, n.split()))
                                                                         for n in names) + ")" + _EDGE_AFTER,
                                        re.IGNORECASE) if names else None)

    def text(self, value: str) -> str:
        folded = value.casefold()
        if not any(n in folded for n in self.needles):
            return value
        if self.name_pattern is not None:
            value = self.name_pattern.sub(MASK, value)
        return self.id_pattern.sub(self.number, value)

    def data(self, value):
        """Every string of a JSON value (a notebook: sources, outputs, saved widget state)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k): self.data(v) for k, v in value.items()}
        return value


def anonymous_deliverable(text: str, scrubber: Scrubber | None = None) -> str:
    """A deliverable written by the kit (:class:`mdpc_utils.livrable.Livrable`) without its author: the author in
    the header line and the answers of identity fields are marked by the kit and blanked here, whatever they
    say; then the candidate's id and names are replaced wherever they are (`scrubber`)."""
    from mdpc_utils.livrable import IDENTITY_CLASS

    text = re.sub(rf"<span class='{IDENTITY_CLASS}'>[^<]*</span>", MASK, text)
    text = re.sub(rf"<dd class='{IDENTITY_CLASS}'>.*?</dd>", f"<dd class='{IDENTITY_CLASS}'>{MASK}</dd>", text,
                  flags=re.S)
    return scrubber.text(text) if scrubber else text


def view_folder(root: str | Path, numbers: CopyNumbers, candidate: str, assignment: str,
                names: Iterable[str] = ()) -> Path:
    """``copies_anonymes/<number>/<assignment>/``, made again from ``autograded/<id>/<assignment>/`` (see the
    module): the graded notebooks and deliverables, without the candidate's id, `names` and identity answers."""
    root = Path(root)
    source = root / "autograded" / candidate / assignment
    number = numbers.copy_of(candidate)
    top = root / VIEW_DIR
    view = top / number / assignment
    for folder in (top, top / number, view, view / "livrables"):
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise AnonymityError(f"{folder} n'est pas un dossier : retirez-le, la grille le refera.")
    (view / "livrables").mkdir(parents=True, exist_ok=True)
    os.chmod(top, 0o700)
    names = sorted(set(names))
    sources = [*sorted(source.glob("*.ipynb")), *sorted((source / "livrables").glob("*.html")),
               source / "reponses.json"]
    stamp = hashlib.sha256(json.dumps([number, names, [(str(p.relative_to(source)), *_state(p)) for p in sources]])
                           .encode()).hexdigest()
    done = view / STAMP
    if (done.is_file() and done.read_text(encoding="utf-8") == stamp
            and all((view / p.name).is_file() for p in source.glob("*.ipynb"))):
        return view  # made from these very files (a 19 Mo copy takes 0.4 s to make again)
    scrubber = Scrubber(candidate, number, [*names, *identity_answers(source)])
    made = set()
    for notebook in sorted(source.glob("*.ipynb")):
        if notebook.is_file() and not notebook.is_symlink():
            try:
                text = json.dumps(scrubber.data(json.loads(notebook.read_text(encoding="utf-8"))), ensure_ascii=False,
                                  indent=1)
            except (ValueError, RecursionError):  # not JSON, or nested too deep to walk
                continue  # not shown rather than shown with its names
            made.add(_write(view / notebook.name, text))
    for k, doc in enumerate(sorted((source / "livrables").glob("*.html")), 1):
        if doc.is_file() and not doc.is_symlink():
            text = anonymous_deliverable(doc.read_text(encoding="utf-8", errors="replace"), scrubber)
            made.add(_write(view / "livrables" / safe_name(doc.name, k, scrubber), text))
    for old in [*view.glob("*.ipynb"), *(view / "livrables").glob("*")]:  # what the graded copy no longer has
        if old not in made:
            old.unlink(missing_ok=True)
    _write(done, stamp)
    return view


def _state(path: Path) -> tuple[int, int]:
    try:
        st = path.lstat()
    except FileNotFoundError:
        return (-1, -1)
    return (st.st_size, st.st_mtime_ns)


def _write(path: Path, text: str) -> Path:
    """Write whole or not at all: a grader opening the copy while formgrader makes it again reads one version."""
    fd, tmp = tempfile.mkstemp(prefix=".anonyme-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)
    return path


def safe_name(name: str, k: int, scrubber: Scrubber) -> str:
    """A deliverable's file name, or ``document_<k>.html`` when it holds the candidate's id or names (``_``,
    ``-`` and ``.`` read as spaces: ``Jeanne_Dupontel.html``)."""
    words = re.sub(r"[_.\-]+", " ", name)
    return name if scrubber.text(words) == words and not name.startswith("document_") else f"document_{k}.html"


def gradebook_names(gradebook, candidate: str) -> list[str]:
    """« Prénom Nom » and « Nom Prénom » of a candidate as nbgrader's gradebook (an open Gradebook) knows them."""
    from nbgrader.api import MissingEntry

    try:
        student = gradebook.find_student(candidate)
    except MissingEntry:
        return []
    first, last = (student.first_name or "").strip(), (student.last_name or "").strip()
    return [n for n in {f"{first} {last}".strip(), f"{last} {first}".strip()} if n]
