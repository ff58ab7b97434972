"""French text of formgrader's page templates: (english, french) pairs per nbgrader template file.

Data for :mod:`mdpc.grading.formgrader_french`. Each english text is copied exactly from the template of the
pinned nbgrader (``nbgrader/server_extensions/formgrader/templates/``) and replaced wherever it occurs in that
file; ``tests/test_formgrader_fr.py`` fails when one is no longer found (an nbgrader upgrade changed it).
Vocabulary (README): assignment « devoir », submission « copie », student « candidat », score « note » or
« points », autograde « autocorrection », feedback « retours », release « diffuser », collect « relever ».
"""

from __future__ import annotations

# Every page: nbgrader's script folder served translated by our route (formgrader_french.SCRIPT_ROUTE)
SCRIPTS = ('{{ base_url }}/formgrader/static/js/', '{{ base_url }}/mdpc/formgrader/js/')
GRADING_SCRIPTS = ('{{ resources.base_url }}/formgrader/static/js/', '{{ resources.base_url }}/mdpc/formgrader/js/')
SIDEBAR = [
    (">Manage Assignments</a>", ">Gérer les devoirs</a>"),
    (">Manual Grading</a>", ">Correction manuelle</a>"),
    (">Manage Students</a>", ">Gérer les candidats</a>"),
]
LOADING = ("Loading, please wait...", "Chargement, veuillez patienter…")
SCORES = [
    ("<th class=\"text-center\">Overall Score</th>", "<th class=\"text-center\">Points des tests</th>"),
    ("<th class=\"text-center\">Code Score</th>", "<th class=\"text-center\">Points du code</th>"),
    ("<th class=\"text-center\">Written Score</th>", "<th class=\"text-center\">Points des réponses écrites</th>"),
    ("<th class=\"text-center\">Task Score</th>", "<th class=\"text-center\">Critères (niveaux hors total)</th>"),
]
INSTRUCTIONS = ("Instructions (click to expand)", "Mode d'emploi (cliquer pour déplier)")

# DataTables' own texts (search box, empty table, counts, pagination), in French; not its `decimal`: DataTables would
# then read nbgrader's sort keys (data-order="0.25") without their point, and sort 0.25 after 0.5 and 1
DATATABLES_FRENCH = """<script>
  $.extend(true, $.fn.dataTable.defaults, {language: {
    search: "Rechercher :", lengthMenu: "Afficher _MENU_ lignes", info: "Lignes _START_ à _END_ sur _TOTAL_",
    infoEmpty: "Aucune ligne", infoFiltered: "(filtrées parmi _MAX_)", loadingRecords: "Chargement…",
    processing: "Traitement…", zeroRecords: "Aucune ligne ne correspond à la recherche",
    emptyTable: "Aucune donnée dans ce tableau", thousands: "\\u202f",
    paginate: {first: "Première", previous: "Précédente", next: "Suivante", last: "Dernière"},
    aria: {sortAscending: " : trier par ordre croissant", sortDescending: " : trier par ordre décroissant"}
  }});
  </script>"""

TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "base.tpl": [
        ("<!doctype html>\n<head>", "<!doctype html>\n<html lang=\"fr\">\n<head>"),
        ("<title>nbgrader formgrade</title>", "<title>formgrader — correction des devoirs</title>"),
        ("/datatables.net-bs/js/dataTables.bootstrap.js\"></script>",
         "/datatables.net-bs/js/dataTables.bootstrap.js\"></script>\n  " + DATATABLES_FRENCH),
        (">Manage Assignments</a>", ">Gérer les devoirs</a>"),
        (">Gradebook</a>", ">Carnet de notes</a>"),
        (">Manage Students</a>", ">Gérer les candidats</a>"),
        ("</body>", "</body>\n</html>"),
    ],
    "base_403.tpl": [
        ("Not Authorized", "Accès refusé"),
        ("Sorry, you are not authorized to access the formgrader.",
         "Désolé, vous n'êtes pas autorisé à ouvrir formgrader."),
    ],
    "base_500.tpl": [
        ("\nError\n", "\nErreur\n"),
        ("Sorry, the formgrader encountered an error. Please contact the administrator of\nthe formgrader for further "
         "assistance.", "Désolé, formgrader a rencontré une erreur. Adressez-vous à la personne qui administre\n"
                        "formgrader pour obtenir de l'aide."),
    ],
    "formgrade_404.tpl": [
        # nbgrader imports a macros file that is not in its template folder: our loader serves the grading page's
        ("{% from 'formgrade_macros.tpl' import", "{% from 'formgrade/formgrade_macros.html.j2' import"),
        ("<html>", "<html lang=\"fr\">"),
        ("Submission {{ resources.index + 1 }} / {{ resources.total }}",
         "Copie {{ resources.index + 1 }} / {{ resources.total }}"),
        # without the file's path: it names the candidate (autograded/<id>/), even when grading is anonymous
        ("Error: Submission notebook file not found: {{ resources.filename }}",
         "Le carnet corrigé de cette copie est introuvable : relancez l'autocorrection de ce devoir."),
    ],
    "gradebook_base.tpl": [("\nManual Grading\n", "\nCorrection manuelle\n"), *SIDEBAR],
    "gradebook_assignments.tpl": [
        ("<li class=\"active\">Manual Grading</li>", "<li class=\"active\">Correction manuelle</li>"),
        ("<th>Assignment ID</th>", "<th>Devoir</th>"),
        ("<th class=\"text-center\">Due Date</th>", "<th class=\"text-center\">Date limite</th>"),
        ("<th class=\"text-center\">Submissions</th>", "<th class=\"text-center\">Copies</th>"),
        ("<th class=\"text-center\">Score</th>", "<th class=\"text-center\">Points des tests (moyenne)</th>"),
        LOADING,
    ],
    "gradebook_notebooks.tpl": [
        ("/gradebook\">Manual Grading</a>", "/gradebook\">Correction manuelle</a>"),
        ("<th>Notebook ID</th>", "<th>Carnet</th>"),
        ("<th class=\"text-center\">Avg. Score</th>", "<th class=\"text-center\">Points des tests (moyenne)</th>"),
        ("<th class=\"text-center\">Avg. Code Score</th>", "<th class=\"text-center\">Moyenne du code</th>"),
        ("<th class=\"text-center\">Avg. Written Score</th>",
         "<th class=\"text-center\">Moyenne des réponses écrites</th>"),
        ("<th class=\"text-center\">Avg. Task Score</th>", "<th class=\"text-center\">Critères (niveaux hors total)</th>"),
        ("<th class=\"text-center\">Needs Manual Grade?</th>",
         "<th class=\"text-center\">Correction manuelle à faire&nbsp;?</th>"),
        LOADING,
    ],
    "gradebook_notebook_submissions.tpl": [
        ("/gradebook\">Manual Grading</a>", "/gradebook\">Correction manuelle</a>"),
        ("onclick=\"toggleAllNames()\">Show All Names</button>",
         "onclick=\"toggleAllNames()\">Afficher tous les noms</button>"),
        ("<th>Submission ID</th>", "<th>Copie</th>"),
        *SCORES,
        ("<th class=\"text-center\">Needs Manual Grade?</th>",
         "<th class=\"text-center\">Correction manuelle à faire&nbsp;?</th>"),
        ("<th class=\"text-center\">Tests Failed?</th>", "<th class=\"text-center\">Tests échoués&nbsp;?</th>"),
        ("<th class=\"text-center\">Flagged?</th>", "<th class=\"text-center\">Signalée&nbsp;?</th>"),
        LOADING,
    ],
    "manage_assignments.tpl": [
        ("\nManage Assignments\n", "\nGérer les devoirs\n"),
        *SIDEBAR,
        ("<li class=\"active\">Assignments</li>", "<li class=\"active\">Devoirs</li>"),
        INSTRUCTIONS,
        ("To <b>create</b> an assignment, click the \"Add new assignment...\" button below.",
         "Pour <b>créer</b> un devoir, cliquez sur « Ajouter un devoir… » sous le tableau."),
        ("To <b>edit assignment files</b>, click on the name of an assignment.",
         "Pour <b>modifier les fichiers d'un devoir</b>, cliquez sur son nom."),
        ("To <b>edit the assignment metadata</b>, click on the edit button.",
         "Pour <b>modifier la date limite d'un devoir</b>, cliquez sur l'icône de la colonne « Modifier »."),
        ("To <b>generate</b> the student version of an assignment, click on the generate button.",
         "Pour <b>générer</b> la version candidat d'un devoir, cliquez sur l'icône de la colonne « Générer »."),
        ("To <b>preview</b> the student version of an assignment, click on the preview button.",
         "Pour <b>voir</b> la version candidat d'un devoir, cliquez sur l'icône de la colonne « Aperçu »."),
        ("<i>(JupyterHub only)</i> To <b>release</b> the assignment to students, click the release button.\n"
         "          You can \"unrelease\" an assignment by clicking again, though note some students may have\n"
         "          already accessed the assignment. <b>Note</b> that for the release button to become\n"
         "          available, the <code>course_id</code> option must be set in <code>nbgrader_config.py</code>.\n"
         "          For details, see <a href=\"http://nbgrader.readthedocs.io/en/stable/configuration/config_options"
         ".html\">the documentation</a>.",
         "<i>(JupyterHub seulement)</i> Pour <b>diffuser</b> le devoir aux candidats, cliquez sur l'icône de la\n"
         "          colonne « Diffuser ». Un second clic retire la diffusion, mais des candidats ont pu déjà\n"
         "          recevoir le devoir. <b>Attention</b> : l'icône n'apparaît que si l'option\n"
         "          <code>course_id</code> est définie dans <code>nbgrader_config.py</code>.\n"
         "          Voir <a href=\"http://nbgrader.readthedocs.io/en/stable/configuration/config_options.html\">la "
         "documentation de nbgrader</a> (en anglais)."),
        ("<i>(JupyterHub only)</i> To <b>collect</b> assignments, click the collect button.",
         "<i>(JupyterHub seulement)</i> Pour <b>relever</b> les copies, cliquez sur l'icône de la colonne "
         "« Relever »."),
        ("To <b>autograde</b> submissions, click on the number of collected submissions. You must run\n"
         "          the autograder on the submissions before you can manually grade them.",
         "Les copies relevées d'un devoir s'ouvrent en cliquant sur leur nombre. Une copie passe par\n"
         "          l'<b>autocorrection</b> (<code>mdpc autograde</code>, en ligne de commande) avant la correction manuelle."),
        ("Current configuration (click to expand)", "Configuration en cours (cliquer pour déplier)"),
        ("Windows operating system detected. Please note that the \"release\" and \"collect\"\nfunctionality will "
         "not be available.", "Système Windows détecté : la diffusion et le relevé des copies ne sont\n"
                              "pas disponibles."),
        ("does not exist and could\nnot be created. The \"release\" and \"collect\" functionality will not be "
         "available.\nPlease see the documentation on",
         "n'existe pas et n'a pas\npu être créé : la diffusion et le relevé des copies ne sont pas disponibles.\n"
         "Voir la documentation de nbgrader (en anglais),"),
        ("The course id has not been set in <code>nbgrader_config.py</code>. The \"release\"\nand \"collect\" "
         "functionality will not be available. Please see the documentation on",
         "L'identifiant du cours n'est pas défini dans <code>nbgrader_config.py</code> : la diffusion\net le "
         "relevé des copies ne sont pas disponibles. Voir la documentation de nbgrader (en anglais),"),
        ("The exchange directory at", "Le dossier d'échange"),
        ("managing_assignment_files.html#setting-up-the-exchange\">Setting Up The Exchange</a>\nfor instructions.",
         "managing_assignment_files.html#setting-up-the-exchange\">Setting Up The Exchange</a>."),
        ("<th>Name</th>", "<th>Nom</th>"),
        ("<th class=\"text-center\">Due Date</th>", "<th class=\"text-center\">Date limite</th>"),
        ("<th class=\"text-center\">Status</th>", "<th class=\"text-center\">État</th>"),
        ("<th class=\"text-center no-sort\">Edit</th>", "<th class=\"text-center no-sort\">Modifier</th>"),
        ("<th class=\"text-center no-sort\">Generate</th>", "<th class=\"text-center no-sort\">Générer</th>"),
        ("<th class=\"text-center no-sort\">Preview</th>", "<th class=\"text-center no-sort\">Aperçu</th>"),
        ("<th class=\"text-center no-sort\">Release</th>", "<th class=\"text-center no-sort\">Diffuser</th>"),
        ("<th class=\"text-center no-sort\">Collect</th>", "<th class=\"text-center no-sort\">Relever</th>"),
        ("<th class=\"text-center\"># Submissions</th>", "<th class=\"text-center\">Copies</th>"),
        ("<th class=\"text-center no-sort\">Generate Feedback</th>",
         "<th class=\"text-center no-sort\">Générer les retours</th>"),
        ("<th class=\"text-center no-sort\">Release Feedback</th>",
         "<th class=\"text-center no-sort\">Diffuser les retours</th>"),
        LOADING,
        ("Add new assignment...", "Ajouter un devoir…"),
    ],
    "manage_students_base.tpl": [("\nManage Students\n", "\nGérer les candidats\n"), *SIDEBAR],
    "manage_students.tpl": [
        ("<li class=\"active\">Students</li>", "<li class=\"active\">Candidats</li>"),
        ("<th>Name</th>", "<th>Nom</th>"),
        ("<th class=\"text-center\">Student ID</th>", "<th class=\"text-center\">Identifiant</th>"),
        ("<th class=\"text-center\">Email</th>", "<th class=\"text-center\">Courriel</th>"),
        ("<th class=\"text-center\">Overall Score</th>", "<th class=\"text-center\">Points des tests</th>"),
        ("<th class=\"text-center no-sort\">Edit Student</th>", "<th class=\"text-center no-sort\">Modifier</th>"),
        LOADING,
        ("Add new student...", "Ajouter un candidat…"),
    ],
    "manage_students_assignments.tpl": [
        ("/manage_students\">Students</a>", "/manage_students\">Candidats</a>"),
        ("<th>Assignment ID</th>", "<th>Devoir</th>"),
        *SCORES,
        ("<th class=\"text-center\">Needs Manual Grade?</th>",
         "<th class=\"text-center\">Correction manuelle à faire&nbsp;?</th>"),
        LOADING,
    ],
    "manage_students_notebook_submissions.tpl": [
        ("/manage_students\">Students</a>", "/manage_students\">Candidats</a>"),
        ("<th>Notebook ID</th>", "<th>Carnet</th>"),
        *SCORES,
        ("<th class=\"text-center\">Needs manual grade?</th>",
         "<th class=\"text-center\">Correction manuelle à faire&nbsp;?</th>"),
        ("<th class=\"text-center\">Tests failed?</th>", "<th class=\"text-center\">Tests échoués&nbsp;?</th>"),
        ("<th class=\"text-center\">Flagged?</th>", "<th class=\"text-center\">Signalée&nbsp;?</th>"),
        LOADING,
    ],
    "manage_submissions.tpl": [
        ("\nManage Submissions\n", "\nCopies d'un devoir\n"),
        *SIDEBAR,
        ("/manage_assignments\">Assignments</a>", "/manage_assignments\">Devoirs</a>"),
        INSTRUCTIONS,
        ("<b>Note:</b> Here you can autograde individual students' submissions by\n"
         "          clicking on the autograde icons below. If you want to autograde\n"
         "          all submissions at once, you will need to do this via the\n"
         "          <a target=\"_blank\" href=\"{{ base_url }}/terminals/1\">command line</a>:",
         # formgrader's Autograde icon is refused (mdpc.grading.formgrader_guard): it would run the copy outside
         # the sandbox; the terminal link is kept for the course's account (the others get 403)
         "<b>Remarque :</b> l'autocorrection ne se lance pas depuis cette page (l'icône de la colonne\n"
         "          « Autocorrection » répond par un message) : elle exécute le code des candidats, ce que seule la\n"
         "          commande du projet fait, chaque copie dans son bac à sable, en root, en\n"
         "          <a target=\"_blank\" href=\"{{ base_url }}/terminals/1\">ligne de commande</a> :"),
        ("nbgrader autograde \"{{ assignment_id }}\"", "mdpc autograde --devoir \"{{ assignment_id }}\""),
        ("<th>Student Name</th>", "<th>Candidat</th>"),
        ("<th class=\"text-center\">Student ID</th>", "<th class=\"text-center\">Identifiant</th>"),
        ("<th class=\"text-center\">Timestamp</th>", "<th class=\"text-center\">Remise</th>"),
        ("<th class=\"text-center\">Status</th>", "<th class=\"text-center\">État</th>"),
        ("<th class=\"text-center\">Score</th>", "<th class=\"text-center\">Points des tests</th>"),
        ("<th class=\"text-center no-sort\">Autograde</th>", "<th class=\"text-center no-sort\">Autocorrection</th>"),
        ("<th class=\"text-center no-sort\">Generate Feedback</th>",
         "<th class=\"text-center no-sort\">Générer les retours</th>"),
        ("<th class=\"text-center no-sort\">Release Feedback</th>",
         "<th class=\"text-center no-sort\">Diffuser les retours</th>"),
        LOADING,
    ],
}

# The grading page: nbconvert templates of nbgrader's HTMLExporter (``templates/formgrade/``)
KEYS_SCRIPT = ('<script src="{{ resources.base_url }}/mdpc/formgrader/js/formgrade.js"></script>',
               '<script src="{{ resources.base_url }}/mdpc/formgrader/js/formgrade.js"></script>\n'
               '<script src="{{ resources.base_url }}/mdpc/formgrader/js/mdpc_clavier.js"></script>')
GRADING_TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "formgrade/index.html.j2": [
        ("<html>", "<html lang=\"fr\">"),
        ("Submission {{ resources.index + 1 }} / {{ resources.total }}",
         "Copie {{ resources.index + 1 }} / {{ resources.total }}"),
        ("<div class=\"help\">", "<div class=\"help\" role=\"button\" tabindex=\"-1\" title=\"Raccourcis clavier\" "
                                 "aria-label=\"Raccourcis clavier\">"),
        (">Resolve</button>", " title=\"La note affichée est la bonne : plus rien à corriger ici\">Confirmer</button>"),
        (">Full credit</button>", ">Tous les points</button>"),
        (">No credit</button>", ">Aucun point</button>"),
        ("type=\"number\" /> (extra credit)", "type=\"number\" /> (points bonus)"),
        ("<span class=\"nbgrader-label\">Student's task</span>", "<span class=\"nbgrader-label\">Tâche du candidat</span>"),
        ("<span class=\"nbgrader-label\">Student's answer</span>",
         "<span class=\"nbgrader-label\">Réponse du candidat</span>"),
    ],
    "formgrade/formgrade_macros.html.j2": [
        ("<title>{{ resources.notebook_id }}</title>", "<title>{{ resources.notebook_id }} — correction</title>"),
        GRADING_SCRIPTS,  # then KEYS_SCRIPT, once the script folder points to our route
        KEYS_SCRIPT,
        ("title=\"{{ resources.index }} remaining\"", "title=\"{{ resources.index }} copie(s) avant celle-ci\""),
        ("&larr; Prev", "&larr; Précédente"),
        (">Manual Grading</a>", ">Correction manuelle</a>"),
        # no "live notebook": it would open the candidate's code in a kernel, outside the sandbox; the page is the copy
        ("title=\"Open live notebook\"", "title=\"La copie entière est sur cette page, en lecture seule\""),
        ("data-link=\"{{ resources.notebook_path }}\"", ""),
        ("Submission #{{ resources.index + 1 }}", "Copie n° {{ resources.index + 1 }}"),
        ("title=\"{{ resources.total - (resources.index + 1) }} remaining\"",
         "title=\"{{ resources.total - (resources.index + 1) }} copie(s) après celle-ci\""),
        ("Next &rarr;", "Suivante &rarr;"),
        ("{title: \"Show student name\"", "{title: \"Afficher le nom du candidat\""),
        ("{title: \"Hide student name\"", "{title: \"Masquer le nom du candidat\""),
    ],
}
