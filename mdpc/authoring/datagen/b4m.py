"""Seeded generator of the bloc 4 team-management case data (C4.4–C4.6), on the team of the C4.1–C4.3 cases.

Ombelle Énergie's eight sales reps (``datagen.TEAM``), early 2027: their 2026 results and open pipeline
(for the steering meeting, C4.4), their skills against the levels their role needs and a catalogue of
levers (C4.5), and what a hybrid organisation must respect: roles, share of remote-compatible work,
commitments, accommodations (C4.6). All people and figures are fictional; the accommodations describe
situations a manager meets (RQTH, hearing impairment, part time), never real persons.
Files: cas_pratiques/B4_management_equipe/data/README.md (released, describes the columns only); what the
data carry: corrige/guide_formateur.md beside it (trainers only, never released).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from mdpc import CAS_DIR
from mdpc.authoring.datagen.b4 import ANOMALIES_B4, SEED_B4, TEAM, make_b4_performance, write_tables

ASSIGNMENT_B4M = "B4_management_equipe"
SEED_B4M = SEED_B4 + 7

CADRAGE = pd.DataFrame(
    [
        ("croissance_visee_2027_pct", 10, "%", "Croissance du chiffre d'affaires visée par la direction pour 2027"),
        ("budget_formation_eur", 9000, "€ HT", "Budget de développement des compétences du premier semestre 2027"),
        ("jours_distanciel_max", 2, "jours par semaine", "Charte de télétravail (hors aménagement médical)"),
        ("presence_min_par_jour", 3, "commerciaux", "Présents sur site ou sur le terrain chaque jour ouvré"),
        ("tutorats_max_par_tuteur", 2, "personnes", "Un tuteur n'accompagne pas plus de deux collègues"),
    ],
    columns=["parametre", "valeur", "unite", "commentaire"],
)

SKILLS = ["Prospection", "Négociation", "Connaissance technique de l'offre", "Maîtrise du CRM",
          "Réponse aux appels d'offres", "Gestion de grands comptes"]
PROFILE_OF = {"Responsable grands comptes": "grands comptes", "Chargé d'affaires secteur public": "secteur public"}
TARGETS = {  # profile: {skill: (target level 1-4, weight 1-3)}
    "terrain": {"Prospection": (3, 3), "Négociation": (3, 3), "Connaissance technique de l'offre": (3, 2),
                "Maîtrise du CRM": (3, 2), "Réponse aux appels d'offres": (2, 1), "Gestion de grands comptes": (2, 1)},
    "grands comptes": {"Prospection": (2, 1), "Négociation": (4, 3), "Connaissance technique de l'offre": (3, 2),
                       "Maîtrise du CRM": (3, 2), "Réponse aux appels d'offres": (3, 2), "Gestion de grands comptes": (4, 3)},
    "secteur public": {"Prospection": (2, 1), "Négociation": (3, 2), "Connaissance technique de l'offre": (3, 2),
                       "Maîtrise du CRM": (3, 2), "Réponse aux appels d'offres": (4, 3), "Gestion de grands comptes": (3, 2)},
}
CURRENT = {  # rep: levels in SKILLS order (1 = débutant, 4 = expert, peut former)
    "Camille Durand": (3, 4, 3, 2, 3, 4), "Karim Benali": (4, 3, 2, 3, 2, 2), "Sophie Marchand": (3, 2, 4, 3, 2, 2),
    "Thomas Nguyen": (2, 2, 3, 1, 1, 1), "Inès Fabre": (3, 3, 3, 4, 2, 2), "Julien Morel": (1, 1, 2, 2, 1, 1),
    "Aïcha Diallo": (3, 2, 3, 3, 2, 2), "Lucas Perrin": (2, 3, 3, 3, 4, 3),
}
LEVERS = pd.DataFrame(
    [
        ("L01", "Formation inter-entreprises « Négocier et défendre sa marge »", "formation", "Négociation", 950, 2),
        ("L02", "Formation « Prospection multicanale »", "formation", "Prospection", 800, 2),
        ("L03", "Parcours e-learning CRM (éditeur)", "e-learning", "Maîtrise du CRM", 150, 4),
        ("L04", "Parcours e-learning marchés publics", "e-learning", "Réponse aux appels d'offres", 200, 6),
        ("L05", "Formation technique constructeur (capteurs et logiciel)", "formation", "Connaissance technique de l'offre", 600, 1),
        ("L06", "Tutorat par un expert de l'équipe (niveau 4)", "tutorat", "toutes", 0, 12),
        ("L07", "Binôme terrain avec un collègue confirmé (niveau 3 ou plus)", "binôme terrain", "toutes", 0, 8),
        ("L08", "Atelier mensuel de partage de pratiques", "partage de pratiques", "toutes", 0, 24),
        ("L09", "Formation « Piloter un grand compte »", "formation", "Gestion de grands comptes", 1100, 3),
    ],
    columns=["id", "levier", "type", "competence", "cout_par_personne_eur", "duree_semaines"],
)

DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi"]
PROFILES = pd.DataFrame(
    [
        ("Camille Durand", "Responsable grands comptes", "Rendez-vous grands comptes, négociations, tutorat de Julien",
         "Rencontrer ses clients à leur siège", "", 30),
        ("Karim Benali", "Commercial terrain", "Tournées clients Lyon Sud, démonstrations en agence",
         "Salle de démonstration le jeudi", "", 25),
        ("Sophie Marchand", "Commerciale terrain (80 %)", "Tournées Isère, suivi des devis",
         "Ne travaille pas le mercredi (temps partiel)", "", 30),
        ("Thomas Nguyen", "Commercial terrain", "Tournées Savoie, prospection téléphonique",
         "Limiter les trajets longs", "RQTH : télétravail le lundi et le vendredi sur avis de la médecine du travail", 45),
        ("Inès Fabre", "Commerciale terrain", "Tournées Loire, relances et devis",
         "Habite à 70 km de l'agence", "", 40),
        ("Julien Morel", "Commercial junior", "Prospection Ain, apprentissage auprès de sa tutrice",
         "Être accompagné : au moins trois jours sur site avec sa tutrice, Camille Durand", "", 20),
        ("Aïcha Diallo", "Commerciale terrain", "Tournées Drôme-Ardèche, démonstrations",
         "Réunions d'équipe de préférence en présentiel ; supports écrits",
         "Déficience auditive : visioconférence sous-titrée, comptes rendus écrits", 35),
        ("Lucas Perrin", "Chargé d'affaires secteur public", "Appels d'offres, rendez-vous avec les collectivités",
         "Commission des collectivités le mardi", "", 50),
    ],
    columns=["commercial", "fonction", "taches_principales", "besoins", "amenagement", "distanciel_compatible_pct"],
)
COMMITMENTS = pd.DataFrame(  # days whose mode is imposed by a client commitment, an accommodation or part time
    [
        ("Camille Durand", "mardi", "site", "Rendez-vous hebdomadaire au siège d'un grand compte"),
        ("Karim Benali", "jeudi", "site", "Permanence de la salle de démonstration"),
        ("Sophie Marchand", "mercredi", "repos", "Temps partiel"),
        ("Thomas Nguyen", "lundi", "distance", "Aménagement médical (RQTH)"),
        ("Thomas Nguyen", "vendredi", "distance", "Aménagement médical (RQTH)"),
        ("Lucas Perrin", "mardi", "site", "Commission des collectivités"),
    ],
    columns=["commercial", "jour", "mode", "motif"],
)


def make_results_2026(seed: int = SEED_B4M, revenue: Mapping[str, int] | None = None,
                      covers: Mapping[str, float] | None = None) -> pd.DataFrame:
    """2026 revenue per rep (the C4.3 actuals), open pipeline and conversion rate at the end of 2026.

    A session (``mdpc.authoring.variants.b4m``) gives its own ``revenue`` per rep and pipeline ``covers``
    (pipeline = 0.55 × cover × revenue) for every rep: they plant its points of vigilance."""
    rng = np.random.default_rng(seed)
    if revenue is None:
        perf, _ = make_b4_performance()
        for rep, month, product, kind in ANOMALIES_B4:  # the data-entry error found in C4.3 is corrected here
            if kind == "erreur de saisie":
                wrong = (perf.commercial == rep) & (perf.mois == month) & (perf.produit == product)
                perf.loc[wrong, "realise_ht"] = (perf.loc[wrong, "realise_ht"] / 10).round(-1).astype(int)
        revenue = perf.groupby("commercial", sort=False)["realise_ht"].sum()
    rows = []
    for rep in TEAM.commercial:
        cover = {"Thomas Nguyen": 1.2, "Julien Morel": 1.1, "Lucas Perrin": 2.8}.get(rep, rng.uniform(1.9, 2.6))
        cover = covers[rep] if covers is not None else cover
        rows.append((rep, int(revenue[rep]), int(round(revenue[rep] * 0.55 * cover, -2)),
                     round(float(rng.uniform(22, 34)), 1)))
    return pd.DataFrame(rows, columns=["commercial", "ca_realise_2026_eur", "pipeline_ouvert_eur", "taux_transformation_pct"])


def make_skills(current: Mapping[str, tuple[int, ...]] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Current levels (``current``: rep → levels in SKILLS order, default CURRENT) and the targets of each profile."""
    levels = pd.DataFrame([(rep, s, lv) for rep, lvs in (current or CURRENT).items()
                           for s, lv in zip(SKILLS, lvs, strict=True)], columns=["commercial", "competence", "niveau"])
    targets = pd.DataFrame([(p, s, t, w) for p, d in TARGETS.items() for s, (t, w) in d.items()],
                           columns=["profil", "competence", "niveau_cible", "poids"])
    return levels, targets


def relabel_days(text: str, days: Mapping[str, str]) -> str:
    """Weekdays of ``text`` replaced in one pass (``days``: today's day → the session's); « le X et le Y » stays
    in week order."""
    out = re.sub(r"\b(" + "|".join(DAYS) + r")\b", lambda m: days[m.group(1)], text)
    pair = re.compile(r"le (" + "|".join(DAYS) + r") et le (" + "|".join(DAYS) + r")")
    return pair.sub(lambda m: "le {} et le {}".format(*sorted(m.groups(), key=DAYS.index)), out)


def make_hybrid(days: Mapping[str, str] | None = None,
                remote_pct: Mapping[str, int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Profiles and commitments; a session moves the weekdays (``days``) and the remote-compatible shares."""
    profiles, commitments = PROFILES.copy(), COMMITMENTS.copy()
    if days is not None:
        for column in ("besoins", "amenagement"):
            profiles[column] = [relabel_days(v, days) for v in profiles[column]]
        commitments["jour"] = [days[d] for d in commitments["jour"]]
        commitments = commitments.sort_values(["commercial", "jour"], key=_commitment_order, kind="stable")
    if remote_pct is not None:
        profiles["distanciel_compatible_pct"] = [remote_pct[r] for r in profiles["commercial"]]
    return profiles, commitments.reset_index(drop=True)


def _commitment_order(column: pd.Series) -> pd.Series:
    if column.name == "jour":
        return column.map(DAYS.index)
    return column.map(list(PROFILES["commercial"]).index)


def write_b4m(directory: str | Path | None = None, seed: int = SEED_B4M, *, revenue: Mapping[str, int] | None = None,
              covers: Mapping[str, float] | None = None, current: Mapping[str, tuple[int, ...]] | None = None,
              cadrage: Mapping[str, int] | None = None, levers: pd.DataFrame | None = None,
              days: Mapping[str, str] | None = None, remote_pct: Mapping[str, int] | None = None) -> list[Path]:
    """Write every CSV of the bloc 4 team-management assignment; return the paths written.

    The keyword arguments are a session's draw (``mdpc.authoring.variants.b4m``); without them, today's data."""
    directory = Path(directory) if directory else CAS_DIR / ASSIGNMENT_B4M / "data"
    levels, targets = make_skills(current)
    team = TEAM.assign(profil=[PROFILE_OF.get(f, "terrain") for f in TEAM.fonction])
    frame = CADRAGE.copy()
    if cadrage:
        frame["valeur"] = [cadrage.get(p, v) for p, v in zip(frame["parametre"], frame["valeur"], strict=True)]
    profiles, commitments = make_hybrid(days, remote_pct)
    files = {"equipe.csv": team, "cadrage_2027.csv": frame, "resultats_2026.csv": make_results_2026(seed, revenue, covers),
             "competences_equipe.csv": levels, "niveaux_cibles.csv": targets,
             "leviers.csv": LEVERS if levers is None else levers, "profils.csv": profiles, "engagements.csv": commitments}
    return write_tables(directory, files)
