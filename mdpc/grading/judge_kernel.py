"""What the judge kernel runs: the candidate's values let in as data only, the candidate's functions as proxies.

This file is never imported by the grading system's processes: :mod:`mdpc.grading.judge` reads it as text and
has the judge kernel execute it at start, before any cell (the sandbox mounts no part of the grading system).
The judge kernel runs the notebook's trusted cells (locked cells and tests, restored from the source) and
nothing the candidate wrote:

- the candidate's values come from the candidate's kernel as pickles that :class:`DataUnpickler` rebuilds
  only from an allowlist of data types (pandas and numpy containers and scalars, dates, standard
  containers): no candidate class, no ``__eq__`` of theirs, no code;
- the candidate's functions are :class:`CandidateFunction` proxies: a call sends its arguments, through the
  kernel's standard input request, to the grading process, which runs the function in the candidate's
  kernel and answers with its result (rebuilt the same way) or its error.

So nothing the candidate's code does in its own kernel (input transformers, event hooks, patched builtins or
modules, threads) can reach the code that decides whether a test passes.
"""

import base64
import builtins
import importlib
import io
import json
import pickle

CALL_PROMPT = "\x00mdpc-appel\x00"
MAX_BYTES = 64 * 1024 * 1024

_EXACT = {
    ("builtins", "complex"), ("builtins", "range"), ("builtins", "slice"), ("builtins", "set"),
    ("builtins", "frozenset"), ("builtins", "bytearray"),
    ("collections", "OrderedDict"), ("collections", "Counter"),
    ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"),
    ("datetime", "timezone"), ("decimal", "Decimal"), ("fractions", "Fraction"),
    ("zoneinfo", "ZoneInfo"),
    ("numpy", "dtype"), ("numpy", "ndarray"),
    ("numpy._core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "scalar"),
    ("numpy._core.numeric", "_frombuffer"), ("numpy.core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy.core.numeric", "_frombuffer"),
    ("pandas", "NA"),
    ("pandas._libs.arrays", "__pyx_unpickle_NDArrayBacked"), ("pandas._libs.internals", "_unpickle_block"),
    ("pandas._libs.tslibs.nattype", "_nat_unpickle"), ("pandas._libs.tslibs.timedeltas", "_timedelta_unpickle"),
    ("pandas._libs.tslibs.timestamps", "_unpickle_timestamp"),
    ("pandas.core.indexes.base", "_new_Index"), ("pandas.core.indexes.datetimes", "_new_DatetimeIndex"),
    ("pandas.core.indexes.interval", "_new_IntervalIndex"), ("pandas.core.indexes.period", "_new_PeriodIndex"),
    ("pandas.core.internals.managers", "BlockManager"), ("pandas.core.internals.managers", "SingleBlockManager"),
}
_CLASS_MODULES = ("pandas", "pandas.arrays", "pandas.core.arrays", "pandas._libs.tslibs.offsets",
                  "pandas.core.dtypes.dtypes", "pandas.core.frame", "pandas.core.series", "pandas.core.indexes.")


def _safe_class(obj) -> bool:
    """A pandas data class: a frame, a series, an index, an extension array or dtype, an offset, an interval."""
    import pandas as pd
    from pandas.api.extensions import ExtensionArray, ExtensionDtype
    from pandas.tseries.offsets import BaseOffset

    bases = (pd.DataFrame, pd.Series, pd.Index, ExtensionArray, ExtensionDtype, BaseOffset, pd.Interval, pd.Period,
             pd.Timestamp, pd.Timedelta)
    return isinstance(obj, type) and issubclass(obj, bases)


class DataUnpickler(pickle.Unpickler):
    """Rebuilds data only: any other global named by the pickle is refused (UnpicklingError)."""

    def find_class(self, module, name):
        if (module, name) in _EXACT:
            return super().find_class(module, name)
        if module.startswith(_CLASS_MODULES) and not name.startswith("_"):
            obj = super().find_class(module, name)
            if _safe_class(obj):
                return obj
        raise pickle.UnpicklingError(f"type non admis : {module}.{name}")


def loads(data: bytes):
    if len(data) > MAX_BYTES:
        raise pickle.UnpicklingError("valeur trop volumineuse")
    return DataUnpickler(io.BytesIO(data)).load()


_EXCEPTIONS = {name: getattr(builtins, name) for name in (
    "ValueError", "TypeError", "KeyError", "IndexError", "ZeroDivisionError", "AttributeError", "NameError",
    "RuntimeError", "NotImplementedError", "AssertionError", "ArithmeticError", "OverflowError", "LookupError",
    "RecursionError", "MemoryError", "TimeoutError", "OSError", "FileNotFoundError", "StopIteration")}


class CandidateError(RuntimeError):
    """An error raised by a candidate's function whose type is not a builtin one."""


def _value(spec: dict):
    if "donnee" in spec:
        return loads(base64.b64decode(spec["donnee"]))
    if "figure" in spec:  # a matplotlib figure drawn by the candidate: an empty figure with as many axes
        from matplotlib.figure import Figure

        fig = Figure()
        for i in range(int(spec["figure"])):
            fig.add_subplot(1, max(1, int(spec["figure"])), i + 1)
        return fig
    if "fonction" in spec:
        return CandidateFunction(str(spec["fonction"]))
    return Opaque(str(spec.get("illisible", "objet")))


class Opaque:
    """A candidate value that cannot cross as data: it compares equal to nothing and has no attribute a test uses."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self):
        return f"<valeur du candidat non transmissible : {self.type_name}>"

    def __eq__(self, other):
        return False

    __hash__ = None


class CandidateFunction:
    """A function the candidate wrote, run in the candidate's kernel; only its result comes back, as data."""

    __slots__ = ("__name__",)

    def __init__(self, name: str):
        self.__name__ = name

    def __repr__(self):
        return f"<fonction du candidat {self.__name__}>"

    def __call__(self, *args, **kwargs):
        payload = base64.b64encode(pickle.dumps((self.__name__, args, kwargs), protocol=5)).decode("ascii")
        reply = json.loads(builtins.input(CALL_PROMPT + payload))
        if "erreur" in reply:
            kind = _EXCEPTIONS.get(reply["erreur"], CandidateError)
            raise kind(reply.get("message", ""))
        return _value(reply["resultat"])


_MODULES = ("math", "statistics", "datetime", "itertools", "collections", "functools", "re", "json", "decimal",
            "fractions", "numpy", "pandas", "matplotlib", "matplotlib.pyplot", "mdpc_utils", "string", "random",
            "calendar", "operator", "textwrap", "unicodedata", "zoneinfo")


def bind(payload: str, namespace: dict) -> list[str]:
    """Bind the candidate's values sent by the grading process into `namespace`; return, for the jury, the
    values that could not cross as data (« name (type) »)."""
    refused = []
    for name, spec in json.loads(payload).items():
        if not name.isidentifier() or name.startswith("_") or hasattr(builtins, name):
            continue
        try:
            if "module" in spec:
                module = str(spec["module"])
                if module not in _MODULES and module.split(".")[0] not in ("mdpc_utils",):
                    raise ImportError(module)
                namespace[name] = importlib.import_module(module)
            else:
                namespace[name] = value = _value(spec)
                if isinstance(value, Opaque):
                    refused.append(f"{name} ({value.type_name})")
        except Exception as error:  # noqa: BLE001 — a value that cannot cross is left out; the test reading it fails
            namespace.pop(name, None)
            refused.append(f"{name} ({spec.get('module') or str(error)[:80]})")
    return refused
