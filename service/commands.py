"""CLI commands of the service, plugged into ``digiscore`` through the ``digiscore.commands`` entry point:
``digiscore serve`` and ``digiscore token create``."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add ``serve`` and the ``token`` group to the ``digiscore`` command."""
    app.command()(serve)
    tokens = typer.Typer(
        help="API tokens: create one (printed once; only its sha256 is stored).", no_args_is_help=True
    )
    tokens.command("create")(create_token)
    app.add_typer(tokens, name="token")


def serve(
    host: Annotated[
        str, typer.Option(help="address to listen on (0.0.0.0 for every interface)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes (share the database; use PostgreSQL)")] = 1,
) -> None:
    """Run the HTTP API (OpenAPI at /docs) on the database the DIGISCORE_* settings name (SQLite by default)."""
    import uvicorn

    from service.app import create_app
    from service.settings import Settings

    if workers > 1:
        uvicorn.run("service.app:app_from_env", factory=True, host=host, port=port, workers=workers)
    else:
        uvicorn.run(create_app(Settings()), host=host, port=port)


def create_token(
    role: Annotated[str, typer.Option(help="admin | reviewer | district")],
    unit: Annotated[str | None, typer.Option(help="the unit code a district token is bound to")] = None,
    label: Annotated[str | None, typer.Option(help="a note saying whose token this is")] = None,
) -> None:
    """Create an API token and print it once (the database keeps only its sha256)."""
    from service import audit
    from service.auth import CLI, Role, issue_token
    from service.db import Database
    from service.settings import Settings

    try:
        chosen = Role(role)
    except ValueError:
        raise typer.BadParameter("role must be admin, reviewer or district", param_hint="--role") from None
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.sqlalchemy_url, settings.database_schema)
    try:
        database.migrate()
        with database.write() as session:
            from datetime import UTC, datetime

            now = datetime.now(UTC)
            try:
                row, token = issue_token(session, chosen, unit, label, now)
            except ValueError as error:
                raise typer.BadParameter(str(error)) from None
            audit.record(
                session, CLI, "token.create", f"token:{row.id}", now, row.token_hash, role=role, unit=unit
            )
    finally:
        database.dispose()
    typer.echo(token)
    typer.echo(f"token {row.id} ({role}{' ' + unit if unit else ''}); shown once, keep it safe", err=True)
