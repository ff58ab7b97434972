"""Nothing candidates receive states an answer (issue 16, the leak scan).

Each assignment's trainers list, beside the answer key, the facts that answer its cases
(``cas_pratiques/<devoir>/corrige/faits_reponses.yaml``): per notebook, a list of ``texte`` (a phrase, found
whatever its case, spacing or non-breaking spaces) or ``motif`` (a regular expression, case ignored), each
with its ``pourquoi``, and, for a fact that only answers in some files, ``fichiers`` (a pattern of the paths
scanned, e.g. ``release/B1_strategie_developpement/*``: a lesson's own teaching data may carry the same header). The model answers of the answer key (``corrige/reponses_corrige.json``: every written
answer of 40 characters or more) are facts too. Every fact is searched in everything a candidate receives or
can import: the release (notebooks, data, READMEs, lessons when released there) and the candidate kit
(``mdpc_utils``). A hit fails, naming the fact, its reason and the file.
"""

from __future__ import annotations

import fnmatch
import json
import re
import unicodedata
from pathlib import Path

import nbformat
import pytest
import yaml

import mdpc_utils
from mdpc import CAS_DIR, RELEASE_DIR

FACTS_FILE = "faits_reponses.yaml"
ASSIGNMENTS = sorted(p.name for p in CAS_DIR.iterdir() if p.is_dir())
KIT_DIR = Path(mdpc_utils.__file__).resolve().parent
TEXT_SUFFIXES = {".ipynb", ".md", ".csv", ".json", ".txt", ".py", ".yaml", ".yml", ".html", ".tsv"}
MODEL_ANSWER_CHARS = 40


def _plain(text: str) -> str:
    """Case, accents' composition and spacing (non-breaking spaces included) ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _readable(path: Path) -> str:
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        parts = [c.source for c in nb.cells]
        for c in nb.cells:
            for out in c.get("outputs", []):
                parts.append(json.dumps(out, ensure_ascii=False))
        return "\n".join(parts)
    return path.read_text(encoding="utf-8", errors="replace")


def _received() -> dict[str, str]:
    """{shown path: plain text} of every text file candidates receive or can import."""
    files = [p for p in sorted(RELEASE_DIR.rglob("*")) if p.is_file() and p.suffix in TEXT_SUFFIXES]
    files += [p for p in sorted(KIT_DIR.rglob("*")) if p.is_file() and p.suffix in TEXT_SUFFIXES
              and "__pycache__" not in p.parts]
    root = RELEASE_DIR.parent
    return {str(p.relative_to(root) if p.is_relative_to(root) else p): _plain(_readable(p)) for p in files}


def load_facts(source_dir: Path) -> list[dict]:
    """The answer facts of an assignment: [{carnet, texte | motif, pourquoi}], checked (French errors)."""
    path = source_dir / "corrige" / FACTS_FILE
    where = f"{path.relative_to(CAS_DIR.parent)}"
    if not path.is_file():
        raise AssertionError(f"{where} : fichier absent (les faits de réponse de chaque carnet du devoir)")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise AssertionError(f"{where} : un dictionnaire carnet → liste de faits est attendu")
    notebooks = {p.stem for p in source_dir.glob("*.ipynb")}
    facts = []
    for notebook, items in data.items():
        assert notebook in notebooks, f"{where} : carnet inconnu « {notebook} »"
        assert isinstance(items, list) and items, f"{where}, {notebook} : une liste de faits non vide est attendue"
        for k, item in enumerate(items, 1):
            here = f"{where}, {notebook}, fait {k}"
            assert isinstance(item, dict) and set(item) <= {"texte", "motif", "pourquoi", "fichiers"}, \
                f"{here} : clés inconnues"
            assert ("texte" in item) != ("motif" in item), f"{here} : « texte » ou « motif », l'un des deux"
            assert str(item.get("pourquoi", "")).strip(), f"{here} : « pourquoi » manque"
            if "motif" in item:
                re.compile(item["motif"])
            facts.append({"carnet": notebook, **item})
    missing = sorted(notebooks - set(data))
    assert not missing, f"{where} : carnets sans fait de réponse : {missing}"
    return facts


LONG_FIELD = re.compile(r"""Field\(\s*["']([\w-]+)["']\s*,[^,]*,\s*["']long["']""")


def _model_answers(source_dir: Path) -> list[dict]:
    """The written answers of the answer key (fields of kind « long », 40 characters or more): a choice's value
    is one of the options the statement lists, not an answer stated."""
    key = json.loads((source_dir / "corrige" / "reponses_corrige.json").read_text(encoding="utf-8"))
    out = []
    for nb, answers in key.items():
        path = source_dir / f"{nb}.ipynb"
        written = set(LONG_FIELD.findall(path.read_text(encoding="utf-8").replace('\\"', '"'))) if path.is_file() else set()
        out += [{"carnet": nb, "texte": value, "pourquoi": f"réponse modèle « {question} » du corrigé"}
                for question, value in answers.items() if question.rsplit(".", 1)[-1] in written
                and isinstance(value, str) and len(value.strip()) >= MODEL_ANSWER_CHARS]
    return out


@pytest.fixture(scope="module")
def received():
    return _received()


def _hits(fact: dict, received: dict[str, str]) -> list[str]:
    if fact.get("fichiers"):
        received = {name: text for name, text in received.items() if fnmatch.fnmatch(name, fact["fichiers"])}
    if "texte" in fact:
        needle = _plain(fact["texte"])
        return [name for name, text in received.items() if needle in text]
    pattern = re.compile(fact["motif"], re.IGNORECASE)
    return [name for name, text in received.items() if pattern.search(text)]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_answer_fact_reaches_what_candidates_receive(assignment, received):
    source = CAS_DIR / assignment
    found = []
    for fact in load_facts(source) + _model_answers(source):
        for name in _hits(fact, received):
            shown = fact.get("texte") or fact.get("motif")
            found.append(f"{name} : « {shown[:80]} » ({fact['carnet']} — {fact['pourquoi']})")
    assert not found, "Faits de réponse dans ce que reçoivent les candidats :\n" + "\n".join(found)


def test_the_scan_finds_a_planted_fact(tmp_path):
    """The scan itself can fail: a fact written into a released file is found there, in any spacing or case."""
    received = {"release/B/data/README.md": _plain("Trois anomalies : MONTANT saisi\u00a0dix fois trop grand.")}
    assert _hits({"texte": "montant saisi dix fois trop grand"}, received) == ["release/B/data/README.md"]
    assert _hits({"motif": r"\bdix\s+fois\b"}, received) == ["release/B/data/README.md"]
    assert _hits({"texte": "cause inconnue"}, received) == []
    assert _hits({"texte": "dix fois", "fichiers": "release/A/*"}, received) == []


def test_a_malformed_facts_file_names_itself(tmp_path, monkeypatch):
    source = tmp_path / "cas_pratiques" / "B9_essai"
    (source / "corrige").mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), source / "C9_1_essai.ipynb")
    monkeypatch.setattr(__import__(__name__), "CAS_DIR", tmp_path / "cas_pratiques")
    with pytest.raises(AssertionError, match="faits_reponses.yaml : fichier absent"):
        load_facts(source)
    (source / "corrige" / FACTS_FILE).write_text("C9_1_essai:\n  - texte: x\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="fait 1 : « pourquoi » manque"):
        load_facts(source)
    (source / "corrige" / FACTS_FILE).write_text("C9_2_autre:\n  - {texte: x, pourquoi: y}\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="carnet inconnu « C9_2_autre »"):
        load_facts(source)
