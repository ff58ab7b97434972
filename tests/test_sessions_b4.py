"""Session variants of B4_pilotage_performance (mdpc.authoring.variants.b4): for three sessions, the planted
events are what the lessons' methods find in the session's data files, no name of today's case remains, the
data differ from today's and from each other; the default session is today's assignment byte for byte."""

import filecmp
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from mdpc import CAS_DIR
from mdpc.authoring.sessions import AssignmentVariant, Replacement, apply_variant, build_session, make_variant
from mdpc.authoring.variants import b4 as variants_b4

A = "B4_pilotage_performance"
SESSIONS = ("essai-1", "essai-2", "essai-3")
TODAY = [name for name, _ in variants_b4.PEOPLE]
WORDS = sorted({*TODAY, *(n.split(" ", 1)[0] for n in TODAY), *(n.split(" ", 1)[1] for n in TODAY), "Ombelle"})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = {}
    for session in SESSIONS:
        root = build_session(session, tmp_path_factory.mktemp(session) / "cas_pratiques", [A])
        out[session] = (root / A, make_variant(A, session))
    return out


def _data(folder: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_csv(p) for p in sorted((folder / "data").glob("*.csv"))}


def test_the_default_session_is_todays_assignment(tmp_path):
    root = build_session(None, tmp_path / "cas_pratiques", [A])
    cmp = filecmp.dircmp(root / A, CAS_DIR / A, ignore=[".ipynb_checkpoints", "__pycache__"])
    assert not (cmp.left_only or cmp.right_only or cmp.diff_files)
    for sub in ("data", "corrige"):
        for p in (CAS_DIR / A / sub).iterdir():
            assert (root / A / sub / p.name).read_bytes() == p.read_bytes(), p


@pytest.mark.parametrize("session", SESSIONS)
def test_the_planted_events_are_what_the_lessons_methods_find(built, session):
    folder, variant = built[session]
    found = variants_b4.detect(_data(folder))
    board, planted = found["tableau_de_bord"], variant.events["tableau_de_bord"]
    assert {k: v for k, v in found.items() if k != "tableau_de_bord"} == {
        k: v for k, v in variant.events.items() if k != "tableau_de_bord"}
    for k in ("sous_objectif", "pipeline_faible"):  # the same people, listed in the session's alphabetical order
        assert sorted(board[k]) == sorted(planted[k]), k
    assert board["conversion_min"] == planted["conversion_min"]
    assert 5 <= len(found["surcharges"]) <= 10
    assert len(found["tableau_de_bord"]["sous_objectif"]) == 3 and len(found["tableau_de_bord"]["pipeline_faible"]) == 2
    causes = sorted(c for _, _, c, _ in found["anomalies"])
    assert causes == ["absence ou congé", "affaire exceptionnelle", "erreur de saisie"]
    cells = nbformat.read(folder / "C4_3_analyse_statistique.ipynb", as_version=4).cells
    test = next(c.source for c in cells if c.metadata.get("nbgrader", {}).get("grade_id") == "C4_3_test_causes")
    for rep, month, cause, _ in found["anomalies"]:  # the hidden test expects the session's anomalies
        assert f'("{rep}", "{month}"): "{cause}"' in test


@pytest.mark.parametrize("session", SESSIONS)
def test_no_name_of_todays_case_remains(built, session):
    folder, variant = built[session]
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, WORDS)) + r")(?!\w)")
    left = {str(p.relative_to(folder)): sorted(set(pattern.findall(p.read_text(encoding="utf-8"))))
            for p in folder.rglob("*") if p.is_file() and p.suffix in {".ipynb", ".csv", ".md", ".yaml", ".json"}}
    assert {k: v for k, v in left.items() if v} == {}
    assert variant.names["Ombelle"] in (folder / "data" / "README.md").read_text(encoding="utf-8")


def test_the_sessions_data_differ_from_todays_and_from_each_other(built):
    prints = {s: {p.name: p.read_bytes() for p in (f / "data").glob("*.csv")} for s, (f, _) in built.items()}
    today = {p.name: p.read_bytes() for p in (CAS_DIR / A / "data").glob("*.csv")}
    for name in today:
        if name == "equipe.csv":  # the team's roles stay; only its names change
            continue
        values = [prints[s][name] for s in SESSIONS]
        assert len(set(values)) == len(SESSIONS) and today[name] not in values, name


def test_a_replacement_may_swap_a_whole_json_value(tmp_path):
    folder = tmp_path / "B9"
    (folder / "data").mkdir(parents=True)
    (folder / "r.json").write_text('{"g.lignes": [{"s": 2}, {"s": 3}], "x": 2}\n', encoding="utf-8")
    variant = AssignmentVariant(data={}, replacements=(Replacement("r.json", [{"s": 2}, {"s": 3}], [{"s": 4}], 1),))
    apply_variant(folder, variant, "essai-1")
    assert (folder / "r.json").read_text(encoding="utf-8") == '{"g.lignes": [{"s": 4}], "x": 2}\n'
