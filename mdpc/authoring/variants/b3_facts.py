"""Bloc 3 sessions: what the data show, found by the methods the lesson teaches (cours/B3_pilotage_projets).

:func:`detect` returns the planted events of a data set (``data``: file stem → table, as ``load_csv`` reads them):
the critical path by the forward and backward passes, the tasks under the alert thresholds by earned value, the
illegal payment clause by the contract checklist (L441-10), the churned and at-risk clients by NPS and usage trend,
the gap to the annual objective by the least-squares trend. :func:`facts` adds every figure the answer key, the
trainer's guide and the leak patterns quote (``mdpc.authoring.variants.b3_texts`` renders them).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

PAYMENT_MAX_DAYS, PAYMENT_MAX_DAYS_END_OF_MONTH = 60, 45   # as mdpc_utils.bloc3 (code de commerce, L441-10)
THRESHOLDS = (0.90, 0.95)                                 # the answer key's alert threshold, the highest allowed
_PAYMENT = re.compile(r"(\d+) jours (fin de mois|à compter de la date de facture)")


def schedule(taches: pd.DataFrame, durations: dict | None = None) -> pd.DataFrame:
    """Forward and backward passes (lesson, section 1): earliest and latest dates, float, critical flag."""
    d = durations or dict(zip(taches["id"], taches["duree_semaines"], strict=True))
    preds = {t: [x for x in str(p).split(";") if x] for t, p in zip(taches["id"], taches["predecesseurs"], strict=True)}
    order, done = [], set()
    while len(order) < len(d):
        for t in d:
            if t not in done and all(p in done for p in preds[t]):
                order.append(t)
                done.add(t)
    es, ef = {}, {}
    for t in order:
        es[t] = max((ef[p] for p in preds[t]), default=0)
        ef[t] = es[t] + d[t]
    end, lf, ls = max(ef.values()), {}, {}
    for t in reversed(order):
        lf[t] = min((ls[s] for s in d if t in preds[s]), default=end)
        ls[t] = lf[t] - d[t]
    out = pd.DataFrame({"debut_tot": es, "fin_tot": ef, "debut_tard": ls, "fin_tard": lf}).loc[list(d)]
    out["marge"] = out["debut_tard"] - out["debut_tot"]
    out["critique"] = out["marge"] == 0
    return out


def task_indices(taches: pd.DataFrame, avancement: pd.DataFrame) -> pd.DataFrame:
    """Earned value per task started or planned (lesson, section 2): PV, EV, AC, SPI, CPI (NaN on a zero)."""
    m = taches[["id", "tache", "cout_eur"]].merge(avancement, on="id").set_index("id")
    m = m[(m["prevu_pct"] > 0) | (m["realise_pct"] > 0)]
    pv, ev, ac = m["cout_eur"] * m["prevu_pct"] / 100, m["cout_eur"] * m["realise_pct"] / 100, m["cout_reel_eur"]
    return pd.DataFrame({"pv": pv, "ev": ev, "ac": ac, "spi": ev / pv.where(pv > 0), "cpi": ev / ac.where(ac > 0)})


def alerts(indices: pd.DataFrame, threshold: float) -> list[str]:
    return sorted(indices.index[(indices["spi"] < threshold) | (indices["cpi"] < threshold)])


def payment_clause(accords: pd.DataFrame) -> tuple[str, int, str]:
    """The payment accord: (id, days, « fin de mois » or « à compter de la date de facture »)."""
    row = accords[accords["sujet"] == "Paiement"].iloc[0]
    days, mode = _PAYMENT.search(row["teneur"]).groups()
    return row["id"], int(days), mode


def nps(notes) -> float:
    s = list(notes)
    return 100 * (sum(x >= 9 for x in s) - sum(x <= 6 for x in s)) / len(s)


def client_indicators(data: dict) -> pd.DataFrame:
    """NPS, usage trend (last three months over the first three), decision and the lesson's class per client."""
    usage, enquetes = data["usage_mensuel"], data["enquetes_nps"]
    decisions = dict(zip(data["renouvellements"]["client"], data["renouvellements"]["decision_mois_6"], strict=True))
    months: dict = {}
    for c, m, n in zip(usage["client"], usage["mois"], usage["sessions"], strict=True):
        months.setdefault(c, []).append((m, n))
    notes: dict = {}
    for c, n in zip(enquetes["client"], enquetes["note"], strict=True):
        notes.setdefault(c, []).append(n)
    rows = {}
    for c in data["comptes"]["client"]:
        s = [n for _, n in sorted(months[c])]
        n, t, d = nps(notes[c]), 100 * (sum(s[-3:]) / sum(s[:3]) - 1), decisions[c]
        kind = ("résilié" if d == "résilié" else "à risque" if n < 0 or t < -5 or d == "en discussion"
                else "ambassadeur" if n >= 50 and t > 10 else "stable")
        rows[c] = {"nps": n, "tendance": t, "decision": d, "classe": kind}
    return pd.DataFrame.from_dict(rows, orient="index")


def forecast(resultats: pd.DataFrame) -> tuple[list[float], float]:
    m = resultats[resultats["mois"] >= "2027-03"]
    a, b = np.polyfit([int(x[5:7]) for x in m["mois"]], m["bornes_installees"], 1)
    prev = [a * k + b for k in (10, 11, 12)]
    return prev, float(resultats["bornes_installees"].sum() + sum(prev))


def detect(data: dict) -> dict:
    """The planted events of a bloc 3 data set, each found by the lesson's method."""
    taches, avancement = data["taches"], data["avancement"]
    plan = schedule(taches)
    replanned = schedule(taches, dict(zip(avancement["id"], avancement["duree_recalee_semaines"], strict=True)))
    ind = task_indices(taches, avancement)
    accord, days, mode = payment_clause(data["accords"])
    ceiling = PAYMENT_MAX_DAYS_END_OF_MONTH if mode == "fin de mois" else PAYMENT_MAX_DAYS
    clients = client_indicators(data)
    res, obj = data["resultats_projet"], data["objectifs_projet"].set_index("indicateur")["objectif"]
    _, year_end = forecast(res)
    return {
        "chemin_critique": list(plan.index[plan["critique"]]),
        "chemin_critique_recale": list(replanned.index[replanned["critique"]]),
        "alertes_090": alerts(ind, THRESHOLDS[0]),
        "alertes_095": alerts(ind, THRESHOLDS[1]),
        "clause_illegale": [{"accord": accord, "jours": days, "mode": mode}] if days > ceiling else [],
        "clients_resilies": list(clients.index[clients["classe"] == "résilié"]),
        "clients_a_risque": list(clients.index[clients["classe"] == "à risque"]),
        "ambassadeurs": list(clients.index[clients["classe"] == "ambassadeur"]),
        "roi_negatif": bool(res["ca_realise_eur"].sum() < res["couts_reels_eur"].sum()),
        "fin_annee_sous_objectif": bool(year_end < obj["bornes_installees"]),
    }


def facts(data: dict) -> dict:
    """Every figure the texts of the key and the guide quote (see b3_texts)."""
    taches, avancement, couts = data["taches"], data["avancement"], data["couts_projet"]
    prix = dict(zip(data["prix"]["parametre"], data["prix"]["valeur"], strict=True))
    plan = schedule(taches)
    rd = dict(zip(avancement["id"], avancement["duree_recalee_semaines"], strict=True))
    replanned = schedule(taches, rd)
    charge = (taches["etp"] * taches["duree_semaines"]).groupby(taches["service"]).sum()
    charge = list(charge.sort_values(ascending=False).items())
    fixes = int(couts.loc[couts["nature"] == "fixe", "montant_eur"].sum())
    var = couts[couts["nature"] == "variable"]
    once = int(var.loc[var["unite"] == "€ par borne installée", "montant_eur"].sum())
    yearly = int(var.loc[var["unite"] == "€ par borne et par an", "montant_eur"].sum())
    marge = prix["installation_facturee"] - once + prix["abonnement_annuel"] - yearly
    m = taches[["id", "cout_eur"]].merge(avancement, on="id")
    pv, ev = (m["cout_eur"] * m["prevu_pct"]).sum() / 100, (m["cout_eur"] * m["realise_pct"]).sum() / 100
    ac, bac = m["cout_reel_eur"].sum(), m["cout_eur"].sum()
    accords = data["accords"].set_index("sujet")
    res = data["resultats_projet"]
    prev, year_end = forecast(res)
    clients = client_indicators(data)
    cohorts = {}
    for c, mois in zip(data["comptes"]["client"], data["comptes"]["mois_debut"], strict=True):
        cohorts.setdefault(f"T{(int(mois[5:7]) - 1) // 3 + 1} {mois[:4]}", []).append(c)
    return {
        **detect(data), "taches": taches.set_index("id")["tache"].to_dict(), "durees": plan["fin_tot"] - plan["debut_tot"],
        "duree_projet": int(plan["fin_tot"].max()), "duree_recalee": int(replanned["fin_tot"].max()),
        "marges": plan["marge"].to_dict(), "recalage": {t: rd[t] - d for t, d in zip(taches["id"], taches["duree_semaines"],
                                                                                       strict=True) if rd[t] != d},
        "charge": charge, "fixes": fixes, "ponctuels": once, "annuels": yearly, "marge": int(marge),
        "point_mort_exact": fixes / marge, "point_mort": math.ceil(fixes / marge), "prix": prix,
        "pv": pv, "ev": ev, "ac": ac, "bac": bac, "spi": ev / pv, "cpi": ev / ac, "eac": bac / (ev / ac),
        "indices": task_indices(taches, avancement), "accords": {s: (r["id"], r["teneur"]) for s, r in accords.iterrows()},
        "clients": clients, "comptes": data["comptes"].set_index("client"),
        "nps_global": nps(data["enquetes_nps"]["note"]),
        "retention": {k: 100 * sum(clients.loc[c, "decision"] != "résilié" for c in v) / len(v) for k, v in sorted(cohorts.items())},
        "cohortes": dict(sorted(cohorts.items())), "attrition": 100 * (clients["decision"] == "résilié").mean(),
        "cumuls": {k: int(res[k].sum()) for k in res.columns if k != "mois"}, "objectifs": data["objectifs_projet"],
        "roi": 100 * (res["ca_realise_eur"].sum() - res["couts_reels_eur"].sum()) / res["couts_reels_eur"].sum(),
        "prevision": prev, "fin_annee": year_end,
    }
