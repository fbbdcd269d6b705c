"""Issue 14, secrets at rest: TOTP keys encrypted, no key stored before it is confirmed,
a disabled account keeps nothing that could sign in, and private files are owner-only."""

from __future__ import annotations

import os
import re
import stat
from datetime import timedelta

import pyotp
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from eip.admin import user_accounts
from eip.auth import secretbox, tokens
from eip.auth.models import AccountToken, User, UserSession
from eip.clock import today
from eip.extensions import db
from eip.mail import Mail, send
from tests import factories
from tests import factories_evaluation as fe
from tests.conftest import post_form, sign_in


def stored_secret(user_id: int) -> str | None:
    db.session.rollback()
    return db.session.execute(
        text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user_id}
    ).scalar()


def mode_of(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def usual_umask():
    """The common default: without care, new files would be readable by everyone."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_totp_key_is_stored_encrypted_with_a_key_derived_from_secret_key(app, app_context):
    secret = pyotp.random_base32()
    user = factories.user("manager", totp_secret=secret)
    raw = stored_secret(user.id)
    assert raw != secret and secret not in raw
    assert raw.startswith(secretbox.TOKEN_PREFIX)
    # Not SECRET_KEY itself: a key derived from it for this one purpose.
    derived = secretbox.derive_key(app.config["SECRET_KEY"])
    assert Fernet(derived).decrypt(raw.encode()).decode() == secret
    assert derived != app.config["SECRET_KEY"].encode()
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret == secret


def test_a_totp_key_uses_the_key_from_the_environment_when_set(make_app):
    key = Fernet.generate_key()
    keyed = make_app(EIP_TOTP_ENCRYPTION_KEY=key.decode())
    secret = pyotp.random_base32()
    with keyed.app_context():
        user = factories.user("manager", totp_secret=secret)
        assert Fernet(key).decrypt(stored_secret(user.id).encode()).decode() == secret
        # And it still signs in with codes from that key.
        client = keyed.test_client()
        assert sign_in(client, user.email, factories.PASSWORD).status_code == 302
        confirm = post_form(client, "/sign-in/security-code", {"code": factories.totp_code(secret)})
        assert confirm.headers["Location"] == "/"
        db.session.remove()


def test_a_bad_totp_encryption_key_setting_is_refused_at_start():
    from eip.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="EIP_TOTP_ENCRYPTION_KEY must be a Fernet key"):
        load_settings({"EIP_TOTP_ENCRYPTION_KEY": "not a key", "SECRET_KEY": "x" * 40})


def test_visiting_the_enrolment_page_stores_no_key_until_a_code_confirms_it(signed_in):
    client, user = signed_in("practitioner")
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="eip-secret">([A-Z2-7]+)</code>', page).group(1)
    assert stored_secret(user.id) is None
    # The same key on the next visit (it waits in the session), still not on the account.
    again = client.get("/account/two-factor").get_data(as_text=True)
    assert secret in again and stored_secret(user.id) is None
    wrong = post_form(client, "/account/two-factor", {"code": "000000"})
    assert wrong.status_code == 400 and stored_secret(user.id) is None
    done = post_form(client, "/account/two-factor", {"code": factories.totp_code(secret)})
    assert "Save your recovery codes" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret == secret
    assert stored_secret(user.id) != secret


def test_disabling_an_account_clears_its_sessions_links_and_unconfirmed_key(app, app_context):
    admin = factories.user("admin")
    user = factories.user("practitioner")
    browser = app.test_client()
    sign_in(browser, user.email, factories.PASSWORD)
    tokens.issue(db.session, user, "reset")
    user.totp_secret = pyotp.random_base32()  # an unconfirmed key, as older versions kept one
    db.session.commit()
    user_id = user.id

    user_accounts.disable_user(db.session, admin, user_id)

    db.session.expire_all()
    assert stored_secret(user_id) is None
    assert all(t.used_at is not None for t in db.session.scalars(select(AccountToken)))
    assert all(s.ended_at is not None for s in db.session.scalars(select(UserSession)))
    assert browser.get("/cases/").status_code == 302


def test_outbox_mail_is_written_owner_only(make_app, app, tmp_path, usual_umask):
    outbox_app = make_app(EIP_OUTBOX=str(tmp_path / "outbox"))
    with outbox_app.app_context():
        send(Mail(to="someone@example.org", subject="Hello", body="A link that signs in"))
    [eml] = list((tmp_path / "outbox").glob("*.eml"))
    assert mode_of(eml) == 0o600
    assert mode_of(tmp_path / "outbox") & 0o077 == 0


def test_an_evaluation_extract_is_written_owner_only(app, app_context, usual_umask, tmp_path):
    from evaluation import services

    manager = factories.user("manager")
    fe.many(6)
    item = services.prepare(
        db.session, manager, start=today() - timedelta(days=60), end=today(), config=app.config
    )
    assert mode_of(services.folder(app.config["INSTANCE_PATH"]) / item.file_name) == 0o600

    out = tmp_path / "extract.zip"
    fe.many(6)
    services.export(db.session, out=out, config=app.config)
    assert mode_of(out) == 0o600


def test_the_development_sqlite_file_is_owner_only(tmp_path, usual_umask):
    from eip import create_app

    database = tmp_path / "dev.sqlite3"
    dev = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "INSTANCE_PATH": str(tmp_path)}
    )
    with dev.app_context():
        db.session.execute(text("CREATE TABLE t (x INTEGER)"))
        db.session.execute(text("INSERT INTO t VALUES (1)"))
        db.session.commit()
        assert mode_of(database) == 0o600
        for extra in (tmp_path / "dev.sqlite3-wal", tmp_path / "dev.sqlite3-shm"):
            if extra.exists():
                assert mode_of(extra) == 0o600
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def test_the_migration_encrypts_existing_plaintext_keys_and_drops_unconfirmed_ones(app):
    from flask_migrate import downgrade, upgrade

    enrolled, unconfirmed = pyotp.random_base32(), pyotp.random_base32()
    with app.app_context():
        downgrade(revision="fa305dc31bde")
        try:
            with db.engine.begin() as conn:
                for n, (secret, enabled) in enumerate(
                    [(enrolled, "2026-11-01 09:00:00"), (unconfirmed, None)]
                ):
                    conn.execute(
                        text(
                            "INSERT INTO users (email, name, active, totp_secret, "
                            "totp_enabled_at, created_at, notification_email) VALUES "
                            "(:email, 'Old account', TRUE, :secret, :enabled, "
                            "'2026-11-01 09:00:00', 'immediate')"
                        ),
                        {"email": f"old{n}@example.org", "secret": secret, "enabled": enabled},
                    )
        finally:
            upgrade()
        rows = dict(db.session.execute(text("SELECT email, totp_secret FROM users")).all())
        assert rows["old1@example.org"] is None
        assert rows["old0@example.org"].startswith(secretbox.TOKEN_PREFIX)
        assert secretbox.decrypt(rows["old0@example.org"]) == enrolled
        db.session.expire_all()
        user = db.session.scalar(select(User).where(User.email == "old0@example.org"))
        assert user.totp_secret == enrolled and user.two_factor_enabled
        db.session.remove()


def test_with_another_key_accounts_still_load_codes_fail_and_the_admin_can_reset(make_app):
    other = make_app(EIP_TOTP_ENCRYPTION_KEY=Fernet.generate_key().decode())
    secret = pyotp.random_base32()
    user = factories_user_in(make_app(), secret)  # encrypted with the key from SECRET_KEY
    with other.app_context():
        admin = factories.user("admin")
        client = other.test_client()
        sign_in(client, user["email"], factories.PASSWORD)
        refused = post_form(client, "/sign-in/security-code", {"code": factories.totp_code(secret)})
        assert refused.status_code == 400
        assert "Enter a correct security code" in refused.get_data(as_text=True)
        admin_client = other.test_client()
        sign_in(admin_client, admin.email, factories.PASSWORD)
        assert admin_client.get(f"/admin/users/{user['id']}").status_code == 200
        user_accounts.reset_two_factor(db.session, admin, user["id"])
        assert stored_secret(user["id"]) is None
        db.session.remove()


def factories_user_in(application, secret: str) -> dict:
    with application.app_context():
        user = factories.user("practitioner", totp_secret=secret)
        made = {"id": user.id, "email": user.email}
        db.session.remove()
    return made
