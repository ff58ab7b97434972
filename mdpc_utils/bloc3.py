"""Reference computations and checks of the bloc 3 cases (project steering), with French messages."""

from __future__ import annotations

import pandas as pd


def predecessors(value) -> list[str]:
    return [p.strip() for p in str(value or "").split(";") if p.strip() and p.strip().lower() != "nan"]


def critical_path(tasks: pd.DataFrame) -> pd.DataFrame:
    """Earliest and latest start/finish (weeks), total float and criticality of each task (CPM).

    ``tasks``: id, duree_semaines, predecesseurs (ids separated by « ; »). Raises a French error on a cycle.
    """
    dur = dict(zip(tasks["id"], tasks["duree_semaines"], strict=True))
    preds = {t: predecessors(p) for t, p in zip(tasks["id"], tasks["predecesseurs"], strict=True)}
    unknown = sorted({p for ps in preds.values() for p in ps} - set(dur))
    if unknown:
        raise ValueError(f"Prédécesseurs inconnus : {', '.join(unknown)}")
    order, done = [], set()
    while len(order) < len(dur):
        ready = [t for t in dur if t not in done and all(p in done for p in preds[t])]
        if not ready:
            raise ValueError("Les dépendances forment une boucle : aucun ordre chronologique possible.")
        for t in ready:
            order.append(t)
            done.add(t)
    es, ef = {}, {}
    for t in order:
        es[t] = max((ef[p] for p in preds[t]), default=0)
        ef[t] = es[t] + dur[t]
    end = max(ef.values())
    succ = {t: [s for s in dur if t in preds[s]] for t in dur}
    ls, lf = {}, {}
    for t in reversed(order):
        lf[t] = min((ls[s] for s in succ[t]), default=end)
        ls[t] = lf[t] - dur[t]
    out = pd.DataFrame({"debut_tot": es, "fin_tot": ef, "debut_tard": ls, "fin_tard": lf}).loc[list(tasks["id"])]
    out["marge"] = out["debut_tard"] - out["debut_tot"]
    out["critique"] = out["marge"] == 0
    return out


def earned_value(tasks: pd.DataFrame, progress: pd.DataFrame) -> pd.Series:
    """PV, EV, AC, SPI, CPI, BAC and EAC (= BAC / CPI) of the project at the status date."""
    m = tasks[["id", "cout_eur"]].merge(progress, on="id")
    pv = (m["cout_eur"] * m["prevu_pct"] / 100).sum()
    ev = (m["cout_eur"] * m["realise_pct"] / 100).sum()
    ac = m["cout_reel_eur"].sum()
    bac = m["cout_eur"].sum()
    cpi = ev / ac if ac else float("nan")
    return pd.Series({"PV": pv, "EV": ev, "AC": ac, "SPI": ev / pv if pv else float("nan"), "CPI": cpi, "BAC": bac,
                      "EAC": bac / cpi if cpi else float("nan")})


def nps(scores) -> float:
    """Net Promoter Score: % of promoters (9–10) minus % of detractors (0–6)."""
    s = pd.Series(list(scores), dtype=float)
    if s.empty:
        return float("nan")
    return 100 * ((s >= 9).mean() - (s <= 6).mean())


PAYMENT_MAX_DAYS = 60             # code de commerce, art. L441-10 : 60 jours après l'émission de la facture
PAYMENT_MAX_DAYS_END_OF_MONTH = 45  # ou 45 jours fin de mois si les parties le conviennent
RECOVERY_FEE_EUR = 40             # indemnité forfaitaire pour frais de recouvrement (art. D441-5)
