"""The referential file: counts, verbatim texts, and the loader's refusals."""

import copy

import pytest
import yaml

from mdpc import GRILLES_DIR
from mdpc.core import referential as ref


@pytest.fixture(scope="module")
def data():
    return yaml.safe_load((GRILLES_DIR / "referentiel.yaml").read_text(encoding="utf-8"))


def test_counts():
    r = ref.load()
    assert len(r.blocs) == 4
    assert [a.code for a in r.activities] == ["A1.1", "A1.2", "A1.3", "A2.1", "A2.2", "A2.3",
                                              "A3.1", "A3.3", "A3.4", "A4.1", "A4.2"]
    assert len(r.competencies) == 20
    assert len(r.criteria) == 69
    assert [sum(len(r.competency(c).criteria) for c in b.competencies) for b in r.blocs] == [14, 19, 15, 21]


def test_texts_character_for_character():
    r = ref.load()
    assert r.bloc(4).title == "Supervision des activités et des équipes commerciales"
    assert r.criterion("C4.1", 2).text == (
        "Le plan de charges est correctement estimé en termes de ressources, deadline, optimisation des activités)")
    assert r.criterion("C1.4", 1).text.endswith("(obstacles, RIO, vision à court, moyen et long terme)")
    assert r.criterion("C3.1", 2).text == "Le cahier des charges :"
    assert r.criterion("C3.1", 2).sub_points[2] == "décrit l'ensemble des actions et opérations à mettre à œuvre"
    assert r.competency("C4.5").title.startswith("Accompagner les membres de son équipe dans leur montée en compétences")
    assert r.competency("C2.5").modality.kind == "mise_en_situation_professionnelle_simulee"
    assert r.competency("C2.5").modality.note == "* le rôle du client est joué par l'évaluateur"
    assert r.competency("C1.3").modality.deliverable.startswith("Livrable 3 : Réalisation d'un business model")
    assert r.criterion("C4.2", 1).grade_id == "C4_2_crit1"


def test_modality_kinds_match_design():
    r = ref.load()
    kinds = {code: c.modality.kind for code, c in r.competencies.items()}
    assert sorted(c for c, k in kinds.items() if k == "projet_professionnel") == ["C1.1", "C1.2", "C1.3", "C3.5"]
    assert sorted(c for c, k in kinds.items() if k == "mise_en_situation_professionnelle") == ["C1.4", "C2.3", "C2.4"]
    assert sorted(c for c, k in kinds.items() if k == "mise_en_situation_professionnelle_simulee") == ["C2.5", "C4.4"]


def test_every_criterion_matches_the_official_text(seed_criteria):
    r = ref.load()
    assert {code: [c.full_text for c in comp.criteria] for code, comp in r.competencies.items()} == seed_criteria


def test_duplicate_competency_is_refused(data):
    bad = copy.deepcopy(data)
    bad["blocs"][0]["activites"][1]["competences"].append(bad["blocs"][0]["activites"][0]["competences"][0])
    with pytest.raises(ref.ReferentialError, match="C1.1.*apparaît deux fois"):
        ref.parse(bad)


def test_empty_criterion_is_refused(data):
    bad = copy.deepcopy(data)
    bad["blocs"][3]["activites"][0]["competences"][1]["criteres"][1]["texte"] = "  "
    with pytest.raises(ref.ReferentialError, match="critère n° 2 de C4.2 n'a pas de texte"):
        ref.parse(bad)


def test_competency_in_wrong_bloc_is_refused(data):
    bad = copy.deepcopy(data)
    bad["blocs"][0]["activites"][0]["competences"][0]["code"] = "C2.9"
    with pytest.raises(ref.ReferentialError, match="ne relève pas du bloc 1"):
        ref.parse(bad)


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(ref.ReferentialError, match="introuvable"):
        ref.load(tmp_path / "absent.yaml")
    broken = tmp_path / "r.yaml"
    broken.write_text("blocs: [\n", encoding="utf-8")
    with pytest.raises(ref.ReferentialError, match="pas un YAML valide"):
        ref.load(broken)
    with pytest.raises(ref.ReferentialError, match="n'a pas de critère n° 9"):
        ref.load().criterion("C4.1", 9)
