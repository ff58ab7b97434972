"""JupyterLab in a real browser: a candidate fills a widget form, saves, and autograde scores the answer.

JupyterLab starts on loopback in a candidate's folder (a fetched copy of ``B4_management_equipe``) with the
project's environment (nbgrader's and ipywidgets' extensions); Debian's Chromium, headless, is driven by
Playwright with its executable path set (no browser is downloaded). The candidate runs the setup cell and
the key-messages form of C4.4, types the three messages, saves; the answers must be in ``reponses.json``,
and ``mdpc autograde`` must then give the test that guards them its point. Screenshots are kept in
``tests/artefacts/navigateur/`` (not versioned).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import mdpc_utils
from mdpc import CAS_DIR, demo
from mdpc.authoring.demo_cohort import make_submission
from mdpc.grading.autograde import autograde_cohort
from mdpc.grading.course import nbgrader_env

pytestmark = pytest.mark.slow
A, NB = "B4_management_equipe", "C4_4_reunion_pilotage"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTEFACTS = Path(__file__).parent / "artefacts" / "navigateur"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]
TOKEN = "jeton-de-test-mdpc"
CANDIDATES_CONFIG = Path(mdpc_utils.__file__).parent / "jupyterlab" / "candidats"
RUN_MENU = "Exécution"  # the Run menu, in the language pack


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]



def _start_lab(port: int, folder: Path, settings: Path, env: dict, log: Path):
    """A JupyterLab server on loopback, opened on `folder` with the settings of `settings`; (process, base URL)
    once it answers, else the test fails with the end of its log."""
    server = subprocess.Popen([sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
                               f"--port={port}", f"--IdentityProvider.token={TOKEN}", f"--notebook-dir={folder}",
                               "--ServerApp.allow_root=True", f"--LabApp.app_settings_dir={settings}"],
                              cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "w"))  # noqa: SIM115
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=1)
            return server, base
        except OSError:
            time.sleep(0.5)
    server.kill()
    pytest.fail("JupyterLab n'a pas démarré : " + log.read_text()[-2000:])

def playwright_and_chromium():
    """Playwright's sync API, or the test skipped with what to install (Playwright, or Chromium)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright absent : pip install -e '.[test]'")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium absent (paquet Debian « chromium ») : make test l'installe en root")
    return sync_api


@pytest.fixture(scope="module")
def chromium():
    """One Playwright and one Chromium for the module: Playwright's sync API runs one instance at a time."""
    with playwright_and_chromium().sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory, chromium):
    root = tmp_path_factory.mktemp("navigateur")
    course = demo.prepare_course(root / "cours")
    with course.gradebook() as gb:  # `nbgrader db assignment add` and `db student add`, through nbgrader's API
        gb.update_or_create_assignment(A, duedate=demo.DUE)
        gb.update_or_create_student("n01", first_name="Nina", last_name="Navigateur")
    course.run_in_process("generate_assignment", A)
    home = root / "candidat"
    shutil.copytree(course.root / "release" / A, home / A)
    settings = root / "reglages"  # the project's JupyterLab settings (make installs them into .venv)
    settings.mkdir()
    shutil.copy(Path(mdpc_utils.__file__).parent / "jupyterlab" / "overrides.json", settings / "overrides.json")
    port = _free_port()
    # the candidates' JupyterLab (README, « Environnement des candidats »): nbgrader's teacher tools switched off
    env = {**nbgrader_env(), "JUPYTER_CONFIG_DIR": str(root / "config"), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
           "JUPYTER_CONFIG_PATH": str(CANDIDATES_CONFIG)}
    server, base = _start_lab(port, home, settings, env, root / "lab.log")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield {"base": base, "home": home, "course": course, "browser": chromium}
    finally:
        server.terminate()
        server.wait(timeout=30)


def _cell(page, notebook: Path, text: str):
    """The cell of the open notebook whose source contains `text` (found in the file: a form cell shows no code)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    index = next(k for k, c in enumerate(cells) if text in "".join(c["source"]))
    return page.locator(".jp-Notebook .jp-Cell").nth(index)


def _run_cell(page, cell, until) -> None:
    """Select the cell by its prompt, run it (Shift+Enter) and wait for `until` (a locator) to appear."""
    cell.scroll_into_view_if_needed()
    for attempt in range(3):  # a keystroke can be lost while the page is busy: nothing then appears
        cell.locator(".jp-InputPrompt").first.click()
        page.keyboard.press("Shift+Enter")
        try:
            until.first.wait_for(timeout=5_000 if attempt < 2 else 60_000)
            return
        except Exception:
            if attempt == 2:
                raise


def test_candidate_fills_a_form_in_jupyterlab_and_autograde_scores_it(lab):
    answers = json.loads((CAS_DIR / A / "corrige" / "reponses_corrige.json").read_text(encoding="utf-8"))[NB]
    page = lab["browser"].new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(120_000)  # a loaded machine (another job, a slow CI) must not fail the test
    page.goto(f"{lab['base']}/lab/tree/{A}/{NB}.ipynb?token={TOKEN}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=60_000)
    # the candidates' JupyterLab speaks French and shows no teacher tool of nbgrader
    assert page.locator(".lm-MenuBar-item", has_text="Fichier").count() == 1
    assert page.locator(".lm-MenuBar-item", has_text=re.compile(r"^\s*File\s*$")).count() == 0
    page.locator(".lm-MenuBar-item", has_text="Nbgrader").first.click()
    menu = page.locator(".lm-Menu").last.inner_text()
    page.keyboard.press("Escape")
    assert "Liste des devoirs" in menu and "Formgrader" not in menu and "Liste des cours" not in menu, menu
    assert not page.get_by_text(re.compile("Créer un devoir|Create Assignment|Formgrader")).count()
    try:
        urllib.request.urlopen(f"{lab['base']}/formgrader?token={TOKEN}", timeout=10)
        raise AssertionError("formgrader est servi dans le JupyterLab des candidats")
    except urllib.error.HTTPError as exc:
        assert exc.code == 404
    notebook = lab["home"] / A / f"{NB}.ipynb"
    setup = _cell(page, notebook, 'NOTEBOOK = "C4_4_reunion_pilotage"')
    _run_cell(page, setup, setup.locator(".jp-InputArea-prompt", has_text=re.compile(r"\[\d+\]")))
    form = _cell(page, notebook, 'messages = Form(NOTEBOOK, "messages"')
    # the form cell shows its widgets, not its code (one click on the placeholder would show the code)
    # (JupyterLab shows a hidden cell's first line: the form's French headline)
    placeholder = form.locator(".jp-InputPlaceholder")
    assert placeholder.count() == 1 and "Form(" not in form.inner_text(), form.inner_text()
    assert "Formulaire « Messages clés de la réunion »" in placeholder.inner_text()
    boxes = form.locator(".jp-OutputArea textarea")
    _run_cell(page, form, boxes)
    assert boxes.count() == 3
    for k, key in enumerate(("enjeux", "objectifs", "vigilance")):
        boxes.nth(k).fill(answers[f"messages.{key}"])
        boxes.nth(k).press("Tab")
    page.screenshot(path=str(ARTEFACTS / "formulaire_C4_4.png"), full_page=False)
    saved = lab["home"] / A / "reponses.json"
    for _ in range(60):
        data = json.loads(saved.read_text(encoding="utf-8")) if saved.exists() else {}
        if all(data.get(NB, {}).get(f"messages.{k}") for k in ("enjeux", "objectifs", "vigilance")):
            break
        time.sleep(0.5)
    assert data[NB]["messages.objectifs"] == answers["messages.objectifs"]
    # Ctrl+S typed inside a form field saves the notebook (mdpc_utils/jupyterlab/enregistrer: ipywidgets stops the
    # key events of its fields, JupyterLab reads its shortcuts as they bubble up)
    before = notebook.stat().st_mtime_ns
    boxes.nth(2).click()
    boxes.nth(2).press("End")
    page.keyboard.press("Control+s")
    for _ in range(40):
        if notebook.stat().st_mtime_ns > before and page.locator(".jp-mod-dirty").count() == 0:
            break
        page.wait_for_timeout(250)
    assert notebook.stat().st_mtime_ns > before, "Ctrl+S dans un champ de formulaire n'a pas enregistré le carnet"
    assert page.locator(".jp-mod-dirty").count() == 0
    page.close()

    root = lab["course"].root
    copy = root / "submitted" / "n01" / A
    shutil.copytree(lab["home"] / A, copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (copy / "timestamp.txt").write_text("2027-01-08 10:00:00.000000 UTC", encoding="utf-8")
    assert autograde_cohort(lab["course"], A, ["n01"], progress=False, without_isolation=True) == {}
    with lab["course"].gradebook() as gb:
        grades = {g.name: g.score for g in gb.find_submission_notebook(NB, A, "n01").grades
                  if g.auto_score is not None}
    assert grades["C4_4_test_messages"] == 1  # the answers typed in the browser earn the point
    assert grades["C4_4_test_retours"] == 0   # a form left empty earns nothing


def test_assignment_list_and_validate_button_speak_french(lab):
    """nbgrader's extension, translated by make install (mdpc_utils/jupyterlab/nbgrader_fr.py): the notebook's
    « Vérifier » button, the Nbgrader menu and the assignment list tab show French, no English. An exchange of
    its own, read by nbgrader's server extension through a nbgrader_config.py in the candidate's folder: one
    assignment released, the candidate's fetched copy of A (its buttons « Remettre », « Vérifier »)."""
    started = time.monotonic()
    exchange = lab["home"].parent / "echange-devoirs"
    for assignment in (A, "lecon_B4"):
        shutil.copytree(lab["home"] / A, exchange / "mdpc" / "outbound" / assignment, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.json", ".ipynb_checkpoints"))
    config = lab["home"] / "nbgrader_config.py"
    config.write_text(f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\n", encoding="utf-8")
    page = lab["browser"].new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{lab['base']}/lab/workspaces/devoirs/tree/{A}/{NB}.ipynb?token={TOKEN}&reset")
        button = page.locator(".validate-button")
        button.wait_for()
        assert button.inner_text().strip() == "Vérifier", button.inner_text()
        assert button.first.get_attribute("title") == "Vérifier le carnet avec les tests du devoir"
        page.locator(".lm-MenuBar-item", has_text="Nbgrader").first.click()
        page.locator(".lm-Menu-item", has_text="Liste des devoirs").first.click()
        panel = page.locator("#nbgrader-assignment-list")
        panel.locator(".panel-heading", has_text="Devoirs diffusés").wait_for()
        panel.locator("button", has_text="Récupérer").wait_for()
        panel.locator(".assignment-notebooks-link").first.click()  # the fetched assignment's notebooks
        panel.locator(".assignment-notebooks button", has_text="Vérifier").first.wait_for()
        text = panel.inner_text()
        page.screenshot(path=str(ARTEFACTS / "liste_des_devoirs.png"), full_page=False)
        for french in ("Devoirs diffusés, récupérés et remis du cours :", "Devoirs diffusés", "Devoirs récupérés",
                       "Devoirs remis", "Aucun devoir remis.", "Récupérer", "Remettre"):
            assert french in text, (french, text)
        english = re.compile(r"assignments|Released|Downloaded|Submitted|Loading|Fetch|Submit|Validate|course")
        assert not english.search(text), text
        assert page.locator(".lm-TabBar-tab.lm-mod-current", has_text="Devoirs").count() >= 1
    finally:
        page.close()
        config.unlink()
    print(f"liste des devoirs : {time.monotonic() - started:.1f} s (hors démarrage de JupyterLab)")


WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
CASES = sorted(CAS_DIR.glob("*/*.ipynb"))
# About 7 s a case on 2 cores (run, save, count the widget views, screenshot). `make test` renders one case per
# bloc, together every kind of field the kit has (texte, long, nombre, entier, choix, multiple, date) and the
# interactive dashboard; MDPC_NAVIGATEUR_COMPLET=1 renders all twenty (README, « Tests »).
SAMPLE = {"C1_1_etude_de_marche", "C2_3_reseau_partenaires", "C3_3_contrat", "C4_2_tableau_de_bord"}
SWEEP = CASES if os.environ.get("MDPC_NAVIGATEUR_COMPLET") else [c for c in CASES if c.stem in SAMPLE]


@pytest.fixture(scope="module")
def worked(lab):
    """Every released case, worked as by a candidate who answered everything (solution code and answers)."""
    out = {}
    for assignment in sorted({p.parent.name for p in SWEEP}):
        folder = lab["home"] / "travaux" / assignment
        shutil.copytree(lab["course"].root / "release" / assignment if assignment == A else
                        demo.PROJECT_ROOT / "release" / assignment, folder)
        make_submission(folder, CAS_DIR / assignment)
        out[assignment] = folder
    return out


def _run_all(page) -> None:
    """Run > Run All Cells, again if the notebook did not start (a menu opened before the kernel was ready)."""
    first = page.locator(".jp-CodeCell .jp-InputArea-prompt").first
    for _ in range(3):
        dialog = page.locator(".jp-Dialog")
        if dialog.count():  # a dialog of a loaded machine (kernel choice, slow server) would take the click
            print("Dialogue de JupyterLab accepté :", dialog.first.inner_text()[:300])
            dialog.first.locator(".jp-mod-accept").first.click()
        page.locator(".lm-MenuBar-item", has_text=RUN_MENU).first.click()
        page.locator(".lm-Menu-item", has_text="Exécuter toutes les cellules").first.click()
        try:
            page.wait_for_function("el => /\\[(\\*|\\d+)\\]/.test(el.textContent)", arg=first.element_handle(),
                                   timeout=5_000)  # the prompt turns to [*] as soon as the run is queued
            return
        except Exception:
            page.keyboard.press("Escape")
    raise AssertionError("JupyterLab n'a pas lancé l'exécution du carnet (Run All Cells)")


@pytest.mark.parametrize("case", SWEEP, ids=[p.stem for p in SWEEP])
def test_released_cases_render_their_widgets(lab, worked, case):
    page = lab["browser"].new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(120_000)  # a loaded machine (another job, a slow CI) must not fail the test
    try:
        # a workspace of its own, reset: no tab of another case is restored beside this one
        page.goto(f"{lab['base']}/lab/workspaces/{case.stem}/tree/travaux/{case.parent.name}/{case.name}"
                  f"?token={TOKEN}&reset")
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=60_000)
        _run_all(page)
        last = page.locator(".jp-CodeCell .jp-InputArea-prompt").last
        page.wait_for_function("el => /\\[\\d+\\]/.test(el.textContent)", arg=last.element_handle(), timeout=120_000)
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=60_000)
        page.keyboard.press("Control+s")
        saved = worked[case.parent.name] / case.name
        expected = 0
        for _ in range(40):  # the saved notebook says how many widget views the run displayed
            page.wait_for_timeout(250)
            try:
                cells = json.loads(saved.read_text(encoding="utf-8"))["cells"]
            except ValueError:  # being written
                continue
            expected = sum(WIDGET_MIME in o.get("data", {}) for c in cells if c["cell_type"] == "code"
                           for o in c.get("outputs", []))
            if expected:
                break
        assert expected > 0, f"{case.stem} : aucun widget dans le carnet exécuté"
        shown = page.locator(".jp-OutputArea-output:has(.jupyter-widgets)")
        assert shown.count() == expected, (case.stem, shown.count(), expected)
        for k in range(shown.count()):
            text = shown.nth(k).inner_text()
            assert "Error displaying widget" not in text and "Loading widget" not in text, (case.stem, k, text[:200])
        assert page.get_by_text("Error displaying widget").count() == 0, case.stem
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert not any("Traceback" in errors.nth(k).inner_text() for k in range(errors.count())), case.stem
        page.screenshot(path=str(ARTEFACTS / f"{case.stem}.png"), full_page=False)
    finally:
        page.close()


# -- a whole case by mouse and keyboard (issue 17, item 7) ------------------------------------------------------
# A candidate who writes no code answers one whole case per bloc in the browser: the forms, the tables built
# with the recipe tool, the grids — by clicking and typing what `corrige/reponses_sans_code.json` and
# `corrige/reponses_corrige.json` hold, through the widgets only (each field is found by its stable CSS class,
# `mdpc-<name>-<key>`). The notebook is saved with Ctrl+S, handed in unchanged (no code cell edited) and
# autograded: every autograded test of the case must give all its points.
# `make test` answers C4.3 (about a minute on 2 cores); MDPC_NAVIGATEUR_COMPLET=1 answers one case per bloc.
WHOLE_CASES = {"B1_strategie_developpement": "C1_1_etude_de_marche", "B2_deploiement_strategies": "C2_1_plan_prospection",
               "B3_pilotage_projets": "C3_2_tableau_de_bord_projet", "B4_pilotage_performance": "C4_3_analyse_statistique"}
WHOLE_SWEEP = sorted(WHOLE_CASES) if os.environ.get("MDPC_NAVIGATEUR_COMPLET") else ["B4_pilotage_performance"]
def _css(*parts) -> str:
    """The selector of a kit field, from the same class the kit gives it (mdpc_utils.forms.dom_class)."""
    from mdpc_utils.forms import dom_class
    return "." + dom_class(*parts)


STEP_LABELS = {op: label for op, (label, _) in __import__("mdpc_utils.recette", fromlist=["OPERATIONS"]).OPERATIONS.items()}


def _select(root, label) -> None:
    root.locator("select").first.select_option(label=str(label))


def _type(page, root, value) -> None:
    """Enter one value in the field whose root is `root`, as a person would (select, type, Enter or Tab)."""
    root.first.scroll_into_view_if_needed()
    if root.locator("select[multiple]").count():
        root.locator("select").first.select_option(label=[str(v) for v in value])
    elif root.locator("select").count():
        if value is not None:
            _select(root, value)
    elif root.locator("textarea").count():
        root.locator("textarea").first.fill(str(value or ""))
        root.locator("textarea").first.press("Tab")
    else:
        box = root.locator("input").first
        box.fill("" if value is None else str(value))
        box.press("Enter" if box.get_attribute("type") in ("text", None) else "Tab")


def _enter_recipe(page, name: str, recipe: dict) -> None:
    from mdpc_utils.recette import MODES, ORDERS
    labels = {v: k for k, v in MODES + ORDERS}
    _select(page.locator(_css(name, "depart")), recipe["depart"])
    for i, step in enumerate(recipe["etapes"], 1):
        params = [p for p in step if p != "op"]
        for attempt in range(3):
            # ipywidgets holds a field's change while the kernel is busy, not a button's click: on a loaded
            # machine the click can reach the kernel first and add a step of the previous kind; removed, retried
            _select(page.locator(_css(name, "nouvelle")), STEP_LABELS[step["op"]])
            page.wait_for_timeout(500 * attempt)
            page.locator(_css(name, "ajouter")).first.click()
            remove = page.locator(_css(name, f"e{i}", "supprimer")).first
            remove.wait_for(timeout=30_000)
            if not params:
                break
            try:
                page.locator(_css(name, f"e{i}", params[0])).first.wait_for(timeout=15_000)
                break
            except Exception:  # noqa: BLE001 — playwright's TimeoutError: a step of another kind
                if attempt == 2:
                    raise
                remove.click()
                remove.wait_for(state="detached", timeout=30_000)
        for param, value in step.items():
            if param == "op":
                continue
            root = page.locator(_css(name, f"e{i}", param))
            if param in ("mode", "ordre"):
                _select(root, labels[value])
            else:
                _type(page, root, value)


def _enter_grid(page, name: str, rows: list[dict]) -> None:
    for i, row in enumerate(rows):
        first = next(iter(row), None)
        if first is None:
            continue
        for _ in range(3):
            if page.locator(_css(name, f"l{i}", first)).count():
                break
            page.locator(_css(name, "ajouter")).first.click()
            page.wait_for_timeout(300)
        for key, value in row.items():
            _type(page, page.locator(_css(name, f"l{i}", key)), value)


@pytest.mark.parametrize("assignment", WHOLE_SWEEP)
def test_a_whole_case_answered_with_mouse_and_keyboard_earns_every_point(lab, assignment):
    case = WHOLE_CASES[assignment]
    source = CAS_DIR / assignment / "corrige"
    answers = json.loads((source / "reponses_corrige.json").read_text(encoding="utf-8")).get(case, {})
    answers |= json.loads((source / "reponses_sans_code.json").read_text(encoding="utf-8")).get(case, {})
    folder = lab["home"] / "souris" / assignment
    shutil.copytree(demo.PROJECT_ROOT / "release" / assignment, folder)
    released = [c["source"] for c in json.loads((folder / f"{case}.ipynb").read_text(encoding="utf-8"))["cells"]
                if c["cell_type"] == "code"]
    page = lab["browser"].new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(120_000)  # a loaded machine (another job, a slow CI) must not fail the test
    try:
        page.goto(f"{lab['base']}/lab/workspaces/souris-{case}/tree/souris/{assignment}/{case}.ipynb?token={TOKEN}&reset")
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=60_000)
        _run_all(page)  # every form, tool and grid of the blank copy shows
        last = page.locator(".jp-CodeCell .jp-InputArea-prompt").last
        page.wait_for_function("el => /\\[\\d+\\]/.test(el.textContent)", arg=last.element_handle(), timeout=120_000)
        for key, value in answers.items():
            name, _, what = key.rpartition(".")
            if what == "recette":
                _enter_recipe(page, name, value)
            elif what == "lignes":
                _enter_grid(page, name, value)
            else:
                _type(page, page.locator(_css(name, what)), value)
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=60_000)
        page.screenshot(path=str(ARTEFACTS / f"souris_{case}.png"), full_page=False)
        page.keyboard.press("Control+s")
        page.wait_for_timeout(1500)
    finally:
        page.close()
    saved = json.loads((folder / "reponses.json").read_text(encoding="utf-8"))[case]
    for key, value in answers.items():
        if key.endswith(".recette"):
            got = saved[key]
            assert got["depart"] == value["depart"] and [{k: s.get(k) for k in e} for s, e in zip(
                got["etapes"], value["etapes"], strict=True)] == value["etapes"], key
        elif not key.endswith(".lignes"):
            assert saved.get(key) == value, (key, saved.get(key), value)
    mine = [c["source"] for c in json.loads((folder / f"{case}.ipynb").read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "code"]
    assert mine == released, "une cellule de code a changé : le candidat n'a rien programmé"
    course = lab["course"]
    with course.gradebook() as gb:
        gb.update_or_create_assignment(assignment, duedate=demo.DUE)
    course.run_in_process("generate_assignment", assignment)
    copy = course.root / "submitted" / "n01" / assignment
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (copy / "timestamp.txt").write_text("2027-01-08 10:00:00.000000 UTC", encoding="utf-8")
    assert autograde_cohort(course, assignment, ["n01"], progress=False, without_isolation=True) == {}
    with course.gradebook() as gb:
        grades = {g.name: (g.score, g.max_score) for g in gb.find_submission_notebook(case, assignment, "n01").grades
                  if g.auto_score is not None}
    lost = {k: f"{s}/{m}" for k, (s, m) in grades.items() if s < m}
    assert grades and not lost, f"{case} : points perdus {lost}"


# -- the grader's day: one criterion for two candidates, keyboard only (issue 21, item 3) ---------------------
# A project folder as after `make demo` (nbgrader_config.py at its root, no gradebook there; the graded course
# demo_mdpc/ inside, two candidates) and the grading notebook in grilles/, in the graders' JupyterLab (nbgrader's
# tools on). The notebook finds the course by itself; the cells are run from the menu; then the grader uses
# the keyboard only: « 2e » Entrée (level 2, saved), « c » Entrée (next copy, same criterion), « é » (AZERTY's 2
# without Maj) « e » Entrée; Tab reaches a competency's header, Entrée opens it. The journal must hold both
# ratings, signed by the grader; nothing may be created at the project's root.
@pytest.fixture(scope="module")
def grader_lab(tmp_path_factory, chromium):
    from test_journee_correcteur import graded_course

    project = tmp_path_factory.mktemp("correcteur")
    shutil.copy(demo.PROJECT_ROOT / "nbgrader_config.py", project / "nbgrader_config.py")
    (project / "grilles").mkdir()
    shutil.copy(demo.PROJECT_ROOT / "grilles" / "saisie_des_notes.ipynb", project / "grilles")
    course = graded_course(project / "demo_mdpc")
    # n01's graded copy (the released notebooks as they are): the form links to its read-only page
    shutil.copytree(course.root / "release" / "B4_pilotage_performance", course.root / "autograded" / "n01" /
                    "B4_pilotage_performance")
    settings = project.parent / f"{project.name}-reglages"
    settings.mkdir()
    shutil.copy(Path(mdpc_utils.__file__).parent / "jupyterlab" / "overrides.json", settings / "overrides.json")
    port = _free_port()
    env = {**nbgrader_env(), "JUPYTER_CONFIG_DIR": str(settings / "config"), "JUPYTER_RUNTIME_DIR": str(settings / "runtime"),
           "MDPC_CORRECTEUR": "M. Clavier"}  # as `make lab CORRECTEUR="M. Clavier"`
    log = settings / "lab.log"
    server, base = _start_lab(port, project, settings, env, log)
    try:
        yield {"base": base, "project": project, "course": course, "browser": chromium}
    finally:
        server.terminate()
        server.wait(timeout=30)


def _tab_to(page, selector: str, key: str = "Tab") -> None:
    """Press Tab (or `key`) until the focus is inside `selector` (at most 40 times)."""
    for _ in range(40):
        if page.evaluate("s => !!(document.activeElement && document.activeElement.closest(s))", selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} n'a pas reçu le focus au clavier ({key})")


def _command(page, keys: str, expect: str) -> None:
    """Type `keys` then Entrée in the focused field, and wait for the form's answer `expect`."""
    page.keyboard.type(keys)
    page.keyboard.press("Enter")
    page.locator(".mdpc-clavier-message", has_text=expect).last.wait_for(timeout=30_000)


def test_a_grader_rates_one_criterion_for_two_candidates_with_the_keyboard_only(grader_lab):
    from mdpc.grading.ratings import RatingBook

    started = time.monotonic()
    page = grader_lab["browser"].new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{grader_lab['base']}/lab/workspaces/correcteur/tree/grilles/saisie_des_notes.ipynb"
                  f"?token={TOKEN}&reset")
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=60_000)
        notebook = grader_lab["project"] / "grilles" / "saisie_des_notes.ipynb"
        params = _cell(page, notebook, "correcteur = ")
        _run_cell(page, params, params.locator(".jp-InputArea-prompt", has_text=re.compile(r"\[\d+\]")))
        form = _cell(page, notebook, "CoursePicker(")
        form.locator(".jp-InputPrompt").first.click()
        page.keyboard.press("Control+Enter")  # run, and stay on the cell (Shift+Enter would open a new one)
        form.locator(".mdpc-clavier input").wait_for(timeout=60_000)
        page.keyboard.press("Escape")
        _tab_to(page, ".mdpc-clavier")  # from the cell, Tab reaches the keyboard field: no click
        _command(page, "2e", "enregistré")
        _command(page, "c", "Noé Nord")
        _command(page, "ée", "enregistré")
        _tab_to(page, ".mdpc-competence")  # a competency's header (a button) takes the focus; Entrée opens or closes it
        header = page.locator(".mdpc-competence:focus")
        before = header.inner_text()
        page.keyboard.press("Enter")
        page.wait_for_function("t => document.activeElement.innerText !== t", arg=before, timeout=15_000)
        page.keyboard.press("Enter")  # open again
        page.wait_for_function("t => document.activeElement.innerText === t", arg=before, timeout=15_000)
        _tab_to(page, ".mdpc-clavier", "Shift+Tab")
        _command(page, "p", "Nina Navigateur")  # back to n01, whose graded copy is there
        # the copy opens read-only at the criterion's cell: a static page, and no kernel but the form's
        link = page.locator("a", has_text="Ouvrir la copie à ce critère").first
        href = link.get_attribute("href")
        assert "/lecture/autograded/n01/" in href and ".C4_1_crit1.html" in href and href.endswith("#C4_1_crit1"), href
        link.click()  # JupyterLab opens it in its HTML viewer (a sandboxed frame, scripts off), at the top
        viewer = page.frame_locator(".jp-HTMLViewer iframe")
        viewer.locator("section#C4_1_crit1").wait_for(timeout=30_000)
        assert viewer.locator("section").first.get_attribute("id") != "C4_1_consignes"  # the criterion's cells
        assert viewer.locator("script").count() == 0
        sessions = json.loads(urllib.request.urlopen(f"{grader_lab['base']}/api/sessions?token={TOKEN}").read())
        assert [s["path"] for s in sessions] == ["grilles/saisie_des_notes.ipynb"], sessions  # no kernel on the copy
    finally:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "correcteur_clavier.png"), full_page=False)  # also when it fails
        page.close()
    book = RatingBook(grader_lab["course"])
    rows = [(r.candidate, r.competency, r.criterion, r.level, r.who) for r in book.history("B4_pilotage_performance")]
    assert [r[0] for r in rows] == ["n01", "n02"] and len({r[1:] for r in rows}) == 1, rows  # one criterion, twice
    assert rows[0][3:] == (2, "M. Clavier"), rows
    project = grader_lab["project"]
    assert not (project / "gradebook.db").exists() and not (project / "notation.db").exists()
    print(f"saisie au clavier : {time.monotonic() - started:.1f} s (hors démarrage de JupyterLab)")


def test_formgrader_is_french_in_the_browser_and_its_shortcuts_work_on_azerty(grader_lab):
    """formgrader served by the project's extension (mdpc.grading.formgrader_french), after its scripts ran: the
    assignments' table and dialog, DataTables' texts, and the grading page, whose Ctrl+. works as typed on AZERTY
    (Ctrl+Maj+; : the character « . », no key code 190) and keeps the cell for the next copy (``?index=``)."""
    from urllib.parse import quote

    from test_journee_correcteur import B

    course = grader_lab["course"]
    notebook = sorted((course.root / "autograded" / "n01" / B).glob("*.ipynb"))[0].stem
    with course.gradebook() as gb:
        submission = gb.find_submission_notebook(notebook, B, "n01").id
    page = grader_lab["browser"].new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    try:
        # formgrader on the course (not the project's root, which has no gradebook and must keep none)
        page.goto(f"{grader_lab['base']}/formgrader?path={quote(str(course.root))}&token={TOKEN}")
        page.locator("#main-table td.status span").first.wait_for()
        table = page.locator("table").first.inner_text()
        assert "brouillon" in table and "Date limite" in table and "Générer les retours" in table, table
        assert page.locator(".dataTables_filter label").inner_text().startswith("Rechercher")
        page.get_by_role("link", name="Ajouter un devoir…").click()
        dialog = page.locator("#add-assignment-modal")
        dialog.get_by_role("button", name="Enregistrer").wait_for()
        assert "Nouveau devoir" in dialog.inner_text() and dialog.get_by_role("button", name="Annuler").count() == 1
        page.goto(f"{grader_lab['base']}/formgrader/submissions/{submission}/")
        page.wait_for_function("window.formgrader && formgrader.loaded")  # offline: MathJax absent, shortcuts set
        page.locator(".help").click()
        assert "AZERTY : Ctrl + Maj + ;" in page.locator("#help-dialog").inner_text()
        page.get_by_role("button", name="Fermer").last.click()
        page.locator("#help-dialog").wait_for(state="detached")
        # a level the journal refuses (a recorded level is never cleared) is said on the page, not lost silently
        rated = next(i for i in page.locator("input.score").all() if i.input_value() != "")
        rated.fill("")
        rated.press("Escape")  # formgrader saves the field when it loses the focus
        status = page.locator("#statusmessage")
        status.filter(has_text="Non enregistré").wait_for()
        assert "ne s'efface pas" in status.inner_text(), status.inner_text()
        page.locator(".tabbable").nth(2).focus()
        index = page.evaluate("formgrader.current_index")
        with page.expect_request(lambda r: "/next?index=" in r.url) as moved:
            page.evaluate("""document.body.dispatchEvent(new KeyboardEvent("keydown", {key: ".", code: "Comma",
                             ctrlKey: true, shiftKey: true, bubbles: true}))""")  # Ctrl+Maj+; on AZERTY
        assert moved.value.url.endswith(f"/formgrader/submissions/{submission}/next?index={index}") and index > 0
        page.wait_for_url(f"**/formgrader/gradebook/{B}/{notebook}")  # n01's is the only graded copy: the list
        page.wait_for_load_state()
    finally:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "formgrader_fr.png"), full_page=False)
        page.close()
    assert not (grader_lab["project"] / "gradebook.db").exists()
