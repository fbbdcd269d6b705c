"""The page shell: public pages, health check, error pages."""

import pytest
from flask import abort

from tests.conftest import csrf_token_from, run_seed_demo


@pytest.mark.parametrize("url", ["/", "/accessibility"])
def test_public_pages_render_in_the_page_shell(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="govuk-skip-link"' in html
    assert 'href="#main-content"' in html
    assert "govuk-generic-header" in html
    assert "/assets/css/eip.min.css" in html
    assert "Accessibility statement" in html


def test_the_accessibility_statement_names_the_contact_and_says_it_is_not_yet_audited(
    make_app, app
):
    contact_app = make_app(EIP_ACCESSIBILITY_CONTACT="access@camden.example")
    html = contact_app.test_client().get("/accessibility").get_data(as_text=True)
    assert "access@camden.example" in html
    assert "not yet been audited" in html


def test_health_check_reports_the_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_check_reports_an_unreachable_database_with_503_and_no_trace(make_app, app):
    from tests.conftest import _free_port

    broken = make_app(
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://eip@127.0.0.1:{_free_port()}/none?connect_timeout=2"
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}
    assert b"Traceback" not in response.data


def test_an_unknown_url_gets_the_404_page(client):
    response = client.get("/no-such-page?name=Jane")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html
    assert "Jane" not in html


def test_a_wrong_method_gets_405_with_the_allowed_methods(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}
    assert "This action is not available here" in response.get_data(as_text=True)


@pytest.fixture
def app_with_trouble(make_app, app):
    """An app with routes that fail on purpose, to see the error pages."""
    trouble = make_app(PROPAGATE_EXCEPTIONS=False)

    @trouble.get("/boom")
    def boom():
        raise RuntimeError("secret detail: Jane Doe, 1 Acacia Avenue")

    @trouble.get("/forbidden")
    def forbidden():
        abort(403)

    @trouble.route("/form", methods=["GET", "POST"])
    def form():
        from flask import render_template_string

        return render_template_string(
            '<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}">'
            '<input name="name"></form>'
        )

    return trouble


def test_an_unexpected_error_gets_the_500_page_with_no_stack_trace_or_detail(app_with_trouble):
    response = app_with_trouble.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in html
    assert "Traceback" not in html
    assert "Jane Doe" not in html
    assert response.headers["X-Request-ID"] in html


def test_a_refusal_gets_the_403_page(app_with_trouble):
    response = app_with_trouble.test_client().get("/forbidden")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)


def test_a_form_posted_without_a_csrf_token_gets_the_400_page(app_with_trouble):
    response = app_with_trouble.test_client().post("/form", data={"name": "Jane"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "nothing was saved" in html
    assert "Jane" not in html


def test_a_form_posted_with_a_wrong_csrf_token_gets_the_400_page(app_with_trouble):
    client = app_with_trouble.test_client()
    client.get("/form")
    response = client.post("/form", data={"name": "x", "csrf_token": "forged"})
    assert response.status_code == 400


def test_a_form_posted_with_its_csrf_token_is_accepted(app_with_trouble):
    client = app_with_trouble.test_client()
    token = csrf_token_from(client.get("/form").get_data(as_text=True))
    assert client.post("/form", data={"name": "x", "csrf_token": token}).status_code == 200


def test_the_demo_banner_shows_once_demo_data_is_loaded(client, runner):
    assert "fictional demo data" not in client.get("/").get_data(as_text=True)
    run_seed_demo(runner)
    assert "fictional demo data" in client.get("/").get_data(as_text=True)


def test_static_assets_are_served_from_the_app(client):
    for path in (
        "css/eip.min.css",
        "js/govuk-frontend.min.js",
        "js/eip-init.mjs",
        "images/favicon.svg",
    ):
        response = client.get(f"/assets/{path}")
        assert response.status_code == 200, path
        response.close()
    module = client.get("/assets/js/eip-init.mjs")
    assert module.mimetype == "text/javascript"
    module.close()
