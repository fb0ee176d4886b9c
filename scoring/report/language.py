"""The report's language: one layer that turns the report's Chinese words into the edition's language.

The report is written once, in Chinese, as the office reads it: every text a chapter, the narrative or a writer
prints is a Chinese template passed through :func:`_` (``_("{year} 年综合得分与排名", year=2024)``). The Chinese
template is the message's id (as in gettext): the Chinese edition prints it as it stands, so adding a language
never changes the Chinese text, and the English edition looks it up in :data:`scoring.report.english.EN`. A
template without an English entry prints in Chinese, which the English edition's test finds.

The edition's language is set once for the whole build with :func:`language` (a context variable, so reports
built at the same time in other threads or tasks keep their own); the chapters never ask which language they
write in, except whether its words run longer than the Chinese (:func:`runs_long`, to fit a page). Names that the system file gives (units, indicators, dimensions, the composite, tiers, the system
itself) and its descriptive texts (definitions, sources, remarks, target notes, units of measurement) come in the
edition's language from :func:`localise` (``name_en``, ``definition_en`` … where the file gives them).

Also here: the separators and numbering that differ between the languages (:func:`join`, :func:`clauses`,
:func:`chapter_number`, :func:`section_number`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from scoring.problems import Problem
    from scoring.result import Evaluation
    from scoring.system.models import IndicatorSystem, Node, Target

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

_current: ContextVar[Language] = ContextVar("report_language", default="zh")


@contextmanager
def language(lang: Language) -> Iterator[None]:
    """Write the report in ``lang`` within the block."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown report language {lang!r} (zh, en)")
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> Language:
    """The language the report is being written in."""
    return _current.get()


def runs_long() -> bool:
    """Whether the edition's words run longer than the Chinese they translate (English): a page laid out to fit
    in Chinese, such as a district profile, sets its tables in the compact type and its chart smaller."""
    return _current.get() != "zh"


def _(template: str, /, **params: object) -> str:
    """``template`` (the Chinese text, its fields in ``{}``) in the edition's language, fields filled. A template
    is formatted only when it has fields given, so a text with literal braces passes unchanged."""
    if _current.get() == "en":
        from scoring.report.english import EN

        text = EN.get(template, template)
        return _SINGULAR.sub(_singular, text.format(**params)) if params else text
    return template.format(**params) if params else template


# English counts of one take the singular ("1 unit moved up", "up 1 place"): the templates write the plural, a
# count filled in as 1 (not 21, 0.1 or DI-01) turns the noun after it singular.
_SINGULAR = re.compile(
    r"(?<![\w.,\-−])(1 (?:unit|place|indicator|dimension|subsystem|change|time|district|year|target|error"
    r"|warning|problem|department|round))s\b( are| have| were)?"
)
_VERB = {" are": " is", " have": " has", " were": " was"}


def _singular(match: re.Match[str]) -> str:
    return match.group(1) + _VERB.get(match.group(2) or "", "")


def english(template: str) -> bool:
    """Whether ``template`` has an English text (for tests and for finding what is left to translate)."""
    from scoring.report.english import EN

    return template in EN


def sentence(text: str) -> str:
    """A sentence as printed: in English its first letter capitalised (a sentence may start with a clause
    that also stands inside others, such as "no indicator ranks in the upper third ...")."""
    return text[:1].upper() + text[1:] if _current.get() == "en" else text


def sentences(*texts: str) -> str:
    """Sentences one after another: ``……。……。`` / ``… . …`` (a space after each full stop in English)."""
    return ("" if _current.get() == "zh" else " ").join(t for t in texts if t)


def join(items: Iterable[str]) -> str:
    """A list of names: ``甲、乙、丙`` / ``A, B, C``."""
    return ("、" if _current.get() == "zh" else ", ").join(items)


def clauses(items: Iterable[str]) -> str:
    """Clauses of one sentence: ``…；…`` / ``…; …``."""
    return ("；" if _current.get() == "zh" else "; ").join(items)


def span(first: object, last: object) -> str:
    """A range: ``3—6`` / ``3–6`` (the Chinese dash, the English en dash)."""
    return f"{first}{'—' if _current.get() == 'zh' else '–'}{last}"


def chapter_number(n: int, title: str) -> str:
    """``一、摘要`` / ``1 Summary``."""
    from scoring.report.numbers import chinese_numeral

    return f"{chinese_numeral(n)}、{title}" if _current.get() == "zh" else f"{n} {title}"


def section_number(chapter: int, n: int, title: str) -> str:
    """``（一）指标体系`` / ``2.1 The indicator system``."""
    from scoring.report.numbers import chinese_numeral

    return f"（{chinese_numeral(n)}）{title}" if _current.get() == "zh" else f"{chapter}.{n} {title}"


def name(chinese: str, english_name: str | None) -> str:
    """A name the system file gives, in the edition's language: ``name_en`` in English when the file has it."""
    return english_name if _current.get() == "en" and english_name else chinese


def localise(evaluation: Evaluation) -> Evaluation:
    """The evaluation with the system's names and texts in the edition's language: nodes, units, the composite,
    tiers and the system's own name take their ``name_en`` in the English edition (the Chinese name where the
    file has none), and the nodes their ``definition_en``, ``source_en``, ``remark_en``, ``guidance_en``, the
    targets their ``source_en`` and ``note_en``, the units of measurement their English (``unit_en`` or the
    catalogue's); in the Chinese edition the evaluation itself. Only texts change: codes, numbers and the
    content hash stay, so the report's numbers are those of the evaluation."""
    if _current.get() == "zh":
        return evaluation
    system = evaluation.system
    tiers = system.tiers
    tier_names: dict[str, str] = {}
    if isinstance(tiers, list):
        tier_names = {t.name: t.name_en for t in tiers if t.name_en}
        tiers = [t.model_copy(update={"name": t.name_en or t.name}) for t in tiers]
    composite_name = system.composite.name_en or (
        _("综合指数") if system.composite.name == "综合指数" else system.composite.name
    )
    english_system: IndicatorSystem = system.model_copy(
        update={
            "name": system.name_en or system.name,
            "description": system.description_en or system.description,
            "units": [
                u.model_copy(update={"name": u.name_en or u.name, "group": u.group_en or u.group})
                for u in system.units
            ],
            "composite": system.composite.model_copy(update={"name": composite_name}),
            "tiers": tiers,
            "tree": [_english_node(n) for n in system.tree],
            "components": [_english_node(n) for n in system.components],
        }
    )
    return replace(
        evaluation,
        system=english_system,
        tiers=evaluation.tiers.map(lambda t: tier_names.get(t, t) if isinstance(t, str) else t),
    )


def _english_node(node: Node) -> Node:
    """The node with its texts in English where the file gives them (``name_en``, ``definition_en`` …; the unit
    of measurement also from the catalogue, :func:`scoring.system.measures.measure_en`), else as given."""
    from scoring.system.measures import measure_en

    children = [_english_node(c) for c in node.children] if node.children else node.children
    targets = {
        "target": _english_target(node.target) if node.target else None,
        "targets": [_english_target(t) for t in node.targets] if node.targets else node.targets,
    }
    return node.model_copy(
        update={
            "name": _typeset(node.name_en or node.name),
            "children": children,
            "unit": _typeset(measure_en(node.unit, node.unit_en)),
            "definition": _typeset(node.definition_en or node.definition),
            "guidance": _typeset(node.guidance_en or node.guidance),
            "source": _typeset(node.source_en or node.source),
            "remark": _typeset(node.remark_en or node.remark),
            **targets,
        }
    )


def _english_target(target: Target) -> Target:
    return target.model_copy(
        update={
            "source": _typeset(target.source_en or target.source),
            "note": _typeset(target.note_en or target.note),
        }
    )


def _typeset(text: str | None) -> str | None:
    """An English text of the system file as printed: no line ends inside a number (``10 000 persons``)."""
    from scoring.report.numbers import unbroken

    return unbroken(text) if text else text


def problem_message(problem: Problem) -> str:
    """A problem's message in the edition's language (the message catalogues carry both)."""
    return problem.message_en if _current.get() == "en" else problem.message_zh
