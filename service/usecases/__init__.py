"""The service's use cases: what a caller can do, once, for the JSON API and the dashboard alike.

Layers: routes (``service.routes.*`` answer JSON, ``service.web`` answers pages) → use cases (this package) →
storage (``service.rounds``, ``service.submissions``, ``service.systems``, ``service.results``) and the engine
(``scoring``). A use case takes the app's :class:`~service.context.ServiceContext`, the caller where the outcome
depends on who asks or the audit log names them, and plain values; it returns a result object or a document, or
raises a :class:`~service.errors.ServiceError` / :class:`~scoring.problems.DigiscoreError` carrying problems.
Routes only translate those into JSON or pages. Who may call a route is checked before it runs, by its
dependencies (``service.access`` for tokens, ``service.web.guards`` for the sign-in cookie).

- :mod:`~service.usecases.rounds` — list, read a round with its system, open, close, publish, verify;
- :mod:`~service.usecases.submit` — the blank form, an upload, the stored file;
- :mod:`~service.usecases.review` — submissions of a round or unit, a version's report, a review;
- :mod:`~service.usecases.read` — results (published, or a staff preview), rankings, profiles, comparisons,
  what-if, the report;
- :mod:`~service.usecases.analysis` — rank intervals under the one default uncertainty design.
"""
