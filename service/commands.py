"""CLI commands of the service, plugged into ``digiscore`` through the ``digiscore.commands`` entry point:
``digiscore serve`` and ``digiscore token create``.

Loading the entry point imports only typer (``service/__init__`` is lazy too): FastAPI, uvicorn and SQLAlchemy
are imported inside the commands, so that ``digiscore --help`` does not load the web stack.
"""

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
        help="API 令牌：创建（只显示一次，数据库只存其 sha256）或吊销。\n\n"
        "API tokens: create one (printed once; only its sha256 is stored) or revoke one.",
        no_args_is_help=True,
    )
    tokens.command("create")(create_token)
    tokens.command("revoke")(revoke_token)
    tokens.command("list")(list_tokens)
    app.add_typer(tokens, name="token")
    app.command()(backup)
    app.command()(restore)


def serve(
    host: Annotated[
        str,
        typer.Option(
            metavar="ADDRESS",
            help="监听地址（0.0.0.0 表示所有网卡）\naddress to listen on (0.0.0.0 for every interface)",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(metavar="PORT", help="监听的 TCP 端口\nthe TCP port to listen on")
    ] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            metavar="N",
            help="工作进程数（共用一个数据库；多于 1 个时请用 PostgreSQL）\n"
            "worker processes (they share the database; use PostgreSQL for more than one)",
        ),
    ] = 1,
) -> None:
    """运行 HTTP 服务与仪表板（OpenAPI 文档在 /docs），使用 DIGISCORE_* 设置指定的数据库（默认 SQLite）。

    Run the HTTP API and the dashboard (OpenAPI at /docs) on the database the DIGISCORE_* settings name (SQLite
    by default).
    """
    import uvicorn

    from service.app import create_app
    from service.settings import Settings

    if workers > 1:
        uvicorn.run("service.app:app_from_env", factory=True, host=host, port=port, workers=workers)
    else:
        uvicorn.run(create_app(Settings()), host=host, port=port)


def create_token(
    role: Annotated[
        str,
        typer.Option(
            metavar="ROLE",
            help="角色：admin、reviewer、district 或 department\nadmin, reviewer, district or department",
        ),
    ],
    unit: Annotated[
        str | None,
        typer.Option(
            metavar="CODE", help="区县令牌绑定的区县编码\nthe unit code a district token is bound to"
        ),
    ] = None,
    department: Annotated[
        str | None,
        typer.Option(
            metavar="CODE",
            help="部门令牌绑定的部门编码（区县名单 departments 中登记）\n"
            "the department code a department token is bound to (registered under departments: in the unit list)",
        ),
    ] = None,
    label: Annotated[
        str | None, typer.Option(metavar="TEXT", help="备注：令牌归谁使用\na note saying whose token this is")
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=36_500,
            metavar="DAYS",
            help="有效天数（默认 DIGISCORE_TOKEN_DAYS，即 365；0 表示永不过期）\n"
            "valid for this many days (default DIGISCORE_TOKEN_DAYS, 365; 0: never expires)",
        ),
    ] = None,
) -> None:
    """创建 API 令牌并只显示这一次（数据库只保存其 sha256）。

    Create an API token and print it once (the database keeps only its sha256).
    """
    from service import audit
    from service.auth import CLI, Role, issue_token, token_expiry
    from service.db import Database
    from service.settings import Settings

    try:
        chosen = Role(role)
    except ValueError:
        raise typer.BadParameter(
            "role must be admin, reviewer, district or department", param_hint="--role"
        ) from None
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
                row, token = issue_token(
                    session, chosen, unit, label, now, expires_at, department_code=department
                )
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
                department=department,
                expires_at=expires_at,
            )
    finally:
        database.dispose()
    typer.echo(token)
    until = f"valid until {expires_at.isoformat(timespec='seconds')}" if expires_at else "never expires"
    typer.echo(
        f"token {row.id} ({' '.join(filter(None, [role, unit, department]))}; {until}); "
        "shown once, keep it safe",
        err=True,
    )


def revoke_token(
    token_id: Annotated[int, typer.Argument(min=1, metavar="ID", help="令牌编号\nthe token's id")],
) -> None:
    """吊销令牌：立即在所有工作进程中失效（与 POST /tokens/{id}/revoke 相同）。

    Revoke a token: it stops working at once, in every worker (as POST /tokens/{id}/revoke does).
    """
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


def list_tokens() -> None:
    """列出 API 令牌（编号、角色、区县、备注、创建与到期时间、状态），不显示令牌本身；轮换令牌时用来找旧令牌的编号。

    List the API tokens (id, role, unit, label, created, expires, status), never the tokens themselves; to rotate
    a token, find the old one's id here.
    """
    from datetime import UTC, datetime

    from sqlalchemy import select

    from service.db import Database
    from service.settings import Settings
    from service.tables import TokenRow

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.sqlalchemy_url, settings.database_schema)
    try:
        database.migrate()
        with database.read() as session:
            rows = session.execute(select(TokenRow).order_by(TokenRow.id)).scalars().all()
    finally:
        database.dispose()
    now = datetime.now(UTC)

    def day(moment: datetime | None) -> str:
        return moment.date().isoformat() if moment else "-"

    lines = [
        (
            "编号 id",
            "角色 role",
            "区县/部门 unit",
            "创建 created",
            "到期 expires",
            "状态 status",
            "备注 label",
        )
    ]
    for row in rows:
        if row.revoked_at is not None:
            status = "已吊销 revoked"
        elif row.expires_at is not None and row.expires_at <= now:
            status = "已过期 expired"
        else:
            status = "有效 active"
        lines.append(
            (
                str(row.id),
                row.role,
                row.unit_code or row.department_code or "-",
                day(row.created_at),
                day(row.expires_at) if row.expires_at else "永不 never",
                status,
                row.label or "",
            )
        )
    from scoring.cli.help import width_of

    widths = [max(width_of(line[i]) for line in lines) for i in range(len(lines[0]) - 1)]
    for line in lines:
        cells = [cell + " " * (widths[i] - width_of(cell)) for i, cell in enumerate(line[:-1])]
        typer.echo("  ".join([*cells, line[-1]]).rstrip())


def backup(
    out: Annotated[
        Path,
        typer.Option(
            "--out", metavar="FILE", help="要写出的备份文件（zip）\nthe archive to write (a zip file)"
        ),
    ],
    force: Annotated[bool, typer.Option(help="文件已存在时覆盖\nreplace the file if it exists")] = False,
) -> None:
    """备份服务的数据库：一个一致的归档，含全部数据表、提交的文件和已发布的结果及 sha256 清单；服务可照常运行。

    Write one consistent archive of the service's database — every table, submitted files and published
    results included, with a manifest of sha256 sums — while the service keeps serving.
    """
    from service import backup as backups

    if out.exists() and not force:
        raise typer.BadParameter(f"{out} exists; choose another name or pass --force", param_hint="--out")
    manifest = _on_database(lambda database: backups.backup(database, out))
    rows = sum(entry.rows for entry in manifest.tables)
    typer.echo(
        f"{out}: {len(manifest.tables)} tables, {rows} rows, schema revision {manifest.alembic_revision}",
        err=True,
    )


def _on_database(operation: "Callable[[Database], Manifest]", *, create: bool = False) -> "Manifest":
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
    archive: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="digiscore backup 写出的备份文件\nan archive written by digiscore backup"
        ),
    ],
) -> None:
    """把备份恢复到 DIGISCORE_* 设置指定的空数据库（SQLite 或 PostgreSQL，可互换）。先完整校验备份；损坏的备份或
    非空的数据库会被拒绝，不写入任何内容。

    Restore an archive into the empty database the DIGISCORE_* settings name (SQLite or PostgreSQL, either
    way round). The archive is checked whole first; a damaged archive or a database with rows is refused and
    nothing is written.
    """
    from service import backup as backups

    manifest = _on_database(lambda database: backups.restore(database, archive), create=True)
    rows = sum(entry.rows for entry in manifest.tables)
    typer.echo(
        f"restored {len(manifest.tables)} tables, {rows} rows (schema revision {manifest.alembic_revision}, "
        f"backed up {manifest.created_at} from {manifest.source})",
        err=True,
    )
