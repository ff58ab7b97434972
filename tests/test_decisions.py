"""Scale, grids, decisions and exemptions: every rule and its edge cases."""

import datetime as dt
import re

import pytest
import yaml

from mdpc.core import decisions as d
from mdpc.core import exemptions as ex
from mdpc.core import grids as rubric
from mdpc.core import referential

REF = referential.default()
SCALE = rubric.default_scale()


def graded(code, levels, source=d.LevelSource.GRADER):
    """Results for one competency: levels is a list (None = not graded)."""
    out = {}
    for k, lv in enumerate(levels, 1):
        r = d.CriterionResult(code, k)
        if lv is not None:
            r.level, r.source = lv, source
        out[(code, k)] = r
    return out


def all_levels(level, except_=None):
    results = {}
    for code, comp in REF.competencies.items():
        results.update(graded(code, [level] * len(comp.criteria)))
    results.update(except_ or {})
    return results


def exemption(code, k, **over):
    rec = {"competence": code, "critere": k, "avis_referent": "Avis motivé du référent handicap, daté et signé.",
           "date_decision_jury": "2026-06-12",
           ex.CONDITION_CAPACITY: {"affirmee": True, "motif": "Les autres critères de la compétence restent évalués."},
           ex.CONDITION_PRACTICE: {"affirmee": True, "motif": "Le poste visé n'exige pas ce geste professionnel."}}
    rec.update(over)
    return rec


def candidate(*exemptions, **over):
    """A candidate's entry of the jury's file: its file reference and exemptions."""
    return {"dossier": "AH-2026-001", "dispenses": list(exemptions), **over}


def test_scale_defaults():
    assert SCALE.levels == {0: "Non acquis", 1: "Partiellement acquis", 2: "Acquis", 3: "Maîtrisé"}
    assert SCALE.top == 3 and SCALE.is_acquired(2) and not SCALE.is_acquired(1)
    assert [SCALE.propose(s) for s in (1.0, 0.9, 0.75, 0.5, 0.1, 0.0)] == [2, 2, 2, 1, 0, 0]
    assert SCALE.caps == rubric.ProposalCaps(general=2, judgement=1, oral=1)
    with pytest.raises(rubric.GridError, match="hors de l'échelle"):
        SCALE.check_level(4)
    with pytest.raises(rubric.GridError, match="hors de l'échelle"):
        SCALE.check_level(1.5)


def test_grids_quote_the_referential_and_describe_every_level():
    grids = rubric.default_grids()
    assert {"C4.1", "C4.2", "C4.3"} <= set(grids)
    for code, grid in grids.items():
        assert [c.text for c in grid.criteria] == [c.full_text for c in REF.competency(code).criteria]
        for c in grid.criteria:
            assert sorted(c.descriptors) == [0, 1, 2, 3] and all(len(t) > 10 for t in c.descriptors.values())


def test_grids_take_the_criterion_text_from_the_referential(tmp_path):
    """A wording changed in the referential reaches the grid's criterion without touching the grid."""
    data = yaml.safe_load((rubric.GRILLES_DIR / "referentiel.yaml").read_text(encoding="utf-8"))
    comp = next(c for b in data["blocs"] for a in b["activites"] for c in a["competences"] if c["code"] == "C4.1")
    comp["criteres"][0]["texte"] = "Nouvelle formulation du critère"
    (tmp_path / "referentiel.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    grids = rubric.load_grids(referential=referential.load(tmp_path / "referentiel.yaml"))
    assert grids["C4.1"].criteria[0].text == "Nouvelle formulation du critère"
    assert grids["C4.1"].criteria[1].text == REF.criterion("C4.1", 2).full_text


def test_grid_that_still_carries_a_criterion_text_is_refused(tmp_path):
    """The text of a criterion lives in the referential only: a grid that copies it (even verbatim) is refused."""
    grid = yaml.safe_load((rubric.GRILLES_DIR / "competences" / "C4_1.yaml").read_text(encoding="utf-8"))
    grid["criteres"][1]["texte"] = REF.criterion("C4.1", 2).full_text
    (tmp_path / "C4_1.yaml").write_text(yaml.safe_dump(grid, allow_unicode=True), encoding="utf-8")
    with pytest.raises(rubric.GridError, match=r"C4_1\.yaml, critère n° 2 de C4\.1 : le champ « texte » n'a plus cours"
                                               r".* vient du référentiel"):
        rubric.load_grids(tmp_path)


@pytest.mark.parametrize("where", ["grille", "critere"])
def test_grid_with_an_unknown_field_is_refused(tmp_path, where):
    grid = yaml.safe_load((rubric.GRILLES_DIR / "competences" / "C4_1.yaml").read_text(encoding="utf-8"))
    (grid if where == "grille" else grid["criteres"][0])["niveau"] = 2
    (tmp_path / "C4_1.yaml").write_text(yaml.safe_dump(grid, allow_unicode=True), encoding="utf-8")
    with pytest.raises(rubric.GridError, match=r"champ\(s\) inconnu\(s\) « niveau » \(champs possibles : "):
        rubric.load_grids(tmp_path)


def test_all_acquired_certifies():
    dec = d.decide_candidate("x", all_levels(2))
    assert dec.status == d.CertificationStatus.CERTIFIED and dec.blocs_acquired == [1, 2, 3, 4]


def test_one_criterion_below_threshold_fails_competency_and_bloc_only():
    dec = d.decide_candidate("x", all_levels(3, graded("C4.3", [3, 1, 3])))
    assert dec.competency("C4.3").status == d.Outcome.NOT_VALIDATED
    assert dec.competency("C4.3").criteria[1].status == d.CriterionStatus.NOT_ACQUIRED
    assert dec.bloc(4).status == d.Outcome.NOT_VALIDATED and dec.bloc(3).status == d.Outcome.VALIDATED
    assert dec.status == d.CertificationStatus.PARTIAL and dec.blocs_acquired == [1, 2, 3]
    assert dec.summary == "Validation partielle : bloc(s) 1, 2, 3 acquis"


def test_missing_grade_is_pending_not_failed():
    dec = d.decide_candidate("x", all_levels(2, graded("C4.2", [2, None, 3])))
    assert dec.competency("C4.2").criteria[1].status == d.CriterionStatus.PENDING
    assert dec.competency("C4.2").status == d.Outcome.PENDING
    assert dec.bloc(4).status == d.Outcome.PENDING
    assert dec.status == d.CertificationStatus.PENDING and dec.blocs_acquired == [1, 2, 3]


def test_failure_wins_over_pending_in_a_bloc():
    dec = d.decide_candidate("x", {**graded("C4.1", [0, 2, 2]), **graded("C4.2", [None, None, None])})
    assert dec.competency("C4.1").status == d.Outcome.NOT_VALIDATED
    assert dec.bloc(4).status == d.Outcome.NOT_VALIDATED
    assert dec.bloc(1).status == d.Outcome.PENDING and dec.status == d.CertificationStatus.PENDING


def test_nothing_graded_is_pending():
    dec = d.decide_candidate("x", {})
    assert dec.status == d.CertificationStatus.PENDING and all(b.status == d.Outcome.PENDING for b in dec.blocs)


def test_all_blocs_failed():
    dec = d.decide_candidate("x", all_levels(1))
    assert dec.status == d.CertificationStatus.NOT_VALIDATED and dec.blocs_acquired == []


def test_grader_level_beats_automatic_proposal():
    r = d.resolve_level(d.CriterionResult("C4.2", 2, auto_share=0.2), 3, SCALE)
    assert (r.level, r.source, r.proposed, r.confirmed) == (3, d.LevelSource.GRADER, 0, True)


def test_automatic_proposal_is_flagged_and_not_decisive_by_default():
    r = d.resolve_level(d.CriterionResult("C4.2", 2, auto_share=1.0), None, SCALE)
    assert (r.level, r.source, r.confirmed) == (2, d.LevelSource.AUTO, False)
    assert d.criterion_status(r, False, SCALE) == d.CriterionStatus.PENDING
    decisive = rubric.Scale(**{**SCALE.__dict__, "automatic_is_decisive": True})
    assert d.criterion_status(r, False, decisive) == d.CriterionStatus.ACQUIRED


JUDGEMENT = ["C1.4.2", "C1.4.3", "C2.1.3", "C2.1.4", "C2.3.3", "C2.4.3", "C2.5.1", "C2.5.2", "C2.5.3", "C3.2.3",
             "C3.5.3", "C4.2.3", "C4.3.3", "C4.4.3", "C4.6.5"]


def test_criteria_of_judgement_and_orals_are_marked():
    grids = rubric.default_grids()
    marked = [f"{code}.{c.number}" for code, g in grids.items() for c in g.criteria if c.judgement]
    assert marked == JUDGEMENT
    orals = sorted({code for code, g in grids.items() for c in g.criteria if c.oral})
    assert orals == ["C1.4", "C2.3", "C2.4", "C2.5", "C4.4"]
    assert all(REF.competency(code).modality.is_oral == all(c.oral for c in g.criteria) for code, g in grids.items())


def test_a_proposal_never_goes_beyond_2_nor_beyond_1_for_judgement_or_an_oral():
    """Every criterion, all tests passed: 2 at most (level 3 goes beyond what tests show); 1 for a criterion of
    judgement or an oral competency, with the rules that set the cap; a grader's level is never capped."""
    for code, grid in rubric.default_grids().items():
        for c in grid.criteria:
            r = d.resolve_level(d.CriterionResult(code, c.number, auto_share=1.0), None, SCALE)
            expected = 1 if (c.judgement or c.oral) else 2
            assert (r.proposed, r.proposal_cap, r.share_level) == (expected, expected, 2), (code, c.number)
            reasons = tuple(k for k, on in ((rubric.CAP_JUDGEMENT, c.judgement), (rubric.CAP_ORAL, c.oral)) if on)
            assert r.cap_reasons == (reasons or (rubric.CAP_BEYOND,)), (code, c.number)
            assert d.resolve_level(d.CriterionResult(code, c.number, auto_share=1.0), 3, SCALE).level == 3
    r = d.resolve_level(d.CriterionResult("C4.3", 3, auto_share=0.2), None, SCALE)
    assert (r.proposed, r.share_level, r.judgement, r.oral) == (0, 0, True, False)
    assert SCALE.proposal_cap(judgement=True, oral=True) == (1, (rubric.CAP_JUDGEMENT, rubric.CAP_ORAL))
    assert SCALE.propose(1.0, judgement=True) == 1 and SCALE.propose(0.5, oral=True) == 1


def _write_scale(tmp_path, **change):
    data = yaml.safe_load((rubric.GRILLES_DIR / "echelle.yaml").read_text(encoding="utf-8"))
    data.update(change)
    path = tmp_path / "echelle.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("change, message", [
    ({"plafonds_proposition": {"general": 2, "jugement": 3, "oral": 1}},
     r"« jugement » \(3\) et « oral » \(1\) ne peuvent dépasser le plafond « general » \(2\)"),
    ({"plafonds_proposition": {"general": 4, "jugement": 1, "oral": 1}}, r"plafond « general » .*\(4\) n'est pas un niveau"),
    ({"plafonds_proposition": {"general": 2, "jugement": "1", "oral": 1}}, r"plafond « jugement » .* nombre entier"),
    ({"plafonds_proposition": {"general": 2, "jugement": 1}}, r"« plafonds_proposition » doit donner les trois plafonds"),
    ({"plafonds_proposition": None}, r"« plafonds_proposition » doit donner les trois plafonds"),
    ({"proposition_automatique": [{"part_minimale": 0.9, "niveau": 3}, {"part_minimale": 0.0, "niveau": 0}]},
     r"propose le niveau 3, au-dessus de son plafond « general » \(2\)"),
])
def test_scale_refuses_caps_that_would_let_a_proposal_go_too_far(tmp_path, change, message):
    with pytest.raises(rubric.GridError, match=message):
        rubric.load_scale(_write_scale(tmp_path, **change))


@pytest.mark.parametrize("value", ["oui", "true", 1, None, [True]])
def test_grid_refuses_a_judgement_flag_that_is_not_true_or_false(tmp_path, value):
    grid = yaml.safe_load((rubric.GRILLES_DIR / "competences" / "C4_3.yaml").read_text(encoding="utf-8"))
    grid["criteres"][1]["jugement"] = value
    (tmp_path / "C4_3.yaml").write_text(yaml.safe_dump(grid, allow_unicode=True), encoding="utf-8")
    with pytest.raises(rubric.GridError, match=r"C4_3\.yaml : « jugement » du critère 2 de C4\.3 vaut .* écrivez "
                                               r"« jugement: true » pour un critère de jugement"):
        rubric.load_grids(tmp_path)
    grid["criteres"][1]["jugement"] = False  # written out, false is the default
    (tmp_path / "C4_3.yaml").write_text(yaml.safe_dump(grid, allow_unicode=True), encoding="utf-8")
    assert [c.judgement for c in rubric.load_grids(tmp_path)["C4.3"].criteria] == [False, False, True]


def test_the_proposal_says_what_it_rests_on_and_why_it_is_capped():
    from mdpc.core import proposals

    tests = [d.TestScore("C4_3_test_causes", 1.0, 1.0, "La cause de chaque anomalie est correctement identifiée.")]
    r = d.resolve_level(d.CriterionResult("C4.3", 3, auto_share=1.0, tests=tests), None, SCALE)
    text = proposals.summary(r, SCALE.levels)
    assert text.startswith("Tests autocorrigés : 1 / 1 point (100 %) — niveau proposé : 1 (Partiellement acquis).")
    assert "C4_3_test_causes : 1 / 1 point" in text and proposals.BASIS in text
    assert "Plafonnée à 1 (la part des points seule donnerait 2) : critère de jugement, dont le niveau 2 « Acquis » " \
           "demande la lecture du correcteur" in text
    assert proposals.test_lines(r, with_checks=True) == [
        "C4_3_test_causes : 1 / 1 point — La cause de chaque anomalie est correctement identifiée."]
    tests = [d.TestScore("C4_3_test_ecarts", 2.0, 2.0), d.TestScore("C4_3_test_regression", 1.5, 2.0)]
    r = d.resolve_level(d.CriterionResult("C4.3", 1, auto_share=3.5 / 4, tests=tests), None, SCALE)
    assert proposals.headline(r, SCALE.levels) == ("Tests autocorrigés : 3,5 / 4 points (88 %) — niveau proposé : 2 "
                                                   "(Acquis).")
    assert proposals.ceiling(r, SCALE.levels).startswith("Jamais au-dessus de 2 pour ce critère : le niveau 3 "
                                                         "« Maîtrisé » nomme ce qui va au-delà de l'acquis")
    r = d.resolve_level(d.CriterionResult("C1.4", 1, auto_share=0.5), None, SCALE)
    assert proposals.ceiling(r, SCALE.levels).startswith("Jamais au-dessus de 1 pour ce critère : compétence évaluée "
                                                         "à l'oral")
    assert proposals.headline(r, SCALE.levels).startswith("Tests autocorrigés : 50 % des points")
    r = d.resolve_level(d.CriterionResult("C4.3", 1, auto_share=0.4), None, SCALE)
    assert proposals.ceiling(r, SCALE.levels) == ""  # below its cap: nothing to explain


def test_level_descriptors_are_written_for_the_case():
    """Level 0 says what a non-acquired production shows (not « Aucune X. »), every level is a sentence of its own,
    and a criterion of judgement asks at level 2 for what the grader reads or hears, not for figures alone."""
    reading = ("lecture", "à l'oral", "devant le jury", "pendant l'entretien", "posture", "écoute", "explique",
               "à l'écran", "reformule", "argumentaire", "y lit ")
    for code, grid in rubric.default_grids().items():
        for c in grid.criteria:
            where = f"{code}, critère {c.number}"
            assert len(set(c.descriptors.values())) == 4, where
            assert all(40 <= len(t) <= 330 for t in c.descriptors.values()), where
            assert not re.match(r"(Aucune?|Pas d[e'])\s+\w+(\s+\w+)?\.$", c.descriptors[0]), where
            acquired = c.descriptors[2].lower()
            if c.judgement:
                assert any(w in acquired for w in reading), where
            if c.oral:
                assert any(w in acquired for w in ("oral", "jury", "entretien", "réunion")), where


def test_grader_level_outside_scale_is_refused():
    with pytest.raises(rubric.GridError):
        d.resolve_level(d.CriterionResult("C4.2", 2), 5, SCALE)


def test_at_least_rule():
    grid = rubric.Grid("C4.1", "", (), {"au_moins": 2})
    comp = lambda levels: d.decide_competency(  # noqa: E731
        "C4.1", {k: r for (c, k), r in graded("C4.1", levels).items()}, set(), grid, SCALE, REF).status
    assert comp([2, 2, 1]) == d.Outcome.VALIDATED
    assert comp([2, 1, 1]) == d.Outcome.NOT_VALIDATED
    assert comp([2, 2, 0]) == d.Outcome.NOT_VALIDATED
    assert comp([2, 1, None]) == d.Outcome.PENDING
    with pytest.raises(rubric.GridError, match="Règle de validation inconnue"):
        rubric.check_rule({"au_moins": 0}, "test")


def test_exempt_criterion_is_left_out():
    acc = ex.parse({"candidats": {"x": candidate(exemption("C4.3", 2))}}, REF)
    assert acc.refusals == []
    dec = d.decide_candidate("x", all_levels(2, graded("C4.3", [2, 0, 2])), acc.get("x"))
    assert dec.competency("C4.3").criteria[1].status == d.CriterionStatus.EXEMPT
    assert dec.competency("C4.3").status == d.Outcome.VALIDATED
    assert "1 critère(s) dispensé(s)" in dec.competency("C4.3").reason


def test_all_exempt_but_one_decides_on_the_last_one():
    acc = ex.parse({"candidats": {"x": candidate(exemption("C4.3", 1), exemption("C4.3", 2))}}, REF).get("x")
    assert d.decide_candidate("x", all_levels(2, graded("C4.3", [0, 0, 2])), acc).competency("C4.3").status == d.Outcome.VALIDATED
    assert d.decide_candidate("x", all_levels(2, graded("C4.3", [3, 3, 1])), acc).competency("C4.3").status == d.Outcome.NOT_VALIDATED
    assert d.decide_candidate("x", all_levels(2, graded("C4.3", [3, 3, None])), acc).competency("C4.3").status == d.Outcome.PENDING


def test_exempting_a_whole_competency_is_refused():
    acc = ex.parse({"candidats": {"x": candidate(*[exemption("C4.3", k) for k in (1, 2, 3)])}}, REF)
    assert acc.get("x").exemptions == []
    assert any("tous les critères de C4.3 seraient dispensés" in m.message for m in acc.refusals)


@pytest.mark.parametrize("change, message", [
    ({ex.CONDITION_CAPACITY: False}, "capacité professionnelle globale"),
    ({ex.CONDITION_PRACTICE: None}, "pratique professionnelle future"),
    ({ex.CONDITION_PRACTICE: True}, "condition affirmée sans motif"),
    ({ex.CONDITION_CAPACITY: {"affirmee": True, "motif": "oui"}}, "affirmée sans motif"),
    ({ex.CONDITION_CAPACITY: {"affirmee": False, "motif": "Les autres critères restent évalués."}},
     "condition non affirmée"),
    ({"avis_referent": ""}, "avis motivé du référent handicap manque"),
    ({"date_decision_jury": "bientôt"}, "date de la décision du jury"),
    ({"critere": 7}, "n'a pas de critère n° 7"),
    ({"competence": "C9.9"}, "compétence « C9.9 » inconnue du référentiel"),
])
def test_incomplete_exemption_is_refused_with_the_missing_condition(change, message):
    acc = ex.parse({"candidats": {"x": candidate(exemption("C4.2", 3, **change))}}, REF)
    assert acc.get("x").exemptions == []
    assert any(message in m.message for m in acc.refusals), acc.refusals


def test_accommodations_file(tmp_path):
    assert ex.load(tmp_path / "absent.yaml").by_candidate == {}
    bad = tmp_path / "dispenses.yaml"
    bad.write_text("candidats: [", encoding="utf-8")
    with pytest.raises(ex.AccommodationError, match="illisible"):
        ex.load(bad)
    bad.write_text("candidats:\n  x:\n    dossier: AH-1\n    amenagements:\n      temps_supplementaire:\n"
                   "        minutes: beaucoup\n        avis_referent: Lenteur de lecture attestée par le référent.\n",
                   encoding="utf-8")
    assert "n'est pas un nombre de minutes" in ex.load(bad).refusals[0].message
    bad.write_text("candidats:\n  x:\n    temps_supplementaire_minutes: 30\n", encoding="utf-8")
    assert "ancien format" in ex.load(bad).refusals[0].message


def test_extra_time_applies_to_lateness():
    due = dt.datetime(2026, 6, 12, 12, 0)
    at = dt.datetime(2026, 6, 12, 12, 40)
    assert ex.lateness_minutes(at, due) == 40
    assert ex.lateness_minutes(at, due, extra_minutes=40) == 0
    assert ex.lateness_minutes(at, due, extra_minutes=30, tolerance_minutes=5) == 5
    assert ex.lateness_minutes(None, due) == 0
