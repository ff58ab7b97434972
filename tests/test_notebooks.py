"""Case notebooks and release/: the ARCHITECTURE.md contracts, stripped notebooks, a release that is not stale."""

import ast
import filecmp
import json
import re
import shutil

import nbformat
import pytest
import yaml

from mdpc import CAS_DIR, COURS_DIR, GRILLES_DIR, PROJECT_ROOT, RELEASE_DIR
from mdpc.authoring import coverage, form_cells, rubric_cells
from mdpc.authoring.demo_cohort import COHORT_FILE, WRONG_ANSWERS_FILE
from mdpc.core import grids as rubric
from mdpc.core import referential
from mdpc.grading import judge_code
from mdpc.grading.release import generate_release

SOURCES = sorted(CAS_DIR.glob("*/*.ipynb"))
ALL_NOTEBOOKS = SOURCES + sorted(RELEASE_DIR.glob("*/*.ipynb")) + sorted(COURS_DIR.glob("**/*.ipynb")) + sorted(
    (PROJECT_ROOT / "mdpc" / "reports").glob("*.ipynb")) + sorted((PROJECT_ROOT / "grilles").glob("*.ipynb"))


def ids(paths):
    return [p.relative_to(PROJECT_ROOT).as_posix() for p in paths]


def test_there_are_cases():
    assert len(SOURCES) >= 3


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=ids(ALL_NOTEBOOKS))
def test_committed_without_outputs_counts_or_widget_state(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert "widgets" not in nb.get("metadata", {})
    for cell in nb["cells"]:
        assert not cell.get("outputs") and not cell.get("execution_count"), f"cellule {cell.get('id')} non nettoyée"
    nbformat.validate(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4))


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_rubric_cells_match_the_grids(path):
    nb = nbformat.read(path, as_version=4)
    ref = referential.default()
    found = {}
    for cell in nb.cells:
        g, md = cell.metadata.get("nbgrader", {}), cell.metadata.get("mdpc", {})
        if g.get("task"):
            assert g == {"grade": False, "grade_id": g["grade_id"], "locked": True, "points": rubric.default_scale().top,
                         "schema_version": 3, "solution": False, "task": True}
            assert re.fullmatch(r"C\d_\d_crit\d+", g["grade_id"])
            found[(md["competence"], md["critere"])] = g["grade_id"]
            assert ref.criterion(md["competence"], md["critere"]).text in cell.source
            assert rubric_cells.MARK_SCHEME_BEGIN in cell.source and rubric_cells.MARK_SCHEME_END in cell.source
    codes = {c for c, _ in found}
    assert len(codes) == 1, "un carnet par compétence"
    code = codes.pop()
    assert sorted(found) == [(code, k) for k in range(1, len(ref.competency(code).criteria) + 1)]
    assert rubric_cells.sync_rubric_cells(nb) == [], (
        "les cellules d'évaluation du carnet ne sont plus celles du référentiel et des grilles : lancez make release")


def test_a_drifted_rubric_cell_is_detected():
    nb = nbformat.read(SOURCES[0], as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("task"))
    cell.source = cell.source.replace("Les ", "Des ", 1).replace(" les ", " ces ")
    assert rubric_cells.sync_rubric_cells(nb) == [cell.metadata["nbgrader"]["grade_id"]]


def _copy_sources(tmp_path):
    """The source notebooks alone, copied under tmp_path/cas_pratiques/ with their bloc folders."""
    for path in SOURCES:
        target = tmp_path / "cas_pratiques" / path.relative_to(CAS_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    return tmp_path / "cas_pratiques"


def _snapshot(cases):
    return {p.relative_to(cases).as_posix(): p.read_bytes() for p in sorted(cases.glob("*/*.ipynb"))}


def _changed_cells(before: bytes, after: bytes) -> list[str]:
    old, new = (nbformat.reads(b.decode("utf-8"), as_version=4).cells for b in (before, after))
    assert [c.get("id") for c in old] == [c.get("id") for c in new]
    return [b.metadata.get("nbgrader", {}).get("grade_id", b.get("id")) for a, b in zip(old, new, strict=True) if a != b]


def test_rendering_rewrites_exactly_the_cells_whose_wording_or_descriptor_changed(tmp_path):
    """One descriptor changed in a grid and one wording in the referential: rendering rewrites those two rubric
    cells and nothing else, leaves every other notebook byte for byte, and a second rendering is a no-op."""
    cases = _copy_sources(tmp_path)
    pristine = _snapshot(cases)
    assert rubric_cells.render_rubric_cells(cases) == [] and _snapshot(cases) == pristine

    ref_data = yaml.safe_load((GRILLES_DIR / "referentiel.yaml").read_text(encoding="utf-8"))
    comp = next(c for b in ref_data["blocs"] for a in b["activites"] for c in a["competences"] if c["code"] == "C1.1")
    comp["criteres"][2]["texte"] = "Les enjeux du marché sont identifiés (formulation de test)"
    (tmp_path / "referentiel.yaml").write_text(yaml.safe_dump(ref_data, allow_unicode=True), encoding="utf-8")
    shutil.copytree(GRILLES_DIR / "competences", tmp_path / "competences")
    grid_path = tmp_path / "competences" / "C4_3.yaml"
    grid_data = yaml.safe_load(grid_path.read_text(encoding="utf-8"))
    grid_data["criteres"][1]["niveaux"][3] = "Descripteur de test : analyse complète et discutée."
    grid_path.write_text(yaml.safe_dump(grid_data, allow_unicode=True), encoding="utf-8")
    ref = referential.load(tmp_path / "referentiel.yaml")
    grids = rubric.load_grids(tmp_path / "competences", referential=ref)

    lines = rubric_cells.render_rubric_cells(cases, grids)
    after = _snapshot(cases)
    changed = {name: _changed_cells(pristine[name], after[name]) for name in after if after[name] != pristine[name]}
    assert changed == {"B1_strategie_developpement/C1_1_etude_de_marche.ipynb": ["C1_1_crit3"],
                       "B4_pilotage_performance/C4_3_analyse_statistique.ipynb": ["C4_3_crit2"]}
    assert lines == [f"cas_pratiques/{name} : cellule(s) d'évaluation {ids[0]} réécrite(s) d'après le référentiel "
                     "et la grille" for name, ids in changed.items()]
    cells = {c.metadata["nbgrader"]["grade_id"]: c.source for name in changed
             for c in nbformat.reads(after[name].decode("utf-8"), as_version=4).cells if rubric_cells.is_rubric_cell(c)}
    assert "> Les enjeux du marché sont identifiés (formulation de test)\n" in cells["C1_1_crit3"]
    assert "| 3 — Maîtrisé | Descripteur de test : analyse complète et discutée. |" in cells["C4_3_crit2"]
    assert rubric_cells.render_rubric_cells(cases, grids) == [] and _snapshot(cases) == after


def test_a_rubric_cell_for_a_criterion_no_grid_rates_is_refused(tmp_path):
    cases = _copy_sources(tmp_path)
    path = cases / SOURCES[0].relative_to(CAS_DIR)
    nb = nbformat.read(path, as_version=4)
    next(c for c in nb.cells if rubric_cells.is_rubric_cell(c)).metadata["mdpc"]["critere"] = 9
    nbformat.write(nb, path)
    with pytest.raises(rubric_cells.RubricCellError, match=rf"{path.name} : la cellule d'évaluation .* critère « 9 »"):
        rubric_cells.render_rubric_cells(cases)


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_autograded_cells_give_evidence_and_say_what_they_check(path):
    nb = nbformat.read(path, as_version=4)
    code = path.stem[:4].replace("_", ".")
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert tests, "au moins un test autocorrigé"
    criteria = set()
    for cell in tests:
        md = cell.metadata.get("mdpc", {})
        assert md.get("competence") == code and isinstance(md.get("critere"), int)
        criteria.add(md["critere"])
        doc = ast.get_docstring(ast.parse(re.sub(r"^### (BEGIN|END) HIDDEN TESTS$", "", cell.source, flags=re.M)))
        assert doc and len(doc) > 20, f"{cell.metadata['nbgrader']['grade_id']} : docstring en tête attendue"
        assert cell.metadata["nbgrader"]["locked"] and cell.metadata["nbgrader"]["points"] > 0
    assert criteria == set(range(1, len(referential.default().competency(code).criteria) + 1)), (
        "chaque critère du référentiel reçoit des preuves autocorrigées")


@pytest.mark.slow  # runs nbgrader generate_assignment on every assignment (about 45 s)
def test_release_is_what_nbgrader_generates_today(tmp_path):
    generate_release(PROJECT_ROOT, tmp_path / "release")
    trainer = [p for p in (tmp_path / "release").rglob("*") if p.name in ("corrige", WRONG_ANSWERS_FILE, COHORT_FILE)]
    assert not trainer, f"supports du formateur diffusés aux candidats : {trainer}"
    cmp = filecmp.dircmp(RELEASE_DIR, tmp_path / "release")
    stale = []

    def walk(d, prefix=""):
        stale.extend(prefix + n for n in d.left_only + d.right_only + d.diff_files + d.funny_files)
        for name, sub in d.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(cmp)
    assert not stale, f"release/ est périmé ({', '.join(stale)}) : lancez `make release` puis committez"


@pytest.mark.parametrize("path", sorted(RELEASE_DIR.glob("*/*.ipynb")), ids=ids(sorted(RELEASE_DIR.glob("*/*.ipynb"))))
def test_release_holds_no_solution_and_french_stubs(path):
    text = path.read_text(encoding="utf-8")
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME", "def reequilibrer(", "def _attendu",
                   "Corrigé de référence", "_ref_"):
        assert marker not in text
    assert "À COMPLÉTER" in text
    assert not (path.parent / "corrige").exists()


CASE_NOTEBOOKS = SOURCES + sorted(RELEASE_DIR.glob("B*/*.ipynb"))


@pytest.mark.parametrize("path", CASE_NOTEBOOKS, ids=ids(CASE_NOTEBOOKS))
def test_form_cells_show_the_form_not_its_code(path):
    """The candidate sees the widgets of a locked form cell, not the Python that lays them out (issue 17)."""
    nb = nbformat.read(path, as_version=4)
    forms = [c for c in nb.cells if form_cells.is_form_cell(c)]
    assert forms, f"{path.name} : aucun formulaire"
    hidden = [c.metadata.get("jupyter", {}).get("source_hidden") is True and c.source.startswith(form_cells.HEADLINE_START)
              for c in forms]
    assert all(hidden), f"{path.name} : code de formulaire affiché, lancez `make release` puis committez"
    shown = [c for c in nb.cells if c.cell_type == "code" and not form_cells.is_form_cell(c)
             and c.metadata.get("jupyter", {}).get("source_hidden")]
    assert not shown, f"{path.name} : seules les cellules de formulaire ont leur code masqué"


def test_only_locked_cells_that_build_widgets_are_form_cells():
    def cell(source, **nbgrader):
        return nbformat.v4.new_code_cell(source, metadata={"nbgrader": nbgrader})

    nb = nbformat.v4.new_notebook(cells=[
        cell('causes = Form(NOTEBOOK, "causes", "Causes", [])\ncauses', locked=True, grade_id="a"),
        cell("interact(afficher, commercial=liste)", locked=True, grade_id="b"),
        cell('Form(NOTEBOOK, "x", "X", [])', solution=True, grade_id="c"),
        cell('check(causes.values())  # Form(', grade=True, locked=True, grade_id="d", points=1),
        cell("perf = load_csv('previsions_realise')", locked=True, grade_id="e"),
    ])
    assert form_cells.sync_form_cells(nb) == ["a", "b"]
    assert nb.cells[0].source.startswith('# Formulaire « Causes »\ncauses = Form(')
    assert nb.cells[1].source.startswith("# Tableau de bord interactif\n")
    assert form_cells.sync_form_cells(nb) == []
    assert [c.metadata.get("jupyter", {}).get("source_hidden") for c in nb.cells] == [True, True, None, None, None]


def _symbols_read_and_bound(source: str) -> tuple[set[str], set[str]]:
    """The global names a cell reads (a string is not a name here) and binds, as the judge reads them."""
    return judge_code.read_names(source, strings=False), judge_code.bound_names(source)


RELEASED_CASES = sorted(RELEASE_DIR.glob("B*/*.ipynb"))


@pytest.mark.parametrize("path", RELEASED_CASES, ids=ids(RELEASED_CASES))
def test_locked_cells_read_only_names_the_statement_gives(path):
    """A locked cell that reads a name only the solution binds reads one the statement asks for (`nom` in a
    statement) or the release's visible code binds: a literally correct answer never meets a NameError in a
    cell the candidate cannot edit (issue 17: C4.3's chart read `base` and `ordonnee`)."""
    source = nbformat.read(CAS_DIR / path.parent.name / path.name, as_version=4)
    solution_only = set().union(*(_symbols_read_and_bound(c.source)[1] for c in source.cells
                                  if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")))
    given, wrong = set(), []
    for cell in nbformat.read(path, as_version=4).cells:
        md = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown":
            given |= set(re.findall(r"`([A-Za-z_]\w*)", cell.source))
            continue
        reads, binds = _symbols_read_and_bound(cell.source)
        if md.get("locked") and not md.get("grade"):
            wrong += [f"{md.get('grade_id')} lit « {n} »" for n in sorted((reads - binds) & solution_only - given)
                      if not n.startswith("_")]
        given |= binds
    assert not wrong, f"{path.name} : noms que l'énoncé ne demande pas, lus par une cellule verrouillée : {wrong}"


@pytest.mark.parametrize("path", RELEASED_CASES, ids=ids(RELEASED_CASES))
def test_no_released_test_cell_prints_what_looks_like_a_result(path):
    """A test cell whose visible part ends with a bare value (its docstring, once the hidden tests are stripped)
    would print it under the cell, where a candidate reads it as a verdict (issue 17)."""
    shown = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            body = ast.parse(cell.source).body
            if body and isinstance(body[-1], ast.Expr) and not isinstance(body[-1].value, ast.Call):
                shown.append(cell.metadata["nbgrader"]["grade_id"])
    assert not shown, f"{path.name} : cellules de test qui affichent une valeur : {shown}"


def test_role_cards_stay_with_the_graders():
    """Role cards of the simulated situations live in grilles/jeux_de_role/, never in a case folder nor in release/."""
    cards = sorted((PROJECT_ROOT / "grilles" / "jeux_de_role").glob("*.md"))
    assert cards and all("Réservé au jury" in c.read_text(encoding="utf-8") for c in cards)
    for folder in (CAS_DIR, RELEASE_DIR):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in (".ipynb", ".md", ".csv", ".json"):
                text = path.read_text(encoding="utf-8")
                assert "Fiches de rôle" not in text and "Réservé au jury" not in text, path


def test_coverage_matrix_is_what_the_notebooks_give_today():
    """grilles/matrice_couverture.md lists every criterion with its evidence, and is not stale."""
    text = coverage.coverage_markdown()
    committed = coverage.COVERAGE_FILE.read_text(encoding="utf-8")
    assert committed == text, "grilles/matrice_couverture.md est périmée : lancez `make release` puis committez"
    ref = referential.default()
    rows = [line for line in text.splitlines() if re.match(r"\| \d+\. ", line)]
    assert len(rows) == len(ref.criteria) == 69
    for crit in ref.criteria:
        assert any(crit.text.split(" ")[0] in row and "_test_" in row for row in rows)
    for path in SOURCES:
        assert path.relative_to(PROJECT_ROOT).as_posix() in text
    assert "grilles/jeux_de_role/C2_5_entretien_vente.md" in text and "grilles/jeux_de_role/C4_4_reunion_pilotage.md" in text


def test_coverage_matrix_refuses_a_criterion_without_evidence(tmp_path):
    """A criterion left with no autograded test stops the matrix, naming the notebook and the criterion."""
    nb = nbformat.read(SOURCES[0], as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("mdpc", {}).get("critere") == 2 and not cell.metadata["nbgrader"].get("task"):
            cell.metadata["mdpc"]["critere"] = 1
    path = tmp_path / SOURCES[0].name
    nbformat.write(nb, path)
    with pytest.raises(coverage.CoverageError, match=rf"{SOURCES[0].name} : aucun test autocorrigé .* critère\(s\) 2 "):
        coverage.case_coverage(path)
    full = coverage.case_coverage(SOURCES[0])
    assert [c.number for c in full.criteria if c.evidence] == [1, 2, 3, 4]
    assert all(c.sections and c.acquired for c in full.criteria)


HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
PACKAGE_CALL = re.compile(r"\b(bloc\d|cases|forms|livrable)\.(\w+)")


def test_the_answer_key_is_never_in_the_package_candidates_import():
    """Candidates import mdpc_utils: hidden tests may use from it only checkers (check_*), constants the case
    states (the legal figures) and the tools the released notebooks or the lessons show. Every reference
    computation lives in a hidden « Corrigé de référence » block of the source notebook, never released."""
    shown = "".join(p.read_text(encoding="utf-8") for p in [*RELEASE_DIR.glob("*/*.ipynb"), *COURS_DIR.glob("**/*.ipynb")])
    secret = set()
    references = 0
    for path in SOURCES:
        for cell in nbformat.read(path, as_version=4).cells:
            for block in HIDDEN_BLOCK.findall(cell.source):
                references += block.startswith("# Corrigé de référence")
                for module, name in PACKAGE_CALL.findall(block):
                    if not (name.startswith("check_") or name.isupper() or f"{module}.{name}" in shown):
                        secret.add(f"{path.stem} : {module}.{name}")
    assert not secret, ("Calcul de référence importable par les candidats, utilisé seulement par des tests cachés "
                        f"(mettez-le dans un bloc « Corrigé de référence » du carnet) : {sorted(secret)}")
    assert references >= 7
    for module in ("bloc2", "bloc3", "bloc4"):
        exposed = {n for n in dir(__import__(f"mdpc_utils.{module}", fromlist=["_"])) if not n.startswith("_")}
        assert not exposed & {"critical_path", "earned_value", "nps", "funnel", "clients_needed", "deduplicate",
                              "contract_margin", "skill_gaps"}
