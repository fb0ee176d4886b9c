"""The digiscore HTTP service: yearly rounds, versioned submissions, rankings and profiles over HTTP.

Build the app with :func:`service.app.create_app` from :class:`service.settings.Settings`; the engine
(:mod:`scoring`) never imports this package.
"""

from service.app import create_app
from service.settings import Settings

__all__ = ["Settings", "create_app"]
