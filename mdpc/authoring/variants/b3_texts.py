"""Bloc 3 sessions: the passages of the notebooks and of ``corrige/`` that quote the data, as templates.

Each passage is a function of the facts (``b3_facts.facts``) rendering today's text exactly for today's data (the
build checks it: a replacement whose old text is not found stops it) and the session's text for its data.
Names are those of today's case: the variant's name mapping renames them afterwards.
"""

from __future__ import annotations

WORDS = {1: "une", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six", 7: "sept", 8: "huit", 9: "neuf", 10: "dix",
         11: "onze", 12: "douze"}
# C3.1 chains (tasks between T01 and T10), as the guide names them
CHAINS = {"plateforme": ("T03", "T06", "T09"), "campagne": ("T05", "T08"), "equipe": ("T04", "T07")}
CRITICAL_TEXT = {"plateforme": "le paramétrage de la plateforme et le site pilote",
                 "campagne": "la campagne de prospection et les contrats cadres",
                 "equipe": "le recrutement et la qualification IRVE des installateurs"}
RUNNER_TEXT = {"plateforme": "la chaîne paramétrage → site pilote", "campagne": "la chaîne campagne → contrats cadres",
               "equipe": "la chaîne recrutement → qualification IRVE"}
# task → (noun for the guide, agreement of « prolongé », phrase for the key's difficulties)
NOUNS = {"T02": ("choix du fabricant", "", "le choix du fabricant"), "T03": ("paramétrage", "", "le paramétrage de la plateforme"),
         "T04": ("recrutement", "", "le recrutement de l'équipe d'installation"),
         "T05": ("campagne", "e", "la campagne de prospection"), "T06": ("site pilote", "", "le site pilote"),
         "T07": ("qualification", "e", "la qualification IRVE des installateurs"),
         "T08": ("contrats cadres", "s", "les contrats cadres"), "T09": ("retour d'expérience", "", "le retour d'expérience")}
# a re-adjustment per task in alert (answer key, C3.2) and its short form (wrong answer that forgets one)
ACTIONS = {
    "T01": ("cadrage bouclé en comité restreint, sans nouvelle itération.", "cadrage bouclé."),
    "T02": ("commande passée chez le second fabricant référencé, livraison suivie chaque semaine.", "second fabricant."),
    "T03": ("renfort d'un développeur pendant deux semaines pour finir le paramétrage.", "renfort d'un développeur."),
    "T04": ("recrutement confié à une agence d'intérim spécialisée, formation en binôme.", "agence d'intérim."),
    "T05": ("recentrer la campagne sur les PME du transport, reporter les webinaires.", "campagne recentrée."),
    "T06": ("site pilote prioritaire, deuxième équipe d'installation mobilisée.", "deuxième équipe d'installation."),
    "T07": ("sessions de qualification IRVE doublées, installateurs qualifiés d'abord.", "sessions doublées."),
    "T08": ("trame de contrat cadre unique validée une fois par le juridique.", "trame unique."),
    "T09": ("retour d'expérience replanifié dès la fin du site pilote, en une semaine au lieu de deux.", "retour replanifié."),
}
DEFAULT_SHORT = {"Froid Alpin Logistique": "Froid Alpin", "Laiterie des Monts du Lyonnais": "Laiterie",
                 "Clinique vétérinaire Belledonne": "la Clinique"}
SUBJECTS = {"Objet": "objet", "Prix": "prix", "Paiement": "paiement", "Durée": "durée", "Niveau de service": "niveau de service",
            "Pénalités": "pénalités", "Données": "données", "Résiliation": "résiliation",
            "Propriété intellectuelle": "propriété intellectuelle", "Juridiction": "juridiction"}


def fr(x, decimals: int = 0) -> str:
    text = f"{x:,.{decimals}f}".replace(",", " ").replace(".", ",").replace("-", "−")
    return "0" if text in ("−0", "−0,0") else text


def approx(x, decimals: int) -> str:
    return ("" if abs(round(x, decimals) - x) < 1e-9 else "≈ ") + fr(x, decimals)


def join(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


def label(f, client: str, short: bool = True) -> str:
    """How the guide names a client: today's short forms for today's data; the full name otherwise."""
    name = client.replace(" (services techniques)", "")
    return DEFAULT_SHORT.get(client, name) if short and f["default"] else name


def chain_of(f, tasks) -> str:
    return next(k for k, v in CHAINS.items() if set(v) <= set(tasks))


def runner_up(f) -> tuple[str, int]:
    """The non-critical chain of least float, and its float in weeks."""
    critical = chain_of(f, f["chemin_critique"])
    return min(((k, min(f["marges"][t] for t in v)) for k, v in CHAINS.items() if k != critical), key=lambda kv: kv[1])


def payment(f) -> tuple[str, int, str]:
    c = f["clause_illegale"][0]
    return c["accord"], c["jours"], c["mode"]


def ceiling_text(mode: str) -> str:
    return "45 jours fin de mois" if mode == "fin de mois" else "60 jours à compter de la date de facture"


def contract(f) -> dict:
    a = {k: v[0] for k, v in f["accords"].items()}
    return {**a, "bornes": int(f["comptes"].loc["Transports Rhodaniens", "bornes"])}


# ---------------------------------------------------------------------------------------------- guide

def guide_planted(f) -> str:
    runner, slack = runner_up(f)
    a090 = f["alertes_090"]
    margin = "qu'une semaine" if slack == 1 else f"que {WORDS[slack]} semaines"
    n, k = next((t, d) for t, d in f["recalage"].items() if d > 1)
    late = next(t for t, d in f["recalage"].items() if d == 1)
    acc, days, mode = payment(f)
    ac = contract(f)
    res, dis = f["clients_resilies"][0], f["clients_a_risque"]
    return "\n".join([
        f"| C3.1 | un réseau de douze tâches dont le chemin critique ({f['duree_projet']} semaines) passe par "
        f"{CRITICAL_TEXT[chain_of(f, f['chemin_critique'])]} ; {RUNNER_TEXT[runner]} n'a {margin} de marge "
        "| `TACHES` |",
        "| C3.1 | des coûts variables de deux natures (par borne installée, par borne et par an) : oublier l'une fausse la "
        "marge unitaire | `COUTS`, `PRIX_B3` |",
        f"| C3.2 | à la semaine 14, projet en retard et au-dessus du budget (SPI ≈ {fr(f['spi'], 3)}, CPI ≈ {fr(f['cpi'], 3)}) ; "
        f"{WORDS[len(a090)]} tâches sous un seuil de 0,90 ({', '.join(a090)}) | `make_progress()` |",
        f"| C3.2 | un planning recalé ({NOUNS[n][0]} {n} prolongé{NOUNS[n][1]} de {WORDS[k]} semaines, {NOUNS[late][0]} {late} d'une) "
        "dont le chemin critique n'est plus celui du cahier des charges : "
        f"{', '.join(f['chemin_critique_recale'])} ({f['duree_recalee']} semaines) — la colonne `chemin_critique_recale` le "
        "donne, pour que C3.2 ne contienne pas la réponse de C3.1 | `DUREES_RECALEES` |",
        f"| C3.3 | un accord illégal : paiement à {days} jours {mode} ({acc}), au-delà du plafond de {ceiling_text(mode)} ; une "
        f"demande de cession de la propriété intellectuelle ({ac['Propriété intellectuelle']}) ; des relevés par conducteur "
        f"({ac['Données']}) qui font d'Ombelle un sous-traitant au sens du RGPD | `ACCORDS` |",
        f"| C3.4 | un client résilié ({label(f, res, False)}) et deux en discussion "
        f"({', '.join(label(f, c, False) for c in dis)}), dont le NPS et l'usage se dégradent avant la décision | "
        "`PROFILS_COMPTES` |"])


def num(x) -> str:
    return fr(x) if abs(x - round(x)) < 1e-9 else "≈ " + fr(x, 1)


def _index(x, name: str) -> str:
    if x != x:
        return f"{name} NaN"
    return f"{name} 0" if x == 0 else f"{name} {approx(x, 2)}"


def guide_results(f) -> str:
    ind, a090, a095 = f["indices"], f["alertes_090"], f["alertes_095"]
    started = list(ind.index)
    details = []
    for t in a090:
        spi, cpi = ind.loc[t, "spi"], ind.loc[t, "cpi"]
        details.append(f"**{t}** (SPI 0, rien d'engagé : CPI NaN)" if spi == 0 and cpi != cpi
                       else f"**{t}** ({_index(spi, 'SPI')}, {_index(cpi, 'CPI')})")
    near = [f"{t} ({_index(ind.loc[t, 'spi'], 'SPI') if ind.loc[t, 'spi'] < 0.95 else _index(ind.loc[t, 'cpi'], 'CPI')})"
            for t in a095 if t not in a090]
    late = [t for t, d in f["recalage"].items() if d == 1][0]
    entered = [t for t in f["chemin_critique_recale"] if t not in f["chemin_critique"]]
    p, c = f["prix"], contract(f)
    charge, groups = f["charge"], []
    for service, value in charge:
        if groups and groups[-1][1] == value:
            groups[-1][0].append(service)
        else:
            groups.append(([service], value))
    parts = [f"{join(s)} {fr(v, 1).removesuffix(',0')}{' chacun' if len(s) > 1 else ''}" for s, v in groups]
    charges = " ;\n  ".join(x for x in (" ; ".join(parts[:3]), " ; ".join(parts[3:])) if x)
    b = c["bornes"]
    return f"""- Ordonnancement (méthode des potentiels, passe avant puis passe arrière) : durée du projet **{f['duree_projet']} semaines** ;
  chemin critique **{' → '.join(f['chemin_critique'])}**. T10 attend ses trois prédécesseurs (T07, T08, T09).
- Charge des services (ETP × semaines) : {charges}.
- RACI : le service qui réalise une activité est celui qui porte la tâche (T03 et T10 : Technique ;
  T05 : Commercial ; T08 : Juridique).
- Budget : coûts fixes **{fr(f['fixes'])} €** par an ; marge par borne la première année ({fr(p['installation_facturee'])} − {fr(f['ponctuels'])}) + ({fr(p['abonnement_annuel'])} − {fr(f['annuels'])}) =
  **{f['marge']} €** ; point mort **{f['point_mort']} bornes** ({fr(f['point_mort_exact'], 1)} arrondi au-dessus) ; atteint avec les {p['bornes_prevues_annee_1']} bornes prévues
  (`point_mort_atteint` vaut `True`).

### C3.2 — Tableau de bord

- Projet : PV {fr(f['pv'])} €, EV {fr(f['ev'])} €, AC {fr(f['ac'])} €, **SPI ≈ {fr(f['spi'], 3)}**, **CPI ≈ {fr(f['cpi'], 3)}**, BAC {fr(f['bac'])} €,
  **EAC ≈ {fr(f['eac'])} €**.
- Par tâche ({WORDS[len(started)]} tâches commencées ou prévues, {started[0]} à {started[-1]}) : avec des seuils de 0,90, alertes sur {join(details).replace(' (', chr(10) + '  (', 1)}. Avec un
  seuil de 0,95, {join(near)} s'y ajoutent. Le test des réajustements attend chaque tâche
  en alerte selon les seuils du candidat (ramenés entre 0,80 et 0,95).
- Le tableau de bord signale les tâches du chemin critique recalé (`CRITIQUES`) : {late} n'y est plus, {join(entered)} y
  entre{'nt' if len(entered) > 1 else ''}. Le titre des graphiques n'est pas vérifié automatiquement (une figure ne passe au juge que comme
  figure vide) : c'est au correcteur de le regarder (critère 3).

### C3.3 — Contrat

- Délai de paiement ramené au plafond légal (45 jours fin de mois, ou 60 jours à compter de l'émission de la
  facture) ; pénalités de retard et indemnité forfaitaire de 40 € mentionnées ; clause de sous-traitance
  conforme à l'article 28 du RGPD.
- Attentes des parties : 28 € HT par borne et par mois, 1 100 € HT l'installation ({c['Prix']}), 60 mois ({c['Durée']}) ;
  propriété intellectuelle : une licence sur les développements spécifiques, Ombelle restant propriétaire.
- Montants de la première année pour {b} bornes : installation {fr(b * 1100)} €, abonnement {fr(b * 28 * 12)} €, total {fr(b * 1100 + b * 336)} €."""


def _lines(items: list[str], after: tuple[int, ...], sep: str = ", ") -> str:
    """Items joined by ``sep``, a line break (indented continuation) after the items of rank ``after``."""
    return "".join(x + ("" if i == len(items) - 1 else sep.rstrip() + "\n  " if i in after else sep)
                   for i, x in enumerate(items))


def guide_clients(f) -> str:
    cl = f["clients"]
    npss = _lines([f"{label(f, c, False)} {num(cl.loc[c, 'nps'])}" for c in cl.index], (2, 6))
    falling = [c for c in cl.index if cl.loc[c, "tendance"] < 0]
    strong, slight = [c for c in falling if cl.loc[c, "tendance"] <= -5], [c for c in falling if cl.loc[c, "tendance"] > -5]
    items = [f"{label(f, c)} ({approx(cl.loc[c, 'tendance'], 1)} %)" for c in strong]
    if len(items) > 2:
        items[2] = items[2].replace(" (", "\n  (", 1)
    trend = ", ".join(items) if slight else join(items)
    if slight:
        trend += " et, à peine, " + join([f"{label(f, c)} ({approx(cl.loc[c, 'tendance'], 1)} %)" for c in slight])
    churned = f["clients_resilies"][0]
    cohorts = ", ".join(f"{k} **{fr(v, 1).removesuffix(',0')} %**"
                        + (f" (un résilié sur {WORDS[len(f['cohortes'][k])]})" if churned in f["cohortes"][k] else "")
                        for k, v in f["retention"].items())
    amb = _lines([label(f, c) for c in cl.index if cl.loc[c, "classe"] == "ambassadeur"], (2,))
    return f"""- NPS par client : {npss} ; NPS global {approx(f['nps_global'], 1)}.
- Tendance d'usage : en baisse chez {trend}.
- Rétention : {cohorts} ; attrition **{fr(f['attrition'])} %**.
- Fidélisation : reconquête pour {label(f, churned)} ; revue de compte pour {join([label(f, c) for c in f['clients_a_risque']])} ;
  extension ou parrainage pour les ambassadeurs ({amb}) ; les autres : suivi trimestriel (extension ou parrainage admis)."""


def guide_report(f) -> str:
    k, o = f["cumuls"], f["objectifs"].set_index("indicateur")["objectif"]
    p = f["prevision"]
    return f"""- Cumuls de janvier à septembre : bornes {k['bornes_installees']} installées pour {k['bornes_prevues']} prévues (objectif annuel {fr(o['bornes_installees'])}) ; clients {k['clients_signes']}
  pour {k['clients_prevus']} (objectif {o['clients_signes']}) ; chiffre d'affaires {fr(k['ca_realise_eur'])} € pour {fr(k['ca_prevu_eur'])} € ; coûts {fr(k['couts_reels_eur'])} € pour {fr(k['couts_prevus_eur'])} €.
- ROI à date **{approx(f['roi'], 1)} %** (gain net rapporté aux coûts réels).
- Tendance depuis mars (mois 3 à 9) : environ {fr(p[0], 1)}, {fr(p[1], 1)} et {fr(p[2], 1)} bornes en octobre, novembre, décembre ;
  **{approx(f['fin_annee'], 0)} bornes** fin 2027, sous l'objectif de {fr(o['bornes_installees'])}."""


def guide_error(f) -> str:
    _, days, mode = payment(f)
    return f"- C3.3 : le délai de {days} jours {mode} repris tel quel ; la propriété intellectuelle cédée ; la clause de"
