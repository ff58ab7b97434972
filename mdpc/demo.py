"""The built-in demo cohort and the main job, from release to reports, in a fresh working folder.

Seven fictional candidates of distinct profiles work the bloc 1 and bloc 4 assignments: their notebooks are made
from the solution with named wrong answers (the same catalogue the tests use), their widget answers
written to their answers file as the widgets would; they fetch and submit through nbgrader's own
exchange, the trainer collects and autogrades, demo graders rate every criterion in the gradebook,
and the coordinator's batch turns it all into decisions, reports and a cohort CSV.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml
from tqdm import tqdm

from mdpc import CAS_DIR, PROJECT_ROOT
from mdpc.app import collect, decide, publish
from mdpc.core.exemptions import CONDITION_CAPACITY, CONDITION_PRACTICE, FILE_HEADER
from mdpc.core.grids import default_grids
from mdpc.core.record import CandidateRecord
from mdpc.grading.autograde import autograde_assignments
from mdpc.grading.course import Course
from mdpc.grading.privacy import protect_course
from mdpc.grading.ratings import RatingBook
from mdpc.grading.sandbox import status as sandbox_status
from mdpc_utils.answers import ANSWERS_FILE

ASSIGNMENT = "B4_pilotage_performance"   # the assignment the benchmarks use
ASSIGNMENT_B1 = "B1_strategie_developpement"
ASSIGNMENT_B2 = "B2_deploiement_strategies"
ASSIGNMENT_B3 = "B3_pilotage_projets"
ASSIGNMENT_B4M = "B4_management_equipe"
ASSIGNMENTS = (ASSIGNMENT_B1, ASSIGNMENT_B2, ASSIGNMENT_B3, ASSIGNMENT, ASSIGNMENT_B4M)
COURSE_ID = "mdpc"
SESSION = "Session de démonstration — janvier 2027"
DUE = dt.datetime(2027, 1, 8, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
DUES = {ASSIGNMENT_B1: DUE - dt.timedelta(days=3), ASSIGNMENT_B2: DUE - dt.timedelta(days=2),
        ASSIGNMENT_B3: DUE - dt.timedelta(days=1), ASSIGNMENT: DUE, ASSIGNMENT_B4M: DUE}  # blocs 1 to 3 handed in earlier
MARKER = ".dossier-demo-mdpc"
GRADERS = ("Mme Aubert", "M. Keller")  # fictional demo graders
JURY_CHAIR = "Mme Bernard, présidente du jury"
MINUTES = {"date": "15 janvier 2027", "lieu": "Lyon (session de démonstration)",
           "membres": [JURY_CHAIR, "M. Keller, professionnel du secteur", "Mme Aubert, formatrice"]}


@dataclass(frozen=True)
class WrongAnswer:
    """A plausible mistake: edits of the solution code (cell id, old, new) or of the widget answers."""

    notebook: str
    description: str
    edits: tuple[tuple[str, str, str], ...] = ()
    answers: dict = field(default_factory=dict)
    fails: frozenset = frozenset()  # autograded tests this mistake must fail (and no other)


def _w(notebook, description, edits=(), answers=None, fails=()):
    return WrongAnswer(notebook, description, tuple(edits), answers or {}, frozenset(fails))


C41, C42, C43 = "C4_1_plan_de_charges", "C4_2_tableau_de_bord", "C4_3_analyse_statistique"
C11, C12, C13, C14 = ("C1_1_etude_de_marche", "C1_2_cartographie_marche", "C1_3_business_model",
                      "C1_4_proposition_affaires")
OPTION_C = "C — Marque blanche pour un loueur longue durée"
C44, C45, C46 = "C4_4_reunion_pilotage", "C4_5_montee_competences", "C4_6_equipe_hybride"
C21, C22, C23, C24, C25 = ("C2_1_plan_prospection", "C2_2_base_clients", "C2_3_reseau_partenaires", "C2_4_negociation",
                           "C2_5_entretien_vente")
C31, C32, C33, C34, C35 = ("C3_1_cahier_des_charges", "C3_2_tableau_de_bord_projet", "C3_3_contrat", "C3_4_suivi_clients",
                           "C3_5_rapport_activite")
_E25 = ("Exigence environnementale du client distributeur", "Coût de l'électricité et pointes de consommation d'hiver")

WRONG_ANSWERS: dict[str, WrongAnswer] = {
    "chemin_sans_tous_predecesseurs": _w(C31, "tâche lancée dès le premier prédécesseur fini, pas le dernier",
                                         [("C3_1_planning_rep", "tot[t] = max((tot[p] + duree[p] for p in preds[t]), default=0)",
                                           "tot[t] = min((tot[p] + duree[p] for p in preds[t]), default=0)")],
                                         fails={"C3_1_test_planning"}),
    "point_mort_sans_abonnement": _w(C31, "marge par borne sans la marge d'abonnement",
                                     [("C3_1_budget_rep", ' + (prix["abonnement_annuel"] - _annuels)', "")],
                                     fails={"C3_1_test_budget"}),
    "raci_incoherent": _w(C31, "le commercial désigné pour réaliser le paramétrage technique", answers={C31: {"raci.T03_R": "Commercial",
                                                                                                        "raci.T03_C": ["Technique"]}},
                          fails={"C3_1_test_raci"}),
    "objectif_sans_echeance": _w(C31, "objectif sans échéance", answers={C31: {"objectifs.echeance_2": None}},
                                 fails={"C3_1_test_objectifs"}),
    "cpi_inverse": _w(C32, "CPI calculé à l'envers (coût réel / valeur acquise)",
                      [("C3_2_valeur_rep", '"CPI": ev / ac,', '"CPI": ac / ev,')], fails={"C3_2_test_valeur"}),
    "ecart_cout_inverse": _w(C32, "écart de coût calculé à l'envers (AC − EV)",
                             [("C3_2_suivi_rep", '"ecart_cout": _ev - _m["cout_reel_eur"]', '"ecart_cout": _m["cout_reel_eur"] - _ev')],
                             fails={"C3_2_test_alertes"}),
    "seuils_trop_bas": _w(C32, "seuil d'alerte du SPI à 0,5", answers={C32: {"seuils.spi": 0.5}}, fails={"C3_2_test_alertes"}),
    "sans_reajustement_t09": _w(C32, "aucun réajustement pour une tâche en alerte",
                                answers={C32: {"reajustements.actions": "T03 : renfort d'un développeur.\nT05 : campagne recentrée.\nT06 : deuxième équipe d'installation."}},
                                fails={"C3_2_test_reajustements"}),
    "delai_illegal": _w(C33, "paiement à 75 jours fin de mois repris tel quel", answers={C33: {"fiche.delai_paiement_jours": 75}},
                        fails={"C3_3_test_legal"}),
    "pi_cedee": _w(C33, "cession de tous les droits de propriété intellectuelle au client",
                   answers={C33: {"fiche.propriete": "Cession de tous les droits au client"}}, fails={"C3_3_test_attentes"}),
    "sans_dpo": _w(C33, "clause sur les données confiée à la direction financière",
                   answers={C33: {"expertises.donnees": "Direction financière"}}, fails={"C3_3_test_expertises"}),
    "montants_sans_12": _w(C33, "abonnement annuel calculé sur un seul mois",
                           [("C3_3_montants_rep", 'BORNES * _v["prix_mensuel"] * 12', 'BORNES * _v["prix_mensuel"]')],
                           fails={"C3_3_test_montants"}),
    "nps_avec_passifs": _w(C34, "NPS qui compte les notes 7 et 8 comme promoteurs",
                           [("C3_4_indicateurs_rep", "(s >= 9).mean()", "(s >= 7).mean()")],
                           fails={"C3_4_test_indicateurs", "C3_4_test_retention"}),
    "attrition_en_discussion": _w(C34, "clients en discussion comptés comme perdus",
                                  [("C3_4_retention_rep", '.ne("résilié")', '.eq("renouvelé")')], fails={"C3_4_test_retention"}),
    "extension_client_a_risque": _w(C34, "extension proposée à un client en discussion dont l'usage baisse",
                                    answers={C34: {"fidelisation.client_5": "Proposition d'extension (nouvelles bornes)"}},
                                    fails={"C3_4_test_fidelisation"}),
    "reporting_annuel": _w(C34, "reporting client annuel", answers={C34: {"reporting.frequence": "Annuelle"}},
                           fails={"C3_4_test_reporting"}),
    "roi_sur_ca": _w(C35, "retour sur investissement rapporté au chiffre d'affaires",
                     [("C3_5_roi_rep", ') / resultats["couts_reels_eur"].sum()', ') / resultats["ca_realise_eur"].sum()')],
                     fails={"C3_5_test_roi"}),
    "tendance_depuis_janvier": _w(C35, "tendance ajustée depuis janvier, mois sans installation compris",
                                  [("C3_5_prevision_rep", '_m = resultats[resultats["mois"] >= "2027-03"]', "_m = resultats")],
                                  fails={"C3_5_test_prevision"}),
    "atteinte_sur_prevu": _w(C35, "atteinte calculée sur le prévu à date, pas sur l'objectif annuel",
                             [("C3_5_bilan_rep", '100 * bilan["realise"] / bilan["objectif_annuel"]', '100 * bilan["realise"] / bilan["prevu_a_date"]')],
                             fails={"C3_5_test_bilan"}),
    "recul_sans_causes": _w(C35, "difficultés constatées sans en chercher les causes",
                            answers={C35: {"rapport.difficultes": "Les installations ont pris du retard et les coûts ont dépassé le budget prévu au départ du projet."}},
                            fails={"C3_5_test_recul"}),
    "organigramme": _w(C35, "organigramme présenté comme un outil de reporting",
                       answers={C35: {"rapport.outils": ["Tableau de bord du projet (valeur acquise)", "Bilan des écarts face aux objectifs",
                                                         "Tendance et prévision", "Organigramme de l'entreprise"]}},
                       fails={"C3_5_test_outils"}),
    "leads_arrondis_au_plus_pres": _w(C21, "contacts nécessaires arrondis au plus près au lieu d'au-dessus",
                                      [("C2_1_entonnoir_rep", "math.ceil(attendus / taux - 1e-9)", "round(attendus / taux)")],
                                      fails={"C2_1_test_entonnoir"}),
    "achat_de_fichier": _w(C21, "achat de fichier et e-mailing de masse pour les TPE, contraire à la charte",
                           [("C2_1_mix_rep", '("TPE", "Prospection téléphonique", 0.2)', '("TPE", "Achat de fichier et e-mailing de masse", 0.2)')],
                           fails={"C2_1_test_mix", "C2_1_test_calendrier", "C2_1_test_marque"}),
    "salon_mal_date": _w(C21, "salon placé en avril alors qu'il a lieu en mars",
                         [("C2_1_calendrier_rep", '("Salon régional de la mobilité durable", 3, 3)', '("Salon régional de la mobilité durable", 4, 4)')],
                         fails={"C2_1_test_calendrier"}),
    "valeur_prix_bas": _w(C21, "« prix le plus bas du marché » présenté comme une valeur de l'entreprise",
                          answers={C21: {"marque.valeurs": ["Ancrage régional", "Prix le plus bas du marché",
                                                            "Sobriété : actions à faibles émissions privilégiées"]}},
                          fails={"C2_1_test_marque"}),
    "abc_part_apres": _w(C22, "classe ABC calculée sur la part cumulée qui inclut le client",
                         [("C2_2_rfm_rep", '_tri["ca_24m_eur"].cumsum().shift(fill_value=0)', '_tri["ca_24m_eur"].cumsum()')],
                         fails={"C2_2_test_rfm"}),
    "poids_inverses": _w(C22, "poids du secteur et de la taille inversés dans le score des prospects",
                         [("C2_2_scoring_rep", '0.35 * _pts[("secteur", s)] / 3 + 0.25 * _pts[("taille", t)] / 3',
                           '0.25 * _pts[("secteur", s)] / 3 + 0.35 * _pts[("taille", t)] / 3')],
                         fails={"C2_2_test_scoring"}),
    "extrait_avec_telephone": _w(C22, "téléphone et date de naissance gardés dans l'extrait (minimisation non respectée)",
                                 [("C2_2_extrait_rep", '[["raison_sociale", "contact_nom", "email", "qualification", "offre"]]',
                                   '[["raison_sociale", "contact_nom", "email", "telephone", "date_naissance_contact", "qualification", "offre"]]')],
                                 fails={"C2_2_test_extrait"}),
    "extrait_sans_opposition": _w(C22, "oppositions ignorées dans l'extrait de la campagne",
                                  [("C2_2_extrait_rep", '& (propre["date_opposition"].str.strip() == "") ', "")],
                                  fails={"C2_2_test_extrait"}),
    "texte_hors_sujet": _w(C22, "loi Évin citée parmi les textes de la campagne",
                           answers={C22: {"cadre_legal.textes": ["RGPD, article 5 : minimisation des données et limitation de la conservation",
                                                                 "RGPD, article 21 : droit d'opposition à la prospection",
                                                                 "Code des postes et des communications électroniques, article L34-5 : prospection par courriel",
                                                                 "Loi Évin : publicité sur l'alcool et le tabac"]}},
                           fails={"C2_2_test_legal"}),
    "score_non_pondere": _w(C23, "score des partenaires en moyenne simple des notes, sans les poids",
                            [("C2_3_noter_rep", 'p["score"] = sum(poids[k] * p[f"note_{k}"] for k in cles) / sum(poids[k] for k in cles)',
                              'p["score"] = sum(p[f"note_{k}"] for k in cles) / len(cles)')],
                            fails={"C2_3_test_noter"}),
    "gain_partenaire_sans_installation": _w(C23, "gain de l'installateur partenaire sans la marge sur les installations",
                                            [("C2_3_valeur_rep", 'if m == "Installateur IRVE" else 0', 'if False else 0')],
                                            fails={"C2_3_test_valeur"}),
    "atout_faux": _w(C23, "Ombelle présentée comme leader national", answers={C23: {"argumentaire.atouts": [
                         "Logiciel de pilotage éprouvé chez 400 clients", "Références régionales chiffrées (économies mesurées)",
                         "Interopérabilité des bornes (protocole OCPP)", "Leader national de la recharge"]}},
                     fails={"C2_3_test_argumentaire"}),
    "ca_incoherent": _w(C23, "chiffre d'affaires visé sans rapport avec les clients apportés",
                        answers={C23: {"objectifs.ca_vise": 120000}}, fails={"C2_3_test_objectifs"}),
    "marge_sans_financement": _w(C24, "marge du contrat sans le coût du délai de paiement",
                                 [("C2_4_marge_rep", "marge = ca - couts - financement", "marge = ca - couts")],
                                 fails={"C2_4_test_marge", "C2_4_test_zopa"}),
    "concession_sans_contrepartie": _w(C24, "baisse de prix accordée sans contrepartie",
                                       [("C2_4_concessions_rep", "(2, 30, 1100, 48, 30)", "(2, 30, 1100, 36, 30)")],
                                       fails={"C2_4_test_concessions"}),
    "repli_sous_plancher": _w(C24, "position de repli sur le prix sous le prix plancher", answers={C24: {"points.prix_repli": 24}},
                              fails={"C2_4_test_points"}),
    "questions_fermees_spin": _w(C25, "questions fermées à l'étape « problème »",
                                 answers={C25: {"questions.probleme": "Avez-vous des difficultés ?\nEst-ce que la recharge vous pose problème ?"}},
                                 fails={"C2_5_test_questions"}),
    "solution_tout_compris": _w(C25, "tous les modules proposés, au-delà du budget mensuel du client",
                                answers={C25: {"solution.modules": [
                                    "M0 — Abonnement de supervision (base de l'offre)", "M1 — Bornes 22 kW posées et maintenues",
                                    "M2 — Pilotage dynamique de la puissance", "M3 — Suivi des consommations par véhicule",
                                    "M4 — Remboursement de la recharge à domicile", "M5 — Effacement rémunéré aux heures de pointe",
                                    "M6 — Audit de dimensionnement", "M7 — Maintenance premium (intervention en 4 h)",
                                    "M8 — Formation des conducteurs et des gestionnaires"]}},
                                fails={"C2_5_test_solution"}),
    "carte_confuse": _w(C25, "besoins techniques rattachés à l'exigence du distributeur",
                        answers={C25: {"carte.B1": _E25[0], "carte.B2": _E25[0]}}, fails={"C2_5_test_carte"}),
    "monologue": _w(C25, "argumentaire déroulé d'un bloc présenté comme de l'écoute",
                    answers={C25: {"posture.techniques": ["Reformulation", "Questions de relance", "Prise de notes visible",
                                                         "Argumentaire déroulé d'un bloc"]}},
                    fails={"C2_5_test_posture"}),
    "objectif_sans_arrondi": _w(C44, "objectif d'équipe non arrondi au millier d'euros",
                                [("C4_4_objectifs_rep", 'objectif_equipe = round(resultats["ca_realise_2026_eur"].sum() * (1 + cadrage["croissance_visee_2027_pct"] / 100), -3)',
                                  'objectif_equipe = resultats["ca_realise_2026_eur"].sum() * (1 + cadrage["croissance_visee_2027_pct"] / 100)')],
                                fails={"C4_4_test_objectifs"}),
    "repartition_au_ca_seul": _w(C44, "objectifs répartis au seul prorata du CA 2026, sans le portefeuille",
                                 [("C4_4_objectifs_rep", '_part = 0.5 * _r["ca_realise_2026_eur"] / _r["ca_realise_2026_eur"].sum() + 0.5 * _r["pipeline_ouvert_eur"] / _r["pipeline_ouvert_eur"].sum()',
                                   '_part = _r["ca_realise_2026_eur"] / _r["ca_realise_2026_eur"].sum()')],
                                 fails={"C4_4_test_objectifs", "C4_4_test_vigilance"}),
    "pas_de_temps_de_retours": _w(C44, "aucune séquence de l'ordre du jour pour recueillir les retours",
                                  answers={C44: {"deroule.type_5": "Autre"}}, fails={"C4_4_test_retours"}),
    "questions_fermees": _w(C44, "questions fermées (oui / non) pour recueillir les retours",
                            answers={C44: {"retours.questions": "Est-ce que c'est clair ?\nAvez-vous des questions ?\nÊtes-vous d'accord ?"}},
                            fails={"C4_4_test_retours"}),
    "ecart_negatif": _w(C45, "écarts négatifs gardés quand le niveau dépasse la cible",
                        [("C4_5_ecarts_rep", "ecarts = (_cible - matrice).clip(lower=0)", "ecarts = _cible - matrice")],
                        fails={"C4_5_test_ecarts"}),
    "priorite_sans_poids": _w(C45, "priorité fondée sur l'écart seul, sans le poids de la compétence dans le poste",
                              [("C4_5_priorites_rep", 'priorite=lambda d: d["ecart"] * d["poids"]', 'priorite=lambda d: d["ecart"]')],
                              fails={"C4_5_test_priorites"}),
    "tuteur_non_qualifie": _w(C45, "tutorat confié à une collègue de niveau 3, quand il faut un expert (niveau 4)",
                              [("C4_5_plan_rep", '("Julien Morel", "Prospection", "L06", "Karim Benali", 1)',
                                '("Julien Morel", "Prospection", "L06", "Sophie Marchand", 1)')],
                              fails={"C4_5_test_plan"}),
    "sans_suivi": _w(C45, "aucun rituel de suivi du plan", answers={C45: {"appropriation.rituels": ["Aucun suivi formalisé"]}},
                     fails={"C4_5_test_appropriation"}),
    "distance_arrondie_au_dessus": _w(C46, "jours à distance possibles arrondis au-dessus",
                                      [("C4_6_besoins_rep", "math.floor(j * p / 100)", "math.ceil(j * p / 100)")],
                                      fails={"C4_6_test_besoins"}),
    "journee_equipe_lundi": _w(C46, "journée d'équipe le lundi, jour de télétravail imposé pour un aménagement",
                               answers={C46: {"organisation.journee_equipe": "lundi", "debriefings.collectif_jour": "lundi"}},
                               fails={"C4_6_test_planning"}),
    "visio_sans_sous_titres": _w(C46, "réunions hybrides en visioconférence sans sous-titrage (une collaboratrice malentendante)",
                                 answers={C46: {"outils.reunion": "Visioconférence sans sous-titrage"}}, fails={"C4_6_test_outils"}),
    "debrief_jour_de_repos": _w(C46, "débriefing individuel placé le jour de repos d'une collaboratrice à temps partiel",
                                answers={C46: {"debriefings.individuel_3": "mercredi"}}, fails={"C4_6_test_debriefings"}),
    "tcam_sur_huit_ans": _w(C11, "TCAM 2019-2026 calculé sur huit intervalles au lieu de sept",
                            [("C1_1_tendances_rep", "** (1 / 7) - 1", "** (1 / 8) - 1")], fails={"C1_1_test_tendances"}),
    "prix_moyen_non_pondere": _w(C11, "indice de prix rapporté à la moyenne simple des prix, non pondérée par les parts",
                                 [("C1_1_benchmark_rep",
                                   '_prix_moyen = (benchmark["abonnement_mensuel_par_borne_eur"] * benchmark["part_de_marche_pct"]).sum() / benchmark["part_de_marche_pct"].sum()',
                                   '_prix_moyen = benchmark["abonnement_mensuel_par_borne_eur"].mean()')],
                                 fails={"C1_1_test_benchmark"}),
    "signal_mal_classe": _w(C11, "signal de cybersécurité (technologique) rangé dans le facteur économique",
                            answers={C11: {"pestel_2.signaux": ["V03", "V04", "V05", "V17", "V18"]}},
                            fails={"C1_1_test_pestel_enjeux"}),
    "rivalite_jugee_faible": _w(C11, "rivalité jugée faible malgré un marché fragmenté", answers={C11: {"porter.rivalite_note": 1}},
                                fails={"C1_1_test_porter"}),
    "marche_sans_adoption": _w(C12, "taille de marché sans le taux d'adoption à trois ans",
                               [("C1_2_segments_rep", '* segments["taux_adoption_3_ans"]\n', "\n")],
                               fails={"C1_2_test_segments", "C1_2_test_dimensions"}),
    "croissance_moyenne_simple": _w(C12, "croissance sectorielle en moyenne simple, non pondérée par le marché",
                                    [("C1_2_synthese_rep", '"croissance_pct": _g["pond"].sum() / _g["marche_eur"].sum()',
                                      '"croissance_pct": _g["croissance_annuelle_pct"].mean()')],
                                    fails={"C1_2_test_synthese"}),
    "poids_negligeable": _w(C12, "un critère de la matrice pondéré à 5 %",
                            answers={C12: {"poids.taille_marche": 60, "poids.concurrence": 5}}, fails={"C1_2_test_poids"}),
    "egalite_sans_impact": _w(C13, "risques à égalité de criticité départagés par l'identifiant, pas par l'impact",
                              [("C1_3_registre_rep", '["criticite", "impact", "id"], ascending=[False, False, True]',
                                '["criticite", "id"], ascending=[False, True]')],
                              fails={"C1_3_test_registre"}),
    "point_mort_tronque": _w(C13, "point mort arrondi au-dessous (une borne de moins ne couvre pas les charges)",
                             [("C1_3_finances_rep", "point_mort_bornes = math.ceil(", "point_mort_bornes = int(")],
                             fails={"C1_3_test_rentabilite"}),
    "canevas_sans_cible": _w(C13, "segments de clientèle sans secteur ni taille d'entreprise",
                             answers={C13: {"canevas.segments": "Toutes les organisations intéressées par la mobilité électrique dans la région."}},
                             fails={"C1_3_test_canevas"}),
    "avis_contradictoire": _w(C13, "projet jugé non faisable alors que les indicateurs le montrent rentable",
                              answers={C13: {"conclusion.avis": "Non faisable en l'état"}}, fails={"C1_3_test_conclusion"}),
    "van_decalee": _w(C14, "VAN actualisée d'une année de trop (l'investissement de l'année 0 actualisé)",
                      [("C1_4_indicateurs_rep", "n / (1 + taux) ** a for", "n / (1 + taux) ** (a + 1) for")],
                      fails={"C1_4_test_indicateurs"}),
    "option_dominee": _w(C14, "option recommandée dominée par les deux autres",
                         answers={C14: {"recommandation.option": OPTION_C, "recommandation.van_annoncee": 192000}},
                         fails={"C1_4_test_option"}),
    "van_non_actualisee": _w(C14, "valeur annoncée aux décideurs : somme des flux non actualisés",
                             answers={C14: {"recommandation.van_annoncee": 1160000}}, fails={"C1_4_test_valeur"}),
    "capacite_sans_absences": _w(C41, "capacité calculée sans déduire les absences",
                                 [("C4_1_capacite_rep", "capacite.loc[a.commercial, a.semaine] -= a.jours", "pass")],
                                 fails={"C4_1_test_capacite", "C4_1_test_surcharges", "C4_1_test_plan"}),
    "surcharges_au_sens_large": _w(C41, "une case pleine (charge = capacité) comptée comme surcharge",
                                   [("C4_1_surcharges_rep", "_ecart > 1e-9", "_ecart >= 0")],
                                   fails={"C4_1_test_surcharges"}),
    "plan_inchange": _w(C41, "plan rendu sans rééquilibrage",
                        [("C4_1_plan_rep", "plan = reequilibrer(plan, capacite)", "pass")],
                        fails={"C4_1_test_plan"}),
    "echeancier_sur_echeance_initiale": _w(C41, "échéancier tiré des échéances initiales, pas du plan",
                                           [("C4_1_echeancier_rep", 'plan[["id", "responsable", "semaine_fin"]]',
                                             'activites[["id", "responsable", "echeance"]].rename(columns={"echeance": "semaine_fin"})')],
                                           fails={"C4_1_test_echeancier"}),
    "smart_irrealiste": _w(C41, "objectif 2 : cible à +100 %", answers={C41: {"objectif_2.valeur_cible": 40}},
                           fails={"C4_1_test_smart_2"}),
    "smart_sans_echeance": _w(C41, "objectif 1 sans échéance", answers={C41: {"objectif_1.echeance": None}},
                              fails={"C4_1_test_smart_1"}),
    "conversion_sur_toutes": _w(C42, "taux de conversion rapporté à toutes les opportunités, en cours comprises",
                                [("C4_2_indicateurs_rep", '"taux_conversion": 100 * len(gagnees) / len(clos) if len(clos) else 0.0',
                                  '"taux_conversion": 100 * len(gagnees) / max(1, len(clos) + (opportunites["statut"] == "en cours").sum())')],
                                fails={"C4_2_test_indicateurs", "C4_2_test_tableau"}),
    "panier_sans_garde": _w(C42, "panier moyen divisé par zéro sur une période sans commande",
                            [("C4_2_indicateurs_rep", '"panier_moyen": ca / len(gagnees) if len(gagnees) else 0.0',
                              '"panier_moyen": ca / len(gagnees)')],
                            fails={"C4_2_test_robustesse"}),
    "seuils_laxistes": _w(C42, "seuil d'atteinte à 50 %", answers={C42: {"seuils.taux_atteinte": 50}},
                          fails={"C4_2_test_alertes"}),
    "ecart_pct_sur_realise": _w(C43, "écart en % rapporté au réalisé au lieu de la prévision",
                                [("C4_3_ecarts_rep", 't["ecart_pct"] = 100 * t["ecart"] / t["prevision"]',
                                  't["ecart_pct"] = 100 * t["ecart"] / t["realise"]')],
                                fails={"C4_3_test_ecarts", "C4_3_test_ecarts_mois"}),
    "classement_signe": _w(C43, "écarts classés par valeur signée, pas par importance",
                           [("C4_3_classement_rep", 'classement.reindex(classement["ecart"].abs().sort_values(ascending=False).index)',
                             'classement.reindex(classement["ecart"].sort_values(ascending=False).index)')],
                           fails={"C4_3_test_classement"}),
    "anomalies_sur_montants": _w(C43, "z-score calculé sur les montants réalisés (saisonnalité non neutralisée)",
                                 [("C4_3_anomalies_rep", 'groupe = mensuel.groupby("commercial")["taux_realisation"]',
                                   'mensuel["taux_realisation"] = mensuel["realise_ht"]\n'
                                   'groupe = mensuel.groupby("commercial")["taux_realisation"]'),
                                  ("C4_3_anomalies_rep", "> 2.5", "> 2")],
                                 fails={"C4_3_test_anomalies", "C4_3_test_regression"}),
    "cause_erronee": _w(C43, "affaire exceptionnelle prise pour de la saisonnalité",
                        answers={C43: {"causes.Lucas Perrin 2026-09|cause": "saisonnalité mal prévue"}},
                        fails={"C4_3_test_causes"}),
    "correlation_avec_anomalies": _w(C43, "corrélation calculée sans écarter les anomalies",
                                     [("C4_3_regression_rep", "base = base[[(c, m) not in exclues", "base = base[[True")],
                                     fails={"C4_3_test_regression"}),
}


@dataclass(frozen=True)
class Candidate:
    id: str
    first: str
    last: str
    profile: str
    wrong: tuple[str, ...] = ()
    blank: bool = False
    levels: dict = field(default_factory=dict)        # competency -> [level per criterion] (None: not rated yet)
    submitted: dt.datetime = DUE - dt.timedelta(hours=2)
    answers: dict = field(default_factory=dict)       # extra widget answer overrides
    second: dict = field(default_factory=dict)        # second grader's levels (double marking)
    jury: dict = field(default_factory=dict)          # jury's final levels {(competency, criterion): level}


T = lambda day, h, m: dt.datetime(2027, 1, day, h, m, tzinfo=DUE.tzinfo)  # noqa: E731

B4M_LEVELS = {  # C4.4 is the simulated meeting: c06 has not held it yet
    "c01": {"C4.4": [3, 3, 2], "C4.5": [3, 3, 2, 3], "C4.6": [3, 2, 3, 3, 3]},
    "c02": {"C4.4": [2, 1, 2], "C4.5": [2, 2, 2, 2], "C4.6": [2, 2, 2, 1, 2]},
    "c03": {"C4.4": [1, 1, 0], "C4.5": [1, 1, 1, 1], "C4.6": [1, 0, 1, 1, 1]},
    "c04": {"C4.4": [0, 0, 0], "C4.5": [0, 0, 0, 0], "C4.6": [0, 0, 0, 0, 0]},
    "c05": {"C4.4": [2, 2, 2], "C4.5": [3, 2, 2, 3], "C4.6": [2, 3, 2, 2, 3]},
    "c06": {"C4.4": [None, None, None], "C4.5": [2, 2, 2, 1], "C4.6": [2, 2, 2, 2, 2]},
    "c07": {"C4.4": [2, 2, 2], "C4.5": [2, 3, 2, 2], "C4.6": [2, 2, 1, 2, 2]},
}

B3_LEVELS = {
    "c01": {"C3.1": [3, 3, 2], "C3.2": [3, 2, 3], "C3.3": [3, 3, 3], "C3.4": [3, 3, 2], "C3.5": [2, 3, 3]},
    "c02": {"C3.1": [2, 1, 2], "C3.2": [2, 2, 2], "C3.3": [2, 2, 1], "C3.4": [2, 2, 2], "C3.5": [2, 1, 2]},
    "c03": {"C3.1": [1, 1, 0], "C3.2": [1, 0, 1], "C3.3": [0, 1, 1], "C3.4": [1, 1, 1], "C3.5": [1, 1, 0]},
    "c04": {"C3.1": [0, 0, 0], "C3.2": [0, 0, 0], "C3.3": [0, 0, 0], "C3.4": [0, 0, 0], "C3.5": [0, 0, 0]},
    "c05": {"C3.1": [2, 2, 2], "C3.2": [2, 3, 2], "C3.3": [2, 2, 2], "C3.4": [3, 2, 2], "C3.5": [2, 2, 3]},
    "c06": {"C3.1": [2, 2, 2], "C3.2": [2, 2, 1], "C3.3": [2, 2, 2], "C3.4": [2, 1, 2], "C3.5": [2, 2, 2]},
    "c07": {"C3.1": [2, 2, 2], "C3.2": [2, 2, 2], "C3.3": [2, 2, 2], "C3.4": [2, 2, 2], "C3.5": [2, 2, 2]},
}

B2_LEVELS = {  # C2.3 and C2.4 are orals, C2.5 a simulated interview: c06 has not held the negotiation yet
    "c01": {"C2.1": [3, 3, 3, 2], "C2.2": [3, 3, 3], "C2.3": [3, 3, 2, 3], "C2.4": [3, 2, 3], "C2.5": [3, 3, 3, 2, 3]},
    "c02": {"C2.1": [2, 2, 1, 2], "C2.2": [2, 2, 2], "C2.3": [2, 2, 2, 1], "C2.4": [2, 1, 2], "C2.5": [1, 2, 2, 2, 2]},
    "c03": {"C2.1": [1, 1, 1, 0], "C2.2": [1, 1, 0], "C2.3": [1, 1, 0, 1], "C2.4": [1, 1, 1], "C2.5": [1, 1, 1, 1, 0]},
    "c04": {"C2.1": [0, 0, 0, 0], "C2.2": [0, 0, 0], "C2.3": [0, 0, 0, 0], "C2.4": [0, 0, 0], "C2.5": [0, 0, 0, 0, 0]},
    "c05": {"C2.1": [2, 2, 2, 2], "C2.2": [2, 2, 3], "C2.3": [2, 3, 2, 2], "C2.4": [2, 2, 2], "C2.5": [2, 2, 3, 2, 2]},
    "c06": {"C2.1": [2, 2, 2, 1], "C2.2": [2, 2, 1], "C2.3": [2, 2, 2, 2], "C2.4": [None, None, None], "C2.5": [2, 2, 2, 2, 2]},
    "c07": {"C2.1": [2, 2, 2, 2], "C2.2": [2, 2, 2], "C2.3": [2, 2, 2, 2], "C2.4": [2, 1, 2], "C2.5": [2, 2, 2, 2, 2]},
}

B1_LEVELS = {  # bloc 1 grader levels per candidate (C1.4 is the oral: c06 has not presented yet)
    "c01": {"C1.1": [3, 3, 2, 3], "C1.2": [3, 3, 3], "C1.3": [3, 2, 3, 3], "C1.4": [3, 3, 2]},
    "c02": {"C1.1": [2, 2, 2, 2], "C1.2": [2, 2, 1], "C1.3": [2, 1, 2, 2], "C1.4": [2, 2, 1]},
    "c03": {"C1.1": [1, 1, 0, 1], "C1.2": [0, 1, 1], "C1.3": [1, 1, 0, 0], "C1.4": [1, 0, 1]},
    "c04": {"C1.1": [0, 0, 0, 0], "C1.2": [0, 0, 0], "C1.3": [0, 0, 0, 0], "C1.4": [0, 0, 0]},
    "c05": {"C1.1": [2, 3, 2, 2], "C1.2": [2, 2, 2], "C1.3": [3, 2, 2, 3], "C1.4": [2, 2, 2]},
    "c06": {"C1.1": [2, 1, 2, 2], "C1.2": [2, 2, 2], "C1.3": [2, 2, 2, 1], "C1.4": [None, None, None]},
    "c07": {"C1.1": [2, 2, 2, 2], "C1.2": [1, 2, 2], "C1.3": [2, 2, 2, 2], "C1.4": [2, 2, 2]},
}

COHORT = [
    Candidate("c01", "Léa", "Fontaine", "excellente", levels={"C4.1": [3, 3, 2], "C4.2": [3, 2, 3], "C4.3": [3, 3, 3]},
              submitted=T(8, 10, 5)),
    Candidate("c02", "Hugo", "Lambert", "moyen", ("capacite_sans_absences", "panier_sans_garde", "cause_erronee",
                                                  "tcam_sur_huit_ans", "egalite_sans_impact", "van_non_actualisee"),
              levels={"C4.1": [2, 1, 2], "C4.2": [2, 2, 2], "C4.3": [2, 2, 1]}, submitted=T(8, 11, 41),
              second={"C4.3": [2, 2, 2], "C1.2": [2, 2, 2]}, jury={("C4.3", 3): 1}),
    Candidate("c03", "Nadia", "Haddad", "en difficulté",
              ("plan_inchange", "smart_irrealiste", "conversion_sur_toutes",
               "seuils_laxistes", "ecart_pct_sur_realise", "anomalies_sur_montants",
               "prix_moyen_non_pondere", "signal_mal_classe", "marche_sans_adoption", "canevas_sans_cible",
               "avis_contradictoire", "option_dominee"),
              levels={"C4.1": [1, 0, 1], "C4.2": [1, 1, 0], "C4.3": [0, 1, 1]}, submitted=T(8, 11, 58),
              answers={C43: {"synthese.resultats": "Les résultats sont bons dans l'ensemble.", "synthese.facteurs": "",
                             "synthese.actions": "Continuer."}}),
    Candidate("c04", "Maxime", "Roux", "copie blanche", blank=True,
              levels={"C4.1": [0, 0, 0], "C4.2": [0, 0, 0], "C4.3": [0, 0, 0]}, submitted=T(8, 9, 30)),
    Candidate("c05", "Clara", "Petit", "dispense et temps supplémentaire", ("classement_signe", "croissance_moyenne_simple"),
              levels={"C4.1": [3, 2, 2], "C4.2": [2, 3, None], "C4.3": [2, 2, 3]}, submitted=T(8, 12, 40)),
    Candidate("c06", "Samuel", "Girard", "remise en retard", ("correlation_avec_anomalies", "rivalite_jugee_faible",
                                                             "point_mort_tronque"),
              levels={"C4.1": [2, 3, 2], "C4.2": [3, 2, 2], "C4.3": [None, None, None]}, submitted=T(10, 9, 15)),
    Candidate("c07", "Inès", "Moreau", "erreurs ponctuelles", ("surcharges_au_sens_large", "smart_sans_echeance",
                                                            "echeancier_sur_echeance_initiale", "poids_negligeable",
                                                            "van_decalee"),
              levels={"C4.1": [1, 2, 2], "C4.2": [2, 2, 2], "C4.3": [2, 3, 2]}, submitted=T(8, 11, 20),
              second={"C4.1": [2, 2, 2]}),
]
B4M_WRONG = {"c02": ("repartition_au_ca_seul", "ecart_negatif", "journee_equipe_lundi"),
             "c03": ("questions_fermees", "priorite_sans_poids", "sans_suivi", "visio_sans_sous_titres",
                     "distance_arrondie_au_dessus"),
             "c05": ("objectif_sans_arrondi",), "c06": ("tuteur_non_qualifie",),
             "c07": ("pas_de_temps_de_retours", "debrief_jour_de_repos")}
B2_WRONG = {"c02": ("leads_arrondis_au_plus_pres", "abc_part_apres", "gain_partenaire_sans_installation",
                    "marge_sans_financement", "questions_fermees_spin"),
            "c03": ("achat_de_fichier", "extrait_sans_opposition", "texte_hors_sujet", "atout_faux", "score_non_pondere",
                    "repli_sous_plancher", "solution_tout_compris", "carte_confuse"),
            "c05": ("salon_mal_date", "poids_inverses"),
            "c06": ("valeur_prix_bas", "extrait_avec_telephone", "ca_incoherent"),
            "c07": ("concession_sans_contrepartie", "monologue")}
B3_WRONG = {"c02": ("chemin_sans_tous_predecesseurs", "cpi_inverse", "montants_sans_12", "nps_avec_passifs", "roi_sur_ca"),
            "c03": ("point_mort_sans_abonnement", "raci_incoherent", "seuils_trop_bas", "delai_illegal", "pi_cedee",
                    "extension_client_a_risque", "reporting_annuel", "tendance_depuis_janvier", "recul_sans_causes"),
            "c05": ("objectif_sans_echeance", "sans_dpo"),
            "c06": ("ecart_cout_inverse", "attrition_en_discussion", "atteinte_sur_prevu"),
            "c07": ("sans_reajustement_t09", "organigramme")}
COHORT = [dataclasses.replace(c, levels={**B1_LEVELS[c.id], **B2_LEVELS[c.id], **B3_LEVELS[c.id], **c.levels,
                                         **B4M_LEVELS[c.id]},
                              wrong=c.wrong + B2_WRONG.get(c.id, ()) + B3_WRONG.get(c.id, ()) + B4M_WRONG.get(c.id, ()))
          for c in COHORT]

ACCOMMODATIONS = {  # fictional: the demo's own jury file, written into its working folder
    "candidats": {
        "c05": {
            "temps_supplementaire_minutes": 60,
            "motif_amenagement": "Tiers temps et lecteur d'écran, sur avis du référent handicap",
            "dispenses": [{
                "competence": "C4.2", "critere": 3,
                "avis_referent": "Déficience visuelle sévère : la mise en forme visuelle d'un tableau de bord n'a pas "
                                 "vocation à s'appliquer dans la pratique future, les indicateurs étant restitués "
                                 "par synthèse vocale ; la capacité globale de pilotage n'est pas remise en cause.",
                "date_decision_jury": dt.date(2027, 1, 5),
                CONDITION_CAPACITY: True, CONDITION_PRACTICE: True}],
        },
        "c02": {  # an incomplete request, which the batch must refuse and say why
            "dispenses": [{"competence": "C4.1", "critere": 3, "avis_referent": "Demande transmise par le candidat.",
                           "date_decision_jury": dt.date(2027, 1, 5), CONDITION_CAPACITY: True}],
        },
    }
}


def strip_solution(source: str) -> str:
    return "\n".join(line for line in source.split("\n") if not re.match(r"\s*### (BEGIN|END) SOLUTION", line))


def solution_answers(source_dir: Path = CAS_DIR / ASSIGNMENT) -> dict:
    """The widget answers of the solution, kept beside the source and never released (corrige/)."""
    return json.loads((source_dir / "corrige" / "reponses_corrige.json").read_text(encoding="utf-8"))


def make_submission(folder: Path, source_dir: Path, wrong: tuple[str, ...] = (), blank: bool = False,
                    answer_overrides: dict | None = None) -> None:
    """Turn a fetched release folder into a candidate's work: solution code with the named mistakes."""
    mistakes = [WRONG_ANSWERS[w] for w in wrong]
    if blank:
        return
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        src = {c.get("id"): c for c in nbformat.read(source_dir / path.name, as_version=4).cells}
        for cell in nb.cells:
            if not cell.metadata.get("nbgrader", {}).get("solution"):
                continue
            code = strip_solution(src[cell.id].source)
            for m in mistakes:
                for cell_id, old, new in (m.edits if m.notebook == path.stem else ()):
                    if cell_id == cell.id:
                        if old not in code:
                            raise ValueError(f"Erreur type « {m.description} » : texte introuvable dans {cell_id}")
                        code = code.replace(old, new)
            cell.source = code
        nbformat.write(nb, path)
    answers = solution_answers(source_dir)
    for m in mistakes:
        for nb_name, values in m.answers.items():
            if nb_name in answers:  # only this assignment's notebooks
                answers[nb_name].update(values)
    for nb_name, values in (answer_overrides or {}).items():
        if nb_name in answers:
            answers[nb_name].update(values)
    (folder / ANSWERS_FILE).write_text(json.dumps(answers, ensure_ascii=False, indent=1), encoding="utf-8")


def exchange_step(step: str, home: Path, assignment: str, student: str, exchange_root: Path,
                  strict: bool = True) -> None:
    """A candidate's ``nbgrader fetch_assignment`` or ``nbgrader submit``, by nbgrader's own exchange classes
    in this process (the same code as the commands, without starting Python twice per assignment).
    `strict`: refuse a submission with a notebook missing (``nbgrader submit --strict``, which the demo
    uses); without it, nbgrader warns and submits, as its default does."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit
    from traitlets.config import Config

    cfg = Config()
    cfg.CourseDirectory.root = str(home)
    cfg.CourseDirectory.course_id = COURSE_ID
    cfg.CourseDirectory.assignment_id = assignment
    cfg.Exchange.root = str(exchange_root)
    cfg.Exchange.assignment_dir = str(home)
    cfg.Exchange.timezone = "Europe/Paris"
    if step == "submit":
        cfg.CourseDirectory.student_id = student
        cfg.ExchangeSubmit.strict = strict
    kind = ExchangeSubmit if step == "submit" else ExchangeFetchAssignment
    kind(coursedir=CourseDirectory(config=cfg), authenticator=Authenticator(config=cfg), config=cfg).start()


def prepare_course(workdir: Path) -> Course:
    """A fresh course folder: the project's sources and nbgrader config, its own gradebook and exchange."""
    if workdir.exists():
        if not (workdir / MARKER).exists():
            raise SystemExit(f"Le dossier {workdir} existe et n'est pas un dossier de démonstration : "
                             "choisissez-en un autre (--dossier), rien n'a été effacé.")
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    (workdir / MARKER).write_text("Dossier de travail de `mdpc demo`, recréé à chaque lancement.\n", encoding="utf-8")
    shutil.copytree(CAS_DIR, workdir / "cas_pratiques", ignore=shutil.ignore_patterns(
        ".ipynb_checkpoints", "__pycache__", ANSWERS_FILE))
    shutil.copy(PROJECT_ROOT / "nbgrader_config.py", workdir / "nbgrader_config.py")
    return Course(workdir)


def grader_comment(competency: str, number: int, level: int, candidate: Candidate) -> str:
    """A demo grader's comment: the grid's descriptor of the level given."""
    return default_grids()[competency].criteria[number - 1].descriptors[level]


def say(message: str) -> None:
    print(message, flush=True)


def run_demo(workdir: Path, progress: bool = True) -> dict:
    """The main job on the demo cohort; returns the outputs (paths, records, errors)."""
    workdir = workdir.resolve()
    steps = 9
    say(f"Démonstration MDPC — dossier de travail : {workdir}")
    say(f"[1/{steps}] Préparation du cours et du gradebook")
    course = prepare_course(workdir)
    with course.gradebook() as gb:  # what `nbgrader db assignment add` and `db student add` do, in one process
        for a in ASSIGNMENTS:
            gb.update_or_create_assignment(a, duedate=DUES[a])
        for c in COHORT:
            gb.update_or_create_student(c.id, first_name=c.first, last_name=c.last)
    say(f"[2/{steps}] Génération des devoirs (nbgrader generate_assignment) et diffusion (release_assignment) : "
        + ", ".join(ASSIGNMENTS))
    for a in ASSIGNMENTS:  # nbgrader's API in this process: the commands' code without a Python start each
        course.run_in_process("generate_assignment", a)
        course.run_in_process("release_assignment", a)
    say(f"[3/{steps}] Les candidats récupèrent les devoirs, les travaillent et les remettent (fetch, submit)")

    def work(c: Candidate) -> None:  # each candidate in their own folder, as on their own machine
        home = workdir / "candidats" / c.id
        home.mkdir(parents=True)
        for a in ASSIGNMENTS:
            exchange_step("fetch", home, a, c.id, workdir / "echange")
            make_submission(home / a, course.source(a), c.wrong, c.blank, c.answers)
            exchange_step("submit", home, a, c.id, workdir / "echange")

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for _ in tqdm(pool.map(work, COHORT), total=len(COHORT), desc="Candidats", unit="candidat", disable=not progress):
            pass
    say(f"[4/{steps}] Ramassage des copies (nbgrader collect) ; heures de remise simulées")
    for a in ASSIGNMENTS:
        course.run_in_process("collect", a)
        for c in COHORT:
            stamp = workdir / "submitted" / c.id / a / "timestamp.txt"
            when = c.submitted - (DUE - DUES[a])  # each candidate hands bloc 1 in as early, or late, as bloc 4
            stamp.write_text(when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC"), encoding="utf-8")
    say(f"[5/{steps}] Autocorrection en parallèle (mdpc autograde : nbgrader sur chaque cœur, un seul écrivain)")
    say(f"  {sandbox_status()[1]}")
    errors, failed = {}, set()
    for a, failures in autograde_assignments(course, list(ASSIGNMENTS), progress=progress).items():
        for s, e in failures.items():
            errors[f"{s} ({a})"] = f"autocorrection : {e}"
            failed.add((s, a))
            say(f"  ⚠ {s} ({a}) : copie non autocorrigée, qui ne sera pas notée — {e}")
    say(f"[6/{steps}] Les correcteurs de démonstration notent chaque critère (double correction pour deux copies)")
    book = RatingBook(course)
    for c in COHORT:
        for who, sheet in ((GRADERS[0], c.levels), (GRADERS[1], c.second)):
            for code, levels in sheet.items():
                if (c.id, course.assignment_of(code)) in failed:
                    continue
                for k, level in enumerate(levels, 1):
                    if level is not None:
                        book.record(course.assignment_of(code), c.id, code, k, who, level,
                                    grader_comment(code, k, level, c))
        for (code, k), level in c.jury.items():
            if (c.id, course.assignment_of(code)) in failed:
                continue
            book.record(course.assignment_of(code), c.id, code, k, JURY_CHAIR, level,
                        "Niveau arrêté par le jury après lecture des deux corrections.", jury=True)
    for d in book.divergences(list(ASSIGNMENTS)):
        state = f"tranchée par le jury : niveau {d['niveau_final']}" if d["tranche_par_le_jury"] else "à trancher par le jury"
        say(f"  ⚠ Notes divergentes — {d['candidat']}, {d['competence']} critère {d['critere']} : "
            + ", ".join(f"{w} {lv}" for w, lv in d["niveaux"].items()) + f" ({state})")
    say(f"[7/{steps}] Décisions (critères → compétences → blocs → certification), dispenses appliquées")
    acc_path = workdir / "dispenses.yaml"
    acc_path.write_text(FILE_HEADER + yaml.safe_dump(ACCOMMODATIONS, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
    collected = collect(course, list(ASSIGNMENTS), acc_path)
    for m in collected.accommodations.refusals:
        say(f"  ⚠ {m}")
    records = decide(collected, SESSION)
    say(f"[8/{steps}] Rapports (papermill, en parallèle) : relevés individuels, cohorte, procès-verbal du jury")
    batch = publish(records, workdir / "rapports", collected, session=SESSION, minutes=MINUTES, progress=progress)
    for o in batch["candidats"] + [batch["cohorte"], batch["pv"]]:
        if "erreur" in o:
            errors[o.get("candidat", o["cle"])] = o["erreur"]
    say(f"[9/{steps}] Retours aux candidats (nbgrader generate_feedback : niveaux et commentaires, sans tests cachés)")
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # one nbgrader per assignment; they only read
        codes = dict(zip(ASSIGNMENTS, pool.map(lambda a: course.nbgrader("generate_feedback", a, "--force", check=False)
                                               .returncode, ASSIGNMENTS), strict=True))
    for a, code in codes.items():
        if code != 0:
            errors[f"retours {a}"] = "génération des retours en échec (voir journal_nbgrader.log)"
    protect_course(workdir)  # personal data, even fictional: owner only
    return {"course": course, "records": records, "reports": batch["candidats"], "batch": batch, "csv": batch["csv"],
            "errors": errors, "refusals": collected.accommodations.refusals}


def summary_table(records: list[CandidateRecord], outputs: list[dict]) -> str:
    from mdpc.core.cohort import cohort_table
    from mdpc.reports.common import duration_fr

    table = cohort_table(records)
    html = {o["candidat"]: o.get("html") for o in outputs}
    table["rapport"] = [Path(html[c]).name if html.get(c) else "—" for c in table["candidat"]]
    table["retard (min)"] = table["retard (min)"].map(lambda m: duration_fr(m) if m else "—")  # the CSV keeps minutes
    table = table.rename(columns={"retard (min)": "retard"})
    keep = [c for c in table.columns if not re.fullmatch(r"C\d\.\d", c)]  # competencies: in the CSV and the reports
    return table[keep].to_string(index=False)


def main(workdir: str | Path | None = None) -> int:
    workdir = Path(workdir) if workdir else PROJECT_ROOT / "demo_mdpc"
    result = run_demo(workdir)
    say("\nDécisions de la cohorte de démonstration :\n")
    say(summary_table(result["records"], result["reports"]))
    for sid, err in result["errors"].items():
        say(f"⚠ {sid} : {err}")
    out = workdir / "rapports"
    say(f"""
Où regarder :
  - relevés individuels (HTML et PDF)                        : {out}/rapport_<candidat>.html, .pdf
  - carnets exécutés des rapports (papermill)               : {out}/rapport_<candidat>.ipynb
  - rapport de cohorte (HTML et PDF)                        : {out / 'rapport_cohorte.html'}
  - procès-verbal du jury (HTML, PDF, CSV)                  : {out / 'pv_jury.pdf'}, {out / 'pv_jury.csv'}
  - décisions de la cohorte (CSV, séparateur ;)             : {result['csv']}
  - réussite par critère (CSV)                              : {out / 'cohorte_reussite_criteres.csv'}
  - journal des notes (qui a noté quoi, quand)              : {workdir / 'notation.db'}
  - copies autocorrigées                                    : {workdir / 'autograded'}
  - retours aux candidats (HTML)                            : {workdir / 'feedback'}/<candidat>/
  - gradebook nbgrader (formgrader)                         : {workdir / 'gradebook.db'}
  - dispenses fictives du jury                              : {workdir / 'dispenses.yaml'}
  - journal complet de nbgrader                             : {workdir / 'journal_nbgrader.log'}
  - journal de l'autocorrection en parallèle                : {workdir / 'journal_autocorrection.log'}""")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
