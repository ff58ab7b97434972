"""The ``mdpc`` command's arguments: every sub-command, its options and their French help.

The commands themselves are in :mod:`mdpc.cli`, which passes them in by name (``cmd_<name>``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def _course_args(p):
    p.add_argument("--cours", default=".", help="dossier du cours nbgrader (celui de nbgrader_config.py)")
    p.add_argument("--devoir", action="append", default=None,
                   help="identifiant du devoir nbgrader (à répéter ; par défaut : tous les devoirs du gradebook)")
    p.add_argument("--dispenses", default=None,
                   help="fichier des aménagements et dispenses du jury (par défaut : dispenses.yaml du cours)")


def _export_args(sub, commands: dict[str, Callable]) -> None:
    p = sub.add_parser("exporter", help="exporte le référentiel (Moodle, 1EdTech CASE 1.1) ou les résultats "
                                        "(Open Badges 3.0), sans rien demander au réseau")
    what = p.add_subparsers(dest="quoi", required=True)
    identity = ("dossier du cours dont le certification.yaml donne l'identité de la certification (par défaut : "
                "grilles/certification.yaml du projet)")
    r = what.add_parser("referentiel", help="le référentiel : cadre de compétences Moodle (CSV de tool_lpimportcsv) "
                                            "ou paquet CASE 1.1 (JSON, grilles en CFRubrics)")
    r.add_argument("--format", required=True, choices=["moodle", "case"],
                   help="moodle : CSV à importer dans Moodle (Administration du site › Compétences) ; case : paquet "
                        "CFPackage JSON")
    r.add_argument("--sortie", required=True, help="fichier à écrire")
    r.add_argument("--cours", default=None, help=identity)
    r.set_defaults(func=commands["cmd_exporter_referentiel"])
    b = what.add_parser("badges", help="un badge Open Badges 3.0 (JSON, non signé) par bloc validé et par "
                                       "certification obtenue, aligné sur les items CASE")
    b.add_argument("--resultats", required=True,
                   help="dossier des résultats écrits par « mdpc rapports » (rapports/resultats/)")
    b.add_argument("--sortie", required=True, help="dossier des badges (un sous-dossier par candidat)")
    b.add_argument("--cours", default=None, help=identity)
    b.add_argument("--date", default=None, help="date de la délibération du jury, AAAA-MM-JJ (par défaut : "
                                                "aujourd'hui) : début de validité des badges")
    b.set_defaults(func=commands["cmd_exporter_badges"])


def build_parser(commands: dict[str, Callable]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mdpc", description="Cours, cas pratiques et notation de la certification MDPC.")
    sub = parser.add_subparsers(dest="commande", required=True)
    p = sub.add_parser("demo", help="toute la chaîne sur la cohorte de démonstration, de la diffusion aux rapports")
    p.add_argument("--dossier", default=None, help="dossier de travail (par défaut : demo_mdpc/ du projet)")
    p.add_argument("--session", default=None, help="identifiant d'une session : la démonstration sur ses cas")
    p.set_defaults(func=commands["cmd_demo"])
    p = sub.add_parser("donnees", help="régénère les données des cas et des leçons (générateurs à graine fixe)")
    p.set_defaults(func=commands["cmd_donnees"])
    p = sub.add_parser("publier", help="réécrit les cellules d'évaluation des carnets d'après le référentiel et les grilles, "
                                       "puis régénère release/ (nbgrader generate_assignment) et la matrice de couverture ; "
                                       "avec --session, produit les cas d'une session dans un cours à part")
    p.add_argument("--session", default=None, help="identifiant de la session (par exemple 2027-03-lyon) : chiffres, "
                                                   "noms et événements des cas tirés de cet identifiant")
    p.add_argument("--cours", default=None, help="avec --session : dossier du cours de la session, hors du projet")
    p.set_defaults(func=commands["cmd_publier"])
    p = sub.add_parser("valider", help="nbgrader validate sur les carnets sources d'un devoir, sur place, avec le corrigé "
                                       "des formulaires (corrige/) : lu, jamais copié ni écrit")
    p.add_argument("devoir", help="identifiant du devoir (dossier de cas_pratiques/)")
    p.add_argument("carnets", nargs="*", help="carnets à valider (par défaut : tous ceux du devoir)")
    p.add_argument("--cours", default=".", help="dossier du cours nbgrader (celui de nbgrader_config.py)")
    p.set_defaults(func=commands["cmd_valider"])
    p = sub.add_parser("autograde", help="autocorrection de toute la cohorte en parallèle (mêmes notes que nbgrader)")
    _course_args(p)
    p.add_argument("candidats", nargs="*", help="identifiants des candidats (par défaut : toutes les copies ramassées)")
    p.add_argument("--processus", type=int, default=None, help="processus en parallèle (par défaut : un par cœur)")
    p.add_argument("--sans-isolation", action="store_true",
                   help="corrige même sans le bac à sable complet (qui demande root et bubblewrap ; sans cette option, "
                        "mdpc autograde refuse). Sans bac à sable, le code des candidats s'exécute sous votre compte, "
                        "avec vos droits (en root : tous les droits sur la machine) : il peut lire les tests cachés et les corrigés (cas_pratiques/), le "
                        "gradebook, le journal des notes et les copies des autres candidats, les modifier, écrire "
                        "dans les journaux et le dossier du cours, joindre le réseau ; seules les limites de "
                        "ressources s'appliquent. À réserver à des copies de confiance (essais, démonstration). "
                        "Le bac à sable reste utilisé chaque fois qu'il est disponible.")
    p.set_defaults(func=commands["cmd_autograde"])
    p = sub.add_parser("noter", help="inscrit le niveau et le commentaire d'un correcteur au journal des notes "
                                     "(reflété dans le gradebook)")
    _course_args(p)
    p.add_argument("--fichier", help="CSV (candidat;competence;critere;niveau;commentaire[;correcteur]) à importer")
    p.add_argument("--correcteur", help="nom du correcteur, tel que jury.yaml le déclare s'il existe (chaque note est "
                                        "signée dans le journal notation.db)")
    p.add_argument("--jury", action="store_true", help="niveau final arrêté par le jury (tranche une divergence) ; "
                                                       "réservé aux membres du jury déclarés dans jury.yaml")
    p.add_argument("--candidat")
    p.add_argument("--competence", help="ex. C4.1")
    p.add_argument("--critere", type=int)
    p.add_argument("--niveau", type=int)
    p.add_argument("--commentaire")
    p.set_defaults(func=commands["cmd_noter"])
    p = sub.add_parser("effacer", help="efface toutes les données personnelles d'un candidat (fin de conservation)")
    p.add_argument("candidat")
    p.add_argument("--cours", default=".", help="dossier du cours nbgrader (celui de nbgrader_config.py)")
    p.add_argument("--confirmer", action="store_true", help="nécessaire : l'effacement est irréversible")
    p.set_defaults(func=commands["cmd_effacer"])
    p = sub.add_parser("journal", help="journal des notes (notation.db) : chaîne d'empreintes, effacements, tête de "
                                       "chaîne à reporter au procès-verbal")
    p.add_argument("--cours", default=".", help="dossier du cours nbgrader (celui de nbgrader_config.py)")
    p.add_argument("--verifier", action="store_true",
                   help="parcourt toute la chaîne sans rien modifier et nomme la première ligne altérée (code de sortie 1)")
    p.add_argument("--tete", help="tête de chaîne relevée plus tôt (procès-verbal, 16 caractères au moins) : le journal "
                                  "doit la contenir encore ; dit ce qui a été ajouté depuis")
    p.set_defaults(func=commands["cmd_journal"])
    _export_args(sub, commands)
    p = sub.add_parser("verifier", help="vérifie un parchemin ou une attestation : son numéro est-il au registre du cours "
                                        "et son code de vérification correspond-il ? (code de sortie 1 sinon)")
    p.add_argument("numero", help="numéro du document (ex. MDPC-2027-0001)")
    p.add_argument("code", help="code de vérification imprimé sur le document (ex. 7KQ2-M9XD-3F8A-TV1C)")
    p.add_argument("--cours", default=".", help="dossier du registre registre_parchemins.json et de sa clé : celui du "
                                                "cours, ou celui où ils sont archivés")
    p.add_argument("--titulaire", help="nom du titulaire lu sur le document présenté (comparé au registre)")
    p.add_argument("--naissance", help="date de naissance lue sur le document présenté, AAAA-MM-JJ ou JJ/MM/AAAA "
                                       "(comparée au registre)")
    p.set_defaults(func=commands["cmd_verifier"])
    for name, func, helptext in (("decisions", commands["cmd_decisions"], "décisions par candidat, compétence et bloc"),
                                 ("rapports", commands["cmd_rapports"], "rapports individuels (papermill, HTML) et CSV de "
                                                                         "cohorte ; avec --date et --lieu, parchemins, "
                                                                         "attestations de blocs et lettres de notification"),
                                 ("documents", commands["cmd_documents"], "parchemins, attestations de blocs et lettres de "
                                                                          "notification seuls (sans refaire les rapports)")):
        p = sub.add_parser(name, help=helptext, aliases=["reports"] if name == "rapports" else [])
        _course_args(p)
        p.add_argument("--session", default="Session en cours", help="intitulé de la session (affiché dans les rapports)")
        if name == "decisions":
            p.add_argument("--csv", help="écrit aussi le tableau dans ce fichier CSV")
        else:
            p.add_argument("--sortie", help="dossier des rapports (par défaut : rapports/ du cours ; les documents "
                                            "délivrés vont dans son sous-dossier documents/)")
            p.add_argument("--date", default="", help="date de la délibération du jury, AAAA-MM-JJ (procès-verbal, "
                                                      "parchemins, attestations et lettres ; sans date, aucun document "
                                                      "n'est délivré)")
            p.add_argument("--lieu", default="", help="lieu de la délibération (procès-verbal, documents délivrés)")
            p.add_argument("--sans-pdf", action="store_true", help="ne produit que le HTML")
        if name == "rapports":
            p.add_argument("--processus", type=int, default=None, help="processus en parallèle (par défaut : un par cœur)")
            p.add_argument("--membres", default="", help="membres du jury, séparés par des points-virgules, à défaut de "
                                                         "jury.yaml dans le cours (sans leur statut interne ou "
                                                         "extérieur : le procès-verbal dira la composition non vérifiée)")
            p.add_argument("--anonyme", action="store_true",
                           help="ajoute un rapport de cohorte sans identifiant de candidat, pour une diffusion hors "
                                "jury, dans le sous-dossier diffusion/ (à part des fichiers nominatifs)")
        p.set_defaults(func=func)
    return parser
