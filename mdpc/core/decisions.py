"""From criterion levels to competency, bloc and certification decisions (DESIGN.md §4–5)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mdpc.core.exemptions import Accommodation
from mdpc.core.grids import Grid, Scale, default_grids, default_scale
from mdpc.core.referential import Referential
from mdpc.core.referential import default as default_referential

# Criterion statuses
ACQUIS, NON_ACQUIS, EN_ATTENTE, DISPENSE = "acquis", "non acquis", "en attente", "dispensé"
# Competency / bloc / certification outcomes
VALIDE, NON_VALIDE, ATTENTE = "validé", "non validé", "en attente"
CERTIFIE, PARTIELLE = "certification obtenue", "validation partielle"

SOURCE_GRADER, SOURCE_AUTO = "correcteur", "proposition automatique"


@dataclass
class CriterionResult:
    competency: str
    number: int
    level: int | None = None           # grader's level, else the automatic proposal, else None
    source: str | None = None          # SOURCE_GRADER, SOURCE_AUTO or None
    comment: str = ""
    auto_share: float | None = None    # share of autograded points earned for this criterion
    proposed: int | None = None        # level proposed by the autograded evidence
    status: str = EN_ATTENTE

    @property
    def confirmed(self) -> bool:
        return self.source == SOURCE_GRADER


@dataclass
class CompetencyDecision:
    code: str
    status: str
    criteria: list[CriterionResult]
    reason: str = ""


@dataclass
class BlocDecision:
    number: int
    status: str
    competencies: list[CompetencyDecision]


@dataclass
class CandidateDecision:
    candidate: str
    blocs: list[BlocDecision]
    status: str
    blocs_acquired: list[int] = field(default_factory=list)

    def competency(self, code: str) -> CompetencyDecision:
        return next(c for b in self.blocs for c in b.competencies if c.code == code)

    def bloc(self, number: int) -> BlocDecision:
        return next(b for b in self.blocs if b.number == number)

    @property
    def summary(self) -> str:
        if self.status == PARTIELLE:
            return f"Validation partielle : bloc(s) {', '.join(map(str, self.blocs_acquired))} acquis"
        if self.status == ATTENTE and self.blocs_acquired:
            return f"En attente (bloc(s) {', '.join(map(str, self.blocs_acquired))} déjà acquis)"
        return self.status.capitalize()


def resolve_level(result: CriterionResult, grader_level: int | None, scale: Scale) -> CriterionResult:
    """Grader's level first; else the level proposed by the autograded evidence, flagged as not confirmed."""
    if result.auto_share is not None:
        result.proposed = scale.propose(result.auto_share)
    if grader_level is not None:
        result.level, result.source = scale.check_level(grader_level), SOURCE_GRADER
    elif result.proposed is not None:
        result.level, result.source = result.proposed, SOURCE_AUTO
    return result


def criterion_status(result: CriterionResult, exempt: bool, scale: Scale) -> str:
    if exempt:
        return DISPENSE
    if result.level is None or (not result.confirmed and not scale.automatic_is_decisive):
        # an unconfirmed proposal that already fails is still only a proposal: the grader decides
        return EN_ATTENTE
    return ACQUIS if scale.is_acquired(result.level) else NON_ACQUIS


def decide_competency(code: str, results: dict[int, CriterionResult], exempt: set[int], grid: Grid | None,
                      scale: Scale, referential: Referential) -> CompetencyDecision:
    comp = referential.competency(code)
    ordered = []
    for crit in comp.criteria:
        r = results.get(crit.number) or CriterionResult(code, crit.number)
        r.status = criterion_status(r, crit.number in exempt, scale)
        ordered.append(r)
    active = [r for r in ordered if r.status != DISPENSE]
    acquired = sum(r.status == ACQUIS for r in active)
    failed = sum(r.status == NON_ACQUIS for r in active)
    pending = sum(r.status == EN_ATTENTE for r in active)
    rule = grid.rule if grid else scale.default_rule
    if rule == "tous":
        if failed:
            status, reason = NON_VALIDE, f"{failed} critère(s) non acquis"
        elif pending:
            status, reason = ATTENTE, f"{pending} critère(s) à évaluer ou à confirmer"
        else:
            status, reason = VALIDE, "tous les critères évalués sont acquis"
    else:
        needed = min(rule["au_moins"], len(active))
        zero = any(r.status == NON_ACQUIS and r.level == min(scale.levels) for r in active)
        if zero:
            status, reason = NON_VALIDE, "un critère est au niveau le plus bas"
        elif acquired >= needed and not pending:
            status, reason = VALIDE, f"{acquired} critère(s) acquis sur {needed} exigé(s)"
        elif acquired + pending < needed:
            status, reason = NON_VALIDE, f"{acquired} critère(s) acquis sur {needed} exigé(s)"
        else:
            status, reason = ATTENTE, f"{pending} critère(s) à évaluer ou à confirmer"
    if len(active) < len(ordered):
        reason += f" ; {len(ordered) - len(active)} critère(s) dispensé(s)"
    return CompetencyDecision(code, status, ordered, reason)


def combine(statuses: list[str]) -> str:
    if statuses and all(s == VALIDE for s in statuses):
        return VALIDE
    if any(s == NON_VALIDE for s in statuses):
        return NON_VALIDE
    return ATTENTE


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
    acquired = [b.number for b in blocs if b.status == VALIDE]
    if len(acquired) == len(blocs):
        status = CERTIFIE
    elif any(b.status == ATTENTE for b in blocs):
        status = ATTENTE
    elif acquired:
        status = PARTIELLE
    else:
        status = NON_VALIDE
    return CandidateDecision(candidate, blocs, status, acquired)
