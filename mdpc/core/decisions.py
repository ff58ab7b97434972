"""From criterion levels to competency, bloc and certification decisions (ARCHITECTURE.md, contracts 4–5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from mdpc.core.exemptions import Accommodation
from mdpc.core.grids import Grid, Scale, default_grids, default_scale
from mdpc.core.referential import Referential
from mdpc.core.referential import default as default_referential


class _Label(StrEnum):
    """A status whose value is its French label: what the reports, the CSV files and the JSON records show."""

    @property
    def label(self) -> str:
        return self.value


class CriterionStatus(_Label):
    ACQUIRED = "acquis"
    NOT_ACQUIRED = "non acquis"
    PENDING = "en attente"
    EXEMPT = "dispensé"


class Outcome(_Label):
    """A competency's or a bloc's decision."""

    VALIDATED = "validé"
    NOT_VALIDATED = "non validé"
    PENDING = "en attente"


class CertificationStatus(_Label):
    CERTIFIED = "certification obtenue"
    PARTIAL = "validation partielle"
    PENDING = "en attente"
    NOT_VALIDATED = "non validé"


class LevelSource(_Label):
    """Who stands behind a criterion's level."""

    GRADER = "correcteur"
    AUTO = "proposition automatique"


@dataclass
class TestScore:
    """One autograded test that gives evidence for a criterion: its name (nbgrader grade id), the points it
    earned, its maximum and what it checks (its docstring, « Tests : … » left out)."""

    __test__ = False  # not a pytest test class, whatever its name

    name: str
    points: float
    maximum: float
    checks: str = ""


@dataclass
class CriterionResult:
    competency: str
    number: int
    level: int | None = None           # grader's level, else the automatic proposal, else None
    source: LevelSource | None = None
    comment: str = ""
    auto_share: float | None = None    # share of autograded points earned for this criterion
    proposed: int | None = None        # level proposed by the autograded evidence, within its cap
    status: CriterionStatus = CriterionStatus.PENDING
    gradebook_level: float | None = None  # the gradebook's mirror of the level (compared, never decisive)
    tests: list[TestScore] = field(default_factory=list)  # the autograded tests the proposal rests on
    judgement: bool = False            # a criterion of judgement (its grid's « jugement: true »)
    oral: bool = False                 # its competency is rated on an oral
    share_level: int | None = None     # the level the share alone gives, before the cap
    proposal_cap: int | None = None    # the highest level a proposal may reach for this criterion
    cap_reasons: tuple[str, ...] = ()  # the rules that set that cap (mdpc.core.grids.CAP_…)

    @property
    def confirmed(self) -> bool:
        return self.source == LevelSource.GRADER


@dataclass
class CompetencyDecision:
    code: str
    status: Outcome
    criteria: list[CriterionResult]
    reason: str = ""


@dataclass
class BlocDecision:
    number: int
    status: Outcome
    competencies: list[CompetencyDecision]


@dataclass
class CandidateDecision:
    candidate: str
    blocs: list[BlocDecision]
    status: CertificationStatus
    blocs_acquired: list[int] = field(default_factory=list)

    def competency(self, code: str) -> CompetencyDecision:
        return next(c for b in self.blocs for c in b.competencies if c.code == code)

    def bloc(self, number: int) -> BlocDecision:
        return next(b for b in self.blocs if b.number == number)

    @property
    def summary(self) -> str:
        if self.status == CertificationStatus.PARTIAL:
            return f"Validation partielle : bloc(s) {', '.join(map(str, self.blocs_acquired))} acquis"
        if self.status == CertificationStatus.PENDING and self.blocs_acquired:
            return f"En attente (bloc(s) {', '.join(map(str, self.blocs_acquired))} déjà acquis)"
        return self.status.capitalize()


def resolve_level(result: CriterionResult, grader_level: int | None, scale: Scale,
                  grids: dict[str, Grid] | None = None) -> CriterionResult:
    """Grader's level first; else the level proposed by the autograded evidence, flagged as not confirmed.

    The proposal stays within the cap of its criterion (the scale's ``plafonds_proposition``): its grid says
    whether it is a criterion of judgement, the referential whether its competency is rated on an oral."""
    grids = default_grids() if grids is None else grids
    grid = grids.get(result.competency)
    if grid is not None and 1 <= result.number <= len(grid.criteria):
        gcrit = grid.criteria[result.number - 1]
        result.judgement, result.oral = gcrit.judgement, gcrit.oral
    if result.auto_share is not None:
        result.share_level = scale.level_of_share(result.auto_share)
        result.proposal_cap, result.cap_reasons = scale.proposal_cap(result.judgement, result.oral)
        result.proposed = min(result.share_level, result.proposal_cap)
    if grader_level is not None:
        result.level, result.source = scale.check_level(grader_level), LevelSource.GRADER
    elif result.proposed is not None:
        result.level, result.source = result.proposed, LevelSource.AUTO
    return result


def criterion_status(result: CriterionResult, exempt: bool, scale: Scale) -> CriterionStatus:
    if exempt:
        return CriterionStatus.EXEMPT
    if result.level is None or (not result.confirmed and not scale.automatic_is_decisive):
        # an unconfirmed proposal that already fails is still only a proposal: the grader decides
        return CriterionStatus.PENDING
    return CriterionStatus.ACQUIRED if scale.is_acquired(result.level) else CriterionStatus.NOT_ACQUIRED


def decide_competency(code: str, results: dict[int, CriterionResult], exempt: set[int], grid: Grid | None,
                      scale: Scale, referential: Referential) -> CompetencyDecision:
    comp = referential.competency(code)
    ordered = []
    for crit in comp.criteria:
        r = results.get(crit.number) or CriterionResult(code, crit.number)
        r.status = criterion_status(r, crit.number in exempt, scale)
        ordered.append(r)
    active = [r for r in ordered if r.status != CriterionStatus.EXEMPT]
    acquired = sum(r.status == CriterionStatus.ACQUIRED for r in active)
    failed = sum(r.status == CriterionStatus.NOT_ACQUIRED for r in active)
    pending = sum(r.status == CriterionStatus.PENDING for r in active)
    rule = grid.rule if grid else scale.default_rule
    if rule == "tous":
        if failed:
            status, reason = Outcome.NOT_VALIDATED, f"{failed} critère(s) non acquis"
        elif pending:
            status, reason = Outcome.PENDING, f"{pending} critère(s) à évaluer ou à confirmer"
        else:
            status, reason = Outcome.VALIDATED, "tous les critères évalués sont acquis"
    else:
        needed = min(rule["au_moins"], len(active))
        zero = any(r.status == CriterionStatus.NOT_ACQUIRED and r.level == min(scale.levels) for r in active)
        if zero:
            status, reason = Outcome.NOT_VALIDATED, "un critère est au niveau le plus bas"
        elif acquired >= needed and not pending:
            status, reason = Outcome.VALIDATED, f"{acquired} critère(s) acquis sur {needed} exigé(s)"
        elif acquired + pending < needed:
            status, reason = Outcome.NOT_VALIDATED, f"{acquired} critère(s) acquis sur {needed} exigé(s)"
        else:
            status, reason = Outcome.PENDING, f"{pending} critère(s) à évaluer ou à confirmer"
    if len(active) < len(ordered):
        reason += f" ; {len(ordered) - len(active)} critère(s) dispensé(s)"
    return CompetencyDecision(code, status, ordered, reason)


def combine(statuses: list[Outcome]) -> Outcome:
    if statuses and all(s == Outcome.VALIDATED for s in statuses):
        return Outcome.VALIDATED
    if any(s == Outcome.NOT_VALIDATED for s in statuses):
        return Outcome.NOT_VALIDATED
    return Outcome.PENDING


def decide_candidate(candidate: str, results: dict[tuple[str, int], CriterionResult],
                     accommodation: Accommodation | None = None, referential: Referential | None = None,
                     grids: dict[str, Grid] | None = None, scale: Scale | None = None) -> CandidateDecision:
    """Decide every competency, bloc and the certification for one candidate.

    results maps (competency code, criterion number) to the candidate's CriterionResult; a criterion
    absent from it has no grade yet and is « en attente ».
    """
    referential = referential or default_referential()
    grids = default_grids() if grids is None else grids
    scale = scale or default_scale()
    accommodation = accommodation or Accommodation(candidate)
    blocs = []
    for bloc in referential.blocs:
        comps = []
        for code in bloc.competencies:
            per_crit = {k: r for (c, k), r in results.items() if c == code}
            comps.append(decide_competency(code, per_crit, accommodation.exempt_criteria(code), grids.get(code),
                                           scale, referential))
        blocs.append(BlocDecision(bloc.number, combine([c.status for c in comps]), comps))
    acquired = [b.number for b in blocs if b.status == Outcome.VALIDATED]
    if len(acquired) == len(blocs):
        status = CertificationStatus.CERTIFIED
    elif any(b.status == Outcome.PENDING for b in blocs):
        status = CertificationStatus.PENDING
    elif acquired:
        status = CertificationStatus.PARTIAL
    else:
        status = CertificationStatus.NOT_VALIDATED
    return CandidateDecision(candidate, blocs, status, acquired)
