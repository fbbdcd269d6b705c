"""`flask --app wsgi eip ...`: the commands operators and `make` run."""

from __future__ import annotations

import sys
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
        from eip.files import make_private

        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        make_private(Path(url.database))  # owner-only before SQLite creates it
    upgrade()
    click.echo("Database is up to date.")


@eip_cli.command("create-user")
@click.argument("email")
@click.option(
    "--role", required=True, help="practitioner, manager, spoc, finance, evaluator or admin"
)
@click.option("--borough", "borough_name", default=None, help="the SPOC's borough")
@click.option("--name", default="", help="the person's name (defaults to the e-mail)")
def create_user(email: str, role: str, borough_name: str | None, name: str) -> None:
    """Create an account; the password is read from standard input."""
    from eip.accounts import AccountRefused, create_account

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        user = create_account(
            db.session,
            email=email,
            name=name,
            role=role,
            password=password,
            borough_name=borough_name,
        )
    except AccountRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {user.role} account {user.id}.")


@eip_cli.command("send-two-factor-code")
@click.argument("email")
def send_two_factor_code_command(email: str) -> None:
    """E-mail a single-use two-factor set-up code (for the first accounts, made here)."""
    from eip.audit import record
    from eip.auth import enrolment
    from eip.auth.services import find_user
    from eip.mail import MailNotSent

    user = find_user(db.session, email)
    if user is None or not user.active or user.password_hash is None:
        raise click.ClickException("No active account with a password has that e-mail address")
    if user.two_factor_enabled:
        raise click.ClickException("Two-factor sign-in is already on for that account")
    code = enrolment.issue_code(db.session, user)
    record(
        db.session,
        "account.two_factor_code_sent",
        actor=None,
        actor_label="cli",
        object_type="user",
        object_id=user.id,
    )
    db.session.commit()
    try:
        enrolment.send_code(user, code)
    except MailNotSent:
        raise click.ClickException("The e-mail could not be sent; try again") from None
    click.echo("A set-up code was e-mailed to the account's address.")


@eip_cli.command("seed-demo")
def seed_demo_command() -> None:
    """Load fictional demo boroughs, users and cases (refused in production)."""
    from eip.demo import DemoRefused, seed_demo

    try:
        result = seed_demo(db.session, current_app.config["EIP_ENV"])
    except DemoRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("Demo data loaded (fictional)." if result.created else "Demo data already loaded.")
    click.echo("")
    click.echo("Demo sign-ins (fictional people; every password is the same):")
    for role, email in result.sign_ins:
        click.echo(f"  {role:<13} {email}")
    click.echo(f"  password      {result.password}")


@eip_cli.command("seed-synthetic")
@click.option("--cases", type=click.IntRange(1, 100_000), required=True)
@click.option(
    "--placements",
    type=click.IntRange(0, 100_000),
    default=0,
    show_default=True,
    help="Placements (with their stays, invoices, payments and ledger) on as many cases.",
)
@click.option("--seed", type=int, default=1, show_default=True)
def seed_synthetic_command(cases: int, placements: int, seed: int) -> None:
    """Bulk synthetic data in every table the pages read, for benchmarks (refused in
    production)."""
    from time import perf_counter

    from eip.demo.synthetic import seed_synthetic

    if current_app.config["EIP_ENV"] == "production":
        raise click.ClickException("seed-synthetic refuses to run when EIP_ENV=production")
    if placements > cases:
        raise click.ClickException("--placements cannot be more than --cases")
    started = perf_counter()
    made = seed_synthetic(db.session, cases, seed, placements=placements)
    rows = ", ".join(f"{count} {table}" for table, count in made.items() if table != "events")
    click.echo(f"Created in {perf_counter() - started:.1f} s: {rows}.")


@eip_cli.command("refresh-due-items")
def refresh_due_items_command() -> None:
    """Rewrite every case's stored due items from the deadline rules (after a bulk load, or
    an upgrade that brings new bank holidays; the nightly job does the same)."""
    from eip.cases import due_store
    from eip.clock import now

    due_store.request_refresh_all(db.session, now())
    db.session.commit()
    total = due_store.progress(db.session).total
    # A batch per transaction, so the app stays usable meanwhile; a bar on a terminal.
    with click.progressbar(length=total, label="Rewriting due items", show_pos=True) as bar:
        shown = 0

        def advance(progress: due_store.Progress) -> None:
            nonlocal shown
            bar.update(progress.done - shown)
            shown = progress.done

        due_store.continue_refresh(db.session, now(), on_batch=advance)
        bar.update(total - shown)
    click.echo(f"Refreshed the due items of {total} cases.")


def _register_import() -> None:
    from eip.cases.importer import import_referrals_command

    eip_cli.add_command(import_referrals_command)


_register_import()


def _register_evaluation() -> None:
    from evaluation.cli import export_evaluation_command

    eip_cli.add_command(export_evaluation_command)


_register_evaluation()


jobs_cli = AppGroup("jobs", help="Scheduled jobs.")
eip_cli.add_command(jobs_cli)


@jobs_cli.command("run-due")
def run_due_command() -> None:
    """Run every due job once and exit."""
    from eip.jobs import run_due

    outcomes = run_due(db.session, worker="cli")
    for name, outcome in outcomes.items():
        click.echo(f"{name}: {outcome}")
    if "failed" in outcomes.values():
        raise SystemExit(1)


@eip_cli.command("scheduler")
def scheduler_command() -> None:
    """Run the scheduler in the foreground (its own process, never in web workers)."""
    from eip.scheduler import run_scheduler

    run_scheduler(current_app._get_current_object())


@eip_cli.command("backup")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The backup file to write (one tar, encrypted when EIP_BACKUP_KEY is set)",
)
@click.option(
    "--unencrypted",
    is_flag=True,
    help="In production, allow a backup without EIP_BACKUP_KEY (only for storage that encrypts)",
)
def backup_command(out: Path, unencrypted: bool) -> None:
    """Back up the database and the evaluation extract files into one file (safe while the
    service runs)."""
    import os

    from eip.backups.services import BackupRefused, make_backup

    production = current_app.config["EIP_ENV"] == "production"
    try:
        made = make_backup(
            db.engine,
            current_app.config["INSTANCE_PATH"],
            out,
            dict(os.environ),
            require_key=production and not unencrypted,
        )
    except BackupRefused as refused:
        raise click.ClickException(str(refused)) from None
    _audit_backup()
    manifest = made.manifest
    rows = sum(manifest["row_counts"].values())
    extracts = sum(1 for name in manifest["members"] if name.startswith("files/"))
    click.echo(
        f"Backed up {manifest['engine']} at migration {manifest['migration_revision']} "
        f"({rows} rows in {len(manifest['row_counts'])} tables, {extracts} extract files) "
        f"to {out}, {'encrypted' if made.encrypted else 'NOT encrypted'}."
    )


def _audit_backup() -> None:
    """A copy of every record left the database: the trail says when. After the copy, so the
    event is in the next backup; a database a release behind its code (a backup before
    `init-db`) may refuse the write, which must not fail the backup already written."""
    from sqlalchemy.exc import SQLAlchemyError

    from eip.audit import record

    try:
        record(db.session, "backup.made", actor_label="cli", object_type="database")
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        click.echo("The backup was written but could not be recorded in the audit trail.")


@eip_cli.command("restore")
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
def restore_command(backup_file: Path) -> None:
    """Restore a backup into an empty database (and its extract files into the instance
    folder), then check every table's row count and every file against the backup."""
    import os

    from eip.backups.services import BackupRefused, RestoreMismatch, restore_backup

    db.session.remove()
    try:
        restored = restore_backup(
            db.engine,
            current_app.config["INSTANCE_PATH"],
            current_app.extensions["migrate"].directory,
            backup_file,
            dict(os.environ),
        )
    except BackupRefused as refused:
        raise click.ClickException(str(refused)) from None
    except RestoreMismatch as mismatch:
        raise click.ClickException(f"{mismatch}. Do not use this database.") from None
    manifest = restored.manifest
    click.echo(
        f"Restored the backup of {manifest['created_at']} (EIP Tracker {manifest['app_version']}, "
        f"migration {manifest['migration_revision']}): {len(manifest['row_counts'])} tables and "
        f"{restored.files} extract files, every row count and checksum verified."
    )
    click.echo("Next: `flask --app wsgi eip init-db` brings it up to this release's migrations.")
