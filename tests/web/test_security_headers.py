"""Headers every response carries."""

import re

import pytest


def test_only_scripts_with_this_requests_nonce_may_run(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"script-src 'nonce-([^']+)'", csp).group(1)
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts, "the page shell has scripts"
    for attributes in scripts:
        assert f'nonce="{nonce}"' in attributes
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def test_the_nonce_changes_with_every_request(client):
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    assert first != second


@pytest.mark.parametrize("url", ["/", "/accessibility", "/healthz", "/missing"])
def test_pages_are_never_stored_by_browsers_and_cannot_be_framed(client, url):
    response = client.get(url)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_static_assets_may_be_cached(client):
    response = client.get("/assets/css/eip.min.css")
    assert response.headers["Cache-Control"].startswith("public")
    response.close()


def test_hsts_is_sent_in_production_only(client, make_app, app):
    assert "Strict-Transport-Security" not in client.get("/").headers
    production = make_app(EIP_ENV="production")
    assert (
        production.test_client()
        .get("/")
        .headers["Strict-Transport-Security"]
        .startswith("max-age=")
    )
