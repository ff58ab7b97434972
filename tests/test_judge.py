"""The judge kernel's rules, without kernels: what crosses from the candidate's kernel, and what never does."""

import base64
import datetime as dt
import json
import os
import pickle

import numpy as np
import pandas as pd
import pytest

from mdpc.grading import judge_kernel as jk
from mdpc.grading.judge_code import bound_names, is_test, is_trusted, read_names


def payload(**values) -> str:
    """What the candidate's kernel sends: each value pickled (as its own export code does)."""
    return json.dumps({k: {"donnee": base64.b64encode(pickle.dumps(v, protocol=5)).decode()} for k, v in values.items()})


def test_data_crosses_unchanged():
    frame = pd.DataFrame({"commercial": ["A", "B"], "heures": [35.0, 28.5],
                          "semaine": pd.to_datetime(["2027-01-11", "2027-01-18"]), "n": pd.array([1, None], "Int64")})
    values = {"capacite": frame.set_index("commercial"), "total": np.float64(63.5), "n": np.int64(2),
              "serie": frame["heures"], "jour": dt.date(2027, 1, 4), "zopa": (1.5, 2.5), "liste": ["T01", "T03"],
              "ensemble": {"a", "b"}, "montants": {"annuel": 12_000}}
    ns = {}
    assert jk.bind(payload(**values), ns) == []
    pd.testing.assert_frame_equal(ns["capacite"], values["capacite"])
    pd.testing.assert_series_equal(ns["serie"], values["serie"])
    assert {k: v for k, v in ns.items() if k not in ("capacite", "serie")} == {
        k: v for k, v in values.items() if k not in ("capacite", "serie")}


class Everything:
    """A candidate's object that says yes to every comparison."""

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


@pytest.mark.parametrize("value", [Everything(), [1, Everything()], pd.DataFrame({"x": [Everything()]})])
def test_objects_of_the_candidate_never_cross(value):
    ns = {}
    refused = jk.bind(payload(reponse=value), ns)
    assert "reponse" not in ns and refused and refused[0].startswith("reponse")


class Gadget:
    def __reduce__(self):  # a pickle that would run a command when loaded
        return (os.system, ("echo pris > /tmp/mdpc-juge-pris",))


def test_a_pickle_that_runs_code_is_refused_before_running_it():
    with pytest.raises(pickle.UnpicklingError, match="type non admis"):
        jk.loads(pickle.dumps(Gadget()))
    for forged in (pd.read_csv, pd.eval, np.load):
        data = pickle.dumps(forged)
        with pytest.raises(pickle.UnpicklingError):
            jk.loads(data)
    assert not os.path.exists("/tmp/mdpc-juge-pris")


def test_private_and_builtin_names_are_never_taken_from_the_candidate():
    ns = {"_m": "du test", "check": "du juge"}
    jk.bind(payload(_m="du candidat", isinstance=1, len=2), ns)
    assert ns == {"_m": "du test", "check": "du juge"}


def test_functions_and_modules_become_proxies_or_trusted_imports():
    spec = json.dumps({"charge_hebdo": {"fonction": "charge_hebdo"}, "np": {"module": "numpy"},
                       "os2": {"module": "os"}})
    ns = {}
    refused = jk.bind(spec, ns)
    assert isinstance(ns["charge_hebdo"], jk.CandidateFunction) and ns["np"] is np
    assert "os2" not in ns and refused == ["os2 (os)"]


def test_a_candidate_function_returns_data_or_raises_its_error(monkeypatch):
    answers = iter([json.dumps({"resultat": {"donnee": base64.b64encode(pickle.dumps(42.0)).decode()}}),
                    json.dumps({"erreur": "ValueError", "message": "tâche inconnue"}),
                    json.dumps({"erreur": "MonErreur", "message": "x"}),
                    json.dumps({"resultat": {"figure": 2}}),
                    json.dumps({"resultat": {"illisible": "_Tout"}})])
    sent = []
    monkeypatch.setattr("builtins.input", lambda prompt: sent.append(prompt) or next(answers))
    f = jk.CandidateFunction("marge_contrat")
    assert f(1, duree=36) == 42.0 and sent[0].startswith(jk.CALL_PROMPT)
    with pytest.raises(ValueError, match="tâche inconnue"):
        f()
    with pytest.raises(jk.CandidateError):
        f()
    from matplotlib.figure import Figure

    fig = f()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    opaque = f()
    assert opaque != opaque and not isinstance(opaque, pd.DataFrame)


def test_cells_are_read_for_the_names_they_bind_and_read():
    source = ('%matplotlib inline\nimport pandas as pd\nfor _i, r in enumerate(x):\n    y[r] = 1\n'
              'def f(a):\n    global g\n    g = a\n    return a + z\nt = globals()["ecarts_produit"]\n'
              'total = sum(a.h for a in plan.itertuples())')
    assert bound_names(source) == {"pd", "_i", "r", "f", "g", "t", "total"}
    reads = read_names(source)
    assert reads >= {"x", "y", "z", "enumerate", "globals", "ecarts_produit", "plan", "sum"}
    assert "a" not in reads  # a parameter, a comprehension's variable: never the candidate's global


def test_trusted_cells_are_those_nbgrader_restores():
    import nbformat

    def cell(**md):
        return nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": md} if md else {})

    test = cell(grade=True, solution=False, locked=True, grade_id="t", points=1)
    assert is_test(test) and is_trusted(test)
    assert is_trusted(cell(locked=True, grade=False, solution=False, grade_id="l"))
    assert not is_trusted(cell(solution=True, grade=False, locked=False, grade_id="s"))
    assert not is_trusted(cell())  # a cell the candidate added


def test_test_cells_bind_only_private_names():
    """ARCHITECTURE.md, contract 2: a test cell writes only names starting with « _ » (the candidate's names are
    never taken for the tests', and the tests' are never taken from the candidate)."""
    import nbformat

    from mdpc import CAS_DIR

    public = {}
    for path in sorted(CAS_DIR.glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if is_test(cell) and (names := sorted(n for n in bound_names(cell.source) if not n.startswith("_"))):
                public[cell.metadata["nbgrader"]["grade_id"]] = names
    assert public == {}, f"cellules de test qui lient des noms publics : {public}"


def test_a_kept_judge_starts_the_next_notebook_empty():
    """The judge kept for a copy's next notebook (``judge.JudgedExecute._take_judge``) is reset by RESET: nothing
    the previous notebook's cells bound, no option they set, no figure, and its bootstrap in place again."""
    from jupyter_client.manager import start_new_kernel

    from mdpc.grading.judge_code import BOOT, JUDGE_SOURCE, RESET

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        def run(code, expression=None):
            reply = kc.execute_interactive(code, silent=True, store_history=False, timeout=60,
                                           user_expressions={"r": expression} if expression else None)
            assert reply["content"]["status"] == "ok", reply["content"]
            return reply["content"]["user_expressions"]["r"]["data"]["text/plain"] if expression else None

        run(BOOT.format(source=JUDGE_SOURCE))
        run("import pandas as pd, matplotlib\nmatplotlib.use('agg')\nimport matplotlib.pyplot as plt\n"
            "capacite = 42\n_m = 'du test'\npd.set_option('display.max_colwidth', 7)\nplt.figure()")
        assert run("pass", "(capacite, pd.get_option('display.max_colwidth'), len(plt.get_fignums()))") == "(42, 7, 1)"
        run(RESET.format(source=JUDGE_SOURCE))
        state = ("(sorted(k for k in ('capacite', '_m', 'pd', 'plt') if k in globals()), "
                 "__import__('pandas').get_option('display.max_colwidth'), "
                 "len(__import__('matplotlib.pyplot').pyplot.get_fignums()), "
                 "hasattr(__mdpc_juge__, 'bind'), get_ipython().execution_count)")
        assert run("pass", state) == "([], 50, 0, True, 1)"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
