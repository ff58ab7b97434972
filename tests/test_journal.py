"""The journal of ratings shows tampering: hash chain, verification, erasure without breaking the chain,
migration of an older journal, and who may sign (the roster, jury.yaml).

Fast: the journal is a SQLite file in a temporary folder, written through :class:`Journal` (what
``RatingBook.record`` does inside its lock), then tampered with raw sqlite3 as a hostile user would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import sqlite3
import threading
from contextlib import redirect_stdout
from dataclasses import replace

import pytest
import yaml

from mdpc import cli
from mdpc.core import journal as jr
from mdpc.core import journal_check as jc
from mdpc.core import roster as rs
from mdpc.grading.course import Course, CourseError
from mdpc.grading.journal import DB_NAME, Journal, verify_journal
from mdpc.grading.ratings import RatingBook

A = "B4_pilotage_performance"
START = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)
# notation.db as the project wrote it before the chain (SCHEMA of mdpc/grading/ratings.py until d7b739c)
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    devoir TEXT NOT NULL, candidat TEXT NOT NULL, competence TEXT NOT NULL, critere INTEGER NOT NULL,
    evaluateur TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('correcteur', 'jury')),
    niveau INTEGER NOT NULL, commentaire TEXT NOT NULL DEFAULT '', horodatage TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_critere ON notes (devoir, candidat, competence, critere);
CREATE TRIGGER IF NOT EXISTS notes_sans_modification BEFORE UPDATE ON notes
BEGIN SELECT RAISE(ABORT, 'le journal des notes ne se modifie pas'); END;
CREATE TRIGGER IF NOT EXISTS notes_sans_suppression BEFORE DELETE ON notes
BEGIN SELECT RAISE(ABORT, 'le journal des notes ne se supprime pas'); END;
CREATE TABLE IF NOT EXISTS brouillons (
    devoir TEXT NOT NULL, candidat TEXT NOT NULL, competence TEXT NOT NULL, critere INTEGER NOT NULL,
    evaluateur TEXT NOT NULL, commentaire TEXT NOT NULL, horodatage TEXT NOT NULL,
    PRIMARY KEY (devoir, candidat, competence, critere, evaluateur)
);
CREATE TABLE IF NOT EXISTS effacements (
    id INTEGER PRIMARY KEY AUTOINCREMENT, horodatage TEXT NOT NULL, lignes INTEGER NOT NULL
);
"""


class Clock:
    """The system's clock, as a test sets it: one minute more at every reading, unless set back."""

    def __init__(self, start=START):
        self.now = start

    def __call__(self):
        self.now += dt.timedelta(minutes=1)
        return self.now


def write(journal: Journal, rows: list[tuple]) -> None:
    db = journal.connect()
    try:
        db.execute("BEGIN IMMEDIATE")
        for candidate, code, k, who, role, level, comment in rows:
            journal.append_note(db, A, candidate, code, k, who, role, level, comment)
        db.commit()
    finally:
        db.rollback()
        db.close()


RATINGS = [("c01", "C4.1", 1, "Mme Aubert", "correcteur", 3, "Plan réaliste"),
           ("c01", "C4.1", 1, "M. Keller", "correcteur", 2, "Arbitrages peu justifiés"),
           ("c02", "C4.1", 2, "Mme Aubert", "correcteur", 1, "Capacités mal calculées"),
           ("c01", "C4.1", 1, "Mme Bernard", "jury", 3, "Niveau arrêté par le jury"),
           ("c02", "C4.2", 1, "M. Keller", "correcteur", 2, "Indicateurs justes"),
           ("c03", "C4.2", 1, "Mme Aubert", "correcteur", 0, "Rien de rendu")]


@pytest.fixture
def journal(tmp_path):
    j = Journal(tmp_path / DB_NAME, clock=Clock())
    j.open()
    write(j, RATINGS)
    return j


def raw(journal: Journal) -> sqlite3.Connection:
    """The database as a hostile user opens it: sqlite3, no mdpc; the protections removed first."""
    db = sqlite3.connect(journal.path, isolation_level=None)
    for name in ("notes_sans_modification", "notes_sans_suppression", "notes_rang"):
        db.execute(f"DROP {'INDEX' if name == 'notes_rang' else 'TRIGGER'} IF EXISTS {name}")
    return db


def reseal(db: sqlite3.Connection, from_rank: int) -> None:
    """What a careful forger does after a change: recompute every digest and chain hash from `from_rank` on,
    exactly as the documented canonical form says (salts kept)."""
    notes, events = Journal.rows(db)
    rows = sorted([*notes, *events], key=lambda r: r.rank)
    previous = jr.GENESIS
    for row in rows:
        if row.rank >= from_rank:
            if isinstance(row, jr.NoteRow):
                row = replace(row, personal=jr.personal_digest(row.candidate, row.comment, row.salt))
            content = jr.row_digest(row)
            chain = jr.link(previous, content)
            if isinstance(row, jr.NoteRow):
                db.execute("UPDATE notes SET empreinte_personnelle = ?, empreinte = ?, chaine = ? WHERE id = ?",
                           (row.personal, content, chain, row.id))
            else:
                db.execute("UPDATE evenements SET empreinte = ?, chaine = ? WHERE id = ?", (content, chain, row.id))
            previous = chain
        else:
            previous = row.chain


def first_break(journal: Journal) -> jc.Break:
    v = verify_journal(journal.path)
    assert not v.ok, v.summary()
    return v.first


# -- the format ---------------------------------------------------------------------------------------

def test_the_canonical_form_and_the_chain_are_the_documented_ones():
    """The module's docstring is enough to verify a journal without mdpc: the literal JSON below is it."""
    salt = "0f" * 16
    row = jr.NoteRow(A, "c01", "C4.1", 2, "Mme Aubert", "correcteur", 3, "Plan réaliste",
                     "2027-01-10T09:01:00+00:00", id=7, rank=1, salt=salt)
    personal = hashlib.sha256(('{"candidat":"c01","commentaire":"Plan réaliste","format":"mdpc-journal-1",'
                               f'"sel":"{salt}"}}').encode()).hexdigest()
    assert jr.personal_digest("c01", "Plan réaliste", salt) == personal
    row = replace(row, personal=personal)
    content = hashlib.sha256(('{"competence":"C4.1","critere":2,"devoir":"B4_pilotage_performance",'
                              f'"empreinte_personnelle":"{personal}","evaluateur":"Mme Aubert","format":"mdpc-journal-1",'
                              '"horodatage":"2027-01-10T09:01:00+00:00","niveau":3,"rang":1,"role":"correcteur",'
                              '"table":"notes"}').encode()).hexdigest()
    assert jr.row_digest(row) == content
    assert jr.link(jr.GENESIS, content) == hashlib.sha256(bytes(32) + bytes.fromhex(content)).hexdigest()
    event = jr.EventRow(1, 2, jr.ERASURE, '{"tables":{"notes":1}}', "2027-01-10T09:02:00+00:00")
    assert jr.row_digest(event) == hashlib.sha256(
        b'{"detail":"{\\"tables\\":{\\"notes\\":1}}","format":"mdpc-journal-1","horodatage":'
         b'"2027-01-10T09:02:00+00:00","nature":"effacement","rang":2,"table":"evenements"}').hexdigest()


def test_a_new_rows_time_is_the_systems_and_never_goes_back(tmp_path):
    clock = Clock()
    j = Journal(tmp_path / DB_NAME, clock=clock)
    j.open()
    write(j, RATINGS[:2])
    clock.now -= dt.timedelta(hours=2)  # the clock is set back
    with pytest.raises(jr.JournalError, match="l'horloge de cette machine indique .* avant la dernière ligne"):
        write(j, RATINGS[2:3])
    assert verify_journal(j.path).notes == 2  # nothing written
    clock.now += dt.timedelta(hours=2)
    write(j, RATINGS[2:3])
    notes, _ = Journal.rows(sqlite3.connect(j.path))
    assert [n.at for n in notes] == sorted(n.at for n in notes) and notes[-1].at.endswith("+00:00")
    assert jr.next_timestamp(START, START.isoformat()) == START.isoformat()  # the same second is not going back


def test_an_untouched_journal_verifies_and_names_its_head(journal):
    v = verify_journal(journal.path)
    assert v.ok and v.notes == len(RATINGS) and v.head_rank == len(RATINGS)
    lines = v.summary()
    assert lines[0] == f"journal intact : {len(RATINGS)} notes, chaîne vérifiée jusqu'à {v.head[:16]}"
    assert any("tête de chaîne à reporter au procès-verbal" in line and v.head in line for line in lines)


# -- tampering, each detected and named -----------------------------------------------------------------

def test_drop_trigger_then_update_a_level_is_detected(journal):
    db = raw(journal)
    db.execute("UPDATE notes SET niveau = 3 WHERE rang = 3")  # c02 given 3 instead of 1
    first = first_break(journal)
    assert (first.kind, first.rank) == (jc.MODIFIED, 3) and "ne correspond plus à son empreinte" in first.message
    kinds = {b.kind for b in verify_journal(journal.path).breaks}
    assert jc.PROTECTION_OFF in kinds  # and the missing trigger is said


def test_a_deleted_row_is_detected(journal):
    raw(journal).execute("DELETE FROM notes WHERE rang = 2")
    first = first_break(journal)
    assert (first.kind, first.rank) == (jc.DELETED, 2) and "aucune ligne ne porte le rang 2" in first.message


def test_a_forged_row_with_a_plausible_hash_is_detected(journal):
    """The forger knows the canonical form: the row's digests are right and it follows rank 3 correctly;
    it is still a second row at rank 4."""
    db = raw(journal)
    notes, _ = Journal.rows(db)
    forged = jr.NoteRow(A, "c02", "C4.1", 2, "Mme Bernard", "jury", 3, "Niveau final", notes[3].at, rank=4,
                        salt="ab" * 16)
    forged = replace(forged, personal=jr.personal_digest(forged.candidate, forged.comment, forged.salt))
    content = jr.row_digest(forged)
    db.execute("INSERT INTO notes (rang, devoir, candidat, competence, critere, evaluateur, role, niveau, commentaire, "
               "horodatage, sel, empreinte_personnelle, empreinte, chaine) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
               (4, A, "c02", "C4.1", 2, "Mme Bernard", "jury", 3, "Niveau final", forged.at, forged.salt,
                forged.personal, content, jr.link(notes[2].chain, content)))
    first = first_break(journal)
    assert (first.kind, first.rank) == (jc.INSERTED, 4) and "2 lignes portent le rang 4" in first.message


def test_a_row_replaced_with_recomputed_digests_breaks_the_link_to_the_next(journal):
    """The forger changes a level and recomputes that row's digests and chain hash, not the rows after it."""
    db = raw(journal)
    db.execute("UPDATE notes SET niveau = 3 WHERE rang = 3")
    notes, _ = Journal.rows(db)
    row = next(n for n in notes if n.rank == 3)
    content = jr.row_digest(row)
    db.execute("UPDATE notes SET empreinte = ?, chaine = ? WHERE rang = 3", (content, jr.link(notes[1].chain, content)))
    first = first_break(journal)
    assert (first.kind, first.rank) == (jc.BROKEN, 4) and "ne suit plus la ligne qui la précède" in first.message


def test_reordered_rows_are_detected(journal):
    """Rows 2 and 3 swapped whole (hashes included): the chain by rank is intact, the order of the table is not
    (and the journal's readers take the latest rating in the table's order)."""
    db = raw(journal)
    cols = "rang, devoir, candidat, competence, critere, evaluateur, role, niveau, commentaire, horodatage, sel, " \
           "empreinte_personnelle, empreinte, chaine"
    two, three = (db.execute(f"SELECT {cols} FROM notes WHERE id = ?", (i,)).fetchone() for i in (2, 3))
    sets = ", ".join(f"{c.strip()} = ?" for c in cols.split(","))
    db.execute(f"UPDATE notes SET {sets} WHERE id = 2", three)
    db.execute(f"UPDATE notes SET {sets} WHERE id = 3", two)
    first = first_break(journal)
    assert first.kind == jc.REORDERED and "déplacées" in first.message


def test_a_timestamp_moved_back_is_detected_even_when_the_chain_is_recomputed(journal):
    db = raw(journal)
    db.execute("UPDATE notes SET horodatage = '2027-01-01T08:00:00+00:00' WHERE rang = 4")  # the jury's row backdated
    first = first_break(journal)
    assert (first.kind, first.rank) == (jc.BACKDATED, 4)
    reseal(db, 4)  # every digest right again: the time still goes back
    first = first_break(journal)
    assert (first.kind, first.rank) == (jc.BACKDATED, 4) and "datée d'avant la ligne qui la précède" in first.message


def test_a_changed_timestamp_that_stays_in_order_is_a_changed_content(journal):
    raw(journal).execute("UPDATE notes SET horodatage = replace(horodatage, ':00+', ':30+') WHERE rang = 4")
    assert (first_break(journal).kind, first_break(journal).rank) == (jc.MODIFIED, 4)


def test_a_rewritten_or_cut_journal_is_caught_by_the_head_written_in_the_minutes(journal, tmp_path):
    """What the chain alone cannot see — every hash recomputed after a change, the last rows deleted — the head
    a jury wrote down can."""
    minutes = verify_journal(journal.path).head[:16]
    write(journal, [("c03", "C4.2", 2, "M. Keller", "correcteur", 1, "Ajoutée après la délibération")])
    later = verify_journal(journal.path)
    assert later.ok and jc.after_head(later, minutes) == [
        f"la tête inscrite « {minutes} » est celle du rang 6 : 1 ligne(s) ajoutée(s) depuis (rangs 7 à 7)"]
    db = raw(journal)
    db.execute("UPDATE notes SET niveau = 3 WHERE rang = 3")
    reseal(db, 3)
    rewritten = verify_journal(journal.path)
    assert {b.kind for b in rewritten.breaks} == {jc.PROTECTION_OFF}  # the chain alone: consistent again
    jc.after_head(rewritten, minutes)
    assert any("n'est à aucun rang de la chaîne : le journal a été réécrit ou tronqué" in b.message
               for b in rewritten.breaks)
    with pytest.raises(jr.JournalError, match="trop courte"):
        jc.after_head(rewritten, minutes[:8])


def test_mdpc_journal_verifier_says_it_in_french_with_its_exit_code(journal, tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")

    def run(*args):
        out = io.StringIO()
        with redirect_stdout(out):
            code = cli.main(["journal", "--cours", str(tmp_path), *args])
        return code, out.getvalue()

    code, out = run("--verifier")
    head = verify_journal(journal.path).head
    assert code == 0 and f"journal intact : {len(RATINGS)} notes, chaîne vérifiée jusqu'à {head[:16]}" in out
    code, out = run("--verifier", "--tete", head[:16])
    assert code == 0 and "est la tête actuelle" in out
    raw(journal).execute("DELETE FROM notes WHERE rang = 5")
    code, out = run("--verifier")
    assert code == 1 and out.startswith("journal altéré : ligne supprimée — aucune ligne ne porte le rang 5")


# -- erasure --------------------------------------------------------------------------------------------

def test_erasure_blanks_the_candidate_and_the_chain_still_verifies(journal):
    unique = "c02-identifiant-unique-4417"
    write(journal, [(unique, "C4.3", 1, "Mme Aubert", "correcteur", 2, "Remarque qui le nomme : zq-7781")])
    db = journal.connect()
    db.execute("INSERT INTO brouillons VALUES (?, ?, ?, ?, ?, ?, ?)", (A, unique, "C4.3", 2, "M. Keller",
                                                                       "Brouillon zq-7782", START.isoformat()))
    db.commit()
    db.close()
    before = verify_journal(journal.path)
    assert journal.erase_candidate(unique) == (1, 1)
    v = verify_journal(journal.path)
    assert v.ok and v.notes == before.notes and v.redacted == 1
    assert "dont 1 note(s) caviardée(s) par 1 effacement(s) consigné(s)" in "\n".join(v.summary())
    assert v.chains[before.head_rank] == before.head  # the rows before the erasure keep their chain hashes
    data = b"".join(p.read_bytes() for p in journal.path.parent.glob(f"{DB_NAME}*"))
    for secret in (unique, "zq-7781", "zq-7782"):
        assert secret.encode() not in data, secret  # not in a free page nor in the write-ahead log
    db = sqlite3.connect(journal.path)
    kept = db.execute("SELECT evaluateur, niveau, competence, critere, candidat, commentaire, sel FROM notes "
                      "WHERE efface IS NOT NULL").fetchall()
    assert kept == [("Mme Aubert", 2, "C4.3", 1, "", "", "")]
    detail = db.execute("SELECT detail FROM evenements WHERE nature = 'effacement'").fetchone()[0]
    assert yaml.safe_load(detail) == {"tables": {"notes": 1, "brouillons": 1},
                                      "champs_retires": ["candidat", "commentaire", "sel"]}
    assert unique not in detail
    with pytest.raises(sqlite3.DatabaseError, match="ne se modifie pas"):  # the triggers stayed in place
        db.execute("UPDATE notes SET niveau = 0 WHERE efface IS NOT NULL")
    with pytest.raises(sqlite3.DatabaseError, match="ne se modifie pas"):  # a « redaction » that changes a level
        db.execute("UPDATE notes SET candidat = '', commentaire = '', sel = '', efface = 99, niveau = 0 WHERE rang = 1")
    with pytest.raises(sqlite3.DatabaseError, match="ne se supprime pas"):
        db.execute("DELETE FROM notes WHERE efface IS NOT NULL")
    with pytest.raises(sqlite3.DatabaseError, match="ne se supprime pas"):
        db.execute("DELETE FROM evenements")


def test_a_redaction_without_its_erasure_is_tampering(journal):
    db = sqlite3.connect(journal.path, isolation_level=None)
    db.execute("UPDATE notes SET candidat = '', commentaire = '', sel = '', efface = 2 WHERE rang = 3")  # the trigger lets
    first = first_break(journal)  # the shape of an erasure through, the journal holds no such erasure
    assert (first.kind, first.rank) == (jc.REDACTION, 3)


# -- an older journal, protections -----------------------------------------------------------------------

def test_an_older_journal_is_chained_once_and_says_when(tmp_path):
    path = tmp_path / DB_NAME
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
        db.execute("INSERT INTO effacements (horodatage, lignes) VALUES ('2026-12-01T10:00:00+00:00', 4)")
        for k, at in enumerate(("2027-01-05T10:00:05+00:00", "2027-01-05T10:00:04+00:00"), 1):  # written out of order
            db.execute("INSERT INTO notes (devoir, candidat, competence, critere, evaluateur, role, niveau, "
                       "commentaire, horodatage) VALUES (?, 'c01', 'C4.1', ?, 'Mme Aubert', 'correcteur', 2, '', ?)",
                       (A, k, at))
    with pytest.raises(jr.JournalError, match="version antérieure, sans chaîne"):
        verify_journal(path)
    j = Journal(path, clock=Clock())
    assert "2 note(s) existante(s)" in j.open()[0]
    assert j.open() == []  # once
    write(j, RATINGS[:1])
    v = verify_journal(path)
    assert v.ok and v.notes == 3 and [e.kind for e in v.events] == [jr.CHAIN_START]
    start = "\n".join(v.summary())
    assert "les 2 note(s) antérieure(s) ont été scellées" in start and "1 effacement(s) antérieur(s)" in start
    with sqlite3.connect(path) as db, pytest.raises(sqlite3.DatabaseError, match="ne se modifie pas"):
        db.execute("UPDATE notes SET niveau = 0 WHERE rang = 1")  # the sealed rows are protected like the new ones


def test_mdpc_journal_chains_an_older_journal_and_verifier_changes_nothing(tmp_path, capsys):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")
    assert cli.main(["journal", "--cours", str(tmp_path), "--verifier"]) == 2
    assert "Pas de journal des notes à vérifier" in capsys.readouterr().err
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        db.executescript(OLD_SCHEMA)
        db.execute("INSERT INTO notes (devoir, candidat, competence, critere, evaluateur, role, niveau, commentaire, "
                   "horodatage) VALUES (?, 'c01', 'C4.1', 1, 'Mme Aubert', 'correcteur', 2, '', ?)",
                   (A, START.isoformat()))
    assert cli.main(["journal", "--cours", str(tmp_path), "--verifier"]) == 2  # read only: it says what to do
    assert "version antérieure, sans chaîne" in capsys.readouterr().err
    assert cli.main(["journal", "--cours", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ℹ chaîne d'empreintes calculée sur les 1 note(s) existante(s)")
    assert "journal intact : 1 note," in out and "chaîne commencée le" in out


def test_a_removed_protection_is_reported_then_put_back_and_recorded(journal):
    sqlite3.connect(journal.path).execute("DROP TRIGGER notes_sans_suppression")
    assert first_break(journal).kind == jc.PROTECTION_OFF
    assert "notes_sans_suppression" in journal.open()[0]
    v = verify_journal(journal.path)
    assert v.ok and any(line.startswith("⚠ protection du journal rétablie") for line in v.summary())


def test_graders_writing_at_once_keep_one_chain(tmp_path):
    j = Journal(tmp_path / DB_NAME)
    j.open()

    def grader(n):
        for k in range(15):
            write(Journal(j.path), [(f"c{k:02d}", "C4.1", 1, f"Correcteur {n}", "correcteur", k % 4, "")])

    threads = [threading.Thread(target=grader, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    v = verify_journal(j.path)
    assert v.ok and v.notes == 8 * 15 and v.head_rank == 8 * 15


# -- who signs: jury.yaml --------------------------------------------------------------------------------

ROSTER = {"correcteurs": [{"nom": "Mme Aubert", "utilisateur": "aubert"}, {"nom": "M. Keller"}],
          "jury": [{"nom": "Mme Bernard", "qualite": "présidente du jury", "president": True, "interne": False},
                   {"nom": "M. Keller", "qualite": "professionnel du secteur"}]}


def test_the_roster_signs_with_declared_names_and_keeps_roles_apart():
    roster = rs.parse(ROSTER)
    assert rs.signer(roster, "aubert") == "Mme Aubert"          # a JupyterHub user name
    assert rs.signer(roster, "  mme   AUBERT ") == "Mme Aubert"  # case and spacing aside
    assert rs.signer(roster, "Mme Bernard", jury=True) == "Mme Bernard"
    assert rs.signer(roster, "M. Keller", jury=True) == "M. Keller" == rs.signer(roster, "M. Keller")
    with pytest.raises(rs.RosterError, match="« M. Durand » n'est pas correcteur de cette session"):
        rs.signer(roster, "M. Durand")
    with pytest.raises(rs.RosterError, match="« Mme Aubert » n'est pas membre du jury"):
        rs.signer(roster, "aubert", jury=True)  # a grader ticking the jury box
    with pytest.raises(rs.RosterError, match="n'est pas correcteur"):
        rs.signer(roster, "Mme Bernard")  # the jury's president is not a grader here
    assert rs.signer(None, "Quiconque") == "Quiconque"  # no roster: grading still works
    with pytest.raises(rs.RosterError, match="aucun jury déclaré"):
        rs.signer(None, "Mme Bernard", jury=True)
    assert roster.president.title() == "Mme Bernard, présidente du jury"
    assert roster.jury[0].internal is False and roster.jury[0].extra == {}  # the jury's composition (minutes)


@pytest.mark.parametrize("change, message", [
    (lambda r: r["jury"][1].update(president=True), "un seul porte « president: true »"),
    (lambda r: r["jury"][0].pop("president"), "un seul porte « president: true »"),
    (lambda r: r["correcteurs"][1].pop("nom"), "correcteurs, membre 2 : « nom » manque"),
    (lambda r: r["correcteurs"][1].update(utilisateur="aubert"), "l'utilisateur « aubert » est donné à"),
    (lambda r: r["correcteurs"].append({"nom": "mme aubert"}), "figure deux fois"),
    (lambda r: r.update(jury="Mme Bernard"), "une liste de membres est attendue"),
])
def test_a_malformed_roster_is_refused_in_french(change, message):
    data = yaml.safe_load(yaml.safe_dump(ROSTER))
    change(data)
    with pytest.raises(rs.RosterError, match=message):
        rs.parse(data)


def test_rating_book_refuses_a_stranger_and_a_jury_without_roster(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")
    book = RatingBook(Course(tmp_path))
    with pytest.raises(rs.RosterError, match="aucun jury déclaré : jury.yaml est absent"):
        book.record(A, "c01", "C4.1", 1, "Mme Bernard", 3, jury=True)
    with pytest.raises(CourseError, match="nom du correcteur"):
        book.record(A, "c01", "C4.1", 1, "  ", 3)
    (tmp_path / rs.ROSTER_FILE).write_text(rs.dump(ROSTER), encoding="utf-8")
    with pytest.raises(rs.RosterError, match="n'est pas correcteur de cette session"):
        book.record(A, "c01", "C4.1", 1, "Quelqu'un", 3)
    with pytest.raises(rs.RosterError, match="n'est pas membre du jury"):
        book.record(A, "c01", "C4.1", 1, "aubert", 3, jury=True)
    with pytest.raises(rs.RosterError, match="n'est pas correcteur"):
        book.save_draft(A, "c01", "C4.1", 1, "Quelqu'un", "brouillon")
    book.save_draft(A, "c01", "C4.1", 1, "aubert", "brouillon")  # the hub user's draft, under the declared name
    assert book.draft(A, "c01", "C4.1", 1, "Mme Aubert") == "brouillon" == book.draft(A, "c01", "C4.1", 1, "aubert")
    assert verify_journal(book.path).notes == 0
    write(book.journal, RATINGS)
    book.journal.erase_candidate("c02")
    assert {c for c, _, _ in book.graders(A)} == {"c01", "c03"}  # the erased candidate's levels are nobody's
    assert all(r.candidate for r in book.history(A)) and len(verify_journal(book.path).events) == 1
