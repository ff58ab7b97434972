"""Seeded generator of the bloc 3 case data (files: data/README.md; what they carry: corrige/guide_formateur.md).

Bloc 3 — Ombelle Énergie (fictional) runs one business development project, « Déploiement Ombelle Flotte
2027 » (first clients equipped, commercial launch), followed from its specification (C3.1) to its
tracking dashboard (C3.2), the contract consolidating the agreements with its first large account (C3.3),
the follow-up of strategic accounts (C3.4) and the activity report for management (C3.5).
Curated tables are constants; monthly usage, satisfaction surveys and results are seeded draws.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mdpc import CAS_DIR
from mdpc.authoring.datagen.b4 import write_tables

SEED_B3 = 20260701
ASSIGNMENT_B3 = "B3_pilotage_projets"

# -- C3.1 specification ------------------------------------------------------------------------------
TACHES = pd.DataFrame(
    [
        ("T01", "Cadrage et validation du cahier des charges", 2, "", "Direction", 0.5, 4000),
        ("T02", "Choix du fabricant de bornes et commande", 3, "T01", "Achats", 0.5, 6000),
        ("T03", "Paramétrage de la plateforme de pilotage", 6, "T01", "Technique", 2.0, 48000),
        ("T04", "Recrutement et formation de l'équipe d'installation", 5, "T01", "Ressources humaines", 1.0, 22000),
        ("T05", "Campagne de prospection de lancement", 8, "T01", "Commercial", 2.0, 36000),
        ("T06", "Site pilote chez le premier client", 4, "T02;T03", "Technique", 1.5, 18000),
        ("T07", "Qualification IRVE des installateurs", 3, "T04", "Technique", 0.5, 7000),
        ("T08", "Contrats cadres avec les premiers clients", 3, "T05", "Juridique", 0.5, 9000),
        ("T09", "Retour d'expérience du site pilote et ajustements", 2, "T06", "Technique", 1.0, 8000),
        ("T10", "Déploiement chez les dix premiers clients", 8, "T07;T08;T09", "Technique", 3.0, 64000),
        ("T11", "Formation des gestionnaires de flotte clients", 3, "T10", "Commercial", 0.5, 6000),
        ("T12", "Bilan du projet et passage en exploitation", 1, "T11", "Direction", 0.5, 3000),
    ],
    columns=["id", "tache", "duree_semaines", "predecesseurs", "service", "etp", "cout_eur"],
)
COUTS = pd.DataFrame(
    [
        ("Équipe projet (chef de projet, technicien)", "fixe", 96000, "€ par an"),
        ("Licences et hébergement de la plateforme", "fixe", 18000, "€ par an"),
        ("Marketing du lancement", "fixe", 36000, "€ par an"),
        ("Assurance responsabilité civile professionnelle", "fixe", 6000, "€ par an"),
        ("Borne 22 kW (achat)", "variable", 620, "€ par borne installée"),
        ("Pose par un installateur qualifié", "variable", 260, "€ par borne installée"),
        ("Connectivité et support", "variable", 108, "€ par borne et par an"),
    ],
    columns=["poste", "nature", "montant_eur", "unite"],
)
PRIX_B3 = pd.DataFrame(
    [("installation_facturee", 1100, "€ HT par borne installée"), ("abonnement_annuel", 384, "€ HT par borne et par an"),
     ("bornes_prevues_annee_1", 400, "bornes installées la première année")],
    columns=["parametre", "valeur", "unite"],
)

# -- C3.2 tracking dashboard (status at the end of week 14) ----------------------------------------------
SEMAINE_STATUT = 14
# Re-planned durations validated by the steering committee at week 14: the launch campaign (T05) runs three
# more weeks and the pilot site (T06) one more. The re-planned critical path goes through T05 and T08, so the
# C3.2 dashboard flags critical tasks that are not C3.1's critical path (C3.2 never hands out C3.1's answer).
DUREES_RECALEES = {"T05": 11, "T06": 5}


def critical_path(durations: dict[str, int], predecessors: dict[str, list[str]]) -> list[str]:
    """Critical tasks of a precedence network (zero total float), in the order of ``durations``."""
    early, order = {}, []
    while len(order) < len(durations):
        for t in durations:
            if t not in early and all(p in early for p in predecessors[t]):
                early[t] = max((early[p] + durations[p] for p in predecessors[t]), default=0)
                order.append(t)
    end = max(early[t] + durations[t] for t in durations)
    late = {}
    for t in reversed(order):
        late[t] = min((late[s] for s in durations if t in predecessors[s]), default=end) - durations[t]
    return [t for t in durations if late[t] == early[t]]


def make_progress() -> pd.DataFrame:
    """Status at the end of week 14, with the re-planned durations and the re-planned critical path."""
    progress = pd.DataFrame(  # id, planned % complete at week 14, actual % complete, actual cost so far (€)
        [("T01", 100, 100, 4200), ("T02", 100, 100, 5800), ("T03", 100, 85, 51000), ("T04", 100, 100, 21000),
         ("T05", 100, 90, 33000), ("T06", 100, 60, 15500), ("T07", 100, 100, 6600), ("T08", 100, 100, 9800),
         ("T09", 50, 0, 0), ("T10", 0, 0, 0), ("T11", 0, 0, 0), ("T12", 0, 0, 0)],
        columns=["id", "prevu_pct", "realise_pct", "cout_reel_eur"],
    )
    durations = {t: DUREES_RECALEES.get(t, d) for t, d in zip(TACHES.id, TACHES.duree_semaines, strict=True)}
    predecessors = {t: [x for x in p.split(";") if x] for t, p in zip(TACHES.id, TACHES.predecesseurs, strict=True)}
    critical = set(critical_path(durations, predecessors))
    progress["duree_recalee_semaines"] = [durations[t] for t in progress.id]
    progress["chemin_critique_recale"] = ["oui" if t in critical else "non" for t in progress.id]
    return progress


AVANCEMENT = make_progress()

# -- C3.3 contract -------------------------------------------------------------------------------------
ACCORDS = pd.DataFrame(
    [
        ("A1", "2026-11-18", "Compte rendu de réunion", "Objet", "Fourniture, installation et pilotage de 80 bornes sur trois dépôts"),
        ("A2", "2026-11-18", "Compte rendu de réunion", "Prix", "28 € HT par borne et par mois, installation 1 100 € HT par borne"),
        ("A3", "2026-12-02", "Courriel du directeur financier du client", "Paiement", "Paiement à 75 jours fin de mois"),
        ("A4", "2026-12-05", "Courriel d'Ombelle", "Durée", "60 mois à compter de la mise en service"),
        ("A5", "2026-12-05", "Courriel d'Ombelle", "Niveau de service", "Disponibilité de la plateforme 99,5 % ; intervention sur borne en 24 h ouvrées"),
        ("A6", "2026-12-09", "Courriel du client", "Pénalités", "Pénalité de 2 % de l'abonnement mensuel par point de disponibilité manquant"),
        ("A7", "2026-12-09", "Courriel du client", "Données", "Le client veut les relevés de recharge par conducteur pour le remboursement"),
        ("A8", "2026-12-12", "Compte rendu de réunion", "Résiliation", "Résiliation possible après 24 mois avec un préavis de 3 mois et une indemnité"),
        ("A9", "2026-12-12", "Compte rendu de réunion", "Propriété intellectuelle", "Le client demande la propriété des développements spécifiques du tableau de bord"),
        ("A10", "2026-12-15", "Courriel du client", "Juridiction", "Tribunal de commerce du siège du client (Vienne) ; droit français"),
    ],
    columns=["id", "date", "source", "sujet", "teneur"],
)

# -- C3.4 client follow-up -----------------------------------------------------------------------------
COMPTES = pd.DataFrame(
    [
        ("Transports Rhodaniens", "Grand compte", "2027-01", 80), ("Laiterie des Monts du Lyonnais", "PME", "2027-02", 16),
        ("Froid Alpin Logistique", "PME", "2027-01", 24), ("Messagerie du Forez", "PME", "2027-03", 12),
        ("BTP Chartreuse", "PME", "2027-02", 10), ("Clinique vétérinaire Belledonne", "TPE", "2027-03", 3),
        ("Négoce des Dombes", "PME", "2027-01", 14), ("Ville de Bron (services techniques)", "Collectivité", "2027-04", 20),
        ("Ambulances Vercors", "TPE", "2027-02", 4), ("Distribution Lumière", "Grand compte", "2027-04", 60),
    ],
    columns=["client", "segment", "mois_debut", "bornes"],
)
# client: (monthly usage trend, availability, support tickets per month, NPS centre, renewal decision at month 6)
PROFILS_COMPTES = {
    "Transports Rhodaniens": (0.04, 99.6, 1.0, 9, "renouvelé"), "Laiterie des Monts du Lyonnais": (0.05, 99.7, 0.5, 9, "renouvelé"),
    "Froid Alpin Logistique": (-0.06, 98.2, 4.0, 4, "résilié"), "Messagerie du Forez": (0.02, 99.4, 1.0, 8, "renouvelé"),
    "BTP Chartreuse": (-0.04, 99.0, 3.0, 5, "en discussion"), "Clinique vétérinaire Belledonne": (0.00, 99.5, 0.3, 7, "renouvelé"),
    "Négoce des Dombes": (0.03, 99.5, 0.8, 9, "renouvelé"), "Ville de Bron (services techniques)": (0.06, 99.6, 0.7, 8, "renouvelé"),
    "Ambulances Vercors": (-0.02, 98.9, 2.0, 6, "en discussion"), "Distribution Lumière": (0.08, 99.8, 0.5, 10, "renouvelé"),
}
MOIS_B3 = [f"2027-{m:02d}" for m in range(1, 13)]

# -- C3.5 activity report ------------------------------------------------------------------------------
OBJECTIFS_PROJET = pd.DataFrame(
    [("bornes_installees", 400, "bornes"), ("clients_signes", 40, "clients"), ("chiffre_affaires_eur", 560000, "€ HT"),
     ("satisfaction_nps", 30, "points"), ("budget_projet_eur", 231000, "€")],
    columns=["indicateur", "objectif", "unite"],
)


def make_usage(seed: int = SEED_B3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for c in COMPTES.itertuples():
        trend, avail, tickets, _nps, _renew = PROFILS_COMPTES[c.client]
        start = MOIS_B3.index(c.mois_debut)
        base = c.bornes * 26 * rng.uniform(0.9, 1.1)
        for k, month in enumerate(MOIS_B3[start:start + 9]):
            sessions = int(base * (1 + trend) ** k * rng.normal(1, 0.04))
            rows.append((c.client, month, sessions, int(sessions * rng.uniform(17, 23)),
                         round(float(np.clip(rng.normal(avail, 0.25), 95, 100)), 2), int(rng.poisson(tickets))))
    return pd.DataFrame(rows, columns=["client", "mois", "sessions", "kwh", "disponibilite_pct", "tickets_support"])


def make_nps(seed: int = SEED_B3) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 1)
    rows = []
    for c in COMPTES.itertuples():
        centre = PROFILS_COMPTES[c.client][3]
        for r in range(int(rng.integers(3, 7))):
            rows.append((c.client, f"R{r + 1}", int(np.clip(round(rng.normal(centre, 1.2)), 0, 10))))
    return pd.DataFrame(rows, columns=["client", "repondant", "note"])


def make_renewals() -> pd.DataFrame:
    return pd.DataFrame([(c, p[4]) for c, p in PROFILS_COMPTES.items()], columns=["client", "decision_mois_6"])


def make_results(seed: int = SEED_B3) -> pd.DataFrame:
    """Monthly plan and actuals of the project over 2027 (status at the end of September)."""
    rng = np.random.default_rng(seed + 2)
    rows, cum_plan_b, cum_real_b = [], 0, 0
    plan_b = [0, 0, 10, 20, 30, 40, 45, 50, 50, 50, 55, 50]
    for k, month in enumerate(MOIS_B3[:9]):
        real_b = int(max(0, plan_b[k] * rng.uniform(0.6, 0.95)))
        cum_plan_b += plan_b[k]
        cum_real_b += real_b
        rows.append((month, plan_b[k], real_b, round(plan_b[k] / 10), round(real_b / 10 + rng.uniform(-0.4, 0.4)),
                     int(plan_b[k] * 1100 + cum_plan_b * 32), int(real_b * 1100 + cum_real_b * 32),
                     int(14000 + plan_b[k] * 880), int(16500 + real_b * 880 * rng.uniform(1.0, 1.1))))
    return pd.DataFrame(rows, columns=["mois", "bornes_prevues", "bornes_installees", "clients_prevus", "clients_signes",
                                       "ca_prevu_eur", "ca_realise_eur", "couts_prevus_eur", "couts_reels_eur"])


def write_b3(directory: str | Path | None = None, seed: int = SEED_B3) -> list[Path]:
    """Write every CSV of the bloc 3 assignment; return the paths written."""
    directory = Path(directory) if directory else CAS_DIR / ASSIGNMENT_B3 / "data"
    files = {"taches.csv": TACHES, "couts_projet.csv": COUTS, "prix.csv": PRIX_B3, "avancement.csv": AVANCEMENT,
             "accords.csv": ACCORDS, "comptes.csv": COMPTES, "usage_mensuel.csv": make_usage(seed),
             "enquetes_nps.csv": make_nps(seed), "renouvellements.csv": make_renewals(),
             "objectifs_projet.csv": OBJECTIFS_PROJET, "resultats_projet.csv": make_results(seed)}
    return write_tables(directory, files)
