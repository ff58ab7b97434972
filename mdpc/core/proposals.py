"""What an automatic proposal rests on, said to the grader (rating form) and to the candidate (report).

A proposal is the level the autograded tests of a criterion give (their share of points, ``grilles/echelle.yaml``),
within the criterion's cap: it rests only on what those tests verify — computations, form answers, the presence
of a written text — never on the quality of a reasoning nor on an oral. These functions read any object with the
fields of :class:`~mdpc.core.decisions.CriterionResult` or :class:`~mdpc.core.record.CriterionRecord`
(``auto_share``, ``proposed``, ``tests``, ``share_level``, ``proposal_cap``, ``cap_reasons``) and return plain
French text: escape it (:mod:`mdpc.core.safe_text`) before showing it.
"""

from __future__ import annotations

from collections.abc import Mapping

from mdpc.core.grids import CAP_BEYOND, CAP_JUDGEMENT, CAP_ORAL

BASIS = ("Cette proposition ne repose que sur les calculs et les réponses que ces tests vérifient : elle ne juge "
         "ni la qualité d'un texte rédigé ni une prestation orale.")


def number(value: float) -> str:
    """A number of points as the French write it (2, 1,5)."""
    return f"{value:g}".replace(".", ",")


def _label(labels: Mapping, level: int) -> str:
    return str(labels.get(level, labels.get(str(level), "")))


def _points(earned: float, maximum: float) -> str:
    return f"{number(earned)} / {number(maximum)} point{'s' if maximum >= 2 else ''}"


def headline(item, labels: Mapping) -> str:
    """« Tests autocorrigés : 4 / 5 points (80 %) — niveau proposé : 2 (Acquis). »"""
    share = f"{100 * item.auto_share:.0f} %"
    tests = list(item.tests or [])
    if tests:
        earned, maximum = sum(t.points for t in tests), sum(t.maximum for t in tests)
        share = f"{_points(earned, maximum)} ({share})"
    else:
        share += " des points"
    return f"Tests autocorrigés : {share} — niveau proposé : {item.proposed} ({_label(labels, item.proposed)})."


def test_lines(item, with_checks: bool = False) -> list[str]:
    """One line per test the proposal rests on: its name, its points and, with `with_checks`, what it checks."""
    return [f"{t.name} : {_points(t.points, t.maximum)}" + (f" — {t.checks}" if with_checks and t.checks else "")
            for t in item.tests or []]


def _reason(rule: str, cap: int, labels: Mapping) -> str:
    above = cap + 1
    if rule == CAP_JUDGEMENT:
        return (f"critère de jugement, dont le niveau {above} « {_label(labels, above)} » demande la lecture du "
                "correcteur (pertinence, analyse, argument, posture), que des calculs et des réponses justes ne "
                "prouvent pas")
    if rule == CAP_ORAL:
        return (f"compétence évaluée à l'oral, dont la grille décrit la prestation orale à partir du niveau {above} ; "
                "les tests, qui ne lisent que le support écrit, ne la voient pas")
    if rule == CAP_BEYOND:
        return (f"le niveau {above} « {_label(labels, above)} » nomme ce qui va au-delà de l'acquis ; aucun test ne le "
                "montre, seul le correcteur le reconnaît")
    return rule


def ceiling(item, labels: Mapping) -> str:
    """Why the proposal stops where it does, when it has reached its cap (else an empty string)."""
    cap, proposed = item.proposal_cap, item.proposed
    if cap is None or proposed is None or proposed < cap:
        return ""
    reasons = " ; ".join(_reason(r, cap, labels) for r in item.cap_reasons or ())
    if item.share_level is not None and item.share_level > cap:
        head = f"Plafonnée à {cap} (la part des points seule donnerait {item.share_level})"
    else:
        head = f"Jamais au-dessus de {cap} pour ce critère"
    return f"{head} : {reasons}." if reasons else f"{head}."


def summary(item, labels: Mapping) -> str:
    """The whole account in one paragraph: level, tests and points, what it rests on, its cap."""
    tests = test_lines(item)
    parts = [headline(item, labels)]
    if tests:
        parts.append(f"Tests : {' ; '.join(tests)}.")
    parts.append(BASIS)
    if cap := ceiling(item, labels):
        parts.append(cap)
    return " ".join(parts)
