"""Facts of the bloc 1 data that the answer key, the trainer's guide and the hidden tests quote.

:func:`facts` reads the data as a candidate's notebook loads them (``data[stem]``: veille, concurrents,
marche_series, territoire, adoption, segments_concurrence, risques, hypotheses_financieres, plan_deploiement,
flux_opportunites) and computes, by the methods the bloc 1 lesson teaches, every figure and every planted event
the texts of ``corrige/`` rely on: PESTEL domain of each watch item (checklist of the nature of the signal),
trends (growth, CAGR), weighted price index and HHI, territory growth as a ratio of sums, market sizing and the
attractiveness / position matrix, risk criticality with its tie rule, break-even and payback, NPV / ROI / payback
and dominance of the opportunities. ``mdpc.authoring.variants.b1_textes`` renders the texts from them.
"""

from __future__ import annotations

import math
import re

import pandas as pd

# checklist of the nature of a signal, first match wins (the lesson's PESTEL grid: who acts, on what)
PESTEL_RULES = (
    ("Légal", r"\bloi\b|directive|obligatoire"),
    ("Politique", r"\bzfe\b|appel à projets"),
    ("Technologique", r"cybersécurité|protocole|bidirectionnelle|pilotage dynamique"),
    ("Sociologique", r"salariés|du personnel|recruter"),
    ("Écologique", r"émissions|effacement"),
)
PESTEL_TRAPS = {"rachat": r"rachète", "cyber": r"cybersécurité", "quotas": r"\bloi\b"}
POIDS_CORRIGE = {"taille_marche": 40, "croissance": 35, "concurrence": 25, "proximite": 40, "adequation": 60}
TAUX = 0.08


def pestel(veille: pd.DataFrame) -> dict:
    """Domain of each watch item by the checklist, and the three trap items (buy-out, cybersecurity, quotas)."""
    domains, traps, titles = {}, {}, {}
    for row in veille.itertuples():
        titles[row.titre] = row.id
        text = f"{row.titre} {row.resume}".lower()
        domains[row.id] = next((d for d, rule in PESTEL_RULES if re.search(rule, text)), "Économique")
        for trap, rule in PESTEL_TRAPS.items():
            if re.search(rule, text):
                traps.setdefault(trap, []).append(row.id)
    return {"domaines": domains, "titres": titles, **{k: v[0] if len(v) == 1 else tuple(v) for k, v in traps.items()}}


def _score(mzs: pd.DataFrame, p: dict, inverse: bool = True) -> pd.Series:
    n = lambda x: 1 + 4 * (x - x.min()) / (x.max() - x.min())  # noqa: E731
    conc = 6 - mzs.intensite_concurrentielle if inverse else mzs.intensite_concurrentielle
    att = (p["taille_marche"] * n(mzs.marche_eur) + p["croissance"] * n(mzs.croissance_annuelle_pct)
           + p["concurrence"] * conc) / 100
    pos = (p["proximite"] * mzs.proximite_reseau + p["adequation"] * mzs.adequation_offre) / 100
    return pd.Series(((att + pos) / 2).to_numpy(), index=list(zip(mzs.zone, mzs.secteur, strict=False)))


def marche(d: dict) -> dict:
    t, a = d["territoire"], d["adoption"]
    e = t.groupby(["zone", "secteur", "taille"], as_index=False)["etablissements_2026"].sum().merge(a)
    e["m"] = e.etablissements_2026 * e.taux_flotte * e.taux_adoption_3_ans * e.part_demande * e.panier_annuel_eur
    mzs = (e.groupby(["zone", "secteur"], as_index=False)["m"].sum().rename(columns={"m": "marche_eur"})
           .merge(d["segments_concurrence"], on=["zone", "secteur"]))
    score = _score(mzs, POIDS_CORRIGE).sort_values(ascending=False, kind="stable")
    wrong = _score(mzs, POIDS_CORRIGE, inverse=False).sort_values(ascending=False, kind="stable")
    by_market = mzs.set_index(["zone", "secteur"])["marche_eur"].sort_values(ascending=False)
    sect = mzs.groupby("secteur")["marche_eur"].sum().sort_values(ascending=False)
    g = mzs.assign(p=mzs.croissance_annuelle_pct * mzs.marche_eur).groupby("secteur")
    weighted, simple = g["p"].sum() / g["marche_eur"].sum(), g["croissance_annuelle_pct"].mean()
    return {"total": e.m.sum(), "zones": e.groupby("zone").m.sum().sort_values(ascending=False),
            "tailles": e.groupby("taille").m.sum().sort_values(ascending=False),
            "part_pack": e[e.offre.str.startswith("Pack")].m.sum() / e.m.sum(),
            "secteurs_part": 100 * sect / sect.sum(), "cibles": list(score.index[:5]), "scores": list(score.values[:5]),
            "cinquieme": score.iloc[4], "cibles_fausses": [list(wrong.index[:5]), list(by_market.index[:5])],
            "score_de": score, "ecart_croissance": float((weighted - simple).abs().max())}


def territoire(d: dict) -> dict:
    t = d["territoire"].merge(d["adoption"][["secteur", "taille", "taux_flotte"]].drop_duplicates())
    t["c"] = t.etablissements_2026 * t.taux_flotte
    dep = t.groupby("departement")[["c", "etablissements_2026", "etablissements_2023"]].sum()
    dep["g"] = 100 * (dep.etablissements_2026 / dep.etablissements_2023 - 1)
    lines = (100 * (t.etablissements_2026 / t.etablissements_2023 - 1)).groupby(t.departement).mean()
    sec = t.groupby("secteur")[["etablissements_2026", "etablissements_2023"]].sum()
    sg = (100 * (sec.etablissements_2026 / sec.etablissements_2023 - 1)).sort_values(ascending=False)
    growth = dep.g.sort_values(ascending=False)
    return {"potentiel": list(dep.c.sort_values(ascending=False).index), "croissance": growth,
            "recul": list(growth[growth < 0].index), "secteurs_croissance": sg,
            "ecart_lignes": float((lines - dep.g).abs().max())}


def finances(d: dict) -> dict:
    h = dict(zip(d["hypotheses_financieres"].parametre, d["hypotheses_financieres"].valeur, strict=False))
    p = d["plan_deploiement"].set_index("annee")
    pm = (p.bornes_debut + p.bornes_fin) / 2
    ca = pm * 12 * h["prix_abonnement_mensuel"] + p.nouvelles_bornes * h["frais_installation_factures"]
    cv = pm * 12 * h["cout_variable_mensuel"] + p.nouvelles_bornes * h["cout_installation"]
    flux = ca - cv - h["charges_fixes_annuelles"]
    cum = [-h["investissement_initial"]] + list(-h["investissement_initial"] + flux.cumsum())
    q = h["charges_fixes_annuelles"] / (12 * (h["prix_abonnement_mensuel"] - h["cout_variable_mensuel"]))
    year = next((i for i, c in enumerate(cum) if c >= 0), None)
    payback = None if year is None else (year - 1) - cum[year - 1] / flux.loc[year]
    return {"h": h, "parc": list(p.bornes_fin), "ca": list(ca), "taux": list(100 * (ca - cv) / ca),
            "pm_quotient": q, "point_mort": math.ceil(q), "annee_retour": year, "delai": payback,
            "annee_point_mort": next((a for a, b in zip(p.index, p.bornes_fin, strict=False) if b >= math.ceil(q)), None)}


def opportunites(flux: pd.DataFrame) -> dict:
    out = {}
    for name, f in flux.groupby("opportunite", sort=False):
        f = f.sort_values("annee")
        net = (f.recettes_eur - f.couts_eur - f.investissement_eur).to_numpy()
        cum = net.cumsum()
        k = next((i for i in range(1, len(cum)) if cum[i] >= 0 > cum[i - 1]), None)
        out[name[0]] = {"nom": name, "van": sum(n / (1 + TAUX) ** a for n, a in zip(net, f.annee, strict=False)),
                        "roi": 100 * net.sum() / f.investissement_eur.sum(), "somme": net.sum(),
                        "delai": math.inf if k is None else (k - 1) - cum[k - 1] / net[k],
                        "investissement": f.investissement_eur.sum()}
    dominated = [x for x, o in out.items() if any(
        y != x and p["van"] >= o["van"] and p["roi"] >= o["roi"] and p["delai"] <= o["delai"] for y, p in out.items())]
    return {"options": out, "dominees": dominated}


def risques(r: pd.DataFrame) -> dict:
    r = r.assign(c=r.probabilite * r.impact).sort_values(["c", "impact", "id"], ascending=[False, False, True])
    ties = [(a.id, b.id) for a, b in zip(r.itertuples(), r.iloc[1:].itertuples(), strict=False) if a.c == b.c]
    return {"ordre": list(r.id), "c": dict(zip(r.id, r.c, strict=False)), "impact": dict(zip(r.id, r.impact, strict=False)), "egalites": ties,
            "critiques": list(r.id[r.c >= 15])}


def facts(d: dict) -> dict:
    s = d["marche_series"].set_index("annee")
    growth = 100 * (s.pct_change())
    c = d["concurrents"].set_index("concurrent")
    parts, prix = c.part_de_marche_pct, c.abonnement_mensuel_par_borne_eur
    moy = float((prix * parts).sum() / parts.sum())
    second = parts.sort_values(ascending=False)
    return {"pestel": pestel(d["veille"]), "croissance_series": growth.loc[2020:],
            "tcam": 100 * ((s.loc[2026] / s.loc[2019]) ** (1 / 7) - 1),
            "projection": s.loc[2026] * ((s.loc[2026] / s.loc[2019]) ** (1 / 7)) ** 3,
            "prix_moyen": moy, "indice": 100 * prix / moy, "indice_simple": 100 * prix / prix.mean(),
            "hhi": float((parts ** 2).sum()), "parts": parts, "leader": (second.iloc[0], second.iloc[1]),
            "satisfaction": c.satisfaction_sur_5, "jeunes": [n for n, a in c.annee_entree.items() if a >= 2019],
            "territoire": territoire(d), "marche": marche(d), "risques": risques(d["risques"]),
            "finances": finances(d), "opportunites": opportunites(d["flux_opportunites"])}
