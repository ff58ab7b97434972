"""Bloc 3 cases (B3_pilotage_projets): what the data carry for C3.2, and what candidates' files never say."""

import re

import nbformat
import pandas as pd

from mdpc import CAS_DIR, PROJECT_ROOT
from mdpc.authoring.datagen import b3 as datagen_b3

SOURCE = CAS_DIR / datagen_b3.ASSIGNMENT_B3
RELEASE = PROJECT_ROOT / "release" / datagen_b3.ASSIGNMENT_B3


def test_the_replanned_critical_path_is_not_c3_1s(case_reference):
    """C3.2 flags the critical tasks of the week-14 re-planning, which are not C3.1's answer."""
    cpm = case_reference("C3_1_cahier_des_charges")["_ref_ordonnancer"](datagen_b3.TACHES)
    c3_1 = list(cpm.index[cpm.critique])
    replanned = datagen_b3.TACHES.assign(duree_semaines=datagen_b3.AVANCEMENT.duree_recalee_semaines.to_numpy())
    cpm2 = case_reference("C3_1_cahier_des_charges")["_ref_ordonnancer"](replanned)
    flagged = list(datagen_b3.AVANCEMENT.id[datagen_b3.AVANCEMENT.chemin_critique_recale == "oui"])
    assert flagged == list(cpm2.index[cpm2.critique])  # the flags are the re-planned network's critical path
    assert flagged != c3_1 and not set(c3_1) <= set(flagged)


def test_c3_2_holds_no_literal_critical_path():
    """The released C3.2 derives CRITIQUES from the data, it never writes a set of task ids."""
    for folder in (SOURCE, RELEASE):
        nb = nbformat.read(folder / "C3_2_tableau_de_bord_projet.ipynb", as_version=4)
        for cell in nb.cells:
            assert not re.search(r'CRITIQUES\s*=\s*\{\s*"T\d', cell.source), folder


def test_released_readme_describes_the_data_only():
    """Every data file is described, and nothing of what the data show (results live in the trainer's guide)."""
    text = (RELEASE / "data" / "README.md").read_text(encoding="utf-8")
    for path in sorted((RELEASE / "data").glob("*.csv")):
        assert f"`{path.name}`" in text, path.name
        for column in pd.read_csv(path, nrows=0).columns:
            assert f"`{column}`" in text, f"{path.name} : colonne {column} non décrite"
    for finding in ("26 semaines", "sous 0,90", "au-delà du plafond", "un client résilié", "en retard"):
        assert finding not in text, finding
    assert (SOURCE / "corrige" / "guide_formateur.md").is_file()
    assert not (RELEASE / "corrige").exists()


def test_visible_self_checks_name_no_expected_value():
    """The visible part of each test cell of the released notebooks quotes none of the contract's values."""
    for path in sorted(RELEASE.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.metadata.get("nbgrader", {}).get("grade"):
                for value in ("28 €", "1 100 €", "60 mois", "== 28", "== 1100", "== 60", "T01, T03"):
                    assert value not in cell.source, f"{path.name} : {value}"
