"""`flask --app wsgi eip export-evaluation --out PATH`: the same pipeline from the command
line, recorded and audited as a release; a refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.clock import today
from eip.extensions import db
from evaluation.models import EvaluationExtract
from tests import factories_evaluation as fe
from tests.conftest import run_seed_demo

pytestmark = pytest.mark.usefixtures("app_context")


def count_extracts() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(EvaluationExtract))


def test_export_writes_the_zip_and_records_a_release_by_the_command_line(runner, tmp_path):
    fe.many(7)
    out = tmp_path / "extract.zip"
    start = (today() - timedelta(days=90)).isoformat()
    result = runner.invoke(args=["eip", "export-evaluation", "--out", str(out), "--from", start])
    assert result.exit_code == 0, result.output
    assert "k = 5" in result.output
    assert "still personal data under UK GDPR" in result.output
    archive = fe.open_zip(out)
    assert archive.testzip() is None
    fe.assert_k_anonymous(archive, 5)
    assert len(fe.read_csv(archive, "cases.csv")) == 7
    item = db.session.scalar(select(EvaluationExtract))
    assert (item.state, item.prepared_by_label, item.release_number) == ("released", "cli", 1)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_label == "cli"))
    assert set(actions) == {"evaluation.prepared", "evaluation.released"}


def test_export_with_too_few_cases_refuses_clearly_and_writes_nothing(runner, tmp_path):
    fe.many(2)
    out = tmp_path / "extract.zip"
    start = (today() - timedelta(days=90)).isoformat()
    result = runner.invoke(args=["eip", "export-evaluation", "--out", str(out), "--from", start])
    assert result.exit_code != 0
    assert "This period has 2 cases that can go in an extract" in result.output
    assert "Nothing was written" in result.output
    assert not out.exists()
    assert count_extracts() == 0


def test_export_into_a_missing_folder_refuses_before_doing_anything(runner, tmp_path):
    fe.many(6)
    out = tmp_path / "no-such-folder" / "extract.zip"
    result = runner.invoke(args=["eip", "export-evaluation", "--out", str(out)])
    assert result.exit_code != 0
    assert "does not exist" in result.output
    assert count_extracts() == 0


def test_export_in_production_without_a_pseudonym_key_refuses_and_writes_nothing(
    make_app, tmp_path
):
    production = make_app(EIP_ENV="production", EIP_PSEUDONYM_KEY="")
    with production.app_context():
        fe.many(6)
        out = tmp_path / "extract.zip"
        result = production.test_cli_runner().invoke(
            args=["eip", "export-evaluation", "--out", str(out)]
        )
        assert result.exit_code != 0
        assert "EIP_PSEUDONYM_KEY is not set" in result.output
        assert not out.exists()
        assert count_extracts() == 0
        db.session.remove()


def test_the_demo_exports_with_the_default_period_every_referral_to_date(runner, tmp_path):
    run_seed_demo(runner)
    out = tmp_path / "demo.zip"
    result = runner.invoke(args=["eip", "export-evaluation", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "k = 5" in result.output
    assert out.stat().st_size > 0
