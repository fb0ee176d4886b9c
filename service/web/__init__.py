"""The web dashboard for officials (issue 7): server-rendered pages in Chinese (English on request) on top of
the service's own functions, with charts drawn by a vendored ECharts build served from the app itself.

:func:`install` adds the pages and the static files to an app made by :func:`service.app.create_app`.
The reference — pages, sign-in and CSRF, assets and their sizes, tests — is ``docs/web.md``.
"""

from __future__ import annotations

from fastapi import FastAPI

from service.web.regional import router as analysis_router
from service.web.routes import router
from service.web.ui import STATIC_DIR, STATIC_PREFIX, CachedStatic, WebUi

__all__ = ["install"]


def install(app: FastAPI) -> None:
    """Add the dashboard's pages and its static files (``/static``) to ``app``."""
    app.state.web = WebUi.create()
    app.include_router(router)
    app.include_router(analysis_router)
    app.mount(STATIC_PREFIX, CachedStatic(directory=STATIC_DIR), name="static")
