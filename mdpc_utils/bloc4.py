"""Checks and helpers of the bloc 4 cases (Ombelle Énergie): workload plan, SMART objectives, KPIs."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .cases import fr_number

PLAN_WEEKS = list(range(2, 10))
CASE_DATE = dt.date(2027, 1, 4)  # the day the C4.1 case takes place
MEASURABLE_INDICATORS = (
    "Chiffre d'affaires (€ HT)",
    "Nombre de rendez-vous clients",
    "Taux de conversion des opportunités (%)",
    "Panier moyen (€ HT)",
    "Nombre de nouveaux clients",
    "Taux de renouvellement des contrats (%)",
    "Nombre de propositions commerciales envoyées",
)


def check_plan(plan: pd.DataFrame, activities: pd.DataFrame, capacity: pd.DataFrame) -> list[str]:
    """Problems of a rebalanced workload plan, in French; an empty list means the plan holds.

    The plan keeps one row per activity (column ``id``) with ``responsable``, ``semaine_debut`` and
    ``semaine_fin``; the hours come from the activities, spread evenly over the weeks of the plan.
    """
    needed = {"id", "responsable", "semaine_debut", "semaine_fin"}
    if not isinstance(plan, pd.DataFrame):
        return [f"Le plan doit être un DataFrame pandas (reçu {type(plan).__name__})."]
    if not needed <= set(plan.columns):
        return [f"Colonnes manquantes dans le plan : {', '.join(sorted(needed - set(plan.columns)))}."]
    problems = []
    ids = list(plan["id"])
    missing = sorted(set(activities["id"]) - set(ids))
    if missing:
        problems.append(f"Activités absentes du plan : {', '.join(missing)}.")
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        problems.append(f"Activités en double dans le plan : {', '.join(map(str, dupes))}.")
    unknown = sorted(set(ids) - set(activities["id"]))
    if unknown:
        problems.append(f"Activités inconnues dans le plan : {', '.join(map(str, unknown))}.")
    if problems:
        return problems
    ref = activities.set_index("id")
    load = pd.DataFrame(0.0, index=capacity.index, columns=capacity.columns)
    for row in plan.itertuples():
        a = ref.loc[row.id]
        if row.responsable not in capacity.index:
            problems.append(f"{row.id} : « {row.responsable} » ne fait pas partie de l'équipe.")
            continue
        if a.transferable != "oui" and row.responsable != a.responsable:
            problems.append(f"{row.id} ({a.intitule}) n'est pas transférable : elle reste à {a.responsable}.")
        start, end = int(row.semaine_debut), int(row.semaine_fin)
        if not (min(PLAN_WEEKS) <= start <= end):
            problems.append(f"{row.id} : semaines {start} à {end} invalides (le plan commence en semaine {min(PLAN_WEEKS)}).")
            continue
        if end > a.echeance:
            problems.append(f"{row.id} : se termine en semaine {end}, après son échéance (semaine {a.echeance}).")
            continue
        for week in range(start, end + 1):
            load.loc[row.responsable, week] += a.charge_heures / (end - start + 1)
    over = (load - capacity).stack()
    for (rep, week), excess in over[over > 0.05].items():
        problems.append(f"{rep} est en surcharge en semaine {week} : {fr_number(excess, 1)} h de trop.")
    return problems


def check_smart(values: dict, case_date: dt.date = CASE_DATE) -> list[str]:
    """What keeps one objective (answers of a SMART form) from being SMART, in French."""
    problems = []
    title = (values.get("intitule") or "").strip()
    if len(title) < 15:
        problems.append("Spécifique : l'intitulé doit dire précisément ce qui est visé (15 caractères au moins).")
    if values.get("indicateur") not in MEASURABLE_INDICATORS:
        problems.append("Mesurable : choisissez un indicateur dans la liste.")
    base, target = values.get("valeur_initiale"), values.get("valeur_cible")
    if not isinstance(base, (int, float)) or not isinstance(target, (int, float)) or base <= 0 or target <= 0:
        problems.append("Mesurable : la valeur de départ et la cible doivent être des nombres positifs.")
    elif target == base:
        problems.append("Atteignable : la cible doit différer de la valeur de départ.")
    elif abs(target - base) / base > 0.5:
        problems.append("Réaliste : une cible à plus de 50 % de la valeur de départ n'est pas réaliste sur la période.")
    try:
        deadline = dt.date.fromisoformat(values.get("echeance") or "")
    except (TypeError, ValueError):
        deadline = None
    if deadline is None:
        problems.append("Temporel : indiquez une échéance.")
    elif not case_date < deadline <= case_date.replace(year=case_date.year + 1):
        problems.append("Temporel : l'échéance doit tomber dans les douze mois qui suivent le "
                        f"{case_date.strftime('%d/%m/%Y')}.")
    if not (values.get("responsable") or "").strip():
        problems.append("Indiquez qui porte l'objectif.")
    return problems
