"""Seeded generators of the case data (committed as CSV beside the cases, see each data/README.md).

Bloc 4 — Ombelle Énergie SAS (fictional): a Lyon company selling energy-management solutions
(IoT sensors, a steering software sold by annual subscription, energy audits, maintenance
contracts) to SMEs and local authorities of Auvergne-Rhône-Alpes, with a sales team of eight.

Run ``mdpc donnees`` to regenerate; the same seed always gives the same files, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mdpc import CAS_DIR

SEED_B4 = 20260401
COMPANY = "Ombelle Énergie"
HOURS_PER_DAY = 7
PLAN_WEEKS = list(range(2, 10))  # ISO weeks 2 to 9 of 2027: 11 January – 5 March 2027

TEAM = pd.DataFrame(
    [
        ("Camille Durand", "Responsable grands comptes", "Lyon Nord", 5, 6),
        ("Karim Benali", "Commercial terrain", "Lyon Sud", 5, 3),
        ("Sophie Marchand", "Commerciale terrain (80 %)", "Isère", 4, 9),
        ("Thomas Nguyen", "Commercial terrain", "Savoie", 5, 2),
        ("Inès Fabre", "Commerciale terrain", "Loire", 5, 4),
        ("Julien Morel", "Commercial junior", "Ain", 5, 1),
        ("Aïcha Diallo", "Commerciale terrain", "Drôme-Ardèche", 5, 5),
        ("Lucas Perrin", "Chargé d'affaires secteur public", "Collectivités", 5, 7),
    ],
    columns=["commercial", "fonction", "secteur", "jours_par_semaine", "anciennete_ans"],
)

PRODUCTS = {  # product: (average deal in €, share of forecasts)
    "Capteurs IoT": (4200, 0.25),
    "Logiciel de pilotage": (9800, 0.35),
    "Audit énergétique": (6500, 0.25),
    "Contrat de maintenance": (3100, 0.15),
}

# (type, hours range, transferable, deliverable, expected result)
ACTIVITY_KINDS = [
    ("Rendez-vous de suivi des comptes clés", (10, 18), "non", "Comptes rendus de visite dans le CRM",
     "Renouvellement des contrats arrivant à échéance"),
    ("Campagne de prospection téléphonique", (8, 16), "oui", "Fichier d'appels qualifié",
     "Rendez-vous découverte obtenus"),
    ("Réponse à un appel d'offres public", (12, 20), "oui", "Dossier de réponse déposé",
     "Offre recevable remise dans les délais"),
    ("Préparation du salon régional de l'efficacité énergétique", (6, 12), "oui", "Stand et supports prêts",
     "Contacts qualifiés collectés"),
    ("Démonstrations du logiciel de pilotage", (6, 12), "non", "Démonstrations réalisées et tracées",
     "Propositions commerciales envoyées"),
    ("Relance des devis en attente", (4, 8), "oui", "Tableau des relances à jour", "Devis signés"),
    ("Formation produit capteurs nouvelle génération", (4, 7), "non", "Attestation de formation",
     "Argumentaire maîtrisé"),
    ("Reporting mensuel d'activité", (3, 5), "non", "Rapport mensuel transmis", "Prévisions fiabilisées"),
]


def _activities(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    n = 0
    for rep in TEAM.commercial:
        kinds = rng.choice(len(ACTIVITY_KINDS), size=6, replace=False)
        for k in kinds:
            kind, (lo, hi), transferable, deliverable, result = ACTIVITY_KINDS[k]
            n += 1
            start = int(rng.integers(2, 8))
            end = int(min(9, start + rng.integers(0, 3)))
            rows.append((f"ACT{n:02d}", kind, rep, int(round(rng.integers(lo, hi + 1) * (end - start + 1) * 1.4)),
                         start, end, transferable, deliverable, result))
    df = pd.DataFrame(rows, columns=["id", "intitule", "responsable", "charge_heures", "semaine_debut",
                                     "echeance", "transferable", "livrable", "resultat_attendu"])
    return df


def _absences(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for rep in TEAM.commercial:
        leave = int(rng.integers(2, 10)) if rng.random() < 0.5 else None
        if leave:
            rows.append((rep, leave, 5, "Congés"))
        if rng.random() < 0.6:
            week = int(rng.choice([w for w in PLAN_WEEKS if w != leave]))
            rows.append((rep, week, int(rng.integers(1, 3)), "Formation"))
    return pd.DataFrame(rows, columns=["commercial", "semaine", "jours", "motif"]).sort_values(
        ["commercial", "semaine"], ignore_index=True)


def capacity(team: pd.DataFrame, absences: pd.DataFrame, weeks=PLAN_WEEKS) -> pd.DataFrame:
    """Hours available per rep and week (used by the generator's feasibility check)."""
    cap = pd.DataFrame({w: team.set_index("commercial").jours_par_semaine for w in weeks}, dtype=float)
    for a in absences.itertuples():
        cap.loc[a.commercial, a.semaine] = max(0, cap.loc[a.commercial, a.semaine] - a.jours)
    return cap * HOURS_PER_DAY


def load_per_week(plan: pd.DataFrame, weeks=PLAN_WEEKS) -> pd.DataFrame:
    """Hours of work per rep and week, each activity spread evenly over its weeks."""
    out = pd.DataFrame(0.0, index=TEAM.commercial, columns=weeks)
    for a in plan.itertuples():
        span = list(range(a.semaine_debut, a.semaine_fin + 1))
        for wk in span:
            out.loc[a.responsable, wk] += a.charge_heures / len(span)
    return out


def _screen(activities: pd.DataFrame, absences: pd.DataFrame) -> tuple[int, float]:
    """(overloaded cells, load / capacity) of a drawn plan: capacity() and load_per_week() in numpy, the same
    operations in the same order (the same floats), fast enough to screen thousands of draws."""
    rank = {rep: i for i, rep in enumerate(TEAM.commercial)}
    cap = np.repeat(TEAM.jours_par_semaine.to_numpy(dtype=float)[:, None], len(PLAN_WEEKS), axis=1)
    for rep, week, days in zip(absences.commercial, absences.semaine, absences.jours, strict=True):
        cap[rank[rep], week - PLAN_WEEKS[0]] = max(0, cap[rank[rep], week - PLAN_WEEKS[0]] - days)
    cap = cap * HOURS_PER_DAY
    load = np.zeros_like(cap)
    for rep, hours, start, end in zip(activities.responsable, activities.charge_heures, activities.semaine_debut,
                                      activities.echeance, strict=True):
        for week in range(start, end + 1):
            load[rank[rep], week - PLAN_WEEKS[0]] += hours / (end - start + 1)
    return int((load - cap > 1e-9).sum()), float(load.sum() / cap.sum())


def make_b4_planning(seed: int = SEED_B4, attempts: int = 200):
    """Team, absences and activities of C4.1: overloaded as given, feasible once rebalanced.

    About one draw in three hundred overloads 5 to 10 cells at 60 to 75 % of the capacity: a session's seed
    may need more ``attempts`` than today's."""
    for attempt in range(attempts):
        rng = np.random.default_rng(seed + attempt)
        act, absn = _activities(rng), _absences(rng)
        overloaded, ratio = _screen(act, absn)
        if 5 <= overloaded <= 10 and 0.6 <= ratio <= 0.75:
            return TEAM.copy(), absn, act
    raise RuntimeError("Aucun jeu de données C4.1 acceptable trouvé")


def _months(year: int, first: int, last: int) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(first, last + 1)]


CRM_SKILLS = (1.25, 1.0, 0.95, 0.7, 1.05, 0.6, 1.1, 1.3)  # C4.2: selling skill of each rep, in TEAM order
PERF_SKILLS = (1.1, 1.0, 0.95, 0.8, 1.05, 0.75, 1.0, 1.1)  # C4.3: the same, for the 2026 actuals
BASE_TARGET = 16000  # C4.2: monthly revenue target of a full-time rep in January 2026 (€ HT)
EXCEPTIONAL_DEAL = 38000  # C4.3: amount of the exceptional deal of ANOMALIES_B4 (€ HT)


def make_b4_crm(seed: int = SEED_B4, skills=CRM_SKILLS, base_target: int = BASE_TARGET):
    """CRM export of C4.2 (January–June 2026): opportunities, activity and monthly targets.

    ``skills``: each rep's selling skill (TEAM order); ``base_target``: January target of a full-time rep."""
    rng = np.random.default_rng(seed + 1000)
    skill = dict(zip(TEAM.commercial, skills, strict=True))
    opps, acts, targets = [], [], []
    n = 0
    for rep in TEAM.commercial:
        for month in range(1, 7):
            calls = int(rng.normal(95, 15) * (0.8 if rep == "Sophie Marchand" else 1))
            meetings = int(max(2, rng.normal(14, 3) * skill[rep] ** 0.5))
            acts.append((rep, f"2026-{month:02d}", calls, meetings))
            for _ in range(int(rng.poisson(meetings * 0.45)) + 1):
                n += 1
                product = rng.choice(list(PRODUCTS))
                amount = round(float(rng.gamma(6, PRODUCTS[product][0] / 6)), -1)
                created = pd.Timestamp(2026, month, int(rng.integers(1, 28)))
                p_win = min(0.8, 0.45 * skill[rep])
                draw = rng.random()
                if created.month >= 5 and draw < 0.35:
                    status, closed = "en cours", None
                else:
                    status = "gagnée" if rng.random() < p_win else "perdue"
                    closed = created + pd.Timedelta(days=int(rng.integers(7, 60)))
                    if closed > pd.Timestamp(2026, 6, 30):
                        status, closed = "en cours", None
                opps.append((f"OPP{n:04d}", rep, product, created.date().isoformat(),
                             closed.date().isoformat() if closed is not None else "", status, amount))
        base = base_target * (0.8 if rep == "Sophie Marchand" else 1) * (1.15 if rep == "Lucas Perrin" else 1)
        for month in range(1, 10):
            targets.append((rep, f"2026-{month:02d}", int(round(base * (1 + 0.03 * (month - 1)), -2))))
    return (pd.DataFrame(opps, columns=["id", "commercial", "produit", "date_creation", "date_cloture", "statut",
                                        "montant_ht"]),
            pd.DataFrame(acts, columns=["commercial", "mois", "appels", "rendez_vous"]),
            pd.DataFrame(targets, columns=["commercial", "mois", "objectif_ca"]))


ANOMALIES_B4 = [  # (rep, month, product, kind) injected in C4.3's data; trainers only: corrige/guide_formateur.md
    ("Thomas Nguyen", "2026-05", "Audit énergétique", "erreur de saisie"),
    ("Lucas Perrin", "2026-09", "Logiciel de pilotage", "affaire exceptionnelle"),
    ("Sophie Marchand", "2026-08", None, "absence"),
]


def make_b4_performance(seed: int = SEED_B4, anomalies=tuple(ANOMALIES_B4), skills=PERF_SKILLS,
                        exceptional: int = EXCEPTIONAL_DEAL):
    """Forecasts against actuals of C4.3 (2026, per rep, product and month) and monthly activity.

    ``anomalies``: the planted events, as ANOMALIES_B4 (an absence empties its rep's month: one meeting, six
    calls); ``skills``: each rep's skill (TEAM order); ``exceptional``: amount of the exceptional deal."""
    rng = np.random.default_rng(seed + 2000)
    months = _months(2026, 1, 12)
    season = dict(zip(months, [0.85, 0.9, 1.05, 1.0, 1.05, 1.1, 0.9, 0.6, 1.1, 1.15, 1.1, 1.1], strict=True))
    skill = dict(zip(TEAM.commercial, skills, strict=True))
    absent = {(rep, month) for rep, month, _, kind in anomalies if kind == "absence"}
    perf, act = [], []
    for rep in TEAM.commercial:
        weight = 0.8 if rep == "Sophie Marchand" else 1.0
        for m in months:
            meetings = max(3, int(rng.normal(15 * skill[rep] * season[m] * weight, 2)))
            calls = max(20, int(rng.normal(90 * season[m] * weight, 12)))
            if (rep, m) in absent:
                meetings, calls = 1, 6
            act.append((rep, m, calls, meetings))
            for product, (_avg, share) in PRODUCTS.items():
                forecast = round(17000 * weight * share * season[m] * (1.1 if rep == "Lucas Perrin" else 1), -2)
                actual = forecast * (0.55 + 0.035 * meetings) * rng.normal(1, 0.08)
                for a_rep, a_month, a_product, kind in anomalies:
                    if (rep, m) == (a_rep, a_month) and a_product in (product, None):
                        actual = {"erreur de saisie": actual * 10, "affaire exceptionnelle": actual + exceptional,
                                  "absence": actual * 0.05}[kind]
                perf.append((rep, product, m, int(forecast), int(round(actual, -1))))
    return (pd.DataFrame(perf, columns=["commercial", "produit", "mois", "prevision_ht", "realise_ht"]),
            pd.DataFrame(act, columns=["commercial", "mois", "appels", "rendez_vous"]))


def write_tables(directory: Path, files: dict[str, pd.DataFrame]) -> list[Path]:
    """Write each table as CSV (no index, « \\n » line ends, so that the same seed gives the same bytes)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in files.items():
        path = directory / name
        df.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    return written


def b4_tables(seed: int = SEED_B4, planning_seed: int | None = None, crm: dict | None = None,
              performance: dict | None = None, attempts: int = 200) -> dict[str, pd.DataFrame]:
    """Every table of the bloc 4 assignment by file name. ``planning_seed`` (C4.1, default ``seed``), ``crm``
    and ``performance`` (keyword arguments of make_b4_crm and make_b4_performance): a session's draws."""
    team, absences, activities = make_b4_planning(seed if planning_seed is None else planning_seed, attempts)
    opps, crm_act, targets = make_b4_crm(**{"seed": seed, **(crm or {})})
    perf, perf_act = make_b4_performance(**{"seed": seed, **(performance or {})})
    return {"equipe.csv": team, "absences.csv": absences, "activites_plan.csv": activities,
            "crm_opportunites.csv": opps, "crm_activite.csv": crm_act, "objectifs_ca.csv": targets,
            "previsions_realise.csv": perf, "activite_mensuelle.csv": perf_act}


def write_b4(directory: str | Path | None = None, seed: int = SEED_B4) -> list[Path]:
    """Write every CSV of the bloc 4 assignment; return the paths written."""
    directory = Path(directory) if directory else CAS_DIR / "B4_pilotage_performance" / "data"
    return write_tables(directory, b4_tables(seed))
