"""Formulas of derived indicators (``formula:``), parsed safely: no ``eval``, only arithmetic over codes.

A formula names the collected values it is computed from — components (``components:`` of the system: base data
such as 常住人口 or 地区生产总值, entered once per unit and year) or indicators that are themselves collected — and
combines them with ``+ − × ÷``, parentheses and numbers::

    {5G基站数} / {常住人口} * 10000
    Flights / Population

A code that is not a Python identifier (it starts with a digit, holds ``-`` …) is written in braces; ``×`` and
``÷`` may stand for ``*`` and ``/``. The text is parsed by :mod:`ast` and only the node types listed in
:data:`_ALLOWED` are accepted; evaluation walks the parsed tree over numpy columns (vectorised over all rows).
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

MAX_FORMULA_LENGTH = 500
MAX_FORMULA_NODES = (
    200  # parsed nodes: far beyond any ratio a plan states, far below Python's recursion limit
)
_BRACED = re.compile(r"\{([^{}]+)\}")
_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div)


class FormulaError(ValueError):
    """A formula that cannot be used; the message says why, in English and Chinese."""


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its text, the codes it names (in order of first use) and its expression tree."""

    text: str
    codes: tuple[str, ...]
    expression: ast.expr
    names: Mapping[str, str]  # placeholder name in the expression → code

    def evaluate(self, columns: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The formula over ``columns`` (code → one value per row), and where a divisor is 0.

        Returns ``(value, zero_division)``: NaN where a part is missing or a divisor is 0; ``zero_division`` is
        True on the rows where some divisor was exactly 0 (with its parts present).
        """
        first = next(iter(columns.values()))
        zero = np.zeros(np.shape(first), dtype=bool)
        with np.errstate(all="ignore"):
            value = self._walk(self.expression, columns, zero)
        value = np.where(zero, np.nan, value)
        return np.broadcast_to(value, zero.shape).astype(float), zero

    def _walk(self, node: ast.expr, columns: Mapping[str, np.ndarray], zero: np.ndarray) -> np.ndarray:
        if isinstance(node, ast.Constant):
            return np.asarray(float(node.value))  # type: ignore[arg-type]  # a number: checked by _allowed
        if isinstance(node, ast.Name):
            return np.asarray(columns[self.names[node.id]], dtype=float)
        if isinstance(node, ast.UnaryOp):
            operand = self._walk(node.operand, columns, zero)
            return -operand if isinstance(node.op, ast.USub) else operand
        assert isinstance(node, ast.BinOp)
        left = self._walk(node.left, columns, zero)
        right = self._walk(node.right, columns, zero)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        divisor_zero = (right == 0) & ~np.isnan(left)
        zero |= np.broadcast_to(divisor_zero, zero.shape)
        return left / np.where(right == 0, np.nan, right)

    def divisors(self) -> list[str]:
        """The codes that appear in a divisor (for messages: "常住人口 is 0")."""
        found: list[str] = []
        for node in ast.walk(self.expression):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
                for inner in ast.walk(node.right):
                    if isinstance(inner, ast.Name) and self.names[inner.id] not in found:
                        found.append(self.names[inner.id])
        return found


_TERM = re.compile(r"\{([^{}]+)\}|\b([A-Za-z_][A-Za-z0-9_]*)\b")


def formula_words(formula: str, names: Mapping[str, str]) -> str:
    """A formula as readers say it: codes by their names, ``÷`` and ``×`` for ``/`` and ``*``
    (``{C-5G} / {C-POP}`` → ``5G基站数 ÷ 常住人口``); a code without a name stays as written."""
    text = _TERM.sub(lambda m: names.get(m.group(1) or m.group(2), m.group(1) or m.group(2)), formula)
    return re.sub(r"\s*\*\s*", " × ", re.sub(r"\s*/\s*", " ÷ ", text))


def parse_formula(text: str) -> Formula:
    """Parse a formula (see the module docstring); raises :class:`FormulaError` saying what is wrong."""
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaError(
            f"公式过长（至多 {MAX_FORMULA_LENGTH} 个字符） / the formula is longer than {MAX_FORMULA_LENGTH} characters"
        )
    names: dict[str, str] = {}
    codes: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        code = match.group(1).strip()
        name = f"_c{len(names)}_"
        names[name] = code
        return f" {name} "

    source = _BRACED.sub(placeholder, text).replace("×", "*").replace("÷", "/")
    if "{" in source or "}" in source:
        raise FormulaError("花括号不成对 / unbalanced braces")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError:
        raise FormulaError(
            "无法解析：只能使用 + − × ÷、括号、数字和编码（编码含 - 等符号时写作 {编码}） / cannot parse: use "
            "+ - * /, parentheses, numbers and codes (write {code} when a code holds - or other signs)"
        ) from None
    for count, node in enumerate(ast.walk(tree), start=1):
        if count > MAX_FORMULA_NODES:
            raise FormulaError(f"公式过于复杂 / the formula has more than {MAX_FORMULA_NODES} parts")
        if not _allowed(node):
            raise FormulaError(
                f"不允许的写法 {type(node).__name__}：只能使用 + − × ÷、括号、数字和编码 / "
                f"{type(node).__name__} is not allowed: only + - * /, parentheses, numbers and codes"
            )
        if isinstance(node, ast.Name):
            code = names.setdefault(node.id, node.id)
            if code not in codes:
                codes.append(code)
    if not codes:
        raise FormulaError("公式没有引用任何编码 / the formula names no code")
    return Formula(text, tuple(codes), tree.body, names)


def _allowed(node: ast.AST) -> bool:
    if isinstance(node, ast.Expression | ast.Name | ast.Load):
        return True
    if isinstance(node, ast.Constant):
        value = node.value
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, _OPERATORS)
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.USub | ast.UAdd)
    return isinstance(node, (*_OPERATORS, ast.USub, ast.UAdd))
