"""The report as a list of format-neutral blocks (headings, paragraphs, tables, figures, …).

The chapters are written once (:mod:`scoring.report.chapters`) and rendered by the Word and HTML writers, so the
two carry the same text, tables and figures with the same numbering. Table cells are display strings, formatted
by :mod:`scoring.report.numbers`. Body texts (paragraphs, list items, formula notes) may hold inline formulas
marked ``⟦…⟧`` (:func:`scoring.report.math.inline`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    """A chapter (level 1), section (2) or subsection (3) title; ``anchor`` is its id in the HTML."""

    text: str
    level: int
    anchor: str


@dataclass(frozen=True)
class Paragraph:
    """Body text; ``lead`` marks a key-figure paragraph set apart from the text around it."""

    text: str
    lead: bool = False


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    numbered: bool = False


@dataclass(frozen=True)
class Formula:
    """A displayed formula in the LaTeX subset of :mod:`scoring.report.math` (``S = \\sum_j {w_j y_j}``; a Word
    equation in the docx, MathML in the HTML), with what its symbols mean (inline symbols marked ``⟦…⟧``)."""

    tex: str
    where: str = ""

    def __post_init__(self) -> None:
        from scoring.report.math import parse, segments

        parse(self.tex)  # a formula outside the subset fails where it is written, not in a writer
        for is_formula, piece in segments(self.where):
            if is_formula:
                parse(piece)

    @property
    def text(self) -> str:
        """The formula on one line of Unicode text."""
        from scoring.report.math import text

        return text(self.tex)


@dataclass(frozen=True)
class Table:
    """A captioned table. ``key`` identifies it for tests and for the other formats (e.g. ``ranking``);
    ``align`` has one letter per column, ``l`` or ``r``."""

    key: str
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: str = ""
    note: str = ""
    compact: bool = False  # many columns: smaller type

    def alignment(self, column: int) -> str:
        return self.align[column] if column < len(self.align) else "l"


@dataclass(frozen=True)
class Figure:
    """A chart, referenced by its key in the rendered chart set."""

    chart: str
    caption: str
    width_cm: float = 15.0


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Bullets | Formula | Table | Figure | PageBreak


@dataclass(frozen=True)
class Cover:
    title: str
    subtitle: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Document:
    """The whole report: cover, then blocks in reading order."""

    cover: Cover
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    @property
    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]

    @property
    def tables(self) -> dict[str, Table]:
        return {b.key: b for b in self.blocks if isinstance(b, Table)}

    @property
    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]
