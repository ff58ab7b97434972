"""Session variants of B1_strategie_developpement (C1.1 to C1.4): the same study of « Ombelle Flotte », other
figures, other firms, other planted events, the same difficulty.

Drawn for each session (``variant(seed)``), then checked by :func:`detect` — the lesson's methods applied to the
session's data — and retried until the same difficulty holds:

- C1.1: the watch items are renumbered (the three PESTEL traps — buy-out, cybersecurity, quotas — get other
  numbers); the competitors' shares, prices, satisfaction, clients and entry years change (three entered since
  2019, HHI moderately concentrated, no share above 25 %); the market series start and grow differently (all
  decelerating since 2022); the fastest-growing département and the two declining ones are drawn;
- C1.2: the territory and segment statistics follow the seed (the two leading zones stay a near tie);
- C1.3: the risk register is redrawn (two critical risks, one tie at the third rank that the impact breaks against
  the identifier), and so are the financial assumptions and the deployment plan (break-even reached during year 3,
  payback in year 4, a break-even quotient that is not whole);
- C1.4: the opportunities' flows change and the dominated one is drawn (B or C), A keeping the highest NPV.
"""

from __future__ import annotations

import io
from functools import cache

import numpy as np
import pandas as pd

from mdpc.authoring.datagen import b1 as G
from mdpc.authoring.datagen import csv_text
from mdpc.authoring.sessions import AssignmentVariant, SessionError
from mdpc.authoring.variants import pick, rng_for
from mdpc.authoring.variants.b1_faits import facts, finances
from mdpc.authoring.variants.b1_remplacements import replacements

FAST = ("Ain", "Haute-Savoie", "Savoie", "Drôme", "Puy-de-Dôme", "Loire")
SMALL = ("Allier", "Cantal", "Haute-Loire", "Ardèche")
WINNERS, LOSERS = ("R03", "R04", "R05", "R07", "R09"), ("R01", "R03", "R04", "R05", "R07", "R08")
FIRMS = {  # today's name → fictional names of the session (a vowel first for « d'Ombelle »)
    "Ombelle": ["Aubélie", "Orvane", "Elvéa", "Isalis", "Ambrelle", "Ulmaire"],
    "Volterre Services": ["Arcavolt Services", "Néréis Services", "Solvance Services", "Thermys Services"],
    "Borne&Go Pro": ["Plug&Run Pro", "Borne&Co Pro", "Charge&Drive Pro"],
    "Motiv Flotte": ["Mobilis Flotte", "Rouleo Flotte", "Kilom Flotte"],
    "Alpelec Recharge": ["Dauphelec Recharge", "Savelec Recharge", "Cimelec Recharge"],
    "Watt&Fleet": ["Volt&Fleet", "Ampère&Fleet", "Kilowatt&Fleet"],
    "ChargeLab": ["VoltiLab", "Recharj", "Bornio"],
}


def frames(texts: dict[str, str]) -> dict[str, pd.DataFrame]:
    """The tables as the notebooks load them (file stem → DataFrame)."""
    return {name.removesuffix(".csv"): pd.read_csv(io.StringIO(t)) for name, t in texts.items()}


@cache
def default_facts() -> dict:
    return facts(frames({n: csv_text(df) for n, df in G.tables_b1().items()}))


def names(rng: np.random.Generator) -> dict[str, str]:
    out = {old: pick(rng, pool) for old, pool in FIRMS.items()}
    out["Volterre"] = out["Volterre Services"].split(" ")[0]
    return out


# ---------------------------------------------------------------------------------------------- drawing

def _parts(rng) -> np.ndarray:
    """Whole shares summing to 100, all distinct, none at 25 % or more, HHI from 1 500 to 2 000."""
    while True:
        raw = G.CONCURRENTS.part_de_marche_pct.to_numpy() * rng.uniform(0.75, 1.25, len(G.CONCURRENTS))
        parts = np.floor(100 * raw / raw.sum())
        parts[np.argsort(-(100 * raw / raw.sum() - parts))[:int(100 - parts.sum())]] += 1
        if parts.max() < 25 and 1500 <= (parts ** 2).sum() < 2000 and len(set(parts)) == len(parts):
            return parts


def _prices(rng, parts) -> np.ndarray:
    """Prices whose weighted index puts each competitor clearly in one positioning, all three present."""
    base = G.CONCURRENTS.abonnement_mensuel_par_borne_eur.to_numpy()
    while True:
        prix = np.round(base * rng.uniform(0.9, 1.1, len(base)))
        ind = 100 * prix / ((prix * parts).sum() / parts.sum())
        if (min(abs(ind - b).min() for b in (90, 110)) >= 1.5 and (ind >= 110).any() and (ind <= 90).any()
                and ((ind > 90) & (ind < 110)).any()):
            return prix


def _concurrents(rng) -> tuple[pd.DataFrame, list[str]]:
    c = G.CONCURRENTS.copy()
    parts = _parts(rng)
    young = ["ChargeLab"] + list(rng.choice([n for n in c.concurrent if n != "ChargeLab"], 2, replace=False))
    c["part_de_marche_pct"] = parts
    c["abonnement_mensuel_par_borne_eur"] = _prices(rng, parts)
    c["installation_par_borne_eur"] = (np.round(c.installation_par_borne_eur * rng.uniform(0.9, 1.1, len(c)), -1)
                                       .astype(int))
    c["satisfaction_sur_5"] = np.clip(np.round(c.satisfaction_sur_5 + rng.uniform(-0.25, 0.25, len(c)), 1), 2.5, 4.8)
    c["clients_aura"] = (np.round(c.clients_aura * rng.uniform(0.85, 1.15, len(c)), -1)).astype(int)
    c["annee_entree"] = [int(rng.integers(2019, 2023)) if n in young else int(rng.integers(2008, 2018))
                         for n in c.concurrent]
    return c, [n for n in c.concurrent if n in young]


def _risques(rng) -> tuple[pd.DataFrame, tuple[str, str]]:
    c = pick(rng, (12, 10))
    winner = pick(rng, WINNERS)
    loser = pick(rng, [x for x in LOSERS if x < winner])
    fixed = {"R02": pick(rng, ((4, 4), (4, 5))), "R06": (3, 5),
             winner: (3, 4) if c == 12 else (2, 5), loser: (4, 3) if c == 12 else (5, 2)}
    pairs = [(p, i) for p in range(1, 6) for i in range(1, 6) if p * i < c]
    used = set()
    for k in rng.permutation(len(pairs)):
        rid = next((r for r in G.RISQUES.id if r not in fixed), None)
        if rid is None:
            break
        if pairs[k][0] * pairs[k][1] not in used:
            used.add(pairs[k][0] * pairs[k][1])
            fixed[rid] = pairs[k]
    r = G.RISQUES.copy()
    r["probabilite"] = [fixed[x][0] for x in r.id]
    r["impact"] = [fixed[x][1] for x in r.id]
    return r, (winner, loser)


def _opportunites(rng) -> tuple[dict, str]:
    dom = pick(rng, ("B", "C"))
    names_, profiles = list(G.OPPORTUNITES), list(G.OPPORTUNITES.values())
    if dom == "B":
        profiles[1], profiles[2] = profiles[2], profiles[1]
    vary = lambda xs: tuple(int(round(x * rng.uniform(0.9, 1.1), -1)) for x in xs)  # noqa: E731
    return {n: (vary([inv])[0], vary(rev), vary(cost)) for n, (inv, rev, cost) in zip(names_, profiles, strict=True)}, dom


def _slowing(rng, growth: tuple[float, ...]) -> tuple[float, ...]:
    """Growth 2020-2022 near today's, then slowing every year (each year 76 to 84 % of the year before)."""
    first = [g * rng.uniform(0.95, 1.12) for g in growth[:3]]
    for _ in growth[3:]:
        first.append(first[-1] * rng.uniform(0.76, 0.84))
    return tuple(first)


def _plan(rng) -> tuple[dict, tuple[int, ...]]:
    """Financial assumptions and deployment plan: break-even (not a whole quotient) reached during year 3, payback
    in year 4, gross margin rate rising above 50 % in year 5."""
    while True:
        h = {"prix_abonnement_mensuel": int(rng.integers(29, 36)), "cout_variable_mensuel": int(rng.integers(8, 12)),
             "frais_installation_factures": int(pick(rng, range(1000, 1250, 50))),
             "charges_fixes_annuelles": int(rng.integers(38, 47)) * 10000,
             "investissement_initial": int(rng.integers(34, 43)) * 10000}
        h["cout_installation"] = int(round(h["frais_installation_factures"] * rng.uniform(0.74, 0.84), -1))
        parc = tuple(int(round(p * rng.uniform(0.9, 1.1) / 50) * 50) for p in G.PARC_FIN_ANNEE)
        x = finances({"hypotheses_financieres": G.HYPOTHESES.assign(valeur=G.HYPOTHESES.parametre.map(h)),
                      "plan_deploiement": G.make_plan_deploiement(parc)})
        if (x["pm_quotient"] % 1 >= 0.01 and x["annee_point_mort"] == 3 and x["annee_retour"] == 4 and x["taux"][4] > 50
                and list(x["taux"]) == sorted(x["taux"]) and list(parc) == sorted(set(parc))):
            return h, parc


def draw(rng) -> tuple[dict, dict]:
    """Parameters of the generator and the events they plant."""
    concurrents, young = _concurrents(rng)
    series = {k: (round(s * rng.uniform(0.85, 1.15), 1 if s < 100 else -2), _slowing(rng, gs)) for k, (s, gs) in G.SERIES.items()}
    growth = {d: v[3] for d, v in G.DEPARTEMENTS.items()}
    fast = pick(rng, FAST)
    growth[fast], growth["Haute-Savoie"] = growth["Haute-Savoie"], growth[fast]
    small = list(rng.permutation(SMALL))
    for d, v in zip(small, (-3.0, -2.0, 0.0, 1.0), strict=True):
        growth[d] = v
    risques, tie = _risques(rng)
    h, parc = _plan(rng)
    opportunites, dom = _opportunites(rng)
    params = {"veille_order": tuple(int(i) for i in rng.permutation(len(G.VEILLE))), "concurrents": concurrents,
              "series": series, "growth": growth, "risques": risques, "hypotheses": h, "parc": parc,
              "opportunites": opportunites}
    events = {"pieges_pestel": None, "entres_depuis_2019": young, "departement_plus_dynamique": fast,
              "departements_en_recul": sorted(str(d) for d in small[:2]), "risques_critiques": ["R02", "R06"], "egalite_criticite": tie,
              "opportunite_dominee": dom}
    return params, events


# ---------------------------------------------------------------------------------------------- detection

def detect(data: dict[str, pd.DataFrame]) -> dict:
    """The planted events, found by the lesson's methods: PESTEL checklist, entry years, growth as a ratio of sums,
    criticality with its tie rule, dominance of NPV / ROI / payback."""
    f = facts(data)
    p, t, r = f["pestel"], f["territoire"], f["risques"]
    return {"pieges_pestel": {k: p[k] for k in ("rachat", "cyber", "quotas")}, "entres_depuis_2019": f["jeunes"],
            "departement_plus_dynamique": t["croissance"].index[0], "departements_en_recul": sorted(t["recul"]),
            "risques_critiques": r["critiques"], "egalite_criticite": r["egalites"][0] if len(r["egalites"]) == 1 else None,
            "opportunite_dominee": f["opportunites"]["dominees"][0] if len(f["opportunites"]["dominees"]) == 1 else None}


def problems(f: dict) -> list[str]:
    """What breaks the difficulty or a claim of the answer key's texts (empty: the session is valid)."""
    out = []
    g, sg = f["croissance_series"], f["territoire"]["secteurs_croissance"]
    if not all((g.loc[y] < g.loc[y - 1]).all() for y in range(2023, 2027)):
        out.append("séries sans décélération continue depuis 2022")
    if g.loc[2026].min() <= 20 or g.loc[2026]["marche_pilotage_recharge_meur"] <= 25:
        out.append("croissance 2026 trop faible pour le corrigé")
    parts, ind = f["parts"], f["indice"]
    if parts.max() >= 25 or not 1500 <= f["hhi"] < 2000 or parts.nunique() < len(parts):
        out.append("concentration hors de « moyennement concentré »")
    if any(abs(ind - b).min() < 1.5 for b in (90, 110)) or not ((ind >= 110).any() and (ind <= 90).any()
                                                                 and ((ind > 90) & (ind < 110)).any()):
        out.append("positionnements ambigus")
    s = f["satisfaction"]
    if s[ind.idxmin()] < s[ind.idxmax()] or (ind - f["indice_simple"]).abs().max() < 0.5:
        out.append("benchmark : constat ou erreur type non vérifiés")
    t, m = f["territoire"], f["marche"]
    if t["potentiel"][:2] != ["Rhône", "Isère"] or t["croissance"].iloc[0] - t["croissance"].iloc[1] < 0.3:
        out.append("territoire : potentiel ou croissance ambigus")
    if set(sg.index[:2]) != {"Transport et logistique", "Services aux entreprises"} or sg.iloc[0] - sg.iloc[1] > 1.5:
        out.append("secteurs moteurs changés")
    if t["ecart_lignes"] < 0.05 or m["ecart_croissance"] < 0.05:
        out.append("erreur type de moyenne non détectable")
    z, sz = m["zones"], m["tailles"]
    if z.iloc[0] - z.iloc[1] > 0.03 * z.iloc[0] or list(z.index[2:]) != ["Auvergne-Loire", "Drôme-Ardèche"]:
        out.append("zones : l'écart faible entre les deux premières zones n'existe plus")
    if not sz.index[2].startswith("TPE") or sz.iloc[0] - sz.iloc[1] > 0.1 * sz.iloc[0] or not 0.7 <= m["part_pack"] <= 0.77:
        out.append("tailles ou offres : constat du guide faux")
    scores = m["score_de"]
    if scores.iloc[4] - scores.iloc[5] < 1e-6 or any(set(w) == set(m["cibles"]) for w in m["cibles_fausses"]):
        out.append("cibles : erreur type non détectable")
    x = f["finances"]
    if (x["pm_quotient"] % 1 < 0.01 or x["annee_point_mort"] != 3 or x["annee_retour"] != 4 or x["taux"][4] <= 50
            or list(x["taux"]) != sorted(x["taux"])):
        out.append("finances : point mort, délai ou marges hors du récit")
    o = f["opportunites"]["options"]
    nd = [k for k in o if k not in f["opportunites"]["dominees"]]
    if (max(o, key=lambda k: o[k]["van"]) != "A" or len(nd) != 2 or any(not 1e5 <= v["van"] < 1e6 for v in o.values())
            or any(v["delai"] == float("inf") for v in o.values()) or o["A"]["roi"] < 150
            or not (o[nd[1]]["roi"] > o["A"]["roi"] and o[nd[1]]["delai"] < o["A"]["delai"])):
        out.append("opportunités : rôles changés")
    return out


def variant(seed: int) -> AssignmentVariant:
    for attempt in range(400):
        rng = rng_for(seed + attempt, 1)
        params, events = draw(rng)
        texts = {n: csv_text(df) for n, df in G.tables_b1(int(rng.integers(2**31)), **params).items()}
        data = frames(texts)
        f = facts(data)
        events["pieges_pestel"] = {k: f["pestel"]["titres"][G.VEILLE[i][3]] for k, i in (("rachat", 16), ("cyber", 17),
                                                                                            ("quotas", 13))}
        if problems(f) or detect(data) != events:
            continue
        return AssignmentVariant(data=texts, names=names(rng_for(seed, 2)),
                                 replacements=replacements(default_facts(), f), events=events)
    raise SessionError("Bloc 1 : aucune variante ne garde la difficulté du cas après 400 essais.")
