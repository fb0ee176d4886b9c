"""``python -m scoring.cli``: the ``digiscore`` command."""

from scoring.cli import app

app(prog_name="digiscore")
