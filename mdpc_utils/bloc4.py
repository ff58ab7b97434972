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


# -- Team management (C4.5, C4.6) ---------------------------------------------------------------------

def check_skills_plan(plan: pd.DataFrame, gaps: pd.DataFrame, levels: pd.DataFrame, levers: pd.DataFrame,
                      budget: float, max_tutored: int = 2, months: int = 6) -> list[str]:
    """Problems of a skills development plan, in French (empty: the plan holds).

    ``gaps``: the gaps, either one row per rep and skill (commercial, competence, ecart) or the case's matrix
    (reps in rows, skills in columns). ``plan``: one row per action — commercial, competence, levier (id of ``leviers.csv``), tuteur (a rep, or
    empty), mois_debut (1 to ``months``). Every gap of two levels or more must be covered; levers must fit
    the skill; a tutor must master the skill (level 4 for tutoring, 3 for field pairing), not tutor themself,
    nor more than ``max_tutored`` colleagues; the cost (per person) must fit the budget.
    """
    needed = {"commercial", "competence", "levier", "tuteur", "mois_debut"}
    if not isinstance(plan, pd.DataFrame) or not needed <= set(plan.columns):
        return [f"Le plan doit être un DataFrame avec les colonnes {', '.join(sorted(needed))}."]
    if isinstance(gaps, pd.DataFrame) and "ecart" not in gaps.columns:  # the case's matrix: reps × skills
        gaps = gaps.rename_axis(index="commercial", columns="competence").stack().rename("ecart").reset_index()
    problems = []
    lever = levers.set_index("id")
    level = {(r.commercial, r.competence): r.niveau for r in levels.itertuples()}
    reps = set(levels["commercial"])
    tutored: dict[str, set] = {}
    cost = 0.0
    for i, a in enumerate(plan.itertuples(), 1):
        where = f"Action {i} ({a.commercial}, {a.competence})"
        if a.commercial not in reps:
            problems.append(f"{where} : commercial inconnu.")
            continue
        if a.levier not in lever.index:
            problems.append(f"{where} : levier « {a.levier} » absent du catalogue.")
            continue
        lv = lever.loc[a.levier]
        if lv["competence"] not in ("toutes", a.competence):
            problems.append(f"{where} : le levier {a.levier} développe « {lv['competence']} », pas cette compétence.")
        try:
            month = int(a.mois_debut)
        except (TypeError, ValueError):
            month = 0
        if not 1 <= month <= months:
            problems.append(f"{where} : mois de début hors du semestre (1 à {months}).")
        tutor = a.tuteur if isinstance(a.tuteur, str) else ""
        if lv["type"] in ("tutorat", "binôme terrain"):
            need = 4 if lv["type"] == "tutorat" else 3
            if tutor not in reps or tutor == a.commercial:
                problems.append(f"{where} : un {lv['type']} demande un tuteur de l'équipe, autre que la personne accompagnée.")
            elif level.get((tutor, a.competence), 0) < need:
                problems.append(f"{where} : {tutor} n'a pas le niveau {need} requis pour accompagner en « {a.competence} ».")
            else:
                tutored.setdefault(tutor, set()).add(a.commercial)
        cost += float(lv["cout_par_personne_eur"])
    for tutor, people in tutored.items():
        if len(people) > max_tutored:
            problems.append(f"{tutor} accompagne {len(people)} collègues : {max_tutored} au plus.")
    covered = set(zip(plan["commercial"], plan["competence"], strict=True))
    for g in gaps[gaps["ecart"] >= 2].itertuples():
        if (g.commercial, g.competence) not in covered:
            problems.append(f"Écart de {g.ecart:g} niveaux sans action : {g.commercial}, {g.competence}.")
    if cost > budget + 1e-9:
        problems.append(f"Coût du plan {fr_number(cost, 0)} € : il dépasse le budget de {fr_number(budget, 0)} €.")
    return problems


DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi"]
MODES = ("site", "distance", "repos")


def check_hybrid(schedule: pd.DataFrame, commitments: pd.DataFrame, team_day: str | None, max_remote: int,
                 min_on_site: int, tutor_pairs: dict[str, str] | None = None, min_with_tutor: int = 3) -> list[str]:
    """Problems of a weekly hybrid schedule, in French (empty: it holds).

    ``schedule``: index = reps, columns = the five weekdays, values « site », « distance » or « repos ».
    Checks imposed modes (commitments, accommodations, part time), the remote-days cap (an accommodation
    imposing more remote days wins), on-site coverage every day, a shared team day with everyone working
    that day on site, and days on site together for each junior and their tutor.
    """
    if not isinstance(schedule, pd.DataFrame) or list(schedule.columns) != DAYS:
        return [f"Le planning doit être un DataFrame avec les colonnes {', '.join(DAYS)}, dans cet ordre."]
    problems = []
    bad = sorted({str(v) for v in schedule.to_numpy().ravel() if v not in MODES})
    if bad:
        return [f"Valeurs inconnues dans le planning : {', '.join(bad)} (attendu : site, distance ou repos)."]
    imposed_remote: dict[str, int] = {}
    for c in commitments.itertuples():
        if c.commercial not in schedule.index:
            problems.append(f"{c.commercial} manque au planning.")
            continue
        if schedule.loc[c.commercial, c.jour] != c.mode:
            problems.append(f"{c.commercial}, {c.jour} : « {c.mode} » imposé ({c.motif}).")
        if c.mode == "distance":
            imposed_remote[c.commercial] = imposed_remote.get(c.commercial, 0) + 1
    for rep, row in schedule.iterrows():
        remote = int((row == "distance").sum())
        if remote > max(max_remote, imposed_remote.get(rep, 0)):
            problems.append(f"{rep} : {remote} jours à distance, la charte en permet {max_remote}.")
        if (row == "repos").sum() > (commitments[(commitments.commercial == rep)]["mode"] == "repos").sum():
            problems.append(f"{rep} : un jour de repos qui n'est pas prévu au contrat.")
    for day in DAYS:
        on_site = int((schedule[day] == "site").sum())
        if on_site < min_on_site:
            problems.append(f"{day.capitalize()} : {on_site} personne(s) sur site, il en faut au moins {min_on_site}.")
    if team_day not in DAYS:
        problems.append("Choisissez la journée d'équipe.")
    else:
        away = [rep for rep in schedule.index if schedule.loc[rep, team_day] == "distance"]
        if away:
            problems.append(f"Journée d'équipe du {team_day} : {', '.join(away)} à distance.")
    for junior, tutor in (tutor_pairs or {}).items():
        together = int(((schedule.loc[junior] == "site") & (schedule.loc[tutor] == "site")).sum())
        if together < min_with_tutor:
            problems.append(f"{junior} et sa tutrice ou son tuteur {tutor} : {together} jour(s) ensemble sur site, "
                            f"{min_with_tutor} attendus.")
    return problems
