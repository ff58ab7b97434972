"""nbgrader's JupyterLab extension in French: its installed bundle, translated by exact replacements.

nbgrader (0.9.6) ships its JupyterLab extension built and minified, in English only, with no translation
domain: the language pack cannot reach it. This module replaces, in the files of
``<prefix>/share/jupyter/labextensions/@jupyter/nbgrader/`` (``static/*.js``, ``schemas/**/*.json``), the
English texts listed in ``nbgrader_fr.json`` by their French texts — inside string literals only, found by a
small scanner of JavaScript strings, never in identifiers or CSS classes.

    python -m mdpc_utils.jupyterlab.nbgrader_fr [ENV_PREFIX]      (default: this interpreter's prefix)

- Every listed text must occur as often as the table says, else nothing is written (another version of
  nbgrader: a French message, exit code 1). All files are computed first, then written atomically.
- The pristine files are read from nbgrader's own copy of its extension (``nbgrader/labextension/`` in
  site-packages) when it matches the installed one, else from the installed files themselves.
- A marker, ``mdpc-traduction-fr.json`` beside ``package.json``, records nbgrader's version, the table's digest
  and the digests of the files written: a second run on a translated bundle does nothing; a reinstalled
  nbgrader (English files again) or a changed table is translated anew.
- The ``?v=`` of each translated chunk, in ``remoteEntry``, gets a suffix: a browser that kept the English chunk
  in its cache (JupyterLab serves it with a long cache lifetime) fetches the French one.

The kit never imports nbgrader: it only reads and writes these files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).with_name("nbgrader_fr.json")
EXTENSION = Path("share", "jupyter", "labextensions", "@jupyter", "nbgrader")
MARKER = "mdpc-traduction-fr.json"
_WS = r"(?:\s|\\n)*"  # blanks of an HTML fragment, a JavaScript \n escape included
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
_V_MAP = re.compile(r'"\.js\?v="\+\(\{(?P<map>[^{}]*)\}\)')
_CHUNK = re.compile(r"static/(?P<id>\d+)\.(?P<hash>[0-9a-f]+)\.js")
_REGEX_BEFORE = set("(,=:[!&|?{};+-*%<>~^")


class TranslationError(Exception):
    """The bundle cannot be translated (message in French); no file was written."""


@dataclass(frozen=True)
class Entry:
    en: str
    fr: str
    context: str = "literal"
    count: int = 1

    def pattern(self) -> re.Pattern:
        text = re.escape(self.en)
        if self.context == "html":
            return re.compile(rf'(?P<a>>{_WS}){text}(?P<b>{_WS}<)|(?P<c>title="){text}(?P<d>")')
        return re.compile(rf"\A{text}\Z")


@dataclass(frozen=True)
class Table:
    version: str
    entries: tuple[Entry, ...]
    digest: str


def load_table(path: Path = TABLE) -> Table:
    raw = path.read_bytes()
    data = json.loads(raw)
    entries = tuple(Entry(e["en"], e["fr"], e.get("context", "literal"), e.get("count", 1)) for e in data["strings"])
    for e in entries:
        if sorted(_PLACEHOLDER.findall(e.en)) != sorted(_PLACEHOLDER.findall(e.fr)):
            raise TranslationError(f"Table {path.name} : « {e.fr} » ne garde pas les ${{…}} de « {e.en} ».")
        if e.context == "html" and set(e.fr) & set("<>&\"'`"):
            raise TranslationError(f"Table {path.name} : « {e.fr} » (fragment HTML) contient un caractère réservé.")
        if e.context not in ("literal", "html") or "\\" in e.fr.replace("\\n", ""):
            raise TranslationError(f"Table {path.name} : entrée « {e.en} » invalide.")
    return Table(data["nbgrader"], entries, hashlib.sha256(raw).hexdigest())


# -- JavaScript string literals -------------------------------------------------------------------------------

def _string_end(text: str, i: int) -> int:
    """Index after the string literal opened at `i` ('…', "…" or `…`, whose ${…} may hold code)."""
    quote, i = text[i], i + 1
    while text[i] != quote:
        if text[i] == "\\":
            i += 2
        elif quote == "`" and text.startswith("${", i):
            i = _code_end(text, i + 2, [], closing=True)
        else:
            i += 1
    return i + 1


def _code_end(text: str, i: int, found: list, closing: bool = False) -> int:
    """Scan code from `i`, appending (start, end) of each top-level string literal to `found`; with `closing`,
    stop after the } that closes a template's ${ (index returned)."""
    depth, prev = 0, ""
    while i < len(text):
        c = text[i]
        if c in "'\"`":
            end = _string_end(text, i)
            found.append((i, end))
            i, prev = end, "a"
            continue
        if text.startswith("//", i):
            i = text.find("\n", i) if "\n" in text[i:] else len(text)
            continue
        if text.startswith("/*", i):
            i = text.index("*/", i) + 2
            continue
        if c == "/" and (prev == "" or prev in _REGEX_BEFORE):  # a regular expression literal
            i, in_class = i + 1, False
            while text[i] != "/" or in_class:
                in_class = (in_class or text[i] == "[") and text[i] != "]"
                i += 2 if text[i] == "\\" else 1
            i, prev = i + 1, "a"
            continue
        if closing and c == "{":
            depth += 1
        elif closing and c == "}":
            if depth == 0:
                return i + 1
            depth -= 1
        if not c.isspace():
            prev = c
        i += 1
    return i


def string_literals(text: str) -> list[tuple[int, int]]:
    """(start, end) of every top-level string literal of JavaScript or JSON source, quotes included."""
    found: list[tuple[int, int]] = []
    _code_end(text, 0, found)
    return found


def _encode(fr: str, quote: str) -> str:
    """French text as written inside a literal of `quote`: that quote escaped, non-ASCII as \\uXXXX (the bundle
    is pure ASCII, and stays readable whatever charset the server announces)."""
    if quote != "`":
        fr = fr.replace(quote, "\\" + quote)
    return "".join(c if ord(c) < 128 else "".join(f"\\u{u:04x}" for u in _utf16(c)) for c in fr)


def _utf16(c: str) -> list[int]:
    data = c.encode("utf-16-be")
    return [int.from_bytes(data[k:k + 2], "big") for k in range(0, len(data), 2)]


def translate_text(text: str, entries: tuple[Entry, ...], counts: dict[Entry, int]) -> str:
    """`text` with every entry replaced inside its string literals (occurrences added to `counts`)."""
    out, last = [], 0
    for start, end in string_literals(text):
        quote, body = text[start], text[start + 1:end - 1]
        new = body
        for e in entries:
            if e.context == "literal" and new == e.en:
                new = _encode(e.fr, quote)
                counts[e] += 1
            elif e.context == "html":
                fr = _encode(e.fr, quote)
                new, n = e.pattern().subn(lambda m, fr=fr: (m["a"] or m["c"]) + fr + (m["b"] or m["d"]), new)
                counts[e] += n
        if new != body:
            out += [text[last:start + 1], new]
            last = end - 1
    return "".join(out) + text[last:]


# -- the extension's folder -----------------------------------------------------------------------------------

def managed_files(folder: Path) -> list[str]:
    """The files that may hold texts shown to users, relative to the extension's folder."""
    found = [*folder.glob("static/*.js"), *folder.glob("schemas/**/*.json")]
    return sorted(p.relative_to(folder).as_posix() for p in found if p.is_file())


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _version(folder: Path) -> str:
    return json.loads((folder / "package.json").read_text(encoding="utf-8")).get("version", "?")


def is_translated(target: Path, table: Table) -> bool:
    """Whether `target` holds exactly the files this table wrote there (marker and digests)."""
    try:
        marker = json.loads((target / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    files = marker.get("files", {})
    return (marker.get("table") == table.digest and bool(files)
            and all((target / f).is_file() and _digest((target / f).read_bytes()) == d for f, d in files.items()))


def _bust_cache(remote_entry: str, chunks: list[str], tag: str) -> str:
    """remoteEntry with the ?v= of each translated chunk suffixed by `tag` (a new URL: no stale cached copy)."""
    found = list(_V_MAP.finditer(remote_entry))
    if len(found) != 1:
        raise TranslationError("la table des versions des morceaux (?v=) est introuvable dans remoteEntry")
    cache_map = found[0]["map"]
    for chunk in chunks:
        m = _CHUNK.fullmatch(chunk)
        key = f'{m["id"]}:"{m["hash"]}"'
        if key not in cache_map:
            raise TranslationError(f"le morceau {m['id']} manque à la table des versions de remoteEntry")
        cache_map = cache_map.replace(key, f'{m["id"]}:"{m["hash"]}-fr{tag}"')
    start, end = found[0].span("map")
    return remote_entry[:start] + cache_map + remote_entry[end:]


def translate(source: Path, target: Path, table: Table | None = None) -> int:
    """Write into `target` the managed files of `source` (a pristine extension folder), translated, and the
    marker; returns how many texts were replaced. TranslationError, and nothing written, if a text of the
    table is not found as often as expected."""
    table = table or load_table()
    counts = dict.fromkeys(table.entries, 0)
    new: dict[str, bytes] = {}
    for name in managed_files(source):
        text = (source / name).read_text(encoding="utf-8")
        new[name] = translate_text(text, table.entries, counts).encode("utf-8")
    version = _version(source)
    wrong = [f"« {e.en} » ({counts[e]} au lieu de {e.count})" for e in table.entries if counts[e] != e.count]
    if wrong:
        raise TranslationError(
            f"extension JupyterLab de nbgrader {version} laissée en anglais : la table de traduction, écrite pour "
            f"nbgrader {table.version}, ne correspond pas à ces fichiers ({len(wrong)} textes introuvables ou en "
            f"nombre inattendu, dont {', '.join(wrong[:3])}). Aucun fichier n'a été modifié. Réinstallez nbgrader "
            f"{table.version}, ou mettez à jour {TABLE.name} pour nbgrader {version}.")
    changed = [n for n in new if _CHUNK.fullmatch(n) and new[n] != (source / n).read_bytes()]
    remote = [n for n in new if n.startswith("static/remoteEntry.")]
    if changed:
        if len(remote) != 1:
            raise TranslationError(f"extension JupyterLab de nbgrader {version} laissée en anglais : remoteEntry "
                                   "introuvable ou en double. Aucun fichier n'a été modifié.")
        try:
            entry = _bust_cache(new[remote[0]].decode("utf-8"), changed, table.digest[:8])
        except TranslationError as exc:
            raise TranslationError(f"extension JupyterLab de nbgrader {version} laissée en anglais : {exc}. "
                                   "Aucun fichier n'a été modifié.") from None
        new[remote[0]] = entry.encode("utf-8")
    marker = {"nbgrader": version, "table": table.digest,
              "files": {n: _digest(data) for n, data in new.items()}}
    new[MARKER] = (json.dumps(marker, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    _write_all(target, {n: d for n, d in new.items()
                        if not (target / n).is_file() or (target / n).read_bytes() != d})
    return sum(counts.values())


def _write_all(target: Path, files: dict[str, bytes]) -> None:
    """Every file written to a temporary name first, then all renamed (the marker last)."""
    temps: list[tuple[Path, Path]] = []
    try:
        for name in sorted(files, key=lambda n: n == MARKER):
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f".{path.name}.mdpc-tmp")
            temp.write_bytes(files[name])
            if path.exists():
                os.chmod(temp, path.stat().st_mode & 0o7777)
            temps.append((temp, path))
    except OSError:
        for temp, _ in temps:
            temp.unlink(missing_ok=True)
        raise
    for temp, path in temps:
        os.replace(temp, path)


def pristine_copy(prefix: Path, target: Path) -> Path | None:
    """nbgrader's own copy of its extension in `prefix`'s site-packages, if it is the installed one's."""
    wanted = (target / "package.json").read_bytes()
    for pattern in ("lib/python*/site-packages/nbgrader/labextension", "Lib/site-packages/nbgrader/labextension"):
        for folder in sorted(prefix.glob(pattern)):
            if (folder / "package.json").is_file() and (folder / "package.json").read_bytes() == wanted:
                return folder
    return None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or args[:1] in (["-h"], ["--help"]):
        print("Usage : python -m mdpc_utils.jupyterlab.nbgrader_fr [PRÉFIXE_DE_L_ENVIRONNEMENT]")
        return 0 if args[:1] in (["-h"], ["--help"]) else 2
    prefix = Path(args[0] if args else sys.prefix)
    target = prefix / EXTENSION
    if not (target / "package.json").is_file():
        print(f"Extension JupyterLab de nbgrader introuvable dans {prefix} ({EXTENSION.as_posix()}) : "
              "installez nbgrader dans cet environnement, puis relancez.", file=sys.stderr)
        return 1
    try:
        table = load_table()
        if is_translated(target, table):
            print(f"Extension JupyterLab de nbgrader déjà en français (rien à faire) : {target}")
            return 0
        count = translate(pristine_copy(prefix, target) or target, target, table)
    except (TranslationError, OSError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    print(f"Extension JupyterLab de nbgrader {_version(target)} traduite en français ({count} textes) : {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
