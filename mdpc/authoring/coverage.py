"""The coverage matrix: where each of the referential's criteria is worked, evidenced and rated.

A certification body documents which assessment covers each criterion of the referential (« tableau de
correspondance »). This module builds that table from the case notebooks themselves, so that it cannot
drift from them: for every criterion, the case notebook and its modality, the parts of the notebook that
prepare it, the autograded tests that give evidence for it (what each checks, its points), the role card
when the jury plays a part, and what the grader observes to rate it acquired. ``mdpc publier`` writes it to
``grilles/matrice_couverture.md``; a test checks the committed file is what the notebooks give today.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from mdpc import CAS_DIR, GRILLES_DIR
from mdpc.core import grids as rubric
from mdpc.core import referential
from mdpc.errors import MdpcError

COVERAGE_FILE = GRILLES_DIR / "matrice_couverture.md"
ROLE_CARDS_DIR = GRILLES_DIR / "jeux_de_role"
_HIDDEN_MARKERS = re.compile(r"^### (BEGIN|END) HIDDEN TESTS$", re.M)
_DOC_PREFIX = re.compile(r"^(Auto-vérification et tests?|Auto-vérification|Tests?)\s*:\s*", re.I)


CAP_LABELS = {rubric.CAP_JUDGEMENT: "jugement", rubric.CAP_ORAL: "oral"}


class CoverageError(MdpcError):
    """A criterion of the referential is not covered by its case (message in French)."""


@dataclass
class Evidence:
    grade_id: str
    points: float
    checks: str      # what the test checks, from its docstring
    section: str     # the notebook section it belongs to


@dataclass
class CriterionCoverage:
    number: int
    text: str
    sections: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    acquired: str = ""     # what the grader observes at the first acquired level
    judgement: bool = False
    oral: bool = False


@dataclass
class CaseCoverage:
    competency: str
    notebook: Path
    criteria: list[CriterionCoverage]
    role_card: Path | None


def _section_title(source: str) -> str | None:
    for line in source.splitlines():
        if line.startswith("## "):
            return line[3:].strip()
    return None


def _parse(source: str) -> ast.Module:
    try:
        return ast.parse(_HIDDEN_MARKERS.sub("", source))
    except SyntaxError:  # a cell with IPython magics: it defines nothing the matrix needs
        return ast.Module(body=[], type_ignores=[])


def _defined_names(tree: ast.Module) -> list[str]:
    names = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                names += [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
    return [n for n in names if not n.startswith("_")]


def _checks(tree: ast.Module) -> str:
    doc = ast.get_docstring(tree) or ""
    doc = _DOC_PREFIX.sub("", " ".join(doc.split()))
    return doc[:1].upper() + doc[1:]


def checks_of(source: str) -> str:
    """What a test cell checks, from its docstring (« Tests : », « Auto-vérification et tests : » left out)."""
    return _checks(_parse(source))




def case_coverage(path: Path, ref: referential.Referential | None = None,
                  grids: dict | None = None, scale: rubric.Scale | None = None) -> CaseCoverage:
    """What one case notebook gives for each criterion of its competency."""
    ref = ref or referential.default()
    grids = grids or rubric.default_grids()
    scale = scale or rubric.default_scale()
    nb = nbformat.read(path, as_version=4)
    code = path.stem[:4].replace("_", ".")
    grid = grids[code]
    out = [CriterionCoverage(c.number, c.text, acquired=c.descriptors[scale.acquired_from], judgement=c.judgement,
                             oral=c.oral) for c in grid.criteria]
    intro = section = "Présentation du cas"
    defined_in: dict[str, str] = {}    # top-level name -> the section of the cell that defines it
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            title = _section_title(cell.source)
            if k and title and not cell.metadata.get("nbgrader", {}).get("task"):  # cell 0: the case's header
                section = title
            continue
        g, md = cell.metadata.get("nbgrader", {}), cell.metadata.get("mdpc", {})
        tree = _parse(cell.source)
        if not (g.get("grade") and md.get("critere")):
            if section != intro:
                for name in _defined_names(tree):
                    defined_in.setdefault(name, section)
            continue
        if md.get("competence") != code or not 1 <= md["critere"] <= len(out):
            raise CoverageError(f"{path.name} : le test {g.get('grade_id')} renvoie au critère "
                                f"{md.get('competence')} {md.get('critere')}, absent de la grille de {code}.")
        crit = out[md["critere"] - 1]
        crit.evidence.append(Evidence(g["grade_id"], float(g.get("points", 0)), _checks(tree), section))
        # the parts of the notebook the test reads: where the names it uses were defined, and its own
        used = [defined_in[n.id] for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in defined_in]
        for part in [*used, section]:
            if part not in crit.sections:
                crit.sections.append(part)
    titles = [_section_title(c.source) for c in nb.cells[1:] if c.cell_type == "markdown"]
    order = {title: k for k, title in enumerate(dict.fromkeys(t for t in titles if t))}
    for crit in out:
        crit.sections.sort(key=lambda t: order.get(t, -1))
    missing = [c.number for c in out if not c.evidence]
    if missing:
        raise CoverageError(f"{path.name} : aucun test autocorrigé ne donne de preuve pour le(s) critère(s) "
                            f"{', '.join(map(str, missing))} de {code}.")
    card = ROLE_CARDS_DIR / f"{path.stem}.md"
    return CaseCoverage(code, path, out, card if card.exists() else None)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _points(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def coverage_markdown(cases_dir: Path = CAS_DIR) -> str:
    """The whole matrix as Markdown, bloc by bloc, in the referential's order."""
    ref = referential.default()
    grids, scale = rubric.default_grids(), rubric.default_scale()
    by_code = {}
    for path in sorted(cases_dir.glob("*/*.ipynb")):
        cov = case_coverage(path, ref, grids, scale)
        by_code[cov.competency] = cov
    absent = [c.code for c in ref.competencies.values() if c.code not in by_code]
    if absent:
        raise CoverageError(f"Compétence(s) sans cas pratique : {', '.join(absent)}.")
    acquired_level = scale.acquired_from
    n_tests = sum(len(c.evidence) for cov in by_code.values() for c in cov.criteria)
    n_points = sum(e.points for cov in by_code.values() for c in cov.criteria for e in c.evidence)
    n_judgement = sum(c.judgement for cov in by_code.values() for c in cov.criteria)
    lines = [
        "# Matrice de couverture du référentiel MDPC",
        "",
        "*Fichier produit par `mdpc publier` à partir des carnets de `cas_pratiques/` et des grilles de "
        "`grilles/competences/` : ne le modifiez pas à la main, un test vérifie qu'il est à jour.*",
        "",
        f"Pour chacun des {len(ref.criteria)} critères d'évaluation des {len(by_code)} compétences : le carnet où le "
        "candidat le travaille et la modalité d'évaluation du référentiel, les parties du carnet qui le préparent, "
        f"les preuves autocorrigées ({n_tests} tests, {_points(n_points)} points en tout : ce que chacune vérifie "
        "et ses points) et ce que le correcteur observe pour le déclarer acquis "
        f"(niveau {acquired_level} « {scale.levels[acquired_level]} » de la grille). Les preuves autocorrigées "
        "proposent un niveau ; le correcteur, ou le jury pour un oral, décide. La proposition ne dépasse jamais "
        f"{scale.caps.general} (le niveau {scale.caps.general + 1} va au-delà de ce que montrent les tests), ni "
        f"{scale.caps.judgement} pour un critère de jugement ({n_judgement} critères marqués « jugement » dans leur "
        f"grille : des calculs justes ne les prouvent pas) ni {scale.caps.oral} pour une compétence évaluée à "
        "l'oral (`grilles/echelle.yaml`, `plafonds_proposition`).",
        "",
    ]
    for bloc in ref.blocs:
        lines += [f"## {bloc.label}", ""]
        for code in bloc.competencies:
            comp, cov = ref.competency(code), by_code[code]
            rel = cov.notebook.relative_to(cases_dir.parent).as_posix()
            lines += [f"### {code} — {comp.title}", "",
                      f"- **Modalité :** {comp.modality.title}." + (
                          f" Livrable : {_cell(comp.modality.deliverable)}." if comp.modality.deliverable else "") + (
                          " Le jury note l'oral avec les cellules d'évaluation du carnet ; les preuves autocorrigées "
                          "portent sur la préparation écrite." if comp.modality.is_oral else ""),
                      f"- **Carnet :** `{rel}`"]
            if cov.role_card:
                lines.append(f"- **Fiche de rôle du jury** (jamais diffusée) : "
                             f"`{cov.role_card.relative_to(cases_dir.parent).as_posix()}`")
            lines += ["", "| critère | parties du carnet | preuves autocorrigées (points) | proposition : au plus | "
                          f"acquis (niveau {acquired_level}) : ce que le correcteur observe |",
                      "|---|---|---|---|---|"]
            for crit in cov.criteria:
                tests = "<br>".join(f"`{e.grade_id}` ({_points(e.points)}) : {_cell(e.checks)}" for e in crit.evidence)
                cap, reasons = scale.proposal_cap(crit.judgement, crit.oral)
                why = ", ".join(CAP_LABELS[r] for r in reasons if r in CAP_LABELS)
                lines.append(f"| {crit.number}. {_cell(crit.text)} | {_cell(' ; '.join(crit.sections))} | {tests} | "
                             f"{cap}{f' ({why})' if why else ''} | {_cell(crit.acquired)} |")
            lines.append("")
    return "\n".join(lines)


def write_coverage(path: Path = COVERAGE_FILE) -> str:
    path.write_text(coverage_markdown(), encoding="utf-8")
    return f"{path.relative_to(path.parent.parent).as_posix()} régénéré"
