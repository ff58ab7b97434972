"""The keyboard of the rubric entry form: one field, « Clavier », that takes short commands.

Keyboard shortcuts bound to keys (Alt+digit, Ctrl+.) do not work alike on French AZERTY and QWERTY keyboards
(nbgrader #1901): AZERTY types a digit only with Maj, and JupyterLab keeps many combinations for itself.
The form reads *characters* typed into a text field instead, so every command is a key that types the same
character on both layouts, and the digits' row also works without Maj on AZERTY (``à & é "`` for 0 1 2 3).
A line of commands is run when the grader presses Entrée, left to right (``2e`` sets level 2 then saves):

========  ==========================================================================
touche    effet
========  ==========================================================================
0 1 2 3   niveau du critère courant (sur AZERTY sans Maj : à & é ")
t         commentaire type du niveau choisi (descripteur de la grille), à modifier
e         enregistrer le niveau et le commentaire du critère courant
s         critère suivant à noter (le prochain que vous n'avez pas encore noté)
c         copie suivante, même critère (noter un critère copie après copie)
p         copie précédente, même critère
========  ==========================================================================

Any other character is refused with a French message; the field keeps the focus (ipywidgets 8 ``focus()``).
The grader reaches the field with Tab from the notebook cell (the focus asked for at display time can come
before the field is drawn).
"""

from __future__ import annotations

import ipywidgets as w

from mdpc.core.safe_text import html_text

LEVEL_KEYS = {"0": 0, "1": 1, "2": 2, "3": 3, "à": 0, "&": 1, "é": 2, '"': 3}
HELP = ("Clavier : 0 à 3 niveau (AZERTY sans Maj : à & é \"), t commentaire type, e enregistrer, "
        "s critère suivant à noter, c copie suivante, p copie précédente — puis Entrée")


class KeyField:
    def __init__(self, entry):
        self.entry = entry
        self.text = w.Text(description="Clavier", placeholder="ex. 2e puis Entrée", continuous_update=False,
                           style={"description_width": "initial"}, layout=w.Layout(width="18em"))
        self.text.add_class("mdpc-clavier")
        self.where = w.HTML()
        self.message = w.HTML()
        self.message.add_class("mdpc-clavier-message")
        self.help = w.HTML(f"<small>{html_text(HELP)}</small>")
        self.text.observe(lambda ch: self.run(ch["new"]), names="value")
        self.box = w.VBox([w.HBox([self.text, self.where, self.message]), self.help])

    def run(self, line: str) -> None:
        if not line:
            return
        said = []
        for char in line.strip():
            said.append(self.command(char.lower() if char not in LEVEL_KEYS else char))
        self.message.value = html_text(" ; ".join(s for s in said if s))
        self.text.value = ""
        self.show()
        self.focus()

    def command(self, char: str) -> str:
        entry = self.entry
        panel = entry.current_panel()
        if char in LEVEL_KEYS:
            if panel is None or panel.level.disabled:
                return "✘ aucun critère à noter ici"
            panel.level.value = LEVEL_KEYS[char]
            return f"niveau {LEVEL_KEYS[char]}"
        if char == "t":
            if panel is None or panel.level.value is None:
                return "✘ choisissez d'abord un niveau"
            panel.use_preset(panel.level.value)
            return "commentaire type écrit"
        if char == "e":
            if panel is None:
                return "✘ aucun critère"
            ok = panel.save()
            return "✔ enregistré" if ok else "✘ non enregistré (voir le critère)"
        if char == "s":
            return entry.next_to_rate()
        if char in "cp":
            return entry.step_candidate(1 if char == "c" else -1)
        if char.isspace():
            return ""
        return f"✘ touche inconnue « {char} »"

    def show(self) -> None:
        key = self.entry.current
        self.where.value = f"critère courant : <b>{html_text(key[0])}, critère {key[1]}</b>" if key else ""

    def focus(self) -> None:
        try:
            self.text.focus()
        except AttributeError:  # ipywidgets < 8
            pass
