"""Seeded generator of the bloc 3 case data (files: data/README.md; what they carry: corrige/guide_formateur.md).

Bloc 3 — Ombelle Énergie (fictional) runs one business development project, « Déploiement Ombelle Flotte
2027 » (first clients equipped, commercial launch), followed from its specification (C3.1) to its
tracking dashboard (C3.2), the contract consolidating the agreements with its first large account (C3.3),
the follow-up of strategic accounts (C3.4) and the activity report for management (C3.5).
Curated tables are constants (today's case); monthly usage, satisfaction surveys and results are seeded draws.
Every table and planted figure is also a keyword parameter of :func:`b3_tables` (defaults: today's case, byte for
byte): the session variants (``mdpc.authoring.variants.b3``) draw their own and pass them.
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


# id, planned % complete at week 14, actual % complete, actual cost so far (€)
PROGRESS_ROWS = (("T01", 100, 100, 4200), ("T02", 100, 100, 5800), ("T03", 100, 85, 51000), ("T04", 100, 100, 21000),
                 ("T05", 100, 90, 33000), ("T06", 100, 60, 15500), ("T07", 100, 100, 6600), ("T08", 100, 100, 9800),
                 ("T09", 50, 0, 0), ("T10", 0, 0, 0), ("T11", 0, 0, 0), ("T12", 0, 0, 0))


def make_progress(taches: pd.DataFrame = TACHES, rows=PROGRESS_ROWS, replanned=None) -> pd.DataFrame:
    """Status at the end of week 14, with the re-planned durations and the re-planned critical path."""
    replanned = DUREES_RECALEES if replanned is None else replanned
    progress = pd.DataFrame(list(rows), columns=["id", "prevu_pct", "realise_pct", "cout_reel_eur"])
    durations = {t: replanned.get(t, d) for t, d in zip(taches.id, taches.duree_semaines, strict=True)}
    predecessors = {t: [x for x in p.split(";") if x] for t, p in zip(taches.id, taches.predecesseurs, strict=True)}
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


def make_usage(seed: int = SEED_B3, comptes: pd.DataFrame = COMPTES, profils=None) -> pd.DataFrame:
    rng, profils = np.random.default_rng(seed), profils or PROFILS_COMPTES
    rows = []
    for c in comptes.itertuples():
        trend, avail, tickets, _nps, _renew = profils[c.client]
        start = MOIS_B3.index(c.mois_debut)
        base = c.bornes * 26 * rng.uniform(0.9, 1.1)
        for k, month in enumerate(MOIS_B3[start:start + 9]):
            sessions = int(base * (1 + trend) ** k * rng.normal(1, 0.04))
            rows.append((c.client, month, sessions, int(sessions * rng.uniform(17, 23)),
                         round(float(np.clip(rng.normal(avail, 0.25), 95, 100)), 2), int(rng.poisson(tickets))))
    return pd.DataFrame(rows, columns=["client", "mois", "sessions", "kwh", "disponibilite_pct", "tickets_support"])


def make_nps(seed: int = SEED_B3, comptes: pd.DataFrame = COMPTES, profils=None) -> pd.DataFrame:
    rng, profils = np.random.default_rng(seed + 1), profils or PROFILS_COMPTES
    rows = []
    for c in comptes.itertuples():
        centre = profils[c.client][3]
        for r in range(int(rng.integers(3, 7))):
            rows.append((c.client, f"R{r + 1}", int(np.clip(round(rng.normal(centre, 1.2)), 0, 10))))
    return pd.DataFrame(rows, columns=["client", "repondant", "note"])


def make_renewals(comptes: pd.DataFrame = COMPTES, profils=None) -> pd.DataFrame:
    profils = profils or PROFILS_COMPTES
    return pd.DataFrame([(c, profils[c][4]) for c in comptes.client], columns=["client", "decision_mois_6"])


# monthly figures of C3.5: installations planned per month, prices and costs per borne, monthly fixed costs
PLAN_BORNES = (0, 0, 10, 20, 30, 40, 45, 50, 50, 50, 55, 50)
RESULTATS = {"plan": PLAN_BORNES, "installation": 1100, "abonnement_mensuel": 32, "cout_variable": 880,
             "fixes_prevus": 14000, "fixes_reels": 16500, "rythme": (0.6, 0.95), "depassement": (1.0, 1.1)}


def make_results(seed: int = SEED_B3, **figures) -> pd.DataFrame:
    """Monthly plan and actuals of the project over 2027 (status at the end of September)."""
    f = {**RESULTATS, **figures}
    rng = np.random.default_rng(seed + 2)
    rows, cum_plan_b, cum_real_b = [], 0, 0
    plan_b, inst, sub, var = f["plan"], f["installation"], f["abonnement_mensuel"], f["cout_variable"]
    for k, month in enumerate(MOIS_B3[:9]):
        real_b = int(max(0, plan_b[k] * rng.uniform(*f["rythme"])))
        cum_plan_b += plan_b[k]
        cum_real_b += real_b
        rows.append((month, plan_b[k], real_b, round(plan_b[k] / 10), round(real_b / 10 + rng.uniform(-0.4, 0.4)),
                     int(plan_b[k] * inst + cum_plan_b * sub), int(real_b * inst + cum_real_b * sub),
                     int(f["fixes_prevus"] + plan_b[k] * var), int(f["fixes_reels"] + real_b * var * rng.uniform(*f["depassement"]))))
    return pd.DataFrame(rows, columns=["mois", "bornes_prevues", "bornes_installees", "clients_prevus", "clients_signes",
                                       "ca_prevu_eur", "ca_realise_eur", "couts_prevus_eur", "couts_reels_eur"])


def b3_tables(seed: int = SEED_B3, *, taches: pd.DataFrame = TACHES, couts: pd.DataFrame = COUTS,
              prix: pd.DataFrame = PRIX_B3, progress=PROGRESS_ROWS, replanned=None, accords: pd.DataFrame = ACCORDS,
              comptes: pd.DataFrame = COMPTES, profils=None, objectifs: pd.DataFrame = OBJECTIFS_PROJET,
              resultats: dict | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the bloc 3 assignment (file name → table); the defaults are today's case."""
    return {"taches.csv": taches, "couts_projet.csv": couts, "prix.csv": prix,
            "avancement.csv": make_progress(taches, progress, replanned), "accords.csv": accords, "comptes.csv": comptes,
            "usage_mensuel.csv": make_usage(seed, comptes, profils), "enquetes_nps.csv": make_nps(seed, comptes, profils),
            "renouvellements.csv": make_renewals(comptes, profils), "objectifs_projet.csv": objectifs,
            "resultats_projet.csv": make_results(seed, **(resultats or {}))}


def write_b3(directory: str | Path | None = None, seed: int = SEED_B3) -> list[Path]:
    """Write every CSV of the bloc 3 assignment; return the paths written."""
    directory = Path(directory) if directory else CAS_DIR / ASSIGNMENT_B3 / "data"
    return write_tables(directory, b3_tables(seed))
