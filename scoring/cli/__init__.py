"""The ``digiscore`` command line (console script ``digiscore = scoring.cli:app``).

One module per command group — :mod:`~scoring.cli.data` (template, validate, score, explain, monitor),
:mod:`~scoring.cli.analysis` (uncertainty, whatif, audit), :mod:`~scoring.cli.report` (report),
:mod:`~scoring.cli.demo` (demo) — over :mod:`~scoring.cli.common` (shared options, system resolution, problem
listing); :mod:`~scoring.cli.main` assembles the app and plugs in the service's commands.
"""

from scoring.cli.main import app

__all__ = ["app"]
