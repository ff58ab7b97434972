"""Texts of B4_pilotage_performance that depend on its data, rendered from facts (``variants.b4.facts``).

Each ``render_…`` function writes a passage exactly as the committed file has it when given the facts of
today's data (the variant module emits ``Replacement(files, render(default), render(session))``, and the build
fails if the first one is not found: the proof that the template is right). Names are today's: the session's
names replace them afterwards, in every file. Lists of people are sorted by the session's names (``facts["nom"]``
gives a person's name in the session) so that the tables and lists of a session read in alphabetical order.
"""

from __future__ import annotations

import copy
import textwrap
from decimal import ROUND_HALF_UP, Decimal

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]
MONTH_PATTERNS = {"février": "f[ée]vrier", "août": "ao[uû]t", "décembre": "d[ée]cembre"}
NUMBERS = ["zéro", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze",
           "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf", "vingt", "vingt et une",
           "vingt-deux", "vingt-trois", "vingt-quatre"]
PRODUCT_LOWER = {"Capteurs IoT": "capteurs IoT", "Logiciel de pilotage": "logiciel de pilotage",
                 "Audit énergétique": "audit énergétique", "Contrat de maintenance": "contrat de maintenance"}
PRODUCT_OF = {"Capteurs IoT": "des capteurs IoT", "Logiciel de pilotage": "du logiciel de pilotage",
              "Audit énergétique": "de l'audit énergétique", "Contrat de maintenance": "du contrat de maintenance"}
JUNIOR = "Julien Morel"   # « Commercial junior » of the team (equipe.csv)
PART_TIME = "Sophie Marchand"  # at 80 %: the C4.1 statement speaks of her days


def fr(x: float, decimals: int = 0) -> str:
    """A French number, rounded half up: « 105 200 », « 31,3 » (31,25), « −3,01 »."""
    value = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{abs(value):,.{decimals}f}".replace(",", " ").replace(".", ",")
    return ("−" if value < 0 else "") + text


def hours(x: float) -> str:
    text = fr(x, 1)
    return text[:-2] if text.endswith(",0") else text


def month_name(month: str) -> str:
    return MONTHS[int(month[5:7]) - 1]


def of(word: str) -> str:
    """« de mai », « d'août »."""
    return ("d'" if word[0].lower() in "aeiouyéèâêîôûh" else "de ") + word


def joined(items: list[str], last: str = " et ") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + last + items[-1]


def first(name: str) -> str:
    return name.split(" ", 1)[0]


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(text, width=114, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)


def _sorted(facts: dict, people) -> list[str]:
    return sorted(people, key=lambda p: facts["nom"](p))


# ---------------------------------------------------------------------------------------------- the guide

def render_guide_overloads(f: dict) -> str:
    cases = f["surcharges"]
    parts = [f"{r} en semaine {w}" + (f" ({hours(h)} h de trop)" if k == 0 else f" ({hours(h)} h)" if k < 5 else "")
             for k, (r, w, h) in enumerate(cases)]
    if len(cases) > 5:
        parts[-1] += f" ({hours(cases[-1][2])} h)"
    text = (f"- `surcharges` : {NUMBERS[len(cases)]} cases, de la plus forte à la plus faible — {', '.join(parts)}. "
            "Une case pleine (charge = capacité) n'est pas une surcharge.")
    return _wrap(text, "  ")


def render_guide_dashboard_story(f: dict) -> str:
    weakest, late, low = f["conversion_min"], f["sous_objectif"], f["pipeline_faible"]
    others = _sorted(f, [r for r in late if r != weakest])
    text = ("**Ce que portent les données.** Export CRM au 30 juin 2026 : objectifs croissants de 3 % par mois, "
            f"objectifs de {PART_TIME} à 80 % (temps partiel), de Lucas Perrin relevés de 15 %. {weakest}"
            + (" (junior)" if weakest == JUNIOR else "") + f" convertit et vend peu ; {joined(others)} sont loin de "
            f"leur objectif ; le pipeline de {joined(_sorted(f, low), ' et de ')} couvre mal le troisième trimestre.")
    return _wrap(text)


def render_guide_dashboard_table(f: dict) -> str:
    rows = [f"| {r} | {fr(k['ca'])} | {k['nb_commandes']} | {fr(k['taux_conversion'], 1)} % | "
            f"{fr(k['taux_atteinte'], 1)} % | {fr(k['couverture_pipeline'], 2)} |"
            for r, k in sorted(f["tableau"].items(), key=lambda item: f["nom"](item[0]))]
    alerts = f["alertes"]
    lists = [f"{label} de {joined(_sorted(f, alerts[key]))}" for key, label in
             (("couverture_pipeline", "la couverture"), ("taux_atteinte", "l'atteinte"),
              ("taux_conversion", "la conversion")) if alerts[key]]
    count = sum(len(v) for v in alerts.values())
    text = (f"Avec les seuils du corrigé (atteinte 85 %, conversion 30 %, couverture 1), {NUMBERS[count]} alerte"
            f"{'s' if count > 1 else ''} : {' ; '.join(lists)}. Les alertes sont recalculées par le test caché avec "
            "les seuils **du candidat** (dans les bornes de l'énoncé).")
    return "\n".join(rows) + "\n\n" + _wrap(text)


def _anomaly(f: dict, kind: str) -> dict:
    return next(a for a in f["anomalies"] if a["kind"] == kind)


def render_guide_planted(f: dict) -> str:
    err, exc, absn = (_anomaly(f, k) for k in ("erreur de saisie", "affaire exceptionnelle", "absence"))
    return (f"- {err['rep']}, {month_name(err['month'])} 2026, {PRODUCT_LOWER[err['product']]} : montant saisi dix "
            "fois trop grand (erreur de saisie) ;\n"
            f"- {exc['rep']}, {month_name(exc['month'])} 2026, {PRODUCT_LOWER[exc['product']]} : marché exceptionnel "
            f"de {fr(f['exceptionnel'])} € HT ;\n"
            f"- {absn['rep']}, {month_name(absn['month'])} 2026 : absence, réalisé quasi nul (un rendez-vous, six "
            "appels).")


def render_guide_anomalies(f: dict) -> str:
    ranked = sorted(f["anomalies"], key=lambda a: -abs(a["z"]))
    parts = [f"{a['rep']} {a['month']} ({'taux de réalisation ' if k == 0 else ''}{fr(a['taux'], 2)} ; "
             f"z = {fr(a['z'], 2)})" for k, a in enumerate(ranked)]
    return _wrap(f"- `anomalies` : trois lignes, par |z| décroissant — {joined(parts, ', ')}. Les trois |z| sont "
                 "proches : l'ordre est vérifié.", "  ")


def render_guide_causes(f: dict) -> str:
    err, exc, absn = (_anomaly(f, k) for k in ("erreur de saisie", "affaire exceptionnelle", "absence"))
    return _wrap(f"- Causes : erreur de saisie ({err['rep']}, {month_name(err['month'])}), affaire exceptionnelle "
                 f"({exc['rep']}, {month_name(exc['month'])}), absence ou congé ({absn['rep']}, "
                 f"{month_name(absn['month'])}). Se trouvent en croisant avec l'activité (rendez-vous "
                 f"{of(month_name(absn['month']))} de {absn['rep']}) et le détail par produit (un seul produit porte "
                 f"l'écart de {err['rep']} et de {exc['rep']}).", "  ")


def render_guide_regression(f: dict) -> str:
    return (f"- Anomalies exclues : corrélation rendez-vous / réalisé ≈ {fr(f['correlation'], 2)}, pente ≈ "
            f"{fr(f['pente'])} € HT par rendez-vous.")


# ---------------------------------------------------------------------------------------------- the facts file

def _number_pattern(x: float, decimals: int) -> str:
    """« 32,8 » → 32[,.]8 ; « 1 076 » → 1[  ]?076."""
    whole, _, dec = fr(x, decimals).replace(" ", "").partition(",")
    whole = f"{int(whole) // 1000}[  ]?{int(whole) % 1000:03d}" if int(whole) >= 1000 else whole
    return whole + (f"[,.]{dec}" if dec else "")


def render_facts_c41(f: dict) -> str:
    (r1, w1, _), (r2, w2, _) = f["surcharges"][:2]
    return (f"  - motif: '{r1}[^;\\n]{{0,40}}semaine {w1}'\n"
            "    pourquoi: la plus forte surcharge du plan actuel (réponse de la question 3)\n"
            f"  - motif: '{r2}[^;\\n]{{0,40}}semaines? {w2}'\n"
            "    pourquoi: une surcharge du plan actuel (réponse de la question 3)\n")


def render_facts_c42(f: dict) -> str:
    late = min(f["tableau"], key=lambda r: f["tableau"][r]["taux_atteinte"])
    low = min(f["tableau"], key=lambda r: f["tableau"][r]["couverture_pipeline"])
    return (f"  - motif: '{late}[^;\\n]{{0,80}}{_number_pattern(f['tableau'][late]['taux_atteinte'], 1)}'\n"
            f"    pourquoi: le taux d'atteinte de {late} sur le semestre (réponse de la question 2)\n"
            f"  - motif: '{low}[^;\\n]{{0,80}}{_number_pattern(f['tableau'][low]['couverture_pipeline'], 2)}'\n"
            f"    pourquoi: la couverture du pipeline de {low} (réponse de la question 2)\n"
            f"  - motif: 'pipeline de {joined(_sorted(f, f['pipeline_faible']), ' et de ')}'\n")


def render_facts_c43(f: dict) -> str:
    err, exc, absn = (_anomaly(f, k) for k in ("erreur de saisie", "affaire exceptionnelle", "absence"))
    name = month_name(absn["month"])
    aside = ", et l'énoncé de C4.1 parle de ses absences" if absn["rep"] == PART_TIME else ""
    return (f"    pourquoi: la cause plantée de l'anomalie de {err['rep']} (erreur de saisie)\n"
            f"  - motif: '{err['rep']}[^;\\n]{{0,120}}(erreur de saisie|dix fois)'\n"
            f"    pourquoi: l'anomalie {of(month_name(err['month']))} 2026 et sa cause (questions 3 et causes)\n"
            f"  - motif: '{exc['rep']}[^;\\n]{{0,120}}(exceptionnel|{_number_pattern(f['exceptionnel'], 0)})'\n"
            f"    pourquoi: l'anomalie {of(month_name(exc['month']))} 2026 et sa cause, une affaire exceptionnelle\n"
            f"  - motif: '{absn['rep']}\\W{{1,4}}({MONTH_PATTERNS.get(name, name)} 2026|{absn['month']})\\W{{1,4}}"
            "(absen|r[ée]alis[ée] quasi nul)'\n"
            "    pourquoi: >-\n"
            f"      l'anomalie {of(name)} 2026 et sa cause, une absence (motif serré : les données diffusées portent "
            f"légitimement\n      « {absn['rep']} » et « {absn['month']} » sur les mêmes lignes{aside})\n"
            "  - texte: réalisé quasi nul\n"
            f"    pourquoi: l'effet de l'absence plantée {'en ' + name} 2026 (note du formateur)\n"
            f"  - motif: 'corr[ée]lation[^;\\n]{{0,40}}{_number_pattern(f['correlation'], 2)}'\n"
            "    pourquoi: la corrélation rendez-vous / réalisé, anomalies exclues (question 4)\n"
            f"  - motif: '{_number_pattern(f['pente'], 0)}\\s*€'\n")


# ---------------------------------------------------------------------------------------------- the answer key

def render_key(key: dict, f: dict) -> dict:
    """The answers of reponses_corrige.json (a copy of ``key``, today's) told by the facts."""
    key = copy.deepcopy(key)
    c41, c42, c43 = key["C4_1_plan_de_charges"], key["C4_2_tableau_de_bord"], key["C4_3_analyse_statistique"]
    weakest, late, low = f["conversion_min"], f["sous_objectif"], f["pipeline_faible"]
    busiest = f["plus_charges"]  # the two most loaded reps of the rebalanced plan, in the team's order
    c41["arbitrages.risques"] = ("Les activités avancées en semaine 2 pèsent sur la reprise de janvier ; je fais un "
                                 "point chaque lundi sur le taux d'occupation et je garde une réserve de 10 % chez "
                                 f"{first(busiest[0])} et {first(busiest[1])}.")
    c41["objectif_2.intitule"] = f"Porter le taux de conversion des opportunités {of(weakest)} au niveau de l'équipe"
    c41["objectif_2.responsable"] = weakest
    others = _sorted(f, [r for r in late if r != weakest])
    c42["lecture.actions"] = (f"Accompagnement terrain {of(weakest)} par Camille Durand ; revue des opportunités "
                              f"perdues de {' et '.join(first(r) for r in others)} ; campagne de prospection ciblée "
                              f"pour regarnir le pipeline de {' et '.join(first(r) for r in _sorted(f, low))} avant "
                              "juillet.")
    c42["lecture.constats"] = (f"1. {joined(_sorted(f, late))} sont loin de leur objectif (moins de 55 % d'atteinte)."
                               f"\n2. La conversion {of(weakest)} est la plus faible de l'équipe.\n3. Le pipeline de "
                               f"{joined(_sorted(f, low), ' et de ')} ne couvre pas le troisième trimestre.")
    for k, kind in enumerate(("erreur de saisie", "affaire exceptionnelle", "absence"), 1):
        a = _anomaly(f, kind)
        c43[f"causes.anomalie_{k}|commercial"], c43[f"causes.anomalie_{k}|mois"] = a["rep"], a["month"]
    err, absn = _anomaly(f, "erreur de saisie"), _anomaly(f, "absence")
    c43["causes.anomalie_1|correction"] = (f"Corriger la saisie {PRODUCT_OF[err['product']]} (montant multiplié "
                                           "par dix) dans le CRM.")
    c43["causes.anomalie_3|correction"] = (f"Prévoir l'absence dans le prévisionnel {of(month_name(absn['month']))} "
                                           "et organiser un relais des comptes.")
    ahead, behind = f["en_avance"], _sorted(f, f["en_retard"])
    c43["synthese.resultats"] = (f"1. Le réalisé dépasse la prévision de l'équipe ; {ahead[0]} et {ahead[1]} portent "
                                 f"l'essentiel de l'avance.\n2. {joined(behind)} "
                                 + ("restent sous leur prévision." if len(behind) > 1 else "reste sous sa prévision.")
                                 + "\n3. Trois anomalies faussent les totaux : une erreur de saisie, une affaire "
                                 "exceptionnelle, une absence.")
    return key


def render_causes_test(f: dict) -> str:
    err, exc, absn = (_anomaly(f, k) for k in ("erreur de saisie", "affaire exceptionnelle", "absence"))
    return (f'_attendues = {{("{err["rep"]}", "{err["month"]}"): "erreur de saisie", ("{exc["rep"]}", '
            f'"{exc["month"]}"): "affaire exceptionnelle",\n              ("{absn["rep"]}", "{absn["month"]}"): '
            '"absence ou congé"}')
