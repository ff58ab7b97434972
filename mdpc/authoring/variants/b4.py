"""Session variants of B4_pilotage_performance (C4.1 to C4.3): Ombelle Énergie's data drawn from the seed.

What a session draws (``rng_for(seed + attempt, k)``, retried until the same difficulty holds):
- C4.1: the activities and absences of the plan (the generator's own seed): 5 to 10 overloaded cells, and the
  solution's greedy rebalancing (the notebook's ``reequilibrer``, executed from its source) leaves none — nor do
  the correct variants of variantes.yaml, while each wrong answer of erreurs_types.yaml still fails its tests;
- C4.2: who sells well (the reps' skills, shuffled) and the January target: three reps far from target, the
  weakest converter among them, two pipelines that do not cover the next quarter (the key's reading);
- C4.3: the three planted anomalies (an input error ×10, an exceptional deal, an absence: other reps, months,
  products, another amount), the only months whose z-score exceeds 2.5; the reps' skills, shuffled;
- names: the eight reps and the firm.
:func:`detect` finds the events by the lesson's methods (capacity against load, KPI and thresholds, z-score
crossed with activity and products); the variant's events are what it finds.
"""

from __future__ import annotations

import functools
import io
import json
import re

import nbformat
import numpy as np
import pandas as pd

from mdpc import CAS_DIR, COURS_DIR, PROJECT_ROOT
from mdpc.authoring.datagen import b4 as gen
from mdpc.authoring.sessions import AssignmentVariant, Replacement, rename
from mdpc.authoring.variants import FIRST_NAMES, SURNAMES, people_names, pick, rng_for
from mdpc.authoring.variants import b4_textes as t
from mdpc_utils.bloc4 import check_plan

ASSIGNMENT = "B4_pilotage_performance"
FOLDER = CAS_DIR / ASSIGNMENT
PEOPLE = [("Camille Durand", "f"), ("Karim Benali", "m"), ("Sophie Marchand", "f"), ("Thomas Nguyen", "m"),
          ("Inès Fabre", "f"), ("Julien Morel", "m"), ("Aïcha Diallo", "f"), ("Lucas Perrin", "m")]
FIRMS = ["Azalée", "Éolane", "Iridea", "Opaline", "Ambrelle", "Isaline", "Elvane", "Ysaline", "Avelane", "Océlia"]
MENTOR = "Camille Durand"   # the key-account manager who coaches the weakest converter in the key
KINDS = ("erreur de saisie", "affaire exceptionnelle", "absence")
CAUSE_OF = {"erreur de saisie": "erreur de saisie", "affaire exceptionnelle": "affaire exceptionnelle",
            "absence": "absence ou congé"}
SEUILS = {"taux_atteinte": 85, "taux_conversion": 30, "couverture_pipeline": 1}  # reponses_corrige.json
FAR, LOW_COVER, Z = 55, 0.5, 2.5
WEEKS = gen.PLAN_WEEKS
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
WEAK_SKILLS, STRONG_SKILLS = (0.6, 0.7, 0.8), (0.95, 1.05, 1.1, 1.25, 1.3)  # C4.2: three reps sell badly
PLANNING_ATTEMPTS = 5000  # the generator's draws of a plan (about one in three hundred is kept)


# ---------------------------------------------------------------------------------------------- detection

def _capacity(data) -> pd.DataFrame:
    return gen.capacity(data["equipe"], data["absences"])


def detect_overloads(data) -> tuple:
    """C4.1: cells where the given plan's load exceeds the capacity (absences deducted), largest first."""
    load = gen.load_per_week(data["activites_plan"].rename(columns={"echeance": "semaine_fin"}))
    excess = (load - _capacity(data)).stack()
    excess = excess[excess > 1e-9].sort_values(ascending=False, kind="stable")
    return tuple((rep, int(week), round(float(h), 1)) for (rep, week), h in excess.items())


def dashboard(data) -> dict:
    """C4.2: the semester's KPI per rep (the statement's definitions) and the coverage of July–September."""
    o, obj, act = data["crm_opportunites"], data["objectifs_ca"], data["crm_activite"]
    closed = o[(o["date_cloture"].fillna("").astype(str).str[:7].between("2026-01", "2026-06"))
               & o["statut"].isin(["gagnée", "perdue"])]
    out = {}
    for rep in sorted(o["commercial"].unique()):
        c = closed[closed["commercial"] == rep]
        won = c[c["statut"] == "gagnée"]
        target = obj[(obj["commercial"] == rep) & obj["mois"].between("2026-01", "2026-06")]["objectif_ca"].sum()
        t3 = obj[(obj["commercial"] == rep) & obj["mois"].between("2026-07", "2026-09")]["objectif_ca"].sum()
        pipe = o[(o["commercial"] == rep) & (o["statut"] == "en cours")]["montant_ht"].sum()
        out[rep] = {"ca": float(won["montant_ht"].sum()), "nb_commandes": len(won), "clos": len(c),
                    "taux_conversion": 100 * len(won) / len(c) if len(c) else 0.0,
                    "taux_atteinte": 100 * float(won["montant_ht"].sum()) / target,
                    "couverture_pipeline": float(pipe) / t3,
                    "rendez_vous": int(act[(act["commercial"] == rep) & act["mois"].between("2026-01", "2026-06")]
                                       ["rendez_vous"].sum())}
    return out


def detect_dashboard(data) -> dict:
    """C4.2: who is far from target, the weakest converter, the pipelines that do not cover the next quarter."""
    k = dashboard(data)
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
    k, d = dashboard(data), detect_dashboard(data)
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


# ---------------------------------------------------------------------------------------------- drawing

def tables(draw: dict | None = None) -> dict[str, pd.DataFrame]:
    """The assignment's tables by file stem: today's (``draw`` None) or a session's."""
    files = gen.b4_tables(**({} if draw is None else {
        "planning_seed": draw["planning_seed"], "attempts": PLANNING_ATTEMPTS, "crm": draw["crm"],
        "performance": draw["performance"]}))
    return {name.removesuffix(".csv"): df for name, df in files.items()}


def csv_texts(data: dict[str, pd.DataFrame]) -> dict[str, str]:
    return {f"{stem}.csv": df.to_csv(index=False, lineterminator="\n") for stem, df in data.items()}


def reread(texts: dict[str, str]) -> dict[str, pd.DataFrame]:
    """Tables as a notebook reads them from data/ (the CSV texts)."""
    return {name.removesuffix(".csv"): pd.read_csv(io.StringIO(text)) for name, text in texts.items()}


def _as_read(**tables_) -> dict[str, pd.DataFrame]:
    return reread(csv_texts(tables_))


def default_draw() -> dict:
    return {"planning_seed": gen.SEED_B4, "crm": {"seed": gen.SEED_B4},
            "performance": {"seed": gen.SEED_B4, "anomalies": tuple(gen.ANOMALIES_B4),
                            "exceptional": gen.EXCEPTIONAL_DEAL}}


def _draw_anomalies(rng) -> tuple:
    reps = [PEOPLE[int(i)][0] for i in rng.permutation(len(PEOPLE))[:3]]
    months = [MONTHS[int(i)] for i in rng.integers(0, 12, size=3)]
    products = [pick(rng, list(gen.PRODUCTS)) for _ in range(2)]
    return ((reps[0], months[0], products[0], "erreur de saisie"),
            (reps[1], months[1], products[1], "affaire exceptionnelle"), (reps[2], months[2], None, "absence"))


@functools.cache
def _taken() -> frozenset:
    """Pool names already used anywhere in the project's cases, lessons and demo cohort."""
    texts = [p.read_text(encoding="utf-8", errors="replace") for root in (CAS_DIR, COURS_DIR,
             PROJECT_ROOT / "mdpc" / "authoring" / "demo") for p in root.rglob("*")
             if p.is_file() and p.suffix in {".ipynb", ".csv", ".md", ".yaml", ".json", ".py"}]
    words = set(re.findall(r"[\w'-]+", "\n".join(texts)))
    pool = set(FIRST_NAMES["f"] + FIRST_NAMES["m"] + SURNAMES + FIRMS)
    return frozenset(n for n in pool if n in words or any(part in words for part in n.split()) and " " in n)


def draw_session(seed: int) -> tuple[dict, dict, dict]:
    """(draw, data, facts) of a session: each part retried (seed + attempt) until its difficulty holds."""
    draw = {}
    for attempt in range(100):
        planning_seed = int(rng_for(seed + attempt, 1).integers(1, 2**31 - PLANNING_ATTEMPTS))
        team, absences, activities = gen.make_b4_planning(planning_seed, PLANNING_ATTEMPTS)
        if (c41 := planning_holds({"equipe": team, "absences": absences, "activites_plan": activities})) is not None:
            draw["planning_seed"] = planning_seed
            break
    else:
        raise RuntimeError("C4.1 : aucun plan de session faisable trouvé")
    for attempt in range(200):
        rng = rng_for(seed + attempt, 2)
        weak = [int(i) for i in rng.permutation([i for i, (p, _) in enumerate(PEOPLE) if p != MENTOR])[:3]]
        low, high = iter(rng.permutation(WEAK_SKILLS)), iter(rng.permutation(STRONG_SKILLS))
        crm = {"seed": int(rng.integers(1, 2**31)), "base_target": int(rng.choice(np.arange(15000, 17001, 500))),
               "skills": tuple(float(next(low) if i in weak else next(high)) for i in range(len(PEOPLE)))}
        opps, act, targets = gen.make_b4_crm(**crm)
        if dashboard_holds(_as_read(crm_opportunites=opps, crm_activite=act, objectifs_ca=targets)) is not None:
            draw["crm"] = crm
            break
    else:
        raise RuntimeError("C4.2 : aucun tableau de bord de session ne raconte l'histoire du corrigé")
    for attempt in range(300):
        rng = rng_for(seed + attempt, 3)
        names = _names(rng_for(seed + attempt, 4))
        perf = {"seed": int(rng.integers(1, 2**31)), "anomalies": _draw_anomalies(rng),
                "skills": tuple(float(x) for x in rng.permutation(gen.PERF_SKILLS)),
                "exceptional": int(rng.integers(30, 47)) * 1000}
        results, act = gen.make_b4_performance(**perf)
        if performance_holds(_as_read(previsions_realise=results, activite_mensuelle=act), perf, names) is not None:
            draw["performance"] = perf
            break
    else:
        raise RuntimeError("C4.3 : aucune anomalie de session détectable trouvée")
    draw["names"] = names
    data = reread(csv_texts(tables(draw)))
    return draw, data, facts(data, draw["performance"], names, c41)


def _names(rng) -> dict:
    names = people_names(rng, PEOPLE, taken=set(_taken()), parts=True)
    firm = pick(rng, [f for f in FIRMS if f not in _taken()])
    return {**names, "Ombelle": firm}


def facts(data: dict[str, pd.DataFrame], draw: dict, names: dict | None = None, c41: dict | None = None) -> dict:
    """Everything the texts tell, computed from the data (and the amounts of the draw); fails if one fails."""
    c41 = c41 or planning_holds(data)
    c42, c43 = dashboard_holds(data), performance_holds(data, draw, names)
    if c41 is None or c42 is None or c43 is None:
        raise AssertionError("B4 : les données de cette session ne tiennent plus la difficulté du cas")
    shown = names or {}
    return {**c41, **c42, **c43, "nom": lambda person: shown.get(person, person)}


# ---------------------------------------------------------------------------------------------- the variant

GUIDE = "corrige/guide_formateur.md"
FACTS = "corrige/faits_reponses.yaml"
SEED_TEXT = ("Les données sont produites par `mdpc/authoring/datagen/b4.py` (graine `SEED_B4 = 20260401`) ; `mdpc "
             "donnees`\nles régénère à l'identique, octet pour octet, et `tests/test_datagen.py` vérifie ce qu'elles "
             "portent.")
SESSION_SEED_TEXT = ("Les données de cette session sont produites par `mdpc/authoring/variants/b4.py` à partir de la "
                     "graine de la\nsession ; `mdpc publier --session` les régénère à l'identique, octet pour octet, et "
                     "`tests/test_sessions_b4.py`\nvérifie ce qu'elles portent.")
README_TEXT = "graine fixe : elles sont identiques d'une session à l'autre)."
SESSION_README_TEXT = "partir de la graine de la session : chaque session a les siennes)."


@functools.cache
def default_facts() -> dict:
    return facts(reread(csv_texts(tables())), default_draw()["performance"])


def replacements(today: dict, session: dict) -> tuple[Replacement, ...]:
    """Every passage that depends on the data, today's text → the session's (names still today's)."""
    out = [Replacement("C4_3_analyse_statistique.ipynb", t.render_causes_test(today), t.render_causes_test(session), 1)]
    for render in (t.render_guide_overloads, t.render_guide_dashboard_story, t.render_guide_dashboard_table,
                   t.render_guide_planted, t.render_guide_anomalies, t.render_guide_causes, t.render_guide_regression):
        out.append(Replacement(GUIDE, render(today), render(session), 1))
    out += [Replacement(GUIDE, SEED_TEXT, SESSION_SEED_TEXT, 1),
            Replacement("data/README.md", README_TEXT, SESSION_README_TEXT, 1)]
    out += [Replacement(FACTS, render(today), render(session), 1)
            for render in (t.render_facts_c41, t.render_facts_c42, t.render_facts_c43)]
    key = json.loads((FOLDER / "corrige" / "reponses_corrige.json").read_text(encoding="utf-8"))
    old, new = t.render_key(key, today), t.render_key(key, session)
    out += [Replacement("corrige/reponses_corrige.json", old[nb], new[nb], 1) for nb in old]
    out.append(Replacement("corrige/reponses_sans_code.json", today["grille"], session["grille"], 1))
    return tuple(out)


def renamed(value, names: dict):
    """Events or facts with the session's names (strings renamed as whole words, tuples kept)."""
    if isinstance(value, str):
        return rename(value, names)
    if isinstance(value, (tuple, list)):
        return type(value)(renamed(v, names) for v in value)
    if isinstance(value, dict):
        return {renamed(k, names): renamed(v, names) for k, v in value.items()}
    return value


def leaks(texts: dict[str, str], replaced: tuple[Replacement, ...], names: dict) -> list[str]:
    """Facts of the session's faits_reponses.yaml found in its data files (what candidates receive)."""
    patterns = [re.search(r"motif: '(.*)'$", line).group(1) for r in replaced if r.files == FACTS
                for line in rename(r.new, names).splitlines() if line.strip().startswith("- motif:")]
    plain = {name: " ".join(rename(text, names).casefold().split()) for name, text in texts.items()}
    return [f"{name}: {p}" for p in patterns for name, text in plain.items() if re.search(p, text, re.I)]


@functools.cache
def variant(seed: int) -> AssignmentVariant:
    """The session's B4_pilotage_performance: data, names, passages and planted events."""
    for outer in range(5):
        draw, data, session = draw_session(seed + 7919 * outer)
        texts, names = csv_texts(data), draw["names"]
        found = detect(reread(texts))
        assert found == detect(data), "B4 : les événements ne se retrouvent pas dans les fichiers CSV"
        replaced = replacements(default_facts(), session)
        if not leaks(texts, replaced, names):
            return AssignmentVariant(data=texts, names=names, replacements=replaced, events=renamed(found, names))
    raise RuntimeError("B4 : aucune session sans fuite d'un fait de réponse dans ses données")
