"""Scheduled jobs: claimed once per period, failures retried, expired sessions purged."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from eip.auth.models import AccountToken, UserSession
from eip.extensions import db
from eip.job_claims import JobRun
from eip.jobs import Job, run_due
from eip.models import FormSubmission
from tests import factories

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def counting_job(calls, fail=False, every="hour", at=None):
    def run(session, now):
        calls.append(now)
        if fail:
            raise RuntimeError("boom")
        return "ok"

    return Job("counting", run, every=every, at=at)


def test_a_second_runner_in_the_same_period_does_nothing(app_context):
    calls = []
    job = counting_job(calls)
    assert run_due(db.session, NOW, worker="a", jobs=[job]) == {"counting": "done"}
    assert run_due(db.session, NOW + timedelta(minutes=5), worker="b", jobs=[job]) == {
        "counting": "already claimed"
    }
    assert len(calls) == 1
    assert run_due(db.session, NOW + timedelta(hours=1), worker="b", jobs=[job]) == {
        "counting": "done"
    }
    assert len(calls) == 2


def test_a_failing_job_is_recorded_does_not_stop_the_others_and_is_retried(app_context):
    calls, other_calls = [], []
    failing = counting_job(calls, fail=True)
    other = Job("other", lambda s, n: other_calls.append(n) or "ok", every="hour")
    assert run_due(db.session, NOW, jobs=[failing, other]) == {
        "counting": "failed",
        "other": "done",
    }
    run = db.session.scalar(select(JobRun).where(JobRun.job == "counting"))
    assert run.status == "failed" and run.error == "RuntimeError"
    # Too soon to retry, then retried in the same period.
    assert (
        run_due(db.session, NOW + timedelta(minutes=1), jobs=[failing])["counting"]
        == "already claimed"
    )
    assert run_due(db.session, NOW + timedelta(minutes=7), jobs=[failing])["counting"] == "failed"
    assert len(calls) == 2


def test_a_daily_job_waits_for_its_london_time(app_context):
    calls = []
    job = counting_job(calls, every="day", at=time(7, 0))
    early = datetime(2026, 7, 1, 5, 30, tzinfo=UTC)  # 06:30 BST
    assert run_due(db.session, early, jobs=[job]) == {"counting": "not due"}
    assert run_due(db.session, early + timedelta(hours=1), jobs=[job]) == {"counting": "done"}
    assert run_due(db.session, early + timedelta(hours=5), jobs=[job]) == {
        "counting": "already claimed"
    }


def test_purge_removes_old_sessions_and_used_or_expired_tokens_only(app_context):
    user = factories.user("practitioner")
    old = NOW - timedelta(days=3)
    db.session.add_all(
        [
            UserSession(
                token_hash="a" * 64, user_id=user.id, created_at=old, last_seen_at=old, ended_at=old
            ),
            UserSession(token_hash="b" * 64, user_id=user.id, created_at=NOW, last_seen_at=NOW),
            AccountToken(
                user_id=user.id,
                purpose="reset",
                token_hash="c" * 64,
                created_at=old,
                expires_at=old,
            ),
            AccountToken(
                user_id=user.id,
                purpose="invite",
                token_hash="d" * 64,
                created_at=NOW,
                expires_at=NOW + timedelta(days=3),
            ),
        ]
    )
    db.session.commit()
    assert run_due(db.session, NOW)["purge-expired"] == "done"
    assert db.session.scalars(select(UserSession.token_hash)).all() == ["b" * 64]
    assert db.session.scalars(select(AccountToken.token_hash)).all() == ["d" * 64]


def test_purge_removes_the_tokens_of_addition_forms_older_than_any_session(app_context):
    user = factories.user("practitioner")
    db.session.add_all(
        [
            FormSubmission(
                token="old", user_id=user.id, kind="session", created_at=NOW - timedelta(days=2)
            ),
            FormSubmission(
                token="new", user_id=user.id, kind="session", created_at=NOW - timedelta(hours=9)
            ),
        ]
    )
    db.session.commit()
    assert run_due(db.session, NOW)["purge-expired"] == "done"
    assert db.session.scalars(select(FormSubmission.token)).all() == ["new"]
