"""Copies that look alike (fast): the pure comparison, its calibration on the demo cohort's texts, what the jury
sees (inert, side by side), and the extraction from collected copies. The demo run itself, from the exchange to
the cohort report and both graders' forms, is in ``tests/test_pipeline.py``."""

from __future__ import annotations

import csv
import functools
import json
import os
from itertools import combinations

import pytest
from markup import MARKER, active_markup

from mdpc import CAS_DIR
from mdpc.authoring.demo_cohort import load_cohort, solution_answers
from mdpc.core import similarity
from mdpc.core.safe_text import write_csv
from mdpc.core.similarity import DEFAULT, Passage, SimilarPair, code_tokens, find_similar
from mdpc.core.similarity_text import CLOSE, JURY_NOTE, OPEN, marked_text, pair_html, pairs_table
from mdpc.demo import ASSIGNMENTS
from mdpc.grading.similarity_sources import cohort_sources

PLANTED = ("c05", "c06")  # c06 copies c05's synthesis of C4.3 with light edits (B4_pilotage_performance)
HONEST = ("c02", "c05", "c06", "c07")  # their own syntheses in C1.3, C3.5 and C4.3 (corrige/cohorte_demo.yaml)


@functools.cache
def demo_texts() -> tuple[dict[str, list[Passage]], dict]:
    """The demo cohort's form texts as each candidate submits them, and the key's texts as references."""
    refs, cohort = {}, load_cohort(ASSIGNMENTS)
    key = {}
    for a in ASSIGNMENTS:
        for nb, values in solution_answers(CAS_DIR / a).items():
            for q, v in values.items():
                key[(a, nb, q)] = v
                refs.setdefault((a, nb, q), []).extend(v if isinstance(v, list) else [v] if isinstance(v, str) else [])
    where = {nb: a for a, nb, _ in key}
    out = {}
    for c in cohort:
        answers = {k: v for k, v in key.items()}
        for nb, values in c.answers.items():
            answers.update({(where[nb], nb, q): v for q, v in values.items()})
        out[c.id] = [] if c.blank else [Passage(a, nb, q, "formulaire", v) for (a, nb, q), v in answers.items()
                                        if isinstance(v, str) and v.strip()]
    return out, refs


@functools.cache
def demo_scores() -> dict[tuple[str, str], float]:
    return all_scores(*demo_texts())


def all_scores(candidates, refs) -> dict[tuple[str, str], float]:
    """Every pair's best score, threshold set to zero (what the calibration reads)."""
    loose = similarity.Settings(**{**DEFAULT.__dict__, "threshold": 0.0})
    return {(p.a, p.b): p.score for p in find_similar(candidates, refs, loose)}


def test_calibration_on_the_demo_cohort_flags_the_planted_pair_and_no_honest_one():
    candidates, refs = demo_texts()
    assert set(candidates) >= set(HONEST) | {"c01", "c08"}
    scores = demo_scores()
    planted = scores[PLANTED]
    honest = max((s for pair, s in scores.items() if pair != PLANTED), default=0.0)
    assert planted >= DEFAULT.threshold > honest, (planted, honest)
    assert planted >= 0.85 and honest <= 0.5  # margins the README gives (0.93 and 0.43)
    pairs = find_similar(candidates, refs)
    assert [(p.a, p.b) for p in pairs] == [PLANTED]
    questions = {p.question for p in pairs[0].passages}
    assert {"synthese.resultats", "synthese.facteurs"} <= questions
    assert all(p.assignment == "B4_pilotage_performance" for p in pairs[0].passages)


def test_key_derived_texts_are_not_copying():
    """c01 and c08 hand in the key's texts; a candidate may also rework a key sentence: no pair."""
    _, refs = demo_texts()
    a, nb, q = "B4_pilotage_performance", "C4_3_analyse_statistique", "synthese.resultats"
    key = refs[(a, nb, q)][0]
    reworked = key.replace("portent l'essentiel de l'avance", "expliquent presque toute l'avance")
    candidates = {"k1": [Passage(a, nb, q, "formulaire", key)], "k2": [Passage(a, nb, q, "formulaire", key)],
                  "k3": [Passage(a, nb, q, "formulaire", reworked)]}
    assert find_similar(candidates, refs) == []
    del candidates["k3"]  # without the references, the same two texts would be a pair
    assert find_similar(candidates, {}) != []


def test_no_pair_from_zero_or_one_candidate_and_short_passages_are_not_scored():
    p = Passage("B", "N", "q", "formulaire", "un texte assez long pour être comparé avec un autre texte du même genre")
    assert find_similar({}) == []
    assert find_similar({"c1": [p]}) == []
    short = Passage("B", "N", "q", "formulaire", "Continuer les actions engagées.")
    assert find_similar({"c1": [short], "c2": [short]}) == []


def test_a_light_copy_is_flagged_and_spans_are_marked():
    text = ("Nous avons pris du retard sur les installations parce que le paramétrage de la plateforme a glissé ; "
            "le budget est dépassé en raison des heures supplémentaires payées aux techniciens pour rattraper.")
    copy = text.replace("glissé", "dérapé").replace("techniciens", "installateurs")
    pairs = find_similar({"x": [Passage("B", "N", "q", "formulaire", text)],
                          "y": [Passage("B", "N", "q", "formulaire", copy)]})
    assert [(p.a, p.b) for p in pairs] == [("x", "y")]
    shared = pairs[0].passages[0]
    marked = marked_text(shared.text_a, shared.spans_a)
    assert marked.count(OPEN) == marked.count(CLOSE) >= 2 and f"{OPEN}Nous avons pris" in marked
    assert SimilarPair.from_json(json.loads(json.dumps(pairs[0].to_json()))) == pairs[0]


def test_the_inverted_index_scores_only_pairs_that_share_something(monkeypatch):
    """200 candidates with unrelated texts: not 200² comparisons."""
    import random

    rng = random.Random(7)
    words = [f"mot{i}" for i in range(5000)]
    candidates = {f"c{i:03d}": [Passage("B", "N", "q", "formulaire", " ".join(rng.choices(words, k=60)))]
                  for i in range(200)}
    calls = []
    real = similarity._score
    monkeypatch.setattr(similarity, "_score", lambda *a: calls.append(1) or real(*a))
    assert find_similar(candidates) == []
    assert len(calls) < 50


def test_code_drops_comments_and_the_release_strings_keeps_names():
    code = "total = df['montant'].sum()  # mon commentaire\nratio = total / 12\n"
    tokens = [t[0] for t in code_tokens(code, frozenset({"'montant'"}))]
    assert "'montant'" not in tokens and "# mon commentaire" not in tokens
    assert {"total", "ratio", "df", "sum"} <= set(tokens)
    assert [t[0] for t in code_tokens("def f(:\n  pass")]  # a broken cell is still read, as text


HOSTILE = (f"<script>{MARKER}()</script><img src=x onerror={MARKER}()> [lien](javascript:{MARKER}()) "
           "$$\\href{javascript:alert(1)}{x}$$ =HYPERLINK(\"http://example.invalid\") texte partagé par les deux "
           "copies avec assez de mots pour former un passage comparable et distinctif")


def test_hostile_text_is_rendered_inert_in_reports_forms_and_csv(tmp_path):
    candidates = {"=c1": [Passage("B", "N", "q", "texte", HOSTILE)], "c2": [Passage("B", "N", "q", "texte", HOSTILE)]}
    pairs = find_similar(candidates)
    assert len(pairs) == 1
    for page in (pair_html(pairs[0]), pair_html(pairs[0], focus="c2")):
        assert active_markup(page) == [] and "<script" not in page and "<img" not in page
        assert "&lt;" in page and "script&gt;" in page and JURY_NOTE in page.replace("&#x27;", "'")
    path = tmp_path / "similitudes.csv"
    write_csv(pairs_table(pairs), path)
    with path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert rows[1][0] == "'=c1"


def _notebook(cells) -> str:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _solution(source, gid, kind="markdown"):
    return {"cell_type": kind, "id": gid, "source": source, "metadata": {"nbgrader": {"solution": True, "grade_id": gid}},
            **({"outputs": [], "execution_count": None} if kind == "code" else {})}


def test_extraction_reads_collected_copies_skips_what_is_corrupt_and_follows_no_link(tmp_path):
    course, a = tmp_path / "cours", "B9"
    (course / "release" / a).mkdir(parents=True)
    (course / "cas_pratiques" / a / "corrige").mkdir(parents=True)
    (course / "release" / a / "N.ipynb").write_text(_notebook([_solution("VOTRE RÉPONSE ICI", "rep"),
                                                               _solution("# À COMPLÉTER\npass", "code", "code")]))
    (course / "cas_pratiques" / a / "corrige" / "reponses_corrige.json").write_text(
        json.dumps({"N": {"f.texte": "Texte du corrigé"}}))
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"N": {"f.texte": "SECRET du jury"}}))
    text = "Ma propre analyse rédigée, longue de plusieurs phrases, avec ses mots à moi et sa conclusion."
    for cid in ("c1", "c2", "c3"):
        copy = course / "submitted" / cid / a
        copy.mkdir(parents=True)
        (copy / "N.ipynb").write_text(_notebook([_solution(f"VOTRE RÉPONSE ICI\n{text}", "rep"),
                                                 _solution("# À COMPLÉTER\npass\nx = 1 + 2", "code", "code")]))
        (copy / "livrables").mkdir()
        (copy / "livrables" / "doc.html").write_text(f"<h1>Titre</h1><script>x()</script><p>{text}</p><p>{cid}</p>")
    (course / "submitted" / "c1" / a / "reponses.json").write_text(json.dumps({"N": {"f.texte": text, "f.n": 3,
                                                                                      "f.liste": ["a"]}}))
    (course / "submitted" / "c2" / a / "reponses.json").write_text("{pas du JSON")
    os.symlink(secret, course / "submitted" / "c3" / a / "reponses.json")
    candidates, refs, notes = cohort_sources(course, [a])
    assert set(candidates) == {"c1", "c2", "c3"}
    c1 = {(p.kind, p.question): p.text for p in candidates["c1"]}
    assert c1[("formulaire", "f.texte")] == text and ("formulaire", "f.n") not in c1
    assert c1[("texte", "rep")] == text and c1[("code", "code")] == "x = 1 + 2"
    assert "x()" not in c1[("livrable", "doc.html")] and "Titre" in c1[("livrable", "doc.html")]
    assert text not in c1[("livrable", "doc.html")]  # the form answer is compared once, as such
    assert any("c2 (B9) : reponses.json illisible" in n for n in notes)
    assert not any("SECRET" in p.text for ps in candidates.values() for p in ps)
    assert "Texte du corrigé" in refs[(a, "corrige", "reponses_corrige.json")]


@pytest.mark.parametrize("pair", list(combinations(HONEST, 2)))
def test_each_honest_pair_scores_under_the_threshold(pair):
    scores = demo_scores()
    if tuple(sorted(pair)) != PLANTED:
        assert scores.get(tuple(sorted(pair)), 0.0) < DEFAULT.threshold


def test_a_giant_answer_does_not_stall_the_check():
    """Two colluding copies with a 5-million-character answer: only a prefix counts, the check stays quick."""
    import time

    giant = " ".join(f"mot{i % 9973} fin{i % 7919}" for i in range(400_000))
    start = time.process_time()
    pairs = find_similar({"g1": [Passage("B", "N", "q", "texte", giant)], "g2": [Passage("B", "N", "q", "texte", giant)]})
    assert [(p.a, p.b) for p in pairs] == [("g1", "g2")] and time.process_time() - start < 20


def test_the_comparison_reads_no_grade():
    """The pure module imports nothing of the grades, decisions, records or journal: it cannot sanction."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(similarity))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m and m.startswith("mdpc")}, imported
