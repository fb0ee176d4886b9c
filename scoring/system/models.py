"""Pydantic models of an indicator-system file (contract 1 of DESIGN.md).

What the file sets (tree, weights, targets, methods) is kept apart from what the pipeline learns from data
(bounds, derived weights, imputed values), which goes into the evaluation's log instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scoring.system.geometry import Position, UnitGeometry

# Bounds on the numbers of a system file. Every float is finite (no .nan, .inf or 1e400) and, where it is a
# value of an indicator (goalposts, targets, ranges, scale), within ±MAX_MAGNITUDE: ample for any statistic in
# 元 yet far from where float arithmetic loses whole units. The bounds are in the generated JSON Schema too.
MAX_MAGNITUDE = 1e15
MAX_WEIGHT = 1e6  # weights are relative to their siblings; a ratio of 10⁶ already means "ignore the other"
MAX_POINTS = 1e6  # points per unit and caps of bonus and deduction indicators
AHP_MIN, AHP_MAX = 1e-3, 1e3  # pairwise comparisons (Saaty's scale is 1/9 … 9)
MIN_YEAR, MAX_YEAR = 1900, 2200

Finite = Annotated[float, Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE, allow_inf_nan=False)]
Comparison = Annotated[float, Field(ge=AHP_MIN, le=AHP_MAX, allow_inf_nan=False)]
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]


class _Strict(BaseModel):
    # allow_inf_nan=False: a float field refuses NaN and ±inf even where it has no bounds of its own
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Baseline(_Strict):
    """The value an indicator started from, for the time-elapsed schedule (序时进度)."""

    value: Finite
    year: Year


class Target(_Strict):
    """A plan target for an indicator, with where it comes from.

    A level (``value``: 5G 基站 50 000 个 by 2025) or an annual rate (``annual_rate: 9``: 年均增长 9 % from the
    baseline, whose level in year t is ``baseline·(1 + r/100)^(t − baseline.year)``); ``by_unit`` gives a
    unit its own value (a city target decomposed by district).
    """

    value: Finite | None = None
    year: Year | None = None
    source: str | None = None
    baseline: Baseline | None = None
    note: str | None = None
    source_en: str | None = Field(None, description="the target's source in English (English editions)")
    note_en: str | None = Field(None, description="the target's note in English (English editions)")
    annual_rate: float | None = Field(
        None,
        gt=-100,
        le=1000,
        allow_inf_nan=False,
        description="年均增长 r % from the baseline: the target path is baseline·(1 + r/100)^(t − baseline year)",
    )
    by_unit: dict[str, Finite] | None = Field(
        None, description="a unit's own target value, by unit code (the others keep value)"
    )

    @model_validator(mode="after")
    def _check(self) -> Target:
        if (self.value is None) == (self.annual_rate is None):
            raise ValueError("target: give either a value or an annual_rate (年均增长 %), not both")
        if self.annual_rate is not None and (self.baseline is None or self.year is None):
            raise ValueError("target.annual_rate: needs a baseline {value, year} and the target's year")
        if self.annual_rate is not None and self.by_unit:
            raise ValueError(
                "target.by_unit: a per-unit value needs a level target (value), not an annual_rate"
            )
        if self.baseline is not None and self.year is not None and self.baseline.year > self.year:
            raise ValueError("target.baseline: the baseline year is after the target's year")
        return self

    @property
    def level(self) -> float:
        """The value due in the target's year: ``value``, or the end of the annual-rate path."""
        if self.value is not None:
            return self.value
        return self.path(self.year or 0)

    def path(self, year: int) -> float:
        """An annual-rate target's value in ``year``: ``b·(1 + r/100)^(year − b.year)`` (capped at its year)."""
        assert self.baseline is not None and self.annual_rate is not None and self.year is not None
        elapsed = max(0, min(year, self.year) - self.baseline.year)
        return float(self.baseline.value * (1.0 + self.annual_rate / 100.0) ** elapsed)


class Combine(_Strict):
    """Combined weighting (组合赋权): ``w = alpha * subjective + (1 - alpha) * objective``."""

    alpha: float = Field(0.5, ge=0, le=1)
    subjective: Literal["fixed", "ahp"] = "fixed"
    objective: Literal["entropy", "critic"] = "entropy"


class Points(_Strict):
    """Points of a bonus (加分项) or deduction (扣分项): ``min(cap, per_unit · x)``."""

    per_unit: float = Field(gt=0, le=MAX_POINTS, description="points per unit of the raw value")
    cap: float = Field(gt=0, le=MAX_POINTS, description="at most this many points")


Role = Literal["score", "bonus", "deduction"]
DISTRICT = "district"  # the provider of an indicator that each unit fills in on its own form (the default)
DepartmentIndicators = Literal["read_only", "omit"]
Collection = Literal["statistics", "survey", "platform", "self_report"]


class Node(_Strict):
    """A node of the tree: a dimension (has children) or an indicator (has none).

    An indicator's ``role`` says how it counts: ``score`` (normalised, weighted and aggregated), or ``bonus`` /
    ``deduction``: points added to or taken from its parent's score, outside the weights.
    """

    code: str = Field(min_length=1, pattern=r"^[^\s!]+$")
    name: str = Field(min_length=1)
    name_en: str | None = None
    weight: float | None = Field(
        None, gt=0, le=MAX_WEIGHT, description="relative to siblings; rescaled to sum to 1"
    )
    children: list[Node] | None = None
    # options of a parent node (how its children are weighted and aggregated)
    aggregate: str | None = None
    weighting: str | None = None
    ahp: list[list[Comparison]] | None = Field(
        None, description="pairwise matrix over the children, in their order"
    )
    combine: Combine | None = None
    min_coverage: float | None = Field(
        None,
        gt=0,
        le=1,
        description="the node is missing for a unit whose share of present indicators (or weight) below it is "
        "smaller than this",
    )
    coverage_by: Literal["indicators", "weight"] = Field(
        "indicators",
        description="min_coverage counts the indicators below the node (不适用 ones left out) or the nominal "
        "weight of its children with a score",
    )
    # options of an indicator
    unit: str | None = None
    direction: Literal[1, -1] = 1
    normalise: str | None = None
    transform: Literal["log"] | None = None
    goalposts: tuple[Finite, Finite] | None = None
    target: Target | None = None
    targets: list[Target] | None = Field(
        None,
        min_length=1,
        description="several dated targets (2023 and 2025): each year is measured against the first one due "
        "in or after it",
    )
    valid: tuple[Finite | None, Finite | None] | None = None
    interval: tuple[Finite, Finite] | None = Field(
        None,
        description="an interval (适度) indicator: best within [a, b], scored down outside it on both sides",
    )
    required: bool = True
    role: Role = "score"
    points: Points | None = None
    collection: Collection | None = Field(
        None, description="how the value is collected (survey, statistics…)"
    )
    definition: str | None = Field(
        None, description="the statistical definition (口径), printed on the form and in the report appendix"
    )
    guidance: str | None = Field(
        None,
        description="填报提示: what a data officer must know to fill the value (e.g. fill 0, not 不适用, when "
        "there is no such facility); printed on the form with the definition",
    )
    source: str | None = None
    remark: str | None = Field(
        None,
        description="a note for readers of the system and the report (never printed on the form, whose 备注 "
        "column is the district's)",
    )
    # English versions of the texts above, for the report's English edition and the dashboard's English pages
    # (display only: never part of the content hash, see scoring.system.load.TRANSLATIONS); left out, the Chinese
    # text is shown, and a unit of measurement is looked up in scoring.system.measures
    unit_en: str | None = Field(
        None, description="the unit of measurement in English (default: scoring.system.measures' catalogue)"
    )
    definition_en: str | None = Field(None, description="the definition in English (English editions)")
    guidance_en: str | None = Field(None, description="the guidance in English (English editions)")
    source_en: str | None = Field(None, description="the data source in English (English editions)")
    remark_en: str | None = Field(None, description="the remark in English (English editions)")
    not_applicable: Literal["allowed"] | list[Annotated[str, Field(min_length=1)]] | None = Field(
        None,
        description="where a unit may write 不适用 for this indicator: 'allowed' (every unit) or the codes of "
        "the units that may; elsewhere 不适用 is an error",
    )
    same_as: str | dict[str, str] | None = Field(
        None,
        description="on an indicator: the code of another indicator of the loaded system it is the same as "
        "(collected once, scored in both places); on an include node: a map included code → code",
    )
    evidence: Literal["required", "optional"] | None = Field(
        None,
        description="evidence files (佐证材料) with a unit's value: 'required' — a submitted version giving the "
        "indicator a value for the round's year cannot be accepted without one; 'optional' (or left out) — "
        "the district may attach some",
    )
    include: str | None = Field(
        None, description="another system file whose tree becomes this node's children"
    )
    formula: str | None = Field(
        None,
        min_length=1,
        max_length=500,
        description="a derived indicator: computed from collected components, e.g. "
        "'{5G基站数} / {常住人口} * 10000' (+ - * /, parentheses, numbers; codes in braces)",
    )
    provider: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="who supplies the value of a collected indicator or component: 'district' (the default: "
        "each unit on its own form) or the code of a department (departments: in the unit list) that "
        "supplies it for every unit",
    )

    @field_validator("provider")
    @classmethod
    def _district_is_default(cls, provider: str | None) -> str | None:
        # 'district' written out means the default: the same system, the same content hash
        return None if provider == DISTRICT else provider

    @property
    def is_indicator(self) -> bool:
        return not self.children and self.include is None

    def allows_not_applicable(self, unit_code: str) -> bool:
        """Whether ``unit_code`` may write 不适用 for this indicator (``not_applicable``)."""
        if self.not_applicable == "allowed":
            return True
        return isinstance(self.not_applicable, list) and unit_code in self.not_applicable

    @property
    def all_targets(self) -> list[Target]:
        """The indicator's targets, by year (``target`` alone, or ``targets`` sorted)."""
        if self.target is not None:
            return [self.target]
        return sorted(self.targets or [], key=lambda t: t.year or MAX_YEAR)

    @property
    def final_target(self) -> Target | None:
        """The last target due (the one target-based normalisation scores against)."""
        targets = self.all_targets
        return targets[-1] if targets else None

    @property
    def scored_children(self) -> list[Node]:
        """The children that are weighted and aggregated (bonus and deduction indicators are not)."""
        return [child for child in self.children or [] if child.role == "score"]

    @property
    def adjustments(self) -> list[Node]:
        """The bonus and deduction indicators among the children."""
        return [child for child in self.children or [] if child.role != "score"]

    @model_validator(mode="after")
    def _check(self) -> Node:
        if self.children is not None and not self.children:
            raise ValueError("children: a dimension needs at least one child")
        if self.children and not self.scored_children:
            raise ValueError("children: a dimension needs at least one child with role 'score'")
        if self.include is not None and self.children:
            raise ValueError(
                "include: a node takes its children from the included file or lists them, not both"
            )
        if self.min_coverage is not None and not (self.children or self.include):
            raise ValueError("min_coverage: only a dimension (a node with children) has a coverage rule")
        if self.formula is not None and (self.children or self.include):
            raise ValueError("formula: only an indicator can be derived from components")
        if self.provider is not None and (self.children or self.include or self.formula is not None):
            raise ValueError(
                "provider: only a collected value (an indicator without a formula, or a component) has a "
                "provider; a dimension or a derived indicator has none"
            )
        if isinstance(self.same_as, str) and (self.children or self.include):
            raise ValueError(
                "same_as: a dimension names no single indicator; on an include node give a map "
                "{included code: code}"
            )
        if isinstance(self.same_as, dict) and self.include is None:
            raise ValueError("same_as: a map {included code: code} goes on an include node only")
        if isinstance(self.same_as, str) and self.formula is not None:
            raise ValueError("same_as: a derived indicator is computed, not the same as another one")
        if self.not_applicable is not None and (self.children or self.include):
            raise ValueError("not_applicable: only an indicator can be declared not applicable")
        if self.role != "score" and (self.children or self.include):
            raise ValueError(f"role: only an indicator can be a {self.role}")
        if self.role != "score" and self.points is None:
            raise ValueError(f"points: a {self.role} needs points: {{per_unit, cap}}")
        if self.targets is not None:
            if self.target is not None:
                raise ValueError("targets: give one target or a list of dated targets, not both")
            years = [t.year for t in self.targets]
            if len(self.targets) > 1 and (None in years or len(set(years)) != len(years)):
                raise ValueError("targets: each of several targets needs its own year")
        if self.interval is not None:
            a, b = self.interval
            if a > b:
                raise ValueError("interval: the lower end of the optimal range is above the upper end")
            if self.direction != 1:
                raise ValueError("interval: an interval indicator has no direction (leave direction out)")
            if self.goalposts is not None and not self.goalposts[0] < a <= b < self.goalposts[1]:
                raise ValueError("interval: tolerance goalposts [L, U] must lie outside it: L < a ≤ b < U")
        if self.goalposts is not None and self.goalposts[0] == self.goalposts[1]:
            raise ValueError("goalposts: lower and upper goalposts must differ")
        if self.valid is not None and None not in self.valid and self.valid[0] > self.valid[1]:  # type: ignore[operator]
            raise ValueError("valid: lower bound is above upper bound")
        if self.ahp is not None and self.include is None:
            n = len(self.scored_children)
            if len(self.ahp) != n or any(len(row) != n for row in self.ahp):
                raise ValueError(
                    f"ahp: the pairwise matrix must be {n}×{n}, one row and column per scored child"
                )
            for i, row in enumerate(self.ahp):
                for j, a in enumerate(row):
                    if a <= 0:
                        raise ValueError(f"ahp[{i}][{j}]: comparisons must be > 0")
                    if abs(a * self.ahp[j][i] - 1) > 1e-3:
                        raise ValueError(f"ahp[{i}][{j}]: matrix must be reciprocal (a_ij · a_ji = 1)")
        return self


class Unit(_Strict):
    """An evaluated unit (区县): its code, name and optional group (used by group-mean imputation).

    ``point`` ([longitude, latitude], WGS 84) marks on a map a unit without an official boundary, such as a
    functional zone (功能区); see :mod:`scoring.system.geometry`."""

    code: str = Field(min_length=1)
    name: str
    name_en: str | None = Field(None, description="the unit's name in English (the report's English edition)")
    group: str | None = None
    group_en: str | None = Field(
        None, description="the group's name in English (the report's English edition)"
    )
    note: str | None = None
    point: Position | None = None


class Department(_Strict):
    """A department (部门) that supplies some indicators for every unit at once, such as the statistics bureau
    (统计局): its code (unique among units and departments) and name. Registered in the unit list
    (``departments:`` beside ``units:``) or in the system file; indicators name it as their ``provider``."""

    code: str = Field(min_length=1, max_length=64, pattern=r"^[^\s!/?#%]+$")
    name: str = Field(min_length=1)
    name_en: str | None = None


class Coordination(_Strict):
    """The subsystems of the coupling-coordination analysis (耦合协调度, docs/analysis.md §6): two or more scored
    nodes of the tree, none inside another, and the weights of the comprehensive index T (relative, like
    sibling weights; equal when left out)."""

    subsystems: list[Annotated[str, Field(min_length=1)]] = Field(min_length=2, max_length=10)
    weights: list[Annotated[float, Field(gt=0, le=MAX_WEIGHT, allow_inf_nan=False)]] | None = Field(
        None, description="weights of the comprehensive index T, one per subsystem (rescaled to sum to 1)"
    )

    @model_validator(mode="after")
    def _one_weight_each(self) -> Coordination:
        if self.weights is not None and len(self.weights) != len(self.subsystems):
            raise ValueError("weights: give one weight per subsystem")
        if len(set(self.subsystems)) != len(self.subsystems):
            raise ValueError("subsystems: a node is named twice")
        return self

    @property
    def index_weights(self) -> list[float]:
        """The weights of T rescaled to sum to 1."""
        raw = self.weights or [1.0] * len(self.subsystems)
        total = sum(raw)
        return [w / total for w in raw]


class Efficacy(_Strict):
    """Efficacy-coefficient scoring ``y = base + span · ratio`` (功效系数法, commonly 60 + 40·ratio)."""

    base: Finite = 60
    span: Finite = 40


class Treatment(_Strict):
    """COINr-style outlier treatment thresholds."""

    winmax: int = Field(5, ge=0, le=1_000_000)
    skew: float = Field(2.0, ge=0, le=MAX_MAGNITUDE)
    kurtosis: Finite = 3.5


class Method(_Strict):
    """Default methods of the system; any node or indicator may override its own."""

    normalise: str = "minmax"
    scale: tuple[Finite, Finite] = (0.0, 100.0)
    aggregate: str = "arithmetic"
    weighting: str = "fixed"
    missing: str = "renormalise"
    treat: str = "none"
    treatment: Treatment = Treatment()
    comparability: Literal["per_year", "pooled", "frozen"] = "per_year"
    base_years: tuple[Year, Year] | None = Field(
        None,
        description="comparability: frozen learns bounds and data-driven weights from these years (first, last; "
        "a published round) and applies them to every year, so adding a year changes no earlier score",
    )
    efficacy: Efficacy = Efficacy()
    zscore: tuple[Finite, Annotated[float, Field(gt=0, le=MAX_MAGNITUDE)]] = Field(
        (0.0, 1.0), description="mean and sd of the rescaled z-scores"
    )
    combine: Combine = Combine()
    attainment_cap: float = Field(1.0, gt=0, le=MAX_WEIGHT)
    min_coverage: float = Field(
        0.0, ge=0, le=1, description="units with a smaller share of data are screened out"
    )
    max_gap: int = Field(
        2,
        ge=1,
        le=50,
        description="missing: carry_forward / linear fill no run of missing years longer than this",
    )
    screen_on: Literal["raw", "imputed"] = Field(
        "raw",
        description="min_coverage screens the raw data (before imputation) or the imputed data (after it, "
        "the order of COINr's build_example_coin)",
    )
    yoy_warning: float | None = Field(
        None,
        gt=0,
        le=MAX_MAGNITUDE,
        description="warn on an upload whose value changed by more than this share from the unit's last "
        "accepted value (0.5: ±50 %); unset: no such warning",
    )

    @model_validator(mode="after")
    def _check(self) -> Method:
        if self.scale[0] >= self.scale[1]:
            raise ValueError("scale: lower end must be below upper end")
        if (self.comparability == "frozen") != (self.base_years is not None):
            raise ValueError(
                "base_years: give the base years [first, last] exactly when comparability is frozen"
            )
        if self.base_years is not None and self.base_years[0] > self.base_years[1]:
            raise ValueError("base_years: the first year is after the last")
        return self


class Tier(_Strict):
    name: str
    name_en: str | None = Field(None, description="the tier's name in English (the report's English edition)")
    min: Finite


class QuantileTiers(_Strict):
    """Tiers by rank: the ranked units are split into len(quantile) groups of (nearly) equal size."""

    quantile: list[str] = Field(min_length=1)


class Composite(_Strict):
    """The root of the tree (the composite index) and how its children, the top dimensions, are combined."""

    code: str = "INDEX"
    name: str = "综合指数"
    name_en: str | None = Field(
        None, description="the composite's name in English (default: Composite index)"
    )
    aggregate: str | None = None
    weighting: str | None = None
    ahp: list[list[Comparison]] | None = None
    combine: Combine | None = None


Mode = Literal["ranking", "monitoring"]


class IndicatorSystemFile(_Strict):
    """The YAML file as written (``units`` may be a path to a unit list or the list itself).

    ``mode: monitoring`` marks a plan-monitoring system (one unit against its targets over the years): it is
    reported by target attainment against the time-elapsed schedule rather than by a ranking.
    """

    id: str = Field(min_length=1)
    name: str
    name_en: str | None = Field(
        None, description="the system's name in English (the report's English edition)"
    )
    version: str
    mode: Mode = "ranking"
    description: str | None = None
    description_en: str | None = Field(
        None, description="the description in English (the report's English edition)"
    )
    units: str | list[Unit]
    composite: Composite = Composite()
    method: Method = Method()
    tiers: list[Tier] | QuantileTiers | None = None
    tree: list[Node] = Field(min_length=1)
    components: list[Node] | None = Field(
        None,
        description="collected values that are not indicators themselves (base data such as 常住人口 or "
        "地区生产总值, entered once per unit and year), named by the formulas of derived indicators",
    )
    sources: dict[str, str] | None = None
    synthetic: bool | None = None
    coordination: Coordination | None = None
    departments: list[Department] | None = Field(
        None,
        description="departments that supply indicators (provider:), besides those the unit list registers",
    )
    department_indicators: DepartmentIndicators = Field(
        "read_only",
        description="district forms show the indicators a department supplies read-only with the "
        "department's name (read_only), or leave them out (omit)",
    )


class IndicatorSystem(BaseModel):
    """A loaded, checked indicator system with its units resolved, and views of its tree."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    name_en: str | None = None
    version: str
    mode: Mode = "ranking"
    description: str | None = None
    description_en: str | None = None
    units: list[Unit]
    composite: Composite
    method: Method
    tiers: list[Tier] | QuantileTiers | None
    tree: list[Node]
    components: list[Node] = []
    sources: dict[str, str] | None = None
    coordination: Coordination | None = None
    # node code → id of the system its ``include:`` brought in (a composite of systems); learned from the file's
    # includes, so not part of the content hash, which covers the expanded tree
    includes: dict[str, str] = Field(default_factory=dict)
    geometry: UnitGeometry | None = None  # the boundaries the unit list names (scoring.system.geometry)
    # the registered departments that supply at least one of the system's collected values (provider:)
    departments: list[Department] = []
    department_indicators: DepartmentIndicators = "read_only"
    content_hash: str = ""

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> IndicatorSystem:
        """A copy with ``update`` applied and the views of the tree (cached properties) computed afresh."""
        copy = super().model_copy(update=update, deep=deep)
        for name, attribute in vars(IndicatorSystem).items():
            if isinstance(attribute, cached_property):
                copy.__dict__.pop(name, None)
        return copy

    @cached_property
    def root(self) -> Node:
        """The composite as a node whose children are the top-level dimensions."""
        return composite_node(self.composite, self.tree)

    def walk(self) -> Iterator[tuple[Node, int, Node | None]]:
        """Every node depth-first (parents before children) with its depth (composite = 0) and parent."""
        stack: list[tuple[Node, int, Node | None]] = [(self.root, 0, None)]
        while stack:
            node, depth, parent = stack.pop()
            yield node, depth, parent
            stack.extend((child, depth + 1, node) for child in reversed(node.children or []))

    @cached_property
    def nodes(self) -> dict[str, Node]:
        return {node.code: node for node, _, _ in self.walk()}

    @cached_property
    def indicators(self) -> list[Node]:
        """Indicators (leaves) in file order."""
        return [node for node, _, _ in self.walk() if node.is_indicator]

    @cached_property
    def indicator_codes(self) -> list[str]:
        return [node.code for node in self.indicators]

    @cached_property
    def derived(self) -> list[Node]:
        """The indicators computed from a formula (not collected themselves)."""
        return [node for node in self.indicators if node.formula is not None]

    @cached_property
    def collected(self) -> list[Node]:
        """What a unit fills in, in form order: the indicators that are neither derived nor the same as another
        (``same_as``), then the components."""
        return [
            node for node in self.indicators if node.formula is None and not isinstance(node.same_as, str)
        ] + list(self.components)

    @cached_property
    def same_as(self) -> dict[str, str]:
        """Indicator code → the code of the collected indicator it is the same as (``same_as``)."""
        return {node.code: node.same_as for node in self.indicators if isinstance(node.same_as, str)}

    @cached_property
    def collected_codes(self) -> list[str]:
        return [node.code for node in self.collected]

    @cached_property
    def providers(self) -> dict[str, str]:
        """Collected code → the code of the department that supplies it (codes a district fills in are absent)."""
        return {node.code: node.provider for node in self.collected if node.provider is not None}

    def supplied_by(self, department: str) -> list[Node]:
        """The collected values ``department`` supplies, in form order."""
        return [node for node in self.collected if node.provider == department]

    @cached_property
    def district_collected(self) -> list[Node]:
        """The collected values a district fills in itself (those without a department provider)."""
        return [node for node in self.collected if node.provider is None]

    @cached_property
    def department_names(self) -> dict[str, str]:
        return {d.code: d.name for d in self.departments}

    @cached_property
    def department_names_en(self) -> dict[str, str]:
        """Department code → its English name (its Chinese one where the file gives none)."""
        return {d.code: d.name_en or d.name for d in self.departments}

    @cached_property
    def depth(self) -> dict[str, int]:
        return {node.code: depth for node, depth, _ in self.walk()}

    @cached_property
    def parent(self) -> dict[str, str]:
        return {node.code: parent.code for node, _, parent in self.walk() if parent is not None}

    def path(self, code: str) -> list[str]:
        """Codes from the composite down to ``code``."""
        chain = [code]
        while chain[-1] in self.parent:
            chain.append(self.parent[chain[-1]])
        return chain[::-1]

    @cached_property
    def unit_codes(self) -> list[str]:
        return [u.code for u in self.units]

    @cached_property
    def unit_names(self) -> dict[str, str]:
        return {u.code: u.name for u in self.units}

    def normalise_method(self, indicator: Node) -> str:
        return indicator.normalise or self.method.normalise

    def aggregate_method(self, node: Node) -> str:
        return node.aggregate or self.method.aggregate

    def weighting_method(self, node: Node) -> str:
        return node.weighting or self.method.weighting


def composite_node(composite: Composite, tree: list[Node]) -> Node:
    """The composite as a node whose children are the top-level dimensions."""
    return Node(children=list(tree), **composite.model_dump())
