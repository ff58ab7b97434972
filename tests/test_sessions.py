"""Session variants: the frame (mdpc.authoring.sessions), the course's session, and a copy of another session.

The variants of each assignment are tested in ``tests/test_sessions_<module>.py`` (their events detected by the
lesson's method, their names, their data) and end to end, graded for real, in ``tests/test_sessions_e2e.py``.
"""

import filecmp
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from mdpc import CAS_DIR, RELEASE_DIR
from mdpc.authoring import sessions
from mdpc.authoring.sessions import (
    REFERENCE_CASES,
    AssignmentVariant,
    Replacement,
    SessionError,
    apply_variant,
    build_session,
    case_set_label,
    course_session,
    make_variant,
    notebook_session,
    rename,
    session_seed,
    write_session_file,
)
from mdpc.authoring.variants import shared_names
from mdpc.cli import main as mdpc_main
from mdpc.grading.intake import prepare_copy

A = "B4_pilotage_performance"


def _same_tree(a: Path, b: Path) -> list[str]:
    """Files that differ or exist on one side only (recursively)."""
    cmp = filecmp.dircmp(a, b, ignore=[".ipynb_checkpoints", "__pycache__"])
    out = [f"{a}/{n}" for n in cmp.left_only + cmp.right_only + cmp.funny_files]
    out += [f"{a}/{n}" for n in cmp.common_files if not filecmp.cmp(a / n, b / n, shallow=False)]
    for d in cmp.common_dirs:
        out += _same_tree(a / d, b / d)
    return out


def test_the_default_session_is_todays_cases_byte_for_byte(tmp_path):
    built = build_session(None, tmp_path / "cas_pratiques")
    assert sorted(p.name for p in built.iterdir()) == sorted(p.name for p in CAS_DIR.glob("B*"))
    for folder in built.iterdir():
        assert _same_tree(folder, CAS_DIR / folder.name) == []


def test_a_session_seed_comes_from_its_identifier_only():
    assert session_seed("2027-03-lyon") == session_seed("2027-03-lyon")
    assert len({session_seed(f"essai-{k}") for k in range(50)}) == 50
    for bad in ("", "../x", "a b", "é-2027", "-tiret", "x" * 65, None):
        with pytest.raises(SessionError, match="Identifiant de session"):
            session_seed(bad)


def test_names_change_as_whole_words_longest_first_in_one_pass():
    names = {"Sophie Marchand": "Iris Delorme", "Marchand": "Delorme", "Iris Delorme": "ne doit pas boucler"}
    text = "Sophie Marchand, Mme Marchand, la Marchandise, Marchand."
    assert rename(text, names) == "Iris Delorme, Mme Delorme, la Marchandise, Delorme."


def _fake_assignment(root: Path) -> Path:
    folder = root / "B9_essai"
    (folder / "data").mkdir(parents=True)
    (folder / "corrige").mkdir()
    (folder / "data" / "ventes.csv").write_text("commercial,ca\nSophie Marchand,10\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("Sophie Marchand vend 10 € chez Ombelle."),
                nbformat.v4.new_code_cell('_attendu = ("Sophie Marchand", "2026-08")')]
    nbformat.write(nb, folder / "C9_1_essai.ipynb")
    (folder / "corrige" / "reponses_corrige.json").write_text(
        json.dumps({"C9_1_essai": {"f.qui": "Sophie Marchand", "f.mois": "2026-08"}}, ensure_ascii=True, indent=1),
        encoding="utf-8")
    (folder / "corrige" / "guide_formateur.md").write_text("Anomalie : Sophie Marchand en août.\n", encoding="utf-8")
    return folder


def test_a_variant_rewrites_data_passages_and_names_and_stamps_its_notebooks(tmp_path):
    folder = _fake_assignment(tmp_path)
    variant = AssignmentVariant(
        data={"ventes.csv": "commercial,ca\nSophie Marchand,12\n"},
        names={"Sophie Marchand": "Iris Delorme", "Ombelle": "Orvane"},
        replacements=(Replacement("*.ipynb", '"2026-08")', '"2026-03")', 1),
                      Replacement("corrige/*.md", "en août", "en mars", 1)))
    apply_variant(folder, variant, "essai-1")
    assert (folder / "data" / "ventes.csv").read_text(encoding="utf-8") == "commercial,ca\nIris Delorme,12\n"
    nb = nbformat.read(folder / "C9_1_essai.ipynb", as_version=4)
    assert nb.cells[0].source == "Iris Delorme vend 10 € chez Orvane."
    assert nb.cells[1].source == '_attendu = ("Iris Delorme", "2026-03")'
    assert notebook_session(nb) == "essai-1"
    key = json.loads((folder / "corrige" / "reponses_corrige.json").read_text(encoding="utf-8"))
    assert key["C9_1_essai"]["f.qui"] == "Iris Delorme"  # escaped JSON (\\u00e9…) is renamed too
    assert (folder / "corrige" / "guide_formateur.md").read_text(encoding="utf-8") == "Anomalie : Iris Delorme en mars.\n"


def test_a_firm_shared_by_several_assignments_keeps_one_name_in_a_session(monkeypatch):
    """Each variant module draws its own names from its assignment's seed; the firms the assignments share
    (the candidate's company, a client of B2 and B3) are given the session's name over the module's."""
    modules = {a: lambda seed, a=a: AssignmentVariant(data={}, names={"Ombelle": f"Firme-{seed}", "Sophie": f"P-{seed}",
                                                                      "Transports Rhodaniens": f"T-{seed}"})
               for a in ("B1_strategie_developpement", "B3_pilotage_projets")}
    monkeypatch.setattr(sessions, "variant_of", lambda a: modules[a])
    for identifier in ("essai-1", "essai-2", "2027-03-lyon"):
        shown = [make_variant(a, identifier).names for a in modules]
        shared = shared_names(session_seed(identifier))
        assert [n["Ombelle"] for n in shown] == [shared["Ombelle"]] * 2
        assert [n["Transports Rhodaniens"] for n in shown] == [shared["Transports Rhodaniens"]] * 2
        assert shown[0]["Sophie"] != shown[1]["Sophie"]  # the rest stays the assignment's own draw
    assert len({shared_names(session_seed(f"s{k}"))["Ombelle"] for k in range(20)}) > 1


def test_a_replacement_that_no_longer_matches_its_source_stops_the_build(tmp_path):
    folder = _fake_assignment(tmp_path)
    for r in (Replacement("*.ipynb", "2026-09", "2026-03"), Replacement("corrige/*.md", "août", "mars", 2)):
        with pytest.raises(SessionError, match="La source a changé"):
            apply_variant(folder, AssignmentVariant(data={}, replacements=(r,)), "essai-1")
    with pytest.raises(SessionError, match="que le devoir n'a pas"):
        apply_variant(folder, AssignmentVariant(data={"autre.csv": "x\n"}), "essai-1")


def test_the_course_says_which_cases_it_holds(tmp_path):
    assert course_session(tmp_path) is None and case_set_label(tmp_path) == REFERENCE_CASES
    shutil.copytree(CAS_DIR / A / "data", tmp_path / "cas_pratiques" / A / "data")
    write_session_file(tmp_path, "2027-03-lyon", [A])
    assert course_session(tmp_path) == "2027-03-lyon"
    label = case_set_label(tmp_path)
    assert label.startswith("session « 2027-03-lyon » (empreinte des données ") and len(label.split()[-1]) == 13
    (tmp_path / "session.yaml").write_text("identifiant: [\n", encoding="utf-8")
    with pytest.raises(SessionError, match="illisible"):
        course_session(tmp_path)


def _copy_of(release: Path, tmp_path: Path, session: str | None, absent: bool = False) -> Path:
    copy = tmp_path / "copie"
    shutil.copytree(release, copy)
    for p in copy.glob("*.ipynb"):
        nb = nbformat.read(p, as_version=4)
        if absent:
            nb.metadata.get("mdpc", {}).pop("session", None)
        elif session:
            nb.metadata.setdefault("mdpc", {})["session"] = session
        nbformat.write(nb, p)
    return copy


def test_a_copy_of_another_session_is_never_graded_against_this_ones_values(tmp_path):
    release = tmp_path / "release"
    shutil.copytree(RELEASE_DIR / A, release)
    for p in release.glob("*.ipynb"):  # this course's session: « 2027-03 »
        nb = nbformat.read(p, as_version=4)
        nb.metadata.setdefault("mdpc", {})["session"] = "2027-03"
        nbformat.write(nb, p)
    copy = _copy_of(release, tmp_path, "2026-11")
    incidents = prepare_copy(copy, release)
    other = [i for i in incidents if i.kind == "autre_session"]
    assert len(other) == len(list(release.glob("*.ipynb")))
    assert "« 2026-11 » au lieu de « 2027-03 »" in other[0].message
    for p in release.glob("*.ipynb"):  # the blank release is graded in its place, the copy kept aside
        assert (copy / p.name).read_bytes() == p.read_bytes()
        assert (copy / (p.name + ".autre-session")).exists()

    shutil.rmtree(copy)
    copy = _copy_of(release, tmp_path, None, absent=True)
    incidents = prepare_copy(copy, release)
    assert {i.kind for i in incidents} >= {"session_absente"}
    assert not list(copy.glob("*.autre-session"))

    shutil.rmtree(copy)
    assert not [i for i in prepare_copy(_copy_of(release, tmp_path, "2027-03"), release) if "session" in i.kind]


def test_a_session_is_published_in_a_course_of_its_own(tmp_path, capsys):
    assert mdpc_main(["publier", "--session", "essai-1"]) == 2
    assert "précisez --cours" in capsys.readouterr().err
    assert mdpc_main(["publier", "--session", "essai-1", "--cours", str(CAS_DIR.parent / "autre")]) == 2
    assert "est dans le projet" in capsys.readouterr().err
    assert mdpc_main(["publier", "--session", "../x", "--cours", str(tmp_path)]) == 2
    assert "Identifiant de session" in capsys.readouterr().err
