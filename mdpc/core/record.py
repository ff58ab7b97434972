"""One typed record per candidate: what the decisions, the reports and the jury minutes are made of.

:func:`build_record` turns a candidate's :class:`~mdpc.core.submissions.Submission` (criterion results,
deliveries, autograded points), the jury's accommodations, the journal's ratings and the copies' incidents
into a :class:`CandidateRecord`: decision per criterion, competency, bloc and certification, with everything
a report shows beside it. Records are written as JSON (French keys, the format the report templates read)
by ``to_json`` and read back by ``from_json``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from mdpc.core.decisions import (
    CertificationStatus,
    CriterionStatus,
    LevelSource,
    Outcome,
    decide_candidate,
)
from mdpc.core.exemptions import Accommodation, Accommodations, lateness_minutes
from mdpc.core.grids import Grid, Scale, default_grids, default_scale
from mdpc.core.ratings import Effective, RatingState
from mdpc.core.referential import Referential
from mdpc.core.referential import default as default_referential
from mdpc.core.serial import JsonRecord, key
from mdpc.core.submissions import Submission

PARIS = ZoneInfo("Europe/Paris")
FAILED_AUTOGRADE = "echec_autocorrection"   # incident kind of a copy that could not be autograded
OFF_JOURNAL = "niveau_hors_journal"         # incident kind of a gradebook level the journal does not hold


def local_time(moment: dt.datetime | None) -> str | None:
    """A gradebook time (naive UTC, as nbgrader stores it) as French local time."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC).astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


@dataclass
class TestRecord(JsonRecord):
    """An autograded test a criterion's proposal rests on: its name, its points and what it checks."""

    __test__ = False  # not a pytest test class, whatever its name

    name: str = key("test")
    points: float = key("points")
    maximum: float = key("maximum")
    checks: str = key("verifie", default="")


@dataclass
class CriterionRecord(JsonRecord):
    number: int = key("numero")
    text: str = key("texte")
    grader: str = key("correcteur")                       # who stands behind the level, for display
    divergent: bool = key("notes_divergentes")
    levels_by_grader: dict[str, int] = key("niveaux_par_correcteur")
    level: int | None = key("niveau")
    label: str = key("libelle")
    source: LevelSource | None = key("source")
    status: CriterionStatus = key("statut")
    comment: str = key("commentaire")
    auto_share: float | None = key("part_auto")
    proposed: int | None = key("niveau_propose")
    target: str = key("cible")                            # the grid's descriptor of « Acquis »
    judgement: bool = key("jugement", default=False)      # a criterion of judgement (its grid)
    oral: bool = key("oral", default=False)               # its competency is rated on an oral
    tests: list[TestRecord] = key("tests_autocorriges", default_factory=list)  # what the proposal rests on
    share_level: int | None = key("niveau_de_la_part", default=None)  # the level the share gives, before the cap
    proposal_cap: int | None = key("plafond_proposition", default=None)
    cap_reasons: list[str] = key("motifs_plafond", default_factory=list)


@dataclass
class CompetencyRecord(JsonRecord):
    code: str = key("code")
    title: str = key("intitule")
    modality: str = key("modalite")
    status: Outcome = key("statut")
    reason: str = key("raison")
    criteria: list[CriterionRecord] = key("criteres")
    assessed: bool = key("evaluee")                       # at least one criterion has a level


@dataclass
class BlocRecord(JsonRecord):
    number: int = key("numero")
    title: str = key("intitule")
    status: Outcome = key("statut")
    competencies: list[CompetencyRecord] = key("competences")

    @property
    def assessed(self) -> list[CompetencyRecord]:
        return [c for c in self.competencies if c.assessed]


@dataclass
class Identity(JsonRecord):
    id: str = key("id")
    name: str = key("nom")


@dataclass
class DecisionSummary(JsonRecord):
    status: CertificationStatus = key("statut")
    summary: str = key("resume")
    blocs_acquired: list[int] = key("blocs_acquis")


@dataclass
class AssignmentDelivery(JsonRecord):
    assignment: str = key("devoir")
    date: str | None = key("date")
    due: str | None = key("echeance")
    late_minutes: int = key("retard_minutes")


@dataclass
class Delivery(JsonRecord):
    date: str | None = key("date")                        # the headline delivery: the latest against its due date
    due: str | None = key("echeance")
    late_minutes: int = key("retard_minutes")
    extra_minutes: int = key("temps_supplementaire_minutes")
    missing_notebooks: list[str] = key("carnets_manquants")
    assignments: list[AssignmentDelivery] = key("devoirs")


@dataclass
class AutogradeScore(JsonRecord):
    points: float = key("points")
    maximum: float = key("maximum")


@dataclass
class ExemptionRecord(JsonRecord):
    """An exemption as documents show it: the criterion, the jury's date and the referent's file reference; the
    referent's advice (health data) stays in the jury's file."""

    competency: str = key("competence")
    criterion: int = key("critere")
    decision_date: str = key("date_decision")
    reference: str = key("dossier")


@dataclass
class IncidentRecord(JsonRecord):
    """Something the checks of a copy found, or a copy that could not be autograded (kind FAILED_AUTOGRADE)."""

    message: str = key("message")
    kind: str = key("type", default="")
    notebook: str = key("carnet", default="")
    assignment: str | None = key("devoir", omit_none=True, default=None)
    graded_before: bool | None = key("corrigee_avant", omit_none=True, default=None)

    @property
    def failed(self) -> bool:
        return self.kind == FAILED_AUTOGRADE


@dataclass
class CandidateRecord(JsonRecord):
    candidate: Identity = key("candidat")
    session: str = key("session")
    decision: DecisionSummary = key("decision")
    blocs: list[BlocRecord] = key("blocs")
    delivery: Delivery = key("remise")
    autograde: AutogradeScore = key("autocorrection")
    accommodation: str = key("amenagement")               # the referent's file reference (« dossier »), or ""
    exemptions: list[ExemptionRecord] = key("dispenses")
    refused_exemptions: list[str] = key("dispenses_refusees")
    scale: dict[str, str] = key("echelle")
    acquired_from: int = key("seuil_acquis")
    incidents: list[IncidentRecord] = key("incidents", default_factory=list)
    cases: str = key("jeu_de_cas", default="")  # the session's variant of the cases (mdpc.authoring.sessions)
    adaptations: list[str] = key("amenagements", default_factory=list)  # kinds granted, without any health detail

    @property
    def id(self) -> str:
        return self.candidate.id

    def competencies(self, assessed_only: bool = False) -> Iterator[tuple[BlocRecord, CompetencyRecord]]:
        """Every (bloc, competency), in the referential's order; with `assessed_only`, the assessed ones."""
        for b in self.blocs:
            for c in b.competencies:
                if c.assessed or not assessed_only:
                    yield b, c

    def criteria(self, assessed_only: bool = False) -> Iterator[tuple[BlocRecord, CompetencyRecord, CriterionRecord]]:
        """Every (bloc, competency, criterion), in order; with `assessed_only`, those of assessed competencies."""
        for b, c in self.competencies(assessed_only):
            for cr in c.criteria:
                yield b, c, cr

    def competency(self, code: str) -> CompetencyRecord:
        return next(c for _, c in self.competencies() if c.code == code)

    @property
    def top_level(self) -> int:
        return max(int(k) for k in self.scale)


def _criterion(result, comp, grid: Grid | None, effective: Effective | None, scale: Scale) -> CriterionRecord:
    exempt = result.status == CriterionStatus.EXEMPT
    if exempt:
        grader = ""
    elif result.source == LevelSource.GRADER:
        grader = effective.label() if effective is not None else LevelSource.GRADER.label
    else:
        grader = LevelSource.AUTO.label if result.level is not None else ""
    gcrit = grid.criteria[result.number - 1] if grid else None
    descriptors = gcrit.descriptors if gcrit else {}
    return CriterionRecord(
        number=result.number, text=comp.criteria[result.number - 1].full_text, grader=grader,
        divergent=bool(effective and effective.state == RatingState.DIVERGENT),
        levels_by_grader=dict(effective.levels) if effective else {},
        level=None if exempt else result.level, label="Dispensé" if exempt else scale.label(result.level),
        source=result.source, status=result.status, comment=result.comment, auto_share=result.auto_share,
        proposed=result.proposed, target=descriptors.get(scale.acquired_from, ""),
        judgement=gcrit.judgement if gcrit else result.judgement, oral=gcrit.oral if gcrit else result.oral,
        tests=[TestRecord(t.name, t.points, t.maximum, t.checks) for t in result.tests],
        share_level=result.share_level, proposal_cap=result.proposal_cap, cap_reasons=list(result.cap_reasons))


def _off_journal(sub: Submission, scale: Scale) -> list[IncidentRecord]:
    return [IncidentRecord(
        kind=OFF_JOURNAL,
        message=(f"{code}, critère {number} : le gradebook porte le niveau {level:g} qu'aucune note du journal ne "
                 "justifie (saisie hors de la grille de notation et de formgrader) ; il n'est pas pris en compte, "
                 "faites-le saisir dans la grille par son correcteur."))
        for code, number, level in sub.off_journal]


def build_record(sub: Submission, acc: Accommodation, refusals: list[str], session: str,
                 ratings: dict[tuple[str, str, int], Effective] | None = None,
                 incidents: list[dict] | None = None, referential: Referential | None = None,
                 scale: Scale | None = None, grids: dict[str, Grid] | None = None, cases: str = "") -> CandidateRecord:
    """The candidate's record: decisions under the referential's rules, with what a report shows beside them.

    `refusals`: the jury's refused requests about this candidate; `ratings`: the journal's effective rating
    per (candidate, competency, criterion); `incidents`: what the checks of the candidate's copies found."""
    referential = referential or default_referential()
    scale = scale or default_scale()
    grids = default_grids() if grids is None else grids
    ratings = ratings or {}
    decision = decide_candidate(sub.student, sub.results, acc, referential, grids, scale)
    blocs = []
    for b in decision.blocs:
        comps = []
        for c in b.competencies:
            comp = referential.competency(c.code)
            crits = [_criterion(r, comp, grids.get(c.code), ratings.get((sub.student, c.code, r.number)), scale)
                     for r in c.criteria]
            comps.append(CompetencyRecord(code=c.code, title=comp.title, modality=comp.modality.title,
                                          status=c.status, reason=c.reason, criteria=crits,
                                          assessed=any(x.level is not None for x in crits)))
        blocs.append(BlocRecord(number=b.number, title=referential.bloc(b.number).title, status=b.status,
                                competencies=comps))
    tolerance = scale.late_tolerance_minutes
    deliveries = [AssignmentDelivery(a, local_time(s), local_time(d),
                                     round(lateness_minutes(s, d, acc.extra_minutes, tolerance)))
                  for a, s, d in (sub.deliveries or [(sub.assignment, sub.submitted_at, sub.due)])]
    return CandidateRecord(
        candidate=Identity(sub.student, sub.name), session=session,
        decision=DecisionSummary(decision.status, decision.summary, decision.blocs_acquired),
        blocs=blocs,
        delivery=Delivery(local_time(sub.submitted_at), local_time(sub.due),
                          round(sub.late_minutes(acc.extra_minutes, tolerance)), acc.extra_minutes,
                          list(sub.missing_notebooks), deliveries),
        autograde=AutogradeScore(sub.auto_score, sub.auto_max), accommodation=acc.reference,
        adaptations=[a.label() for a in acc.adaptations],
        exemptions=[ExemptionRecord(e.competency, e.criterion, e.jury_date.isoformat(), acc.reference)
                    for e in acc.exemptions],
        refused_exemptions=list(refusals), scale={str(k): v for k, v in scale.levels.items()},
        acquired_from=scale.acquired_from,
        incidents=[IncidentRecord.from_json(i) for i in incidents or []] + _off_journal(sub, scale), cases=cases)


def build_records(subs: dict[str, Submission], accs: Accommodations, session: str,
                  ratings: dict | None = None, incidents: dict[str, list[dict]] | None = None,
                  cases: str = "") -> list[CandidateRecord]:
    """One record per candidate, in identifier order; each gets only the refusals about its own identifier.

    `cases`: which session's variant of the cases the course graded (the same for every candidate of a course)."""
    return [build_record(s, accs.get(sid), accs.refusals_of(sid), session, ratings, (incidents or {}).get(sid),
                         cases=cases) for sid, s in sorted(subs.items())]


def load_records(data: list[dict] | dict) -> list[CandidateRecord] | CandidateRecord:
    """Records read back from their JSON (one record or a list of them)."""
    if isinstance(data, list):
        return [CandidateRecord.from_json(d) for d in data]
    return CandidateRecord.from_json(data)

