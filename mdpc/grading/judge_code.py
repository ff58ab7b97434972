"""What the grading process sends to the two kernels of :mod:`mdpc.grading.judge`, and how it reads cells.

The snippets are executed silently (``silent=True``): in the judge kernel, the bootstrap of
``judge_kernel.py``; in the candidate's kernel, the export of the candidate's values, the calls of the
candidate's functions, and the look at what the candidate's code did to its kernel. They run in a kernel
the candidate controls: a candidate can only make them fail for their own values, which then do not reach
the tests. The cell readers tell trusted cells (restored from the source) from the candidate's, and which
names a cell binds and reads. :func:`report_findings` writes what the look found, for the copy's incidents.
"""

from __future__ import annotations

import ast
import json
import os
import symtable
from pathlib import Path

JUDGE_SOURCE = (Path(__file__).with_name("judge_kernel.py")).read_text(encoding="utf-8")
CALL_PROMPT = "\x00mdpc-appel\x00"

BOOT = """import sys as __s, types as __t
# the judge shows nobody its figures or tables: only text (a test's messages) is worth formatting
get_ipython().display_formatter.active_types = ["text/plain"]
__m = __t.ModuleType("__mdpc_juge__")
exec(compile({source!r}, "<mdpc-juge>", "exec"), __m.__dict__)
__s.modules["__mdpc_juge__"] = __m
__mdpc_juge__ = __m
del __s, __t, __m
"""

# Sent to a fresh judge without waiting for it: the libraries every case imports are loaded while the
# candidate's kernel runs its first cell (trusted modules only; the cells' own imports then find them loaded).
WARM = """import pandas, numpy, matplotlib.pyplot, ipywidgets
import mdpc_utils.cases, mdpc_utils.forms, mdpc_utils.livrable
"""

# Run in the judge between two notebooks of one copy: the namespace emptied and the execution count back to 1
# (IPython's reset), figures and widgets closed, pandas' options back to their defaults (a locked cell may set
# one; none sets matplotlib's), then the bootstrap again. Only trusted cells have run in this kernel: modules
# stay loaded, nothing of the previous notebook is left for the next one to read.
RESET = """get_ipython().reset(new_session=True)
import sys as __s, warnings as __w
if "matplotlib.pyplot" in __s.modules:
    __s.modules["matplotlib.pyplot"].close("all")
if "ipywidgets" in __s.modules:
    __s.modules["ipywidgets"].Widget.close_all()
if "pandas" in __s.modules:
    with __w.catch_warnings():
        __w.simplefilter("ignore")
        __s.modules["pandas"].reset_option("all")
del __s, __w
""" + BOOT

# Run in the candidate's kernel (which may have been tampered with: only the candidate's own values can suffer).
EXPORT = """def __mdpc_export__(names):
    import base64, json, pickle, types
    out = {{}}
    registry = globals().setdefault("__mdpc_registre__", {{}})
    for name in names:
        if name not in globals():
            continue
        value = globals()[name]
        if isinstance(value, types.ModuleType):
            out[name] = {{"module": value.__name__}}
        elif callable(value) and not isinstance(value, type):
            registry[name] = value
            out[name] = {{"fonction": name}}
        else:
            try:
                out[name] = {{"donnee": base64.b64encode(pickle.dumps(value, protocol=5)).decode("ascii")}}
            except Exception:
                out[name] = {{"illisible": type(value).__name__}}
    return json.dumps(out)
__mdpc_sortie__ = __mdpc_export__({names!r})
"""

CALL = """def __mdpc_appel__(payload):
    import base64, json, pickle
    name, args, kwargs = pickle.loads(base64.b64decode(payload))
    registry = globals().setdefault("__mdpc_registre__", {{}})
    function = registry.get(name) or globals().get(name)
    try:
        result = function(*args, **kwargs)
    except BaseException as error:
        return json.dumps({{"erreur": type(error).__name__, "message": str(error)[:2000]}})
    try:
        from matplotlib.figure import Figure
        if isinstance(result, Figure):
            return json.dumps({{"resultat": {{"figure": len(result.axes)}}}})
    except Exception:
        pass
    if callable(result) and not isinstance(result, type):
        key = "resultat-%d" % id(result)
        registry[key] = result
        return json.dumps({{"resultat": {{"fonction": key}}}})
    try:
        return json.dumps({{"resultat": {{"donnee": base64.b64encode(pickle.dumps(result, protocol=5)).decode("ascii")}}}})
    except Exception:
        return json.dumps({{"resultat": {{"illisible": type(result).__name__}}}})
__mdpc_sortie__ = __mdpc_appel__({payload!r})
"""

BASELINE = """def __mdpc_etat__():
    import builtins, sys
    ip = get_ipython()
    return {
        "crochets": {id(f): (getattr(f, "__module__", "") or "", k) for k, fs in
                     [("transformation", ip.input_transformers_cleanup + ip.input_transformers_post + ip.ast_transformers),
                      *ip.events.callbacks.items()] for f in fs},
        "builtins": {k: id(v) for k, v in vars(builtins).items() if k not in ("input", "raw_input", "getpass")},
        "trace": sys.gettrace() is not None or sys.getprofile() is not None,
        "exceptions": bool(ip.custom_exceptions) or "showtraceback" in vars(ip) or sys.excepthook is not sys.__excepthook__,
        "meta_path": len(sys.meta_path),
    }
__mdpc_base__ = __mdpc_etat__()
"""

# What the candidate's code may have done to its kernel, against the state before its first cell. Hooks that the
# Jupyter machinery registers itself (matplotlib's inline backend, ipykernel, IPython, widgets) are not counted.
PROBE = """def __mdpc_ecarts__():
    import json
    now, base, out = __mdpc_etat__(), __mdpc_base__, []
    ours = ("matplotlib", "matplotlib_inline", "ipykernel", "IPython", "ipywidgets", "comm", "traitlets")
    added = {}
    for key, (module, kind) in now["crochets"].items():
        if key not in base["crochets"] and not module.startswith(ours):
            added.setdefault(kind, 0)
            added[kind] += 1
    if "transformation" in added:
        out.append("transformation du code des cellules avant leur exécution")
    events = sorted(k for k in added if k != "transformation")
    if events:
        out.append("crochet d'événement du noyau (" + ", ".join(events) + ")")
    changed = sorted(k for k, v in now["builtins"].items() if base["builtins"].get(k, v) != v)
    if changed:
        out.append("fonctions intégrées de Python remplacées (" + ", ".join(changed[:5]) + ")")
    if now["trace"]:
        out.append("traçage de l'exécution (sys.settrace)")
    if now["exceptions"] and not base["exceptions"]:
        out.append("interception des erreurs")
    if now["meta_path"] > base["meta_path"]:
        out.append("importation détournée (sys.meta_path)")
    import sys
    places = {m: vars(mod) for m, mod in list(sys.modules.items()) if m.startswith("mdpc_utils")}
    for m in ("pandas", "numpy", "math", "statistics"):
        if m in sys.modules:
            places[m] = vars(sys.modules[m])
    if "pandas" in sys.modules:
        pd = sys.modules["pandas"]
        places.update({f"pandas.{c.__name__}": vars(c) for c in (pd.DataFrame, pd.Series, pd.Index)})
    planted = sorted(f"{m}.{k}" for m, attrs in places.items() for k, v in list(attrs.items())
                     if callable(v) and getattr(v, "__module__", None) == "__main__")
    kit = [x for x in planted if x.startswith("mdpc_utils")]
    libs = [x for x in planted if not x.startswith("mdpc_utils")]
    if kit:
        out.append("outils du kit remplacés (" + ", ".join(kit[:5]) + ")")
    if libs:
        out.append("fonctions de pandas, numpy ou math remplacées (" + ", ".join(libs[:5]) + ")")
    return json.dumps(out)
__mdpc_sortie__ = __mdpc_ecarts__()
"""


def _python(source: str) -> str | None:
    """The cell as Python (IPython's magics and shell escapes turned into calls), or None if it does not parse."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        code = TransformerManager().transform_cell(source)
        compile(code, "<cellule>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    return code


def _tables(code: str):
    tables = [symtable.symtable(code, "<cellule>", "exec")]
    while tables:
        table = tables.pop()
        yield table
        tables.extend(table.get_children())


def _symbols(code: str | None):
    """(at the top level?, symbol) for every symbol of every scope of `code` (nothing for no code)."""
    for table in _tables(code) if code is not None else ():
        top = table.get_type() == "module"
        for sym in table.get_symbols():
            yield top, sym


def bound_names(source: str) -> set[str]:
    """The global names a cell binds: assignments, loops, imports and definitions at the top level, and names a
    function declares ``global`` and assigns (comprehension variables and parameters are local, not counted)."""
    return {sym.get_name() for top, sym in _symbols(_python(source))
            if (top and (sym.is_assigned() or sym.is_imported()))
            or (not top and sym.is_declared_global() and sym.is_assigned())}


def read_names(source: str, strings: bool = True) -> set[str]:
    """The global names a cell reads, in any of its scopes (a comprehension's or a parameter's own names are
    not), and (unless `strings` is false) the strings it holds that look like names (a test may read
    ``globals()["ecarts_produit"]``): an over-approximation is harmless, an absent name is not sent."""
    code = _python(source)
    if code is None:
        return set()
    out = {sym.get_name() for top, sym in _symbols(code) if sym.is_referenced() and (top or sym.is_global())}
    if strings:
        out |= {n.value for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                and n.value.isidentifier()}
    return out


def is_test(cell) -> bool:
    md = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(md.get("grade")) and not md.get("solution")


def is_trusted(cell) -> bool:
    """A cell nbgrader restores from the source before autograding: a locked cell or a test cell."""
    md = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and (bool(md.get("locked")) or is_test(cell)) and not md.get("solution")


INCIDENTS_VARIABLE = "MDPC_JUGE_INCIDENTS"  # folder where each notebook's findings are written (set by autograde)
TAMPERING = "contournement_des_tests"
NOT_SENT = "valeur_non_transmise"


def report_findings(resources: dict, findings: list[str], refused: list[str]) -> None:
    """Write what the candidate's code did to its kernel, and the values that could not reach the tests,
    where autograde collects each copy's incidents."""
    folder = os.environ.get(INCIDENTS_VARIABLE)
    info = resources.get("nbgrader", {})
    if not folder or not info.get("student") or not (findings or refused):
        return
    notebook, items = info.get("notebook", ""), []
    if findings:
        items.append({"carnet": notebook, "type": TAMPERING,
                      "message": "tentative de contournement des tests : " + " ; ".join(findings)
                                 + " (sans effet : les tests sont exécutés hors de portée du code du candidat)"})
    if refused:
        items.append({"carnet": notebook, "type": NOT_SENT,
                      "message": "valeurs du candidat qui ne sont pas des données d'un type admis, non "
                                 "transmises aux tests (les tests qui les lisent échouent) : " + ", ".join(refused)})
    path = Path(folder) / f"{info['student']}--{notebook or 'carnet'}.json"
    path.write_text(json.dumps({"candidat": info["student"], "incidents": items}, ensure_ascii=False),
                    encoding="utf-8")
