"""Spreadsheet formulas for the no-code tools (issue 17): what a manager types in a calculated column.

A formula is a Python-like expression over the columns of a table, with French function names:
``100 * abonnement / moyenne(abonnement)``, ``si(indice >= 110, "premium", "milieu de gamme")``,
``(ventes - moyenne(ventes, par=commercial)) / ecart_type(ventes, par=commercial)``. A column whose name is
not a plain word is written between square brackets, as in a spreadsheet table: ``[2026] / [2019]``.

The formula is parsed with :mod:`ast` and only a white list of nodes is evaluated: names (columns and the
case's constants), numbers, texts, arithmetic, comparisons, ``and``/``or``/``not`` and calls to the functions
of :data:`FUNCTIONS`. No attribute, subscript, lambda or import can be written, and sizes are bounded, so a
recipe read back from a candidate's answers file computes and never runs anything else.
"""

from __future__ import annotations

import ast
import re

import pandas as pd

from .fonctions import FUNCTIONS, FormulaError, _if

MAX_LENGTH = 600
MAX_NODES = 250
MAX_EXPONENT = 1000


_BRACKETS = re.compile(r"\[([^\[\]]+)\]")
_BINARY = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
           ast.Pow: lambda a, b: a ** b, ast.BitAnd: lambda a, b: a & b, ast.BitOr: lambda a, b: a | b}
_COMPARE = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
            ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b}


def _is_text(value) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, pd.Series) and (value.dtype == object or pd.api.types.is_string_dtype(value.dtype))


class Formula:
    """A parsed formula; :meth:`evaluate` computes it on a table (or on constants alone)."""

    def __init__(self, text: str):
        text = (text or "").strip()
        if not text:
            raise FormulaError("formule vide")
        if len(text) > MAX_LENGTH:
            raise FormulaError(f"formule trop longue ({len(text)} caractères, {MAX_LENGTH} au plus)")
        self.text = text
        self.quoted: dict[str, str] = {}

        def quote(match):
            key = f"_col_{len(self.quoted)}"
            self.quoted[key] = match.group(1).strip()
            return key
        source = _BRACKETS.sub(quote, text)
        source = source.replace("×", "*").replace("÷", "/").replace("−", "-").replace("≥", ">=").replace("≤", "<=")
        source = source.replace("≠", "!=")
        try:
            self.tree = ast.parse(source, mode="eval")
        except SyntaxError as exc:
            raise FormulaError(f"formule illisible près du caractère {exc.offset or '?'} : vérifiez les "
                               "parenthèses, les guillemets et les opérateurs") from None
        nodes = sum(1 for _ in ast.walk(self.tree))
        if nodes > MAX_NODES:
            raise FormulaError(f"formule trop complexe ({nodes} éléments) : découpez-la en plusieurs colonnes")

    def evaluate(self, table: pd.DataFrame | None = None, constants: dict | None = None):
        self._table, self._constants = table, constants or {}
        try:
            return self._eval(self.tree.body)
        except FormulaError:
            raise
        except ZeroDivisionError:
            raise FormulaError("division par zéro") from None
        except (TypeError, ValueError, KeyError, IndexError, OverflowError, AttributeError) as exc:
            raise FormulaError(f"calcul impossible ({exc.__class__.__name__} : {str(exc)[:120]})") from None
        finally:
            self._table = None

    def _name(self, name: str):
        column = self.quoted.get(name, name)
        table = self._table
        if table is not None:
            for c in table.columns:
                if str(c) == column:
                    return table[c]
            if column == "index" or (table.index.name is not None and str(table.index.name) == column):
                return pd.Series(table.index, index=table.index)
        if column in self._constants:
            return self._constants[column]
        if column in ("vrai", "True"):
            return True
        if column in ("faux", "False"):
            return False
        known = [str(c) for c in table.columns] if table is not None else []
        known += [f"{k} (constante)" for k in self._constants]
        raise FormulaError(f"nom inconnu : « {column} »" + (f" (disponibles : {', '.join(known)})" if known else ""))

    def _eval(self, node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
            return node.value
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self._eval(node.left), self._eval(node.right)
            if isinstance(node.op, ast.Mult) and (_is_text(left) or _is_text(right)):
                raise FormulaError("on ne multiplie pas un texte")
            if isinstance(node.op, ast.Pow) and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
                raise FormulaError(f"exposant trop grand ({right})")
            if isinstance(node.op, ast.Pow) and isinstance(right, pd.Series):
                raise FormulaError("l'exposant doit être un nombre, pas une colonne")
            if isinstance(node.op, ast.Pow) and isinstance(left, int) and isinstance(right, (int, float)):
                left = float(left)  # no unbounded integers: an overflow becomes a French message
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp):
            value = self._eval(node.operand)
            if isinstance(node.op, ast.USub):
                return -value
            if isinstance(node.op, ast.UAdd):
                return value
            if isinstance(node.op, ast.Not):
                return ~value if isinstance(value, pd.Series) else not value
        if isinstance(node, ast.BoolOp):
            values = [self._eval(v) for v in node.values]
            result = values[0]
            for v in values[1:]:
                if isinstance(node.op, ast.And):
                    result = (result & v) if isinstance(result, pd.Series) or isinstance(v, pd.Series) else (result and v)
                else:
                    result = (result | v) if isinstance(result, pd.Series) or isinstance(v, pd.Series) else (result or v)
            return result
        if isinstance(node, ast.Compare):
            left, result = self._eval(node.left), True
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                if type(op) not in _COMPARE:
                    raise FormulaError("comparaison non prise en charge (utilisez ==, !=, <, <=, >, >= ou dans())")
                right = self._eval(comparator)
                part = _COMPARE[type(op)](left, right)
                result = part if result is True else (result & part)
                left = right
            return result
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name not in FUNCTIONS:
                raise FormulaError(f"fonction inconnue : « {name} » (fonctions : {', '.join(sorted(FUNCTIONS))})")
            args = [self._eval(a) for a in node.args]
            kwargs = {}
            for kw in node.keywords:
                if kw.arg is None:
                    raise FormulaError("argument non pris en charge")
                kwargs[kw.arg] = self._eval(kw.value)
            try:
                return FUNCTIONS[name][0](*args, **kwargs)
            except TypeError:
                raise FormulaError(f"arguments incorrects pour {name}() — {FUNCTIONS[name][1]}") from None
        if isinstance(node, ast.IfExp):
            return _if(self._eval(node.test), self._eval(node.body), self._eval(node.orelse))
        raise FormulaError(f"élément non autorisé dans une formule : {node.__class__.__name__}")


def evaluate(text: str, table: pd.DataFrame | None = None, constants: dict | None = None):
    """Compute one formula; raises :class:`FormulaError` with a French message."""
    return Formula(text).evaluate(table, constants)


def help_text() -> str:
    """The list of functions, one per line, for the tools' help panel."""
    return "\n".join(doc for _, doc in FUNCTIONS.values())
