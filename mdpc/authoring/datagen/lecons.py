"""Seeded generator of the lessons' own teaching data (``cours/<bloc>/donnees/``), apart from the cases'.

Each lesson teaches the methods of its bloc's cases on data of its own, so that it can be handed to
candidates before the cases and computes none of their answers. The lessons follow **Tessel Bureautique**,
a fictional firm that rents and services coffee machines and office equipment to the firms of
Nouvelle-Aquitaine, and its five sales reps; no person, firm, place or figure of the cases appears here
(``tests/test_lecons.py`` checks it). Tables are small, written by hand where a lesson needs a precise
situation (a tie, a critical path) and drawn from a fixed seed where it needs a realistic series, so the same
call always writes the same bytes (``mdpc donnees`` rewrites them; a test compares the committed files with
this module's output). Each ``donnees/`` folder gets a README describing its files and columns.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mdpc import COURS_DIR

SEED_LECONS = 16_2027
FIRM = "Tessel Bureautique"
TEAM = pd.DataFrame(
    [("Margaux Lefort", "Responsable grands comptes", "Bordeaux Métropole", 5),
     ("Gaëtan Roche", "Commercial terrain", "Gironde Nord", 5),
     ("Élodie Garnier", "Commerciale terrain (80 %)", "Landes", 4),
     ("Anaïs Peyrot", "Commerciale terrain", "Pyrénées-Atlantiques", 5),
     ("Bastien Colin", "Commercial junior", "Dordogne", 5)],
    columns=["commercial", "fonction", "secteur", "jours_par_semaine"])
CLIENTS = ["Cabinet Ardouin & Fils", "Imprimerie Salvat", "Agence Nérac Voyages", "Laboratoire Pyrène",
           "Menuiserie Castaing", "Crèche Les Lutins", "Garage Duprat", "Études Maubourguet Notaires"]
COMPETITORS = ["Caféa Pro", "Pause Sud-Ouest", "Grain & Bureau", "Distrib'Océan"]

# folder under cours/ → lesson notebook (one lesson per folder)
LESSON_FOLDERS = ["B1_strategie_developpement", "B2_deploiement_strategies", "B3_pilotage_projets",
                  "B4_pilotage_performance", "B4_management_equipe"]


def _rng(seed: int, offset: int) -> np.random.Generator:
    """One generator per table, so that changing one table leaves the others' draws alone."""
    return np.random.default_rng(seed + offset)


# ---------------------------------------------------------------- bloc 1: strategy
VEILLE = pd.DataFrame(
    [("V01", "2026-01-20", "Journal officiel", "Fin de la vaisselle jetable dans les espaces de pause",
      "Les entreprises de plus de vingt salariés doivent servir les boissons dans de la vaisselle réemployable.",
      "Légal"),
     ("V02", "2026-02-03", "Presse économique", "Le prix du café vert au plus haut depuis dix ans",
      "Les cours mondiaux de l'arabica ont progressé de 40 % en un an ; les torréfacteurs relèvent leurs tarifs.",
      "Économique"),
     ("V03", "2026-02-17", "Étude d'un cabinet RH", "Deux jours et demi de présence au bureau en moyenne",
      "Les salariés de bureau de la région viennent en moyenne 2,5 jours par semaine ; les espaces de pause "
      "deviennent un argument pour les faire revenir.", "Sociologique"),
     ("V04", "2026-03-05", "Salon professionnel", "Des machines connectées qui signalent leurs pannes",
      "Les fabricants proposent des capteurs qui déclenchent l'entretien avant la panne.", "Technologique"),
     ("V05", "2026-03-19", "Agence régionale de l'environnement", "Le bilan carbone des capsules en question",
      "Une capsule à usage unique pèse trois fois plus, en carbone, qu'une tasse de café en grains.",
      "Écologique"),
     ("V06", "2026-04-02", "Conseil régional", "Une aide régionale à l'équipement des très petites entreprises",
      "La région finance 30 % des équipements des TPE qui s'installent en centre-bourg.", "Politique"),
     ("V07", "2026-04-16", "Banque de France", "Le crédit aux entreprises moins cher",
      "La baisse des taux rend la location financière d'équipements plus avantageuse.", "Économique"),
     ("V08", "2026-05-07", "Ministère de la santé", "Nouvelles règles d'entretien des fontaines à eau",
      "Un arrêté impose un nettoyage trimestriel consigné dans un registre.", "Légal")],
    columns=["id", "date", "source", "titre", "resume", "domaine"])

RISQUES = pd.DataFrame(
    [("R1", "Pénurie de techniciens de maintenance", 3, 4),
     ("R2", "Hausse durable du prix du café", 4, 2),
     ("R3", "Arrivée d'un distributeur national", 2, 4),
     ("R4", "Panne de la plateforme de commande en ligne", 2, 2),
     ("R5", "Perte d'un fournisseur de machines", 1, 5),
     ("R6", "Retard de livraison des nouvelles machines", 4, 2)],
    columns=["id", "risque", "probabilite", "impact"])


def make_marche_series(seed: int = SEED_LECONS) -> pd.DataFrame:
    """Office coffee market of the region, 2019-2026 (M€): growth that slows down, with some noise."""
    rng = _rng(seed, 1)
    growth = np.linspace(0.14, 0.06, 7) + rng.normal(0, 0.008, 7)
    values = [38.0]
    for g in growth:
        values.append(values[-1] * (1 + g))
    return pd.DataFrame({"annee": range(2019, 2027), "marche_meur": np.round(values, 1)})


def make_concurrents(seed: int = SEED_LECONS) -> pd.DataFrame:
    """Four competitors and Tessel: market shares (%) and monthly rent of a machine (€ HT)."""
    rng = _rng(seed, 2)
    shares = [26.0, 19.0, 14.0, 9.0, 11.0]
    prices = np.round(rng.uniform(42, 68, 5), 0)
    return pd.DataFrame({"concurrent": [*COMPETITORS, FIRM], "part_de_marche_pct": shares,
                         "location_mensuelle_eur": prices})


SEGMENTS = pd.DataFrame(
    [("TPE (0-9 salariés)", 21_400, 0.35, 0.08, 0.60, 540),
     ("PME (10-249 salariés)", 3_150, 0.80, 0.12, 0.45, 2_900),
     ("ETI et grandes entreprises", 140, 0.95, 0.10, 0.30, 24_000)],
    columns=["segment", "entreprises", "taux_equipement", "taux_adoption_3_ans", "part_demande", "panier_annuel_eur"])


# ---------------------------------------------------------------- bloc 2: deployment
CANAUX = pd.DataFrame(
    [("Salon professionnel régional", "événement", "PME", 4_500, 40, 0.30, 0.25, "oui"),
     ("Courriels à la base des abonnés à la lettre", "web", "TPE;PME", 600, 4, 0.05, 0.20, "oui"),
     ("Recommandation des experts-comptables", "prescripteur", "TPE", 1_200, 25, 0.40, 0.35, "oui"),
     ("Appels sur un fichier acheté", "téléphone", "TPE;PME", 300, 2, 0.04, 0.15, "non"),
     ("Webinaire « Une pause café responsable »", "web", "PME", 900, 12, 0.15, 0.25, "oui")],
    columns=["canal", "point_de_contact", "segments", "cout_fixe_eur", "cout_par_lead_eur", "taux_lead_rdv",
             "taux_rdv_client", "conforme_charte"])


def make_clients(seed: int = SEED_LECONS) -> pd.DataFrame:
    """Eight clients of Tessel over the last twelve months: revenue, orders, days since the last order."""
    rng = _rng(seed, 3)
    ca = np.round(rng.lognormal(8.6, 0.9, len(CLIENTS)), -1)
    orders = rng.integers(1, 13, len(CLIENTS))
    recency = rng.integers(5, 300, len(CLIENTS))
    return pd.DataFrame({"client": CLIENTS, "ca_12m_eur": ca.astype(int), "commandes_12m": orders,
                         "jours_depuis_derniere_commande": recency})


# ---------------------------------------------------------------- bloc 3: projects
PROJET = pd.DataFrame(
    [("A", "Choisir le local", 2, "", 3000), ("B", "Recruter l'équipe", 4, "", 12000),
     ("C", "Aménager le local", 3, "A", 18000), ("D", "Former l'équipe", 2, "B", 6000),
     ("E", "Campagne locale", 3, "A", 9000), ("F", "Ouverture", 1, "C;D;E", 2000)],
    columns=["id", "tache", "duree_semaines", "predecesseurs", "cout_eur"])
AVANCEMENT = pd.DataFrame(
    [("A", 100, 100, 3500), ("B", 100, 75, 10500), ("C", 67, 33, 7000), ("D", 0, 0, 0), ("E", 67, 67, 7000),
     ("F", 0, 0, 0)],
    columns=["id", "prevu_pct", "realise_pct", "cout_reel_eur"])


def make_usage(seed: int = SEED_LECONS) -> pd.DataFrame:
    """Cups served each month of 2026's first half by three clients' machines: one client uses less and less."""
    rng = _rng(seed, 4)
    rows = []
    for client, start, trend in ((CLIENTS[0], 1800, 0.02), (CLIENTS[3], 950, -0.09), (CLIENTS[5], 600, 0.0)):
        for m in range(1, 7):
            rows.append((client, f"2026-{m:02d}", int(round(start * (1 + trend) ** (m - 1) * rng.uniform(0.95, 1.05)))))
    return pd.DataFrame(rows, columns=["client", "mois", "tasses"])


def make_nps(seed: int = SEED_LECONS) -> pd.DataFrame:
    """Answers (0 to 10) of the yearly satisfaction survey, a few per client."""
    rng = _rng(seed, 5)
    rows = []
    for client in CLIENTS:
        for k in range(1, int(rng.integers(2, 5)) + 1):
            rows.append((client, f"R{k}", int(np.clip(round(rng.normal(7.6, 2.0)), 0, 10))))
    return pd.DataFrame(rows, columns=["client", "repondant", "note"])


def make_contrats(seed: int = SEED_LECONS) -> pd.DataFrame:
    """Contracts signed each month, January to June 2026, by the new agency: a rising trend."""
    rng = _rng(seed, 6)
    counts = np.round(3 + 1.2 * np.arange(6) + rng.normal(0, 1.0, 6)).astype(int)
    return pd.DataFrame({"mois": range(1, 7), "contrats": counts})


# ---------------------------------------------------------------- bloc 4 (A4.1): performance
ABSENCES = pd.DataFrame(
    [("Élodie Garnier", 5, 2, "Formation"), ("Élodie Garnier", 8, 3, "Congés"),
     ("Gaëtan Roche", 3, 5, "Congés"), ("Bastien Colin", 6, 1, "École (alternance)")],
    columns=["commercial", "semaine", "jours", "motif"])
ACTIVITES = pd.DataFrame(
    [("ACT01", "Relance des devis du trimestre", "Élodie Garnier", 24, 2, 4, "oui"),
     ("ACT02", "Tournée des clients des Landes", "Élodie Garnier", 56, 3, 6, "non"),
     ("ACT03", "Préparation du salon de Mont-de-Marsan", "Élodie Garnier", 30, 5, 7, "oui"),
     ("ACT04", "Bilans annuels des grands comptes", "Margaux Lefort", 60, 2, 6, "non"),
     ("ACT05", "Prospection téléphonique des PME", "Gaëtan Roche", 40, 4, 9, "oui"),
     ("ACT06", "Mise à jour du CRM", "Bastien Colin", 16, 2, 9, "oui")],
    columns=["id", "intitule", "responsable", "charge_heures", "semaine_debut", "echeance", "transferable"])


def make_opportunites(seed: int = SEED_LECONS) -> pd.DataFrame:
    """Opportunities closed or open in the first quarter of 2026, per rep."""
    rng = _rng(seed, 7)
    rows = []
    for k in range(36):
        rep = TEAM.commercial[k % len(TEAM)]
        day = pd.Timestamp("2026-01-05") + pd.Timedelta(days=int(rng.integers(0, 85)))
        status = rng.choice(["gagnée", "perdue", "en cours"], p=[0.4, 0.35, 0.25])
        rows.append((f"OPP{k + 1:03d}", rep, day.date().isoformat(), str(status),
                     float(np.round(rng.uniform(800, 9000), -1))))
    return pd.DataFrame(rows, columns=["id", "commercial", "date_cloture", "statut", "montant_ht"])


def make_objectifs() -> pd.DataFrame:
    """Monthly revenue targets of the first quarter of 2026 (part time: a smaller target)."""
    rows = [(rep, f"2026-{m:02d}", 6000 if j < 5 else 4500) for rep, j in zip(TEAM.commercial, TEAM.jours_par_semaine,
                                                                            strict=True) for m in range(1, 4)]
    return pd.DataFrame(rows, columns=["commercial", "mois", "objectif_ca"])


def make_previsions_activite(seed: int = SEED_LECONS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly forecast and actual revenue of 2026 per rep, and their appointments; one typing error planted
    (Gaëtan Roche, June: an extra zero) for the lesson's anomaly detection."""
    rng = _rng(seed, 8)
    perf, act = [], []
    for rep in TEAM.commercial:
        for m in range(1, 13):
            meetings = int(rng.integers(8, 22))
            forecast = int(np.round(rng.uniform(5000, 9000), -2))
            actual = int(np.round(forecast * 0.55 + 260 * meetings + rng.normal(0, 600), -1))
            if rep == "Gaëtan Roche" and m == 6:
                actual *= 10
            perf.append((rep, f"2026-{m:02d}", forecast, actual))
            act.append((rep, f"2026-{m:02d}", meetings))
    return (pd.DataFrame(perf, columns=["commercial", "mois", "prevision_ht", "realise_ht"]),
            pd.DataFrame(act, columns=["commercial", "mois", "rendez_vous"]))


# ---------------------------------------------------------------- bloc 4 (A4.2): team management
def make_resultats(seed: int = SEED_LECONS) -> pd.DataFrame:
    """2026 revenue and open pipeline of each rep (€ HT)."""
    rng = _rng(seed, 9)
    scale = np.where(TEAM.fonction.str.contains("junior"), 0.5, TEAM.jours_par_semaine / 5)  # junior, part time
    ca = np.round(rng.uniform(90_000, 140_000, len(TEAM)) * scale, -2).astype(int)
    pipeline = np.round(ca * rng.uniform(0.5, 1.5, len(TEAM)), -2).astype(int)
    return pd.DataFrame({"commercial": TEAM.commercial, "ca_realise_2026_eur": ca, "pipeline_ouvert_eur": pipeline})


COMPETENCES = ["Prospection", "Négociation", "Outils CRM"]
CIBLES = pd.DataFrame([("Prospection", 3, 3), ("Négociation", 3, 2), ("Outils CRM", 3, 1)],
                      columns=["competence", "niveau_cible", "poids"])
NIVEAUX = {"Margaux Lefort": (3, 4, 3), "Gaëtan Roche": (4, 2, 2), "Élodie Garnier": (2, 3, 4),
           "Anaïs Peyrot": (3, 3, 1), "Bastien Colin": (1, 2, 2)}
ENGAGEMENTS = pd.DataFrame(
    [("Élodie Garnier", "vendredi", "repos", "Temps partiel (80 %)"),
     ("Margaux Lefort", "mardi", "site", "Réunion hebdomadaire chez un grand compte"),
     ("Anaïs Peyrot", "lundi", "distance", "Aménagement de poste sur avis de la médecine du travail")],
    columns=["commercial", "jour", "mode", "motif"])


def make_niveaux() -> pd.DataFrame:
    """Current skill levels of each rep, one row per rep and skill."""
    return pd.DataFrame([(rep, comp, lvl) for rep, levels in NIVEAUX.items()
                         for comp, lvl in zip(COMPETENCES, levels, strict=True)],
                        columns=["commercial", "competence", "niveau"])


# ---------------------------------------------------------------- files
COLUMNS_DOC = {
    "signaux_veille.csv": "signaux de veille : `id`, `date`, `source`, `titre`, `resume`, `domaine` (facteur PESTEL)",
    "marche_regional.csv": "marché régional de la pause café en entreprise : `annee`, `marche_meur` (M€)",
    "concurrence.csv": "`concurrent`, `part_de_marche_pct` (%), `location_mensuelle_eur` (€ HT par machine et par mois)",
    "segments.csv": "`segment`, `entreprises` (nombre), `taux_equipement`, `taux_adoption_3_ans`, `part_demande` "
                    "(parts entre 0 et 1), `panier_annuel_eur` (€ HT)",
    "registre_risques.csv": "`id`, `risque`, `probabilite` (1 à 5), `impact` (1 à 5)",
    "canaux_acquisition.csv": "`canal`, `point_de_contact`, `segments` (séparés par `;`), `cout_fixe_eur`, `cout_par_lead_eur` "
                  "(€ HT), `taux_lead_rdv`, `taux_rdv_client` (entre 0 et 1), `conforme_charte` (oui / non)",
    "clients.csv": "`client`, `ca_12m_eur` (€ HT sur douze mois), `commandes_12m`, `jours_depuis_derniere_commande`",
    "projet.csv": "`id`, `tache`, `duree_semaines`, `predecesseurs` (séparés par `;`), `cout_eur` (€ HT)",
    "avancement_projet.csv": "`id`, `prevu_pct`, `realise_pct` (%), `cout_reel_eur` (€ HT) au bout de quatre semaines",
    "consommation_mensuelle.csv": "`client`, `mois` (AAAA-MM), `tasses` servies par ses machines",
    "notes_satisfaction.csv": "`client`, `repondant`, `note` (0 à 10)",
    "contrats_mensuels.csv": "`mois` (1 à 6), `contrats` signés",
    "commerciaux.csv": "`commercial`, `fonction`, `secteur`, `jours_par_semaine`",
    "conges_absences.csv": "`commercial`, `semaine` (numéro de semaine 2026), `jours`, `motif`",
    "plan_actions.csv": "`id`, `intitule`, `responsable`, `charge_heures`, `semaine_debut`, `echeance` (semaines), "
                          "`transferable` (oui / non)",
    "opportunites.csv": "`id`, `commercial`, `date_cloture`, `statut` (gagnée, perdue, en cours), `montant_ht` (€ HT)",
    "objectifs_mensuels.csv": "`commercial`, `mois` (AAAA-MM), `objectif_ca` (€ HT)",
    "ventes_mensuelles.csv": "`commercial`, `mois` (AAAA-MM), `prevision_ht`, `realise_ht` (€ HT)",
    "rendez_vous_mensuels.csv": "`commercial`, `mois` (AAAA-MM), `rendez_vous`",
    "bilan_2026.csv": "`commercial`, `ca_realise_2026_eur`, `pipeline_ouvert_eur` (€ HT)",
    "niveaux_competences.csv": "`commercial`, `competence`, `niveau` (1 débutant à 4 expert)",
    "cibles_poste.csv": "`competence`, `niveau_cible` (1 à 4), `poids` (1 à 3 : importance dans le poste)",
    "contraintes_planning.csv": "`commercial`, `jour`, `mode` imposé (site, distance, repos), `motif`",
}


def tables(seed: int = SEED_LECONS) -> dict[str, dict[str, pd.DataFrame]]:
    """{lesson folder: {file name: table}}."""
    perf, activity = make_previsions_activite(seed)
    team = TEAM
    return {
        "B1_strategie_developpement": {"signaux_veille.csv": VEILLE, "marche_regional.csv": make_marche_series(seed),
                                       "concurrence.csv": make_concurrents(seed), "segments.csv": SEGMENTS,
                                       "registre_risques.csv": RISQUES},
        "B2_deploiement_strategies": {"canaux_acquisition.csv": CANAUX, "clients.csv": make_clients(seed)},
        "B3_pilotage_projets": {"projet.csv": PROJET, "avancement_projet.csv": AVANCEMENT, "consommation_mensuelle.csv": make_usage(seed),
                                "notes_satisfaction.csv": make_nps(seed), "contrats_mensuels.csv": make_contrats(seed)},
        "B4_pilotage_performance": {"commerciaux.csv": team, "conges_absences.csv": ABSENCES, "plan_actions.csv": ACTIVITES,
                                    "opportunites.csv": make_opportunites(seed), "objectifs_mensuels.csv": make_objectifs(),
                                    "ventes_mensuelles.csv": perf, "rendez_vous_mensuels.csv": activity},
        "B4_management_equipe": {"commerciaux.csv": team, "bilan_2026.csv": make_resultats(seed),
                                 "niveaux_competences.csv": make_niveaux(), "cibles_poste.csv": CIBLES,
                                 "contraintes_planning.csv": ENGAGEMENTS},
    }


def readme(files: dict[str, pd.DataFrame]) -> str:
    lines = ["# Données de la leçon", "",
             f"Données d'exemple de la leçon, sur **{FIRM}**, entreprise fictive qui loue et entretient des machines "
             "à café et des équipements de bureau pour les entreprises de Nouvelle-Aquitaine, et sur ses cinq "
             "commerciaux. Personnes, entreprises et chiffres sont fictifs et propres aux leçons : ce ne sont pas "
             "ceux des cas pratiques.", "",
             "Ces fichiers sont produits par un générateur à graine fixe (`mdpc/authoring/datagen/lecons.py` du dépôt "
             "des formateurs, commande `mdpc donnees`) : les mêmes fichiers sont reproduits à l'identique.", "",
             "| fichier | colonnes |", "|---|---|"]
    lines += [f"| `{name}` | {COLUMNS_DOC[name]} |" for name in files]
    return "\n".join(lines) + "\n"


def write_lecons(root: str | Path | None = None, seed: int = SEED_LECONS) -> list[Path]:
    """Write every lesson's ``donnees/`` folder under root (default: cours/); return the paths written."""
    root = Path(root) if root else COURS_DIR
    written = []
    for folder, files in tables(seed).items():
        directory = root / folder / "donnees"
        directory.mkdir(parents=True, exist_ok=True)
        for name, df in files.items():
            df.to_csv(directory / name, index=False, lineterminator="\n")
            written.append(directory / name)
        (directory / "README.md").write_text(readme(files), encoding="utf-8")
        written.append(directory / "README.md")
    return written
