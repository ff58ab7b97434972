"""The typed candidate record, the cohort figures computed once, and the journal as the one store of levels."""

import datetime as dt
import html
import json

import pytest

from mdpc.core import cohort
from mdpc.core import exemptions as ex
from mdpc.core.decisions import CertificationStatus, CriterionResult, CriterionStatus, LevelSource, Outcome
from mdpc.core.ratings import (
    GRADER,
    JURY,
    Rating,
    RatingState,
    apply_ratings,
    effective,
    effective_by_criterion,
)
from mdpc.core.record import CandidateRecord, build_record, build_records, load_records
from mdpc.core.referential import default as default_referential
from mdpc.core.submissions import Submission

REF = default_referential()


def submission(student: str, level: int | None = 2, gradebook_level=None) -> Submission:
    """Every criterion proposed at `level` by the autograder (share 1.0 ↔ 3, 0.5 ↔ 1…), none rated yet."""
    results = {}
    for code, comp in REF.competencies.items():
        for crit in comp.criteria:
            results[(code, crit.number)] = CriterionResult(code, crit.number, auto_share=1.0,
                                                          gradebook_level=gradebook_level)
    due = dt.datetime(2027, 1, 8, 11, 0)
    return Submission(student, f"Candidat {student}", results, due - dt.timedelta(hours=1), due, 150.0, 196.0,
                      assignment="B4_pilotage_performance")


def rating(candidate, code, number, who, level, comment="", role=GRADER):
    return Rating("B4_pilotage_performance", candidate, code, number, who, role, level, comment, "2027-01-10T10:00:00")


def test_record_round_trips_through_json_with_enums():
    ratings = effective_by_criterion([rating("c01", "C4.1", 1, "Mme Aubert", 3, "Plan tenu")])
    sub = submission("c01")
    apply_ratings(sub, ratings, __import__("mdpc.core.grids", fromlist=["_"]).default_scale())
    rec = build_record(sub, ex.Accommodation("c01"), [], "Session", ratings)
    data = json.loads(json.dumps(rec.to_json(), ensure_ascii=False))
    back = CandidateRecord.from_json(data)
    assert back == rec and back.to_json() == data
    crit = back.competency("C4.1").criteria[0]
    assert crit.status is CriterionStatus.ACQUIRED and crit.source is LevelSource.GRADER
    assert crit.grader == "Mme Aubert" and crit.comment == "Plan tenu"
    assert data["blocs"][3]["competences"][0]["criteres"][0]["statut"] == "acquis"  # the label, in the file
    assert isinstance(back.blocs[0].status, Outcome) and isinstance(back.decision.status, CertificationStatus)
    assert load_records([data])[0] == rec
    # every criterion of the referential is walked once, in order
    assert [(c.code, cr.number) for _, c, cr in rec.criteria()] == [(c.competency, c.number) for c in REF.criteria]


def test_refusals_are_matched_on_identifiers_not_on_text():
    """c10's refused exemption (health data) never reaches c1's record, although « c1 » is a prefix of « c10 »."""
    accs = ex.parse({"candidats": {
        "c10": {"dispenses": [{"competence": "C4.1", "critere": 3, "avis_referent": "Trouble de la vision (santé)"}]},
        "c1": {"dossier": "AH-1", "amenagements": {"temps_supplementaire": {
            "minutes": "beaucoup", "avis_referent": "Lenteur de lecture attestée par le référent."}}}}})
    assert {r.candidate for r in accs.refusals} == {"c1", "c10"}
    records = {r.id: r for r in build_records({"c1": submission("c1"), "c10": submission("c10")}, accs, "S")}
    assert records["c1"].refused_exemptions and all("c10" not in m for m in records["c1"].refused_exemptions)
    assert records["c10"].refused_exemptions and all("temps supplémentaire" not in m
                                                     for m in records["c10"].refused_exemptions)
    assert records["c1"].refused_exemptions == accs.refusals_of("c1")


def test_the_journal_decides_and_a_gradebook_level_it_lacks_is_flagged():
    from mdpc.core.grids import default_scale

    scale = default_scale()
    sub = submission("c02", gradebook_level=3.0)  # a level typed into the gradebook, outside the journal
    ratings = effective_by_criterion([rating("c02", "C4.1", 1, "Mme Aubert", 3)])
    apply_ratings(sub, ratings, scale)
    assert sub.results[("C4.1", 1)].source == LevelSource.GRADER
    assert sub.results[("C4.1", 2)].source == LevelSource.AUTO  # the gradebook's 3 counts for nothing
    rec = build_record(sub, ex.Accommodation("c02"), [], "S", ratings)
    flagged = [i for i in rec.incidents if i.kind == "niveau_hors_journal"]
    assert len(flagged) == len(REF.criteria) - 1 and "C4.1, critère 2" in " ".join(i.message for i in flagged)
    assert "hors journal" not in json.dumps(rec.to_json(), ensure_ascii=False)


@pytest.mark.parametrize("rows, state, level", [
    ([("A", 2), ("B", 2)], RatingState.AGREED, 2),
    ([("A", 1), ("B", 2)], RatingState.DIVERGENT, None),
    ([("A", 1), ("B", 2), ("J", 1, JURY)], RatingState.JURY, 1),
    ([("A", 1), ("A", 3)], RatingState.SINGLE, 3),
])
def test_double_marking_keeps_each_graders_own_words(rows, state, level):
    eff = effective([rating("c01", "C4.1", 1, r[0], r[1], f"mots de {r[0]}", *(r[2:] or [GRADER])) for r in rows])
    assert (eff.state, eff.level) == (state, level)
    assert all(eff.comments[w] == f"mots de {w}" for w in eff.comments)


def test_cohort_figures_are_computed_once_for_the_csv_and_the_reports():
    from mdpc.core.grids import default_scale

    scale, subs, rows = default_scale(), {}, []
    for sid, lv in (("c01", 3), ("c02", 1), ("c03", 2)):
        subs[sid] = submission(sid)
        rows += [rating(sid, "C4.1", k, "Mme Aubert", lv) for k in (1, 2, 3)]
    ratings = effective_by_criterion(rows)
    for s in subs.values():
        apply_ratings(s, ratings, scale)
    records = build_records(subs, ex.Accommodations(), "S", ratings)
    success = cohort.criterion_success(records)
    assert list(success["critere"]) == ["C4.1-1", "C4.1-2", "C4.1-3"]
    assert list(success["acquis"]) == [2, 2, 2] and list(success["decides"]) == [3, 3, 3]
    csv = cohort.criterion_success_csv(records)
    assert list(csv.columns) == ["competence", "critere", "acquis", "evalues", "taux"]
    assert csv["taux"].round(1).tolist() == [66.7] * 3
    comps = cohort.outcome_counts(records, "competences").set_index("Compétence")
    assert comps.loc["C4.1", "validé"] == 2 and comps.loc["C4.1", "non validé"] == 1
    minutes = cohort.minutes_csv(records)
    assert list(minutes["candidat"]) == ["c01", "c02", "c03"] and (minutes["bloc 4"] == "en attente").sum() == 2


def test_the_record_keeps_what_a_proposal_rests_on_and_the_report_says_it():
    """The tests a proposal rests on (names, points), its cap and why, kept in the JSON record and said in the
    candidate's report: only what the tests verify, and why a criterion of judgement stops at 1."""
    from mdpc.core.decisions import TestScore
    from mdpc.core.grids import default_scale
    from mdpc.reports import candidate_view

    sub = submission("c04")
    sub.results[("C4.3", 1)].tests = [TestScore("C4_3_test_ecarts", 2.0, 2.0, "Écarts par commercial et produit."),
                                      TestScore("C4_3_test_regression", 2.0, 2.0)]
    sub.results[("C4.3", 3)].tests = [TestScore("C4_3_test_causes", 1.0, 1.0)]
    apply_ratings(sub, {}, default_scale())
    rec = build_record(sub, ex.Accommodation("c04"), [], "S")
    back = CandidateRecord.from_json(json.loads(json.dumps(rec.to_json(), ensure_ascii=False)))
    assert back == rec
    first, third = back.competency("C4.3").criteria[0], back.competency("C4.3").criteria[2]
    assert (first.proposed, first.proposal_cap, first.cap_reasons, first.judgement) == (2, 2, ["general"], False)
    assert (third.proposed, third.share_level, third.cap_reasons, third.judgement) == (1, 2, ["jugement"], True)
    assert [t.name for t in first.tests] == ["C4_3_test_ecarts", "C4_3_test_regression"]
    assert rec.to_json()["blocs"][3]["competences"][2]["criteres"][2]["tests_autocorriges"] == [
        {"test": "C4_3_test_causes", "points": 1.0, "maximum": 1.0, "verifie": ""}]
    assert back.competency("C1.4").criteria[0].oral and back.competency("C1.4").criteria[0].proposed == 1
    notes = html.unescape(candidate_view.proposal_notes(back, back.competency("C4.3")))  # Markdown-escaped text
    assert "à confirmer par un correcteur" in notes
    assert "C4_3_test_ecarts : 2 / 2 points ; C4_3_test_regression : 2 / 2 points" in notes and "Tests autocorrigés : 4 / 4 points (100 %)" in notes
    assert "ne repose que sur les calculs et les réponses que ces tests vérifient" in notes
    assert "Plafonnée à 1 (la part des points seule donnerait 2) : critère de jugement" in notes
    table = candidate_view.criteria_table(back.competency("C4.3"))
    assert table["Tests réussis"].tolist()[0] == "100 % (4 / 4 pts)"
    assert table["Évalué par"].tolist()[2] == "proposition automatique (à confirmer, voir sous le tableau)"
    old = rec.to_json()  # a record written before these fields still reads
    for crit in old["blocs"][3]["competences"][2]["criteres"]:
        for k in ("jugement", "oral", "tests_autocorriges", "niveau_de_la_part", "plafond_proposition", "motifs_plafond"):
            crit.pop(k)
    assert CandidateRecord.from_json(old).competency("C4.3").criteria[2].tests == []
