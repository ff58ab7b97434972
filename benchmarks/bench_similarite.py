"""Benchmark of the similarity check (issue 18, item 4): N synthetic candidates × 20 cases, against autograding.

A seeded generator writes a course folder: 20 assignments (« cas »), each with a released notebook (code
stubs), its answer key (``corrige/reponses_corrige.json`` and the source notebook's solution code) and, for each
candidate, a collected copy (``submitted/<candidat>/<cas>/``: ``reponses.json`` with six written answers of
30 to 80 words, a notebook with three solution code cells). Answers are varied wording over the same facts:
each sentence is drawn from several structures whose every slot has synonyms; a fifth of the candidates hand
in the key's text for some questions; a few planted pairs copy another candidate's answer with light edits
(words changed, sentences swapped).

It times (processor time of this process: the check runs in one process, and on a shared machine the
elapsed time mostly measures the other jobs; the elapsed time is printed too) the whole check as ``mdpc rapports`` runs it (:func:`mdpc.grading.similarity_sources.cohort_sources`,
each copy read through ``nofollow.copy_tree``, then :func:`mdpc.core.similarity.find_similar`), its peak memory
(tracemalloc, second run), and compares it to the session's autograde time, **measured in the same run**:
``mdpc autograde`` of a few real demo copies of ``B4_pilotage_performance`` (three cases each; the sandbox if
this machine has it), time per case × 20 cases × N candidates. With ``--estimation``, the autograde time is
the README's measure instead (3,07 s per candidate for three cases, 200 candidates, 27 November 2026).

Run: ``.venv/bin/python benchmarks/bench_similarite.py [N] [--estimation]`` (N = 200 by default). Last line:
``similitudes: <t> s pour N candidats, <p> % du temps d'autocorrection``.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from mdpc.core.similarity import find_similar
from mdpc.grading.similarity_sources import cohort_sources

CASES = 20
QUESTIONS = 6
README_SECONDS_PER_CASE = 3.07 / 3  # mdpc autograde, 200 candidates, B4_pilotage_performance (README, Performances)

NAMES = ["Lucas Perrin", "Camille Durand", "Julien Morel", "Sophie Marchand", "Thomas Nguyen", "Aïcha Benali",
         "Inès Roy", "Karim Haddad", "Transports Rhodaniens", "Distribution Lumière", "Froid Alpin", "Ombelle"]
# the words of answers, most frequent first (Zipf's law, as in written French): little words, then the trade's
# words, then many rarer ones (made from syllables), so that two answers on the same facts share words, not phrases
FUNCTION = ["de", "la", "le", "et", "les", "des", "à", "en", "du", "un", "une", "pour", "par", "sur", "que", "qui",
            "dans", "au", "est", "avec", "plus", "ne", "pas", "ce", "nous", "il", "se", "sont", "a", "son"]
TRADE = ["équipe", "objectif", "prévision", "chiffre", "affaires", "client", "rendez-vous", "écart", "budget",
         "projet", "marge", "retard", "conversion", "commercial", "commerciaux", "pipeline", "devis", "coût",
         "installation", "contrat", "risque", "plan", "action", "mois", "trimestre", "semaine", "réalisé", "hausse",
         "baisse", "anomalie", "saisie", "absence", "prix", "concurrence", "satisfaction", "suivi", "relance"]
SYLLABLES = ["ca", "ro", "ti", "len", "mar", "po", "su", "vé", "ni", "gra", "ble", "tou", "fi", "dé", "pro", "ment"]


def lexicon(rng: random.Random, size: int = 3000) -> list[str]:
    rare = {"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(size)}
    return FUNCTION + TRADE + sorted(rare)


def sentence(rng: random.Random, words: list[str], weights: list[float]) -> str:
    chosen = rng.choices(words, weights, k=rng.randint(8, 20))
    if rng.random() < 0.4:
        chosen.insert(rng.randrange(len(chosen)), rng.choice(NAMES))
    text = " ".join(chosen)
    return text[0].upper() + text[1:] + "."


def answer(rng: random.Random, words: list[str] | None = None, weights: list[float] | None = None) -> str:
    words = words or _WORDS
    weights = weights or _WEIGHTS
    return " ".join(sentence(rng, words, weights) for _ in range(rng.randint(3, 6)))


_WORDS = lexicon(random.Random(0))
_WEIGHTS = [1 / (rank + 1) ** 1.07 for rank in range(len(_WORDS))]


def light_edit(rng: random.Random, text: str) -> str:
    """A few words changed and two sentences swapped: the planted copy."""
    parts = text.split(". ")
    if len(parts) > 2:
        i = rng.randrange(len(parts) - 1)
        parts[i], parts[i + 1] = parts[i + 1], parts[i]
    words = ". ".join(parts).split(" ")
    for _ in range(max(1, len(words) // 25)):  # one word in twenty-five
        words[rng.randrange(len(words))] = rng.choice(["vraiment", "bien", "aussi", "très"])
    return " ".join(words)


def code(rng: random.Random, q: int) -> str:
    """A candidate's code for one question: four to eight statements, names and steps of their own."""
    v = rng.choice(["df", "table", "ventes", "donnees", "t", "base", "suivi", "tab"]) + rng.choice(["", "_", "_v"]) + str(rng.randint(0, 99))
    col = rng.choice(["montant", "realise", "prevision", "ecart", "ca", "objectif"])
    steps = [f"{v} = load_csv({rng.choice(['ventes.csv', 'objectifs.csv', 'equipe.csv'])!r})",
             f"{v}[{col + str(q)!r}] = {v}[{rng.choice(['realise', 'ca'])!r}] - {v}[{rng.choice(['prevision', 'objectif'])!r}]"]
    for _ in range(rng.randint(2, 6)):
        steps.append(rng.choice([
            f"{v} = {v}[{v}[{col + str(q)!r}] {rng.choice(['>', '<', '>=', '!='])} {rng.randint(0, 5000)}]",
            f"{v} = {v}.sort_values({rng.choice(['commercial', 'mois', col + str(q)])!r}, ascending={rng.choice([True, False])})",
            f"{v}[{rng.choice(['taux', 'part', 'ratio'])!r}] = {v}[{col + str(q)!r}] / {v}[{col + str(q)!r}].{rng.choice(['sum', 'max', 'mean'])}()",
            f"{v} = {v}.dropna(subset=[{col + str(q)!r}])",
            f"{v} = {v}.merge(load_csv('equipe.csv'), on={rng.choice(['commercial', 'id'])!r}, how={rng.choice(['left', 'inner'])!r})",
            f"# {rng.choice(['vérification', 'étape', 'calcul', 'nettoyage'])} {rng.randint(1, 9)}",
        ]))
    steps.append(f"resultat_{q} = {v}.groupby({rng.choice(['commercial', 'mois', 'region'])!r})"
                 f"[{col + str(q)!r}].{rng.choice(['sum', 'mean', 'max', 'median', 'count'])}()")
    return "\n".join(steps) + "\n"


def _nb(cells) -> str:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _cell(gid: str, source: str) -> dict:
    return {"cell_type": "code", "id": gid, "source": source, "outputs": [], "execution_count": None,
            "metadata": {"nbgrader": {"solution": True, "grade_id": gid}}}


def make_course(root: Path, n: int, seed: int = 18) -> set[tuple[str, str]]:
    """The synthetic course; returns the planted pairs."""
    rng = random.Random(seed)
    ids = [f"s{i:03d}" for i in range(1, n + 1)]
    planted = set()
    for c in range(1, CASES + 1):
        case = f"B0_cas{c:02d}"
        key = {f"q{q}": answer(rng) for q in range(QUESTIONS)}
        (root / "release" / case).mkdir(parents=True)
        (root / "release" / case / "N.ipynb").write_text(
            _nb([_cell(f"code{q}", "# À COMPLÉTER\npass") for q in range(3)]), encoding="utf-8")
        (root / "cas_pratiques" / case / "corrige").mkdir(parents=True)
        (root / "cas_pratiques" / case / "N.ipynb").write_text(
            _nb([_cell(f"code{q}", code(random.Random(c), q)) for q in range(3)]), encoding="utf-8")
        (root / "cas_pratiques" / case / "corrige" / "reponses_corrige.json").write_text(
            json.dumps({"N": key}, ensure_ascii=False), encoding="utf-8")
        answers = {}
        for sid in ids:
            answers[sid] = {q: (key[q] if rng.random() < 0.2 else answer(rng)) for q in key}
        if c % 7 == 1 and n >= 2:  # a planted copy every seven cases
            a, b = rng.sample(ids, 2)
            q = rng.choice(list(key))
            answers[a][q] = answer(rng)  # the copied answer is the candidate's own, not the key's
            answers[b][q] = light_edit(rng, answers[a][q])
            planted.add(tuple(sorted((a, b))))
        for sid in ids:
            folder = root / "submitted" / sid / case
            folder.mkdir(parents=True)
            (folder / "reponses.json").write_text(json.dumps({"N": answers[sid]}, ensure_ascii=False), encoding="utf-8")
            (folder / "N.ipynb").write_text(_nb([_cell(f"code{q}", f"# À COMPLÉTER\n{code(rng, q)}")
                                                 for q in range(3)]), encoding="utf-8")
    return planted


def check(root: Path, cases: list[str]):
    candidates, refs, _ = cohort_sources(root, cases)
    return find_similar(candidates, refs)


def autograde_seconds_per_case(copies: int = 4) -> float:
    """``mdpc autograde`` of `copies` demo copies of B4_pilotage_performance (three cases each), measured here."""
    import shutil

    from mdpc import demo
    from mdpc.authoring.demo_cohort import make_submission
    from mdpc.grading.autograde import autograde_cohort
    from mdpc.grading.sandbox import status

    a = demo.ASSIGNMENT
    with tempfile.TemporaryDirectory(prefix="mdpc-banc-ag-") as tmp:
        course = demo.prepare_course(Path(tmp) / "cours")
        course.nbgrader("db", "assignment", "add", a, f"--duedate={demo.DUE.isoformat(sep=' ')}")
        with course.gradebook() as gb:
            for i in range(copies):
                gb.update_or_create_student(f"b{i}", first_name="Candidat", last_name="Banc")
        course.nbgrader("generate_assignment", a, "--force")
        for i in range(copies):
            folder = course.root / "submitted" / f"b{i}" / a
            shutil.copytree(course.root / "release" / a, folder)
            make_submission(folder, course.source(a))
            (folder / "timestamp.txt").write_text("2027-01-08 10:00:00.000000 UTC", encoding="utf-8")
        start = time.perf_counter()
        autograde_cohort(course, a, progress=False, without_isolation=not status()[0])
        return (time.perf_counter() - start) / (copies * len(list((course.root / "release" / a).glob("*.ipynb"))))


def main(n: int = 200, estimation: bool = False) -> None:
    with tempfile.TemporaryDirectory(prefix="mdpc-banc-sim-") as tmp:
        root = Path(tmp)
        planted = make_course(root, n)
        cases = [f"B0_cas{c:02d}" for c in range(1, CASES + 1)]
        start, cpu = time.perf_counter(), time.process_time()
        pairs = check(root, cases)
        wall, seconds = time.perf_counter() - start, time.process_time() - cpu
        tracemalloc.start()
        check(root, cases)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    found = {(p.a, p.b) for p in pairs}
    print(f"copies plantées trouvées : {len(found & planted)}/{len(planted)} ; autres paires listées : "
          f"{len(found - planted)} ; pic de mémoire du contrôle : {peak:.0f} Mio (tracemalloc) ; temps processeur "
          f"{seconds:.1f} s, temps écoulé {wall:.1f} s (charge de la machine comprise)")
    per_case = README_SECONDS_PER_CASE if estimation else autograde_seconds_per_case()
    session = per_case * CASES * n
    how = ("mesure du README" if estimation else "mesurée dans ce lancement")
    print(f"autocorrection estimée de la session : {per_case:.2f} s par cas ({how}) × {CASES} cas × {n} candidats "
          f"= {session:.0f} s")
    print(f"similitudes: {seconds:.1f} s pour {n} candidats, {100 * seconds / session:.2f} % du temps d'autocorrection")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 200, "--estimation" in sys.argv)
