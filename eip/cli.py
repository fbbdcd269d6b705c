"""`flask --app wsgi eip ...`: the commands operators and `make` run."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from eip.extensions import db

eip_cli = AppGroup("eip", help="EIP Tracker administration commands.")


@eip_cli.command("init-db")
def init_db() -> None:
    """Apply all migrations (creates the SQLite file if needed)."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    upgrade()
    click.echo("Database is up to date.")


@eip_cli.command("seed-demo")
def seed_demo_command() -> None:
    """Load fictional demo boroughs, users and cases (refused in production)."""
    from eip.demo import DemoRefused, seed_demo

    try:
        result = seed_demo(db.session, current_app.config["EIP_ENV"])
    except DemoRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("Demo data loaded (fictional)." if result.created else "Demo data already loaded.")
