"""Texts of the bloc 1 answer key, guide and hidden test rendered from the facts of the data (b1_faits).

Each template renders today's committed text from today's facts (the build fails otherwise) and the session's
text from the session's facts; :func:`replacements` pairs them. Bullets of the trainer's guide are rendered flat
and wrapped at :data:`WIDTH` (the committed guide is wrapped the same way).
"""

from __future__ import annotations

import math
import textwrap

WIDTH = 116
GUIDE, KEY, ERRORS, FACTS = ("corrige/guide_formateur.md", "corrige/reponses_corrige.json",
                             "corrige/erreurs_types.yaml", "corrige/faits_reponses.yaml")
NB1 = "C1_1_etude_de_marche.ipynb"
PESTEL = ["Politique", "Économique", "Sociologique", "Technologique", "Écologique", "Légal"]
ARTICLE = {"Ain": "l'Ain", "Allier": "l'Allier", "Ardèche": "l'Ardèche", "Cantal": "le Cantal", "Drôme": "la Drôme",
           "Isère": "l'Isère", "Loire": "la Loire", "Haute-Loire": "la Haute-Loire", "Puy-de-Dôme": "le Puy-de-Dôme",
           "Rhône": "le Rhône", "Savoie": "la Savoie", "Haute-Savoie": "la Haute-Savoie"}
SECTEUR = {"Transport et logistique": "transport-logistique", "Services aux entreprises": "services aux entreprises",
           "BTP": "BTP", "Commerce de gros": "commerce de gros", "Industrie": "industrie"}
SECTEUR_ART = {"Transport et logistique": "le transport-logistique", "BTP": "le BTP", "Industrie": "l'industrie",
               "Services aux entreprises": "les services aux entreprises", "Commerce de gros": "le commerce de gros"}
SHORT = {"Volterre Services": "Volterre"}
NOMBRES = {2: "deux", 3: "trois", 4: "quatre", 5: "cinq"}
# a measure, its owner and its indicator for each risk that can be drawn third (the key's third measure)
MESURES = {
    "R03": ("Double source d'approvisionnement des bornes et stock tampon de trois mois pour les premiers déploiements.",
            "Responsable des achats", "Délai moyen de livraison des bornes"),
    "R04": ("Audit de sécurité annuel de la plateforme, authentification forte et mises à jour à distance des bornes.",
            "Responsable technique", "Vulnérabilités critiques ouvertes depuis plus de 30 jours"),
    "R05": ("Proposer une formule de location et chiffrer dans chaque devis le retour sur investissement sans aide.",
            "Directeur administratif et financier", "Part des devis signés sans aide publique"),
    "R07": ("Liste de bornes compatibles OCPP et audit de compatibilité systématique avant la signature du contrat.",
            "Responsable technique", "Part des sites mis en service sans reprise du matériel"),
    "R09": ("Deux sous-traitants d'installation qualifiés sous contrat-cadre, avec pénalités de retard.",
            "Responsable des achats", "Part des installations réalisées dans les délais"),
}
DESCRIPTION = {"B": "l'offre aux collectivités", "C": "la marque blanche"}


def fr(x: float, nd: int = 0) -> str:
    return f"{x:,.{nd}f}".replace(",", " ").replace(".", ",")


def liste(items: list[str]) -> str:
    return ", ".join(items[:-1]) + f" et {items[-1]}" if len(items) > 1 else items[0]


def wrap(flat: str) -> str:
    """A guide bullet wrapped at WIDTH, never breaking before « : », « ; », « % », « € » nor after « ≈ »."""
    glued = flat
    for a in (" :", " ;", " %", " €", " M€", " k€", "≈ "):
        glued = glued.replace(a, a.replace(" ", "\x00"))
    out = textwrap.fill(glued, width=WIDTH, subsequent_indent="  ", break_on_hyphens=False, break_long_words=False)
    return out.replace("\x00", " ")


def _ids(f, domain):
    return sorted(i for i, d in f["pestel"]["domaines"].items() if d == domain)


# ---------------------------------------------------------------------------------------------- guide bullets

def g_pestel(f):
    p, ids = f["pestel"], lambda d: ", ".join(_ids(f, d))
    return (f"- **Classement PESTEL de la veille** (test caché `C1_1_test_pestel_enjeux`) : Politique {ids('Politique')} ; "
            f"Économique {ids('Économique')} (rachat et offre groupée : un fait de marché, pas de technologie) ; "
            f"Sociologique {ids('Sociologique')} ; Technologique {ids('Technologique')} (cybersécurité des bornes) ; "
            f"Écologique {ids('Écologique')} ; Légal {ids('Légal')}. Pièges : {p['rachat']} rangé en Politique ou en "
            f"Technologique, {p['cyber']} rangé en Légal ou en Économique, {p['quotas']} (quotas de véhicules à faibles "
            "émissions, une obligation légale) rangé en Politique ou en Écologique.")


def g_tendances(f):
    g, t = f["croissance_series"].loc[2026], f["tcam"]
    return ("- **Tendances** : TCAM 2019-2026 sur **sept** intervalles ; les trois séries décélèrent depuis 2022 "
            f"(croissance 2026 de {g.min():.0f} à {g.max():.0f} %, TCAM de {t.min():.0f} à {t.max():.0f} %) : la projection "
            "2029 au TCAM est un plafond optimiste, c'est ce qu'une bonne lecture des tendances dit. Erreur classique : "
            "exposant 1/8.")


def _positions(f):
    groups = {"premium": [], "milieu de gamme": [], "économique": []}
    for name, i in f["indice"].items():
        groups["premium" if i >= 110 else "économique" if i <= 90 else "milieu de gamme"].append(SHORT.get(name, name))
    parts = [(k, v) for k, v in groups.items() if v]
    out = [f"{liste(v)} {k}" for k, v in parts[:-1]]
    k, v = parts[-1]
    plural = {"économique": "économiques"}.get(k, k)
    out.append(f"les {NOMBRES[len(v)]} autres {plural}" if len(v) > 1 else f"{v[0]} {k}")
    return ", ".join(out)


def g_benchmark(f):
    a, b = f["leader"]
    return (f"- **Benchmark** : prix moyen **pondéré par les parts** (≈ {fr(f['prix_moyen'], 1)} €) ; {_positions(f)} ; "
            f"part relative du leader {fr(a / b, 2)} ({a:.0f} % / {b:.0f} %). HHI = {fr(f['hhi'])} : marché moyennement "
            "concentré, six acteurs, aucun au-dessus de 25 %. Erreur classique : moyenne simple des prix.")


def g_porter(f):
    return ("- **Porter** (test caché) : avec ce HHI, la rivalité ne peut être cotée sous 3 ; "
            f"{NOMBRES[len(f['jeunes'])]} concurrents sont entrés depuis 2019 ({', '.join(f['jeunes'])}) : la menace des "
            "entrants ne peut être cotée sous 3.")


def g_atouts(f):
    t = f["territoire"]
    fast, rec, sg = t["croissance"].index[0], t["recul"], t["secteurs_croissance"]
    return (f"- **Atouts du territoire** : {liste(t['potentiel'][:3])} ont le plus d'établissements équipés d'une "
            f"flotte ; {ARTICLE[fast]} a la plus forte croissance (≈ {fr(t['croissance'].iloc[0], 1)} %), "
            f"{liste([ARTICLE[d] for d in rec])} reculent. Par secteur, {SECTEUR_ART[sg.index[0]]} et "
            f"{SECTEUR_ART[sg.index[1]]} sont les plus dynamiques (≈ {fr(sg.iloc[0], 1)} % et {fr(sg.iloc[1], 1)} %). "
            "Erreur classique : croissance moyenne des lignes au lieu du rapport des sommes.")


def _zone(z, first=False):
    return z if first or z != "Sillon alpin" else "le Sillon alpin"


def g_taille(f):
    m = f["marche"]
    z, v = list(m["zones"].index), list(m["zones"].values / 1e6)
    t = [s.split(" ")[0] for s in m["tailles"].index[:2]]
    return (f"- **Taille du marché** : produit des cinq facteurs, 180 segments, ≈ {fr(m['total'] / 1e6, 1)} M€ par an au "
            f"total. Par zone : {_zone(z[0], True)} ≈ {fr(v[0], 1)} M€ devant {_zone(z[1])} ≈ {fr(v[1], 1)} M€ (écart "
            f"faible : à commenter), {_zone(z[2])} ≈ {fr(v[2], 1)} M€, {_zone(z[3])} ≈ {fr(v[3], 1)} M€ ; par taille, "
            f"les {t[0]} devancent de peu les {t[1]} ; le pack borne + pilotage fait près des trois quarts du marché. "
            "Erreur classique : oublier le taux d'adoption à trois ans (tout le reste de la cartographie est alors faux, "
            "d'où quatre tests échoués).")


def _cibles(f):
    groups = []
    for zone, sect in f["marche"]["cibles"]:
        if groups and groups[-1][1] == sect:
            groups[-1][0].append(zone)
        else:
            groups.append(([zone], sect))
    return ", ".join(f"{liste(zs)} ({SECTEUR[s]})" for zs, s in groups)


def _proches(f):
    s = f["marche"]["scores"]
    return ("; les trois premiers scores sont très proches" if s[0] - s[2] < 0.05
            else "; les deux premiers scores sont très proches" if s[0] - s[1] < 0.05 else "")


def g_matrice(f):
    return ("- **Matrice** : la fonction `matrice` est testée avec des pondérations d'essai sur les données du cas ; ses "
            "cibles avec les pondérations du candidat. Avec celles du corrigé (40/35/25, 40/60), les cinq cibles sont "
            f"{_cibles(f)} {_proches(f)}.").replace(" .", ".")


def g_synthese(f):
    s = f["marche"]["secteurs_part"]
    a, b = round(s.iloc[0]), round(s.iloc[1])
    share = f"font chacun ≈ {a} %" if a == b else f"font ≈ {a} % et {b} %"
    return (f"- **Synthèse sectorielle** : croissance des zones **pondérée par leur marché** ; {SECTEUR_ART[s.index[0]]} et "
            f"{SECTEUR_ART[s.index[1]]} {share} du marché. Erreur classique : moyenne simple des croissances.")


def g_registre(f):
    r = f["risques"]
    (w, lo), (c1, c2) = r["egalites"][0], r["critiques"]
    return (f"- **Registre des risques** : {c1} ({r['c'][c1]}) et {c2} ({r['c'][c2]}) sont critiques ; {w} et {lo} sont à "
            f"égalité de criticité ({r['c'][w]}) au troisième rang et l'impact les départage : {w} (impact "
            f"{r['impact'][w]}) est troisième, {lo} (impact {r['impact'][lo]}) quatrième. Erreur classique : départager par "
            f"l'identifiant ({lo} avant {w}) ; les mesures de maîtrise portent alors sur {lo}.")


def g_mesures(f):
    return "- **Mesures de maîtrise** (test caché) : sur " + liste(f["risques"]["ordre"][:3]) + "."


def g_compte(f):
    x = f["finances"]
    return (f"- **Compte prévisionnel** : chiffre d'affaires ≈ {fr(x['ca'][2] / 1e6, 1)} M€ en année 3 (l'objectif du "
            f"formulaire doit en être à 15 % près), taux de marge brute de {x['taux'][0]:.0f} % en année 1 à "
            f"{x['taux'][4]:.0f} % en année 5.")


def g_rentabilite(f):
    x = f["finances"]
    return (f"- **Rentabilité** : point mort de **{fr(x['point_mort'])} bornes** (arrondi au-dessus : "
            f"{fr(x['point_mort'] - 1)} bornes ne couvrent pas les charges fixes), atteint pendant l'année 3 "
            f"({fr(x['parc'][1])} bornes fin d'année 2, {fr(x['parc'][2])} fin d'année 3) ; flux cumulés positifs en "
            f"année 4, délai de récupération interpolé de **{fr(x['delai'], 2)} ans**. Erreur classique : point mort "
            "tronqué (`int`).")


def _roles(f):
    o = f["opportunites"]
    dom = o["dominees"][0]
    other = next(k for k in "BC" if k != dom)
    return o["options"], other, dom


def g_indicateurs(f):
    opts, x, d = _roles(f)
    part = " ; ".join(f"{k} — VAN ≈ {o['van'] / 1e3:.0f} k€, ROI ≈ {o['roi']:.0f} %, délai ≈ {fr(o['delai'], 2)} "
                      f"{'an' if o['delai'] < 2 else 'ans'}" for k, o in opts.items())
    return (f"- **Indicateurs** au taux de 8 % : {part}. **A a la plus forte VAN, {x} le meilleur ROI et le délai le "
            f"plus court, {d} est dominée par A** (et par {x}) : recommander {d} fait échouer le test caché "
            f"`C1_4_test_option` ; A et {x} sont défendables, le jury juge l'argumentation à l'oral.")


def g_valeur(f):
    a = f["opportunites"]["options"]["A"]
    return ("- **Valeur annoncée** : la VAN de l'option recommandée, à 2 % près. Erreurs classiques : annoncer la somme "
            f"des flux non actualisés ({fr(a['somme'] / 1e3)} k€ pour A), actualiser l'investissement de l'année 0.")


BULLETS = (g_pestel, g_tendances, g_benchmark, g_porter, g_atouts, g_taille, g_matrice, g_synthese, g_registre,
           g_mesures, g_compte, g_rentabilite, g_indicateurs, g_valeur)


# ---------------------------------------------------------------------------------------------- answer key (values)

def k_lecture(f):
    g = f["croissance_series"].loc[2026]
    return (f"Les trois séries ralentissent mais restent au-dessus de {math.floor(g.min() / 5) * 5} % par an : le marché "
            f"du pilotage atteindrait près de {f['projection']['marche_pilotage_recharge_meur']:.0f} M€ en 2029 si le TCAM se "
            "maintenait, ce qui est optimiste puisque la croissance décélère depuis 2022 ; la projection est un plafond, "
            "à confronter aux immatriculations réelles chaque trimestre.")


def k_hhi(f):
    return f"HHI d'environ {fr(round(f['hhi'] / 50) * 50)} : marché moyennement concentré"


def k_contexte(f):
    return f"(HHI ≈ {fr(round(f['hhi'] / 50) * 50)})"


def k_entrants(f):
    return (f"{NOMBRES[len(f['jeunes'])].capitalize()} concurrents sont entrés depuis 2019 "
            f"({', '.join(f['jeunes'])})")


def _fast(f):
    return f["territoire"]["croissance"].index[0]


def k_marches(f):
    sg = f["territoire"]["secteurs_croissance"]
    lead = ("le transport-logistique est le secteur le plus équipé et le plus dynamique, suivi de près par les services "
            "aux entreprises" if sg.index[0] == "Transport et logistique" else
            "le transport-logistique est le secteur le plus équipé et les services aux entreprises le plus dynamique")
    return (f"Le Rhône et l'Isère concentrent le plus d'établissements équipés d'une flotte et {ARTICLE[_fast(f)]} a la "
            f"plus forte croissance ; {lead} : ce sont les cibles du lancement.")


def k_canevas(f):
    return f"dans le Rhône, l'Isère et {ARTICLE[_fast(f)]}."


def k_objectif(f):
    x = f["finances"]
    return (f"Atteindre {fr(x['ca'][2] / 1e6, 1).replace(',0', '')} M€ de chiffre d'affaires en année 3 (2029) et "
            f"{fr(x['parc'][4])} bornes sous contrat fin 2031")


def k_revenus(f):
    h = f["finances"]["h"]
    return (f"Abonnement mensuel par borne ({h['prix_abonnement_mensuel']} €), installation facturée "
            f"({fr(h['frais_installation_factures'])} € par borne)")


def k_ressources(f):
    return f"{f['finances']['h']['investissement_initial'] // 1000} k€ d'investissement."


def k_couts(f):
    return f"Charges fixes de {f['finances']['h']['charges_fixes_annuelles'] // 1000} k€ par an"


def k_conditions(f):
    x = f["finances"]
    return (f"signer {fr(x['parc'][0])} bornes la première année, garder un prix d'abonnement d'au moins "
            f"{x['h']['prix_abonnement_mensuel'] - 2} €.")


def k_synthese(f):
    x = f["finances"]
    return (f"Le point mort ({fr(x['point_mort'])} bornes) est atteint pendant l'année 3 et l'investissement est récupéré "
            f"en {fr(x['delai'], 1)} ans, avec une marge brute de plus de {math.floor(x['taux'][4] / 10) * 10} %")


def k_argumentaire(f):
    opts, x, _ = _roles(f)
    a = opts["A"]
    return (f"L'extension crée la plus forte valeur ({a['van'] / 1e3:.0f} k€ de VAN à 8 %) et le ROI dépasse "
            f"{math.floor(a['roi'] / 50) * 50} % sur cinq ans ; elle duplique un modèle déjà éprouvé en "
            "Auvergne-Rhône-Alpes, renforce les revenus récurrents et double le marché adressable. Le délai de "
            f"récupération ({fr(a['delai'], 1)} ans) est plus long que celui de {DESCRIPTION[x]}, qui peut être lancée "
            "ensuite avec les flux dégagés.")


def k_objections(f):
    opts, x, _ = _roles(f)
    return (f"« Le délai est plus long que l'option {x} » : la VAN est {fr(opts['A']['van'] / opts[x]['van'], 1)} fois "
            f"supérieure et l'option {x} reste possible en 2029.")


def k_budget(f):
    return f"son budget de {f['opportunites']['options']['A']['investissement'] // 1000} k€"


def k_mesure(f, k):
    return MESURES[f["risques"]["ordre"][2]][k]


KEY_TEXTS = (k_lecture, k_hhi, k_contexte, k_entrants, k_marches, k_canevas, k_objectif, k_revenus, k_ressources,
             k_couts, k_conditions, k_synthese, k_argumentaire, k_objections, k_budget)
