"""Session variants of B4_management_equipe (mdpc.authoring.variants.b4m): three sessions built for real.

For each: the planted events are what the lesson's methods find in its data; no name of today's assignment is
left; its data differ from today's and from the other sessions'. The default session is today's files.
"""

import filecmp
import re
from io import StringIO
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from mdpc import CAS_DIR
from mdpc.authoring.demo_cohort import VARIANTS_FILE, WRONG_ANSWERS_FILE, load_wrong_answers, strip_solution
from mdpc.authoring.sessions import build_session, make_variant
from mdpc.authoring.variants import b4m

A = "B4_management_equipe"
SEEDS = ("essai-1", "essai-2", "essai-3")
TODAY = sorted({p for n in b4m.TEAM for p in n.split()} | set(b4m.TEAM) | {"Ombelle"}, key=len, reverse=True)


@pytest.fixture(scope="module")
def sessions(tmp_path_factory):
    root = tmp_path_factory.mktemp("sessions_b4m")
    return {s: build_session(s, root / s, [A]) / A for s in SEEDS}


def _data(folder: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_csv(StringIO(p.read_text(encoding="utf-8"))) for p in (folder / "data").glob("*.csv")}


@pytest.mark.parametrize("seed", SEEDS)
def test_the_planted_events_are_what_the_lessons_methods_find(seed):
    variant = make_variant(A, seed)
    data = {Path(n).stem: pd.read_csv(StringIO(t)) for n, t in variant.data.items()}
    assert b4m.detect(data) == variant.events
    events = variant.events
    assert len(events["vigilance"]["hausse"]) == 3 and len(events["vigilance"]["baisse"]) == 2
    assert len(events["vigilance"]["couverture_limite"]) == 1 and len(events["ecarts_importants"]) == 3
    assert len(events["journees_equipe_possibles"]) == 2


@pytest.mark.parametrize("seed", SEEDS)
def test_no_name_of_today_is_left_and_the_data_changed(sessions, seed):
    folder = sessions[seed]
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, TODAY)) + r")(?!\w)")
    for p in folder.rglob("*"):
        if p.is_file():
            text = p.read_text(encoding="utf-8")
            assert not pattern.search(text), f"{p.relative_to(folder)} : {pattern.search(text).group(0)}"
            assert not re.search("[⟦⟧⟨⟩⟪⟫]", text), f"{p.relative_to(folder)} : jeton resté"
    today = CAS_DIR / A / "data"
    for name in ("resultats_2026.csv", "competences_equipe.csv", "engagements.csv", "leviers.csv"):
        assert (folder / "data" / name).read_text(encoding="utf-8") != (today / name).read_text(encoding="utf-8")
    others = [s for s in SEEDS if s != seed]
    for other in others:
        assert (folder / "data" / "resultats_2026.csv").read_bytes() != (sessions[other] / "data" / "resultats_2026.csv").read_bytes()


def test_the_sessions_own_events_are_found_in_its_built_files(sessions):
    for seed, folder in sessions.items():
        data = _data(folder)
        found = b4m.detect(data)
        assert found["vigilance"]["hausse"] and found["ecarts_importants"]
        guide = (folder / "corrige" / "guide_formateur.md").read_text(encoding="utf-8")
        team = int(found and b4m.objectives(data["resultats_2026"], float(
            data["cadrage_2027"].set_index("parametre").valeur["croissance_visee_2027_pct"])).attrs["equipe"])
        assert f"{team:,}".replace(",", " ") + " € HT" in guide, seed


def test_the_default_session_is_todays_files(tmp_path):
    built = build_session(None, tmp_path, [A]) / A
    cmp = filecmp.dircmp(built, CAS_DIR / A, ignore=[".ipynb_checkpoints", "__pycache__"])
    assert not cmp.left_only and not cmp.diff_files
    for d in ("data", "corrige"):
        sub = filecmp.dircmp(built / d, CAS_DIR / A / d)
        assert not sub.diff_files and not sub.left_only


def test_every_wrong_answer_and_variant_still_finds_its_code(sessions):
    """erreurs_types.yaml and variantes.yaml of a session parse, and each edit finds its text in the key's code."""
    for folder in sessions.values():
        cells = {c.id: strip_solution(c.source) for nb in folder.glob("*.ipynb")
                 for c in nbformat.read(nb, as_version=4).cells}
        for file in (WRONG_ANSWERS_FILE, VARIANTS_FILE):
            for name, wrong in load_wrong_answers(folder, file).items():
                for cell, old, _ in wrong.edits:
                    assert old in cells[cell], f"{folder.parent.name} {name} : {old[:60]}"
