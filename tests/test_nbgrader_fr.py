"""nbgrader's JupyterLab extension in French (``mdpc_utils/jupyterlab/nbgrader_fr.py``, table ``nbgrader_fr.json``).

The pristine bundle is nbgrader's own copy of its extension (``nbgrader/labextension/`` in site-packages, the
same files as the installed ``share/jupyter/labextensions/@jupyter/nbgrader/``, which ``make install``
translates in place). Checked here: every English text of the table is in that bundle as often as the table
says (a new nbgrader fails here); after translation no English is left where users read it; only string
literals changed and the JavaScript still parses; a second run changes nothing; a bundle the table does not
fit is refused and left untouched. The browser check is in ``tests/test_navigateur.py`` (``-k assignment_list``).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from mdpc_utils.jupyterlab import nbgrader_fr
from mdpc_utils.jupyterlab.nbgrader_fr import EXTENSION, MARKER, load_table, string_literals, translate

PRISTINE = Path(importlib.util.find_spec("nbgrader").origin).parent / "labextension"
TABLE = load_table()
NODE = shutil.which("node")

# Where a user reads a text in the bundle: DOM text and attributes, command labels, dialog titles and bodies,
# default button labels, <p> made by createElement, the options of the cell type menu, HTML fragments.
_Q = r"(?P<q>[\"'`])(?P<t>(?:\\.|(?!(?P=q)).)*)(?P=q)"
SHOWN = [re.compile(r"(?:textContent|innerText|title|label|caption|tooltip|body|placeholder)\s*[:=]\s*" + _Q),
         re.compile(r"createElement\(\"\w+\",null," + _Q),
         re.compile(r"\(\w=" + _Q),
         re.compile(r"\[\"\w*\",(?P<q>\")(?P<t>[^\"]*)\"\]")]
HTML_TEXT = re.compile(r">(?:\s|\\n)*([^<>]*?)(?:\s|\\n)*<|title=\"([^\"]*)\"")
SCHEMA_KEYS = ("title", "description")
# English words: those of the table's English texts that its French texts do not use, and a few common ones
ENGLISH = ({w.lower() for e in TABLE.entries for w in re.findall(r"[A-Za-z]+", e.en)}
           | {"the", "and", "or", "please", "error", "cannot", "failed", "success", "your", "not", "found", "loading",
              "wait", "view", "available", "refresh", "toggle", "submit", "fetch", "feedback", "validate",
              "assignment", "course", "notebook", "cell", "create", "graded", "save", "saving", "list"}) \
    - {w.lower() for e in TABLE.entries for w in re.findall(r"[A-Za-z]+", e.fr)}
ALLOWED = {
    "nbgrader update ${s}": "a command the trainer types: its words are nbgrader's, not English prose",
}


def _decode(text: str) -> str:
    return json.loads('"' + text.replace('"', '\\"') + '"') if "\\u" in text else text


def _schema_texts(node) -> list[str]:
    """The titles and descriptions of a settings schema (JupyterLab's settings editor shows them)."""
    if not isinstance(node, dict):
        return []
    return [v for k, v in node.items() if k in SCHEMA_KEYS and isinstance(v, str)] + \
        [t for v in node.values() for t in _schema_texts(v)]


def shown_texts(folder: Path) -> list[str]:
    """The texts of the extension's files that users read (decoded)."""
    texts = []
    for name in nbgrader_fr.managed_files(folder):
        content = (folder / name).read_text(encoding="utf-8")
        if name.endswith(".json"):
            texts += _schema_texts(json.loads(content))
            continue
        for pattern in SHOWN:
            texts += [m["t"] for m in pattern.finditer(content)]
        for start, end in string_literals(content):
            if "<div" in content[start:end]:
                texts += [a or b for a, b in HTML_TEXT.findall(content[start + 1:end - 1]) if (a or b).strip()]
    return [_decode(t) for t in texts]


def english_in(texts: list[str]) -> list[str]:
    return sorted({t for t in texts if t not in ALLOWED
                   and ENGLISH & {w.lower() for w in re.findall(r"[A-Za-z]+", re.sub(r"\$\{[^}]*\}", "", t))}})


@pytest.fixture
def translated(tmp_path) -> Path:
    folder = shutil.copytree(PRISTINE, tmp_path / "nbgrader")
    assert translate(folder, folder) > len(TABLE.entries)
    return folder


def _fake_prefix(tmp_path: Path, with_pristine_copy: bool) -> Path:
    """An environment prefix holding nbgrader's installed extension (and its package copy, if asked)."""
    prefix = tmp_path / "env"
    shutil.copytree(PRISTINE, prefix / EXTENSION)
    if with_pristine_copy:
        shutil.copytree(PRISTINE, prefix / "lib" / "python3.11" / "site-packages" / "nbgrader" / "labextension")
    return prefix


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_table_fits_the_installed_nbgrader():
    assert (PRISTINE / "package.json").is_file(), f"copie de l'extension de nbgrader introuvable : {PRISTINE}"
    installed = importlib.metadata.version("nbgrader")
    assert TABLE.version == installed, (f"table écrite pour nbgrader {TABLE.version}, nbgrader {installed} installé : "
                                        "relisez ses textes et mettez à jour mdpc_utils/jupyterlab/nbgrader_fr.json")
    counts = Counter()
    for name in nbgrader_fr.managed_files(PRISTINE):
        nbgrader_fr.translate_text((PRISTINE / name).read_text(encoding="utf-8"), TABLE.entries, counts)
    wrong = {e.en: (counts[e], e.count) for e in TABLE.entries if counts[e] != e.count}
    assert not wrong, f"textes de la table absents ou en nombre inattendu (trouvés, attendus) : {wrong}"


def test_the_scan_sees_the_english_of_the_pristine_bundle():
    found = english_in(shown_texts(PRISTINE))
    for text in ("Released assignments", "Fetch", "Submit", "Validate", "Assignment List", "No courses found.",
                 "Manually graded answer", "Success! Your notebook passes all the tests.", "Available formgraders"):
        assert text in found, (text, found)


def test_no_english_is_left_where_users_read(translated):
    texts = shown_texts(translated)
    assert not english_in(texts), english_in(texts)
    for french in ("Devoirs diffusés", "Récupérer", "Remettre", "Vérifier", "Liste des devoirs", "Aucun cours trouvé.",
                   "Réponse notée à la main", "Réussi ! Votre carnet passe tous les tests."):
        assert french in texts, french
    assert all(text in texts for text in ALLOWED), "une exception de la liste n'est plus dans le paquet"


def test_only_string_literals_change_and_the_bundle_still_parses(translated):
    def skeleton(text: str) -> str:
        spans = string_literals(text)
        return "".join(text[a:b] for a, b in zip([0] + [e for _, e in spans], [s for s, _ in spans] + [len(text)],
                                                  strict=True))

    changed = []
    for name in nbgrader_fr.managed_files(PRISTINE):
        before, after = (PRISTINE / name).read_text(encoding="utf-8"), (translated / name).read_text(encoding="utf-8")
        assert after.isascii(), name
        assert skeleton(after) == skeleton(before), f"{name} : du code a changé hors des chaînes"
        assert len(string_literals(after)) == len(string_literals(before)), name
        if after != before:
            changed.append(name)
            if name.endswith(".json"):
                json.loads(after)
    assert sorted(changed) == ["schemas/@jupyter/nbgrader/formgrader.json", "static/161.290a640318af4049.js",
                               "static/remoteEntry.45993c55d146ea04.js"], changed
    remote = (translated / changed[2]).read_text(encoding="utf-8")
    assert f'161:"290a640318af4049-fr{TABLE.digest[:8]}"' in remote  # a new URL for the translated chunk
    if not NODE:
        pytest.skip("node absent : syntaxe JavaScript non vérifiée (tests/systeme.sh installe npm et node)")
    for name in changed[1:]:
        proc = subprocess.run([NODE, "--check", str(translated / name)], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, f"{name} :\n{proc.stderr[-2000:]}"


def test_the_scanner_reads_literals_around_regexes_templates_and_comments():
    code = 'a=/["`]/g,b=`x ${f("}")} y`,/* "no" */c="d\\"e"//"f"\ng=x/2/3,h=\'i\''
    assert [code[s:e] for s, e in string_literals(code)] == ['`x ${f("}")} y`', '"d\\"e"', "'i'"]


def test_a_second_run_changes_nothing_and_a_reinstall_is_translated_again(tmp_path, capsys):
    prefix = _fake_prefix(tmp_path, with_pristine_copy=True)
    target = prefix / EXTENSION
    assert nbgrader_fr.main([str(prefix)]) == 0
    first = _snapshot(target)
    marker = json.loads(first[MARKER])
    assert marker["nbgrader"] == TABLE.version and marker["table"] == TABLE.digest
    assert nbgrader_fr.main([str(prefix)]) == 0
    assert "rien à faire" in capsys.readouterr().out
    assert _snapshot(target) == first
    shutil.copytree(PRISTINE, target, dirs_exist_ok=True)  # pip install --force-reinstall nbgrader
    assert nbgrader_fr.main([str(prefix)]) == 0 and _snapshot(target) == first
    changed = {**marker, "table": "0" * 64}  # a table changed since: translated again from nbgrader's copy
    (target / MARKER).write_text(json.dumps(changed), encoding="utf-8")
    assert nbgrader_fr.main([str(prefix)]) == 0 and _snapshot(target) == first


def test_a_bundle_the_table_does_not_fit_is_left_untouched(tmp_path, capsys):
    prefix = _fake_prefix(tmp_path, with_pristine_copy=False)
    target = prefix / EXTENSION
    chunk = target / "static" / "161.290a640318af4049.js"
    chunk.write_text(chunk.read_text(encoding="utf-8").replace("Released assignments", "Published assignments"),
                     encoding="utf-8")
    before = _snapshot(target)
    assert nbgrader_fr.main([str(prefix)]) == 1
    err = capsys.readouterr().err
    assert "laissée en anglais" in err and "« Released assignments » (0 au lieu de 1)" in err, err
    assert "Aucun fichier n'a été modifié" in err
    assert _snapshot(target) == before  # no file changed, no marker, no temporary file left


def test_a_translated_bundle_without_the_original_is_refused(tmp_path, capsys):
    prefix = _fake_prefix(tmp_path, with_pristine_copy=False)
    target = prefix / EXTENSION
    translate(target, target)
    marker = json.loads((target / MARKER).read_text(encoding="utf-8"))
    (target / MARKER).write_text(json.dumps({**marker, "table": "0" * 64}), encoding="utf-8")
    before = _snapshot(target)
    assert nbgrader_fr.main([str(prefix)]) == 1
    assert "Réinstallez nbgrader" in capsys.readouterr().err
    assert _snapshot(target) == before


def test_an_environment_without_nbgrader_is_named(tmp_path, capsys):
    assert nbgrader_fr.main([str(tmp_path)]) == 1
    assert "installez nbgrader" in capsys.readouterr().err


def test_the_project_environment_is_translated_by_make_install():
    assert nbgrader_fr.is_translated(Path(sys.prefix) / EXTENSION, TABLE), \
        "l'extension de nbgrader de .venv est en anglais : make install (ou python -m mdpc_utils.jupyterlab.nbgrader_fr)"
