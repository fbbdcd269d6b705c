"""The evaluation pages through the real app: a manager prepares, reviews and releases an
extract; an evaluator downloads it and sees figures built from it; every role is allowed
or refused as DOMAIN.md says (a refusal is a 403 and an `access.refused` event)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from eip.audit import AuditEvent
from eip.clock import today
from eip.extensions import db
from evaluation import services
from evaluation.models import EvaluationExtract
from tests import audit_trail, factories
from tests import factories_evaluation as fe
from tests.conftest import post_form

START = today() - timedelta(days=60)


def html_of(response) -> str:
    return response.get_data(as_text=True)


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()  # the rows as the requests left them, not as this session holds them
    return audit_trail.events(action)


def date_parts(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def period(start=START, end=None) -> dict:
    return {"period_start": date_parts(start), "period_end": date_parts(end or today())}


def prepared(app, released=False) -> EvaluationExtract:
    manager = factories.user("manager")
    item = services.prepare(db.session, manager, start=START, end=today(), config=app.config)
    if released:
        services.release(db.session, manager, item.id, config=current_app.config)
    return item


def test_a_manager_prepares_reviews_and_releases_an_extract(app, signed_in):
    fe.many(6, borough_name="Camden")
    fe.many(5, borough_name="Hackney", gender="woman")
    client, manager = signed_in("manager")
    page = client.get("/evaluation/prepare")
    assert page.status_code == 200 and "k = 5" in html_of(page)
    response = post_form(client, "/evaluation/prepare", period())
    assert response.status_code == 302
    item = db.session.scalar(select(EvaluationExtract))
    assert response.headers["Location"] == f"/evaluation/extracts/{item.id}"
    review = html_of(client.get(response.headers["Location"]))
    assert "Disclosure report" in review and "Prepared: waiting for review" in review
    assert "11 of 11 referred in the period" in review
    assert "still personal data under UK GDPR" in review
    url = f"/evaluation/extracts/{item.id}"
    released = post_form(client, f"{url}/release", {}, follow_redirects=True)
    assert "is released: evaluators can now download it" in html_of(released)
    assert db.session.get(EvaluationExtract, item.id).state == "released"
    assert [e.actor_id for e in events("evaluation.released")] == [manager.id]


def test_an_evaluator_sees_only_released_extracts_and_downloads_one(app, signed_in):
    fe.many(7)
    draft = prepared(app)
    item = prepared(app, released=False)
    services.release(db.session, factories.user("manager"), item.id, config=current_app.config)
    client, evaluator = signed_in("evaluator")
    home = html_of(client.get("/"))
    assert f"Download {item.label}" in home and draft.label not in home
    listing = html_of(client.get("/evaluation"))
    assert item.label in listing and draft.label not in listing
    response = client.get(f"/evaluation/extracts/{item.id}/download")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    response.close()
    assert "data_dictionary.md" in archive.namelist()
    fe.assert_k_anonymous(archive, 5)
    [event] = events("evaluation.downloaded")
    assert (event.actor_id, event.object_id) == (evaluator.id, str(item.id))
    assert client.get(f"/evaluation/extracts/{draft.id}/download").status_code == 403
    assert events("access.refused")[-1].details["action"] == "evaluation.download"


def test_an_evaluator_following_a_link_to_a_case_page_is_refused_and_audited(signed_in):
    case = fe.referred_case()
    client, evaluator = signed_in("evaluator")
    assert client.get(f"/cases/{case.reference}").status_code == 403
    refused = events("access.refused")[-1]
    assert (refused.actor_id, refused.details["endpoint"]) == (evaluator.id, "cases.view")


def test_figures_are_live_for_managers_and_from_the_released_extract_for_evaluators(app, signed_in):
    fe.many(6)
    item = prepared(app, released=True)
    fe.many(5)
    manager_client, _ = signed_in("manager")
    live = html_of(manager_client.get("/evaluation/figures"))
    assert "Live figures" in live and 'id="figure-cases">11<' in live
    evaluator_client, _ = signed_in("evaluator")
    page = html_of(evaluator_client.get("/evaluation/figures"))
    assert f"Built only from {item.label}" in page and 'id="figure-cases">6<' in page
    assert 'role="img"' in page
    csv = evaluator_client.get("/evaluation/figures.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "cases,all,cases,6" in html_of(csv)
    assert [e.details for e in events("evaluation.figures_downloaded")] == [{"live": False}]


def test_a_managers_live_figures_hide_no_small_number_an_evaluators_do(app, signed_in):
    """Issue 19's "Why": the manager's own live figures were suppressed ("Intervention
    [c]"), although suppression protects people only when figures leave the programme."""
    fe.many(6)
    prepared(app, released=True)
    manager_client, _ = signed_in("manager")
    live = html_of(manager_client.get("/evaluation/figures"))
    assert "every count shown" in live
    assert "[c]" not in live and "&lt;" not in re.sub(r"<[^>]*>", "", live)
    evaluator_client, _ = signed_in("evaluator")
    released = html_of(evaluator_client.get("/evaluation/figures"))
    assert "[c]" in released or "&lt;" in re.sub(r"<[^>]*>", "", released)


def test_an_evaluator_sees_no_figures_before_any_release(signed_in):
    client, _ = signed_in("evaluator")
    assert "No extract has been released yet" in html_of(client.get("/evaluation/figures"))
    assert client.get("/evaluation/figures.csv").status_code == 404


def test_too_few_cases_is_refused_on_the_form_and_nothing_is_written(signed_in):
    fe.many(3)
    client, _ = signed_in("manager")
    response = post_form(client, "/evaluation/prepare", period())
    assert response.status_code == 400
    assert "This period has 3 cases that can go in an extract" in html_of(response)
    assert db.session.scalar(select(EvaluationExtract)) is None


def test_a_period_that_ends_before_it_starts_is_refused_beside_the_field(signed_in):
    client, _ = signed_in("manager")
    response = post_form(client, "/evaluation/prepare", period(today(), START))
    assert response.status_code == 400
    assert "must be the same as or after the first day" in html_of(response)


def test_releasing_twice_answers_409_and_changes_nothing(app, signed_in):
    fe.many(6)
    item = prepared(app, released=True)
    client, _ = signed_in("manager")
    url = f"/evaluation/extracts/{item.id}"
    response = post_form(client, f"{url}/release", {}, form_url=url)
    assert response.status_code == 409
    # The extract's page with the reason, not a redirect a browser would not follow.
    assert "Location" not in response.headers
    page = html_of(response)
    assert 'id="extract-summary"' in page
    assert "is already released: nothing was changed" in page
    assert len(events("evaluation.released")) == 1


def test_withdrawing_needs_a_reason_then_hides_the_extract_from_evaluators(app, signed_in):
    fe.many(6)
    item = prepared(app, released=True)
    client, _ = signed_in("manager")
    url = f"/evaluation/extracts/{item.id}/withdraw"
    assert post_form(client, url, {"reason": ""}).status_code == 400
    done = post_form(client, url, {"reason": "Wrong period"}, follow_redirects=True)
    assert "is withdrawn and its file deleted" in html_of(done)
    assert len(events("evaluation.withdrawn")) == 1
    evaluator, _ = signed_in("evaluator")
    assert item.label not in html_of(evaluator.get("/evaluation"))
    assert evaluator.get(f"/evaluation/extracts/{item.id}/download").status_code == 403


PAGES = [
    ("GET", "/evaluation", {"manager", "evaluator"}),
    ("GET", "/evaluation/prepare", {"manager"}),
    ("POST", "/evaluation/prepare", {"manager"}),
    ("GET", "/evaluation/extracts/{id}", {"manager"}),
    ("POST", "/evaluation/extracts/{id}/release", {"manager"}),
    ("GET", "/evaluation/extracts/{id}/withdraw", {"manager"}),
    ("GET", "/evaluation/extracts/{id}/download", {"manager", "evaluator"}),
    ("GET", "/evaluation/figures", {"manager", "evaluator"}),
    ("GET", "/evaluation/figures.csv", {"manager", "evaluator"}),
]
ROLES = ("practitioner", "manager", "spoc", "finance", "evaluator", "admin")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_allowed_or_refused_every_evaluation_page(app, make_app, role):
    loose = make_app(WTF_CSRF_ENABLED=False)
    with loose.app_context():
        fe.many(6)
        item = prepared(loose, released=True)
        user = factories.user(role)
        client = loose.test_client()
        signed = client.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD})
        assert signed.status_code == 302
        for method, url, allowed in PAGES:
            path = url.format(id=item.id)
            response = client.open(path, method=method, data={})
            response.close()
            refused = response.status_code == 403
            assert refused == (role not in allowed), (method, path, response.status_code)
            if refused:
                event = events("access.refused")[-1]
                assert event.actor_id == user.id and event.details["action"].startswith(
                    "evaluation."
                )
        db.session.remove()


def test_the_navigation_shows_evaluation_to_managers_and_evaluators_only(signed_in):
    for role, shown in (("manager", True), ("evaluator", True), ("practitioner", False)):
        client, _ = signed_in(role)
        assert ('href="/evaluation"' in html_of(client.get("/"))) == shown, role


@pytest.mark.usefixtures("programme_as_migrated")
def test_the_evaluation_k_is_a_programme_setting_shown_and_changed_by_managers(signed_in):
    from tests.web.test_admin_pages import SETTINGS_FORM

    client, _ = signed_in("manager")
    assert "Smallest group in evaluation data" in html_of(client.get("/admin/settings"))
    response = post_form(client, "/admin/settings/change", {**SETTINGS_FORM, "evaluation_k": "7"})
    assert response.status_code == 302
    [event] = events("settings.updated")
    assert event.details["changes"] == {"evaluation_k": [5, 7]}
    bad = post_form(client, "/admin/settings/change", {**SETTINGS_FORM, "evaluation_k": "2"})
    assert bad.status_code == 400
    assert "must be between 3 and 50 people" in html_of(bad)


@pytest.mark.parametrize(
    ("start", "end"),
    [(["1", "1", "2026"], ["31", "12", "9999"]), (["1", "1", "1"], ["1", "2", "2026"])],
)
def test_an_impossible_period_gets_a_message_not_a_server_error(signed_in, start, end):
    from tests.conftest import post_form

    client, _manager = signed_in("manager")
    response = post_form(client, "/evaluation/prepare", {"period_start": start, "period_end": end})
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
