"""When the database is down, people get the app's own 503 page (issue 14, item 8).

The app is pointed at a database that is not there (a SQLite file in a folder that does not
exist, or a PostgreSQL port nobody listens on). A signed-in user's request fails at the first
query, the user lookup, and the error page must then render without reading the database
again: no user's name, no notification count. It carries the security headers, says to try
again in a few minutes, shows no trace, and nothing logged holds the path or query string.
"""

from __future__ import annotations

import contextlib
import logging

import pytest

from eip.requestlog import JsonFormatter
from tests import factories
from tests.conftest import on_postgres, post_form, sign_in

SECRET = "EIP-2026-4471"
PATH = "/cases/"
QUERY = {"reference": SECRET, "status": "open"}


@pytest.fixture
def dead_database_url(tmp_path) -> str:
    if on_postgres():
        # Port 9 (discard) on loopback: nothing listens, so the connection is refused.
        return "postgresql+psycopg://eip_ci:eip_ci@127.0.0.1:9/eip_gone"
    return f"sqlite:///{tmp_path / 'removed-folder' / 'eip.sqlite3'}"


@pytest.fixture
def dead_app(make_app, dead_database_url):
    return make_app(SQLALCHEMY_DATABASE_URI=dead_database_url)


def _cookie_from_live_sign_in(app, app_context) -> tuple[str, str]:
    account = factories.user("practitioner")
    from eip.extensions import db

    db.session.commit()
    client = app.test_client()
    assert sign_in(client, account.email, factories.PASSWORD).status_code == 302
    name = app.config["SESSION_COOKIE_NAME"]
    return name, client.get_cookie(name).value


def _logged(caplog) -> str:
    formatter = JsonFormatter()
    return "\n".join(
        f"{record.getMessage()} {formatter.format(record)}" for record in caplog.records
    )


def _assert_the_app_own_503(response) -> None:
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Sorry, the service is unavailable" in html
    assert "try again in a few minutes" in html
    for leak in ("Traceback", "OperationalError", "sqlalchemy", "psycopg", "sqlite", SECRET):
        assert leak not in html
    headers = response.headers
    assert "script-src 'nonce-" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Retry-After"] == "120"
    assert headers["X-Request-ID"] in html  # the reference to quote to support


def test_a_signed_in_user_gets_the_app_own_503_page_and_no_path_is_logged(
    app, app_context, dead_app, caplog
):
    name, value = _cookie_from_live_sign_in(app, app_context)
    client = dead_app.test_client()
    client.set_cookie(name, value)
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        response = client.get(PATH, query_string=QUERY)
    _assert_the_app_own_503(response)
    logged = _logged(caplog)
    assert "database_unavailable" in logged
    for leak in (SECRET, "reference=", PATH, "/cases"):
        assert leak not in logged


def test_signing_in_while_the_database_is_down_gets_the_503_page(dead_app, caplog):
    client = dead_app.test_client()
    with caplog.at_level(logging.DEBUG):
        response = post_form(
            client,
            f"/sign-in?next=/cases/{SECRET}",
            {"email": "someone@example.org", "password": "x" * 12},
        )
    _assert_the_app_own_503(response)
    logged = _logged(caplog)
    assert "someone@example.org" not in logged and SECRET not in logged


def test_a_failed_transaction_still_gets_the_500_page(app, app_context, make_app, caplog):
    """A bug that leaves the session failed (a flush that failed, swallowed): the 500 page
    must render without using that session (the header's notification count and menu used
    to query it, and a second failure there ends in gunicorn's bare page)."""
    from flask import Blueprint

    from eip.access import requires
    from eip.extensions import db
    from eip.models import Borough

    broken = make_app()
    blueprint = Blueprint("broken", __name__)

    @blueprint.get("/broken")
    @requires("case.list")
    def fail():
        db.session.add(Borough(name=None))
        # Swallowed, as a bug might: the session now refuses every query.
        with contextlib.suppress(Exception):
            db.session.flush()
        raise RuntimeError("a bug")

    broken.register_blueprint(blueprint)
    broken.config["PROPAGATE_EXCEPTIONS"] = False
    name, value = _cookie_from_live_sign_in(app, app_context)
    client = broken.test_client()
    client.set_cookie(name, value)
    with caplog.at_level(logging.DEBUG):
        response = client.get("/broken?reference=" + SECRET)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert SECRET not in _logged(caplog)


def test_a_database_host_that_never_answers_gets_the_503_page_within_seconds(make_app):
    """A PostgreSQL host that takes the connection but never answers (a hung server, a
    firewall that drops) must not hold the worker until TCP gives up: libpq's connect
    timeout ends the attempt and the user gets the 503 page."""
    import socket
    import threading
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the handshake; nobody ever reads or replies
    port = silent.getsockname()[1]
    # Without the timeout the request would wait for ever: closing the listener after 40
    # seconds resets the waiting connection, so such a regression fails instead of hanging.
    reset = threading.Timer(40, silent.close)
    reset.start()
    try:
        hung = make_app(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://eip:eip@127.0.0.1:{port}/x")
        started = time.monotonic()
        response = post_form(
            hung.test_client(),
            "/sign-in",
            {"email": "someone@example.org", "password": "x" * 12},
        )
        elapsed = time.monotonic() - started
    finally:
        reset.cancel()
        silent.close()
    _assert_the_app_own_503(response)
    assert elapsed < 30
