"""The steps a no-code table recipe offers (issue 17), as the tool shows them: each step's French label and its
parameters (name, label, kind of field, example). :mod:`mdpc_utils.recette` computes them."""

from __future__ import annotations

# op → (French label, [(parameter, label, kind, placeholder)]) ; kind: texte, table, mode, ordre, rangement
OPERATIONS = {
    "calculer": ("Calculer une colonne", [("colonne", "Nom de la colonne", "texte", "ex. score"),
                                          ("formule", "Formule", "texte", "ex. impact * probabilite")]),
    "iterer": ("Calculer une colonne par calcul itératif", [
        ("colonne", "Nom de la colonne", "texte", "ex. debut"),
        ("depart", "Valeur de départ (formule)", "texte", "ex. 0"),
        ("formule", "Formule, recalculée jusqu'à ce que la colonne ne change plus", "texte",
         "ex. max_liste(debut + duree, id, predecesseurs, 0)")]),
    "filtrer": ("Filtrer les lignes", [("condition", "Garder les lignes où", "texte", "ex. part_pct >= 10")]),
    "regrouper": ("Regrouper", [("par", "Regrouper par (colonnes séparées par des virgules)", "texte", "ex. departement"),
                                ("calculs", "Calculs par groupe (nom = formule ; …)", "texte",
                                 "ex. total = somme(ventes) ; clients = nombre(client)")]),
    "totaliser": ("Calculer une ligne de totaux", [("calculs", "Totaux de la table (nom = formule ; …)", "texte",
                                                    "ex. ca = somme(montant) ; commandes = nombre(id)")]),
    "joindre": ("Joindre une autre table", [("table", "Table à joindre", "table", ""),
                                           ("cles", "Colonnes communes (séparées par des virgules)", "texte", "ex. secteur, taille"),
                                           ("mode", "Lignes gardées", "mode", "")]),
    "resumer": ("Ajouter les totaux d'une autre table (comme SOMME.SI.ENS)", [
        ("table", "Autre table", "table", ""),
        ("cles", "Colonnes communes (séparées par des virgules ; vide : toute l'autre table)", "texte", "ex. commercial"),
        ("calculs", "Calculs sur les lignes correspondantes de l'autre table (nom = formule ; …)", "texte",
         "ex. objectif = somme(objectif_ca)")]),
    "trier": ("Trier", [("cles", "Trier par (formules séparées par des virgules)", "texte", "ex. score"),
                        ("ordre", "Ordre", "ordre", "")]),
    "colonnes": ("Garder des colonnes", [("colonnes", "Colonnes gardées, dans l'ordre (séparées par des virgules)", "texte", "")]),
    "renommer": ("Renommer des colonnes", [("noms", "Nouveaux noms (ancien = nouveau ; …)", "texte", "ex. ca = chiffre_affaires")]),
    "index": ("Mettre une colonne en index", [("colonnes", "Colonne(s) de l'index", "texte", "ex. departement")]),
    "sans_index": ("Remettre l'index en colonne", []),
    "premieres": ("Garder les premières lignes", [("nombre", "Nombre de lignes", "texte", "ex. 5")]),
    "croiser": ("Tableau croisé", [("lignes", "En lignes (colonne)", "texte", "ex. zone"),
                                  ("colonnes", "En colonnes (colonne)", "texte", "ex. secteur"),
                                  ("valeur", "Valeur de chaque case (formule par groupe)", "texte", "ex. somme(marche_eur)"),
                                  ("rangement", "Ordre des lignes et des colonnes", "rangement", "")]),
    "transposer": ("Transposer (lignes ↔ colonnes)", []),
    "depivoter": ("Dépivoter (colonnes → lignes)", [
        ("garder", "Colonnes gardées telles quelles (séparées par des virgules)", "texte", "ex. mois"),
        ("noms", "Nom de la colonne qui recevra les noms des autres colonnes", "texte", "ex. mesure"),
        ("valeurs", "Nom de la colonne qui recevra leurs valeurs", "texte", "ex. valeur")]),
    "colonne_seule": ("Ne garder qu'une colonne (série)", [("colonne", "Colonne", "texte", "")]),
    "valeur": ("Calculer une valeur unique", [("formule", "Formule", "texte", "ex. somme(part_pct ** 2)")]),
    "rechercher": ("Chercher une valeur dans une autre table (comme RECHERCHEV)", [
        ("table", "Table où chercher (dans sa première colonne)", "table", ""),
        ("cle", "Valeur cherchée (formule sur la table en cours)", "texte", "ex. segment"),
        ("colonne", "Nom de la nouvelle colonne", "texte", "ex. clients_cible"),
        ("numero", "Numéro de la colonne renvoyée (2 si vide)", "texte", "2")]),
    "dedoublonner": ("Supprimer les doublons (garder la première ligne)", [
        ("colonnes", "Colonnes qui repèrent un doublon (séparées par des virgules)", "texte", "ex. email")]),
    "fiche": ("Calculer plusieurs valeurs (une fiche : nom → valeur)", [
        ("calculs", "Valeurs (nom = formule ; …), chacune peut reprendre les précédentes", "texte",
         "ex. total = somme(ventes) ; part = total / 1000")]),
    "liste": ("Calculer plusieurs valeurs (une liste, dans l'ordre)", [
        ("calculs", "Valeurs (nom = formule ; …), chacune peut reprendre les précédentes", "texte",
         "ex. total = somme(ventes) ; moyenne = moyenne(ventes)")]),
}
MODES = [("lignes présentes dans les deux tables", "inner"), ("toutes les lignes de la table en cours", "left")]
ORDERS = [("décroissant", "decroissant"), ("croissant", "croissant")]
ARRANGEMENTS = [("alphabétique (ou croissant)", "alphabetique"), ("ordre d'apparition dans la table", "apparition")]
