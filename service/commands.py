"""CLI commands of the service, plugged into ``digiscore`` through the ``digiscore.commands`` entry point:
``digiscore serve`` and ``digiscore token create``.

Loading the entry point imports only typer (``service/__init__`` is lazy too): FastAPI, uvicorn and SQLAlchemy
are imported inside the commands, so that ``digiscore --help`` does not load the web stack.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the commands import the service only when they run (--help stays light)
    from service.backup import Manifest
    from service.db import Database


def register(app: typer.Typer) -> None:
    """Add ``serve``, the ``token`` group, ``backup`` and ``restore`` to the ``digiscore`` command."""
    app.command()(serve)
    tokens = typer.Typer(
        help="API tokens: create one (printed once; only its sha256 is stored).", no_args_is_help=True
    )
    tokens.command("create")(create_token)
    tokens.command("revoke")(revoke_token)
    app.add_typer(tokens, name="token")
    app.command()(backup)
    app.command()(restore)


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
    days: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=36_500,
            help="valid for this many days (default DIGISCORE_TOKEN_DAYS, 365; 0: never expires)",
        ),
    ] = None,
) -> None:
    """Create an API token and print it once (the database keeps only its sha256)."""
    from service import audit
    from service.auth import CLI, Role, issue_token, token_expiry
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
            expires_at = token_expiry(now, settings.token_days if days is None else days)
            try:
                row, token = issue_token(session, chosen, unit, label, now, expires_at)
            except ValueError as error:
                raise typer.BadParameter(str(error)) from None
            audit.record(
                session,
                CLI,
                "token.create",
                f"token:{row.id}",
                now,
                row.token_hash,
                role=role,
                unit=unit,
                expires_at=expires_at,
            )
    finally:
        database.dispose()
    typer.echo(token)
    until = f"valid until {expires_at.isoformat(timespec='seconds')}" if expires_at else "never expires"
    typer.echo(
        f"token {row.id} ({role}{' ' + unit if unit else ''}; {until}); shown once, keep it safe", err=True
    )


def revoke_token(token_id: Annotated[int, typer.Argument(min=1, help="the token's id")]) -> None:
    """Revoke a token: it stops working at once, in every worker (as POST /tokens/{id}/revoke does)."""
    from datetime import UTC, datetime

    from service.auth import CLI, revoke
    from service.db import Database
    from service.settings import Settings

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.sqlalchemy_url, settings.database_schema)
    try:
        database.migrate()
        with database.write() as session:
            if revoke(session, token_id, CLI, datetime.now(UTC)) is None:
                typer.echo(f"no token {token_id}", err=True)
                raise typer.Exit(1)
    finally:
        database.dispose()
    typer.echo(f"token {token_id} revoked", err=True)


def backup(
    out: Annotated[Path, typer.Option("--out", help="the archive to write (a zip file)")],
    force: Annotated[bool, typer.Option(help="replace the file if it exists")] = False,
) -> None:
    """Write one consistent archive of the service's database — every table, submitted files and published
    results included, with a manifest of sha256 sums — while the service keeps serving."""
    from service import backup as backups

    if out.exists() and not force:
        raise typer.BadParameter(f"{out} exists; choose another name or pass --force", param_hint="--out")
    manifest = _on_database(lambda database: backups.backup(database, out))
    rows = sum(entry.rows for entry in manifest.tables)
    typer.echo(
        f"{out}: {len(manifest.tables)} tables, {rows} rows, schema revision {manifest.alembic_revision}",
        err=True,
    )


def _on_database(operation: Callable[[Database], Manifest], *, create: bool = False) -> Manifest:
    """Run a backup or restore on the database the DIGISCORE_* settings name (``create``: make the SQLite data
    folder first); a refusal ends the command with its exit code and message."""
    from service import backup as backups
    from service.db import Database
    from service.settings import Settings

    settings = Settings()
    if create and not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.sqlalchemy_url, settings.database_schema)
    try:
        return operation(database)
    except backups.BackupError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(error.exit_code) from None
    finally:
        database.dispose()


def restore(
    archive: Annotated[Path, typer.Argument(help="an archive written by digiscore backup")],
) -> None:
    """Restore an archive into the empty database the DIGISCORE_* settings name (SQLite or PostgreSQL, either
    way round). The archive is checked whole first; a damaged archive or a database with rows is refused and
    nothing is written."""
    from service import backup as backups

    manifest = _on_database(lambda database: backups.restore(database, archive), create=True)
    rows = sum(entry.rows for entry in manifest.tables)
    typer.echo(
        f"restored {len(manifest.tables)} tables, {rows} rows (schema revision {manifest.alembic_revision}, "
        f"backed up {manifest.created_at} from {manifest.source})",
        err=True,
    )
