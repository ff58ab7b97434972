"""Session variants of B1_strategie_developpement: planted events found by the lesson's methods, no name of today's
assignment left, data that differ from one session to the next, today's cases untouched by the default session."""

import filecmp
import re

import pandas as pd
import pytest

from mdpc import CAS_DIR
from mdpc.authoring.datagen import b1 as G
from mdpc.authoring.sessions import build_session, make_variant
from mdpc.authoring.variants import b1 as V
from mdpc.authoring.variants.b1_faits import facts

A = "B1_strategie_developpement"
SESSIONS = ("essai-1", "essai-2", "essai-3")
TODAY = [n for n in V.FIRMS] + ["Volterre"]


@pytest.fixture(scope="module")
def variants():
    return {s: make_variant(A, s) for s in SESSIONS}


def test_the_generator_defaults_write_todays_data():
    for name, df in G.tables_b1().items():
        assert V.csv_text(df) == (CAS_DIR / A / "data" / name).read_text(encoding="utf-8"), name


def test_todays_data_carry_todays_events():
    data = V.frames({p.name: p.read_text(encoding="utf-8") for p in (CAS_DIR / A / "data").glob("*.csv")})
    assert V.detect(data) == {
        "pieges_pestel": {"rachat": "V17", "cyber": "V18", "quotas": "V14"},
        "entres_depuis_2019": ["Motiv Flotte", "Watt&Fleet", "ChargeLab"], "departement_plus_dynamique": "Haute-Savoie",
        "departements_en_recul": ["Allier", "Cantal"], "risques_critiques": ["R02", "R06"],
        "egalite_criticite": ("R03", "R01"), "opportunite_dominee": "C"}
    assert facts(data)["pestel"]["domaines"] == G.pestel_domains()


@pytest.mark.parametrize("session", SESSIONS)
def test_a_session_plants_its_events_and_keeps_the_difficulty(variants, session):
    v = variants[session]
    data = V.frames(v.data)
    assert V.detect(data) == v.events
    assert V.problems(facts(data)) == []
    assert set(v.data) == {p.name for p in (CAS_DIR / A / "data").glob("*.csv")}
    assert any(v.data[n] != (CAS_DIR / A / "data" / n).read_text(encoding="utf-8") for n in v.data)
    others = [variants[s] for s in SESSIONS if s != session]
    assert all(o.data["concurrents.csv"] != v.data["concurrents.csv"] for o in others)
    assert all(o.data["risques.csv"] != v.data["risques.csv"] for o in others)


@pytest.mark.parametrize("session", SESSIONS)
def test_a_session_build_has_no_name_of_today_and_follows_its_data(tmp_path, session):
    folder = build_session(session, tmp_path / "cas", [A]) / A
    pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(n) for n in TODAY) + r")(?![\w])")
    for p in folder.rglob("*"):
        if p.is_file() and p.suffix in {".ipynb", ".csv", ".md", ".json", ".yaml"}:
            assert not pattern.search(p.read_text(encoding="utf-8")), p
    events = make_variant(A, session).events
    guide = (folder / "corrige" / "guide_formateur.md").read_text(encoding="utf-8")
    winner, loser = events["egalite_criticite"]
    assert f"l'identifiant ({loser} avant {winner})" in guide
    key = pd.read_json(folder / "corrige" / "reponses_corrige.json", typ="series")
    assert key["C1_3_business_model"]["maitrise.risque_3"] == winner
    nb = (folder / "C1_1_etude_de_marche.ipynb").read_text(encoding="utf-8")
    assert f'\\"{events["pieges_pestel"]["cyber"]}\\": \\"Technologique\\"' in nb


def test_the_default_session_is_todays_assignment(tmp_path):
    folder = build_session(None, tmp_path / "cas", [A]) / A
    cmp = filecmp.dircmp(folder, CAS_DIR / A, ignore=[".ipynb_checkpoints", "__pycache__", "mes_donnees"])
    assert not cmp.diff_files and not cmp.left_only
    for d in ("data", "corrige"):
        sub = filecmp.dircmp(folder / d, CAS_DIR / A / d)
        assert not sub.diff_files and not sub.left_only and not sub.right_only
