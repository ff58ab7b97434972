"""The register of issued certificates and bloc attestations, and their verification codes.

A certifier must be able to say, years later, whether a document it is shown is one it issued, and to issue a
duplicate. The register (``registre_parchemins.json`` in the course folder, private) keeps, per document, the
minimum for that: its number, its kind (certificate, or attestation and the bloc's code), the holder's name,
birth date and place, the date and place of issue, the certification's RNCP number, the digest of its
verification code, and the dates of its re-editions. Erasing a candidate (``mdpc effacer``) keeps it.

The verification code is an HMAC-SHA-256 of the document's canonical content (:func:`canonical`: the register
entry's own fields, sorted JSON) under a secret key kept in the course folder (``.cle_parchemins``, created
0600 on first use, never written into a document or a report). It is shown grouped by four characters of the
Crockford base-32 alphabet (no I, L, O, U: nothing to misread), 80 bits. :func:`verify` recomputes it from the
entry: a wrong code, an unknown number, or an entry changed after issue (its code no longer matches the
digest kept) are each said in French. A genuine number and code copied onto an altered document verify too: the
verifier compares the document with the entry shown, or gives the holder and birth date read on it.

Numbers read ``<SIGLE>-<année>-<rang>`` (``MDPC-2027-0001``); the same candidate and document keep their number
when the batch runs again (:meth:`Register.issue`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mdpc.errors import MdpcError

REGISTER_FILE = "registre_parchemins.json"
KEY_FILE = ".cle_parchemins"
LOCK_FILE = ".registre_parchemins.verrou"
CERTIFICATE = "certificat"
ATTESTATION = "attestation"
KINDS = {CERTIFICATE: "certificat (parchemin)", ATTESTATION: "attestation de validation de bloc"}
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
CODE_CHARS = 16                              # 80 bits, shown as four groups of four
_CANONICAL = ("numero", "nature", "bloc", "titulaire", "date_naissance", "lieu_naissance", "date_delivrance",
              "lieu", "rncp")


class RegisterError(MdpcError):
    """The register or its key cannot be read or written (message in French)."""


@dataclass
class Entry:
    """One issued document, as the register keeps it (French keys in the file)."""

    numero: str
    nature: str                 # CERTIFICATE or ATTESTATION
    bloc: str                   # the bloc's RNCP code for an attestation, "" for a certificate
    titulaire: str              # « Léa FONTAINE »
    date_naissance: str         # ISO
    lieu_naissance: str
    date_delivrance: str        # ISO: the jury's deliberation
    lieu: str
    rncp: str
    candidat: str               # the course's identifier: the same document keeps its number on a new run
    empreinte_code: str = ""    # SHA-256 of the verification code (the code itself is not kept)
    date_edition: str = ""      # ISO date of the first edition ("" in a register older than this field)
    reeditions: list[str] = field(default_factory=list)     # ISO dates of the re-editions (duplicates)
    remplacements: list[dict] = field(default_factory=list)  # earlier contents of this number: {date, empreinte_code}

    def canonical(self) -> str:
        return canonical({k: getattr(self, k) for k in _CANONICAL})

    @property
    def kind_label(self) -> str:
        return f"attestation de validation du bloc {self.bloc}" if self.bloc else KINDS.get(self.nature, self.nature)


def canonical(content: dict) -> str:
    """The document's content as the code signs it: the register's fields, sorted JSON, no spaces."""
    return json.dumps({k: str(content.get(k, "")) for k in _CANONICAL}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))


def code_for(key: bytes, content: str) -> str:
    """The verification code of `content`: HMAC-SHA-256 under `key`, first 80 bits in base 32, grouped."""
    digest = int.from_bytes(hmac.new(key, content.encode("utf-8"), hashlib.sha256).digest()[:10], "big")
    chars = "".join(ALPHABET[(digest >> (5 * i)) & 31] for i in reversed(range(CODE_CHARS)))
    return "-".join(chars[i:i + 4] for i in range(0, CODE_CHARS, 4))


def normalise_code(text: str) -> str:
    """A code as typed (any case, spaces or dashes, O for 0, I or L for 1) in its grouped form; "" if it is
    not a code."""
    raw = re.sub(r"[\s\-–.]", "", str(text)).upper().translate(str.maketrans("OIL", "011"))
    if len(raw) != CODE_CHARS or any(ch not in ALPHABET for ch in raw):
        return ""
    return "-".join(raw[i:i + 4] for i in range(0, CODE_CHARS, 4))


def code_digest(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii")).hexdigest()


def _write_private(path: Path, text: str) -> None:
    """Write `text` into `path` atomically, owner only (0600), never through a link."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


@contextlib.contextmanager
def locked(course_root: str | Path):
    """Hold the register's lock (``.registre_parchemins.verrou``, 0600) for a whole batch: two batches run at
    once on the same course never give one number twice."""
    fd = os.open(Path(course_root) / LOCK_FILE, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def load_key(course_root: str | Path, create: bool = True) -> bytes:
    """The course's secret key (created 0600 with 256 random bits on first use if `create`)."""
    path = Path(course_root) / KEY_FILE
    if not path.exists() and not path.is_symlink():
        if not create:
            raise RegisterError(f"Clé de vérification introuvable ({path}) : aucun document n'a été délivré depuis "
                                "ce dossier de cours, ou la clé a été perdue.")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            pass  # made meanwhile by another process: read it
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(32) + "\n")
    if path.is_symlink() or not path.is_file():
        raise RegisterError(f"Clé de vérification {path} refusée : ce n'est pas un fichier ordinaire.")
    if path.stat().st_mode & 0o077:  # restored from a backup or copied without its mode: owner only again
        os.chmod(path, 0o600)
    text = path.read_text(encoding="ascii", errors="replace").strip()
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise RegisterError(f"Clé de vérification {path} illisible (64 chiffres hexadécimaux attendus) : les codes "
                            "déjà délivrés ne peuvent plus être vérifiés sans elle ; restaurez-la depuis une sauvegarde.")
    return bytes.fromhex(text)


def _entry_of(raw: dict) -> Entry:
    """An entry of the register's file, each field of the type it must have (a TypeError or ValueError otherwise:
    a hand-edited or damaged register is said unreadable, never half-read)."""
    entry = Entry(**{k: v for k, v in raw.items() if k in Entry.__dataclass_fields__})
    texts = [getattr(entry, k) for k in (*_CANONICAL, "candidat", "empreinte_code", "date_edition")]
    texts += list(entry.reeditions)
    texts += [v for r in entry.remplacements for v in r.values()]
    if (not all(isinstance(t, str) for t in texts) or not isinstance(entry.reeditions, list)
            or not all(isinstance(r, dict) for r in entry.remplacements)):
        raise TypeError(entry.numero)
    if not re.fullmatch(r"[0-9a-f]{64}|", entry.empreinte_code):
        raise ValueError(entry.numero)
    return entry


@dataclass
class Register:
    """The register of a course folder (:data:`REGISTER_FILE`), read at once and written back by :meth:`save`."""

    path: Path
    entries: list[Entry] = field(default_factory=list)

    @classmethod
    def load(cls, course_root: str | Path) -> Register:
        path = Path(course_root) / REGISTER_FILE
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = [_entry_of(e) for e in data.get("documents", [])]
        except (ValueError, TypeError, AttributeError) as exc:
            raise RegisterError(f"Registre des documents délivrés {path} illisible ({exc.__class__.__name__}) : "
                                "restaurez-le depuis une sauvegarde ; rien n'a été délivré ni vérifié.") from exc
        return cls(path, entries)

    def save(self) -> None:
        data = {"format": 1, "documents": [asdict(e) for e in self.entries]}
        _write_private(self.path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")

    def find(self, number: str) -> Entry | None:
        return next((e for e in self.entries if e.numero == number.strip().upper()), None)

    def of_candidate(self, candidate: str) -> list[Entry]:
        return [e for e in self.entries if e.candidat == candidate]

    def next_number(self, prefix: str, year: int) -> str:
        head = f"{prefix}-{year}-"
        ranks = [int(e.numero[len(head):]) for e in self.entries
                 if e.numero.startswith(head) and e.numero[len(head):].isdigit()]
        return f"{head}{max(ranks, default=0) + 1:04d}"

    def issue(self, key: bytes, content: dict, candidate: str, prefix: str, today: dt.date) -> tuple[Entry, str, str]:
        """Register the document `content` (the :data:`_CANONICAL` fields but its number) of `candidate`.

        Returns the entry, its verification code and what happened: « nouveau » (a new number), « réécrit » (same
        number, same content, on the day of its first edition: the batch run again before anything was handed
        out, not a duplicate), « réédition » (same number, same content, a later day: today's date added to its
        re-editions) or « modifié » (same number, the content changed, e.g. a corrected name: the former code's
        digest is kept in ``remplacements`` and no longer verifies)."""
        entry = next((e for e in self.of_candidate(candidate)
                      if e.nature == content["nature"] and e.bloc == content.get("bloc", "")), None)
        if entry is None:
            year = dt.date.fromisoformat(content["date_delivrance"]).year
            entry = Entry(numero=self.next_number(prefix, year), candidat=candidate, date_edition=today.isoformat(),
                          **{k: str(content.get(k, "")) for k in _CANONICAL if k != "numero"})
            self.entries.append(entry)
            state = "nouveau"
        else:
            fresh = {k: str(content.get(k, "")) for k in _CANONICAL if k != "numero"}
            if all(getattr(entry, k) == v for k, v in fresh.items()) and (
                    entry.date_edition == today.isoformat() and not entry.reeditions):
                state = "réécrit"
            elif all(getattr(entry, k) == v for k, v in fresh.items()):
                state = "réédition"
                if today.isoformat() not in entry.reeditions:
                    entry.reeditions.append(today.isoformat())
            else:
                state = "modifié"
                entry.remplacements.append({"date": today.isoformat(), "empreinte_code": entry.empreinte_code})
                for k, v in fresh.items():
                    setattr(entry, k, v)
        code = code_for(key, entry.canonical())
        entry.empreinte_code = code_digest(code)
        return entry, code, state


@dataclass
class Verification:
    ok: bool
    message: str
    entry: Entry | None = None


def _folded(text: str) -> str:
    """A name as people type it: no accents, no case, single spaces (« Léa  Fontaine » reads « lea fontaine »)."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^\w]+", " ", plain).casefold().split())


def _day(text: str) -> str:
    """A birth date as typed (AAAA-MM-JJ or JJ/MM/AAAA) in ISO; "" when it is not a date."""
    text = str(text).strip()
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        text = f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return ""


def verify(course_root: str | Path, number: str, code: str, holder: str = "", birth: str = "") -> Verification:
    """Whether document `number` was issued from this course folder and `code` is its verification code.

    A genuine number and code copied onto an altered document (another name, another bloc) still verify: the
    entry is what the verifier compares the document with. `holder` and `birth`, as read on the document shown,
    are compared with the entry when given (accents, case and spacing aside): a difference is said."""
    register = Register.load(course_root)
    entry = register.find(number)
    if entry is None:
        return Verification(False, f"Aucun document numéro « {number.strip()} » dans le registre "
                                   f"({register.path}).")
    given = normalise_code(code)
    if not given:
        return Verification(False, f"« {code} » n'est pas un code de vérification : {CODE_CHARS} caractères "
                                   "attendus, groupés par quatre (ex. 7KQ2-M9XD-…).", entry)
    expected = code_for(load_key(course_root, create=False), entry.canonical())
    if not hmac.compare_digest(code_digest(expected), entry.empreinte_code):
        return Verification(False, f"Le registre a été modifié après la délivrance du document {entry.numero}, ou "
                                   "la clé de vérification n'est plus celle de la délivrance : son contenu ne "
                                   "correspond plus au code délivré. Ne vous fiez pas à cette entrée ; comparez le "
                                   "registre et la clé avec leur sauvegarde.", entry)
    if not hmac.compare_digest(given, expected):
        replaced = any(hmac.compare_digest(code_digest(given), r.get("empreinte_code", ""))
                       for r in entry.remplacements)
        return Verification(False, (f"Code d'une version du document {entry.numero} remplacée depuis (contenu corrigé) : "
                                    "ce document n'est plus valable." if replaced else
                                    f"Le code ne correspond pas au document {entry.numero} : ce document n'est pas "
                                    "authentique, ou le code a été mal recopié."), entry)
    differs = []
    if holder and _folded(holder) != _folded(entry.titulaire):
        differs.append(f"le titulaire inscrit au registre est « {entry.titulaire} », pas « {holder.strip()} »")
    if birth and not _day(birth):
        return Verification(False, f"Date de naissance « {birth.strip()} » illisible : écrivez-la AAAA-MM-JJ ou "
                                   "JJ/MM/AAAA.", entry)
    if birth and _day(birth) != entry.date_naissance:
        differs.append("la date de naissance inscrite au registre n'est pas celle qui est donnée")
    if differs:
        return Verification(False, f"Numéro et code authentiques, mais le document présenté ne correspond pas au "
                                   f"registre : {' ; '.join(differs)}. Ce document a été altéré.", entry)
    return Verification(True, f"Numéro et code authentiques : {entry.numero} est inscrit au registre et le code "
                              "correspond. Le document présenté n'est authentique que s'il porte exactement les "
                              "mentions ci-dessous (un numéro et un code recopiés sur un autre document vérifient "
                              "aussi).", entry)
