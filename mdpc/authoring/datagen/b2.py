"""Seeded generator of the bloc 2 case data (see cas_pratiques/B2_deploiement_strategies/data/README.md).

Bloc 2 — Ombelle Énergie (fictional) deploys « Ombelle Flotte », the service studied in bloc 1, in 2027:
prospecting plan (C2.1), client and prospect file (C2.2), partner network for the extension to
Provence-Alpes-Côte d'Azur (C2.3), negotiation with a large account (C2.4), sales interview (C2.5).
Curated tables are constants here; the client and prospect file is drawn from a seeded generator,
with the defects a real CRM export has (duplicates, formats, gaps) injected on purpose and listed.
Every name, SIRET, e-mail address and figure is invented.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from mdpc import CAS_DIR
from mdpc.authoring.datagen import csv_text  # noqa: F401 (used by the variants through this module)
from mdpc.authoring.datagen.b4 import write_tables

SEED_B2 = 20260601
ASSIGNMENT_B2 = "B2_deploiement_strategies"
DATE_REFERENCE = dt.date(2027, 2, 1)   # the day the C2.2 campaign extract is built

# -- C2.1 ------------------------------------------------------------------------------------------
CIBLES = pd.DataFrame(
    [("Grands comptes", 60, 38000, 9, 40), ("PME", 1400, 9600, 4, 45), ("TPE", 5200, 2400, 1, 15)],
    columns=["segment", "comptes_cibles", "panier_premiere_annee_eur", "cycle_vente_mois", "part_objectif_pct"],
)
CANAUX = pd.DataFrame(
    [
        ("Rendez-vous grands comptes (approche par comptes)", "direct", "Grands comptes", 6000, 250, 0.60, 0.30, 25.0, "oui", 0),
        ("Salon régional de la mobilité durable", "salon", "Grands comptes;PME", 9000, 60, 0.35, 0.25, 6.0, "oui", 3),
        ("Rencontres flottes de la CCI", "événement", "PME;TPE", 2500, 40, 0.30, 0.22, 4.0, "oui", 5),
        ("Webinaires « Recharger sa flotte »", "web", "Grands comptes;PME;TPE", 1500, 25, 0.20, 0.20, 0.5, "oui", 0),
        ("Contenus et référencement naturel", "web", "PME;TPE", 4000, 15, 0.10, 0.20, 0.3, "oui", 0),
        ("Campagne LinkedIn ciblée", "web", "Grands comptes;PME", 2000, 45, 0.15, 0.18, 0.4, "oui", 0),
        ("Prospection téléphonique", "direct", "PME;TPE", 0, 30, 0.12, 0.25, 0.2, "oui", 0),
        ("Recommandation par les installateurs partenaires", "partenaire", "PME;TPE", 3000, 20, 0.40, 0.35, 2.0, "oui", 0),
        ("Achat de fichier et e-mailing de masse", "marketing direct", "PME;TPE", 1200, 3, 0.03, 0.15, 0.05, "non", 0),
        ("Publicité dans la presse économique imprimée", "presse", "Grands comptes;PME", 7500, 80, 0.08, 0.20, 3.0, "oui", 0),
    ],
    columns=["canal", "point_de_contact", "segments", "cout_fixe_eur", "cout_par_lead_eur", "taux_lead_rdv",
             "taux_rdv_client", "co2_kg_par_lead", "conforme_charte", "mois_impose"],
)
CADRAGE_C21 = pd.DataFrame(
    [("objectif_ca_nouveaux_clients_eur", 780000, "€ HT", "Chiffre d'affaires 2027 d'Ombelle Flotte auprès de nouveaux clients"),
     ("budget_prospection_eur", 90000, "€ HT", "Budget de prospection et de marketing du lancement"),
     ("plafond_co2_kg", 4000, "kg CO2e", "Politique environnementale : émissions des actions de prospection (déplacements, imprimés, stands)")],
    columns=["parametre", "valeur", "unite", "commentaire"],
)

# -- C2.2 ------------------------------------------------------------------------------------------
SECTEURS = ["Transport et logistique", "BTP", "Commerce de gros", "Services aux entreprises", "Industrie"]
TAILLES = ["TPE", "PME", "ETI"]
VILLES = [("69003", "Lyon"), ("69100", "Villeurbanne"), ("38000", "Grenoble"), ("74000", "Annecy"), ("73000", "Chambéry"),
          ("01000", "Bourg-en-Bresse"), ("42000", "Saint-Étienne"), ("26000", "Valence"), ("63000", "Clermont-Ferrand"),
          ("07200", "Aubenas"), ("01300", "Belley"), ("38200", "Vienne")]
NOMS = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
        "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard",
        "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand"]
PRENOMS = ["Claire", "Marc", "Julie", "Nicolas", "Sarah", "Olivier", "Emma", "Paul", "Léa", "Hugo", "Chloé", "Louis",
           "Manon", "Antoine", "Camille", "Yanis", "Zoé", "Mathieu", "Inès", "Arthur"]
FONCTIONS = ["Directeur général", "Responsable de flotte", "Directrice administrative et financière", "Responsable achats",
             "Responsable RSE", "Gérant"]
RACINES = ["Transports", "Logistique", "Bâtiment", "Distribution", "Services", "Ateliers", "Maintenance", "Négoce",
           "Travaux", "Conseil", "Livraisons", "Froid", "Messagerie", "Menuiserie", "Plomberie"]
SUFFIXES = ["du Rhône", "Alpins", "des Monts", "Durand", "Vallée", "Lumière", "Confluence", "du Pilat", "Chartreuse",
            "Belledonne", "des Dombes", "Forez", "Vercors", "du Léman", "Beaujolais"]
SENSITIVE = ["", "", "", "", "Contact en arrêt maladie jusqu'en mars", "Appeler après 17 h", "Très satisfait de l'audit",
             "Syndiqué, prudent sur les sujets RH", "", "Préfère le courriel"]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def _luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _siret(rng: np.random.Generator) -> str:
    body = "".join(str(d) for d in rng.integers(0, 10, 13))
    for last in range(10):
        if _luhn_ok(body + str(last)):
            return body + str(last)
    raise AssertionError("unreachable")


def _phone_variants(digits: str, k: int) -> str:
    """The same French number written the ways CRM users type it."""
    national = "0" + digits
    return [" ".join(national[i:i + 2] for i in range(0, 10, 2)), national, "+33 " + digits[0] + " " + digits[1:],
            ".".join(national[i:i + 2] for i in range(0, 10, 2)), "+33" + digits][k % 5]


def make_fichier(seed: int = SEED_B2, prenoms: list[str] = PRENOMS, noms: list[str] = NOMS,
                 suffixes: list[str] = SUFFIXES) -> pd.DataFrame:
    """The messy CRM export: 200 companies, 27 of them exported twice with variations.

    ``prenoms``, ``noms`` (contacts) and ``suffixes`` (company names) are the pools a session may change. The
    planted defects are listed in ``attrs``: ``doublons`` (normalised e-mail of each company exported twice) and
    ``siret_faux`` (raison sociale of each company whose SIRET has a wrong check digit)."""
    rng = np.random.default_rng(seed)
    rows = []
    mistyped = []
    combos = [f"{r} {s}" for r in RACINES for s in suffixes]
    names = [combos[k] for k in rng.permutation(len(combos))[:200]]
    for i, name in enumerate(names):
        client = i < 110
        sector = SECTEURS[rng.integers(len(SECTEURS))]
        size = TAILLES[min(2, int(rng.choice([0, 0, 1, 1, 1, 2])))]
        first, last = prenoms[rng.integers(len(prenoms))], noms[rng.integers(len(noms))]
        domain = _ascii(name).replace(" ", "-") + ".fr"
        email = f"{_ascii(first)}.{_ascii(last)}@{domain}"
        cp, city = VILLES[rng.integers(len(VILLES))]
        fleet = int(max(1, rng.lognormal({"TPE": 1.2, "PME": 2.5, "ETI": 3.8}[size], 0.5)))
        last_contact = DATE_REFERENCE - dt.timedelta(days=int(rng.integers(10, 1600)))
        if client:
            last_order = DATE_REFERENCE - dt.timedelta(days=int(rng.choice([rng.integers(5, 90), rng.integers(90, 365),
                                                                             rng.integers(365, 700)])))
            first_order = last_order - dt.timedelta(days=int(rng.integers(0, 1500)))
            orders = int(rng.integers(1, 10))
            revenue = int(round(orders * rng.lognormal(8.2 + {"TPE": 0, "PME": 0.8, "ETI": 1.6}[size], 0.5), -1))
            last_contact = max(last_contact, last_order)
        else:
            first_order = last_order = None
            orders, revenue = 0, 0
        consent = rng.choice(["oui", "oui", "oui", "non", ""])
        opposition = (DATE_REFERENCE - dt.timedelta(days=int(rng.integers(20, 400)))).isoformat() if rng.random() < 0.1 else ""
        siret = _siret(rng) if rng.random() > 0.08 else ""
        if siret and rng.random() < 0.04:  # a typing error: the check digit no longer matches
            siret = siret[:-1] + str((int(siret[-1]) + 1) % 10)
            mistyped.append(name)
        birth = dt.date(int(rng.integers(1960, 1998)), int(rng.integers(1, 13)), int(rng.integers(1, 28))).isoformat()
        rows.append({
            "raison_sociale": name, "siret": siret, "secteur": sector, "taille": size,
            "statut": "client" if client else "prospect", "contact_nom": f"{first} {last}",
            "contact_fonction": FONCTIONS[rng.integers(len(FONCTIONS))], "email": email,
            "telephone": _phone_variants("".join(str(d) for d in [rng.integers(1, 8)] + list(rng.integers(0, 10, 8))),
                                         int(rng.integers(0, 5))),
            "code_postal": cp.lstrip("0") if rng.random() < 0.5 else cp, "ville": city,
            "flotte_vehicules": fleet,
            "date_premiere_commande": first_order.isoformat() if first_order else "",
            "date_derniere_commande": last_order.isoformat() if last_order else "",
            "nb_commandes_24m": orders, "ca_24m_eur": revenue,
            "consentement_prospection": consent, "date_opposition": opposition,
            "date_dernier_contact": last_contact.isoformat(),
            "date_naissance_contact": birth, "commentaire": SENSITIVE[rng.integers(len(SENSITIVE))],
        })
    base = pd.DataFrame(rows)
    dup_idx = sorted(rng.choice(len(base), 27, replace=False))
    dups = []
    for k, i in enumerate(dup_idx):
        d = base.iloc[i].copy()
        d["raison_sociale"] = [d["raison_sociale"].upper(), d["raison_sociale"] + "  ", " " + d["raison_sociale"]][k % 3]
        d["email"] = [d["email"].upper(), " " + d["email"], d["email"].replace("@", "@ ").replace("@ ", "@") + " "][k % 3]
        d["telephone"] = _phone_variants("".join(c for c in d["telephone"][-9:] if c.isdigit()).rjust(9, "1")[-9:], k + 1)
        if k % 4 == 0:
            d["contact_fonction"] = ""
        if k % 5 == 0:  # an older export of the same company: contact two months earlier
            d["date_dernier_contact"] = (dt.date.fromisoformat(d["date_dernier_contact"]) - dt.timedelta(days=60)).isoformat()
        if k % 6 == 0 and d["siret"]:  # SIRET lost in one export: the e-mail address still identifies the company
            d["siret"] = ""
        dups.append(d)
    out = pd.concat([base, pd.DataFrame(dups)], ignore_index=True)
    out = out.sample(frac=1, random_state=seed).reset_index(drop=True)
    out.insert(0, "id_ligne", [f"L{i:04d}" for i in range(1, len(out) + 1)])
    out.attrs["doublons"] = sorted(base.loc[dup_idx, "email"])
    out.attrs["siret_faux"] = sorted(mistyped)
    return out


SCORING_PROSPECTS = pd.DataFrame(
    [("secteur", "Transport et logistique", 3), ("secteur", "BTP", 2), ("secteur", "Commerce de gros", 2),
     ("secteur", "Services aux entreprises", 2), ("secteur", "Industrie", 1),
     ("taille", "ETI", 3), ("taille", "PME", 2), ("taille", "TPE", 1),
     ("flotte", "20 véhicules et plus", 3), ("flotte", "5 à 19 véhicules", 2), ("flotte", "moins de 5 véhicules", 1)],
    columns=["parametre", "modalite", "points"],
)

# -- C2.3 ------------------------------------------------------------------------------------------
PARTENAIRES = pd.DataFrame(
    [
        ("Azur Bornes Services", "France", "Provence-Alpes-Côte d'Azur", "Installateur IRVE", 420, 18, 4.2, 3, 5, 5),
        ("Méditerranée Flottes", "France", "Provence-Alpes-Côte d'Azur", "Loueur longue durée", 950, 4, 38.0, 4, 4, 5),
        ("Provence Élec Pro", "France", "Provence-Alpes-Côte d'Azur", "Installateur IRVE", 260, 11, 2.1, 2, 4, 5),
        ("Sud Énergie Conseil", "France", "Occitanie", "Bureau d'études énergie", 140, 6, 1.3, 3, 3, 3),
        ("Voltalis Fleet", "Belgique", "Bruxelles", "Éditeur de logiciel de flotte", 1800, 2, 12.5, 4, 3, 1),
        ("Rhône-Med Logistique", "France", "Provence-Alpes-Côte d'Azur", "Client-prescripteur (logisticien)", 60, 0, 85.0, 4, 2, 5),
        ("Alpes Maritimes Recharge", "France", "Provence-Alpes-Côte d'Azur", "Installateur IRVE", 180, 9, 1.6, 2, 5, 5),
        ("Iberia Carga", "Espagne", "Catalogne", "Opérateur de recharge", 2400, 35, 44.0, 5, 3, 1),
        ("Nice Côte Services Auto", "France", "Provence-Alpes-Côte d'Azur", "Garage multimarque", 300, 7, 3.4, 2, 2, 5),
        ("Énergéticien Sud-Est", "France", "Provence-Alpes-Côte d'Azur", "Fournisseur d'énergie", 5200, 40, 310.0, 5, 2, 4),
        ("Toulon Fleet Management", "France", "Provence-Alpes-Côte d'Azur", "Gestionnaire de flotte", 520, 3, 5.8, 3, 4, 5),
        ("Lyon Batteries Recyclage", "France", "Auvergne-Rhône-Alpes", "Recycleur de batteries", 90, 5, 7.2, 2, 1, 2),
    ],
    columns=["partenaire", "pays", "region", "modele_economique", "clients_flottes", "techniciens", "ca_meur",
             "notoriete", "complementarite", "couverture_cible"],
)
HYPOTHESES_PARTENARIAT = pd.DataFrame(
    [("taux_conversion_clients_partenaire", 0.04, "part des clients flottes du partenaire qui signent en 3 ans"),
     ("panier_annuel_eur", 9600, "€ HT par an et par client signé (offre PME)"),
     ("taux_marge_ombelle", 0.55, "marge brute d'Ombelle sur ce chiffre d'affaires"),
     ("commission_partenaire", 0.12, "commission versée au partenaire sur le chiffre d'affaires apporté"),
     ("bornes_par_client", 6, "bornes installées par client signé"),
     ("marge_installation_partenaire_eur", 220, "marge du partenaire installateur par borne posée")],
    columns=["parametre", "valeur", "commentaire"],
)

# -- C2.4 ------------------------------------------------------------------------------------------
NEGOCIATION = pd.DataFrame(
    [("client", "Transports Rhodaniens", "", "Transporteur régional, 120 véhicules, 3 dépôts"),
     ("bornes", 80, "bornes", "Bornes à installer et à piloter"),
     ("prix_catalogue_mensuel", 32, "€ HT par borne et par mois", "Abonnement au logiciel"),
     ("installation_catalogue", 1100, "€ HT par borne", "Installation facturée"),
     ("cout_variable_mensuel", 9, "€ HT par borne et par mois", "Hébergement, connectivité, support"),
     ("cout_installation", 880, "€ HT par borne", "Sous-traitant IRVE et matériel"),
     ("duree_standard_mois", 36, "mois", "Engagement standard"),
     ("delai_paiement_standard_jours", 30, "jours", "Conditions générales de vente"),
     ("delai_paiement_legal_max_jours", 60, "jours", "Plafond légal entre professionnels : 60 jours à compter de la date d'émission de la facture (Code de commerce, art. L441-10)"),
     ("cout_financement_annuel", 0.04, "par an", "Coût de la trésorerie avancée au client"),
     ("taux_marge_plancher", 0.40, "", "Taux de marge sur le contrat en dessous duquel la direction refuse de signer"),
     ("budget_client_max_mensuel", 28, "€ HT par borne et par mois", "Information recueillie : plafond du budget du client"),
     ("delai_paiement_souhaite_client", 45, "jours", "Demande du directeur financier du client"),
     ("duree_souhaitee_client_mois", 24, "mois", "Demande du client"),
     ("marge_meilleure_alternative_eur", 60000, "€", "Marge du meilleur contrat de remplacement possible sur la même période (BATNA d'Ombelle)")],
    columns=["parametre", "valeur", "unite", "commentaire"],
)

# -- C2.5 ------------------------------------------------------------------------------------------
OFFRE_MODULES = pd.DataFrame(
    [("M0", "Abonnement de supervision (base de l'offre)", "logiciel", 0, 32, "superviser les bornes"),
     ("M1", "Bornes 22 kW posées et maintenues", "equipement", 1100, 0, "recharger au dépôt"),
     ("M2", "Pilotage dynamique de la puissance", "logiciel", 0, 12, "ne pas augmenter l'abonnement électrique"),
     ("M3", "Suivi des consommations par véhicule", "logiciel", 0, 8, "refacturer et suivre les coûts"),
     ("M4", "Remboursement de la recharge à domicile", "logiciel", 0, 6, "rembourser les conducteurs qui rentrent avec le véhicule"),
     ("M5", "Effacement rémunéré aux heures de pointe", "service", 0, 0, "réduire la facture et soulager le réseau"),
     ("M6", "Audit de dimensionnement", "service", 3500, 0, "savoir combien de bornes et quelle puissance"),
     ("M7", "Maintenance premium (intervention en 4 h)", "service", 0, 10, "ne jamais immobiliser la flotte"),
     ("M8", "Formation des conducteurs et des gestionnaires", "service", 1800, 0, "faire accepter le changement")],
    columns=["id", "module", "type", "prix_unique_eur", "prix_mensuel_par_borne_eur", "repond_a"],
)
FICHE_CLIENT = pd.DataFrame(
    [("entreprise", "Laiterie des Monts du Lyonnais (SAS)"), ("activite", "Collecte de lait et livraison de produits frais"),
     ("effectif", "140 salariés, 2 sites (usine et dépôt)"), ("flotte", "45 utilitaires, dont 8 électriques"),
     ("projet", "30 % de la flotte électrique fin 2028 (exigence d'un client de la grande distribution)"),
     ("interlocuteur", "Directeur logistique, accompagné de la responsable des achats"),
     ("budget_annonce", "60 000 € HT d'investissement la première année, au plus 1 000 € HT par mois ensuite"),
     ("bornes_envisagees", "16"),
     ("contexte", "Livraisons tôt le matin ; l'usine a des pointes de consommation électrique l'hiver")],
    columns=["rubrique", "information"],
)
BESOINS_HYPOTHESES = pd.DataFrame(
    [("B1", "Recharger tous les véhicules la nuit au dépôt", "essentiel"),
     ("B2", "Ne pas dépasser la puissance souscrite de l'usine en hiver", "essentiel"),
     ("B3", "Connaître le coût énergétique par tournée pour le refacturer", "important"),
     ("B4", "Disponibilité des véhicules pour les tournées de 4 h du matin", "essentiel"),
     ("B5", "Dimensionner l'installation avant d'investir", "important"),
     ("B6", "Faire accepter les véhicules électriques aux chauffeurs", "secondaire")],
    columns=["id", "besoin", "priorite"],
)
# Which module answers each need: the candidate's reading of the offer (C2.5), never in the released data; the
# hidden test of C2_5_test_solution holds the same table (tests/test_kit.py checks they agree).
MODULE_PAR_BESOIN = {"B1": "M1", "B2": "M2", "B3": "M3", "B4": "M7", "B5": "M6", "B6": "M8"}


def tables_b2(seed: int = SEED_B2, fichier: pd.DataFrame | None = None,
              **tables: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every table of the bloc 2 assignment (file name → table): today's, or a session's.

    ``fichier``: a CRM export already drawn (``make_fichier`` with a session's seed and pools); ``tables``: curated
    tables a session perturbs, by file stem (``cibles=…``, ``negociation=…``)."""
    files = {"cibles.csv": CIBLES, "canaux.csv": CANAUX, "cadrage_prospection.csv": CADRAGE_C21,
             "fichier_clients_prospects.csv": make_fichier(seed) if fichier is None else fichier,
             "scoring_prospects.csv": SCORING_PROSPECTS,
             "partenaires.csv": PARTENAIRES, "hypotheses_partenariat.csv": HYPOTHESES_PARTENARIAT,
             "negociation.csv": NEGOCIATION, "offre_modules.csv": OFFRE_MODULES, "fiche_client.csv": FICHE_CLIENT,
             "besoins_hypotheses.csv": BESOINS_HYPOTHESES}
    for stem, table in tables.items():
        if f"{stem}.csv" not in files:
            raise KeyError(f"bloc 2 has no table {stem}.csv")
        files[f"{stem}.csv"] = table
    return files


def write_b2(directory: str | Path | None = None, seed: int = SEED_B2) -> list[Path]:
    """Write every CSV of the bloc 2 assignment; return the paths written."""
    directory = Path(directory) if directory else CAS_DIR / ASSIGNMENT_B2 / "data"
    return write_tables(directory, tables_b2(seed))
