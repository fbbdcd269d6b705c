"""Operator commands: create-user (the bootstrap path), jobs run-due."""

from sqlalchemy import select

from eip.auth.models import User
from eip.extensions import db
from tests import factories

STRONG = "marmalade lighthouse quarrel 58"


def test_create_user_refuses_a_weak_password(runner, app_context):
    result = runner.invoke(
        args=["eip", "create-user", "a@example.org", "--role", "admin"], input="password\n"
    )
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert db.session.scalar(select(User)) is None


def test_create_user_refuses_an_unknown_role_and_a_spoc_without_borough(runner, app_context):
    bad_role = runner.invoke(
        args=["eip", "create-user", "a@example.org", "--role", "boss"], input=STRONG
    )
    assert "unknown role" in bad_role.output
    no_borough = runner.invoke(
        args=["eip", "create-user", "a@example.org", "--role", "spoc"], input=STRONG
    )
    assert "needs --borough" in no_borough.output
    factories.borough("Hackney")
    spoc = runner.invoke(
        args=["eip", "create-user", "a@example.org", "--role", "spoc", "--borough", "Hackney"],
        input=STRONG,
    )
    assert spoc.exit_code == 0, spoc.output


def test_create_user_refuses_a_duplicate_email(runner, app_context):
    factories.user("admin", email="dup@example.org")
    result = runner.invoke(
        args=["eip", "create-user", "DUP@example.org", "--role", "admin"], input=STRONG
    )
    assert "already exists" in result.output


def test_jobs_run_due_runs_each_job_once_per_period(runner, app_context):
    first = runner.invoke(args=["eip", "jobs", "run-due"])
    second = runner.invoke(args=["eip", "jobs", "run-due"])
    assert "purge-expired: done" in first.output
    assert "purge-expired: already claimed" in second.output
