"""Session variants of B2_deploiement_strategies (mdpc.authoring.variants.b2): three sessions built for real.

For each: the planted events (duplicates, SIRET with a wrong key, the channel against the charter, the fixed
months) are what the lesson's methods find in the session's data; no firm or person of today's assignment is
left; the data differ from today's and from the other sessions'. The default session stays today's files.
"""

import filecmp
import json
from pathlib import Path

import pandas as pd
import pytest

from mdpc import CAS_DIR
from mdpc.authoring.sessions import AssignmentVariant, Replacement, apply_variant, build_session, make_variant
from mdpc.authoring.variants import b2
from mdpc.authoring.variants.b2_faits import detect, facts

A = b2.ASSIGNMENT
SESSIONS = ("essai-1", "essai-2", "essai-3")


def _data(folder: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: b2._read(p.read_text(encoding="utf-8"), p.stem) for p in (folder / "data").glob("*.csv")}


def _texts(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = {}
    for s in SESSIONS:
        root = build_session(s, tmp_path_factory.mktemp(s) / "cas_pratiques", [A])
        out[s] = (root / A, make_variant(A, s))
    return out


def test_the_default_session_is_todays_assignment_byte_for_byte(tmp_path):
    folder = build_session(None, tmp_path / "cas_pratiques", [A]) / A
    for p in (CAS_DIR / A).rglob("*"):
        if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts:
            assert filecmp.cmp(p, folder / p.relative_to(CAS_DIR / A), shallow=False), p


@pytest.mark.parametrize("session", SESSIONS)
def test_the_planted_events_are_what_the_lessons_methods_find(built, session):
    folder, variant = built[session]
    data = _data(folder)
    assert detect(data) == variant.events
    assert len(variant.events["doublons"]) == 27 and variant.events["siret_faux"]
    assert b2.problems(data) == []  # same difficulty: the key's mix, plan and offer hold, the traps are there


@pytest.mark.parametrize("session", SESSIONS)
def test_no_firm_or_person_of_todays_assignment_is_left(built, session):
    folder, variant = built[session]
    text = _texts(folder)
    today = _data(CAS_DIR / A)["fichier_clients_prospects"]
    left = [n for n in [*b2.TODAY_FIRMS, *today["contact_nom"].unique(),
                        *{" ".join(r.split()) for r in today["raison_sociale"]}] if n in text]
    assert left == []
    assert variant.names["Ombelle"] in text and "marge_ombelle" in text  # identifiers are not names


def test_the_sessions_data_differ_from_today_and_from_each_other(built):
    prints = {s: {p.name: p.read_bytes() for p in (folder / "data").glob("*.csv")} for s, (folder, _) in built.items()}
    today = {p.name: p.read_bytes() for p in (CAS_DIR / A / "data").glob("*.csv")}
    for s, files in prints.items():
        assert files["fichier_clients_prospects.csv"] != today["fichier_clients_prospects.csv"], s
        assert files["negociation.csv"] != today["negociation.csv"] or files["fiche_client.csv"] != today["fiche_client.csv"]
    assert len({json.dumps({k: v.decode() for k, v in sorted(f.items())}) for f in prints.values()}) == len(SESSIONS)


@pytest.mark.parametrize("session", SESSIONS)
def test_the_key_follows_the_sessions_data(built, session):
    folder, variant = built[session]
    f = facts(_data(folder))
    no_code = json.loads((folder / "corrige" / "reponses_sans_code.json").read_text(encoding="utf-8"))["C2_4_negociation"]
    assert abs(no_code["zopa_batna.zopa_bas"] - f["c24"]["plancher"]) < 0.01
    assert abs(no_code["zopa_batna.marge_demande"] - f["c24"]["demande"]["marge"]) < 1
    assert no_code["zopa_batna.batna"] == f["c24"]["n"]["marge_meilleure_alternative_eur"]
    key = json.loads((folder / "corrige" / "reponses_corrige.json").read_text(encoding="utf-8"))["C2_3_reseau_partenaires"]
    assert key["objectifs.ca_vise"] == key["objectifs.clients_apportes"] * f["c23"]["h"]["panier_annuel_eur"]
    guide = (folder / "corrige" / "guide_formateur.md").read_text(encoding="utf-8")
    assert f"{f['c22']['doublons']} doublons retirés, {f['c22']['siret']} SIRET" in guide
    budget_inv, budget_mens = f["c25"]["budgets"]
    assert f"BUDGET_MENSUEL = {budget_inv}, {budget_mens}" in (folder / "C2_5_entretien_vente.ipynb").read_text(encoding="utf-8")


def test_a_number_replacement_changes_whole_json_numbers_only(tmp_path):
    folder = tmp_path / "B9_essai"
    (folder / "data").mkdir(parents=True)
    (folder / "corrige").mkdir()
    key = folder / "corrige" / "reponses.json"
    key.write_text(json.dumps({"C9": {"a": 25.49, "b": [25.49, 125.49, True], "c": "25.49 €"}}, indent=1), encoding="utf-8")
    apply_variant(folder, AssignmentVariant(data={}, replacements=(Replacement("corrige/*.json", 25.49, 26.1, 2),)),
                  "essai-1")
    assert json.loads(key.read_text(encoding="utf-8")) == {"C9": {"a": 26.1, "b": [26.1, 125.49, True], "c": "25.49 €"}}
