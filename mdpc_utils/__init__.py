"""The candidate kit of the MDPC certification (« Manager développement et performance commerciale »).

What a case notebook imports, and nothing else: loading the case data (:mod:`.cases`), forms whose answers
survive autograding (:mod:`.forms`, :mod:`.answers`), deliverables (:mod:`.livrable`), charts with their
text alternatives, and checkers that say what is wrong with a candidate's plan against the rules a
statement gives (:mod:`.bloc2`, :mod:`.bloc3`, :mod:`.bloc4`). It holds no reference answer, no grading
code and no demo material, and imports nothing from the grading system (package ``mdpc``): a candidates'
environment installs it alone (README, « Environnement des candidats »).
"""

__version__ = "0.2.0"
