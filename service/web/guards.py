"""Who may see a page or send a form, as FastAPI dependencies on the page's :class:`~service.web.ui.Web`.

The rules are the API's (``service.access``); the caller is the sign-in cookie's. A page that needs a signed-in
user sends the browser to the sign-in form (:class:`~service.web.ui.SignInRequired`); a form post first needs
its CSRF token (``csrf_token`` field), then the sign-in, then the role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Form, Query

from service.access import STAFF, check_department, check_role, check_unit
from service.auth import Role
from service.errors import forbidden
from service.schemas import UNIT_PATTERN
from service.web import security
from service.web.ui import Web, WebDep

CsrfField = Annotated[str, Form(max_length=100)]  # default "": a post without it is refused with 403


def posted(web: WebDep, csrf_token: CsrfField = "") -> Web:
    """A form post with the page's CSRF token (403 page otherwise)."""
    security.check_csrf(web.request, csrf_token)
    return web


PostedDep = Annotated[Web, Depends(posted)]


def signed_in(web: WebDep) -> Web:
    """A signed-in user (else to the sign-in form and back)."""
    web.require_signed_in()
    return web


def signed_in_post(web: PostedDep) -> Web:
    """A form post with its CSRF token, from a signed-in user."""
    web.require_signed_in()
    return web


SignedInDep = Annotated[Web, Depends(signed_in)]
SignedInPostDep = Annotated[Web, Depends(signed_in_post)]


def role_page(*roles: Role) -> Callable[[Web], Web]:
    """A dependency: a page for signed-in users of one of ``roles``."""

    def dependency(web: SignedInDep) -> Web:
        check_role(web.principal, *roles)
        return web

    dependency.__name__ = "page_for_" + "_or_".join(roles)
    return dependency


def role_post(*roles: Role) -> Callable[[Web], Web]:
    """A dependency: a form post (CSRF, sign-in) by a user of one of ``roles``."""

    def dependency(web: SignedInPostDep) -> Web:
        check_role(web.principal, *roles)
        return web

    dependency.__name__ = "post_by_" + "_or_".join(roles)
    return dependency


StaffPageDep = Annotated[Web, Depends(role_page(*STAFF))]
StaffPostDep = Annotated[Web, Depends(role_post(*STAFF))]
AdminPageDep = Annotated[Web, Depends(role_page(Role.ADMIN))]
AdminPostDep = Annotated[Web, Depends(role_post(Role.ADMIN))]
UploaderPageDep = Annotated[Web, Depends(role_page(Role.DISTRICT, *STAFF))]


def unit_query(web: SignedInDep, unit: Annotated[str, Query(pattern=UNIT_PATTERN)]) -> Web:
    """A page about the ``?unit=`` given, for staff or that unit's district officer."""
    check_unit(web.principal, unit)
    return web


def unit_post(web: SignedInPostDep, unit: Annotated[str, Form(pattern=UNIT_PATTERN)]) -> Web:
    """A form post about the ``unit`` field, by staff or that unit's district officer."""
    check_unit(web.principal, unit)
    return web


UnitPageDep = Annotated[Web, Depends(unit_query)]
UnitPostDep = Annotated[Web, Depends(unit_post)]


def upload_unit(
    web: UploaderPageDep, unit: Annotated[str | None, Query(pattern=UNIT_PATTERN)] = None
) -> str | None:
    """The unit the upload page works on: a district officer's own (another is refused); for staff the one
    asked, or None (the page then takes the round's first unit)."""
    principal = web.principal
    if principal.role is Role.DISTRICT:
        own = principal.unit_code or ""
        if unit is not None and unit != own:
            raise forbidden(f"this token may not act for unit {unit}")
        return own
    return unit


UploadUnitDep = Annotated[str | None, Depends(upload_unit)]


SupplierPageDep = Annotated[Web, Depends(role_page(Role.DEPARTMENT, *STAFF))]


def upload_department(
    web: SupplierPageDep, department: Annotated[str | None, Query(pattern=UNIT_PATTERN)] = None
) -> str | None:
    """The department the department page works on: a department officer's own (another is refused); for
    staff the one asked, or None (the page then takes the system's first department)."""
    principal = web.principal
    if principal.role is Role.DEPARTMENT:
        own = principal.department_code or ""
        if department is not None and department != own:
            raise forbidden(f"this token may not act for department {department}")
        return own
    return department


UploadDepartmentDep = Annotated[str | None, Depends(upload_department)]


def department_query(web: SignedInDep, department: Annotated[str, Query(pattern=UNIT_PATTERN)]) -> Web:
    """A download about the ``?department=`` given, for staff or that department's officer."""
    check_department(web.principal, department)
    return web


def department_post(web: SignedInPostDep, department: Annotated[str, Form(pattern=UNIT_PATTERN)]) -> Web:
    """A form post about the ``department`` field, by staff or that department's officer."""
    check_department(web.principal, department)
    return web


DepartmentPageDep = Annotated[Web, Depends(department_query)]
DepartmentPostDep = Annotated[Web, Depends(department_post)]
