"""French text of formgrader's scripts: (english, french) pairs per nbgrader JavaScript file.

Data for :mod:`mdpc.grading.formgrader_french`. The english side is a string literal of the pinned nbgrader's
``static/js/<file>``, with its quotes, sometimes with the code around it when the same literal is also an
identifier (``"flagged"`` is a model key and a search term) or when a message's words must be reordered around
a name; identifiers are never changed. ``tests/test_formgrader_fr.py`` fails when one is no longer found.
"""

from __future__ import annotations

SAVE_CANCEL = [('"Save"', '"Enregistrer"'), ('"Cancel"', '"Annuler"'), ('"Saving..."', '"Enregistrement…"'),
               ('"None"', '"—"')]
RESULT = [('"Success"', '"Terminé"'), ('"Error"', '"Erreur"'), ('"Please wait..."', '"Veuillez patienter…"')]
NEEDS_GRADE = ('"data-search", "needs manual grade"', '"data-search", "correction manuelle à faire"')
TESTS_FAILED = ('"data-search", "tests failed"', '"data-search", "tests échoués"')
FLAGGED = ('"data-search", "flagged"', '"data-search", "signalée"')
NAME = 'this.model.get("name")'


def _named(english: str, french: str, end: str = ".", fr_end: str = ".") -> tuple[str, str]:
    """A message about an assignment, its name between quotes (manage_assignments.js):
    ``"<english>'" + name + "'<end>"`` becomes ``"<french>« " + name + " »<fr_end>"``."""
    return f'"{english}\'" + {NAME} + "\'{end}"', f'"{french}« " + {NAME} + " »{fr_end}"'


def _failed(english: str, french: str) -> list[tuple[str, str]]:
    """The two error messages of an action: with nbgrader's log (``':``), and when the request failed (``'.``)."""
    return [_named(f"There was an error {english}", french, ":", " :"), _named(f"There was an error {english}", french)]


def _for_candidate(english: str, french: str, end: str = ".", fr_end: str = ".") -> tuple[str, str]:
    """A message about one candidate's submission (manage_submissions.js), naming the assignment and the
    candidate."""
    return (f'"{english}\'" + assignment + "\' for student \'" + student + "\'{end}"',
            f'"{french} « " + assignment + " », candidat « " + student + " »{fr_end}"')


SCRIPTS: dict[str, list[tuple[str, str]]] = {
    "utils.js": [('.attr("aria-label", "Close")', '.attr("aria-label", "Fermer")'),
                 ('.text("Log Output")', '.text("Journal de la commande")'),
                 ('.text("Traceback")', '.text("Trace de l\'erreur (Python)")')],
    "formgrade_keyboardmanager.js": [
        ('.attr("aria-label", "Close")', '.attr("aria-label", "Fermer")'),
        ('.text("Keyboard shortcuts")', '.text("Raccourcis clavier")'),
        ('.text("Close")', '.text("Fermer")'),
    ],
    "formgrade.js": [
        ('"Move to the next score or comment input"', '"Aller à la note ou au commentaire suivant"'),
        ('"Move to the previous score or comment input"', '"Aller à la note ou au commentaire précédent"'),
        ('"Defocus and save the current score or comment input"',
         '"Quitter la note ou le commentaire en cours et l\'enregistrer"'),
        ('"Refocus the most recent score or comment input"', '"Revenir à la dernière note ou au dernier commentaire"'),
        ('"Move to the same score or comment input of the next submission"',
         '"Copie suivante, même note ou même commentaire"'),
        ('"Move to the same score or comment input of the next submission with failed tests"',
         '"Copie suivante dont des tests ont échoué, même note ou même commentaire"'),
        ('"Move to the same score or comment input of the previous submission"',
         '"Copie précédente, même note ou même commentaire"'),
        ('"Move to the same score or comment input of the previous submission with failed tests"',
         '"Copie précédente dont des tests ont échoué, même note ou même commentaire"'),
        ('"Flag the submission"', '"Signaler la copie (ou retirer le signalement)"'),
        ('"Submission flagged"', '"Copie signalée"'),
        ('"Submission unflagged"', '"Signalement retiré"'),
    ],
    "formgrade_models.js": [
        ('"Type any comments here (supports Markdown and MathJax)"',
         '"Votre commentaire (Markdown et formules MathJax acceptés)"'),
    ],
    "gradebook_assignments.js": [('"None"', '"—"')],
    "gradebook_notebooks.js": [NEEDS_GRADE],
    "gradebook_notebook_submissions.js": [
        ('.text("Submission #" +', '.text("Copie n° " +'),
        NEEDS_GRADE, TESTS_FAILED, FLAGGED,
        ('{title: "Show student name"}', '{title: "Afficher le nom du candidat"}'),
        ('{title: "Hide student name"}', '{title: "Masquer le nom du candidat"}'),
        ('"Show All Names"', '"Afficher tous les noms"'),  # also compared with the button's text: same French
        ('"Hide All Names"', '"Masquer tous les noms"'),
    ],
    "manage_assignments.js": [
        ('.text("Name")', '.text("Nom")'),
        ('.text("Due date (optional)")', '.text("Date limite (facultative)")'),
        ('.text("Timezone as UTC offset (optional)")', '.text("Fuseau horaire : décalage par rapport à UTC, '
                                                       'par exemple +01:00 (facultatif)")'),
        *SAVE_CANCEL,
        ('"Editing " + this.model.get("name")', '"Modifier le devoir « " + this.model.get("name") + " »"'),
        ('.text("draft")', '.text("brouillon")'),
        ('.text("released")', '.text("diffusé")'),
        *RESULT,
        _named("Successfully created the student version of ", "Version candidat créée pour ", ":", " :"),
        *_failed("creating the student version of ", "Erreur pendant la création de la version candidat de "),
        _named("Successfully unreleased ", "Diffusion retirée pour "),
        *_failed("unreleasing ", "Erreur pendant le retrait de la diffusion de "),
        _named("Successfully released ", "Devoir diffusé : "),
        *_failed("releasing ", "Erreur pendant la diffusion de "),
        _named("Successfully collected submissions of ", "Copies relevées pour "),
        _named("There was an error collecting ", "Erreur pendant le relevé des copies de ", ":", " :"),
        _named("There was an error collecting submissions of ", "Erreur pendant le relevé des copies de "),
        _named("Successfully generated feedback of ", "Retours générés pour "),
        *_failed("generating feedback of ", "Erreur pendant la génération des retours de "),
        _named("Successfully released feedback of ", "Retours diffusés pour "),
        *_failed("releasing feedback of ", "Erreur pendant la diffusion des retours de "),
        ('"Assignment names may not include the \'+\' character."',
         '"Le nom d\'un devoir ne peut pas contenir le caractère « + »."'),
        ('"Add New Assignment"', '"Nouveau devoir"'),
    ],
    "manage_students.js": [
        ('.text("Student ID")', '.text("Identifiant")'),
        ('.text("First name (optional)")', '.text("Prénom (facultatif)")'),
        ('.text("Last name (optional)")', '.text("Nom (facultatif)")'),
        ('.text("Email (optional)")', '.text("Courriel (facultatif)")'),
        *SAVE_CANCEL,
        ('"Editing " + this.model.get("id")', '"Modifier le candidat « " + this.model.get("id") + " »"'),
        ('"Add New Student"', '"Nouveau candidat"'),
    ],
    "manage_students_assignments.js": [
        ('name + " (no submission)"', 'name + " (pas de copie)"'),
        ('name + " (not autograded)"', 'name + " (pas encore autocorrigée)"'),
        NEEDS_GRADE,
    ],
    "manage_students_notebook_submissions.js": [
        ('name + " (file missing)"', 'name + " (fichier absent)"'), NEEDS_GRADE, TESTS_FAILED, FLAGGED,
    ],
    "manage_submissions.js": [
        ('"None"', '"—"'),
        ('.text("needs autograding")', '.text("autocorrection à faire")'),
        ('.text("needs manual grading")', '.text("correction manuelle à faire")'),
        ('.text("graded")', '.text("corrigée")'),
        *RESULT,
        _for_candidate("Successfully autograded ", "Autocorrection faite : devoir"),
        _for_candidate("There was an error autograding ", "Erreur pendant l'autocorrection : devoir", ":", " :"),
        _for_candidate("There was an error autograding ", "Erreur pendant l'autocorrection : devoir"),
        _for_candidate("Successfully generated feedback for ", "Retours générés : devoir"),
        _for_candidate("There was an error generating feedback for ", "Erreur pendant la génération des retours : "
                       "devoir", ":", " :"),
        _for_candidate("There was an error generating feedback for ", "Erreur pendant la génération des retours : "
                       "devoir"),
        _for_candidate("Successfully released feedback for ", "Retours diffusés : devoir"),
        _for_candidate("There was an error releasing feedback for ", "Erreur pendant la diffusion des retours : "
                       "devoir", ":", " :"),
        _for_candidate("There was an error releasing feedback for ", "Erreur pendant la diffusion des retours : "
                       "devoir"),
    ],
}
