"""Alembic environment: migrations run on the connection the service hands over (``Database.migrate``).

Run from the command line with ``alembic -c service/alembic.ini upgrade head`` (then the URL comes from the
``DIGISCORE_*`` settings); the service itself runs them at start-up.
"""

from __future__ import annotations

from alembic import context

from service.tables import Base


def run_migrations_online() -> None:
    """Upgrade on the given connection, or on one opened from the settings when run by the alembic command."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    from service.db import Database
    from service.settings import Settings

    settings = Settings()
    database = Database(settings.sqlalchemy_url, settings.database_schema)  # creates the SQLite directory
    with database.engine.begin() as own:
        if database.schema:
            own.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{database.schema}"')
        context.configure(connection=own, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    database.dispose()


run_migrations_online()
