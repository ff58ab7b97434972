"""Session variants of B4_management_equipe (C4.4 steering meeting, C4.5 skills plan, C4.6 hybrid team).

What a session draws (``variant(seed)``), with the difficulty of today's case kept:

- C4.4: the 2026 revenue of each rep (today's ±10 %), the growth the management aims at (8 to 12 %) and the
  pipelines, so that five objectives call for vigilance as today — three rises of more than 15 % (the public-sector
  rep near 30 % and the hearing-impaired rep near 20 %, as the jury's role sheets say, plus one rep drawn), two
  falls of more than 10 % with a pipeline under 80 % of the objective (the junior plus one rep drawn) — and one
  more rep drawn whose pipeline covers between 85 and 99 % of the objective (the trap of a 100 % threshold);
- C4.5: which skills carry the three gaps of two levels (the junior's two, the second rep's one: a permutation of
  the four core skills, the levers that serve them following), every other level, the levers' costs and
  durations and the budget (the key's plan and every wrong answer's plan still hold or fail as today);
- C4.6: the weekdays (one permutation: the imposed days, the part-time day and the two possible team days move
  together) and the remote-compatible shares (the days each rep may work remotely stay);
- the names of the eight reps and of the firm.

The roles stay with the same rows of the files (the key's grids are positional in ``corrige/*.json``, whose values
a session can only rewrite string by string). Each planted event is checked by :func:`detect`, the lesson's
methods (cours/B4_management_equipe, sections 1, 3 and 4), and every passage of the notebooks and ``corrige/``
that depends on the data is rendered by ``b4m_textes`` from :func:`facts` of the data. A session's team is its own:
B4_pilotage_performance draws from another seed, so « les mêmes que dans les cas C4.1 à C4.3 » is dropped.
"""

from __future__ import annotations

import math
from functools import lru_cache
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
import pandas as pd

from mdpc.authoring.datagen import b4m as gen
from mdpc.authoring.sessions import AssignmentVariant
from mdpc.authoring.variants import b4m_textes as textes
from mdpc.authoring.variants import people_names, pick, rng_for
from mdpc.authoring.variants.b4m_textes import CORE, plans
from mdpc_utils import bloc4

ASSIGNMENT = gen.ASSIGNMENT_B4M
DAYS = gen.DAYS
REPS = [("Camille Durand", "f"), ("Karim Benali", "m"), ("Sophie Marchand", "f"), ("Thomas Nguyen", "m"),
        ("Inès Fabre", "f"), ("Julien Morel", "m"), ("Aïcha Diallo", "f"), ("Lucas Perrin", "m")]
TEAM = [r for r, _ in REPS]
JUNIOR, SECOND, PUBLIC, HEARING = "Julien Morel", "Thomas Nguyen", "Lucas Perrin", "Aïcha Diallo"
FIRMS = ["Alvéa", "Orélia", "Iséo", "Elvane", "Opaline", "Ambrelys", "Azalys", "Isaria", "Avéline", "Onésia"]
CHOICES = [n for n, _ in REPS if n not in (JUNIOR, PUBLIC, HEARING)]
MARGIN_PCT, MARGIN_COVER = 0.4, 0.01


# ---------------------------------------------------------------------------------------------- detection

def detect(data: dict[str, pd.DataFrame]) -> dict:
    """The planted events, found by the lesson's methods in the data (file stem → table)."""
    return {"vigilance": vigilance(data["resultats_2026"], dict(zip(data["cadrage_2027"].parametre,
                                                                    data["cadrage_2027"].valeur, strict=True))),
            "ecarts_importants": sorted(map(tuple, gaps(data).query("ecart >= 2")[["commercial", "competence"]]
                                            .itertuples(index=False))),
            **hybrid_events(data["engagements"])}


def objectives(results: pd.DataFrame, growth: float, rounded: bool = True, split: str = "mixte") -> pd.DataFrame:
    """Lesson, section 1: the team objective split by ½ share of revenue + ½ share of pipeline (C4.4)."""
    r = results.set_index("commercial")
    team = r.ca_realise_2026_eur.sum() * (1 + growth / 100)
    team = round(team, -3) if rounded else team
    part = r.ca_realise_2026_eur / r.ca_realise_2026_eur.sum()
    if split == "mixte":
        part = 0.5 * part + 0.5 * r.pipeline_ouvert_eur / r.pipeline_ouvert_eur.sum()
    out = pd.DataFrame({"ca": r.ca_realise_2026_eur, "pipeline": r.pipeline_ouvert_eur, "raw": team * part,
                        "objectif": (team * part).round(-2)})
    out["evolution"] = 100 * (out.objectif / out.ca - 1)
    out["couverture"] = out.pipeline / out.objectif
    out.attrs["equipe"] = team
    return out


def vigilance(results: pd.DataFrame, cadrage: dict, cover_limit: float = 0.8, **kw) -> dict:
    o = objectives(results, float(cadrage["croissance_visee_2027_pct"]), **kw)
    rise, fall = o.evolution > 15, o.evolution < -10
    low = o.couverture < cover_limit
    return {"hausse": [n for n in o.index if rise[n]], "baisse": [n for n in o.index if fall[n]],
            "couverture_faible": [n for n in o.index if low[n]],
            "couverture_limite": [n for n in o.index if not (rise[n] or fall[n] or low[n]) and o.couverture[n] < 1]}


def gaps(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Lesson, section 3: gap = target of the profile − level, never negative; priority = gap × weight."""
    m = (data["competences_equipe"].merge(data["equipe"][["commercial", "profil"]], on="commercial")
         .merge(data["niveaux_cibles"], on=["profil", "competence"]))
    m["ecart"] = (m.niveau_cible - m.niveau).clip(lower=0)
    m["priorite"] = m.ecart * m.poids
    return m[m.ecart > 0].sort_values(["priorite", "ecart", "commercial", "competence"],
                                      ascending=[False, False, True, True]).reset_index(drop=True)


def hybrid_events(commitments: pd.DataFrame) -> dict:
    """Lesson, section 4: the days a team day is possible (nobody away), imposed remote days, rest days."""
    away = set(commitments[commitments["mode"] != "site"].jour)
    by = {m: {r: sorted(g.jour, key=DAYS.index) for r, g in commitments[commitments["mode"] == m].groupby("commercial")}
          for m in ("distance", "repos")}
    return {"journees_equipe_possibles": [d for d in DAYS if d not in away], "distance_imposee": by["distance"],
            "repos": by["repos"]}


# ---------------------------------------------------------------------------------------------- drawing

def _draw_results(rng: np.random.Generator) -> tuple[dict, dict, int, dict]:
    """Revenue, growth and pipelines: each rep's evolution is drawn in its role's range, the pipelines follow."""
    revenue = {r: int(round(_base_revenue()[r] * rng.uniform(0.9, 1.1), -1)) for r in TEAM}
    growth = int(rng.integers(8, 13))
    rise, fall, limit, *normal = (str(n) for n in rng.permutation(CHOICES))
    ranges = {PUBLIC: (27, 32), HEARING: (18.5, 21.5), rise: (16, 23), JUNIOR: (-19, -13), fall: (-19, -13),
              limit: (-3, 3)}
    evolution = {r: rng.uniform(*ranges.get(r, (9.5, 14.5))) / 100 for r in TEAM}
    share = {r: 2 * (1 + evolution[r]) / (1 + growth / 100) - 1 for r in TEAM}  # pipeline share / revenue share
    free = normal[0]  # the pipeline shares sum to one: this rep's share closes the sum
    total = sum(revenue.values())
    share[free] = (total - sum(share[r] * revenue[r] for r in TEAM if r != free)) / revenue[free]
    level = rng.uniform(0.9, 0.98) * (1 + evolution[limit]) / (0.55 * share[limit])
    covers = {r: round(max(share[r], 0.05) * level, 3) for r in TEAM}
    roles = {"hausse": sorted([PUBLIC, HEARING, rise], key=TEAM.index),
             "baisse": sorted([JUNIOR, fall], key=TEAM.index), "couverture_limite": [limit]}
    return revenue, covers, growth, roles


@lru_cache(maxsize=1)
def _base_revenue() -> dict:
    return dict(zip(TEAM, gen.make_results_2026().ca_realise_2026_eur, strict=True))


def _results_hold(results: pd.DataFrame, growth: int, roles: dict) -> bool:
    cadrage = {"croissance_visee_2027_pct": growth}
    found = vigilance(results, cadrage)
    o = objectives(results, growth)
    ok = (found["hausse"] == roles["hausse"] and found["baisse"] == roles["baisse"]
          and found["couverture_faible"] == roles["baisse"] and found["couverture_limite"] == roles["couverture_limite"]
          and 26 <= o.evolution[PUBLIC] <= 33 and 17.5 <= o.evolution[HEARING] <= 22.5
          and o.couverture[roles["couverture_limite"][0]] >= 0.85
          and all(o.couverture[n] >= 0.85 for n in roles["hausse"]))
    margins = (o.evolution - 15).abs().min() >= MARGIN_PCT and (o.evolution + 10).abs().min() >= MARGIN_PCT \
        and (o.couverture - 0.8).abs().min() >= MARGIN_COVER
    ties = abs(o.attrs["equipe"] / 1000 % 1 - 0.5) > 1e-3 and ((o.raw / 100 % 1 - 0.5).abs() > 1e-3).all()
    # wrong answers of erreurs_types.yaml: each must change what its tests see, and only that
    unrounded = vigilance(results, cadrage, rounded=False) == found
    by_revenue = vigilance(results, cadrage, split="ca")
    at_100 = vigilance(results, cadrage, cover_limit=1.0)
    return bool(ok and margins and ties and unrounded and set(by_revenue["couverture_faible"]) != _flagged(found)
                and _flagged(at_100) != _flagged(found))


def _flagged(v: dict) -> set:
    return set(v["hausse"]) | set(v["baisse"]) | set(v["couverture_faible"])


def _draw_skills(rng: np.random.Generator) -> tuple[dict, dict]:
    """Levels with exactly three gaps of two levels, at the skills ``sigma`` gives the key's plan."""
    sigma = dict(zip(CORE, rng.permutation(CORE).tolist(), strict=True))
    targets = {p: {s: t for s, (t, _) in d.items()} for p, d in gen.TARGETS.items()}
    current = {}
    for rep, function in zip(gen.TEAM.commercial, gen.TEAM.fonction, strict=True):
        target = targets[gen.PROFILE_OF.get(function, "terrain")]
        current[rep] = {s: int(rng.integers(max(1, target[s] - 1), min(4, target[s] + 1) + 1)) for s in gen.SKILLS}
    big = {(JUNIOR, sigma["Prospection"]), (JUNIOR, sigma["Négociation"]), (SECOND, sigma["Maîtrise du CRM"])}
    for rep, skill in big:
        current[rep][skill] = targets["terrain"][skill] - 2
    for s in gen.SKILLS:  # the junior is below target everywhere else
        if (JUNIOR, s) not in big:
            current[JUNIOR][s] = targets["terrain"][s] - 1
    current["Karim Benali"][sigma["Prospection"]] = 4      # tutor and field partner of the key's plan
    current["Camille Durand"][sigma["Négociation"]] = 4    # tutor of the junior
    current["Inès Fabre"][sigma["Maîtrise du CRM"]] = max(3, current["Inès Fabre"][sigma["Maîtrise du CRM"]])
    current["Sophie Marchand"][sigma["Prospection"]] = min(3, current["Sophie Marchand"][sigma["Prospection"]])
    return {r: tuple(current[r][s] for s in gen.SKILLS) for r in current}, sigma


def _draw_levers(rng: np.random.Generator) -> pd.DataFrame:
    levers = gen.LEVERS.copy()
    paid = levers.cout_par_personne_eur > 0
    levers.loc[paid, "cout_par_personne_eur"] = [int(round(c * rng.uniform(0.85, 1.15) / 50) * 50)
                                                 for c in levers.cout_par_personne_eur[paid]]
    spread = {"formation": 1, "e-learning": 1, "tutorat": 2, "binôme terrain": 2, "partage de pratiques": 0}
    levers["duree_semaines"] = [max(1, int(d + rng.integers(-spread[t], spread[t] + 1)))
                                for d, t in zip(levers.duree_semaines, levers.type, strict=True)]
    return levers


def _skills_hold(data: dict, sigma: dict, budget: int) -> bool:
    big = sorted(map(tuple, gaps(data).query("ecart >= 2")[["commercial", "competence"]].itertuples(index=False)))
    expected = sorted([(JUNIOR, sigma["Prospection"]), (JUNIOR, sigma["Négociation"]),
                       (SECOND, sigma["Maîtrise du CRM"])])
    g = gaps(data)
    check = {n: bloc4.check_skills_plan(p, g, data["competences_equipe"], data["leviers"], budget)
             for n, p in plans(sigma).items()}
    m = (data["competences_equipe"].merge(data["equipe"][["commercial", "profil"]], on="commercial")
         .merge(data["niveaux_cibles"], on=["profil", "competence"]))
    above = (m.niveau > m.niveau_cible).any()  # the wrong answers « negative gaps kept » and « zero gaps kept » show
    return big == expected and bool(above) and not check["corrige"] and not check["leviers_formations_seules"] \
        and bool(check["tuteur_non_qualifie"]) and not check["trois_actions_en_janvier"]


def _draw_remote(rng: np.random.Generator) -> dict:
    ranges = {"Camille Durand": (20, 35), "Karim Benali": (20, 35), "Sophie Marchand": (25, 45),
              "Thomas Nguyen": (35, 55), "Inès Fabre": (40, 60), "Julien Morel": (20, 35),
              "Aïcha Diallo": (20, 35), "Lucas Perrin": (40, 60)}
    return {r: int(rng.choice(np.arange(lo, hi + 1, 5))) for r, (lo, hi) in ranges.items()}


def possible_remote(data: dict) -> dict:
    """Lesson, section 4: remote days a rep may work (rounded down, capped by the charter, never under the imposed)."""
    c, cap = data["engagements"], int(dict(zip(data["cadrage_2027"].parametre, data["cadrage_2027"].valeur,
                                                strict=True))["jours_distanciel_max"])
    out = {}
    for p in data["profils"].itertuples():
        mine = c[c.commercial == p.commercial]["mode"]
        days, imposed = 5 - int((mine == "repos").sum()), int((mine == "distance").sum())
        out[p.commercial] = (max(imposed, min(cap, math.floor(days * p.distanciel_compatible_pct / 100))),
                             max(imposed, min(cap, math.ceil(days * p.distanciel_compatible_pct / 100))))
    return out


# ---------------------------------------------------------------------------------------------- the variant

def _retry(seed: int, salt: int, make, holds):
    for attempt in range(500):
        drawn = make(rng_for(seed + attempt, salt))
        if holds(drawn):
            return drawn
    raise RuntimeError(f"B4_management_equipe : aucun tirage valable (graine {seed}, partie {salt})")


def _results_part(rng: np.random.Generator) -> dict:
    revenue, covers, growth, roles = _draw_results(rng)
    return {"revenue": revenue, "covers": covers, "growth": growth, "roles": roles,
            "results": gen.make_results_2026(0, revenue, covers)}


def _skills_part(rng: np.random.Generator) -> dict:
    current, sigma = _draw_skills(rng)
    levers = _draw_levers(rng)
    costs = [p.merge(levers, left_on="levier", right_on="id").cout_par_personne_eur.sum() for p in plans(sigma).values()]
    budget = int(math.ceil(max(costs) * rng.uniform(1.04, 1.2) / 500) * 500)
    levels, targets = gen.make_skills(current)
    data = {"competences_equipe": levels, "niveaux_cibles": targets, "leviers": levers,
            "equipe": gen.TEAM.assign(profil=[gen.PROFILE_OF.get(f, "terrain") for f in gen.TEAM.fonction])}
    return {"current": current, "sigma": sigma, "levers": levers, "budget": budget, "data": data}


def _hybrid_part(rng: np.random.Generator) -> dict:
    days = dict(zip(DAYS, rng.permutation(DAYS).tolist(), strict=True))
    remote = _draw_remote(rng)
    profiles, commitments = gen.make_hybrid(days, remote)
    return {"days": days, "remote": remote, "data": {"profils": profiles, "engagements": commitments,
                                                     "cadrage_2027": gen.CADRAGE}}


@lru_cache(maxsize=1)
def _today_remote() -> dict:
    return possible_remote({"profils": gen.PROFILES, "engagements": gen.COMMITMENTS, "cadrage_2027": gen.CADRAGE})


def _remote_holds(h: dict) -> bool:
    now = possible_remote(h["data"])
    return ({r: v[0] for r, v in now.items()} == {r: v[0] for r, v in _today_remote().items()}
            and any(a != b for a, b in now.values()))  # the wrong answer « rounded up » must show


def draw(seed: int) -> dict:
    """The session's draw: generator arguments and the roles of its planted events (each part retried until
    it holds), and the data they give, checked by :func:`detect`."""
    r = _retry(seed, 1, _results_part, lambda r: _results_hold(r["results"], r["growth"], r["roles"]))
    s = _retry(seed, 2, _skills_part, lambda s: _skills_hold(s["data"], s["sigma"], s["budget"]))
    h = _retry(seed, 3, _hybrid_part, _remote_holds)
    kw = dict(revenue=r["revenue"], covers=r["covers"], current=s["current"], levers=s["levers"], days=h["days"],
              remote_pct=h["remote"], cadrage={"croissance_visee_2027_pct": r["growth"], "budget_formation_eur": s["budget"]})
    texts = files(seed, **kw)
    events = planted(r["roles"], s["sigma"], h["days"])
    found = detect(load(texts))
    if found != events:
        raise RuntimeError(f"B4_management_equipe : événements trouvés {found}, plantés {events}")
    return {"kw": kw, "sigma": s["sigma"], "days": h["days"], "roles": r["roles"], "events": events,
            "names": _names(seed), "data": texts}


def planted(roles: dict, sigma: dict, days: dict) -> dict:
    moved = lambda ds: sorted((days[d] for d in ds), key=DAYS.index)  # noqa: E731
    return {"vigilance": {"hausse": roles["hausse"], "baisse": roles["baisse"], "couverture_faible": roles["baisse"],
                          "couverture_limite": roles["couverture_limite"]},
            "ecarts_importants": sorted([(JUNIOR, sigma["Prospection"]), (JUNIOR, sigma["Négociation"]),
                                         (SECOND, sigma["Maîtrise du CRM"])]),
            "journees_equipe_possibles": moved(["mardi", "jeudi"]),
            "distance_imposee": {SECOND: moved(["lundi", "vendredi"])}, "repos": {"Sophie Marchand": moved(["mercredi"])}}


def _names(seed: int) -> dict[str, str]:
    """New names for the reps and the firm; none contains a name of today (« Perrine » would hide « Perrin »)."""
    pieces = set(" ".join(TEAM).split()) | {"Ombelle"}
    for attempt in range(100):
        rng = rng_for(seed + attempt, 4)
        names = people_names(rng, REPS, taken=pieces, parts=True)
        names["Ombelle"] = pick(rng, FIRMS)
        if not any(old in new for new in names.values() for old in pieces):
            return names
    raise RuntimeError(f"B4_management_equipe : aucun tirage de noms valable (graine {seed})")


def files(seed: int = gen.SEED_B4M, **kw) -> dict[str, str]:
    with TemporaryDirectory() as tmp:
        return {p.name: p.read_text(encoding="utf-8") for p in gen.write_b4m(tmp, seed, **kw)}


def default_files() -> dict[str, str]:
    folder = gen.CAS_DIR / ASSIGNMENT / "data"
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.csv"))}


def load(texts: dict[str, str]) -> dict[str, pd.DataFrame]:
    return {Path(n).stem: pd.read_csv(StringIO(t), keep_default_na=False) for n, t in texts.items()}


@lru_cache(maxsize=8)
def variant(seed: int) -> AssignmentVariant:
    d = draw(seed)
    today = textes.facts(load(default_files()), None)
    session = textes.facts(load(d["data"]), d)
    return AssignmentVariant(data=d["data"], names=d["names"], replacements=textes.replacements(today, session),
                             events=d["events"])
