"""Reading results: published results for everyone, a preview (scored afresh from the accepted submissions) for
staff before publication, 409 round-not-published for anyone else.

Everything derived from a published snapshot is built once per worker and kept as bytes in the app's
:class:`~service.results.ResultsCache` under ``(snapshot id, kind, …)``, so the API and the dashboard share one
decoded snapshot, one rebuilt evaluation and the same encoded documents; a preview is never cached.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scoring.evaluate import Evaluation
from scoring.system import IndicatorSystem
from service import results as res
from service.access import STAFF, check_role
from service.auth import Principal
from service.context import ServiceContext
from service.errors import conflict, not_found
from service.results import corrections
from service.usecases.rounds import round_with_system, system_of

if TYPE_CHECKING:
    from scoring.report.language import Language

log = logging.getLogger(__name__)


def not_published(year: int) -> Exception:
    """409: the public may read published results only."""
    return conflict("round-not-published", f"the results of round {year} are not published yet")


def dumps(document: object) -> bytes:
    """Compact JSON bytes (no NaN: the engine gives null for a missing number)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


@dataclass(frozen=True)
class Document:
    """Encoded results and the snapshot they come from (None for a preview, which must not be cached)."""

    body: bytes
    ref: res.PublishedRef | None
    system_id: str = ""  # the system of the round the bytes are from

    @property
    def published(self) -> bool:
        return self.ref is not None


def published_results(context: ServiceContext, ref: res.PublishedRef) -> res.RoundResults:
    """A snapshot's decoded results (once per worker)."""
    return context.results.results(ref, lambda: res.load_results(context.db, ref))


def published_evaluation(context: ServiceContext, ref: res.PublishedRef) -> Evaluation:
    """The evaluation behind a snapshot, rebuilt from the inputs it names (once per worker)."""
    return context.results.evaluation(ref, lambda: res.rebuild_evaluation(context.db, context.catalog, ref))


def cached(
    context: ServiceContext, ref: res.PublishedRef, key: tuple[Any, ...], build: Callable[[], bytes]
) -> bytes:
    """``build()`` once per published snapshot and worker, kept under ``(snapshot id, *key)`` (publishing again
    drops it)."""
    full_key = (ref.snapshot_id, *key)
    body = context.results.page(full_key)
    if body is None:
        body = context.results.store_page(full_key, build())
    return body


def _published_or_staff(
    context: ServiceContext, principal: Principal, year: int, system: str, *, staff_only: bool = False
) -> res.PublishedRef | None:
    """The year's snapshot; None (a preview) for staff before publication; 404 if there is no such round.

    Anyone else gets 409 round-not-published, or with ``staff_only`` (the per-unit documents and the report)
    401 / 403 as for a staff-only route.
    """
    ref = res.find_published(context.db, context.results, year, system)
    if ref is None and not principal.is_staff:
        if staff_only:
            check_role(principal, *STAFF)
        raise not_published(year)
    return ref


@dataclass
class RoundRead:
    """A round's results as a caller may read them: published (cached) or, for staff, a preview."""

    year: int
    info: dict[str, Any]
    system: IndicatorSystem
    results: res.RoundResults
    ref: res.PublishedRef | None
    _evaluation: Callable[[], Evaluation]

    @property
    def published(self) -> bool:
        return self.ref is not None

    def evaluation(self) -> Evaluation:
        """The evaluation behind the results (rebuilt once per published snapshot and worker)."""
        return self._evaluation()

    def derived(self, context: ServiceContext, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        """A JSON document derived from the results: once per published snapshot and worker, fresh for a
        preview."""
        if self.ref is None:
            return build()
        return json.loads(cached(context, self.ref, key, lambda: dumps(build())))


def read_round(
    context: ServiceContext, principal: Principal, year: int, system: str | None = None
) -> RoundRead:
    """The results of ``year`` with the round and its system: published for everyone, a preview for staff."""
    chosen = system_of(context, year, system)
    ref = _published_or_staff(context, principal, year, chosen)
    found = round_with_system(context, year, chosen)
    if ref is not None:
        published = ref
        return RoundRead(
            year,
            found.info,
            found.system,
            published_results(context, published),
            published,
            lambda: published_evaluation(context, published),
        )
    preview, evaluation = res.preview(context.db, context.catalog, year, chosen)
    return RoundRead(year, found.info, found.system, preview, None, lambda: evaluation)


# ------------------------------------------------------------------------------------------- rankings


def _ranking_body(results: res.RoundResults, node: str | None, offset: int, size: int, fmt: str) -> bytes:
    chosen = results.node(node)
    if fmt == "csv":
        return res.ranking_csv(results, chosen, offset, size)
    return res.ranking_json(results, chosen, offset, size)


def _ranking_key(node: str | None, offset: int, size: int, fmt: str) -> tuple[Any, ...]:
    return ("ranking", node or "", offset, size, fmt)


def cached_ranking(
    context: ServiceContext,
    year: int,
    node: str | None,
    offset: int,
    size: int,
    fmt: str,
    system: str | None = None,
) -> Document | None:
    """A ranking page already in this worker's memory (no database call), else None. Without ``system``, the
    default system's published round: once it exists, it is what the year means (``resolve_system``)."""
    ref = context.results.published(year, system or context.default_system)
    if ref is None:
        return None
    body = context.results.page((ref.snapshot_id, *_ranking_key(node, offset, size, fmt)))
    return None if body is None else Document(body, ref, ref.system_id)


def ranking(
    context: ServiceContext,
    principal: Principal,
    year: int,
    node: str | None,
    offset: int,
    size: int,
    fmt: str,
    system: str | None = None,
) -> Document:
    """One page of the ranking on ``node`` (the composite by default) as JSON or CSV bytes."""
    chosen = system_of(context, year, system)
    ref = _published_or_staff(context, principal, year, chosen)
    if ref is None:
        preview, _ = res.preview(context.db, context.catalog, year, chosen)
        return Document(_ranking_body(preview, node, offset, size, fmt), None, chosen)
    published = ref
    body = cached(
        context,
        published,
        _ranking_key(node, offset, size, fmt),
        lambda: _ranking_body(published_results(context, published), node, offset, size, fmt),
    )
    return Document(body, published, chosen)


# ----------------------------------------------------------------------------------- one unit, two units


def _per_evaluation(
    context: ServiceContext,
    principal: Principal,
    year: int,
    key: tuple[Any, ...],
    build: Callable[[res.RoundResults, Callable[[], Evaluation]], bytes],
    system: str | None = None,
) -> Document:
    """Bytes built from the results and the evaluation behind them: cached when published, fresh in preview."""
    chosen = system_of(context, year, system)
    ref = _published_or_staff(context, principal, year, chosen, staff_only=True)
    if ref is None:
        preview, evaluation = res.preview(context.db, context.catalog, year, chosen)
        return Document(build(preview, lambda: evaluation), None, chosen)
    published = ref
    body = cached(
        context,
        published,
        key,
        lambda: build(
            published_results(context, published), lambda: published_evaluation(context, published)
        ),
    )
    return Document(body, published, chosen)


def _profile_builder(unit: str) -> Callable[[res.RoundResults, Callable[[], Evaluation]], bytes]:
    def build(results: res.RoundResults, evaluation: Callable[[], Evaluation]) -> bytes:
        results.unit(unit)  # 404 before the costlier rebuild
        return dumps(res.profile(results, evaluation(), unit))

    return build


def unit_profile(
    context: ServiceContext, principal: Principal, year: int, unit: str, system: str | None = None
) -> Document:
    """A unit's profile (一区一档): score, rank and change on every node, each node's contribution to the
    composite, target attainment and the trend over the years of the data."""
    return _per_evaluation(context, principal, year, ("profile", unit), _profile_builder(unit), system)


def round_profile(context: ServiceContext, read: RoundRead, unit: str) -> dict[str, Any]:
    """:func:`unit_profile` of a round already read (the same cached bytes when published)."""
    build = _profile_builder(unit)
    if read.ref is None:
        body = build(read.results, read.evaluation)
    else:
        body = cached(context, read.ref, ("profile", unit), lambda: build(read.results, read.evaluation))
    found: dict[str, Any] = json.loads(body)
    return found


def unit_whatif(
    context: ServiceContext, principal: Principal, year: int, unit: str, system: str | None = None
) -> Document:
    """What-if and gap analysis for a unit (``scoring.analysis.whatif``)."""
    from scoring.analysis.export import whatif_document
    from scoring.analysis.whatif import whatif_analysis_matrix

    def build(_results: res.RoundResults, evaluation: Callable[[], Evaluation]) -> bytes:
        found = evaluation()
        if (year, unit) not in found.scores.index:
            raise not_found(f"a score of unit {unit} in round {year}")
        result = whatif_analysis_matrix(found.system, found.raw, found.not_applicable, year, unit)
        return dumps(whatif_document(result))

    return _per_evaluation(context, principal, year, ("whatif", unit), build, system)


def report_edition(
    context: ServiceContext, year: int, system: str, version: int, lang: Language = "zh"
) -> str | None:
    """The cover line of a corrected round's report: its version, the correction's reason and where the
    earlier versions are; None for the first publication."""
    if version <= 1:
        return None
    versions = corrections.list_versions(context.db, year, system)
    current = next(v for v in versions if v["version"] == version)
    if lang == "en":
        earlier = ", ".join(v["url"] for v in versions if v["version"] < version)
        return f"Results version {version} (a correction; reason: {current['reason']}); earlier versions: {earlier}"
    earlier = "、".join(v["url"] for v in versions if v["version"] < version)
    return f"结果版本：第 {version} 版（更正，原因：{current['reason']}）；此前各版：{earlier}"


def round_report(
    context: ServiceContext,
    principal: Principal,
    year: int,
    fmt: str,
    system: str | None = None,
    lang: Language = "zh",
) -> Document:
    """The year's annual evaluation report as Word, Excel or HTML bytes, in Chinese or (``lang="en"``) English;
    a corrected round's names its version, the reason and the earlier versions on the cover."""
    from scoring.report import ReportOptions, build_report
    from scoring.report.fonts import font_problem

    missing_font = font_problem()
    if missing_font is not None:  # the tables carry every number; the charts need the CJK font
        log.warning("report written without charts: %s", missing_font.problems[0].message_en)
    chosen = system_of(context, year, system)
    ref = res.find_published(context.db, context.results, year, chosen)
    edition = report_edition(context, year, chosen, ref.version, lang) if ref is not None else None

    def build(_results: res.RoundResults, evaluation: Callable[[], Evaluation]) -> bytes:
        options = ReportOptions(edition=edition, charts=missing_font is None, lang=lang)
        current = evaluation()
        # 附录六 when this round uses a new version of the system last year's round used
        previous = res.previous_version_evaluation(context.db, context.catalog, year, chosen, ref)
        return build_report(current, fmt, options, previous)

    key = (
        ("report", fmt) if lang == "zh" else ("report", fmt, lang)
    )  # the Chinese edition keeps its cache key
    return _per_evaluation(context, principal, year, key, build, system)


def compare_units(
    context: ServiceContext, principal: Principal, year: int, a: str, b: str, system: str | None = None
) -> dict[str, Any]:
    """Two units side by side on every node: scores, ranks and the difference ``a − b``."""
    chosen = system_of(context, year, system)
    ref = _published_or_staff(context, principal, year, chosen)
    if ref is None:
        results, _ = res.preview(context.db, context.catalog, year, chosen)
    else:
        results = published_results(context, ref)
    return res.compare(results, a, b)
