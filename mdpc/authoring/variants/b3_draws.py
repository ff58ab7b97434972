"""Bloc 3 sessions: one draw of the generator's parameters, with the planted events it means to plant.

:func:`draw` returns the keyword parameters of ``datagen.b3.b3_tables`` plus ``_events`` (what detection must find),
or None when this draw does not keep the difficulty (the caller retries with another seed). Ranges and rules:

- C3.1 durations ±1 week (±2 on the chain drawn critical), so that the critical chain is the one drawn (platform
  T03 → T06 → T09 or campaign T05 → T08), unique, the next chain 1 or 2 weeks behind, the pilot task S after the
  late task L planned at week 14 and T10 not yet; workloads ±0.5 FTE, budgets ±15 % (to 500 €); fixed costs ±10 %,
  variable costs and prices in steps; break-even between 250 and 380 installations, below the 400 planned.
- C3.2 at week 14: L late and over budget, S planned and not started, M a third task in alert at 0.90, two tasks
  between 0.90 and 0.95 (N_spi on the next chain, N_cpi), the others on time and within 0.96 to 1.02 of their cost;
  project SPI and CPI under 0.90; the re-planning lengthens N_spi (float + 2 weeks) and L (1 week): the next chain
  becomes the only critical one.
- C3.3 the payment term beyond the legal ceiling (60, 75 or 90 days end of month, 75 or 90 days from the invoice),
  the accords after the first meeting in another order, bornes, depots, intervention time, penalty, termination.
- C3.4 the eight smaller clients' profiles permuted (the churned one in the first quarter's cohort), their figures
  perturbed; the two large accounts stay ambassadors (the key's texts say so); classes asserted with margins.
- C3.5 results drawn from another seed with the session's prices and costs: ROI negative, year-end forecast under the
  objective, cost per installed borne above plan.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mdpc.authoring.datagen import b3 as gen
from mdpc.authoring.variants.b3_facts import client_indicators, forecast, schedule
from mdpc.authoring.variants.b3_texts import CHAINS

STATUS_WEEK = 13          # the end of week 14 on the schedule's time axis (today's planned % are read there)
PAYMENTS = [(60, "fin de mois"), (75, "fin de mois"), (90, "fin de mois"), (75, "à compter de la date de facture"),
            (90, "à compter de la date de facture")]
TERMINATIONS = [(24, 3), (36, 3), (24, 6), (12, 3)]
FIXED = ("T01", "T10", "T11", "T12")


def _chain_tasks(chain: str) -> set[str]:
    return {*FIXED, *CHAINS[chain]}


def draw_tasks(rng) -> tuple | None:
    t = gen.TACHES.copy()
    target = ["plateforme", "campagne"][int(rng.integers(2))]
    for _ in range(200):
        d = {}
        for tid, v in zip(t.id, t.duree_semaines, strict=True):
            lo, hi = ((-2, 1) if tid in CHAINS["plateforme"] else (-1, 2) if tid in CHAINS["campagne"] else (-1, 1)) \
                if target == "campagne" else (-1, 1)
            d[tid] = max(1, int(v + rng.integers(lo, hi + 1)))
        s = schedule(t, d)
        if set(s.index[s["critique"]]) != _chain_tasks(target):
            continue
        others = {k: int(min(s.loc[x, "marge"] for x in v)) for k, v in CHAINS.items() if k != target}
        runner = min(others, key=others.get)
        last, late = CHAINS[target][-1], CHAINS[target][-2]
        if (1 <= others[runner] <= 2 and s.loc[last, "debut_tot"] < STATUS_WEEK <= s.loc["T10", "debut_tot"]
                and 22 <= s["fin_tot"].max() <= 30 and sorted(others.values())[-1] >= 2):
            break
    else:
        return None
    t["duree_semaines"] = [d[x] for x in t.id]
    t["etp"] = [max(0.5, e + float(rng.choice([-0.5, 0, 0.5]))) for e in t.etp]
    t["cout_eur"] = [max(1000, int(round(c * rng.uniform(0.85, 1.15) / 500) * 500)) for c in t.cout_eur]
    charge = (t.etp * t.duree_semaines).groupby(t.service).sum()
    if list(charge) == sorted(charge, reverse=True):
        return None  # the unsorted workload (a wrong answer of the catalogue) must differ from the sorted one
    return t, s, target, runner, late, last


def draw_progress(rng, *tasks) -> tuple | None:
    for _ in range(100):
        found = _draw_progress(rng, *tasks)
        if found is not None:
            return found
    return None


def _draw_progress(rng, t, s, target, runner, late, last) -> tuple | None:
    planned = {x: int(5 * round(20 * min(1, max(0, (STATUS_WEEK - s.loc[x, "debut_tot"]) / (s.loc[x, "fin_tot"]
                                                                                              - s.loc[x, "debut_tot"])))))
               for x in t.id}
    started = [x for x in t.id if planned[x] > 0]
    n_spi = next((x for x in CHAINS[runner] if planned[x] == 100), None)
    cost = dict(zip(t.id, t.cout_eur, strict=True))
    pool = [x for x in started if x not in (late, last, n_spi, "T01") and cost[x] >= 15000]
    if n_spi is None or not pool:
        return None
    m = pool[int(rng.integers(len(pool)))]
    rest = [x for x in started if x not in (late, last, m, n_spi, "T01")]
    n_cpi = rest[int(rng.integers(len(rest)))]
    ranges = {late: ((0.55, 0.8), (0.65, 0.85)), m: ((0.8, 0.88), (0.75, 0.88)), n_spi: ((0.91, 0.94), (0.96, 1.02)),
              n_cpi: ((1, 1), (0.91, 0.94))}
    rows = []
    for x in t.id:
        if x == last:
            rows.append((x, planned[x], 0, 0))
            continue
        if planned[x] == 0:
            rows.append((x, 0, 0, 0))
            continue
        spi, cpi = ranges.get(x, ((1, 1), (0.96, 1.02)))
        done = int(round(planned[x] * rng.uniform(*spi)))
        rows.append((x, planned[x], done, int(round(cost[x] * done / 100 / rng.uniform(*cpi) / 100) * 100)))
    done, preds = {r[0]: r[2] for r in rows}, dict(zip(t.id, t.predecesseurs, strict=True))
    if any(done[x] == 100 and any(done[q] < 90 for q in preds[x].split(";") if q) for x in done):
        return None  # a task is not finished while a predecessor still lags behind
    ev = sum(cost[r[0]] * r[2] / 100 for r in rows)
    pv, ac = sum(cost[r[0]] * r[1] / 100 for r in rows), sum(r[3] for r in rows)
    if not (ev / pv < 0.9 and ev / ac < 0.9):
        return None
    for x, p, done, real in rows:
        e = cost[x] * done / 100
        for value in ([e / (cost[x] * p / 100)] if p else []) + ([e / real] if real else []):
            if min(abs(value - 0.9), abs(value - 0.95)) < 0.006:
                return None
    replanned = {n_spi: int(t.set_index("id").loc[n_spi, "duree_semaines"] + s.loc[n_spi, "marge"] + 2),
                 late: int(t.set_index("id").loc[late, "duree_semaines"] + 1)}
    events = {"alertes_090": sorted([late, last, m]), "alertes_095": sorted([late, last, m, n_spi, n_cpi])}
    return tuple(rows), replanned, events


def draw_budget(rng):
    for _ in range(100):
        found = _draw_budget(rng)
        if found is not None:
            return found
    return None


def _draw_budget(rng):
    c = gen.COUTS.copy()
    c["montant_eur"] = [int(round(v * rng.uniform(0.9, 1.1), -3)) for v in c.montant_eur[:4]] + [
        int(rng.choice(np.arange(560, 690, 10))), int(rng.choice(np.arange(230, 300, 10))), int(rng.choice([96, 108, 120]))]
    p = gen.PRIX_B3.copy()
    p["valeur"] = [int(rng.choice(np.arange(1000, 1250, 50))), int(rng.choice(np.arange(348, 432, 12))), 400]
    fixed, var = sum(c.montant_eur[:4]), c.montant_eur.tolist()[4:]
    marge = p.valeur[0] - var[0] - var[1] + p.valeur[1] - var[2]
    if not (250 <= math.ceil(fixed / marge) <= 380) or fixed % marge == 0:
        return None
    return c, p


def draw_accords(rng) -> tuple[pd.DataFrame, int, dict]:
    a = gen.ACCORDS.copy()
    bornes, depots = int(rng.choice(np.arange(60, 130, 10))), ["deux", "trois", "quatre"][int(rng.integers(3))]
    days, mode = PAYMENTS[int(rng.integers(len(PAYMENTS)))]
    after, notice = TERMINATIONS[int(rng.integers(len(TERMINATIONS)))]
    text = dict(zip(a.sujet, a.teneur, strict=True))
    text.update({"Objet": f"Fourniture, installation et pilotage de {bornes} bornes sur {depots} dépôts",
                 "Paiement": f"Paiement à {days} jours {mode}",
                 "Niveau de service": f"Disponibilité de la plateforme 99,5 % ; intervention sur borne en "
                                      f"{int(rng.choice([24, 48]))} h ouvrées",
                 "Pénalités": f"Pénalité de {int(rng.choice([1, 2, 3]))} % de l'abonnement mensuel par point de "
                              "disponibilité manquant",
                 "Résiliation": f"Résiliation possible après {after} mois avec un préavis de {notice} mois et une indemnité"})
    source = dict(zip(a.sujet, a.source, strict=True))
    order = list(a.sujet[:2]) + [a.sujet[2 + i] for i in rng.permutation(len(a) - 2)]
    out = pd.DataFrame([(f"A{i}", date, source[sub], sub, text[sub]) for i, (date, sub) in enumerate(zip(a.date, order,
                                                                                                          strict=True), 1)],
                       columns=a.columns)
    paying = out.loc[out.sujet == "Paiement", "id"].iloc[0]
    return out, bornes, {"clause_illegale": [{"accord": paying, "jours": days, "mode": mode}]}


# client class → (monthly usage trend, availability %, tickets a month, NPS centre, decision at month 6) ranges
PROFILE_RANGES = {"ambassadeur": ((0.04, 0.08), (99.5, 99.8), (0.3, 1.0), (9.3, 9.8), "renouvelé"),
                  "stable": ((0.0, 0.015), (99.3, 99.6), (0.3, 1.0), (7.9, 8.2), "renouvelé"),
                  "résilié": ((-0.07, -0.04), (98.0, 98.6), (3.0, 4.5), (3.5, 4.5), "résilié"),
                  "en discussion": ((-0.05, -0.03), (98.8, 99.1), (2.0, 3.2), (4.5, 5.5), "en discussion")}


def draw_clients(rng, bornes: int) -> tuple[pd.DataFrame, dict]:
    """The two large accounts recommend; the eight others: two ambassadors, three stable, one churned (first
    quarter's cohort), two hesitating, in a drawn order; their figures drawn in the class's ranges."""
    comptes = gen.COMPTES.copy()
    small = [c for c, s in zip(comptes.client, comptes.segment, strict=True) if s != "Grand compte"]
    first_quarter = {c for c, m in zip(comptes.client, comptes.mois_debut, strict=True) if m <= "2027-03"}
    kinds = ["ambassadeur"] * 2 + ["stable"] * 3 + ["résilié"] + ["en discussion"] * 2
    while True:
        order = dict(zip(small, [kinds[i] for i in rng.permutation(len(kinds))], strict=True))
        if all(k != "résilié" or c in first_quarter for c, k in order.items()):
            break
    profils = {}
    for c in comptes.client:
        trend, avail, tickets, centre, decision = PROFILE_RANGES[order.get(c, "ambassadeur")]
        profils[c] = (round(rng.uniform(*trend), 4), round(rng.uniform(*avail), 2), round(rng.uniform(*tickets), 1),
                      round(rng.uniform(*centre), 2), decision)
    comptes["bornes"] = [bornes if c == "Transports Rhodaniens" else max(2, int(round(b * rng.uniform(0.8, 1.2))))
                         for c, b in zip(comptes.client, comptes.bornes, strict=True)]
    return comptes, profils


def classes_hold(data: dict) -> bool:
    """Each client in its class with margins (no borderline NPS or trend), churned and hesitating ones declining."""
    ind = client_indicators(data)
    for c in ind.index:
        n, t, d = ind.loc[c, "nps"], ind.loc[c, "tendance"], ind.loc[c, "decision"]
        if d != "renouvelé" and not (n < 0 and t < -6):
            return False
        if d == "renouvelé" and not ((n >= 50 and t > 12) or (0 <= n and t > -4 and (n < 50 or t < 8))):
            return False
    big = [c for c, s in zip(data["comptes"].client, data["comptes"].segment, strict=True) if s == "Grand compte"]
    kinds = ind["classe"].value_counts()
    return (all(ind.loc[c, "classe"] == "ambassadeur" for c in big) and kinds.get("ambassadeur") == 4
            and kinds.get("stable") == 3)


def draw(rng, default: dict) -> dict | None:
    """One draw: the generator's parameters and ``_events``, or None when the difficulty is not kept."""
    tasks = draw_tasks(rng)
    budget = draw_budget(rng)
    if tasks is None or budget is None:
        return None
    t, s, target, runner, late, last = tasks
    progress = draw_progress(rng, t, s, target, runner, late, last)
    if progress is None:
        return None
    rows, replanned, events = progress
    couts, prix = budget
    accords, bornes, contract = draw_accords(rng)
    comptes, profils = draw_clients(rng, bornes)
    p = dict(zip(prix.parametre, prix.valeur, strict=True))
    var = couts.montant_eur.tolist()
    monthly = int(round(sum(var[:4]) / 12, -3)) + 1000
    resultats = {"installation": p["installation_facturee"], "abonnement_mensuel": p["abonnement_annuel"] // 12,
                 "cout_variable": var[4] + var[5], "fixes_prevus": monthly, "fixes_reels": monthly + 2500}
    objectifs = gen.OBJECTIFS_PROJET.copy()
    objectifs["objectif"] = [400, 40, 400 * p["installation_facturee"] + 120000, 30, int(t.cout_eur.sum())]
    for _ in range(300):  # the seeded draws (usage, surveys, results) until every class and claim holds
        seed = int(rng.integers(1, 2**31 - 3))
        tables = {"comptes": comptes, "usage_mensuel": gen.make_usage(seed, comptes, profils),
                  "enquetes_nps": gen.make_nps(seed, comptes, profils), "renouvellements": gen.make_renewals(comptes, profils)}
        res = gen.make_results(seed, **resultats)
        if classes_hold(tables) and (res.ca_realise_eur.sum() < res.couts_reels_eur.sum() and forecast(res)[1] < 400
                                     and res.couts_reels_eur.sum() / res.bornes_installees.sum()
                                     > res.couts_prevus_eur.sum() / res.bornes_prevues.sum()):
            break
    else:
        return None
    params = {"seed": seed, "taches": t, "couts": couts, "prix": prix, "progress": rows, "replanned": replanned,
              "accords": accords, "comptes": comptes, "profils": profils, "objectifs": objectifs, "resultats": resultats}
    ind = client_indicators(tables)
    order = list(t.id)
    params["_events"] = {
        "chemin_critique": [x for x in order if x in _chain_tasks(target)],
        "chemin_critique_recale": [x for x in order if x in _chain_tasks(runner)],
        **events, **contract,
        "clients_resilies": list(ind.index[ind.classe == "résilié"]),
        "clients_a_risque": list(ind.index[ind.classe == "à risque"]),
        "ambassadeurs": list(ind.index[ind.classe == "ambassadeur"]),
        "roi_negatif": True, "fin_annee_sous_objectif": True}
    if [d for d in ind.decision if d == "résilié"] != ["résilié"] or sorted(ind.decision).count("en discussion") != 2:
        return None
    return params
