"""Walk the journal's chain and name where it breaks (pure rules; the format is :mod:`mdpc.core.journal`).

:func:`verify` takes the rows of both tables as stored, each table in the order of its ids, and finds:
a rank held by two rows (a row inserted), a rank held by none (a row deleted), ranks that go down in a
table's order (rows moved), a timestamp earlier than the previous row's (backdated, found even when every
digest was recomputed), a row whose fields no longer give its digest (changed content), a row that does
not follow the previous one (replaced with recomputed digests), a blanked row without the erasure that
would explain it, a row without digests (added outside mdpc), a protection (trigger) removed. The first
break, by rank, is what ``mdpc journal --verifier`` names; the rest often follow from it.

Rows blanked by a recorded erasure are counted as such, not as tampering; the rows sealed when the chain
started over an older journal are exempt from the timestamp rule (their order was never guaranteed).
:func:`after_head` compares the journal with a head written down earlier (the minutes).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from mdpc.core.journal import (
    ABBREVIATION,
    CHAIN_START,
    ERASURE,
    GENESIS,
    NOTES,
    PROTECTION,
    EventRow,
    JournalError,
    NoteRow,
    Row,
    abbreviated,
    link,
    parse_time,
    row_digest,
    shown_time,
)

# what a break is, named in French; the first of two breaks found at one rank is the one listed first here
INSERTED = "ligne insérée"
DELETED = "ligne supprimée"
REORDERED = "ordre modifié"
BACKDATED = "horodatage antérieur"
MODIFIED = "contenu modifié"
BROKEN = "chaîne rompue"
REDACTION = "caviardage non consigné"
UNSEALED = "ligne non scellée"
PROTECTION_OFF = "protection retirée"
_PRIORITY = (INSERTED, DELETED, REORDERED, BACKDATED, MODIFIED, BROKEN, REDACTION, UNSEALED, PROTECTION_OFF)


@dataclass(frozen=True)
class Break:
    """Where the journal stops being what was written, and how (French)."""

    kind: str
    rank: int | None
    message: str

    def sort_key(self) -> tuple:
        return (self.rank if self.rank is not None else float("inf"), _PRIORITY.index(self.kind))


@dataclass
class Verification:
    """The walk of the whole chain: counts, the head, the breaks (the first one is what to look at)."""

    notes: int = 0
    redacted: int = 0
    events: list[EventRow] = field(default_factory=list)
    head: str = GENESIS
    head_rank: int = 0
    head_at: str = ""
    chains: dict[int, str] = field(default_factory=dict)    # rank -> chain hash, up to the first break
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first(self) -> Break | None:
        return min(self.breaks, key=Break.sort_key) if self.breaks else None

    def locate(self, head: str) -> int | None:
        """The rank whose chain hash starts with `head` (a head written in the minutes), or None."""
        head = head.strip().lower()
        found = [rank for rank, chain in self.chains.items() if chain.startswith(head)]
        return found[0] if len(found) == 1 else None

    def summary(self) -> list[str]:
        """What ``mdpc journal --verifier`` says, in French."""
        if not self.ok:
            first = self.first
            others = len(self.breaks) - 1
            return [f"journal altéré : {first.kind} — {first.message}"] + (
                [f"({others} autre(s) anomalie(s) relevée(s) ensuite, souvent conséquences de la première)"]
                if others else [])
        lines = [f"journal intact : {self.notes} note{'s' if self.notes > 1 else ''}, chaîne vérifiée jusqu'à "
                 f"{abbreviated(self.head)}"]
        erasures = [e for e in self.events if e.kind == ERASURE]
        if self.redacted or erasures:
            lines.append(f"dont {self.redacted} note(s) caviardée(s) par {len(erasures)} effacement(s) consigné(s) "
                         "(données personnelles retirées, empreintes gardées) : ce n'est pas une altération")
        lines += [f"{'⚠' if e.kind == PROTECTION else '-'} {e.describe()}" for e in self.events]
        if self.head_rank:
            lines.append(f"tête de chaîne à reporter au procès-verbal : {abbreviated(self.head)} (rang "
                         f"{self.head_rank}, {shown_time(self.head_at)}) ; complète : {self.head}")
        return lines


def _count(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def verify(notes: list[NoteRow], events: list[EventRow], triggers: list[str] = ()) -> Verification:
    """Walk the chain (``notes`` and ``evenements``, each in the order of its ids) and find every break.

    `triggers`: the protections found missing or altered in the database (names), reported as a break."""
    out = Verification(notes=len(notes), redacted=sum(n.erased is not None for n in notes), events=[])
    breaks = out.breaks
    for name in triggers:
        breaks.append(Break(PROTECTION_OFF, None, f"le déclencheur « {name} », qui interdit de modifier ou de supprimer "
                                                  "une ligne, a été retiré ou modifié hors de mdpc"))
    rows: list[Row] = [*notes, *events]
    for row in rows:
        if row.rank is None or row.digest is None or row.chain is None:
            breaks.append(Break(UNSEALED, row.rank, f"la {row.where()} n'a ni rang ni empreinte : elle a été "
                                                    "ajoutée hors de mdpc"))
    for table in (notes, events):  # within a table, ids and ranks go up together
        last = None
        for row in table:
            if row.rank is None:
                continue
            if last is not None and row.rank < last.rank:
                breaks.append(Break(REORDERED, row.rank, f"la {row.where()} (rang {row.rank}) vient après la "
                                                         f"{last.where()} (rang {last.rank}) : des lignes ont été "
                                                         "déplacées"))
                break
            last = row
    by_rank: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        if row.rank is not None:
            by_rank[row.rank].append(row)
    event_at = {e.rank: e for e in events if e.rank is not None}
    erased_counts: dict[int, int] = defaultdict(int)
    for n in notes:
        if n.erased is not None:
            erased_counts[n.erased] += 1
    start = next((e for e in events if e.kind == CHAIN_START), None)
    sealed_before = 0
    if start is not None:
        sealed_before = max(_count(start.data().get("notes_scellees")), 0)
        if start.rank != sealed_before + 1:
            breaks.append(Break(BROKEN, start.rank, f"l'{start.where()} dit commencer la chaîne après "
                                                    f"{sealed_before} note(s), mais se trouve au rang {start.rank}"))
    previous, previous_row = GENESIS, None
    top = max(by_rank, default=0)
    for rank in range(1, top + 1):
        here = by_rank.get(rank, [])
        if not here:
            after = next((by_rank[r][0] for r in range(rank + 1, top + 1) if by_rank.get(r)), None)
            breaks.append(Break(DELETED, rank, f"aucune ligne ne porte le rang {rank}"
                                + (f" (entre la {previous_row.where()} et la {after.where()})" if previous_row and after
                                   else "") + " : une ligne a été supprimée"))
            break
        if len(here) > 1:
            breaks.append(Break(INSERTED, rank, f"{len(here)} lignes portent le rang {rank} ("
                                + ", ".join(r.where() for r in here) + ") : une ligne a été ajoutée au milieu"))
            break
        row = here[0]
        problem = None
        exempt = rank <= sealed_before + 1  # the rows sealed when the chain started, and the start itself
        if previous_row is not None and not exempt:
            try:
                back = parse_time(row.at) < parse_time(previous_row.at)
            except (TypeError, ValueError):
                back = True
            if back:
                problem = Break(BACKDATED, rank, f"la {row.where()} (rang {rank}) est datée d'avant la ligne qui la "
                                                 f"précède ({previous_row.where()}) : un horodatage a été changé ou une "
                                                 "ligne antidatée ajoutée")
        if problem is None and (not row.personal_ok() or row_digest(row) != row.digest):
            problem = Break(MODIFIED, rank, f"la {row.where()} (rang {rank}) ne correspond plus à son empreinte : "
                                            "un de ses champs (niveau, commentaire, signataire, heure…) a été changé")
        if problem is None and link(previous, row.digest) != row.chain:
            problem = Break(BROKEN, rank, f"la {row.where()} (rang {rank}) ne suit plus la ligne qui la précède : "
                                          "celle-ci, ou cette ligne, a été remplacée avec des empreintes recalculées")
        if problem is None and isinstance(row, NoteRow) and row.erased is not None:
            erasure = event_at.get(row.erased)
            declared = _count((erasure.data().get("tables") or {}).get(NOTES)) if erasure is not None else -1
            if erasure is None or erasure.kind != ERASURE or row.erased <= rank:
                problem = Break(REDACTION, rank, f"la {row.where()} (rang {rank}) est caviardée sans effacement "
                                                 "consigné dans le journal")
            elif declared != erased_counts[row.erased]:
                problem = Break(REDACTION, rank, f"l'effacement du rang {row.erased} consigne {declared} note(s) "
                                                 f"caviardée(s), le journal en compte {erased_counts[row.erased]}")
        if problem is not None:
            breaks.append(problem)
            break
        previous, previous_row = row.chain, row
        out.chains[rank] = row.chain
        if isinstance(row, EventRow):
            out.events.append(row)
    if previous_row is not None:
        out.head, out.head_rank, out.head_at = previous, previous_row.rank, previous_row.at
    return out


def after_head(verification: Verification, head: str) -> list[str]:
    """What a head written in the minutes says of the journal today (French lines); a head that is nowhere in
    the chain is a break added to `verification`."""
    if len(head.strip()) < ABBREVIATION:
        raise JournalError(f"Tête de chaîne « {head} » trop courte : donnez ses {ABBREVIATION} premiers caractères "
                           "au moins, tels que « mdpc journal » les affiche.")
    rank = verification.locate(head)
    if rank is None:
        verification.breaks.append(Break(BROKEN, verification.head_rank + 1,
                                         f"la tête inscrite « {head.strip()} » n'est à aucun rang de la chaîne : le "
                                         "journal a été réécrit ou tronqué depuis qu'elle a été relevée"))
        return []
    if rank == verification.head_rank:
        return [f"la tête inscrite « {head.strip()} » est la tête actuelle (rang {rank}) : rien n'a été ajouté depuis"]
    return [f"la tête inscrite « {head.strip()} » est celle du rang {rank} : {verification.head_rank - rank} ligne(s) "
            f"ajoutée(s) depuis (rangs {rank + 1} à {verification.head_rank})"]
