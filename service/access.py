"""Authorization as FastAPI dependencies: a route says who may call it in its signature, not in its body.

``Annotated[Principal, Depends(require_role(Role.ADMIN))]`` (:data:`AdminDep`) resolves the caller and checks
the role; :data:`StaffDep` admits admins and reviewers; :data:`UnitActorDep` checks that the caller may act for
the ``{unit}`` of the path (staff, or that unit's district token). Each gives 401 to the public and 403 to a
token of another role. The rules themselves (:func:`check_role`, :func:`check_unit`) are shared with the
dashboard's dependencies (``service.web.guards``), which take the caller from the sign-in cookie instead.

Rules that depend on the data — the public reads published results only, staff also previews — are the use
cases' (``service.usecases.read``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Path

from service.auth import Principal, Role
from service.context import PrincipalDep, unauthorized
from service.errors import forbidden
from service.schemas import UNIT_PATTERN

STAFF = (Role.ADMIN, Role.REVIEWER)


def check_role(principal: Principal, *roles: Role) -> None:
    """401 for the public, 403 for a token of another role."""
    if principal.role in roles:
        return
    if principal.role is Role.PUBLIC:
        raise unauthorized("this needs a token")
    raise forbidden(f"this needs the role {' or '.join(str(r) for r in roles)}")


def check_unit(principal: Principal, unit_code: str) -> None:
    """Staff, or the district token of this unit; else 401 for the public, 403 for other tokens."""
    if principal.may_act_for(unit_code):
        return
    if principal.role is Role.PUBLIC:
        raise unauthorized("this needs a token")
    raise forbidden(f"this token may not act for unit {unit_code}")


def check_department(principal: Principal, department: str) -> None:
    """Staff, or the department token of this department; else 401 for the public, 403 for other tokens."""
    if principal.may_supply_for(department):
        return
    if principal.role is Role.PUBLIC:
        raise unauthorized("this needs a token")
    raise forbidden(f"this token may not act for department {department}")


def require_role(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency: the caller, who must have one of ``roles``."""

    def dependency(principal: PrincipalDep) -> Principal:
        check_role(principal, *roles)
        return principal

    dependency.__name__ = "require_" + "_or_".join(str(r) for r in roles)
    return dependency


def unit_actor(
    principal: PrincipalDep,
    unit: Annotated[str, Path(pattern=UNIT_PATTERN, description="unit code (区县编码)")],
) -> Principal:
    """A dependency: the caller, who must be staff or the district of the path's ``{unit}``."""
    check_unit(principal, unit)
    return principal


def department_actor(
    principal: PrincipalDep,
    department: Annotated[str, Path(pattern=UNIT_PATTERN, description="department code (部门编码)")],
) -> Principal:
    """A dependency: the caller, who must be staff or the department token of the path's ``{department}``."""
    check_department(principal, department)
    return principal


AdminDep = Annotated[Principal, Depends(require_role(Role.ADMIN))]
StaffDep = Annotated[Principal, Depends(require_role(*STAFF))]
UnitActorDep = Annotated[Principal, Depends(unit_actor)]
DepartmentActorDep = Annotated[Principal, Depends(department_actor)]
