"""Bloc 3 sessions: the leak patterns (faits_reponses.yaml) and the short passages that quote the data.

Same contract as ``b3_texts``: each render gives today's text for today's facts, the session's for its own.
"""

from __future__ import annotations

from mdpc.authoring.variants.b3_texts import (
    ACTIONS,
    NOUNS,
    SUBJECTS,
    WORDS,
    approx,
    contract,
    fr,
    label,
    payment,
)

# ---------------------------------------------------------------------------------------------- contract figures

def terms(f) -> dict:
    """Figures of the accords the key quotes (bornes, depots, intervention hours, penalty, termination)."""
    a = {k: v[1] for k, v in f["accords"].items()}
    depots = a["Objet"].split(" sur ")[1].split(" ")[0]
    return {"bornes": int(a["Objet"].split(" de ")[1].split(" ")[0]), "depots": depots,
            "heures": int(a["Niveau de service"].split(" en ")[1].split(" ")[0]),
            "penalite": int(a["Pénalités"].split("Pénalité de ")[1].split(" ")[0]),
            "apres": int(a["Résiliation"].split("après ")[1].split(" ")[0]),
            "preavis": int(a["Résiliation"].split("préavis de ")[1].split(" ")[0])}


def split_thousands(x: int) -> str:
    return f"{x // 1000}\\s?{x % 1000:03d}" if x >= 1000 else str(x)


def leak_facts(f) -> str:
    """corrige/faits_reponses.yaml, from its first notebook to its end."""
    crit = r"\W{1,6}".join(f["chemin_critique"])
    n, pm, m, fx = f["duree_projet"], f["point_mort"], f["marge"], f["fixes"]
    d_spi, d_cpi = int(f["spi"] * 100), int(f["cpi"] * 100)
    spi = (f"0[.,]{d_spi // 10}[{d_spi % 10}{(d_spi + 1) % 10}]" if d_spi // 10 == (d_spi + 1) // 10
           else f"0[.,]({d_spi}|{d_spi + 1})")
    alerts = r"\W{1,6}".join(f["alertes_090"])
    acc, days, mode = payment(f)
    b = terms(f)["bornes"]
    total, sub = b * 1100 + b * 28 * 12, b * 28 * 12
    g = f["nps_global"]
    sign = "[-−]\\s?" if g < 0 else ""
    churn_cohort = next(k for k, v in f["cohortes"].items() if f["clients_resilies"][0] in v)
    ret = fr(f["retention"][churn_cohort], 1)
    return f"""C3_1_cahier_des_charges:
  - motif: '{crit}'
    pourquoi: "le chemin critique du cahier des charges, écrit comme une suite de tâches (réponse de C3.1, question 2)"
  - motif: 'chemin critique[^.\\n]{{0,40}}{n} semaines|{n} semaines[^.\\n]{{0,40}}chemin critique|projet (dure|de) {n} semaines'
    pourquoi: "la durée du projet ({n} semaines), réponse de C3.1, question 2"
  - motif: 'point mort[^.\\n]{{0,40}}\\b{pm}\\b|\\b{pm} bornes'
    pourquoi: "le point mort ({pm} bornes), réponse de C3.1, question 4"
  - motif: 'marge[^.\\n]{{0,40}}\\b{m}\\b|\\b{m}\\s*€'
    pourquoi: "la marge par borne la première année ({m} €), réponse de C3.1, question 4"
  - motif: '{split_thousands(fx)}\\s*€'
    pourquoi: "les coûts fixes annuels ({fr(fx)} €), réponse de C3.1, question 4"

C3_2_tableau_de_bord_projet:
  - motif: 'SPI\\W{{0,6}}{spi}'
    pourquoi: "le SPI du projet à la semaine 14 (≈ {fr(f['spi'], 3)}), réponse de C3.2, question 1"
  - motif: 'CPI\\W{{0,6}}0[.,]({d_cpi}|{d_cpi + 1})\\b'
    pourquoi: "le CPI du projet à la semaine 14 (≈ {fr(f['cpi'], 3)}), réponse de C3.2, question 1"
  - motif: '{split_thousands(int(round(f['eac'])))}'
    pourquoi: "l'estimation à terminaison (EAC ≈ {fr(f['eac'])} €), réponse de C3.2, question 1"
  - motif: '(SPI|CPI)[^.\\n]{{0,20}}sous 0[.,]9'
    pourquoi: "le diagnostic du projet (indices sous 0,90), ce que le tableau de bord doit faire ressortir"
  - texte: "en retard et au-dessus de son budget"
    pourquoi: "le diagnostic du projet à la semaine 14"
  - motif: 'alerte[^\\n]{{0,40}}{alerts}'
    pourquoi: "les tâches en alerte avec des seuils de 0,90 ({', '.join(f['alertes_090'])}), réponse de C3.2, question 2"

C3_3_contrat:
  - motif: '{days} jours {mode}[^.\\n]{{0,60}}(au-delà|illégal|plafond|renégoci)'
    pourquoi: "l'accord illégal à corriger ({acc}), réponse de C3.3, question 1"
  - motif: '{acc}[^.\\n]{{0,60}}(illégal|au-delà du plafond|renégoci)'
    pourquoi: "l'accord illégal à corriger ({acc}), réponse de C3.3, question 1"
  - motif: '{split_thousands(total)}'
    pourquoi: "le montant de la première année ({fr(total)} €), réponse de C3.3, question 2"
  - motif: '{split_thousands(sub)}'
    pourquoi: "l'abonnement annuel des {b} bornes ({fr(sub)} €), réponse de C3.3, question 2"

C3_4_suivi_clients:
  - motif: 'attrition[^.\\n]{{0,30}}\\b{fr(f['attrition'])}\\s*%'
    pourquoi: "l'attrition ({fr(f['attrition'])} %), réponse de C3.4, question 2"
  - motif: '{ret.replace(',', '[.,]')}\\s*%'
    pourquoi: "la rétention de la cohorte {churn_cohort} ({ret} %), réponse de C3.4, question 2"
  - motif: 'NPS global[^.\\n]{{0,20}}{sign}{fr(abs(g), 1).replace(',', '[.,]')}|NPS global[^.\\n]{{0,20}}{sign}{fr(abs(g))}\\b'
    pourquoi: "le NPS global ({approx(g, 1)}), réponse de C3.4, question 2"
"""


def leak_facts_end(f) -> str:
    p0, p1 = f"{f['prevision'][0]:.1f}".split("."), f"{f['prevision'][1]:.2f}".split(".")
    roi = f"{abs(f['roi']):.1f}".split(".")
    return f"""  - motif: '(ROI|retour sur investissement)[^.\\n]{{0,40}}[-−]\\s?{roi[0]}[.,]{roi[1]}'
    pourquoi: "le retour sur investissement à date ({approx(f['roi'], 1)} %), réponse de C3.5, question 2"
  - motif: '\\b{round(f['fin_annee'])}([.,]\\d+)?\\s*bornes'
    pourquoi: "la prévision de fin d'année ({approx(f['fin_annee'], 0)} bornes), réponse de C3.5, question 3"
  - motif: '{p0[0]}[.,]{p0[1]}\\d*\\W{{1,6}}{p1[0]}[.,]{p1[1][0]}{p1[1][1]}?'
    pourquoi: "la prévision d'octobre et de novembre ({fr(f['prevision'][0], 1)} et {fr(f['prevision'][1], 1)} bornes), réponse de C3.5, question 3"
"""


# ---------------------------------------------------------------------------------------------- small passages

def key_tasks(f) -> tuple[list[str], str, str, str]:
    """The tasks the key re-adjusts (in alert at 0.90, and the one re-planned longest), the not-started one (S),
    the late one re-planned by a week (L) and the third in alert (M)."""
    ind = f["indices"]
    n = [t for t, d in f["recalage"].items() if d > 1][0]
    s = next(t for t in f["alertes_090"] if ind.loc[t, "spi"] == 0)
    late = [t for t, d in f["recalage"].items() if d == 1][0]
    m = next(t for t in f["alertes_090"] if t not in (s, late))
    return sorted(set(f["alertes_090"]) | {n}), s, late, m


def action(f, task: str) -> str:
    """The key's re-adjustment of a task (the debriefing T09 shortened by a week, whatever its duration)."""
    text = ACTIONS[task][0]
    if task == "T09":
        d = int(f["durees"]["T09"])
        shorter = ("en quelques jours au lieu d'une semaine" if d == 1 else
                   f"en {'une semaine' if d == 2 else WORDS[d - 1] + ' semaines'} au lieu de {WORDS[d]}")
        text = text.replace("en une semaine au lieu de deux", shorter)
    return text


def passages(f) -> list[tuple[str, str]]:
    """(files, text) of every short passage that quotes the data, in a fixed order (paired default / session)."""
    tasks, s, late, m = key_tasks(f)
    t, c, (acc, days, mode) = terms(f), contract(f), payment(f)
    b, sub = t["bornes"], t["bornes"] * 28 * 12
    delay = f["duree_recalee"] - f["duree_projet"]
    shift = "d'une semaine" if delay == 1 else f"de {WORDS[delay]} semaines"
    sources = " ; ".join(f"{i} {SUBJECTS[k]}" + (" (ramené à 45 jours fin de mois)" if k == "Paiement" else "")
                         for i, k in sorted(((v[0], k) for k, v in f["accords"].items()), key=lambda x: int(x[0][1:])))
    big = [x for x in f["comptes"].index if f["comptes"].loc[x, "segment"] == "Grand compte"]
    nb, key = "C3_3_contrat.ipynb", "corrige/reponses_corrige.json"
    wrong = "\n      ".join(f"{x} : {ACTIONS[x][1]}" for x in tasks if x != s)
    return [
        (nb, f"pour les {b} bornes de l'accord A1 (constante `BORNES`)"),
        (nb, f"BORNES = {b}  # les bornes de l'accord A1"),
        (nb, f"montants de la première année (installation, abonnement) pour {b} bornes."),
        (nb, f'montants["installation_totale"] == {b} * 1100 and montants["abonnement_annuel"] == {b} * 28 * 12,'),
        (nb, f"Montants attendus : {fr(b * 1100)} € d'installation et {fr(sub)} € d'abonnement par an"),
        (nb, f'montants["premiere_annee"] == {b} * 1100 + {b} * 28 * 12,'),
        (nb, f"l'accord {acc} ({days} jours {mode}) doit être renégocié"),
        (nb, f"reprenez l'accord {c['Durée']} (60 mois)"),
        (key, "\n".join(f"{x} : {action(f, x)}" for x in tasks)),
        (key, f"décaler la fin du projet {shift}."),
        (key, f["accords"]["Objet"][1]),
        (key, f"intervention sur borne en {t['heures']} h ouvrées ; pénalité de {t['penalite']} % de l'abonnement mensuel"),
        (key, f"Après {t['apres']} mois, préavis de {t['preavis']} mois, indemnité"),
        (key, sources),
        (key, f"ont signé et sont nos meilleurs ambassadeurs (NPS de "
              f"{' et '.join(fr(f['clients'].loc[x, 'nps']) for x in big)})."),
        (key, f"parce que {NOUNS[min(m, late)][2]} et {NOUNS[max(m, late)][2]} ont dérivé"),
        (key, f"une nouvelle résiliation comme celle de {label(f, f['clients_resilies'][0])}."),
        ("corrige/erreurs_types.yaml", f"paiement à {days} jours {mode} repris tel quel"),
        ("corrige/erreurs_types.yaml", f"fiche.delai_paiement_jours: {days}"
                                       + ("" if mode == "fin de mois" else f"\n    fiche.mode_delai: {MODE_ANSWER}")),
        ("corrige/erreurs_types.yaml", f"reajustements.actions: |-\n      {wrong}\n  echoue"),
    ]


MODE_ANSWER = "à compter de la date d'émission de la facture"
