"""Check a submitted copy before autograde, and repair what would stop nbgrader, in the scratch copy only.

The candidate's folder in ``submitted/`` is never changed (it is the evidence); :func:`prepare_copy` works
on the worker's copy of it and returns the incidents, in French, that the coordinator and the jury see:

- a notebook renamed (found under another name by its graded cells): graded under its expected name;
- a notebook missing, or not readable (invalid JSON, not a notebook): replaced by the released, blank
  version, so that the candidate's other notebooks are graded and this one earns nothing;
- a locked or test cell edited: nbgrader puts the original back before executing (checksums); reported;
- a graded or rubric cell deleted: nbgrader adds it back (``OverwriteCells.add_missing_cells``); reported;
- a file over the size limit: left out of the graded copy;
- an unreadable answers file (``reponses.json``: invalid JSON, or nested too deep to be read): set aside
  under another name by the forms when the notebook runs, the widget answers are lost for this grading;
  reported.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat

from mdpc.authoring.sessions import notebook_session

MAX_FILE_MIB = 20
DATA_DIR = "data"        # the case's data, as released
OWN_DATA = "mes_donnees"  # mdpc_utils.cases.OWN_DATA: a candidate's own company data (projets professionnels)


PYTHON_SUFFIXES = (".py", ".pyc", ".pyw", ".so", ".pth")  # what Python imports from a folder on its path


@dataclass(frozen=True)
class Incident:
    notebook: str   # notebook name without .ipynb, or "" for the whole copy
    kind: str       # short key: renomme, manquant, illisible, cellule_modifiee, cellule_supprimee, ...
    message: str    # French, for people

    def as_dict(self) -> dict:
        return {"carnet": self.notebook, "type": self.kind, "message": self.message}


def _read(path: Path):
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        return nb, None
    except Exception as exc:  # invalid JSON, not a notebook, wrong schema: all mean "unreadable"
        return None, f"{exc.__class__.__name__} : {str(exc).splitlines()[0][:160] if str(exc) else ''}"


def _graded(nb) -> dict[str, dict]:
    """{grade_id: cell} for the cells nbgrader tracks."""
    out = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade_id"):
            out[meta["grade_id"]] = cell
    return out


@lru_cache(maxsize=64)
def _released(path: str, mtime: float) -> dict[str, dict]:
    """The graded cells of a released notebook, read once per batch rather than once per copy."""
    nb, _ = _read(Path(path))
    return _graded(nb)


@lru_cache(maxsize=64)
def _released_session(path: str, mtime: float) -> str | None:
    nb, _ = _read(Path(path))
    return notebook_session(nb) if nb is not None else None


def _session_incident(stem: str, name: str, copy_nb, release: Path, target: Path) -> Incident | None:
    """A notebook of another session is never graded against this one's expected values (nor the reverse)."""
    expected = _released_session(str(release / name), (release / name).stat().st_mtime)
    found = notebook_session(copy_nb)
    if found == expected:
        return None
    shown = {None: "cas de référence"}
    if found is None:
        return Incident(stem, "session_absente", f"Carnet « {name} » sans l'identifiant de session que porte la version "
                        f"diffusée (session « {expected} ») : il est corrigé avec les valeurs de cette session ; s'il "
                        "a été travaillé sur les données d'une autre session, ses résultats ne correspondent pas.")
    target.rename(target.with_name(name + ".autre-session"))
    shutil.copy(release / name, target)
    return Incident(stem, "autre_session", f"Carnet « {name} » d'une autre session (« {found} » au lieu de "
                    f"« {shown.get(expected, expected)} ») : il n'est pas corrigé avec les valeurs attendues de "
                    "cette session ; la version diffusée, vierge, est corrigée à sa place (aucun point) et le "
                    "fichier remis reste dans submitted/. Au jury de décider.")


def _case_data(copy: Path, release: Path) -> list[Incident]:
    """The case's data put back as released (``data/``, which the sandbox then mounts read-only): the tests
    compute their expectations from it; a copy's own company data (``mes_donnees/``) is said to the jury."""
    out, changed = [], []
    for source in sorted(p for p in (release / DATA_DIR).rglob("*") if p.is_file()):
        target = copy / source.relative_to(release)
        if target.is_symlink() or not target.is_file() or target.read_bytes() != source.read_bytes():
            if target.is_symlink() or target.is_dir():
                shutil.rmtree(target) if target.is_dir() and not target.is_symlink() else target.unlink()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            changed.append(source.relative_to(release).as_posix())
    if changed:
        out.append(Incident("", "donnees_du_cas_retablies", "Données du cas modifiées ou supprimées dans la copie, "
                            "rétablies telles que diffusées avant la correction : " + ", ".join(changed[:10])
                            + (" …" if len(changed) > 10 else "") + "."))
    own = sorted(p.name for p in (copy / OWN_DATA).glob("*.csv")) if (copy / OWN_DATA).is_dir() else []
    if own:
        out.append(Incident("", "donnees_propres", f"Données propres au candidat ({OWN_DATA}/ : {', '.join(own[:10])}) : "
                            "seuls les projets professionnels (C1.1 à C1.3, C3.5) les lisent, et leurs résultats "
                            "diffèrent alors de ceux que les tests calculent sur les données du cas ; le jury juge "
                            "ces carnets sur pièces. Les autres cas et les tests lisent toujours les données du cas."))
    return out


def prepare_copy(copy: Path, release: Path, max_file_mib: int = MAX_FILE_MIB) -> list[Incident]:
    """Repair `copy` (a scratch copy of one submitted assignment) against the released version."""
    incidents: list[Incident] = []
    expected = sorted(p.name for p in release.glob("*.ipynb"))
    for path in sorted(p for p in copy.rglob("*") if p.is_file()):
        size = path.stat().st_size
        if size > max_file_mib * 1024 * 1024:
            path.unlink()
            incidents.append(Incident("", "fichier_trop_volumineux",
                                      f"Fichier trop volumineux écarté de la correction : {path.relative_to(copy)} "
                                      f"({size / 1024 / 1024:.0f} Mio, limite {max_file_mib} Mio)."))
    modules = sorted(p.name for p in copy.iterdir() if not p.is_symlink() and (
        (p.is_file() and p.suffix in PYTHON_SUFFIXES) or (p.is_dir() and (p / "__init__.py").is_file())))
    if modules:  # a copy is notebooks, data and answers: code beside them could only shadow a module
        incidents.append(Incident("", "module_depose", "Module Python présent dans la copie : "
                                  + ", ".join(modules[:10]) + (" …" if len(modules) > 10 else "")
                                  + " ; il n'est jamais chargé par le noyau qui exécute les tests (ni les tests ni "
                                    "leurs résultats ne peuvent en dépendre)."))
    incidents += _case_data(copy, release)
    extras = {p.name: p for p in copy.glob("*.ipynb") if p.name not in expected}
    for name in expected:
        stem = name[:-len(".ipynb")]
        target = copy / name
        released = _released(str(release / name), (release / name).stat().st_mtime)
        ids = set(released)
        if not target.exists():
            found = None
            for other in extras.values():
                nb, _ = _read(other)
                if nb is not None and ids and len(ids & set(_graded(nb))) * 2 >= len(ids):
                    found = other
                    break
            if found is not None:
                found.rename(target)
                del extras[found.name]
                incidents.append(Incident(stem, "renomme", f"Carnet remis sous le nom « {found.name} » au lieu de "
                                                           f"« {name} » : corrigé sous son nom attendu."))
            else:
                shutil.copy(release / name, target)
                incidents.append(Incident(stem, "manquant", f"Carnet « {name} » absent de la copie : la version "
                                                            "diffusée, vierge, est corrigée à sa place (aucun point)."))
                continue
        nb, error = _read(target)
        if nb is None:
            target.rename(target.with_name(name + ".illisible"))
            shutil.copy(release / name, target)
            incidents.append(Incident(stem, "illisible", f"Carnet « {name} » illisible ({error}) : la version "
                                                         "diffusée, vierge, est corrigée à sa place (aucun point) ; "
                                                         "le fichier remis reste dans submitted/."))
            continue
        other_session = _session_incident(stem, name, nb, release, target)
        if other_session is not None:
            incidents.append(other_session)
            if other_session.kind == "autre_session":
                continue
        mine = _graded(nb)
        for grade_id, cell in released.items():
            meta = cell.metadata.get("nbgrader", {})
            if grade_id not in mine:
                incidents.append(Incident(stem, "cellule_supprimee",
                                          f"Cellule « {grade_id} » supprimée par le candidat : rétablie à la correction."))
            elif meta.get("locked") and not meta.get("solution") and mine[grade_id].source != cell.source:
                incidents.append(Incident(stem, "cellule_modifiee",
                                          f"Cellule verrouillée « {grade_id} » modifiée par le candidat : l'originale "
                                          "est rétablie avant l'exécution (nbgrader)."))
    for other in extras.values():  # nbgrader grades the assignment's notebooks only
        other.rename(other.with_name(other.name + ".hors-devoir"))
    answers = copy / "reponses.json"
    if answers.exists():
        try:
            json.loads(answers.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: nested too deep
            incidents.append(Incident("", "reponses_illisibles",
                                      f"Fichier de réponses « reponses.json » illisible ({exc.__class__.__name__}) : "
                                      "les réponses des formulaires sont perdues pour cette correction ; le fichier "
                                      "est mis de côté, jamais écrasé."))
    return incidents
