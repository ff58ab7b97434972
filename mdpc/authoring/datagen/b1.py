"""Seeded generator of the bloc 1 case data (see cas_pratiques/B1_strategie_developpement/data/README.md;
what the data carry for the trainer: corrige/guide_formateur.md).

Bloc 1 — Ombelle Énergie SAS (fictional, the bloc 4 company) studies the launch of a new service,
« Ombelle Flotte »: smart-charging management of company electric-vehicle fleets (charge points,
supervision software by monthly subscription, installation, audits) in Auvergne-Rhône-Alpes.

Curated tables (watch items, competitors, risks, financial assumptions, opportunities) are constants
written here; the regional statistics (establishments, growth, market series) are drawn from a
seeded generator around documented orders of magnitude. The same seed always writes the same bytes.
Every figure is fictional: a candidate basing the case on a real company replaces them with sourced data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mdpc import CAS_DIR
from mdpc.authoring.datagen.b4 import write_tables

SEED_B1 = 20260501
ASSIGNMENT_B1 = "B1_strategie_developpement"

# département: (code, zone, economic weight ≈ population in thousands, establishment growth 2023→2026 in %)
DEPARTEMENTS = {
    "Ain": ("01", "Lyon-Ain", 660, 5.0), "Allier": ("03", "Auvergne-Loire", 335, -2.0),
    "Ardèche": ("07", "Drôme-Ardèche", 330, 1.0), "Cantal": ("15", "Auvergne-Loire", 145, -1.0),
    "Drôme": ("26", "Drôme-Ardèche", 520, 3.0), "Isère": ("38", "Sillon alpin", 1280, 4.0),
    "Loire": ("42", "Auvergne-Loire", 770, 1.0), "Haute-Loire": ("43", "Auvergne-Loire", 230, 0.0),
    "Puy-de-Dôme": ("63", "Auvergne-Loire", 660, 2.0), "Rhône": ("69", "Lyon-Ain", 1900, 6.0),
    "Savoie": ("73", "Sillon alpin", 440, 3.0), "Haute-Savoie": ("74", "Sillon alpin", 840, 7.0),
}
ZONES = ["Lyon-Ain", "Sillon alpin", "Drôme-Ardèche", "Auvergne-Loire"]
# secteur: (establishments per 1,000 inhabitants, growth bonus in points)
SECTEURS = {"Transport et logistique": (1.2, 2.0), "BTP": (4.5, 0.5), "Commerce de gros": (2.0, -0.5),
            "Services aux entreprises": (5.0, 2.5), "Industrie": (2.2, -1.0)}
TAILLES = {"TPE (0-9 salariés)": (0.78, 3.1), "PME (10-249 salariés)": (0.20, 38.0), "ETI-GE (250 salariés et plus)": (0.02, 620.0)}
# share of establishments running a fleet of 3 vehicles or more, by sector and size
TAUX_FLOTTE = {"Transport et logistique": (0.55, 0.85, 0.95), "BTP": (0.35, 0.75, 0.90),
               "Commerce de gros": (0.25, 0.60, 0.85), "Services aux entreprises": (0.12, 0.40, 0.80),
               "Industrie": (0.18, 0.55, 0.90)}
ADOPTION_TAILLE = (0.06, 0.14, 0.25)   # 3-year adoption of managed charging among fleet holders, by size
ADOPTION_SECTEUR = {"Transport et logistique": 1.3, "BTP": 0.8, "Commerce de gros": 1.0,
                    "Services aux entreprises": 1.1, "Industrie": 0.9}
# offre: (share of demand, yearly basket by size in €)
OFFRES = {"Pack borne + pilotage": (0.55, (2400, 9600, 38000)),
          "Pilotage seul (bornes existantes)": (0.30, (1080, 4300, 17000)),
          "Audit et dimensionnement": (0.15, (1800, 4500, 12000))}

# id, date, source, title, summary, PESTEL domain (the domain is the C1.1 answer: never written to data/)
VEILLE = [
    ("V01", "2026-02-12", "Presse régionale", "ZFE de la Métropole de Lyon : calendrier de restriction des utilitaires",
     "Les véhicules utilitaires Crit'Air 3 ne pourront plus circuler dans la zone à faibles émissions lyonnaise à partir de 2028 ; les artisans et logisticiens anticipent le renouvellement de leur parc.", "Politique"),
    ("V02", "2026-03-04", "Site de la Région", "Appel à projets régional pour la mobilité décarbonée des PME",
     "La Région ouvre une enveloppe de soutien à l'équipement des PME en bornes de recharge et en outils de pilotage, jusqu'à 30 % de l'investissement.", "Politique"),
    ("V03", "2026-01-20", "Lettre de l'énergie", "Électricité professionnelle : des prix de marché en baisse",
     "Les prix de gros de l'électricité baissent en 2026 ; le coût au kilomètre d'un utilitaire électrique devient inférieur de moitié à celui d'un diesel.", "Économique"),
    ("V04", "2026-04-15", "Presse économique", "Les loueurs longue durée relancent le véhicule électrique",
     "Avec la détente des taux, les loyers des utilitaires électriques en location longue durée reculent ; la recharge reste le premier frein cité par les gestionnaires de flotte.", "Économique"),
    ("V05", "2026-05-28", "Observatoire des flottes", "Le parc électrique des flottes d'entreprise progresse de 24 % en un an",
     "En Auvergne-Rhône-Alpes, la part des véhicules électriques dans les immatriculations d'entreprise atteint 27 % ; les PME suivent les grands comptes avec deux ans de décalage.", "Économique"),
    ("V06", "2026-06-09", "Enquête d'opinion", "Les salariés nomades plébiscitent le véhicule de fonction électrique",
     "61 % des salariés itinérants interrogés préfèrent un véhicule électrique s'ils peuvent le recharger au bureau ou à domicile ; c'est devenu un argument de recrutement.", "Sociologique"),
    ("V07", "2026-02-25", "Presse RH", "Recharge à domicile des véhicules de fonction : un cadre demandé",
     "Les représentants du personnel demandent le remboursement transparent de l'électricité consommée à domicile, ce qui suppose un suivi fiable des recharges.", "Sociologique"),
    ("V08", "2026-03-18", "Observatoire de l'emploi", "Pénurie d'électriciens qualifiés pour les bornes",
     "Les installateurs régionaux peinent à recruter des électriciens qualifiés IRVE ; les délais d'installation dépassent deux mois dans l'Isère et le Rhône.", "Sociologique"),
    ("V09", "2026-04-02", "Revue technique", "Recharge bidirectionnelle : premiers pilotes en entreprise",
     "Des sites industriels testent la restitution au bâtiment de l'énergie stockée dans les véhicules (V2G) aux heures de pointe.", "Technologique"),
    ("V10", "2026-01-08", "Revue technique", "L'interopérabilité des bornes devient la norme des appels d'offres",
     "Les acheteurs exigent désormais des bornes compatibles avec le protocole ouvert OCPP, qui permet de changer de logiciel de supervision sans changer de matériel.", "Technologique"),
    ("V11", "2026-05-06", "Étude d'un bureau d'études", "Le pilotage dynamique de la puissance réduit la facture",
     "Répartir la puissance entre bornes selon les besoins évite d'augmenter l'abonnement électrique du site : jusqu'à 40 % d'économie sur la puissance souscrite.", "Technologique"),
    ("V12", "2026-02-03", "Presse RSE", "Les donneurs d'ordre suivent les émissions de la flotte de leurs fournisseurs",
     "Les grands comptes intègrent les émissions des véhicules de leurs sous-traitants dans leurs critères d'achat ; les PME doivent en rendre compte.", "Écologique"),
    ("V13", "2026-07-21", "Gestionnaire du réseau", "Pics de consommation : l'effacement des recharges encouragé",
     "Lors des épisodes de forte chaleur, décaler les recharges hors des heures de pointe soulage le réseau ; des offres d'effacement rémunèrent cette souplesse.", "Écologique"),
    ("V14", "2026-03-30", "Veille juridique", "Flottes de plus de 100 véhicules : la part de véhicules à faibles émissions augmente",
     "La loi d'orientation des mobilités impose aux entreprises gérant plus de 100 véhicules légers une part croissante de véhicules à faibles émissions lors du renouvellement de leur parc.", "Légal"),
    ("V15", "2026-06-30", "Veille juridique", "Reporting de durabilité : de nouvelles entreprises concernées",
     "La directive européenne sur le reporting de durabilité (CSRD) étend progressivement les obligations de publication extra-financière, dont les émissions liées aux déplacements.", "Légal"),
    ("V16", "2026-01-27", "Veille juridique", "Installation de bornes : qualification obligatoire",
     "L'installation d'une borne de plus de 3,7 kW doit être réalisée par un installateur titulaire de la qualification IRVE pour ouvrir droit aux aides.", "Légal"),
    ("V17", "2026-05-19", "Presse économique", "Un énergéticien national rachète un installateur lyonnais",
     "Volterre Services acquiert un installateur de bornes de la région lyonnaise et annonce une offre groupée énergie + recharge à prix d'appel pour les PME.", "Économique"),
    ("V18", "2026-06-24", "Revue technique", "Cybersécurité des bornes connectées : premières attaques",
     "Des bornes mal protégées ont été détournées en Europe ; les acheteurs demandent des garanties de sécurité sur les logiciels de supervision.", "Technologique"),
]
PESTEL = ["Politique", "Économique", "Sociologique", "Technologique", "Écologique", "Légal"]

CONCURRENTS = pd.DataFrame(
    [
        ("Volterre Services", "Filiale d'énergéticien", 2015, 24.0, 39.0, 1450, 3.4, 410,
         "Réseau national ; offre groupée énergie et recharge"),
        ("Borne&Go Pro", "Spécialiste de la recharge", 2018, 18.0, 29.0, 1200, 3.9, 350,
         "Gamme de bornes complète ; délais d'installation courts"),
        ("Motiv Flotte", "Loueur longue durée", 2019, 16.0, 45.0, 1600, 3.6, 240,
         "Offre intégrée véhicule + borne + carte de recharge"),
        ("Alpelec Recharge", "Installateur régional", 2016, 14.0, 25.0, 1050, 3.8, 290,
         "Proximité ; équipes d'installation dans les Alpes"),
        ("Watt&Fleet", "Spécialiste européen", 2020, 11.0, 35.0, 1300, 4.0, 150,
         "Logiciel riche ; interopérabilité OCPP"),
        ("ChargeLab", "Jeune pousse du logiciel", 2021, 9.0, 22.0, 900, 4.3, 140,
         "Tableau de bord ergonomique ; pilotage dynamique de la puissance"),
    ],
    columns=["concurrent", "type", "annee_entree", "part_de_marche_pct", "abonnement_mensuel_par_borne_eur",
             "installation_par_borne_eur", "satisfaction_sur_5", "clients_aura", "points_forts"],
)

RISQUES = pd.DataFrame(
    [
        ("R01", "Pénurie d'électriciens qualifiés IRVE", "Ressources humaines", 4, 3),
        ("R02", "Offre groupée d'un énergéticien national à prix d'appel", "Concurrentiel", 4, 4),
        ("R03", "Retard de livraison des bornes (pénurie de composants)", "Opérationnel", 3, 4),
        ("R04", "Cyberattaque sur la plateforme de pilotage", "Technologique", 2, 5),
        ("R05", "Baisse des aides publiques à l'installation", "Politique", 3, 3),
        ("R06", "Adoption plus lente que prévu du véhicule électrique par les PME", "Marché", 3, 5),
        ("R07", "Incompatibilité avec des bornes déjà installées", "Technologique", 2, 3),
        ("R08", "Évolution des tarifs d'accès au réseau électrique", "Légal", 2, 2),
        ("R09", "Défaillance du sous-traitant d'installation", "Opérationnel", 2, 4),
        ("R10", "Contestation de l'impact environnemental des batteries", "Sociétal", 1, 3),
    ],
    columns=["id", "risque", "categorie", "probabilite", "impact"],
)

HYPOTHESES = pd.DataFrame(
    [
        ("prix_abonnement_mensuel", 32, "€ HT par borne et par mois", "Abonnement au logiciel de pilotage"),
        ("cout_variable_mensuel", 9, "€ HT par borne et par mois", "Hébergement, connectivité, support"),
        ("frais_installation_factures", 1100, "€ HT par borne installée", "Facturés au client à la mise en service"),
        ("cout_installation", 880, "€ HT par borne installée", "Sous-traitant IRVE et matériel"),
        ("charges_fixes_annuelles", 420000, "€ HT par an", "Équipe dédiée (3 ETP), marketing, maintenance du logiciel"),
        ("investissement_initial", 380000, "€ HT en année 0", "Développement de la plateforme, certification"),
    ],
    columns=["parametre", "valeur", "unite", "commentaire"],
)
PARC_FIN_ANNEE = (600, 1500, 2600, 3700, 4600)   # subscribed charge points at the end of years 1 to 5

OPPORTUNITES = {  # name: (investment in k€ at year 0, revenues y1..y5, costs y1..y5), in k€
    "A — Extension en Provence-Alpes-Côte d'Azur": (520, (200, 650, 1150, 1500, 1750), (280, 500, 760, 950, 1080)),
    "B — Offre dédiée aux flottes des collectivités": (150, (220, 380, 460, 500, 520), (170, 250, 290, 310, 320)),
    "C — Marque blanche pour un loueur longue durée": (300, (90, 240, 380, 450, 480), (60, 140, 250, 260, 280)),
}
TAUX_ACTUALISATION = 0.08
AXES_STRATEGIQUES = ("Ancrage régional et proximité", "Revenus récurrents (abonnements)",
                     "Transition énergétique des clients", "Croissance rentable", "Innovation logicielle")


def make_territoire(seed: int = SEED_B1, growth: dict[str, float] | None = None) -> pd.DataFrame:
    """``growth``: établissement growth 2023→2026 in % by département (default: DEPARTEMENTS), which sets the
    fastest-growing and the declining départements."""
    rng = np.random.default_rng(seed)
    rows = []
    for dep, (code, zone, weight, base_growth) in DEPARTEMENTS.items():
        growth_dep = (growth or {}).get(dep, base_growth)
        for sect, (rate, bonus) in SECTEURS.items():
            for size, (share, staff) in TAILLES.items():
                now = max(1, int(round(weight * rate * share * rng.normal(1, 0.07))))
                g = (growth_dep + bonus + rng.normal(0, 0.8)) / 100
                before = max(1, int(round(now / (1 + g))))
                jobs = int(round(now * staff * rng.normal(1, 0.05), -1))
                rows.append((code, dep, zone, sect, size, before, now, jobs))
    return pd.DataFrame(rows, columns=["code_departement", "departement", "zone", "secteur", "taille",
                                       "etablissements_2023", "etablissements_2026", "emplois_2026"])


def make_adoption() -> pd.DataFrame:
    rows = []
    for sect in SECTEURS:
        for k, size in enumerate(TAILLES):
            for offre, (part, baskets) in OFFRES.items():
                rows.append((sect, size, TAUX_FLOTTE[sect][k], round(ADOPTION_TAILLE[k] * ADOPTION_SECTEUR[sect], 3),
                             offre, part, baskets[k]))
    return pd.DataFrame(rows, columns=["secteur", "taille", "taux_flotte", "taux_adoption_3_ans", "offre",
                                       "part_demande", "panier_annuel_eur"])


def make_segments_concurrence(seed: int = SEED_B1) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 1)
    presence = {"Lyon-Ain": 5, "Sillon alpin": 4, "Drôme-Ardèche": 3, "Auvergne-Loire": 2}
    intensity = {"Lyon-Ain": 4, "Sillon alpin": 3, "Drôme-Ardèche": 2, "Auvergne-Loire": 2}
    fit = {"Transport et logistique": 5, "BTP": 3, "Commerce de gros": 4, "Services aux entreprises": 4, "Industrie": 3}
    rows = []
    for zone in ZONES:
        for sect, (_rate, bonus) in SECTEURS.items():
            growth = round(18 + 3 * bonus + rng.normal(0, 3), 1)
            inten = int(np.clip(intensity[zone] + rng.integers(-1, 2), 1, 5))
            rows.append((zone, sect, growth, inten, presence[zone], fit[sect]))
    return pd.DataFrame(rows, columns=["zone", "secteur", "croissance_annuelle_pct", "intensite_concurrentielle",
                                       "proximite_reseau", "adequation_offre"])


SERIES = {"vehicules_electriques_flottes_aura": (4200, (0.64, 0.71, 0.57, 0.48, 0.35, 0.28, 0.24)),
          "points_recharge_entreprises_aura": (2900, (0.52, 0.55, 0.60, 0.48, 0.35, 0.28, 0.22)),
          "marche_pilotage_recharge_meur": (1.1, (0.73, 0.68, 0.69, 0.54, 0.43, 0.33, 0.30))}


def make_marche_series(seed: int = SEED_B1, series: dict | None = None) -> pd.DataFrame:
    """``series``: name → (value in 2019, yearly growth 2020…2026) (default: SERIES)."""
    rng = np.random.default_rng(seed + 2)
    years = list(range(2019, 2027))
    series = series or SERIES
    out = {"annee": years}
    for name, (start, growth) in series.items():
        values = [start]
        for g in growth:
            values.append(values[-1] * (1 + g + rng.normal(0, 0.02)))
        out[name] = [round(v, 1) if start < 100 else int(round(v, -1)) for v in values]
    return pd.DataFrame(out)


def make_flux_opportunites(opportunites: dict | None = None) -> pd.DataFrame:
    rows = []
    for name, (inv, rev, cost) in (opportunites or OPPORTUNITES).items():
        rows.append((name, 0, inv * 1000, 0, 0))
        for year, (r, c) in enumerate(zip(rev, cost, strict=True), 1):
            rows.append((name, year, 0, r * 1000, c * 1000))
    return pd.DataFrame(rows, columns=["opportunite", "annee", "investissement_eur", "recettes_eur", "couts_eur"])


def veille_items(order: tuple[int, ...] | None = None) -> list[tuple]:
    """The watch items, numbered V01… in ``order`` (positions in VEILLE; default: VEILLE's order)."""
    order = order if order is not None else range(len(VEILLE))
    return [(f"V{k:02d}",) + VEILLE[i][1:] for k, i in enumerate(order, 1)]


def make_veille(order: tuple[int, ...] | None = None) -> pd.DataFrame:
    """The watch items as candidates receive them: the PESTEL domain of each item is the answer, kept out."""
    return pd.DataFrame([item[:5] for item in veille_items(order)], columns=["id", "date", "source", "titre", "resume"])


def pestel_domains(order: tuple[int, ...] | None = None) -> dict[str, str]:
    """Answer key of the C1.1 PESTEL classification (trainers and tests only, never written to data/)."""
    return {item[0]: item[5] for item in veille_items(order)}


def make_plan_deploiement(parc: tuple[int, ...] | None = None) -> pd.DataFrame:
    rows, before = [], 0
    for year, end in enumerate(parc or PARC_FIN_ANNEE, 1):
        rows.append((year, before, end, end - before))
        before = end
    return pd.DataFrame(rows, columns=["annee", "bornes_debut", "bornes_fin", "nouvelles_bornes"])


def tables_b1(seed: int = SEED_B1, *, veille_order: tuple[int, ...] | None = None,
              concurrents: pd.DataFrame | None = None, series: dict | None = None,
              growth: dict[str, float] | None = None, risques: pd.DataFrame | None = None,
              hypotheses: dict[str, float] | None = None, parc: tuple[int, ...] | None = None,
              opportunites: dict | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the bloc 1 assignment. The keyword parameters carry a session's planted events and curated
    figures (mdpc.authoring.variants.b1); their defaults write today's files byte for byte."""
    hyp = HYPOTHESES if hypotheses is None else HYPOTHESES.assign(valeur=HYPOTHESES["parametre"].map(hypotheses))
    return {
        "veille.csv": make_veille(veille_order),
        "concurrents.csv": CONCURRENTS if concurrents is None else concurrents,
        "marche_series.csv": make_marche_series(seed, series),
        "territoire.csv": make_territoire(seed, growth),
        "adoption.csv": make_adoption(),
        "segments_concurrence.csv": make_segments_concurrence(seed),
        "risques.csv": RISQUES if risques is None else risques,
        "hypotheses_financieres.csv": hyp,
        "plan_deploiement.csv": make_plan_deploiement(parc),
        "flux_opportunites.csv": make_flux_opportunites(opportunites),
    }


def write_b1(directory: str | Path | None = None, seed: int = SEED_B1, **params) -> list[Path]:
    """Write every CSV of the bloc 1 assignment; return the paths written."""
    directory = Path(directory) if directory else CAS_DIR / ASSIGNMENT_B1 / "data"
    return write_tables(directory, tables_b1(seed, **params))
