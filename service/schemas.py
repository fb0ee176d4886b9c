"""Request bodies and the documented shapes of responses (OpenAPI at ``/docs``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from service.text import CleanLine, CleanText

YEAR_MIN, YEAR_MAX = 1900, 2200
UNIT_PATTERN = r"^[A-Za-z0-9_.\-]{1,64}$"
SYSTEM_PATTERN = r"^[^\x00-\x1f\x7f]{1,200}$"

# every round URL names its system with ?system=<id>; without it, /rounds/{year}/… means the default system's
# round of the year (service.rounds.resolve_system; docs/service.md, "Rounds per system")
SystemQuery = Annotated[
    str | None,
    Query(
        pattern=SYSTEM_PATTERN,
        description="the indicator system's id; without it, the default system (DIGISCORE_DEFAULT_SYSTEM)",
    ),
]


class RoundCreate(BaseModel):
    """Open the round of a year on a registered system version."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=YEAR_MIN, le=YEAR_MAX)
    system_id: CleanLine = Field(min_length=1, max_length=200)
    version: CleanLine = Field(min_length=1, max_length=100)


class RoundCancel(BaseModel):
    """Cancel a round opened by mistake (it holds no submission); the reason goes to the audit log."""

    model_config = ConfigDict(extra="forbid")

    reason: CleanText | None = Field(None, max_length=2000)


class RoundReopen(BaseModel):
    """Take uploads again in a closed, unpublished round; the reason is required and audited."""

    model_config = ConfigDict(extra="forbid")

    reason: CleanText = Field(min_length=1, max_length=2000)


class PublishConfirm(BaseModel):
    """The units the admin was shown as lacking an accepted version (``GET /rounds/{year}/publication``);
    publishing is refused when the list differs now."""

    model_config = ConfigDict(extra="forbid")

    missing_units: list[Annotated[str, Field(pattern=UNIT_PATTERN)]] = Field(max_length=10_000)


def _bounded_moment(moment: datetime) -> datetime:
    """A time within the years a round may have, in UTC (a year-1 or year-9999 time would overflow)."""
    if not YEAR_MIN <= moment.year <= YEAR_MAX:
        raise ValueError(f"the year must be between {YEAR_MIN} and {YEAR_MAX}")
    return moment.astimezone(UTC)


Moment = Annotated[AwareDatetime, AfterValidator(_bounded_moment)]


class DeadlineSet(BaseModel):
    """The deadline of a round's uploads (an ISO 8601 time with its zone), or null for none."""

    model_config = ConfigDict(extra="forbid")

    deadline: Moment | None


class LateUploadCreate(BaseModel):
    """Leave for one unit to upload after the deadline, or into the published round to correct it."""

    model_config = ConfigDict(extra="forbid")

    until: Moment
    reason: CleanText = Field(min_length=1, max_length=2000)


class CorrectionCreate(BaseModel):
    """Publish a correction (更正) of a published round: the reason is required and goes into the results and
    the audit log; ``missing_units`` confirms the units lacking an accepted version, as for publishing."""

    model_config = ConfigDict(extra="forbid")

    reason: CleanText = Field(min_length=1, max_length=2000)
    missing_units: list[Annotated[str, Field(pattern=UNIT_PATTERN)]] | None = Field(None, max_length=10_000)


class CellCommentIn(BaseModel):
    """A comment on one value of the version: its indicator and year name the cell."""

    model_config = ConfigDict(extra="forbid")

    indicator_code: CleanLine = Field(min_length=1, max_length=100)
    year: int = Field(ge=YEAR_MIN, le=YEAR_MAX)
    comment: CleanText = Field(min_length=1, max_length=2000)
    unit_code: str | None = Field(
        None, pattern=UNIT_PATTERN, description="the unit of the cell, on a department's version (many units)"
    )


class ReviewCreate(BaseModel):
    """A reviewer's decision on one submission version; a return needs a comment, overall or on cells."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["accept", "return"]
    comment: CleanText | None = Field(None, max_length=4000)
    cells: list[CellCommentIn] = Field(default_factory=list, max_length=2000)
    accept_unavailable: bool = Field(
        False,
        description="with accept: the reviewer accepts the reasons of the values the version declares "
        "unavailable (数据缺失说明); required to accept such a version",
    )


class _TokenFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: CleanLine | None = Field(None, max_length=200)
    days: int | None = Field(
        None,
        ge=0,
        le=36_500,
        strict=True,  # JSON true is not a number of days
        description="valid for this many days (default: the service's, 365; 0: never)",
    )


class StaffTokenCreate(_TokenFields):
    """An admin's or a reviewer's token: bound to no unit."""

    role: Literal["admin", "reviewer"]
    unit_code: None = None


class DistrictTokenCreate(_TokenFields):
    """A district's token: bound to its unit."""

    role: Literal["district"]
    unit_code: str = Field(pattern=UNIT_PATTERN)


class DepartmentTokenCreate(_TokenFields):
    """A department's token: bound to its department (a 部门 that supplies indicators, ``provider:``)."""

    role: Literal["department"]
    unit_code: None = None
    department_code: str = Field(pattern=UNIT_PATTERN)


# one of the three, told apart by the role (so that the schema says which roles take a unit or a department)
TokenCreate = Annotated[
    StaffTokenCreate | DistrictTokenCreate | DepartmentTokenCreate, Field(discriminator="role")
]


class SystemRef(BaseModel):
    id: str
    version: str
    name: str
    content_hash: str


class RoundOut(BaseModel):
    year: int
    system_id: str
    status: Literal["open", "closed", "published", "cancelled"]
    system: SystemRef
    opened_at: str
    closed_at: str | None
    published_at: str | None
    results_sha256: str | None
    results_version: int | None = None
    deadline: str | None = None


class CellCommentOut(BaseModel):
    # extra allowed: a cell of a department's version also names its unit_code (a unit's version has none)
    model_config = ConfigDict(extra="allow")

    indicator_code: str
    year: int
    location: str
    comment: str


class ReviewOut(BaseModel):
    decision: Literal["accept", "return"]
    comment: str | None
    reviewer: int | None
    reviewed_at: str
    cells: list[CellCommentOut] | None = None  # in a version's report: the cells the review commented on


class SubmissionOut(BaseModel):
    """One version of a unit's upload; ``status`` is rejected, pending, accepted or returned."""

    year: int
    unit_code: str
    version: int
    file_name: str
    size: int
    sha256: str
    outcome: Literal["valid", "invalid", "unusable"]
    status: Literal["rejected", "pending", "accepted", "returned"]
    errors: int
    warnings: int
    uploaded_by: int | None
    uploaded_at: str
    review: ReviewOut | None


class SubmissionReport(SubmissionOut):
    """A version with its validation report: every problem, each with its cell and a message in zh and en."""

    content_type: str | None
    values: int
    problems: list[dict[str, Any]]
    remarks: list[dict[str, Any]] = Field(
        default_factory=list,
        description="the 备注 given with the values: indicator_code, remark, years, location of its first value",
    )
    unavailable: list[dict[str, Any]] = Field(
        default_factory=list,
        description="the values declared unavailable (数据缺失说明): indicator_code, year, reason, location; "
        "accepting the version (with accept_unavailable) accepts these reasons and the values count as missing",
    )


class ProblemOut(BaseModel):
    """An RFC 9457 problem document (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    problems: list[dict[str, Any]] | None = None


class RankingItem(BaseModel):
    rank: int | None
    unit_code: str
    unit_name: str
    score: float | None
    tier: str | None = Field(description="the composite's tier; null on the rankings of other nodes")
    score_change: float | None = Field(description="score minus last year's")
    rank_change: int | None = Field(description="places gained since last year")


class NodeRef(BaseModel):
    code: str
    name: str
    level: int


class RankingPage(BaseModel):
    year: int
    system: dict[str, Any]
    published: bool
    snapshot_sha256: str | None
    node: NodeRef
    total: int
    offset: int
    limit: int
    items: list[RankingItem]


class TokenOut(BaseModel):
    id: int
    role: str
    unit_code: str | None
    department_code: str | None = None
    label: str | None
    expires_at: str | None = Field(None, description="when the token stops working (null: never)")
    token: str | None = Field(None, description="shown once, when the token is created")


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ProblemOut, "content": {"application/problem+json": {}}}
    for status in (401, 403, 404, 409, 422)
}


class EvidenceOut(BaseModel):
    """An evidence file (佐证材料) of a version: ``version`` is the one it was attached to (a version's evidence
    includes what was attached to the unit's earlier versions)."""

    id: int
    indicator_code: str
    file_name: str
    media_type: str = Field(description="from the file's bytes: PDF, PNG, JPEG, xlsx or docx")
    size: int
    sha256: str
    version: int
    uploaded_by: int | None
    uploaded_at: str


class EvidenceList(BaseModel):
    """A version's evidence files, the indicators whose system requires evidence, and those of them the version
    gives a value of the round's year for without any evidence (it cannot be accepted until they have some)."""

    year: int
    system: str
    unit_code: str
    version: int
    evidence: list[EvidenceOut]
    required: list[str]
    missing: list[str]
