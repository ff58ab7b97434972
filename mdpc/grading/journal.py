"""Storage of the journal of ratings, ``notation.db``: a chain of rows no one rewrites unseen.

The format, and what the chain proves and does not, are in :mod:`mdpc.core.journal`; the walk that names
a break in :mod:`mdpc.core.journal_check`. Who writes here: :class:`mdpc.grading.ratings.RatingBook` (a
rating, under a lock that also covers the gradebook's mirror) and ``mdpc effacer``
(:meth:`Journal.erase_candidate`).

Tables:

- ``notes``: one row per rating, with its rank in the chain, its salt, the digest of its personal part,
  its content digest and its chain hash; ``efface`` is set when an erasure blanked its personal part.
  Triggers refuse any ``DELETE`` and any ``UPDATE`` but the one an erasure makes (personal fields blanked,
  everything else unchanged): the erasure no longer lifts them;
- ``evenements``: the journal's own events, in the same chain (start of the chain over an older journal,
  erasures — how many rows of which tables, when, no name —, protection put back); neither updated nor
  deleted;
- ``brouillons``: a comment typed in formgrader before its level, kept for its author until the level is
  saved. A draft is not a rating (it counts for nothing and is shown to its author only); it is replaced
  and deleted as formgrader saves, so it is outside the chain and unprotected; an erasure deletes the
  candidate's drafts;
- ``effacements``: erasures of an older version of the project (rows deleted); read once when the chain
  starts (their count and dates go into the start event), never written again.

Opening the journal (:meth:`Journal.open`, done by every ``RatingBook``) creates it, or, for a journal
of an older version, computes the chain once over its rows and records in the journal that the chain
started then; it also puts back a protection (trigger) that someone removed, and records that it did.
The timestamp of a row is the system's clock in UTC when it is written, never earlier than the previous
row's: a clock set back is refused. ``mdpc journal --verifier`` walks the chain (:func:`verify_journal`).
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
from dataclasses import replace
from pathlib import Path

from mdpc.core.journal import (
    CHAIN_START,
    ERASED_FIELDS,
    ERASURE,
    EVENTS,
    GENESIS,
    NOTES,
    PROTECTION,
    EventRow,
    JournalError,
    NoteRow,
    canonical,
    link,
    next_timestamp,
    personal_digest,
    row_digest,
)
from mdpc.core.journal_check import Verification, verify

DB_NAME = "notation.db"
SCHEMA_VERSION = 1  # PRAGMA user_version: 0 = the journal before the chain
_TABLES = (
    """CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    devoir TEXT NOT NULL, candidat TEXT NOT NULL, competence TEXT NOT NULL, critere INTEGER NOT NULL,
    evaluateur TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('correcteur', 'jury')),
    niveau INTEGER NOT NULL, commentaire TEXT NOT NULL DEFAULT '', horodatage TEXT NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS notes_critere ON notes (devoir, candidat, competence, critere)",
    """CREATE TABLE IF NOT EXISTS brouillons (
    devoir TEXT NOT NULL, candidat TEXT NOT NULL, competence TEXT NOT NULL, critere INTEGER NOT NULL,
    evaluateur TEXT NOT NULL, commentaire TEXT NOT NULL, horodatage TEXT NOT NULL,
    PRIMARY KEY (devoir, candidat, competence, critere, evaluateur)
)""",
    """CREATE TABLE IF NOT EXISTS evenements (
    id INTEGER PRIMARY KEY AUTOINCREMENT, rang INTEGER NOT NULL, nature TEXT NOT NULL, detail TEXT NOT NULL,
    horodatage TEXT NOT NULL, empreinte TEXT NOT NULL, chaine TEXT NOT NULL
)""",
)
# added to an older journal's notes by ALTER TABLE, so old and new journals have the same columns
_CHAIN_COLUMNS = (("rang", "INTEGER"), ("sel", "TEXT"), ("empreinte_personnelle", "TEXT"), ("empreinte", "TEXT"),
                  ("chaine", "TEXT"), ("efface", "INTEGER"))
_INDEXES = ("CREATE UNIQUE INDEX IF NOT EXISTS notes_rang ON notes (rang)",
            "CREATE UNIQUE INDEX IF NOT EXISTS evenements_rang ON evenements (rang)")
_KEPT = ("id", "rang", "devoir", "competence", "critere", "evaluateur", "role", "niveau", "horodatage",
         "empreinte_personnelle", "empreinte", "chaine")
TRIGGERS = {
    # the one update allowed: an erasure blanks the personal fields of a sealed row, once, and nothing else
    "notes_sans_modification": (
        "CREATE TRIGGER notes_sans_modification BEFORE UPDATE ON notes WHEN NOT (OLD.efface IS NULL "
        "AND NEW.efface IS NOT NULL AND OLD.empreinte IS NOT NULL AND NEW.candidat = '' AND NEW.commentaire = '' "
        "AND NEW.sel = '' AND " + " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _KEPT) + ") "
        "BEGIN SELECT RAISE(ABORT, 'le journal des notes ne se modifie pas (seul un effacement retire les données "
        "personnelles d''une note)'); END"),
    "notes_sans_suppression": (
        "CREATE TRIGGER notes_sans_suppression BEFORE DELETE ON notes "
        "BEGIN SELECT RAISE(ABORT, 'le journal des notes ne se supprime pas'); END"),
    "evenements_sans_modification": (
        "CREATE TRIGGER evenements_sans_modification BEFORE UPDATE ON evenements "
        "BEGIN SELECT RAISE(ABORT, 'le journal des notes ne se modifie pas'); END"),
    "evenements_sans_suppression": (
        "CREATE TRIGGER evenements_sans_suppression BEFORE DELETE ON evenements "
        "BEGIN SELECT RAISE(ABORT, 'le journal des notes ne se supprime pas'); END"),
}
_NOTE_COLUMNS = ("devoir", "candidat", "competence", "critere", "evaluateur", "role", "niveau", "commentaire",
                 "horodatage", "id", "rang", "sel", "empreinte_personnelle", "empreinte", "chaine", "efface")
_EVENT_COLUMNS = ("id", "rang", "nature", "detail", "horodatage", "empreinte", "chaine")


def _normal(sql: str | None) -> str:
    return " ".join((sql or "").split())


class Journal:
    """``notation.db`` as a chain of rows (see the module's docstring); `clock` is for tests only."""

    def __init__(self, path: str | Path, clock=None):
        self.path = Path(path)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    # -- schema ----------------------------------------------------------------------------------
    @staticmethod
    def altered_triggers(db) -> list[str]:
        """The protections missing from the database, or not as written here (names)."""
        found = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
        return [name for name, sql in TRIGGERS.items() if _normal(found.get(name)) != _normal(sql)]

    def open(self) -> list[str]:
        """Create the journal, chain an older one, or put back a removed protection; returns what was done
        (French), each recorded in the journal itself."""
        db = self.connect()
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION and not self.altered_triggers(db):
                return []
            db.execute("BEGIN IMMEDIATE")  # several processes may open it at once: one migrates, the others wait
            done = []
            if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                done += self._migrate(db)
            altered = self.altered_triggers(db)
            if altered:
                for name in altered:
                    db.execute(f"DROP TRIGGER IF EXISTS {name}")
                    db.execute(TRIGGERS[name])
                self.append_event(db, PROTECTION, {"declencheurs": altered})
                done.append(f"protection du journal rétablie ({', '.join(altered)}) et consignée dans le journal")
            db.commit()
            return done
        except BaseException:
            db.rollback()
            raise
        finally:
            db.close()

    def _migrate(self, db) -> list[str]:
        for statement in _TABLES:
            db.execute(statement)
        columns = {row[1] for row in db.execute("PRAGMA table_info(notes)")}
        for name, kind in _CHAIN_COLUMNS:
            if name not in columns:
                db.execute(f"ALTER TABLE notes ADD COLUMN {name} {kind}")
        for name in TRIGGERS:  # the older update trigger forbade everything, erasure included
            db.execute(f"DROP TRIGGER IF EXISTS {name}")
        rank, previous, _ = self._tail(db)
        old = db.execute("SELECT id, devoir, candidat, competence, critere, evaluateur, role, niveau, commentaire, "
                         "horodatage FROM notes WHERE empreinte IS NULL ORDER BY id").fetchall()
        for (row_id, *fields) in old:
            rank += 1
            row = self._sealed(NoteRow(*fields, id=row_id, rank=rank), previous)
            db.execute("UPDATE notes SET rang = ?, sel = ?, empreinte_personnelle = ?, empreinte = ?, chaine = ? "
                       "WHERE id = ?", (row.rank, row.salt, row.personal, row.digest, row.chain, row_id))
            previous = row.chain
        for statement in _INDEXES + tuple(TRIGGERS.values()):
            db.execute(statement)
        done = []
        if old:
            earlier = []
            if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'effacements'").fetchone():
                earlier = [{"horodatage": at, "lignes": n}
                           for at, n in db.execute("SELECT horodatage, lignes FROM effacements ORDER BY id")]
            self.append_event(db, CHAIN_START, {"notes_scellees": len(old), "effacements_anterieurs": earlier},
                              check_clock=False)
            done.append(f"chaîne d'empreintes calculée sur les {len(old)} note(s) existante(s) ; le début de la "
                        "chaîne est consigné dans le journal")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return done

    # -- writing (inside a transaction begun by the caller) -------------------------------------
    @staticmethod
    def _tail(db) -> tuple[int, str, str | None]:
        """(rank, chain hash, timestamp) of the last sealed row of the chain."""
        exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'evenements'").fetchone()
        columns = {row[1] for row in db.execute("PRAGMA table_info(notes)")}
        if not exists or "chaine" not in columns:
            return 0, GENESIS, None
        row = db.execute("SELECT rang, chaine, horodatage FROM notes WHERE chaine IS NOT NULL UNION ALL "
                         "SELECT rang, chaine, horodatage FROM evenements WHERE chaine IS NOT NULL "
                         "ORDER BY rang DESC LIMIT 1").fetchone()
        return (row[0], row[1], row[2]) if row else (0, GENESIS, None)

    @staticmethod
    def _sealed(row: NoteRow, previous: str) -> NoteRow:
        salt = secrets.token_hex(16)
        row = replace(row, salt=salt, personal=personal_digest(row.candidate, row.comment, salt))
        content = row_digest(row)
        return replace(row, digest=content, chain=link(previous, content))

    def append_note(self, db, assignment: str, candidate: str, competency: str, criterion: int, who: str, role: str,
                    level: int, comment: str) -> NoteRow:
        """Append one rating at the end of the chain, timestamped now by the system."""
        rank, previous, last_at = self._tail(db)
        at = next_timestamp(self._clock(), last_at)
        row = self._sealed(NoteRow(assignment, candidate, competency, int(criterion), who, role, int(level),
                                   comment or "", at, rank=rank + 1), previous)
        columns = [c for c in _NOTE_COLUMNS if c not in ("id", "efface")]
        cursor = db.execute(f"INSERT INTO notes ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                            (row.assignment, row.candidate, row.competency, row.criterion, row.who, row.role, row.level,
                             row.comment, row.at, row.rank, row.salt, row.personal, row.digest, row.chain))
        return replace(row, id=cursor.lastrowid)

    def append_event(self, db, kind: str, detail: dict, check_clock: bool = True) -> EventRow:
        rank, previous, last_at = self._tail(db)
        at = next_timestamp(self._clock(), last_at if check_clock else None)
        row = EventRow(0, rank + 1, kind, canonical(detail).decode("utf-8"), at)
        content = row_digest(row)
        row = replace(row, digest=content, chain=link(previous, content))
        cursor = db.execute("INSERT INTO evenements (rang, nature, detail, horodatage, empreinte, chaine) "
                            "VALUES (?, ?, ?, ?, ?, ?)", (row.rank, row.kind, row.detail, row.at, row.digest, row.chain))
        return replace(row, id=cursor.lastrowid)

    def erase_candidate(self, candidate: str) -> tuple[int, int]:
        """Blank the personal part of `candidate`'s ratings and delete their drafts, keeping every digest, and
        record the erasure (counts per table, no name) in the chain; returns (ratings blanked, drafts deleted)."""
        db = self.connect()
        try:
            db.execute("PRAGMA secure_delete = ON")  # the old values are overwritten, not left in free pages
            db.execute("BEGIN IMMEDIATE")
            ids = [r[0] for r in db.execute("SELECT id FROM notes WHERE candidat = ? AND efface IS NULL ORDER BY id",
                                            (candidate,))]
            drafts = db.execute("DELETE FROM brouillons WHERE candidat = ?", (candidate,)).rowcount
            if ids or drafts:
                event = self.append_event(db, ERASURE, {"tables": {NOTES: len(ids), "brouillons": drafts},
                                                        "champs_retires": list(ERASED_FIELDS)})
                db.executemany("UPDATE notes SET candidat = '', commentaire = '', sel = '', efface = ? WHERE id = ?",
                               [(event.rank, i) for i in ids])
            db.commit()
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # nor in the write-ahead log
            return len(ids), drafts
        except BaseException:
            db.rollback()
            raise
        finally:
            db.close()

    # -- reading ---------------------------------------------------------------------------------
    @staticmethod
    def rows(db) -> tuple[list[NoteRow], list[EventRow]]:
        notes = [NoteRow(*r) for r in db.execute(f"SELECT {', '.join(_NOTE_COLUMNS)} FROM notes ORDER BY id")]
        events = [EventRow(*r) for r in db.execute(f"SELECT {', '.join(_EVENT_COLUMNS)} FROM {EVENTS} ORDER BY id")]
        return notes, events


def verify_journal(path: str | Path) -> Verification:
    """Walk the chain of a journal as it is on disk, changing nothing (no migration, no repair)."""
    path = Path(path)
    if not path.exists():
        raise JournalError(f"Pas de journal des notes à vérifier : {path} n'existe pas.")
    # an ordinary connection that only reads: a read-only one (mode=ro) cannot take part in the write-ahead log's
    # shared memory like the other processes (formgrader, graders) that write at the same time
    db = sqlite3.connect(path, timeout=30)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "notes" not in tables:
            return verify([], [], [])
        if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            count = db.execute("SELECT COUNT(*) FROM notes").fetchone()[0]
            raise JournalError(f"Journal des notes d'une version antérieure, sans chaîne d'empreintes ({count} notes) : "
                               "« mdpc journal --cours <dossier> » (sans --verifier) calcule la chaîne une fois et le "
                               "consigne ; toute note enregistrée le fait aussi.")
        notes, events = Journal.rows(db)
        return verify(notes, events, Journal.altered_triggers(db))
    except sqlite3.DatabaseError as exc:
        raise JournalError(f"Journal des notes {path.name} illisible : {exc}") from exc
    finally:
        db.close()
