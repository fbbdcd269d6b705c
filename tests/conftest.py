"""Shared fixtures: one migrated database per test session, a clean state per test.

The suite runs on SQLite by default and on PostgreSQL when
EIP_TEST_DATABASE_URL is set. With EIP_FORBID_SKIPS=1 (set by .ci/run) any
skipped test fails the run: in CI a skip is an error, not a pass.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

os.environ["EIP_ENV"] = "test"
for _name in ("DATABASE_URL", "SECRET_KEY", "EIP_PSEUDONYM_KEY", "SMTP_HOST"):
    os.environ.pop(_name, None)

from eip import create_app  # noqa: E402
from eip.config import normalise_database_url  # noqa: E402
from eip.extensions import db  # noqa: E402

POSTGRES_URL = os.environ.get("EIP_TEST_DATABASE_URL")


def on_postgres() -> bool:
    return bool(POSTGRES_URL)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Engine-specific tests are deselected, not skipped, on the other engine."""
    unwanted = "postgres_only" if not on_postgres() else "sqlite_only"
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker(unwanted) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_report_header(config: pytest.Config) -> str:
    return f"EIP Tracker database under test: {'PostgreSQL' if on_postgres() else 'SQLite'}"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if os.environ.get("EIP_FORBID_SKIPS") == "1" and skipped:
        terminalreporter.write_line(
            f"EIP_FORBID_SKIPS=1: {len(skipped)} test(s) skipped; in CI a skip is a failure",
            red=True,
        )
        config._eip_forbidden_skips = True  # type: ignore[attr-defined]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if getattr(session.config, "_eip_forbidden_skips", False):
        session.exitstatus = 1


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if POSTGRES_URL:
        url = normalise_database_url(POSTGRES_URL)
        _reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory: pytest.TempPathFactory):
    return tmp_path_factory.mktemp("instance")


class IsolatedClient(FlaskClient):
    """A test client whose every request behaves like a separate browser request.

    Tests often hold an app context to build data; Flask then reuses it for the
    client's requests, so `g` (where Flask-Login caches the user and Flask-WTF
    the CSRF token) would leak from one request into the next. Each request gets
    a fresh `g`, and before and after it the shared database session drops any
    open transaction, so the test reads what the request committed.
    """

    def open(self, *args, **kwargs):
        ctx = _cv_app.get(None)
        if ctx is not None:
            # End the test's own read transaction first: on SQLite it holds the
            # write lock (BEGIN IMMEDIATE) that the request is about to need.
            db.session.rollback()
        if ctx is None or ctx.app is not self.application:
            return super().open(*args, **kwargs)
        saved = ctx.g
        ctx.g = self.application.app_ctx_globals_class()
        try:
            return super().open(*args, **kwargs)
        finally:
            ctx.g = saved
            db.session.rollback()


def build_app(database_url: str, instance_path, **overrides) -> Flask:
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(instance_path),
    }
    settings.update(overrides)
    application = create_app(settings)
    application.test_client_class = IsolatedClient
    return application


def dispose_engines(application: Flask) -> None:
    with application.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture(scope="session")
def app(database_url: str, instance_path) -> Iterator[Flask]:
    """The app on the session's migrated database."""
    from flask_migrate import upgrade

    application = build_app(database_url, instance_path)
    with application.app_context():
        upgrade()
    yield application
    dispose_engines(application)


@pytest.fixture
def make_app(app: Flask, database_url: str, instance_path):
    """Build another app on the same database with extra settings."""
    built: list[Flask] = []

    def _make(**overrides) -> Flask:
        application = build_app(database_url, instance_path, **overrides)
        built.append(application)
        return application

    yield _make
    for application in built:
        dispose_engines(application)


def truncate_all(application: Flask) -> None:
    with application.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                # The append-only triggers would refuse; lift them for the clean-up only.
                triggers = conn.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
                ).all()
                for name, _sql in triggers:
                    conn.execute(text(f'DROP TRIGGER "{name}"'))
                for table in tables:
                    conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (table names are ours)
                for _name, sql in triggers:
                    conn.execute(text(sql))
        restore_programme_settings(application)


def restore_programme_settings(application: Flask) -> None:
    """The settings row that the migration creates, back to its defaults."""
    from eip.admin.models import ProgrammeSettings
    from eip.programme import current_settings

    with application.app_context():
        db.session.add(current_settings(db.session))
        db.session.commit()
        assert db.session.get(ProgrammeSettings, 1) is not None


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" in request.fixturenames or "client" in request.fixturenames:
        truncate_all(request.getfixturevalue("app"))


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


_CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
_VALUE = re.compile(r'value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    field = _CSRF_INPUT.search(html)
    assert field, "page has no CSRF token field"
    return _VALUE.search(field.group(0)).group(1)


class SmtpSink:
    """A real SMTP server on loopback that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_sink() -> Iterator[tuple[SmtpSink, int]]:
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture
def mail_app(make_app, app, smtp_sink):
    """An app whose mail goes to the SMTP sink."""
    sink, port = smtp_sink
    application = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none")
    application.smtp_sink = sink  # type: ignore[attr-defined]
    return application


def sign_in(client: FlaskClient, email: str, password: str, *, follow: bool = False):
    """Sign in through the real form, CSRF token and all."""
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=follow,
    )


@pytest.fixture
def signed_in(app: Flask, app_context):
    """Returns a function: signed_in(role, **user_fields) -> (client, user)."""
    from tests import factories

    def _sign_in(role="practitioner", **fields):
        account = factories.user(role, **fields)
        client = app.test_client()
        response = sign_in(client, account.email, factories.PASSWORD)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client, account

    return _sign_in


def post_form(client: FlaskClient, url: str, data: dict, *, form_url: str | None = None, **kwargs):
    """Post a form the way a browser does: fetch the page, take its CSRF token, submit."""
    token = csrf_token_from(client.get(form_url or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)
