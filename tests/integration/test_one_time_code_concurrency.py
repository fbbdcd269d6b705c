"""The same security code sent from four browsers at the same instant signs in at most one.

Each thread is its own browser (a test client with its own cookie) and each request its own
application context, so its own database session and connection: on PostgreSQL the four
code checks are real concurrent transactions, which queue on SELECT … FOR UPDATE of the
user's row; on SQLite they queue on BEGIN IMMEDIATE. Runs on both engines; the race it
guards against is PostgreSQL's (several web workers).
"""

from __future__ import annotations

import threading

import pyotp
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.auth import totp
from eip.auth.models import RecoveryCode
from eip.extensions import db
from tests import factories
from tests.conftest import csrf_token_from, sign_in

BROWSERS = 4


def _submit_all_at_once(app, email: str, code: str) -> list[str]:
    """Each browser signs in with the password (one after another), then all send `code`
    together."""
    barrier = threading.Barrier(BROWSERS)
    outcomes: list[str] = []
    lock = threading.Lock()
    browsers = []
    for _ in range(BROWSERS):
        client = app.test_client()
        assert sign_in(client, email, factories.PASSWORD).headers["Location"] == (
            "/sign-in/security-code"
        )
        page = client.get("/sign-in/security-code").get_data(as_text=True)
        browsers.append((client, csrf_token_from(page)))
    db.session.rollback()  # the main thread must not hold SQLite's write lock meanwhile

    def browser(client, token: str) -> None:
        try:
            barrier.wait(timeout=30)
            response = client.post(
                "/sign-in/security-code", data={"code": code, "csrf_token": token}
            )
            if response.status_code == 302:
                opened = client.get("/cases/").status_code == 200
                result = "signed in" if opened else "redirected but not signed in"
            else:
                result = f"refused {response.status_code}"
        except Exception as error:  # anything else would have been a 500 or a hang
            result = f"error {error!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=browser, args=b) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a browser never finished"
    return outcomes


def _signed_in_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "auth.sign_in")
    )


def test_one_totp_code_sent_from_four_sessions_at_once_opens_one(app, app_context):
    secret = pyotp.random_base32()
    user = factories.user("manager", totp_secret=secret)
    email = user.email
    code = factories.totp_code(secret)
    db.session.rollback()  # the main thread must not hold SQLite's write lock meanwhile

    outcomes = _submit_all_at_once(app, email, code)

    assert sorted(outcomes) == ["refused 400"] * (BROWSERS - 1) + ["signed in"]
    db.session.expire_all()
    assert _signed_in_count() == 1


def test_one_recovery_code_sent_from_four_sessions_at_once_opens_one(app, app_context):
    user = factories.user("manager", totp_secret=pyotp.random_base32())
    email = user.email
    code = totp.new_recovery_codes()[0]
    db.session.add(RecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(code)))
    db.session.commit()
    db.session.rollback()

    outcomes = _submit_all_at_once(app, email, code)

    assert sorted(outcomes) == ["refused 400"] * (BROWSERS - 1) + ["signed in"]
    db.session.expire_all()
    assert _signed_in_count() == 1
    assert db.session.scalar(select(RecoveryCode.used_at)) is not None


def test_four_first_failures_for_one_address_at_once_are_all_counted(app, app_context):
    """The throttle's counter row is created by the first failure; four first failures at
    the same instant must each be counted, none answered with a server error."""
    from datetime import UTC, datetime

    from eip.auth import throttle
    from eip.auth.models import SignInThrottle

    email = "nobody-yet@example.org"
    barrier = threading.Barrier(BROWSERS)
    errors: list[str] = []

    def fail_once() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                throttle.record_failure(db.session, email, datetime.now(UTC))
                db.session.commit()
            except Exception as error:
                errors.append(repr(error))

    threads = [threading.Thread(target=fail_once) for _ in range(BROWSERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    row = db.session.get(SignInThrottle, throttle.throttle_key("email", email))
    assert row.count == BROWSERS
