"""The answers file that lets widget input survive autograding (ARCHITECTURE.md, contract 3).

Every widget change is written at once to ``reponses.json`` in the notebook's folder, under one key
per notebook and question, and read back when the widget's cell runs again: nbgrader autograde,
which re-executes the notebook in a fresh kernel, then sees what the candidate entered.
A missing file means empty answers; an unreadable one is set aside under a new name (never
overwritten nor deleted) and the candidate is told in French.

A trainer checking a source notebook in place (``mdpc valider``) has no answers file there: that command names
the assignment's answer key in ``MDPC_SOURCE_FORMATEUR``, and a store that finds no answers file reads the key
instead, never writing it. The key is used only if it sits in a subfolder of the notebook's own folder, so a
variable left set in a trainer's shell gives nothing to a candidate's copy; the autograde sandbox empties the
environment anyway, and a copy cannot set a variable for the grading.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

ANSWERS_FILE = "reponses.json"
TRAINER_KEY_ENV = "MDPC_SOURCE_FORMATEUR"  # set by the trainer's `mdpc valider` only: path of the answer key


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


class AnswerStore:
    """Answers of one notebook, persisted in the answers file of its folder."""

    def __init__(self, notebook: str, path: str | Path | None = None, *, quiet: bool = False):
        self.notebook = notebook
        self.path = Path(path) if path else Path.cwd() / ANSWERS_FILE
        self.quiet = quiet
        self.messages: list[str] = []
        self.read_only = False
        if path is None and not self.path.exists():
            self._use_trainer_key()

    def _use_trainer_key(self) -> None:
        """In a trainer's source folder checked by `mdpc valider`: read the key it names (read only)."""
        named = os.environ.get(TRAINER_KEY_ENV, "")
        key = Path(named)
        if (named and key.is_absolute() and key.parent.parent.resolve() == self.path.parent.resolve()
                and key.is_file() and not key.is_symlink()):
            self.path, self.read_only = key, True

    def _set_aside(self, why: str) -> None:
        if self.read_only:  # the trainer's key is never moved: the check runs with empty answers and says why
            self.messages.append(f"⚠ Le fichier de réponses de référence « {self.path} » est illisible ({why}).")
            if not self.quiet:
                print(self.messages[-1])
            return
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrompu-{stamp}")
        n = 1
        while target.exists():
            target = self.path.with_name(f"{self.path.name}.corrompu-{stamp}-{n}")
            n += 1
        os.replace(self.path, target)
        message = (f"⚠ Le fichier de réponses « {self.path.name} » était illisible ({why}). Il a été mis de côté "
                   f"sous le nom « {target.name} » : rien n'a été effacé. Vos réponses repartent de zéro ; "
                   "prévenez votre formateur, qui pourra récupérer l'ancien fichier.")
        self.messages.append(message)
        if not self.quiet:
            print(message)

    def read_all(self) -> dict:
        """The whole file as a dict; {} when it is missing or had to be set aside."""
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: nested too deep
            self._set_aside(f"JSON invalide : {exc.__class__.__name__}")
            return {}
        except OSError as exc:
            self._set_aside(f"lecture impossible : {exc.strerror}")
            return {}
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            self._set_aside("structure inattendue")
            return {}
        return data

    def answers(self) -> dict:
        """This notebook's answers, {question: value}."""
        return dict(self.read_all().get(self.notebook, {}))

    def get(self, question: str, default=None):
        return self.answers().get(question, default)

    def set(self, question: str, value) -> None:
        """Save one answer at once (atomic write: a crash never leaves half a file)."""
        data = self.read_all()
        data.setdefault(self.notebook, {})[question] = _jsonable(value)
        self.write_all(data)

    def update(self, values: dict) -> None:
        data = self.read_all()
        data.setdefault(self.notebook, {}).update({k: _jsonable(v) for k, v in values.items()})
        self.write_all(data)

    def write_all(self, data: dict) -> None:
        if self.read_only:  # a trainer's check writes nothing, least of all into the key
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".reponses-", suffix=".json", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=True)
            os.fchmod(fh.fileno(), 0o644)  # mkstemp makes it 0600: the grading reads it as another user
        os.replace(tmp, self.path)
