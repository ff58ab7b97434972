"""Lessons candidates can have, and the trainer's check of a source in place (issue 16, items 2 and 6).

Lessons (``cours/<bloc>/``) teach on data of their own (``donnees/``, made by ``datagen/lecons.py``), never
read the trainer's folder, name no person or firm of the cases, and are released through nbgrader as
assignments ``lecon_<bloc>`` under ``release/lecons/`` (``tests/test_notebooks.py`` regenerates the whole
release/ and compares). ``mdpc valider`` runs ``nbgrader validate`` on a source assignment in place with its
answer key, which the candidate kit reads only when that command names it for the notebook's own folder.
"""

import json
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from mdpc import CAS_DIR, COURS_DIR, PROJECT_ROOT, RELEASE_DIR
from mdpc.authoring.datagen import lecons
from mdpc.grading.course import nbgrader_env
from mdpc.grading.release import LESSON_PREFIX, LESSONS_RELEASE, lesson_folders
from mdpc_utils.answers import ANSWERS_FILE, TRAINER_KEY_ENV, AnswerStore

LESSONS = sorted(COURS_DIR.glob("*/*.ipynb"))
RELEASED = {a: RELEASE_DIR / LESSONS_RELEASE / a for a in lesson_folders(PROJECT_ROOT)}
CASE_DATA = sorted(CAS_DIR.glob("*/data/*"))
# columns of the case data that name people and firms
NAME_COLUMNS = {"commercial", "client", "concurrent", "partenaire", "raison_sociale", "contact_nom", "responsable"}
SUCCESS = "Success! Your notebook passes all the tests."


def _ids(paths):
    return [p.relative_to(PROJECT_ROOT).as_posix() for p in paths]


def _lesson_texts():
    """Every text a lesson ships: its notebook, its data, its data README (source and release)."""
    folders = [*(p.parent for p in LESSONS), *RELEASED.values()]
    return {p: p.read_text(encoding="utf-8") for f in folders for p in sorted(f.rglob("*")) if p.is_file()}


def test_every_lesson_has_its_data_and_its_release():
    assert len(LESSONS) == 5 and sorted(RELEASED) == sorted(f"{LESSON_PREFIX}{p.parent.name}" for p in LESSONS)
    for lesson in LESSONS:
        assert (lesson.parent / "donnees" / "README.md").is_file()
        assert len(list((lesson.parent / "donnees").glob("*.csv"))) >= 2


def test_committed_lesson_data_is_reproducible(tmp_path):
    written = lecons.write_lecons(tmp_path)
    assert {p.relative_to(tmp_path) for p in written} == {
        p.relative_to(COURS_DIR) for p in COURS_DIR.glob("*/donnees/*")}, "fichiers en trop ou manquants"
    for path in written:
        committed = COURS_DIR / path.relative_to(tmp_path)
        assert committed.read_bytes() == path.read_bytes(), f"{committed} diffère : lancez `mdpc donnees`"


def test_the_generator_is_seeded():
    """Same seed, same tables; another seed, other draws (the seed is what makes them reproducible)."""
    a, b, c = lecons.tables(), lecons.tables(), lecons.tables(lecons.SEED_LECONS + 1)
    perf = ("B4_pilotage_performance", "ventes_mensuelles.csv")
    pd.testing.assert_frame_equal(a[perf[0]][perf[1]], b[perf[0]][perf[1]])
    assert not a[perf[0]][perf[1]].equals(c[perf[0]][perf[1]])


@pytest.mark.parametrize("lesson", LESSONS, ids=_ids(LESSONS))
def test_no_lesson_reads_the_trainers_folder(lesson):
    """No path to cas_pratiques/, the answer keys or a case data file; the lesson's data sit beside it."""
    case_files = {p.stem for p in CASE_DATA if p.suffix == ".csv"}
    own = {p.stem for p in (lesson.parent / "donnees").glob("*.csv")}
    assert not case_files & own, f"nom de fichier de données d'un cas réutilisé : {sorted(case_files & own)}"
    nb = nbformat.read(lesson, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    for forbidden in ("cas_pratiques", "../", "data/", "reponses.json", "mes_donnees"):
        assert forbidden not in text, f"{lesson.name} mentionne « {forbidden} »"
    assert not re.search(r"\bcorrige\b", text), f"{lesson.name} mentionne le dossier corrige"
    named = {n for n in case_files if re.search(rf"[\"'/]{re.escape(n)}(\.csv)?[\"']", text)}
    assert not named, f"{lesson.name} nomme des fichiers de données des cas : {sorted(named)}"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    loaded = set(re.findall(r"load_csv\(\"(\w+)\"", code))
    assert loaded and loaded <= own, f"{lesson.name} lit des fichiers absents de donnees/ : {sorted(loaded - own)}"
    assert re.search(r'^DONNEES = "donnees"', code, re.M)


def _case_names() -> set[str]:
    names = {"Ombelle"}
    for path in CASE_DATA:
        if path.suffix == ".csv":
            df = pd.read_csv(path, dtype=str, keep_default_na=False)
            for col in NAME_COLUMNS & set(df.columns):
                names |= {v for v in df[col] if len(v) >= 6}
    return names


def test_lessons_name_no_person_nor_firm_of_the_cases():
    case_names = _case_names()
    assert len(case_names) > 50
    hits = {f"{p.relative_to(PROJECT_ROOT)} : {n}" for p, text in _lesson_texts().items() for n in case_names if n in text}
    assert not hits, f"personnes ou entreprises des cas dans les leçons : {sorted(hits)[:20]}"


def test_the_lessons_people_and_firms_are_not_the_cases():
    ours = {lecons.FIRM, *lecons.TEAM.commercial, *lecons.CLIENTS, *lecons.COMPETITORS}
    for folder in (CAS_DIR, *(RELEASE_DIR / p.name for p in CAS_DIR.glob("B*"))):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in (".ipynb", ".csv", ".md", ".json", ".yaml"):
                text = path.read_text(encoding="utf-8")
                assert not [n for n in ours if n in text], path


@pytest.mark.parametrize("assignment", sorted(RELEASED), ids=sorted(RELEASED))
def test_a_released_lesson_is_its_source(assignment):
    """No solution, no test: the release holds the same cells and the same data, without outputs."""
    source, released = COURS_DIR / assignment.removeprefix(LESSON_PREFIX), RELEASED[assignment]
    files = lambda f: sorted(p.relative_to(f).as_posix() for p in f.rglob("*") if p.is_file())  # noqa: E731
    assert files(released) == files(source)
    for rel in files(source):
        if rel.endswith(".ipynb"):
            a, b = (nbformat.read(f / rel, as_version=4) for f in (source, released))
            assert [(c.cell_type, c.source) for c in a.cells] == [(c.cell_type, c.source) for c in b.cells]
            assert not any(c.get("outputs") or c.get("execution_count") for c in b.cells)
            assert not any(c.metadata.get("nbgrader", {}).get("grade") or c.metadata.get("nbgrader", {}).get("solution")
                           for c in b.cells)
        else:
            assert (source / rel).read_bytes() == (released / rel).read_bytes(), rel


@pytest.mark.slow  # about 3 s per lesson
@pytest.mark.parametrize("assignment", sorted(RELEASED), ids=sorted(RELEASED))
def test_a_released_lesson_runs_alone(assignment, tmp_path):
    """A candidate's copy of the released lesson, and nothing of the project around it, is enough."""
    folder = tmp_path / assignment
    shutil.copytree(RELEASED[assignment], folder)
    for path in folder.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, errors


@pytest.mark.slow  # one nbgrader run (10 to 30 s)
def test_a_lesson_goes_out_through_the_exchange(tmp_path):
    """The trainer hands a lesson out like a case: nbgrader release_assignment, from release/lecons/."""
    course = tmp_path / "cours"
    course.mkdir()
    shutil.copy(PROJECT_ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(RELEASE_DIR / LESSONS_RELEASE, course / "release" / LESSONS_RELEASE)
    assignment = sorted(RELEASED)[0]
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "release_assignment", assignment,
                           f"--CourseDirectory.release_directory=release/{LESSONS_RELEASE}"], cwd=course,
                          env=nbgrader_env(), text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:]
    outbound = course / "echange" / "mdpc" / "outbound" / assignment
    assert sorted(p.relative_to(outbound) for p in outbound.rglob("*") if p.is_file()) == sorted(
        p.relative_to(RELEASED[assignment]) for p in RELEASED[assignment].rglob("*") if p.is_file())


# -- the trainer's check in place (issue 16, item 6) -----------------------------------------------------------

def _folder_with_key(root: Path, answers: dict) -> tuple[Path, Path]:
    folder = root / "B9_devoir"
    (folder / "corrige").mkdir(parents=True)
    key = folder / "corrige" / "reponses_corrige.json"
    key.write_text(json.dumps(answers), encoding="utf-8")
    return folder, key


def test_the_kit_reads_the_key_only_when_the_trainers_command_names_it(tmp_path, monkeypatch):
    folder, key = _folder_with_key(tmp_path, {"C9_1": {"q": "réponse de référence"}})
    monkeypatch.chdir(folder)
    monkeypatch.delenv(TRAINER_KEY_ENV, raising=False)
    assert AnswerStore("C9_1").answers() == {}, "sans la commande du formateur, le corrigé n'est jamais lu"
    monkeypatch.setenv(TRAINER_KEY_ENV, "corrige/reponses_corrige.json")
    assert AnswerStore("C9_1").answers() == {}, "chemin relatif : refusé"
    monkeypatch.setenv(TRAINER_KEY_ENV, str(key))
    store = AnswerStore("C9_1")
    assert store.answers() == {"q": "réponse de référence"}
    before = key.read_bytes()
    store.set("q", "autre chose")
    assert key.read_bytes() == before and not (folder / ANSWERS_FILE).exists(), "la vérification n'écrit rien"
    (folder / ANSWERS_FILE).write_text(json.dumps({"C9_1": {"q": "saisie"}}), encoding="utf-8")
    assert AnswerStore("C9_1").get("q") == "saisie", "un fichier de réponses présent passe toujours en premier"


def test_a_key_named_for_another_folder_gives_nothing_to_a_copy(tmp_path, monkeypatch):
    """A variable left set in a trainer's shell (or the key of the sources) never feeds a candidate's copy, even
    one that planted a corrige/ folder of its own."""
    _, trainer_key = _folder_with_key(tmp_path / "sources", {"C9_1": {"q": "réponse de référence"}})
    copy, planted = _folder_with_key(tmp_path / "copie", {"C9_1": {"q": "réponse plantée"}})
    monkeypatch.chdir(copy)
    monkeypatch.setenv(TRAINER_KEY_ENV, str(trainer_key))
    assert AnswerStore("C9_1").answers() == {}
    planted.unlink()
    planted.symlink_to(trainer_key)
    monkeypatch.setenv(TRAINER_KEY_ENV, str(planted))
    assert AnswerStore("C9_1").answers() == {}, "un lien n'est jamais suivi"


VALIDATED = "B4_management_equipe"


def _plain_validate(folder: Path, name: str) -> str:
    env = {k: v for k, v in nbgrader_env().items() if k != TRAINER_KEY_ENV}
    return subprocess.run([sys.executable, "-m", "nbgrader", "validate", name], cwd=folder, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1800).stdout


def _trainer_validate() -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mdpc.cli", "valider", VALIDATED, "--cours", str(PROJECT_ROOT)],
                          cwd=PROJECT_ROOT, env=nbgrader_env(), text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=1800)


@pytest.mark.slow  # nbgrader validate on one assignment's sources, and on one notebook of a copy (about 60 s)
def test_the_trainers_check_passes_in_place_and_a_plain_copy_still_does_not(tmp_path):
    source = CAS_DIR / VALIDATED
    notebooks = sorted(p.name for p in source.glob("*.ipynb"))
    copy = tmp_path / VALIDATED
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns(ANSWERS_FILE))  # corrige/ included, no variable
    before = {p.relative_to(source): p.read_bytes() for p in source.rglob("*") if p.is_file()}
    with ThreadPoolExecutor(max_workers=2) as pool:
        trainer = pool.submit(_trainer_validate)
        plain = pool.submit(_plain_validate, copy, "C4_6_equipe_hybride.ipynb")
        trainer, plain = trainer.result(), plain.result()
    assert trainer.returncode == 0, trainer.stdout[-3000:]
    assert trainer.stdout.count(SUCCESS) == len(notebooks), trainer.stdout[-3000:]
    assert "carnet(s) sur" in trainer.stdout and "passent tous les tests" in trainer.stdout
    after = {p.relative_to(source): p.read_bytes() for p in source.rglob("*") if p.is_file()}
    assert after == before, "la vérification du formateur n'écrit rien dans les sources (ni reponses.json, ni corrigé)"
    assert SUCCESS not in plain and "VALIDATION FAILED" in plain, plain[-3000:]


def test_the_trainers_command_refuses_an_unknown_assignment(capsys):
    from mdpc.cli import main

    assert main(["valider", "B9_inconnu", "--cours", str(PROJECT_ROOT)]) == 2
    assert "Devoir inconnu" in capsys.readouterr().err
