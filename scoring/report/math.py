"""Formulas typeset: a small LaTeX subset parsed once and written as Word equations (OMML), as MathML for the
HTML page and as one line of Unicode text where only text fits (the workbook, tests).

The report's formulas (:mod:`scoring.methods` records, :mod:`scoring.report.methods_text` and the analysis
chapters) are written in this subset:

- letters are variables (italic), digits numbers, ``+ − · × / = < > ≤ ≥ ≈ ← ⇒ , ; ( ) [ ] %`` operators;
  Greek letters and primes may be typed as Unicode (``α``, ``w′``) or as ``\\alpha``, ``w'``;
- Chinese text is upright text as it stands (``x_{有值}``); ``\\text{…}`` makes any text upright;
- ``_`` and ``^`` take one character or a ``{group}``: ``w_j``, ``x_{ij}``, ``(x/μ)^{2}``;
- ``\\frac{a}{b}``, ``\\sqrt{a}``, ``\\sum``/``\\prod`` with ``_{…}^{…}`` limits applied to the next group
  (``\\sum_{k} {w_k y_k}``), ``\\bar{x}``, ``\\left( … \\right)`` (stretching brackets), ``\\lfloor … \\rfloor``;
  absolute values and sets as ``\\left| … \\right|`` and ``\\left\\{ … \\right\\}`` (LibreOffice garbles a bare
  ``|`` or brace in an equation, so a bare ``|`` is refused);
- ``\\min \\max \\ln \\exp \\operatorname{CV}`` are upright function names; ``\\quad`` a wide space, ``\\;`` a
  space.

Inline formulas inside a sentence are marked ``⟦…⟧`` (:func:`inline`); the writers split such a text with
:func:`segments`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

OPEN, CLOSE = "⟦", "⟧"  # marks of an inline formula inside body text (never typed by users)
INLINE = re.compile(f"{OPEN}(.*?){CLOSE}", re.S)

GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "varepsilon": "ε",
    "epsilon": "ε",
    "theta": "θ",
    "lambda": "λ",
    "mu": "μ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "phi": "φ",
    "omega": "ω",
    "Delta": "Δ",
    "Sigma": "Σ",
    "Pi": "Π",
    "Omega": "Ω",
}
SYMBOLS = {
    "cdot": "·",
    "times": "×",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "approx": "≈",
    "ne": "≠",
    "leftarrow": "←",
    "Rightarrow": "⇒",
    "in": "∈",
    "infty": "∞",
    "lfloor": "⌊",
    "rfloor": "⌋",
    "{": "{",
    "}": "}",
    "%": "%",
    "pm": "±",
}
FUNCTIONS = {"min", "max", "ln", "exp", "log", "mean", "sgn"}
NARY = {"sum": "∑", "prod": "∏"}
SPACES = {"quad": "\u2003", ";": " ", ",": "\u2009", " ": " "}
OPERATORS = set("+−-·×/=<>≤≥≈←⇒,;，；：:()[]⌊⌋%!∈±≠∞→") | {"\u2003", " ", "\u2009"}
MINUS = "−"


class MathError(ValueError):
    """A formula that is not in the subset (a programming error in a formula text, never user input)."""


# ------------------------------------------------------------------------------------------------- the tree
@dataclass(frozen=True)
class Run:
    """A piece of text: ``kind`` i (variable, italic), n (number), o (operator), t (upright text), f (function
    name, upright)."""

    text: str
    kind: str


@dataclass(frozen=True)
class Row:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Frac:
    num: Node
    den: Node


@dataclass(frozen=True)
class Scripts:
    base: Node
    sub: Node | None
    sup: Node | None


@dataclass(frozen=True)
class Nary:
    char: str
    sub: Node | None
    sup: Node | None
    body: Node


@dataclass(frozen=True)
class Sqrt:
    body: Node


@dataclass(frozen=True)
class Fence:
    open: str
    close: str
    body: Node


@dataclass(frozen=True)
class Bar:
    body: Node


Node = Run | Row | Frac | Scripts | Nary | Sqrt | Fence | Bar


# ----------------------------------------------------------------------------------------------- the parser
class _Parser:
    def __init__(self, source: str):
        self.s = source
        self.i = 0

    def error(self, what: str) -> MathError:
        return MathError(f"{what} at {self.i} in formula {self.s!r}")

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def row(self, until: str = "") -> Row:
        items: list[Node] = []
        while self.i < len(self.s):
            c = self.peek()
            if until and c == until:
                break
            if self.s.startswith("\\right", self.i):
                break
            if c.isspace():
                self.i += 1
                continue
            atom = self.atom(items)
            if atom is None:
                continue
            items.append(self.scripts(atom))
        return Row(tuple(items))

    def group(self) -> Node:
        """One ``{group}`` or a single character/command (the argument of ``_``, ``^``, ``\\frac``, …)."""
        while self.peek().isspace():
            self.i += 1
        if self.peek() == "{":
            self.i += 1
            inner = self.row("}")
            if self.peek() != "}":
                raise self.error("missing }")
            self.i += 1
            return inner.items[0] if len(inner.items) == 1 else inner
        if not self.peek():
            raise self.error("missing argument")
        atom = self.atom([], single=True)
        if atom is None:
            raise self.error("empty argument")
        return atom

    def scripts(self, base: Node) -> Node:
        sub = sup = None
        while self.peek() in ("_", "^"):
            mark = self.peek()
            self.i += 1
            if mark == "_":
                sub = self.group()
            else:
                sup = self.group()
        if isinstance(base, Nary):  # limits of ∑ / ∏ come before the body
            return base
        return Scripts(base, sub, sup) if sub is not None or sup is not None else base

    def atom(self, before: list[Node], single: bool = False) -> Node | None:
        c = self.peek()
        if c == "\\":
            return self.command(single)
        if c == "{":
            return self.group()
        if c in "_^":
            raise self.error(f"{c} without a base")
        if c == "}":
            raise self.error("unbalanced }")
        if c == "|":  # LibreOffice reads a bare | in an equation as its own operator and garbles the formula
            raise self.error("a bare | (write \\left| … \\right|)")
        self.i += 1
        if c.isdigit() or (c == "." and self.peek().isdigit()):
            if single:
                return Run(c, "n")
            j = self.i
            while j < len(self.s) and (
                self.s[j].isdigit() or (self.s[j] == "." and self.s[j + 1 : j + 2].isdigit())
            ):
                j += 1
            text = c + self.s[self.i : j]
            self.i = j
            return Run(text, "n")
        if c == "'" or c == "′":
            return Run("′", "o")
        if c == "-":
            return Run(MINUS, "o")
        if c in OPERATORS:
            return Run(c, "o")
        if _cjk(c):
            if single:
                return Run(c, "t")
            j = self.i
            while j < len(self.s) and (_cjk(self.s[j]) or self.s[j] in "“”"):
                j += 1
            text = c + self.s[self.i : j]
            self.i = j
            return Run(text, "t")
        # a letter; a prime right after belongs to it (w′)
        text = c
        while self.peek() in ("'", "′"):
            self.i += 1
            text += "′"
        return Run(text, "i")

    def command(self, single: bool) -> Node | None:
        m = re.compile(r"\\([A-Za-z]+|.)").match(self.s, self.i)
        if m is None:
            raise self.error("lone backslash")
        name = m.group(1)
        self.i = m.end()
        if name in GREEK:
            return Run(GREEK[name], "i")
        if name in SYMBOLS:
            return Run(SYMBOLS[name], "o")
        if name in SPACES:
            return Run(SPACES[name], "o")
        if name in FUNCTIONS:
            return Run(name, "f")
        if name == "operatorname":
            return Run(_plain_group(self), "f")
        if name == "text":
            return Run(_plain_group(self), "t")
        if name == "frac":
            return Frac(self.group(), self.group())
        if name == "sqrt":
            return Sqrt(self.group())
        if name == "bar":
            return Bar(self.group())
        if name in NARY:
            sub = sup = None
            while self.peek() in ("_", "^"):
                mark = self.peek()
                self.i += 1
                if mark == "_":
                    sub = self.group()
                else:
                    sup = self.group()
            return Nary(NARY[name], sub, sup, self.scripts(self.group()))
        if name == "left":
            opening = self._delimiter()
            body = self.row()
            if not self.s.startswith("\\right", self.i):
                raise self.error("\\left without \\right")
            self.i += len("\\right")
            return Fence(opening, self._delimiter(), body)
        raise self.error(f"unknown command \\{name}")

    def _delimiter(self) -> str:
        c = self.peek()
        if c == "\\":
            m = re.compile(r"\\([A-Za-z]+|.)").match(self.s, self.i)
            assert m is not None
            self.i = m.end()
            return SYMBOLS.get(m.group(1), m.group(1))
        self.i += 1
        return "" if c == "." else c


def _plain_group(p: _Parser) -> str:
    if p.peek() != "{":
        raise p.error("expected {")
    end = p.s.index("}", p.i)
    text = p.s[p.i + 1 : end]
    p.i = end + 1
    return text


def _cjk(c: str) -> bool:
    return (
        "\u2e80" <= c <= "\u9fff"
        or "\uf900" <= c <= "\ufaff"
        or ("\u3000" <= c <= "\u303f" and c not in "〔〕")
    )


@lru_cache(maxsize=512)
def parse(source: str) -> Row:
    """The formula's tree; :class:`MathError` when it is not in the subset."""
    p = _Parser(source)
    row = p.row()
    if p.i != len(source):
        raise p.error("unbalanced }")
    return row


# ---------------------------------------------------------------------------------------------- plain text
def text(source: str) -> str:
    """The formula on one line of Unicode text (``w′_j``-free: subscripts as subscript characters where Unicode
    has them, otherwise appended): for the workbook and for searching the text of a report."""
    return _text(parse(source)).strip()


def _text(node: Node) -> str:
    if isinstance(node, Run):
        return node.text
    if isinstance(node, Row):
        out = []
        for item in node.items:
            piece = _text(item)
            if isinstance(item, Run) and item.kind == "o" and item.text in "=<>≤≥≈←⇒+−×" and item.text:
                piece = f" {piece} "
            out.append(piece)
        return re.sub(r"\s+", " ", "".join(out))
    if isinstance(node, Frac):
        return f"{_wrapped(node.num)}/{_wrapped(node.den)}"
    if isinstance(node, Scripts):
        base = _text(node.base)
        if node.sub is not None:
            base += _script(_text(node.sub), SUBSCRIPT)
        if node.sup is not None:
            base += _script(_text(node.sup), SUPERSCRIPT)
        return base
    if isinstance(node, Nary):
        limits = _script(_text(node.sub), SUBSCRIPT) if node.sub is not None else ""
        return f"{node.char}{limits} {_text(node.body)}"
    if isinstance(node, Sqrt):
        return f"√{_wrapped(node.body)}"
    if isinstance(node, Fence):
        return f"{node.open}{_text(node.body)}{node.close}"
    return f"{_text(node.body)}\u0304"


SUBSCRIPT = str.maketrans("0123456789+−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
SUPERSCRIPT = str.maketrans("0123456789+−=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")


def _script(s: str, table: dict[int, int]) -> str:
    translated = s.translate(table)
    if all(ord(c) in table or c.isspace() for c in s):
        return translated.replace(" ", "")
    return f"({s})" if table is SUBSCRIPT else f"^({s})"


def _wrapped(node: Node) -> str:
    s = _text(node)
    simple = isinstance(node, Run) or (isinstance(node, Scripts) and isinstance(node.base, Run))
    return s if simple else f"({s})"


# ---------------------------------------------------------------------------------------------------- OMML
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MATH_FONT = "Cambria Math"


def omml(source: str, *, display: bool, east_asia: str = "Noto Serif CJK SC") -> str:
    """The formula as an OMML fragment with its namespaces declared: ``m:oMathPara`` (display: a paragraph of
    its own, centred) or ``m:oMath`` (inline, inside a paragraph)."""
    body = _omml(parse(source), east_asia)
    math = f'<m:oMath xmlns:m="{M}" xmlns:w="{W}">{body}</m:oMath>'
    if not display:
        return math
    return (
        f'<m:oMathPara xmlns:m="{M}" xmlns:w="{W}"><m:oMathParaPr><m:jc m:val="center"/></m:oMathParaPr>'
        f"<m:oMath>{body}</m:oMath></m:oMathPara>"
    )


def _omml_run(run: Run, east_asia: str) -> str:
    # text and function names as normal (upright) text: LibreOffice, unlike Word, ignores m:sty on import
    style = (
        '<m:nor/><m:sty m:val="p"/>'
        if run.kind in "tf"
        else ('<m:sty m:val="p"/>' if run.kind in "no" else "")
    )
    fonts = f'<w:rPr><w:rFonts w:ascii="{MATH_FONT}" w:hAnsi="{MATH_FONT}" w:eastAsia="{east_asia}"/></w:rPr>'
    rpr = f"<m:rPr>{style}</m:rPr>" if style else ""
    return f'<m:r>{rpr}{fonts}<m:t xml:space="preserve">{escape(run.text)}</m:t></m:r>'


def _omml(node: Node, ea: str) -> str:
    if isinstance(node, Run):
        return _omml_run(node, ea)
    if isinstance(node, Row):
        return "".join(_omml(i, ea) for i in node.items)
    if isinstance(node, Frac):
        return f"<m:f><m:num>{_omml(node.num, ea)}</m:num><m:den>{_omml(node.den, ea)}</m:den></m:f>"
    if isinstance(node, Scripts):
        base = f"<m:e>{_omml(node.base, ea)}</m:e>"
        if node.sub is not None and node.sup is not None:
            return (
                f"<m:sSubSup>{base}<m:sub>{_omml(node.sub, ea)}</m:sub>"
                f"<m:sup>{_omml(node.sup, ea)}</m:sup></m:sSubSup>"
            )
        if node.sub is not None:
            return f"<m:sSub>{base}<m:sub>{_omml(node.sub, ea)}</m:sub></m:sSub>"
        assert node.sup is not None
        return f"<m:sSup>{base}<m:sup>{_omml(node.sup, ea)}</m:sup></m:sSup>"
    if isinstance(node, Nary):
        hide = ("" if node.sub is not None else '<m:subHide m:val="1"/>') + (
            "" if node.sup is not None else '<m:supHide m:val="1"/>'
        )
        return (
            f'<m:nary><m:naryPr><m:chr m:val="{node.char}"/><m:limLoc m:val="undOvr"/>{hide}</m:naryPr>'
            f"<m:sub>{_omml(node.sub, ea) if node.sub is not None else ''}</m:sub>"
            f"<m:sup>{_omml(node.sup, ea) if node.sup is not None else ''}</m:sup>"
            f"<m:e>{_omml(node.body, ea)}</m:e></m:nary>"
        )
    if isinstance(node, Sqrt):
        return f'<m:rad><m:radPr><m:degHide m:val="1"/></m:radPr><m:deg/><m:e>{_omml(node.body, ea)}</m:e></m:rad>'
    if isinstance(node, Fence):
        return (
            f'<m:d><m:dPr><m:begChr m:val="{escape(node.open)}"/><m:endChr m:val="{escape(node.close)}"/></m:dPr>'
            f"<m:e>{_omml(node.body, ea)}</m:e></m:d>"
        )
    return f'<m:acc><m:accPr><m:chr m:val="\u0305"/></m:accPr><m:e>{_omml(node.body, ea)}</m:e></m:acc>'


# -------------------------------------------------------------------------------------------------- MathML
def mathml(source: str, *, display: bool, displaystyle: bool = False) -> str:
    """The formula as a MathML ``<math>`` element (display: a block of its own; displaystyle: in line, but set
    as large as a displayed formula)."""
    mode = ' display="block"' if display else (' displaystyle="true"' if displaystyle else "")
    return (
        f'<math xmlns="http://www.w3.org/1998/Math/MathML"{mode}><mrow>{_mathml(parse(source))}</mrow></math>'
    )


def _mathml(node: Node) -> str:
    if isinstance(node, Run):
        t = escape(node.text)
        if node.kind == "n":
            return f"<mn>{t}</mn>"
        if node.kind == "o":
            return (
                f"<mo>{t}</mo>"
                if node.text.strip()
                else f'<mspace width="{0.5 if node.text == " " else 1}em"/>'
            )
        if node.kind == "t":
            return f"<mtext>{t}</mtext>"
        if node.kind == "f":
            return f'<mi mathvariant="normal">{t}</mi>' if len(node.text) == 1 else f"<mi>{t}</mi>"
        if node.text.endswith("′"):  # a primed variable: italic letter, then the prime (MathML Core has no
            base = node.text.rstrip("′")  # mathvariant="italic" for a multi-character mi)
            return f"<mrow><mi>{escape(base)}</mi><mo>{'′' * (len(node.text) - len(base))}</mo></mrow>"
        return f"<mi>{t}</mi>"
    if isinstance(node, Row):
        return "".join(_mathml(i) for i in node.items)
    if isinstance(node, Frac):
        return f"<mfrac><mrow>{_mathml(node.num)}</mrow><mrow>{_mathml(node.den)}</mrow></mfrac>"
    if isinstance(node, Scripts):
        base = f"<mrow>{_mathml(node.base)}</mrow>"
        if node.sub is not None and node.sup is not None:
            return (
                f"<msubsup>{base}<mrow>{_mathml(node.sub)}</mrow><mrow>{_mathml(node.sup)}</mrow></msubsup>"
            )
        if node.sub is not None:
            return f"<msub>{base}<mrow>{_mathml(node.sub)}</mrow></msub>"
        assert node.sup is not None
        return f"<msup>{base}<mrow>{_mathml(node.sup)}</mrow></msup>"
    if isinstance(node, Nary):
        op = f'<mo largeop="true" movablelimits="false">{node.char}</mo>'
        sub = f"<mrow>{_mathml(node.sub)}</mrow>" if node.sub is not None else ""
        sup = f"<mrow>{_mathml(node.sup)}</mrow>" if node.sup is not None else ""
        if sub and sup:
            op = f"<munderover>{op}{sub}{sup}</munderover>"
        elif sub:
            op = f"<munder>{op}{sub}</munder>"
        elif sup:
            op = f"<mover>{op}{sup}</mover>"
        return f"<mrow>{op}<mrow>{_mathml(node.body)}</mrow></mrow>"
    if isinstance(node, Sqrt):
        return f"<msqrt>{_mathml(node.body)}</msqrt>"
    if isinstance(node, Fence):
        opening = f'<mo stretchy="true">{escape(node.open)}</mo>' if node.open else ""
        closing = f'<mo stretchy="true">{escape(node.close)}</mo>' if node.close else ""
        return f"<mrow>{opening}{_mathml(node.body)}{closing}</mrow>"
    return f'<mover accent="true"><mrow>{_mathml(node.body)}</mrow><mo>¯</mo></mover>'


# ------------------------------------------------------------------------------------------- inline formulas
SEPARATOR = r"，\quad"  # between the formulas of one display (T = …，\quad D = …)


def parts(source: str) -> list[str]:
    """The formulas a display shows side by side, split where they are separated by ``，\\quad``."""
    return [p.strip() for p in source.split(SEPARATOR)]


def inline(source: str) -> str:
    """An inline formula to place in body text (``f"权重 {inline('w_j')} 为…"``); checked here, so a formula
    outside the subset fails where it is written."""
    parse(source)
    return f"{OPEN}{source}{CLOSE}"


def segments(body: str) -> list[tuple[bool, str]]:
    """A body text split into ``(is_formula, piece)``, in order."""
    out: list[tuple[bool, str]] = []
    last = 0
    for m in INLINE.finditer(body):
        if m.start() > last:
            out.append((False, body[last : m.start()]))
        out.append((True, m.group(1)))
        last = m.end()
    if last < len(body):
        out.append((False, body[last:]))
    return out


def plain(body: str) -> str:
    """A body text with its inline formulas as Unicode text (:func:`text`)."""
    return INLINE.sub(lambda m: text(m.group(1)), body)
