"""Anonymous grading: graders see copy numbers, never the candidates' names or ids.

The option is per course, in its ``jury.yaml`` (:mod:`mdpc.core.roster`, open schema)::

    anonymat: true

With it, every candidate of the course receives a **copy number** (six digits, drawn with :mod:`secrets`
once, never derived from the id nor from the order of the candidates), kept in the course's private file
``anonymat.json`` (0600, beside ``notation.db``; never shown to graders: the coordinator keeps it, like the
journal). A number, once drawn, never changes: a candidate who appears later draws a new one, the others
keep theirs. A number never equals a candidate's id, so a value is either one or the other.

What uses it: the grading notebook (:mod:`mdpc.grading.rating_form`: candidate picker, headers, similarity
alert, links to the copy through its anonymous view, :mod:`mdpc.grading.anonymous_copies`), formgrader
(:mod:`mdpc.grading.formgrader_anonymity`) and ``mdpc noter --candidat`` (:meth:`mdpc.grading.ratings.RatingBook.record` takes a copy number). The
journal of ratings, the gradebook, decisions, reports and minutes keep the real ids: identities come back
for the jury.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path

from mdpc.core.roster import ROSTER_FILE
from mdpc.core.roster import load as load_roster
from mdpc.errors import MdpcError

OPTION = "anonymat"
MAP_FILE = "anonymat.json"
VIEW_DIR = "copies_anonymes"  # what the graders open: copy numbers only (see view_folder)
DIGITS = 6
_NUMBER = re.compile(rf"\d{{{DIGITS}}}")


class AnonymityError(MdpcError):
    """The anonymity option or the copy numbers cannot be used as given (message in French)."""


def enabled(root: str | Path) -> bool:
    """Whether the course folder `root` grades anonymously (``anonymat: true`` in its jury.yaml)."""
    roster = load_roster(Path(root) / ROSTER_FILE)
    value = roster.extra.get(OPTION, False) if roster else False
    if not isinstance(value, bool):
        raise AnonymityError(f"Fichier {ROSTER_FILE} : « {OPTION} » vaut true ou false (reçu : {value!r}).")
    return value


def label(number: str) -> str:
    """How a copy number is shown: « copie n° 482913 »."""
    return f"copie n° {number}"


class CopyNumbers:
    """The course's copy numbers, candidate id → number, read from (and completed in) ``anonymat.json``."""

    def __init__(self, root: str | Path, candidates: Iterable[str] = ()):
        self.path = Path(root) / MAP_FILE
        self.numbers: dict[str, str] = self._load_and_complete(sorted(set(candidates)))
        self.candidates = {n: c for c, n in self.numbers.items()}

    def _load_and_complete(self, candidates: list[str]) -> dict[str, str]:
        """Read the numbers, draw those missing and write them back (see :meth:`update`)."""
        if not candidates and not self.path.exists():
            return {}

        def complete(numbers: dict[str, str]) -> bool:
            missing = [c for c in candidates if c not in numbers]
            taken = set(numbers.values()) | set(numbers) | set(candidates)
            for candidate in missing:
                numbers[candidate] = _draw(taken)
                taken.add(numbers[candidate])
            return bool(missing)

        return self.update(complete)

    def update(self, change) -> dict[str, str]:
        """Read the table under an exclusive lock (two graders' servers drawing at once keep one table), let
        `change` modify it in place (it returns whether it did), and write it back in place, 0600."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.fchmod(fd, 0o600)
            with os.fdopen(os.dup(fd), "r+", encoding="utf-8") as fh:
                text = fh.read()
                numbers = self._parse(text) if text.strip() else {}
                if change(numbers):
                    fh.seek(0)
                    fh.truncate()
                    json.dump({"version": 1, "copies": dict(sorted(numbers.items()))}, fh, ensure_ascii=False, indent=1)
                    fh.flush()
                    os.fsync(fh.fileno())
        finally:
            os.close(fd)
        return numbers

    def _parse(self, text: str) -> dict[str, str]:
        try:
            data = json.loads(text)
            numbers = {str(c): str(n) for c, n in data["copies"].items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            raise AnonymityError(f"{self.path} est illisible : les numéros de copie ne peuvent pas être retrouvés. "
                                 "Rétablissez-le depuis une sauvegarde ; ne le supprimez pas (un nouveau tirage "
                                 "changerait les numéros déjà vus par les correcteurs).") from None
        if len(set(numbers.values())) != len(numbers) or not all(_NUMBER.fullmatch(n) for n in numbers.values()):
            raise AnonymityError(f"{self.path} : chaque candidat doit avoir un numéro de copie à {DIGITS} chiffres, "
                                 "distinct de tous les autres.")
        return numbers

    def copy_of(self, candidate: str) -> str:
        try:
            return self.numbers[candidate]
        except KeyError:
            raise AnonymityError(f"Aucun numéro de copie pour ce candidat : relancez la grille ou formgrader, qui "
                                 f"tirent les numéros manquants ({MAP_FILE}).") from None

    def candidate_of(self, number: str) -> str:
        """The candidate behind a copy number, or a French AnonymityError that names no candidate."""
        number = str(number or "").strip().removeprefix("n°").strip()
        try:
            return self.candidates[number]
        except KeyError:
            raise AnonymityError(f"Numéro de copie inconnu : « {number} ». Indiquez le numéro à {DIGITS} chiffres "
                                 "que montrent la grille de saisie ou formgrader.") from None

    def resolve(self, value: str) -> str:
        """A candidate id given as a copy number or as the id itself (the coordinator's ``mdpc noter``)."""
        value = str(value or "").strip()
        if value in self.numbers:
            return value
        if value.removeprefix("n°").strip().isdigit():
            return self.candidate_of(value)
        raise AnonymityError(f"Candidat inconnu : « {value} » n'est ni le numéro d'une copie ni l'identifiant d'un "
                             "candidat dont la copie a été ramassée (correction anonyme).")


def _draw(taken: set[str]) -> str:
    while True:
        number = f"{secrets.randbelow(10 ** DIGITS - 10 ** (DIGITS - 1)) + 10 ** (DIGITS - 1)}"
        if number not in taken:
            return number


def known_candidates(root: str | Path) -> list[str]:
    """Every candidate the course knows: the gradebook's students and the collected copies (submitted/)."""
    root = Path(root)
    found = {p.name for p in (root / "submitted").glob("*") if p.is_dir()}
    for folder in ("autograded",):
        found |= {p.name for p in (root / folder).glob("*") if p.is_dir()}
    return sorted(found)


def copy_numbers(root: str | Path, candidates: Iterable[str] = ()) -> CopyNumbers:
    """The course's copy numbers, completed for `candidates` and every candidate of its folders."""
    return CopyNumbers(root, [*known_candidates(root), *candidates])


def forget(root: str | Path, candidate: str) -> list[str]:
    """An erased candidate (``mdpc effacer``): their anonymous view and their copy number go; the others' stay."""
    root, done = Path(root), []
    if not (root / MAP_FILE).exists():
        return done
    table = CopyNumbers(root)
    number = table.numbers.get(candidate)
    if number is None:
        return done
    for view in (root / VIEW_DIR / number, root / "lecture" / VIEW_DIR / number):  # and its read-only pages
        if view.is_symlink() or view.is_file():
            view.unlink()
        elif view.exists():
            shutil.rmtree(view)
    table.update(lambda numbers: numbers.pop(candidate, None) is not None)
    return [f"{VIEW_DIR}/ et {MAP_FILE} : copie anonyme et numéro de copie du candidat supprimés"]
