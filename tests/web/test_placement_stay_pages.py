"""The stay's pages through the real app and real forms (CSRF on): the whole stay from
the signed agreement to the move-out, each bad input (a message beside the field, 400,
nothing saved), a stale save (409), a step that is not open now, who may post (only
practitioners; everyone else 403 and audited), the stay panel on the placement page, and
the close page refusing a case whose placement is still running."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from accommodation import ledger, store
from accommodation.models import LedgerEntry, Placement, ReturnHomeReview
from eip.audit import AuditEvent
from eip.cases.records import Consent
from eip.clock import today
from eip.extensions import db
from tests import factories_accommodation as fa
from tests.conftest import csrf_token_from, post_form

STEPS = ("agreement", "check-in", "return-home-review", "move-out", "cancel")


def _date(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def _url(p: Placement, step: str) -> str:
    return f"/placements/{p.id}/{step}"


def _fresh(p: Placement) -> Placement:
    db.session.expire_all()
    return db.session.get(Placement, p.id)


def _ledger() -> list[tuple]:
    db.session.expire_all()
    return [
        (e.id, e.kind, e.amount_pence)
        for e in db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id))
    ]


def _approved(case=None, days: int = 6, **kwargs) -> Placement:
    p = fa.placement(case, "approved", **kwargs)
    p.decided_at = datetime.now(UTC) - timedelta(days=days)
    db.session.commit()
    return p


def _review_data(p: Placement, **changes) -> dict:
    data = {
        "version": str(p.version),
        "reviewed_on": _date(today()),
        "children_risks_reviewed": "y",
        "adults_risks_reviewed": "y",
        "return_safe": "yes",
        "support_package": "Weekly visits from the social worker",
        "protective_steps": "",
    }
    data.update(changes)
    return data


def _lands_on_placement(response, p: Placement) -> None:
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/placements/{p.id}")


# ---------------------------------------------------------------------------
# The whole stay


def test_a_practitioner_runs_the_whole_stay_through_the_forms(signed_in):
    client, user = signed_in("practitioner")
    case = fa.accommodation_case(user)
    p = _approved(case, days=6, nights=28, rate_pence=6_500)

    signed = post_form(
        client, _url(p, "agreement"), {"version": p.version, "signed_on": _date(days_ago(5))}
    )
    _lands_on_placement(signed, p)
    p = _fresh(p)
    assert (p.state, p.agreement_signed_on) == ("agreement_signed", days_ago(5))

    checked = post_form(
        client, _url(p, "check-in"), {"version": p.version, "checked_in_on": _date(days_ago(4))}
    )
    _lands_on_placement(checked, p)
    p = _fresh(p)
    assert (p.state, p.checked_in_on) == ("checked_in", days_ago(4))

    reviewed = post_form(client, _url(p, "return-home-review"), _review_data(p))
    _lands_on_placement(reviewed, p)
    assert db.session.scalar(select(ReturnHomeReview)).support_package.startswith("Weekly")

    p = _fresh(p)
    moved = post_form(
        client,
        _url(p, "move-out"),
        {"version": p.version, "moved_out_on": _date(today())},
        follow_redirects=True,
    )
    assert moved.status_code == 200
    assert "£1,560.00 was released back to the pot" in moved.get_data(as_text=True)  # 24 x £65
    p = _fresh(p)
    assert (p.state, p.ended_early) == ("ended", True)
    totals = ledger.placement_totals(store.entries(db.session), p.id)
    assert totals.committed == 4 * 6_500


def test_cancelling_through_the_form_releases_the_commitment(signed_in):
    client, _user = signed_in("practitioner")
    p = _approved(nights=10, rate_pence=5_000)
    response = post_form(
        client,
        _url(p, "cancel"),
        {"version": p.version, "cancelled_on": _date(today()), "reason": "Stayed with family"},
        follow_redirects=True,
    )
    assert "£500.00 was released back to the pot" in response.get_data(as_text=True)
    assert _fresh(p).state == "cancelled"
    assert ledger.placement_totals(store.entries(db.session), p.id).committed == 0


# ---------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize(
    ("step", "state", "data", "field", "message"),
    [
        ("agreement", "approved", {"signed_on": ["", "", ""]}, "signed_on", "Enter the date"),
        (
            "agreement",
            "approved",
            {"signed_on": ["31", "2", "2026"]},
            "signed_on",
            "must be a real date",
        ),
        (
            "agreement",
            "approved",
            {"signed_on": _date(today() + timedelta(days=2))},
            "signed_on",
            "cannot be in the future",
        ),
        (
            "check-in",
            "agreement_signed",
            {"checked_in_on": ["x", "y", "z"]},
            "checked_in_on",
            "must be a real date",
        ),
        (
            "move-out",
            "checked_in",
            {"moved_out_on": _date(today() - timedelta(days=12))},
            "moved_out_on",
            "The move-out date cannot be before the check-in date",
        ),
        (
            "cancel",
            "approved",
            {"cancelled_on": _date(today()), "reason": ""},
            "reason",
            "Enter why the placement was cancelled",
        ),
        (
            "return-home-review",
            "checked_in",
            {"children_risks_reviewed": ""},
            "children_risks_reviewed",
            "Confirm that the risks to the children have been reviewed",
        ),
        (
            "return-home-review",
            "checked_in",
            {"return_safe": "no", "protective_steps": ""},
            "protective_steps",
            "Enter the protective steps taken",
        ),
    ],
)
def test_bad_input_gets_a_message_beside_the_field_and_nothing_is_saved(
    signed_in, step, state, data, field, message
):
    client, _user = signed_in("practitioner")
    p = fa.placement(state=state)
    if state == "checked_in" and step == "move-out":
        db.session.add(
            ReturnHomeReview(
                placement_id=p.id,
                reviewed_on=today(),
                children_risks_reviewed=True,
                adults_risks_reviewed=True,
                return_safe=True,
                support_package="Visits",
            )
        )
        db.session.commit()
    p = _fresh(p)
    before = _ledger()
    values = _review_data(p) if step == "return-home-review" else {"version": p.version}
    values.update(data)
    response = post_form(client, _url(p, step), values)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in html
    assert message in html
    assert "There is a problem" in html
    assert _fresh(p).state == state and _ledger() == before


def test_a_save_from_a_stale_page_is_refused_with_409_and_nothing_saved(signed_in):
    client, _user = signed_in("practitioner")
    p = _approved()
    response = post_form(
        client,
        _url(p, "agreement"),
        {"version": str(p.version - 1), "signed_on": _date(today())},
    )
    assert response.status_code == 409
    assert "Someone else changed this placement" in response.get_data(as_text=True)
    assert _fresh(p).state == "approved"


def test_a_step_not_open_now_says_why_instead_of_showing_the_form(signed_in):
    client, _user = signed_in("practitioner")
    p = fa.placement(state="checked_in")
    page = client.get(_url(p, "move-out"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Record the return-home review first" in html
    assert 'name="moved_out_on-day"' not in html and 'name="moved_out_on"' not in html
    refused = post_form(
        client,
        _url(p, "move-out"),
        {"version": p.version, "moved_out_on": _date(today())},
        form_url=f"/placements/{p.id}/return-home-review",
    )
    assert refused.status_code == 400
    assert "Record the return-home review first" in refused.get_data(as_text=True)
    assert _fresh(p).state == "checked_in"


def test_each_step_form_opens_for_the_practitioner_when_the_step_is_open(signed_in):
    client, _user = signed_in("practitioner")
    open_in = {
        "agreement": "approved",
        "check-in": "agreement_signed",
        "return-home-review": "checked_in",
        "cancel": "approved",
    }
    for step, state in open_in.items():
        p = fa.placement(state=state)
        html = client.get(_url(p, step)).get_data(as_text=True)
        assert '<form method="post"' in html, step
        assert f'id="version" name="version" type="hidden" value="{p.version}"' in html


# ---------------------------------------------------------------------------
# Who may post


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("role", ["spoc", "finance", "manager", "evaluator", "admin"])
def test_only_practitioners_may_post_a_stay_step(signed_in, role, step):
    p = fa.placement(state="checked_in")
    client, other = signed_in(role, borough_name="Camden" if role == "spoc" else None)
    before = _ledger()
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post(_url(p, step), data={"csrf_token": token, "version": str(p.version)})
    assert response.status_code == 403
    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "access.refused", AuditEvent.actor_id == other.id)
        .order_by(AuditEvent.id.desc())
    )
    assert event.details["action"] == "placement.manage"
    assert event.details["endpoint"].startswith("accommodation.stay_")
    assert _fresh(p).state == "checked_in" and _ledger() == before
    assert client.get(_url(p, step)).status_code == 403


def test_an_unknown_placement_is_not_found(signed_in):
    client, _user = signed_in("practitioner")
    assert client.get("/placements/999999/check-in").status_code == 404


# ---------------------------------------------------------------------------
# The stay panel on the placement page


def _review(p: Placement, text: str = "Weekly visits from the social worker") -> None:
    db.session.add(
        ReturnHomeReview(
            placement_id=p.id,
            reviewed_on=today(),
            children_risks_reviewed=True,
            adults_risks_reviewed=True,
            return_safe=False,
            protective_steps=text,
        )
    )
    db.session.commit()


@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_practitioners_and_managers_see_the_return_home_review_in_full(signed_in, role):
    client, _user = signed_in(role)
    p = fa.placement(state="checked_in")
    _review(p, "Refuge place arranged in another borough")
    html = client.get(f"/placements/{p.id}").get_data(as_text=True)
    assert "Refuge place arranged in another borough" in html
    assert "Safe to return home" in html


@pytest.mark.parametrize("role", ["spoc", "finance"])
def test_spocs_and_finance_see_only_that_the_review_was_done_and_when(signed_in, role):
    client, _user = signed_in(role, borough_name="Camden" if role == "spoc" else None)
    p = fa.placement(state="checked_in")
    _review(p, "Refuge place arranged in another borough")
    html = client.get(f"/placements/{p.id}").get_data(as_text=True)
    assert "Refuge place arranged" not in html and "Safe to return home" not in html
    assert f"Done on {today().day} {today():%B %Y}" in html
    assert f"/placements/{p.id}/move-out" not in html


def test_the_panel_prompts_the_review_from_three_days_before_the_move_out(signed_in):
    client, _user = signed_in("practitioner")
    soon = fa.placement(state="checked_in", nights=13, move_in_on=days_ago(10))
    later = fa.placement(state="checked_in", nights=20, move_in_on=days_ago(10))
    html = client.get(f"/placements/{soon.id}").get_data(as_text=True)
    assert "Return-home review due" in html
    assert f"/placements/{soon.id}/return-home-review" in html
    assert f"/placements/{soon.id}/move-out" not in html
    assert "Return-home review due" not in client.get(f"/placements/{later.id}").get_data(
        as_text=True
    )


def test_the_panel_offers_the_move_out_once_the_review_is_recorded(signed_in):
    client, _user = signed_in("practitioner")
    p = fa.placement(state="checked_in", nights=11, move_in_on=days_ago(10))
    _review(p)
    html = client.get(f"/placements/{p.id}").get_data(as_text=True)
    assert "Return-home review due" not in html
    assert f"/placements/{p.id}/move-out" in html
    assert "10 of 11 approved" in html
    assert "Client&#39;s nights left" in html or "Client's nights left" in html


# ---------------------------------------------------------------------------
# The close page


def test_the_close_page_says_a_case_with_a_running_placement_cannot_close(signed_in):
    client, user = signed_in("practitioner")
    case = fa.accommodation_case(user)
    fa.placement(case, "checked_in")
    html = client.get(f"/cases/{case.reference}/close").get_data(as_text=True)
    assert "This case has a placement that has not ended: record the move-out" in html
    assert 'name="outcome"' not in html
    db.session.rollback()
    count = db.session.scalar(select(func.count()).select_from(Placement))
    assert count == 1


# ---------------------------------------------------------------------------
# Withdrawing consent to accommodation while a placement runs


def test_withdrawing_accommodation_consent_tells_the_practitioner_the_spoc_was_notified(
    signed_in,
):
    client, user = signed_in("practitioner")
    case = fa.accommodation_case(user)
    p = fa.placement(case, "checked_in")
    fa.spoc_of(case)
    consent = db.session.scalar(
        select(Consent).where(
            Consent.case_id == case.id,
            Consent.person_role == "partner",
            Consent.kind == "accommodation",
        )
    )
    response = post_form(
        client,
        f"/cases/{case.reference}/consents/{consent.id}/withdraw",
        {"withdrawn_on": _date(today()), "reason": "Changed mind"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "An urgent review action has been added" in html
    assert "The borough&#39;s SPOC has been sent a notification about the placement" in html
    assert _fresh(p).state == "checked_in"
