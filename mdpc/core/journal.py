"""The journal of ratings made tamper-evident: canonical form and hash chain (pure rules).

The journal (``notation.db``, stored by :mod:`mdpc.grading.journal`) has two tables whose rows form one
chain, numbered by their rank (``rang``, 1, 2, 3… with no gap, across both tables):

- ``notes``: one person's rating of one criterion of one candidate;
- ``evenements``: what happened to the journal itself — the start of the chain over an older journal
  (``debut_chaine``), the erasure of a candidate (``effacement``), the protection put back after someone
  removed it (``protection_retablie``). An event names nobody.

**Canonical form** (format ``mdpc-journal-1``). A row's fields are put in a JSON object with the column
names as keys, serialised with sorted keys, no whitespace, non-ASCII characters kept, encoded in UTF-8 —
in Python ``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")``;
integers stay JSON numbers, text stays JSON strings, exactly as stored (no normalisation). Digests are
SHA-256, written as 64 lowercase hexadecimal characters.

- the **personal part** of a rating, ``empreinte_personnelle`` =
  SHA-256(canonical ``{"format", "candidat", "commentaire", "sel"}``), where ``sel`` is 32 random hexadecimal
  characters drawn for the row;
- a rating's **content digest**, ``empreinte`` = SHA-256(canonical ``{"format", "table": "notes", "rang",
  "devoir", "competence", "critere", "evaluateur", "role", "niveau", "horodatage",
  "empreinte_personnelle"}``);
- an event's content digest = SHA-256(canonical ``{"format", "table": "evenements", "rang", "nature",
  "detail", "horodatage"}``), ``detail`` being the stored JSON text (a string);
- the **chain hash** of the row of rank *r*, ``chaine`` = SHA-256(chain hash of rank *r − 1* ‖ content
  digest of rank *r*), both as their 32 raw bytes; the chain hash before rank 1 is 32 zero bytes
  (:data:`GENESIS`). The chain hash of the last row, the **head**, stands for the whole journal: a jury
  that writes it (16 characters suffice, :data:`ABBREVIATION`) into its minutes can later check that the
  journal still holds exactly what it held that day (:func:`mdpc.core.journal_check.after_head`).

**Erasure without breaking the chain.** Erasing a candidate blanks the personal part of their ratings
(``candidat``, ``commentaire`` and ``sel`` become empty, ``efface`` points to the erasure event) and keeps
``empreinte_personnelle``: the content digest, over the level, the criterion, the signer and the time, is
still checked, and the chain still verifies. The salt is what makes the kept digest useless for guessing
the erased identifier back (a short id such as ``c05`` is otherwise found by trying them all).

**What the chain proves, and what it does not.** Anyone who can write the file can also recompute every
digest from a changed row onwards — the canonical form is public, there is no secret key. So the chain
proves that the journal is the one whose head was written elsewhere (the minutes, a coordinator's mail);
on its own, it shows every change that was not followed by recomputing the rest (a level changed by
``UPDATE``, a row deleted or inserted in the middle, rows reordered), and a timestamp that goes back in
time even when the rest was recomputed. A row added at the end with correct digests is not a break: it is
seen as a row added after the head written in the minutes.

The timestamps are the system's (UTC), set when the row is written, never given by a caller, and never
earlier than the previous row's (:func:`next_timestamp`). Walking the chain and naming its breaks is
:mod:`mdpc.core.journal_check`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from mdpc.core.ratings import Rating
from mdpc.errors import MdpcError

FORMAT = "mdpc-journal-1"
GENESIS = "0" * 64
ABBREVIATION = 16          # characters of a chain hash shown to people and written into the minutes
NOTES, EVENTS = "notes", "evenements"
CHAIN_START, ERASURE, PROTECTION = "debut_chaine", "effacement", "protection_retablie"
ERASED_FIELDS = ("candidat", "commentaire", "sel")


class JournalError(MdpcError):
    """The journal refuses a row, or cannot be read (message in French)."""


def canonical(obj: dict) -> bytes:
    """The canonical serialisation of a row's fields (see the module's docstring)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest(obj: dict) -> str:
    return hashlib.sha256(canonical(obj)).hexdigest()


def link(previous: str, content: str) -> str:
    """The chain hash of a row: SHA-256 of the previous chain hash and the row's content digest (raw bytes)."""
    return hashlib.sha256(bytes.fromhex(previous) + bytes.fromhex(content)).hexdigest()


def personal_digest(candidate: str, comment: str, salt: str) -> str:
    return digest({"format": FORMAT, "candidat": candidate, "commentaire": comment, "sel": salt})


def abbreviated(chain: str) -> str:
    return chain[:ABBREVIATION]


def parse_time(at: str) -> dt.datetime:
    """A stored timestamp (ISO 8601; one without a time zone is UTC)."""
    when = dt.datetime.fromisoformat(at)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def shown_time(at: str) -> str:
    try:
        return parse_time(at).astimezone(dt.UTC).strftime("%d/%m/%Y %H:%M:%S UTC")
    except (TypeError, ValueError):
        return str(at)


def next_timestamp(now: dt.datetime, previous: str | None) -> str:
    """The timestamp of a new row: the system's time `now` in UTC, to the second, refused when it is earlier
    than the previous row's (a clock set back would let a row pass for older than the ones before it)."""
    stamp = now.astimezone(dt.UTC).replace(microsecond=0)
    if previous:
        try:
            last = parse_time(previous)
        except (TypeError, ValueError):
            last = None
        if last is not None and stamp < last:
            raise JournalError(
                f"Note refusée : l'horloge de cette machine indique {shown_time(stamp.isoformat())}, avant la "
                f"dernière ligne du journal des notes ({shown_time(previous)}). Un horodatage ne revient jamais "
                "en arrière : faites remettre l'horloge du système à l'heure, puis enregistrez à nouveau.")
    return stamp.isoformat(timespec="seconds")


@dataclass(frozen=True)
class NoteRow(Rating):
    """A row of ``notes`` as stored: the rating, its id and rank, its seal (salt and digests); `erased` is the
    rank of the erasure that blanked its personal part."""

    id: int = 0
    rank: int | None = None
    salt: str | None = None
    personal: str | None = None
    digest: str | None = None
    chain: str | None = None
    erased: int | None = None

    table = NOTES

    def content(self, personal: str | None = None) -> dict:
        return {"format": FORMAT, "table": NOTES, "rang": self.rank, "devoir": self.assignment,
                "competence": self.competency, "critere": self.criterion, "evaluateur": self.who,
                "role": self.role, "niveau": self.level, "horodatage": self.at,
                "empreinte_personnelle": self.personal if personal is None else personal}

    def personal_ok(self) -> bool:
        if self.erased is not None and not (self.candidate or self.comment or self.salt):
            return True  # blanked by an erasure: only the kept digest of the personal part remains
        return personal_digest(self.candidate, self.comment, self.salt or "") == self.personal

    def where(self) -> str:
        return f"note n° {self.id} du {shown_time(self.at)}"


@dataclass(frozen=True)
class EventRow:
    id: int
    rank: int | None
    kind: str
    detail: str
    at: str
    digest: str | None = None
    chain: str | None = None

    table = EVENTS

    def content(self) -> dict:
        return {"format": FORMAT, "table": EVENTS, "rang": self.rank, "nature": self.kind, "detail": self.detail,
                "horodatage": self.at}

    def personal_ok(self) -> bool:
        return True

    def data(self) -> dict:
        try:
            value = json.loads(self.detail)
        except (TypeError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    def where(self) -> str:
        return f"événement n° {self.id} du {shown_time(self.at)}"

    def describe(self) -> str:
        """What the event says, in French, without any name."""
        data = self.data()
        if self.kind == CHAIN_START:
            earlier = data.get("effacements_anterieurs") or []
            return (f"chaîne commencée le {shown_time(self.at)} : les {data.get('notes_scellees', 0)} note(s) "
                    "antérieure(s) ont été scellées telles qu'elles étaient ce jour-là (leur histoire d'avant "
                    "n'est pas garantie)" + (f" ; {len(earlier)} effacement(s) antérieur(s) y sont consignés "
                                             f"({sum(int(e.get('lignes', 0)) for e in earlier)} ligne(s) supprimée(s) "
                                             "à l'époque)" if earlier else ""))
        if self.kind == ERASURE:
            tables = data.get("tables") or {}
            return (f"effacement d'un candidat le {shown_time(self.at)} : {tables.get(NOTES, 0)} note(s) "
                    f"caviardée(s) ({', '.join(data.get('champs_retires') or ERASED_FIELDS)} retirés ; niveau, "
                    f"critère, signataire et heure gardés), {tables.get('brouillons', 0)} brouillon(s) supprimé(s)")
        if self.kind == PROTECTION:
            return (f"protection du journal rétablie le {shown_time(self.at)} : déclencheur(s) retiré(s) ou modifié(s) "
                    f"hors de mdpc auparavant ({', '.join(data.get('declencheurs') or [])})")
        return f"événement « {self.kind} » du {shown_time(self.at)}"


Row = NoteRow | EventRow


def row_digest(row: Row) -> str:
    return digest(row.content())
