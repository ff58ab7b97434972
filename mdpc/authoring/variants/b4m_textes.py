"""The passages of B4_management_equipe that depend on its data, rendered from :func:`facts` of the data.

Each passage is a function of the facts: rendered with today's facts it is today's text (the build fails
otherwise), with a session's facts it is the session's text. Names are today's names here: the session's
names replace them afterwards (``mdpc.authoring.sessions``); only an elision (« d'Inès », « de Thomas ») depends
on the session's name. Day tokens protect a rendered text from the permutation of the weekdays applied to the
values of ``corrige/*.json``.
"""

from __future__ import annotations

import pandas as pd

from mdpc.authoring.sessions import Replacement

DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi"]
J, T2, K, C, S, IN, A = ("Julien Morel", "Thomas Nguyen", "Karim Benali", "Camille Durand", "Sophie Marchand",
                         "Inès Fabre", "Aïcha Diallo")
P, N, TECH, CRM = "Prospection", "Négociation", "Connaissance technique de l'offre", "Maîtrise du CRM"
PHRASE = {P: "en prospection", N: "en négociation", TECH: "en connaissance technique de l'offre", CRM: "sur le CRM",
          "Réponse aux appels d'offres": "en réponse aux appels d'offres",
          "Gestion de grands comptes": "en gestion de grands comptes"}
_KEY = [(J, P, "L06", K, 1), (J, P, "L02", "", 2), (J, N, "L06", C, 1), (J, N, "L01", "", 3),
        (T2, CRM, "L03", "", 1), (T2, CRM, "L07", IN, 2), (T2, P, "L07", K, 3), (T2, N, "L01", "", 4),
        (S, N, "L01", "", 2), (A, N, "L01", "", 3), (C, CRM, "L03", "", 2), (K, TECH, "L05", "", 1),
        (J, TECH, "L05", "", 4), (J, CRM, "L03", "", 5)] + [(n, N, "L08", "", 1) for n in (C, K, S, IN, A, "Lucas Perrin")]


def _edit(rows, old, new):
    return [new if r == old else r for r in rows]


PLANS = {  # the key's plan (C4_5_plan_rep) and the plans of erreurs_types.yaml, with today's labels
    "corrige": _KEY,
    "tuteur_non_qualifie": _edit(_KEY, (J, P, "L06", K, 1), (J, P, "L06", S, 1)),
    "trois_actions_en_janvier": _edit(_KEY, (J, TECH, "L05", "", 4), (J, TECH, "L05", "", 1)),
    "leviers_formations_seules": [r for r in _edit(_edit(_edit(_edit(
        _KEY, (J, P, "L06", K, 1), (J, "Réponse aux appels d'offres", "L04", "", 6)),
        (J, N, "L06", C, 1), (J, "Gestion de grands comptes", "L09", "", 6)),
        (T2, CRM, "L07", IN, 2), (T2, "Réponse aux appels d'offres", "L04", "", 2)),
        (T2, P, "L07", K, 3), (T2, P, "L02", "", 3)) if r[2] != "L08"],
}
CORE = [P, N, TECH, CRM]
LEVER_OF = {P: "L02", N: "L01", TECH: "L05", CRM: "L03"}


def lever_sigma(sigma: dict) -> dict:
    """The lever ids follow the skills they serve."""
    return {LEVER_OF[s]: LEVER_OF[sigma[s]] for s in CORE}


def relabel_row(row: tuple, sigma: dict) -> tuple:
    rep, skill, lever, tutor, month = row
    return rep, sigma.get(skill, skill), lever_sigma(sigma).get(lever, lever), tutor, month


def plans(sigma: dict) -> dict[str, pd.DataFrame]:
    """The key's plan and the plans of the wrong answers of C4.5, relabelled by ``sigma``."""
    cols = ["commercial", "competence", "levier", "tuteur", "mois_debut"]
    out = {}
    for name, rows in PLANS.items():
        out[name] = pd.DataFrame([relabel_row(r, sigma) for r in rows], columns=cols)
    return out


PLANNING = {"Camille Durand": "SSSSD", "Karim Benali": "SDSSS", "Sophie Marchand": "SDRSS", "Thomas Nguyen": "DSSSD",
            "Inès Fabre": "DSDSS", "Julien Morel": "SSSSD", "Aïcha Diallo": "SSDSS", "Lucas Perrin": "SSDSD"}
OTHER_PLANNING = ("Camille Durand", "DSSSS")  # variantes.yaml, b4m_planning_autre


def facts(data: dict, draw: dict | None) -> dict:
    """What the passages say, from the data (and, for a session, its draw: permutations and names)."""
    from mdpc.authoring.variants import b4m as v

    cadrage = dict(zip(data["cadrage_2027"].parametre, data["cadrage_2027"].valeur, strict=True))
    growth = int(cadrage["croissance_visee_2027_pct"])
    o = v.objectives(data["resultats_2026"], growth)
    found = v.vigilance(data["resultats_2026"], cadrage)
    limit = found["couverture_limite"][0]
    return {"g": growth, "T": int(o.attrs["equipe"]), "budget": int(cadrage["budget_formation_eur"]),
            "rows": [(n, int(r.ca), int(r.objectif), float(r.evolution), float(r.couverture)) for n, r in o.iterrows()],
            "hausse": found["hausse"], "baisse": found["baisse"], "limite": limit, "limite_cov": float(o.couverture[limit]),
            "gaps": v.gaps(data), "sigma": draw["sigma"] if draw else {s: s for s in (P, N, TECH, CRM)},
            "days": draw["days"] if draw else {d: d for d in DAYS}, "names": draw["names"] if draw else {},
            "session": draw is not None}


# ---------------------------------------------------------------------------------------------- helpers

def money(x: int) -> str:
    return f"{x:,}".replace(",", " ")


def de(name: str, f: dict) -> str:
    """« d'Inès » or « de Thomas », as the session's name of ``name`` needs."""
    new = f["names"].get(name, name)
    return ("d'" if new[0] in "AEIOUYÂÉÈÊÎÏÔH" else "de ") + name


def and_fr(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


def day(f: dict, today: str, token: bool = False) -> str:
    d = f["days"][today]
    return f"⟨{DAYS.index(d)}⟩" if token else d


def pair(f: dict, a: str, b: str, sep: str, token: bool = False) -> str:
    """« le mardi et le jeudi »: the session's days of today's ``a`` and ``b``, in week order."""
    x, y = sorted((f["days"][a], f["days"][b]), key=DAYS.index)
    show = (lambda d: f"⟨{DAYS.index(d)}⟩") if token else (lambda d: d)
    return f"le {show(x)}{sep}le {show(y)}"


def firsts(names: list[str]) -> str:
    return ", ".join(n.split()[0] for n in names)


# ---------------------------------------------------------------------------------------------- passages

def priorities(f: dict) -> str:
    g = f["gaps"]
    big, one = g[g.ecart >= 2], g[g.ecart == 1]
    groups = []
    for p, rows in big.groupby("priorite", sort=False):
        people = [f"{rep} {and_fr([PHRASE[s] for s in sorted(r.competence)])}"
                  for rep, r in rows.groupby("commercial", sort=False)]
        groups.append(f"{and_fr(people)} ({p})")
    top = one[one.priorite == one.priorite.max()]
    return (f"en tête {', puis '.join(groups)}, puis les écarts\nd'un niveau "
            f"{and_fr([PHRASE[s] for s in sorted(set(top.competence))])} ({top.priorite.max()}).")


def guide(f: dict) -> list[str]:
    s = f["sigma"]
    rows = "\n".join(f"| {n} | {money(ca)} | {money(o)} | {'+' if e >= 0 else '−'}{abs(e):.1f} % | {c:.2f} |"
                     .replace(".", ",") for n, ca, o, e, c in f["rows"])
    return [
        f"trois écarts de deux niveaux ({J} {PHRASE[s[P]]}\n  et {PHRASE[s[N]]}, {T2} {PHRASE[s[CRM]]})",
        f"seuls {pair(f, 'mardi', 'jeudi', ' et ')} peuvent servir de journée d'équipe (les autres\n  jours, un temps "
        f"partiel ou un aménagement éloigne quelqu'un) ; {T2} (RQTH) est à distance "
        f"{pair(f, 'lundi', 'vendredi', ' et' + chr(10) + '  ')} ; {A} est malentendante (visioconférence sous-titrée, "
        f"comptes rendus écrits, échanges en\n  présentiel) ; {S} ne travaille pas le {day(f, 'mercredi')} ;",
        f"CA 2026 de l'équipe + {f['g']} %, au millier d'euros,\nsoit {money(f['T'])} € HT.",
        "|---|---|---|---|---|\n" + rows + "\n",
        f"Cinq objectifs appellent de la vigilance : {and_fr(f['hausse'])} (hausse de plus de\n15 %), "
        f"{and_fr(f['baisse'])} (baisse de plus de 10 % et portefeuille sous 80 % de l'objectif).\n{f['limite']} "
        f"(couverture {f['limite_cov']:.3f}) n'en fait pas partie".replace("0.", "0,"),
        priorities(f),
        f"(tutorat {de('Julien', f)}\nMorel par {K} {PHRASE[s[P]]} et par {C} {PHRASE[s[N]]}, binôme {de(IN, f)} pour Thomas\n"
        f"Nguyen {PHRASE[s[CRM]]}), tient dans le budget de {money(f['budget'])} € HT",
        f"Journée d'équipe : {pair(f, 'mardi', 'jeudi', ' ou ')} seulement (le corrigé prend le {day(f, 'jeudi')}) ; "
        f"{pair(f, 'lundi', 'vendredi', ' et ')}, Thomas\nNguyen est à distance, le {day(f, 'mercredi')} {S} ne "
        "travaille pas.",
        f"celui {de(A, f)} se tient",
        f"jours imposés oubliés, journée d'équipe le {day(f, 'lundi')}, visioconférence",
    ]


def answers(f: dict, token: bool = False) -> list[str]:
    """Values of corrige/reponses_corrige.json (C4.4 messages, C4.6 justification and vigilance)."""
    return [
        f"croître de {f['g']} %",
        f"L'objectif d'équipe est de {money(f['T'])} € HT.",
        f"trois en forte hausse ({firsts(f['hausse'])}), deux en baisse par manque de portefeuille ({firsts(f['baisse'])})",
        f"Le {day(f, 'jeudi', token)}, Karim tient la salle de démonstration et Sophie travaille ; Thomas est à distance "
        f"{pair(f, 'lundi', 'vendredi', ' et ', token)} : c'est le seul jour où toute l'équipe peut être réunie.",
        f"réunions d'équipe en présentiel le {day(f, 'jeudi', token)}.",
        f"Isolement {de('Thomas', f)} et {de('Inès', f)}",
    ]


def _yaml_quoted(text: str) -> str:
    return text.replace("'", "''")


def leak_facts(f: dict) -> list[str]:
    """Lines of corrige/faits_reponses.yaml."""
    s, t = f["sigma"], f["T"]
    m, k = t // 1_000_000, t // 1000 % 1000
    crm = "(sur|en) (le )?CRM" if s[CRM] == CRM else _yaml_quoted(PHRASE[s[CRM]])
    return [
        f"motif: '{m}[  .]?{k:03d}[  .]?000|{m}[,.]{k:03d}\\s*M|{m}[  ]?{k:03d}\\s*k'",
        f"motif: '{f['limite']}[^;\\n]{{0,60}}{int(f['limite_cov'] * 100) // 100}[,.]{int(f['limite_cov'] * 100) % 100:02d}'",
        f"texte: erreur de saisie {de(T2, f)}",
        f"motif: '{J} {_yaml_quoted(PHRASE[s[P]] + ' et ' + PHRASE[s[N]])}'",
        f"pourquoi: les écarts de deux niveaux {de(J, f)}",
        f"motif: '{T2} {crm}'",
        f"pourquoi: l'écart de deux niveaux {de(T2, f)}",
        f"motif: 'seuls? {pair(f, 'mardi', 'jeudi', ' et ')}'",
        f"motif: '{pair(f, 'mardi', 'jeudi', ' ou ')} seulement'",
    ]


def wrong_days(f: dict) -> list[str]:
    """Passages of corrige/erreurs_types.yaml and variantes.yaml that name a weekday."""
    return [
        f"description: journée d'équipe le {day(f, 'lundi')}, jour de télétravail imposé pour un aménagement\n  reponses:"
        f"\n    organisation.journee_equipe: {day(f, 'lundi')}\n    debriefings.collectif_jour: {day(f, 'lundi')}",
        f"debriefings.individuel_3: {day(f, 'mercredi')}",
        f"Camille Durand à distance le {day(f, 'lundi')} plutôt que le {day(f, 'vendredi')}",
    ]


def planning_row(name: str, letters: str, days: dict | None = None) -> str:
    if days:
        moved = [""] * 5
        for k, d in enumerate(DAYS):
            moved[DAYS.index(days[d])] = letters[k]
        letters = "".join(moved)
    return f'"{name}": [{", ".join(letters)}]'


def replacements(today: dict, session: dict) -> tuple[Replacement, ...]:
    """Every replacement of a session, today's text rendered from today's facts, the session's from its own."""
    out = [Replacement("*.ipynb", f"la direction vise **{today['g']} % de croissance**",
                       f"la direction vise **{session['g']} % de croissance**", 3),
           Replacement("*.ipynb", " (les mêmes que dans les cas C4.1 à C4.3)", "", 3),
           Replacement("C4_4*.ipynb", f"**+{today['g']} % de chiffre d'affaires**",
                       f"**+{session['g']} % de chiffre d'affaires**", 1)]
    out += [Replacement("corrige/guide_formateur.md", a, b, 1) for a, b in zip(guide(today), guide(session), strict=True)]
    out += [Replacement("corrige/guide_formateur.md", a, b, 1) for a, b in SESSION_ONLY["guide"]]
    out += [Replacement("data/README.md", a, b, 1) for a, b in SESSION_ONLY["readme"]]
    if de("Julien", session).startswith("d'"):
        out.append(Replacement("data/profils.csv", "tutorat de Julien", "tutorat d'Julien", 1))
    out += [Replacement("corrige/faits_reponses.yaml", a, b, 1) for a, b in zip(leak_facts(today), leak_facts(session),
                                                                                   strict=True)]
    out += [Replacement("corrige/reponses_corrige.json", a, b, 1)
            for a, b in zip(answers(today), answers(session, token=True), strict=True)]
    # C4.6: the weekdays of the key's answers (values of corrige/*.json) and of the planning rows, permuted
    days = session["days"]
    out += [Replacement("corrige/*.json", d, f"⟦{k}⟧") for k, d in enumerate(DAYS)]
    out += [Replacement("corrige/variantes.yaml", f'"{d}": [', f'"⟦{k}⟧": [', 1) for k, d in enumerate(DAYS)]
    out += [Replacement("corrige/*", f"⟦{k}⟧", days[d]) for k, d in enumerate(DAYS)]
    tokens = "".join(answers(session, token=True))
    out += [Replacement("corrige/*.json", f"⟨{k}⟩", d) for k, d in enumerate(DAYS) if f"⟨{k}⟩" in tokens]
    out += [Replacement(glob, a, b, 1) for glob, a, b in zip(("corrige/erreurs_types.yaml",) * 2 + ("corrige/variantes.yaml",),
                                                              wrong_days(today), wrong_days(session), strict=True)]
    rows = list(PLANNING.items()) + [OTHER_PLANNING]
    out += [Replacement("*", planning_row(n, r), f"⟪{k}⟫") for k, (n, r) in enumerate(rows)]
    out += [Replacement("*", f"⟪{k}⟫", planning_row(n, r, days)) for k, (n, r) in enumerate(rows)]
    # C4.5: the skills of the key's plan and their levers, permuted (« "Prospection", "L06" » in code and YAML)
    sigma, lsig = session["sigma"], lever_sigma(session["sigma"])
    pairs = sorted({(r[1], r[2]) for plan in PLANS.values() for r in plan if r[1] in sigma})
    out += [Replacement("*", f'"{s}", "{lv}"', f"⟪p{k}⟫") for k, (s, lv) in enumerate(pairs)]
    quoted = pairs.index((N, "L08"))  # in single-quoted YAML (variantes.yaml): « l'offre » is written « l''offre »
    escaped = sigma[N].replace("'", "''")
    out.append(Replacement("corrige/variantes.yaml", f"'[(nom, ⟪p{quoted}⟫", "'[(nom, \"" + escaped + '", "L08"', 2))
    out += [Replacement("*", f"⟪p{k}⟫", f'"{sigma[s]}", "{lsig.get(lv, lv)}"') for k, (s, lv) in enumerate(pairs)]
    grid = "corrige/reponses_sans_code.json"
    labels = list(sigma) + list(lsig)
    out += [Replacement(grid, x, f"⟪q{k}⟫") for k, x in enumerate(labels)]
    out += [Replacement(grid, f"⟪q{k}⟫", sigma.get(x) or lsig[x]) for k, x in enumerate(labels)]
    return tuple(out)


SESSION_ONLY = {
    "guide": [
        ("(graine `SEED_B4M = 20260408`), sur l'équipe du\ngénérateur de `B4_pilotage_performance` ; `mdpc donnees` les "
         "régénère à l'identique, et `tests/test_datagen.py`\nvérifie ce qu'elles portent.",
         "avec les arguments que tire `mdpc/authoring/variants/b4m.py` pour cette session (graine tirée de son\n"
         "identifiant) ; le module vérifie ce qu'elles portent par les méthodes de la leçon."),
        ("le CA 2026 est le réalisé du cas C4.3, **erreur de saisie de Thomas Nguyen en mai\n  corrigée** (le montant "
         "divisé par dix) ; le portefeuille de Thomas Nguyen, Julien Morel et Lucas Perrin est\n  fixé",
         "le CA 2026 de chaque commercial est tiré pour la session ; le portefeuille de chacun\n  est tiré"),
    ],
    "readme": [
        ("La même équipe de huit commerciaux que dans `B4_pilotage_performance` (cas C4.1 à C4.3), en janvier 2027.",
         "Une équipe de huit commerciaux, en janvier 2027."),
        ("produites par un générateur à graine fixe : elles\nsont identiques d'une session à l'autre)",
         "produites par un générateur pour cette session)"),
    ],
}
