"""Copies that look alike: a cohort check that flags pairs of candidates for the jury to examine.

Never a sanction: this module decides nothing, gives no level and reads nothing of the grades. It lists
pairs of candidates whose written answers or code share distinctive passages, with those passages side by
side, so that the jury can read them.

Method, after MOSS (Schleimer, Wilkerson, Aiken, « Winnowing », SIGMOD 2003), on words instead of characters:

1. **Normalise.** Text (forms, Markdown answers, deliverables): words (``\\w+``, accents kept) lowercased;
   punctuation and whitespace only separate them. Code: Python tokens, comments dropped, and the string
   literals that the reference texts contain (a label of the release, a column name of the case) dropped;
   names are kept (renaming variables is a light edit the reader sees anyway).
2. **Cut into k-grams** of :attr:`Settings.k` consecutive words (:attr:`Settings.k_code` tokens for code).
3. **Drop what is not distinctive:** the k-grams found in the assignment's reference texts (what every candidate received
   or may reproduce: the released cells, the statement, the answer key's texts and code), and those used by
   more than :attr:`Settings.common_share` of the cohort in the same question (common phrasing).
4. **Index, then compare.** An inverted index (question, k-gram) → candidates gives, for each question, the
   pairs that share at least :attr:`Settings.min_shared` distinctive k-grams: only those pairs are scored,
   so 200 candidates are never compared 200² times.
5. **Score** a pair on a question as the larger of two measures on the passages' distinctive words (those
   not covered by a reference or common k-gram), each blind to one kind of light edit:

   - *coverage*: the share of a passage's distinctive words that shared k-grams cover (the larger of the two
     passages' shares): a moved sentence keeps it, a changed word costs about one word;
   - rapidfuzz's normalised Indel similarity (longest common subsequence, C++) of the two word sequences:
     a changed word costs one, a moved sentence costs its length.

   For code, the coverage alone: any two pieces of pandas share their punctuation in order, which the Indel
   measure would reward. Independent texts on the same facts share the case's facts (names, figures), which step 3 mostly removes,
   and the language's little words, which neither measure rewards much. Passages with fewer than
   :attr:`Settings.min_words` distinctive words (:attr:`Settings.min_code_tokens` tokens for code, where
   two short computations of the same figure often coincide) are not scored: too short to mean anything. A pair's score is
   its best question's; the pair is listed when it reaches :attr:`Settings.threshold` (calibrated on the
   demo cohort, see README « Outils du jury »).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from itertools import combinations

from rapidfuzz.distance import Indel

KINDS = ("formulaire", "texte", "livrable", "code")
MAX_CHARS = 200_000  # characters of a passage that count (a prefix): a giant answer cannot stall the check
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Settings:
    """The check's parameters (calibrated on the demo cohort: README, « Outils du jury »)."""

    k: int = 5                    # words per k-gram
    k_code: int = 10              # code tokens per k-gram (a token is smaller than a word: « ( », « = », a name)
    min_words: int = 15           # distinctive words a passage needs to be scored
    min_code_tokens: int = 50     # distinctive tokens a code cell needs: two short computations often coincide
    min_shared: int = 2           # distinctive k-grams two passages must share to be scored at all
    common_share: float = 0.5     # a k-gram used by more than this share of the cohort in a question is common
    threshold: float = 0.6        # a pair is listed from this score on


DEFAULT = Settings()


@dataclass(frozen=True)
class Passage:
    """One answer of one candidate: a form's text value, a Markdown answer cell, a deliverable, a code cell."""

    assignment: str
    notebook: str
    question: str
    kind: str
    text: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.assignment, self.notebook, self.question)


@dataclass(frozen=True)
class SharedPassage:
    """The same question answered by both candidates: their texts and the spans (character offsets) they share."""

    assignment: str
    notebook: str
    question: str
    kind: str
    score: float
    text_a: str
    text_b: str
    spans_a: tuple[tuple[int, int], ...]
    spans_b: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class SimilarPair:
    """Two candidates whose answers share distinctive passages: a signal for the jury, never a decision."""

    a: str
    b: str
    score: float
    passages: tuple[SharedPassage, ...] = field(default_factory=tuple)

    def to_json(self) -> dict:
        return {"a": self.a, "b": self.b, "score": self.score,
                "passages": [{**asdict(p), "spans_a": [list(s) for s in p.spans_a],
                              "spans_b": [list(s) for s in p.spans_b]} for p in self.passages]}

    @classmethod
    def from_json(cls, data: Mapping) -> SimilarPair:
        passages = tuple(SharedPassage(**{**p, "spans_a": tuple(tuple(s) for s in p["spans_a"]),
                                          "spans_b": tuple(tuple(s) for s in p["spans_b"])})
                         for p in data.get("passages", []))
        return cls(str(data["a"]), str(data["b"]), float(data["score"]), passages)

    def other(self, candidate: str) -> str:
        return self.b if candidate == self.a else self.a


# --- normalisation -----------------------------------------------------------------------------------------

Token = tuple[str, int, int]  # normalised token, start and end offsets in the original text


def text_tokens(text: str) -> list[Token]:
    """Words of a text, lowercased (accents kept), with their offsets."""
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]


# a string literal (prefix, triple or single quotes), a comment, a name or number, or one operator character;
# a regular expression rather than the tokenize module: ten times faster, and a half-written cell still reads
_CODE = re.compile(r"""(?P<str>[rRbBuUfF]{0,2}(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))"""
                   r"""|(?P<com>#[^\n]*)|(?P<tok>\w+|[^\w\s])""")


def code_tokens(code: str, released_strings: frozenset[str] = frozenset()) -> list[Token]:
    """Python tokens of a code cell with their offsets: comments dropped, and the string literals found in
    `released_strings` dropped; names, numbers and operators kept."""
    return [(m.group(), m.start(), m.end()) for m in _CODE.finditer(code)
            if m.lastgroup == "tok" or (m.lastgroup == "str" and m.group() not in released_strings)]


def string_literals(code: str) -> set[str]:
    """The string literals of a piece of code (the release's: dropped from candidates' code)."""
    return {m.group() for m in _CODE.finditer(code) if m.lastgroup == "str"}


def kgrams(tokens: list[Token], k: int) -> list[tuple[str, ...]]:
    words = [t[0] for t in tokens]
    return [tuple(words[i:i + k]) for i in range(len(words) - k + 1)]


# --- the check ---------------------------------------------------------------------------------------------

@dataclass
class _Prepared:
    candidate: str
    passage: Passage
    tokens: list[Token]
    grams: list[int]  # hashed k-grams (Python's hash of the tuple of words: 64 bits)
    keep: list[bool]  # per k-gram: distinctive so far (not in a reference)


class _References:
    """The reference texts' k-grams (hashed), per assignment: for text and, when there is code to compare, code."""

    def __init__(self, references: Mapping[tuple[str, str, str], Iterable[str]], k: int, k_code: int):
        self.items: dict[str, list[str]] = defaultdict(list)
        for (assignment, _, _), texts in references.items():
            self.items[assignment].extend(texts)
        self.k, self.k_code = k, k_code
        self._text: dict[str, set[int]] = {}
        self._code: dict[str, tuple[frozenset[str], set[int]]] = {}

    def text(self, assignment: str) -> set[int]:
        if assignment not in self._text:
            items = dict.fromkeys(self.items.get(assignment, ()))  # the release repeats the source's cells
            self._text[assignment] = {hash(g) for t in items for g in kgrams(text_tokens(t), self.k)}
        return self._text[assignment]

    def code(self, assignment: str) -> tuple[frozenset[str], set[int]]:
        if assignment not in self._code:
            items = dict.fromkeys(self.items.get(assignment, ()))
            released = frozenset(x for t in items for x in string_literals(t))
            self._code[assignment] = (released, {hash(g) for t in items
                                                 for g in kgrams(code_tokens(t, released), self.k_code)})
        return self._code[assignment]


def _prepare(cid: str, p: Passage, refs: _References) -> _Prepared:
    """A passage cut into hashed k-grams (a prefix of :data:`MAX_CHARS` characters), references marked."""
    text = p.text[:MAX_CHARS]
    if p.kind == "code":
        released, known = refs.code(p.assignment)
        tokens = code_tokens(text, released)
    else:
        known, tokens = refs.text(p.assignment), text_tokens(text)
    grams = [hash(g) for g in kgrams(tokens, refs.k_code if p.kind == "code" else refs.k)]
    return _Prepared(cid, p, tokens, grams, [g not in known for g in grams])


def _covered(n_tokens: int, starts: Iterable[int], k: int) -> list[bool]:
    mask = [False] * n_tokens
    for i in starts:
        for j in range(i, min(i + k, n_tokens)):
            mask[j] = True
    return mask


def _spans(item: _Prepared, starts: Iterable[int], k: int) -> tuple[tuple[int, int], ...]:
    """Character spans of the tokens covered by the k-grams starting at `starts`, merged."""
    mask = _covered(len(item.tokens), starts, k)
    spans: list[list[int]] = []
    for i, on in enumerate(mask):
        if not on:
            continue
        start, end = item.tokens[i][1], item.tokens[i][2]
        if spans and (i > 0 and mask[i - 1]):
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return tuple((a, b) for a, b in spans)


def find_similar(candidates: Mapping[str, Iterable[Passage]],
                 references: Mapping[tuple[str, str, str], Iterable[str]] | None = None,
                 settings: Settings = DEFAULT) -> list[SimilarPair]:
    """The pairs of candidates whose answers share distinctive passages, highest score first.

    `candidates`: each candidate's passages; `references`: texts every candidate received or may reproduce,
    by (assignment, notebook, question) — all of an assignment's references count for each of its questions (a
    candidate may quote the statement anywhere in the case). Fewer than two candidates: no pair."""
    s = settings
    if len(candidates) < 2:
        return []
    refs = _References(references or {}, s.k, s.k_code)
    by_question: dict[tuple[str, str, str], dict[str, Passage]] = defaultdict(dict)
    for cid, passages in candidates.items():
        for p in passages:
            by_question[p.key].setdefault(cid, p)  # one passage per question and candidate
    limit = max(2, s.common_share * len(candidates))
    found: dict[tuple[str, str], list[SharedPassage]] = defaultdict(list)
    for question in by_question.values():  # one question at a time: only its k-grams are held in memory
        answers = {cid: _prepare(cid, p, refs) for cid, p in question.items()}
        index: dict[int, set[str]] = defaultdict(set)
        for cid, it in answers.items():
            for g, keep in zip(it.grams, it.keep, strict=True):
                if keep:
                    index[g].add(cid)
        common = {g for g, who in index.items() if len(who) > limit}
        distinctive: dict[str, set[int]] = {}
        for cid, it in answers.items():
            it.keep = [keep and g not in common for g, keep in zip(it.grams, it.keep, strict=True)]
            distinctive[cid] = {g for g, keep in zip(it.grams, it.keep, strict=True) if keep}
        shared: dict[tuple[str, str], int] = defaultdict(int)
        for who in index.values():
            if 1 < len(who) <= limit:
                for a, b in combinations(sorted(who), 2):
                    shared[(a, b)] += 1
        for (a, b), n in shared.items():
            if n < s.min_shared:
                continue
            scored = _score(answers[a], answers[b], distinctive[a], distinctive[b], s)
            if scored is not None:
                found[(a, b)].append(scored)
    pairs = []
    for (a, b), passages in found.items():
        best = max(p.score for p in passages)
        if best >= s.threshold:
            shown = sorted((p for p in passages if p.score >= s.threshold), key=lambda p: -p.score)
            pairs.append(SimilarPair(a, b, round(best, 3), tuple(shown)))
    return sorted(pairs, key=lambda p: (-p.score, p.a, p.b))


def _distinctive_mask(item: _Prepared, k: int) -> list[bool]:
    """Per token: distinctive (not covered by a reference or common k-gram, or covered by a distinctive one)."""
    dropped = _covered(len(item.tokens), (i for i, keep in enumerate(item.keep) if not keep), k)
    kept = _covered(len(item.tokens), (i for i, keep in enumerate(item.keep) if keep), k)
    return [c or not d for d, c in zip(dropped, kept, strict=True)]


def coverage(mask: list[bool], shared: list[bool]) -> float:
    """The share of a passage's distinctive words that shared k-grams cover: a changed word costs about one
    word (the k-grams on either side still match), a moved sentence costs nothing."""
    total = sum(mask)
    return sum(m and c for m, c in zip(mask, shared, strict=True)) / total if total else 0.0


def pair_score(words_a: list[str], words_b: list[str], coverage_a: float, coverage_b: float) -> float:
    """The larger of the k-gram coverage (of the passage most covered) and rapidfuzz's Indel similarity of the
    two sequences of distinctive words."""
    return max(coverage_a, coverage_b, Indel.normalized_similarity(words_a, words_b))


def _score(x: _Prepared, y: _Prepared, gx: set, gy: set, s: Settings) -> SharedPassage | None:
    code = x.passage.kind == "code"
    k = s.k_code if code else s.k
    mx, my = _distinctive_mask(x, k), _distinctive_mask(y, k)
    wx = [t[0] for t, m in zip(x.tokens, mx, strict=True) if m]
    wy = [t[0] for t, m in zip(y.tokens, my, strict=True) if m]
    if min(len(wx), len(wy)) < (s.min_code_tokens if code else s.min_words):
        return None
    both = gx & gy
    at_x = [i for i, g in enumerate(x.grams) if g in both and x.keep[i]]
    at_y = [i for i, g in enumerate(y.grams) if g in both and y.keep[i]]
    cx = coverage(mx, _covered(len(x.tokens), at_x, k))
    cy = coverage(my, _covered(len(y.tokens), at_y, k))
    # code: coverage only; any two pieces of pandas share their punctuation, which the Indel measure would reward
    score = round(max(cx, cy) if code else pair_score(wx, wy, cx, cy), 3)
    p = x.passage
    return SharedPassage(p.assignment, p.notebook, p.question, p.kind, score, p.text, y.passage.text,
                         _spans(x, at_x, k), _spans(y, at_y, k))
