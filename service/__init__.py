"""The digiscore HTTP service: yearly rounds, versioned submissions, rankings and profiles over HTTP.

Build the app with :func:`service.app.create_app` from :class:`service.settings.Settings`; the engine
(:mod:`scoring`) never imports this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service.app import create_app
    from service.settings import Settings

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    """``create_app`` and ``Settings`` on first use: importing a submodule (e.g. the CLI's ``service.commands``)
    must not load FastAPI and SQLAlchemy, so that ``digiscore --help`` starts fast."""
    if name == "create_app":
        from service.app import create_app

        return create_app
    if name == "Settings":
        from service.settings import Settings

        return Settings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
