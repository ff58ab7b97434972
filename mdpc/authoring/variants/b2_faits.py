"""Bloc 2 sessions: what the lesson's methods find in a data set (``detect``) and the figures the key quotes (``facts``).

Both read only the data tables (file stem → DataFrame, as the notebooks load them) and apply the methods of the
lesson A2 (cours/B2_deploiement_strategies): the reverse funnel, a clean file (duplicates by the normalised
e-mail address, SIRET checked by the Luhn key), RFM and ABC segmentation, the campaign's compliance (consent,
opposition, three-year retention), ZOPA and BATNA. The same computations as the answer key of each notebook.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

from mdpc_utils import bloc2

DATE_REFERENCE = dt.date(2027, 2, 1)
SOLUTION_MIX = [  # the key's channel mix (C2_1_mix_rep), by the channels' names
    ("Grands comptes", "Rendez-vous grands comptes (approche par comptes)", 0.6),
    ("Grands comptes", "Salon régional de la mobilité durable", 0.4),
    ("PME", "Salon régional de la mobilité durable", 0.3), ("PME", "Webinaires « Recharger sa flotte »", 0.2),
    ("PME", "Campagne LinkedIn ciblée", 0.2), ("PME", "Recommandation par les installateurs partenaires", 0.3),
    ("TPE", "Recommandation par les installateurs partenaires", 0.5), ("TPE", "Rencontres flottes de la CCI", 0.3),
    ("TPE", "Prospection téléphonique", 0.2)]
PRESS = "Publicité dans la presse économique imprimée"
WEIGHTS = {"modele": 25, "localisation": 25, "clients": 20, "ressources": 15, "notoriete": 5, "complementarite": 10}
NOTE_MODELE = {"Installateur IRVE": 5, "Gestionnaire de flotte": 4, "Loueur longue durée": 4, "Bureau d'études énergie": 3,
               "Éditeur de logiciel de flotte": 3, "Opérateur de recharge": 3, "Fournisseur d'énergie": 2,
               "Garage multimarque": 2, "Client-prescripteur (logisticien)": 2, "Recycleur de batteries": 1}
CONCESSIONS = [(32, 1100, 36, 30), (30, 1100, 48, 30), (28, 1100, 60, 45)]   # the key's plan (C2_4_concessions_rep)
SOLUTION_MODULES = ["M0", "M1", "M2", "M3", "M6", "M7", "M8"]               # the key's offer (C2.5)


def _fichier(data) -> pd.DataFrame:
    f = data["fichier_clients_prospects"].astype(str).replace("nan", "")
    for col in ("nb_commandes_24m", "ca_24m_eur", "flotte_vehicules"):
        f[col] = pd.to_numeric(f[col])
    return f


def clean(fichier: pd.DataFrame) -> pd.DataFrame:
    """One record per normalised e-mail address: the most recent last contact, then the first line."""
    d = fichier.assign(_email=fichier["email"].map(bloc2.normalise_email),
                       _date=pd.to_datetime(fichier["date_dernier_contact"]))
    d = d.sort_values(["_email", "_date", "id_ligne"], ascending=[True, False, True])
    return d.drop_duplicates("_email").drop(columns=["_email", "_date"]).sort_values("id_ligne").reset_index(drop=True)


def score(secteur, taille, flotte, bareme, weights=(35, 25, 40)) -> float:
    b = {(a, m): int(x) for a, m, x in bareme.itertuples(index=False)}
    fl = "20 véhicules et plus" if flotte >= 20 else "5 à 19 véhicules" if flotte >= 5 else "moins de 5 véhicules"
    return round((weights[0] * b[("secteur", secteur)] + weights[1] * b[("taille", taille)]
                  + weights[2] * b[("flotte", fl)]) / 3, 1)


def qualification(s: float) -> str:
    return "chaud" if s >= 70 else "tiède" if s >= 45 else "froid"


def detect(data: dict[str, pd.DataFrame]) -> dict[str, object]:
    """The planted events, found as the lesson teaches: duplicates by the normalised e-mail address, SIRET whose
    Luhn key is wrong, the channel against the ethics charter, the channels at a fixed month."""
    f = _fichier(data)
    emails = f["email"].map(bloc2.normalise_email)
    present = f[f["siret"].str.fullmatch(r"\d{14}")]
    canaux = data["canaux"]
    return {
        "doublons": sorted(emails[emails.duplicated(keep=False)].unique()),
        "siret_faux": sorted({" ".join(r.split()) for r, s in zip(present["raison_sociale"], present["siret"], strict=True)
                              if not bloc2.luhn_ok(s)}),
        "canal_hors_charte": sorted(canaux.loc[canaux["conforme_charte"] != "oui", "canal"]),
        "mois_imposes": {c: int(m) for c, m in zip(canaux["canal"], canaux["mois_impose"], strict=True) if int(m)},
    }


def _funnel(data, clients: pd.Series, mix) -> tuple[float, float]:
    ch = data["canaux"].set_index("canal")
    leads: dict[str, int] = {}
    for seg, canal, part in mix:
        expected = clients[seg] * part
        leads[canal] = leads.get(canal, 0) + math.ceil(expected / (ch.loc[canal, "taux_lead_rdv"]
                                                                   * ch.loc[canal, "taux_rdv_client"]) - 1e-9)
    cost = sum(ch.loc[c, "cout_fixe_eur"] + n * ch.loc[c, "cout_par_lead_eur"] for c, n in leads.items())
    co2 = sum(n * ch.loc[c, "co2_kg_par_lead"] for c, n in leads.items())
    return float(cost), float(co2)


def facts_c21(data) -> dict:
    cad = dict(zip(data["cadrage_prospection"]["parametre"], data["cadrage_prospection"]["valeur"], strict=True))
    c = data["cibles"].set_index("segment")
    raw = cad["objectif_ca_nouveaux_clients_eur"] * c["part_objectif_pct"] / 100 / c["panier_premiere_annee_eur"]
    clients = raw.apply(math.ceil)
    cost, co2 = _funnel(data, clients, SOLUTION_MIX)
    press = [(s, PRESS if (s, k) == ("Grands comptes", SOLUTION_MIX[1][1]) else k, p) for s, k, p in SOLUTION_MIX]
    press_cost, press_co2 = _funnel(data, clients, press)
    other = [(s, k, 0.4 if k.startswith("Webinaires") else p) for s, k, p in SOLUTION_MIX if not k.startswith("Campagne")]
    other_cost, other_co2 = _funnel(data, clients, other)   # the answer key's other right mix (variantes.yaml)
    return {"objectif": cad["objectif_ca_nouveaux_clients_eur"], "budget": cad["budget_prospection_eur"],
            "plafond": cad["plafond_co2_kg"], "clients": {k: int(v) for k, v in clients.items()},
            "arrondis": {k: int(round(v)) for k, v in raw.items()}, "cout": cost, "co2": co2, "cout_presse": press_cost,
            "co2_presse": press_co2, "autre_mix": (other_cost, other_co2)}


def facts_c22(data) -> dict:
    f = _fichier(data)
    p = clean(f)
    bareme = data["scoring_prospects"]
    emails = f["email"].map(bloc2.normalise_email)
    groups = f.assign(_e=emails).groupby("_e")["date_dernier_contact"]
    ties = int(sum(1 for _, d in groups if len(d) > 1 and d.nunique() == 1))
    cl = p[p["statut"] == "client"].copy()
    rec = (pd.Timestamp(DATE_REFERENCE) - pd.to_datetime(cl["date_derniere_commande"])).dt.days
    R = rec.map(lambda r: 3 if r <= 90 else 2 if r <= 365 else 1)
    F = cl["nb_commandes_24m"].map(lambda x: 3 if x >= 6 else 2 if x >= 3 else 1)
    M = cl["ca_24m_eur"].map(lambda x: 3 if x >= 20000 else 2 if x >= 5000 else 1)
    seg = ["Champions" if r == 3 and fm >= 5 else "Fidèles" if r >= 2 and fm >= 4 else "À réactiver"
           if r == 1 and fm >= 4 else "Occasionnels" for r, fm in zip(R, F + M, strict=True)]
    t = cl.sort_values("ca_24m_eur", ascending=False, kind="stable")
    before = t["ca_24m_eur"].cumsum().shift(fill_value=0) / t["ca_24m_eur"].sum()
    after = t["ca_24m_eur"].cumsum() / t["ca_24m_eur"].sum()
    abc = ["A" if a < 0.8 else "B" if a < 0.95 else "C" for a in before]
    abc_after = ["A" if a < 0.8 else "B" if a < 0.95 else "C" for a in after]
    pr = p[p["statut"] == "prospect"]
    scores = [score(s, t_, v, bareme) for s, t_, v in zip(pr["secteur"], pr["taille"], pr["flotte_vehicules"], strict=True)]
    swapped = [score(s, t_, v, bareme, (25, 35, 40)) for s, t_, v in zip(pr["secteur"], pr["taille"], pr["flotte_vehicules"], strict=True)]
    qual = [qualification(s) for s in scores]
    elig = [bloc2.campaign_eligible(r, DATE_REFERENCE) for _, r in pr.iterrows()]
    opposed_only = [r["consentement_prospection"] == "oui" and r["date_opposition"].strip() != ""
                    and pd.Timestamp(r["date_dernier_contact"]).date() >= DATE_REFERENCE.replace(year=DATE_REFERENCE.year - 3)
                    and q != "froid" for (_, r), q in zip(pr.iterrows(), qual, strict=True)]
    old = (pd.to_datetime(pr["date_dernier_contact"]).dt.date < DATE_REFERENCE.replace(year=DATE_REFERENCE.year - 3))
    return {
        "lignes": len(f), "entreprises": len(p), "doublons": len(f) - len(p), "groupes_meme_date": ties,
        "siret": int(sum(not bloc2.luhn_ok(s) for s in p["siret"])),
        "consentements": int((p["consentement_prospection"].str.strip() == "").sum()),
        "refus": int((p["consentement_prospection"] == "non").sum()),
        "clients": len(cl), "segments": {k: seg.count(k) for k in ("Champions", "Fidèles", "À réactiver", "Occasionnels")},
        "abc": {k: abc.count(k) for k in "ABC"}, "abc_change": abc != abc_after,
        "prospects": len(pr), "qualifs": {k: qual.count(k) for k in ("chaud", "tiède", "froid")},
        "score_45": sum(s == 45 for s in scores),
        "score_45_eligibles": sum(s == 45 and e for s, e in zip(scores, elig, strict=True)),
        "eligibles": sum(elig), "extrait": sum(e and q != "froid" for e, q in zip(elig, qual, strict=True)),
        "inverses_change": any(e and qualification(a) != qualification(b) for e, a, b in zip(elig, scores, swapped, strict=True)),
        "opposition_seule": sum(opposed_only),
        "raisons": {"sans consentement": int((pr["consentement_prospection"] != "oui").sum()),
                    "opposition": int((pr["date_opposition"] != "").sum()), "trop ancien": int(old.sum())},
    }


def ranking(data, weights=WEIGHTS) -> pd.DataFrame:
    p = data["partenaires"].copy()

    def scale(x):
        return 1 + 4 * (x - x.min()) / (x.max() - x.min())
    notes = {"modele": p["modele_economique"].map(NOTE_MODELE), "localisation": p["couverture_cible"],
             "clients": scale(p["clients_flottes"]), "ressources": scale(p["techniciens"]),
             "notoriete": p["notoriete"], "complementarite": p["complementarite"]}
    p["score"] = sum(weights[k] * v for k, v in notes.items()) / sum(weights.values())
    return p.sort_values("score", ascending=False, ignore_index=True)


def facts_c23(data) -> dict:
    h = dict(zip(data["hypotheses_partenariat"]["parametre"], data["hypotheses_partenariat"]["valeur"], strict=True))
    top = ranking(data).head(3)
    rows = []
    for r in top.itertuples():
        c = r.clients_flottes * h["taux_conversion_clients_partenaire"]
        ca = c * h["panier_annuel_eur"]
        gain = ca * h["commission_partenaire"] + (c * h["bornes_par_client"] * h["marge_installation_partenaire_eur"]
                                                  if r.modele_economique == "Installateur IRVE" else 0)
        rows.append({"nom": r.partenaire, "modele": r.modele_economique, "score": r.score, "clients_flottes": int(r.clients_flottes),
                     "clients": c, "ca": ca, "marge": ca * (h["taux_marge_ombelle"] - h["commission_partenaire"]), "gain": gain})
    return {"top": rows, "h": h}


def margin(n: dict, prix, installation, duree, delai) -> dict:
    ca = n["bornes"] * (duree * prix + installation)
    m = ca - n["bornes"] * (duree * n["cout_variable_mensuel"] + n["cout_installation"]) - ca * n["cout_financement_annuel"] * delai / 365
    return {"chiffre_affaires": ca, "marge": m, "taux_marge": m / ca}


def negotiation(data) -> dict:
    return {k: (float(v) if k != "client" else v) for k, v in zip(data["negociation"]["parametre"], data["negociation"]["valeur"], strict=True)}


def facts_c24(data) -> dict:
    n = negotiation(data)
    k = 1 - n["cout_financement_annuel"] * n["delai_paiement_standard_jours"] / 365
    costs = n["bornes"] * (n["duree_standard_mois"] * n["cout_variable_mensuel"] + n["cout_installation"])
    floor = (costs / (k - n["taux_marge_plancher"]) / n["bornes"] - n["installation_catalogue"]) / n["duree_standard_mois"]
    standard = margin(n, n["prix_catalogue_mensuel"], n["installation_catalogue"], n["duree_standard_mois"],
                      n["delai_paiement_standard_jours"])
    asked = margin(n, n["budget_client_max_mensuel"], n["installation_catalogue"], n["duree_souhaitee_client_mois"],
                   n["delai_paiement_souhaite_client"])
    steps = [margin(n, *s) for s in CONCESSIONS]
    neg = data["negociation"].set_index("parametre")
    vehicles = int(re.search(r"(\d+) véhicules", neg.loc["client", "commentaire"]).group(1))
    return {"n": n, "plancher": floor, "standard": standard, "demande": asked, "etapes": steps, "vehicules": vehicles}


def facts_c25(data) -> dict:
    fiche = data["fiche_client"].set_index("rubrique")["information"]
    bornes = int(fiche["bornes_envisagees"])
    o = data["offre_modules"].set_index("id")

    def cost(mods):
        once = sum(float(o.loc[m, "prix_unique_eur"]) * (bornes if m == "M1" else 1) for m in mods)
        return once, sum(float(o.loc[m, "prix_mensuel_par_borne_eur"]) for m in mods) * bornes
    budgets = [int(x.replace(" ", "")) for x in re.findall(r"(\d[\d ]*) € HT", fiche["budget_annonce"])]
    return {"bornes": bornes, "solution": cost(SOLUTION_MODULES), "tout": cost(list(o.index)), "budgets": tuple(budgets)}


def facts(data: dict[str, pd.DataFrame]) -> dict:
    return {"c21": facts_c21(data), "c22": facts_c22(data), "c23": facts_c23(data), "c24": facts_c24(data),
            "c25": facts_c25(data)}
