"""Case data: the committed CSV files are exactly what the seeded generator makes."""

import pandas as pd

from mdpc import CAS_DIR
from mdpc.authoring.datagen import b1 as datagen_b1
from mdpc.authoring.datagen import b2 as datagen_b2
from mdpc.authoring.datagen import b3 as datagen_b3
from mdpc.authoring.datagen import b4 as datagen
from mdpc.authoring.datagen import b4m as datagen_b4m
from mdpc_utils import bloc2, bloc4


def test_committed_data_is_reproducible(tmp_path):
    written = datagen.write_b4(tmp_path)
    for path in written:
        committed = CAS_DIR / "B4_pilotage_performance" / "data" / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{path.name} diffère : lancez `mdpc donnees`"


def test_committed_bloc1_data_is_reproducible(tmp_path):
    for path in datagen_b1.write_b1(tmp_path):
        committed = CAS_DIR / datagen_b1.ASSIGNMENT_B1 / "data" / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{path.name} diffère : lancez `mdpc donnees`"


def test_bloc1_data_supports_the_case():
    """The case's intended findings hold in the data: ties the tests rely on, a dominated opportunity."""
    risks = datagen_b1.RISQUES.assign(c=datagen_b1.RISQUES.probabilite * datagen_b1.RISQUES.impact)
    top = risks.sort_values(["c", "impact", "id"], ascending=[False, False, True])
    assert top["c"].iloc[2] == top["c"].iloc[3], "égalité de criticité au 3e rang : la règle d'égalité doit compter"
    flows = datagen_b1.make_flux_opportunites()
    net = flows.assign(n=flows.recettes_eur - flows.couts_eur - flows.investissement_eur)
    npv = net.assign(v=net.n / 1.08 ** net.annee).groupby("opportunite")["v"].sum()
    a, b, c = sorted(npv.index)
    assert npv[a] > npv[b] > npv[c], "A crée le plus de valeur, C le moins (C est dominée)"
    shares = datagen_b1.CONCURRENTS["part_de_marche_pct"]
    assert 1500 <= (shares ** 2).sum() < 2500, "marché moyennement concentré"
    territory = datagen_b1.make_territoire()
    assert len(territory) == 12 * 5 * 3 and territory["zone"].nunique() == 4
    assert (territory["etablissements_2026"] > 0).all()


def test_planning_data_is_overloaded_but_feasible():
    team, absences, activities = datagen.make_b4_planning()
    cap = datagen.capacity(team, absences)
    load = datagen.load_per_week(activities.rename(columns={"echeance": "semaine_fin"}))
    assert 5 <= ((load - cap) > 1e-9).to_numpy().sum() <= 10
    assert load.to_numpy().sum() < 0.8 * cap.to_numpy().sum()
    assert set(activities.transferable) == {"oui", "non"}


def test_injected_anomalies_are_in_the_data():
    perf, _ = datagen.make_b4_performance()
    monthly = perf.groupby(["commercial", "mois"])[["prevision_ht", "realise_ht"]].sum()
    ratio = monthly.realise_ht / monthly.prevision_ht
    for rep, month, _, kind in datagen.ANOMALIES_B4:
        assert (ratio.loc[(rep, month)] > 2) if kind != "absence" else (ratio.loc[(rep, month)] < 0.2)
    assert isinstance(perf, pd.DataFrame) and len(perf) == 8 * 4 * 12


def test_committed_team_management_data_is_reproducible(tmp_path):
    for path in datagen_b4m.write_b4m(tmp_path):
        committed = CAS_DIR / datagen_b4m.ASSIGNMENT_B4M / "data" / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{path.name} diffère : lancez `mdpc donnees`"


def test_team_management_data_supports_the_cases(case_reference):
    """C4.5: some gaps of two levels have a qualified tutor in the team; C4.6: exactly one team day is possible."""
    levels, targets = datagen_b4m.make_skills()
    team = datagen.TEAM.assign(profil=[datagen_b4m.PROFILE_OF.get(f, "terrain") for f in datagen.TEAM.fonction])
    gaps = case_reference("C4_5_montee_competences")["_ref_ecarts"](levels, targets, team)
    big = gaps[gaps.ecart >= 2]
    assert 2 <= len(big) <= 4
    for g in big.itertuples():
        assert (levels[(levels.competence == g.competence) & (levels.commercial != g.commercial)].niveau >= 3).any()
    commitments = datagen_b4m.COMMITMENTS
    blocked = set(commitments[commitments["mode"] != "site"]["jour"])
    assert [d for d in bloc4.DAYS if d not in blocked] == ["mardi", "jeudi"]  # the only possible team days
    results = datagen_b4m.make_results_2026()
    perf, _ = datagen.make_b4_performance()
    assert results.ca_realise_2026_eur.sum() < perf.realise_ht.sum()  # the C4.3 data-entry error is corrected


def test_committed_bloc2_data_is_reproducible(tmp_path):
    for path in datagen_b2.write_b2(tmp_path):
        committed = CAS_DIR / datagen_b2.ASSIGNMENT_B2 / "data" / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{path.name} diffère : lancez `mdpc donnees`"


def test_bloc2_file_has_the_defects_the_case_teaches(case_reference):
    raw = datagen_b2.make_fichier()
    clean = case_reference("C2_2_base_clients")["_ref_dedoublonner"](raw)
    assert len(raw) - len(clean) == 27  # exported twice
    assert 5 <= sum(not bloc2.luhn_ok(s) for s in clean["siret"]) <= 30  # missing or mistyped SIRET
    assert (raw["code_postal"].str.len() == 4).any()  # leading zeros lost by a spreadsheet
    eligible = [r for _, r in clean.iterrows() if bloc2.campaign_eligible(r, datagen_b2.DATE_REFERENCE)]
    prospects = clean[clean.statut == "prospect"]
    assert 15 <= len(eligible) < len(prospects) / 2  # most prospects may not be e-mailed
    reasons = {"sans consentement": (prospects.consentement_prospection != "oui").sum(),
               "opposition": (prospects.date_opposition != "").sum(),
               "trop ancien": (pd.to_datetime(prospects.date_dernier_contact).dt.date
                               < datagen_b2.DATE_REFERENCE.replace(year=2024)).sum()}
    assert all(n > 0 for n in reasons.values()), reasons


def test_bloc2_negotiation_has_a_zone_of_agreement(case_reference):
    p = {k: (float(v) if k != "client" else v) for k, v in zip(datagen_b2.NEGOCIATION.parametre, datagen_b2.NEGOCIATION.valeur, strict=True)}
    margin = case_reference("C2_4_negociation")["_ref_marge"]
    asked = margin(p, p["budget_client_max_mensuel"], p["installation_catalogue"], 24, 45)
    assert asked["taux_marge"] < p["taux_marge_plancher"]  # giving in on everything is not acceptable
    floor = margin(p, 25.5, p["installation_catalogue"], 36, 30)
    assert abs(floor["taux_marge"] - p["taux_marge_plancher"]) < 0.002  # ZOPA from about 25.50 € to 28 €


def test_committed_bloc3_data_is_reproducible(tmp_path):
    for path in datagen_b3.write_b3(tmp_path):
        committed = CAS_DIR / datagen_b3.ASSIGNMENT_B3 / "data" / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{path.name} diffère : lancez `mdpc donnees`"


def test_bloc3_data_supports_the_cases(case_reference):
    cpm = case_reference("C3_1_cahier_des_charges")["_ref_ordonnancer"](datagen_b3.TACHES)
    assert list(cpm.index[cpm.critique]) == ["T01", "T03", "T06", "T09", "T10", "T11", "T12"] and cpm.fin_tot.max() == 26
    ev = case_reference("C3_2_tableau_de_bord_projet")["_ref_valeur_acquise"](datagen_b3.TACHES, datagen_b3.AVANCEMENT)
    assert ev.SPI < 0.9 and ev.CPI < 0.9  # late and over budget at week 14: the dashboard has something to say
    assert datagen_b3.ACCORDS.teneur.str.contains("75 jours fin de mois").sum() == 1  # an illegal payment term to correct
    decisions = datagen_b3.make_renewals().decision_mois_6.value_counts()
    assert decisions["résilié"] == 1 and decisions["en discussion"] == 2
