"""Session variants of B3_pilotage_projets: events detected by the lesson's methods, names changed, data of their own.

Three sessions are built as ``mdpc publier --session`` builds them (``build_session``); for each, the planted events
the variant declares are what the detector finds in the built data, no name of today's case remains in any file, and
the data differ from today's and from the other sessions'. The default session stays today's files byte for byte.
(Graded for real in ``tests/test_sessions_e2e.py``.)
"""

import filecmp
import re
from pathlib import Path

import pandas as pd
import pytest

from mdpc import CAS_DIR
from mdpc.authoring.datagen import b3 as gen
from mdpc.authoring.sessions import build_session, make_variant
from mdpc.authoring.variants.b3 import CLIENT_POOLS, FIRMS, default_data
from mdpc.authoring.variants.b3_facts import detect

A = gen.ASSIGNMENT_B3
SESSIONS = ("essai-1", "essai-2", "essai-3")


def _data(folder: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_csv(p, keep_default_na=(p.stem != "taches")) for p in sorted((folder / "data").glob("*.csv"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = {}
    for s in SESSIONS:
        root = tmp_path_factory.mktemp(s)
        out[s] = (build_session(s, root, [A]) / A, make_variant(A, s))
    return out


@pytest.mark.parametrize("session", SESSIONS)
def test_the_planted_events_are_what_the_lessons_methods_find(built, session):
    folder, variant = built[session]
    events = detect(_data(folder))
    assert events == dict(variant.events)
    assert len(events["chemin_critique"]) >= 6 and events["chemin_critique_recale"] != events["chemin_critique"]
    assert len(events["alertes_090"]) == 3 and len(events["alertes_095"]) == 5
    assert len(events["clause_illegale"]) == 1
    assert (len(events["clients_resilies"]), len(events["clients_a_risque"]), len(events["ambassadeurs"])) == (1, 2, 4)
    assert events["roi_negatif"] and events["fin_annee_sous_objectif"]


def test_todays_data_carry_the_same_kinds_of_events():
    events = detect(default_data())
    assert events["chemin_critique"] == ["T01", "T03", "T06", "T09", "T10", "T11", "T12"]
    assert events["alertes_090"] == ["T03", "T06", "T09"]
    assert events["clause_illegale"] == [{"accord": "A3", "jours": 75, "mode": "fin de mois"}]
    assert events["clients_resilies"] == ["Froid Alpin Logistique"]


@pytest.mark.parametrize("session", SESSIONS)
def test_no_name_of_todays_case_remains(built, session):
    folder, variant = built[session]
    pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(n) for n in sorted(variant.names, key=len, reverse=True))
                         + r")(?![\w])")
    assert set(variant.names) >= {"Ombelle", *gen.COMPTES.client}
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in {".ipynb", ".csv", ".md", ".yaml", ".json"}:
            found = pattern.findall(path.read_text(encoding="utf-8"))
            assert not found, f"{path.name} : {sorted(set(found))}"


def test_the_session_names_are_fictional_and_used_nowhere_else():
    names = FIRMS + [n.replace(" (services techniques)", "") for pool in CLIENT_POOLS.values() for n in pool]
    texts = [p.read_text(encoding="utf-8") for folder in (CAS_DIR, CAS_DIR.parent / "cours")
             for p in folder.rglob("*") if p.is_file() and p.suffix in {".ipynb", ".csv", ".md", ".yaml", ".json"}]
    pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(n) for n in names) + r")(?![\w])")
    assert pattern.findall("\n".join(texts)) == []
    assert all(f[0] in "AEIOUYÉÈ" for f in FIRMS)  # « d'Ombelle » keeps its elision


def test_each_session_has_data_of_its_own(built):
    prints = {s: {p.name: p.read_bytes() for p in (built[s][0] / "data").glob("*.csv")} for s in SESSIONS}
    today = {p.name: p.read_bytes() for p in (CAS_DIR / A / "data").glob("*.csv")}
    for s in SESSIONS:
        assert prints[s] != today and sum(prints[s][n] != today[n] for n in today) >= 8, s
    assert len({tuple(sorted(p.items())) for p in prints.values()}) == len(SESSIONS)


def test_the_default_session_is_todays_assignment_byte_for_byte(tmp_path):
    folder = build_session(None, tmp_path, [A]) / A
    cmp = filecmp.dircmp(folder, CAS_DIR / A, ignore=[".ipynb_checkpoints", "__pycache__"])
    assert not (cmp.left_only or cmp.right_only or cmp.diff_files)
    for d in cmp.common_dirs:
        sub = filecmp.dircmp(folder / d, CAS_DIR / A / d)
        assert not (sub.left_only or sub.right_only or sub.diff_files), d


def test_the_generator_defaults_are_todays_data(tmp_path):
    for path in gen.write_b3(tmp_path):
        assert path.read_bytes() == (CAS_DIR / A / "data" / path.name).read_bytes(), path.name
