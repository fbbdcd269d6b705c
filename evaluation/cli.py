"""`flask --app wsgi eip export-evaluation --out PATH`: the evaluation extract from the
command line, through the same pipeline as the managers' pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app

from eip.domain import Conflict, RuleBroken
from eip.extensions import db


@click.command("export-evaluation")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the zip",
)
@click.option(
    "--from",
    "start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="First referral date (YYYY-MM-DD); default: the referral window's start",
)
@click.option(
    "--to",
    "end",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last referral date (YYYY-MM-DD); default: today",
)
def export_evaluation_command(out: Path, start, end) -> None:
    """Prepare and release the anonymised evaluation extract and write it to --out.

    It is recorded and audited like a release from the evaluation pages, so evaluators can
    also download it there and later releases stay no finer than it.
    """
    from evaluation import package, services

    first: date | None = start.date() if start else None
    last: date | None = end.date() if end else None
    try:
        item = services.export(db.session, current_app.config, out, start=first, end=last)
    except (RuleBroken, Conflict) as refused:
        db.session.rollback()
        raise click.ClickException(f"{refused.message}. Nothing was written.") from None
    click.echo(f"Wrote {item.label} to {out} ({item.size_bytes} bytes, SHA-256 {item.sha256}).")
    click.echo(
        f"{item.case_count} cases referred from {item.period_start} to {item.period_end}; "
        f"k = {item.k}, smallest group {item.smallest_group}."
    )
    for code, reason in package.LEFT_OUT_REASONS.items():
        click.echo(f"Left out because {reason}: {item.left_out.get(code, 0)}")
    click.echo("Pseudonymised data: still personal data under UK GDPR.")
