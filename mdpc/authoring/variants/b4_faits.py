"""Facts and constraints of B4_pilotage_performance's data: the planted events found by the lessons' methods
(:func:`detect`), and the checks that a session keeps the difficulty and the story of today's case (``…_holds``:
None when it does not). Used by ``mdpc.authoring.variants.b4``."""

from __future__ import annotations

import functools
import re

import nbformat
import numpy as np
import pandas as pd

from mdpc import CAS_DIR
from mdpc.authoring.datagen import b4 as gen
from mdpc_utils.bloc4 import check_plan

ASSIGNMENT = "B4_pilotage_performance"
FOLDER = CAS_DIR / ASSIGNMENT
PEOPLE = [("Camille Durand", "f"), ("Karim Benali", "m"), ("Sophie Marchand", "f"), ("Thomas Nguyen", "m"),
          ("Inès Fabre", "f"), ("Julien Morel", "m"), ("Aïcha Diallo", "f"), ("Lucas Perrin", "m")]
MENTOR = "Camille Durand"   # the key-account manager who coaches the weakest converter in the key
KINDS = ("erreur de saisie", "affaire exceptionnelle", "absence")
CAUSE_OF = {"erreur de saisie": "erreur de saisie", "affaire exceptionnelle": "affaire exceptionnelle",
            "absence": "absence ou congé"}
SEUILS = {"taux_atteinte": 85, "taux_conversion": 30, "couverture_pipeline": 1}  # reponses_corrige.json
FAR, LOW_COVER, Z = 55, 0.5, 2.5
WEEKS = gen.PLAN_WEEKS
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


# ---------------------------------------------------------------------------------------------- detection

def _capacity(data) -> pd.DataFrame:
    return gen.capacity(data["equipe"], data["absences"])


def detect_overloads(data) -> tuple:
    """C4.1: cells where the given plan's load exceeds the capacity (absences deducted), largest first."""
    load = pd.DataFrame(0.0, index=data["equipe"]["commercial"], columns=WEEKS)  # as gen.load_per_week, any team
    for a in data["activites_plan"].itertuples():
        span = range(a.semaine_debut, a.echeance + 1)
        for week in span:
            load.loc[a.responsable, week] += a.charge_heures / len(span)
    excess = (load - _capacity(data)).stack()
    excess = excess[excess > 1e-9].sort_values(ascending=False, kind="stable")
    return tuple((rep, int(week), round(float(h), 1)) for (rep, week), h in excess.items())


def dashboard(data) -> dict:
    """C4.2: the semester's KPI per rep (the statement's definitions) and the coverage of July–September.

    Each table is split by rep once (rows kept in the table's order: the same sums, to the last bit, as
    filtering the whole table rep by rep, seven times faster; a session's draw calls this for each attempt)."""
    o, obj, act = data["crm_opportunites"], data["objectifs_ca"], data["crm_activite"]
    closed = o[(o["date_cloture"].fillna("").astype(str).str[:7].between("2026-01", "2026-06"))
               & o["statut"].isin(["gagnée", "perdue"])]

    def by_rep(table):
        return dict(tuple(table.groupby("commercial", sort=False)))

    closed_, open_ = by_rep(closed), by_rep(o[o["statut"] == "en cours"])
    half, t3_ = by_rep(obj[obj["mois"].between("2026-01", "2026-06")]), by_rep(obj[obj["mois"].between("2026-07", "2026-09")])
    meetings = by_rep(act[act["mois"].between("2026-01", "2026-06")])
    out = {}
    for rep in sorted(o["commercial"].unique()):
        c = closed_.get(rep, closed.iloc[0:0])
        won = c[c["statut"] == "gagnée"]
        target = half.get(rep, obj.iloc[0:0])["objectif_ca"].sum()
        t3 = t3_.get(rep, obj.iloc[0:0])["objectif_ca"].sum()
        pipe = open_.get(rep, o.iloc[0:0])["montant_ht"].sum()
        out[rep] = {"ca": float(won["montant_ht"].sum()), "nb_commandes": len(won), "clos": len(c),
                    "taux_conversion": 100 * len(won) / len(c) if len(c) else 0.0,
                    "taux_atteinte": 100 * float(won["montant_ht"].sum()) / target,
                    "couverture_pipeline": float(pipe) / t3,
                    "rendez_vous": int(meetings.get(rep, act.iloc[0:0])["rendez_vous"].sum())}
    return out


def detect_dashboard(data, k: dict | None = None) -> dict:
    """C4.2: who is far from target, the weakest converter, the pipelines that do not cover the next quarter
    (`k`: the dashboard, when it is already computed)."""
    k = dashboard(data) if k is None else k
    return {"sous_objectif": tuple(sorted(r for r in k if k[r]["taux_atteinte"] < FAR)),
            "conversion_min": min(k, key=lambda r: k[r]["taux_conversion"]),
            "pipeline_faible": tuple(sorted(r for r in k if k[r]["couverture_pipeline"] < LOW_COVER))}


def monthly(data) -> pd.DataFrame:
    m = data["previsions_realise"].groupby(["commercial", "mois"], as_index=False)[["prevision_ht", "realise_ht"]].sum()
    m["taux"] = m["realise_ht"] / m["prevision_ht"]
    g = m.groupby("commercial")["taux"]
    m["z"] = (m["taux"] - g.transform("mean")) / g.transform("std")
    return m


def detect_anomalies(data) -> tuple:
    """C4.3: months whose achievement rate has |z| > 2.5 within the rep's year, with their cause found by
    crossing with the activity (an emptied month: absence) and the products (the product carrying the gap,
    divided by ten, back at the rate of the month's other products: input error; else an exceptional deal)."""
    m, perf, act = monthly(data), data["previsions_realise"], data["activite_mensuelle"]
    found = []
    for a in m[m["z"].abs() > Z].sort_values("z", key=abs, ascending=False).itertuples():
        meetings = act[act["commercial"] == a.commercial].set_index("mois")["rendez_vous"]
        if a.z < 0:
            cause = "absence" if meetings[a.mois] <= 0.25 * meetings.median() else "autre"
            found.append((a.commercial, a.mois, CAUSE_OF.get(cause, cause), None))
            continue
        rows = perf[(perf["commercial"] == a.commercial) & (perf["mois"] == a.mois)].set_index("produit")
        gap = rows["realise_ht"] - rows["prevision_ht"]
        product = gap.idxmax()
        others = rows.drop(index=product)
        usual = others["realise_ht"].sum() / others["prevision_ht"].sum()
        tenth = rows.loc[product, "realise_ht"] / 10 / rows.loc[product, "prevision_ht"]
        cause = "erreur de saisie" if 0.75 <= tenth / usual <= 1.33 else "affaire exceptionnelle"
        found.append((a.commercial, a.mois, cause, product))
    return tuple(found)


def detect(data: dict[str, pd.DataFrame]) -> dict:
    """The planted events of the assignment found in its data (tables by file stem)."""
    return {"surcharges": detect_overloads(data), "tableau_de_bord": detect_dashboard(data),
            "anomalies": detect_anomalies(data)}


# ---------------------------------------------------------------------------------------------- C4.1 solution

@functools.cache
def _solution_code() -> str:
    """The solution's code of C4.1 (capacity, charge_hebdo, reequilibrer), as the notebook has it."""
    nb = nbformat.read(FOLDER / "C4_1_plan_de_charges.ipynb", as_version=4)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells}
    parts = [re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cells[i], re.S).group(1)
             for i in ("C4_1_capacite_rep", "C4_1_charge_rep", "C4_1_plan_rep")]
    return "\n".join(parts)


def solve_plan(data) -> dict:
    """The notebook's solution executed on the data: capacity, load, the rebalanced plan, and reequilibrer."""
    ns = {"pd": pd, "np": np, "SEMAINES": WEEKS, "HEURES_PAR_JOUR": gen.HOURS_PER_DAY, "equipe": data["equipe"],
          "absences": data["absences"], "activites": data["activites_plan"]}
    exec(compile(_solution_code(), "C4_1_plan_de_charges (corrigé)", "exec"), ns)  # noqa: S102 (our own source)
    ns["charge"] = ns["charge_hebdo"](data["activites_plan"].assign(semaine_fin=data["activites_plan"]["echeance"]))
    return ns


def grid_rows(plan: pd.DataFrame) -> list[dict]:
    return [{"responsable": r.responsable, "semaine_debut": int(r.semaine_debut), "semaine_fin": int(r.semaine_fin)}
            for r in plan.itertuples()]


def planning_holds(data) -> dict | None:
    """The facts of C4.1 if its difficulty holds (feasible by the key and its variants; wrong answers caught)."""
    ns, act = solve_plan(data), data["activites_plan"]
    cap, plan = ns["capacite"], ns["plan"]
    current = act.assign(semaine_fin=act["echeance"])
    excess = (ns["charge"] - cap).stack()
    if not ((excess >= 0) & (excess <= 1e-9)).any() or set(act.head(3)["echeance"]) == {5}:
        return None  # a full cell (charge = capacity) exists; charge_hebdo's test plan differs from the deadlines
    if check_plan(plan, act, cap):
        return None
    no_absence = gen.capacity(data["equipe"], data["absences"].iloc[0:0])
    if not check_plan(ns["reequilibrer"](current, no_absence), act, cap):
        return None  # the key rebalanced without the absences must fail
    for other in (ns["reequilibrer"](current.iloc[::-1], cap), ns["reequilibrer"](current, cap * 0.95)):
        if check_plan(other, act, cap):
            return None  # the correct variants of variantes.yaml hold too
    occupation = ns["charge_hebdo"](plan).sum(axis=1) / cap.sum(axis=1)
    busiest = set(occupation.sort_values(ascending=False, kind="stable").index[:2])
    return {"surcharges": detect_overloads(data), "grille": grid_rows(plan),
            "plus_charges": tuple(r for r in cap.index if r in busiest)}


# ---------------------------------------------------------------------------------------------- C4.2, C4.3

def dashboard_holds(data) -> dict | None:
    k = dashboard(data)
    d = detect_dashboard(data, k)
    late, weakest, low = d["sous_objectif"], d["conversion_min"], d["pipeline_faible"]
    conv = sorted(v["taux_conversion"] for v in k.values())
    covers = sorted(v["couverture_pipeline"] for v in k.values())
    if (len(late) != 3 or weakest not in late or weakest == MENTOR or MENTOR in late or conv[1] - conv[0] < 2
            or len(low) != 2 or covers[2] < LOW_COVER + 0.05
            or min(v["taux_atteinte"] for r, v in k.items() if r not in late) < 75):
        return None
    alerts = {key: tuple(r for r in k if k[r][key] < s) for key, s in SEUILS.items()}
    o = data["crm_opportunites"]  # wrong answers of erreurs_types.yaml must change the alerts
    open_all = (o["statut"] == "en cours").sum()
    wrong_conv = {r: 100 * v["nb_commandes"] / max(1, v["clos"] + open_all) for r, v in k.items()}
    if {r for r in k if wrong_conv[r] < 30} == set(alerts["taux_conversion"]):
        return None
    obj = data["objectifs_ca"]
    half = obj[obj["mois"] <= "2026-06"].groupby("commercial")["objectif_ca"].sum()
    t3 = obj[obj["mois"].between("2026-07", "2026-09")].groupby("commercial")["objectif_ca"].sum()
    if not any(v["couverture_pipeline"] >= 1 > v["couverture_pipeline"] * t3[r] / half[r] for r, v in k.items()):
        return None
    return {"tableau": k, "alertes": alerts, **d}


def performance_holds(data, draw: dict, names: dict | None = None) -> dict | None:
    m, found = monthly(data), detect_anomalies(data)
    planted = {(rep, month): CAUSE_OF[kind] for rep, month, _, kind in draw["anomalies"]}
    if {(r, mo): c for r, mo, c, _ in found} != planted:
        return None
    normal = m[[(r, mo) not in planted for r, mo in zip(m["commercial"], m["mois"], strict=True)]]
    if normal["z"].abs().max() > Z - 0.2:
        return None
    amounts = m.groupby("commercial")["realise_ht"].transform(lambda s: (s - s.mean()) / s.std())
    if set(zip(m["commercial"][amounts.abs() > 2], m["mois"][amounts.abs() > 2], strict=True)) == set(planted):
        return None  # the z-score on amounts (a wrong answer) must find something else
    ranked = [(r, mo) for r, mo, _, _ in found]
    shown = names or {}
    if sorted(ranked, key=lambda k: (shown.get(k[0], k[0]), k[1])) == ranked:
        return None  # anomalies left in the rep order (a wrong answer) must differ from the |z| order
    base = (data["previsions_realise"].groupby(["commercial", "mois"], as_index=False)["realise_ht"].sum()
            .merge(data["activite_mensuelle"], on=["commercial", "mois"]))
    keep = base[[(r, mo) not in planted for r, mo in zip(base["commercial"], base["mois"], strict=True)]]
    corr = keep["rendez_vous"].corr(keep["realise_ht"])
    slope = np.polyfit(keep["rendez_vous"], keep["realise_ht"], 1)[0]
    if corr < 0.8 or abs(base["rendez_vous"].corr(base["realise_ht"]) - corr) < 0.02:
        return None
    perf = data["previsions_realise"]
    pairs = perf.groupby(["commercial", "produit"])[["prevision_ht", "realise_ht"]].sum()
    if not (100 * (pairs.realise_ht - pairs.prevision_ht) / pairs.prevision_ht <= -5).any():
        return None
    reps = perf.groupby("commercial")[["prevision_ht", "realise_ht"]].sum()
    gap = (reps.realise_ht - reps.prevision_ht).sort_values(ascending=False)
    behind = tuple(gap[gap < 0].index)
    if gap.sum() <= 0 or not 1 <= len(behind) <= 3 or gap.iloc[:2].sum() < 0.45 * gap[gap > 0].sum():
        return None
    by_key = {(r, mo): (a, z) for r, mo, a, z in zip(m["commercial"], m["mois"], m["taux"], m["z"], strict=True)}
    anomalies = [{"rep": rep, "month": month, "product": product, "kind": kind, "taux": by_key[(rep, month)][0],
                  "z": by_key[(rep, month)][1]} for rep, month, product, kind in draw["anomalies"]]
    return {"anomalies": anomalies, "exceptionnel": draw["exceptional"], "correlation": float(corr),
            "pente": float(slope), "en_avance": tuple(gap.index[:2]), "en_retard": behind}
