"""The notification centre, the header count and the e-mail preference, through the real
app and its real forms (CSRF on)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from eip.audit import AuditEvent
from eip.auth.models import User
from eip.extensions import db
from eip.notifications.centre import DIGEST, PENDING, WAITING_FOR_DIGEST, Notification
from tests import factories
from tests.conftest import post_form

ROLES = ["practitioner", "manager", "spoc", "finance", "evaluator", "admin"]
EARLY = datetime(2026, 11, 6, 9, 0, tzinfo=UTC)
_keys = iter(range(1, 10_000))


def notify(
    user,
    kind: str = "acknowledgement_overdue",
    reference: str | None = "EIP-2026-0007",
    *,
    minutes: int = 0,
    read: bool = False,
    closed: str | None = None,
    **fields,
) -> Notification:
    moment = EARLY + timedelta(minutes=minutes)
    notification = Notification(
        user_id=user.id,
        kind=kind,
        topic=kind,
        subject=f"thing:{next(_keys)}",
        dedupe_key=f"{kind}|{next(_keys)}",
        case_reference=reference,
        due_on=date(2026, 11, 5),
        created_at=moment,
        read_at=moment if read else None,
        closed_at=moment if closed else None,
        close_reason=closed,
        **fields,
    )
    db.session.add(notification)
    db.session.commit()
    return notification


def html_of(response) -> str:
    return response.get_data(as_text=True)


def fresh(notification_id: int) -> Notification:
    db.session.expire_all()
    return db.session.get(Notification, notification_id)


def header_link(html: str) -> str:
    match = re.search(r'<a class="eip-user-nav__link" href="/notifications">([^<]*)</a>', html)
    assert match, "the header has no notifications link"
    return match.group(1)


# ---------------------------------------------------------------------------
# The centre


def test_the_centre_lists_new_notifications_first_and_links_to_the_case(signed_in):
    client, user = signed_in("practitioner")
    notify(user, "meeting_overdue", "EIP-2026-0001", minutes=1, read=True)
    notify(user, "dash_review_due", "EIP-2026-0002", minutes=2, closed="done")
    notify(user, "acknowledgement_overdue", "EIP-2026-0003", minutes=3)
    notify(user, "idva_referral_overdue", "EIP-2026-0004", minutes=4)
    html = html_of(client.get("/notifications"))
    assert "2 new notifications" in html
    new, earlier = html.split("Earlier", 1)
    # Unread first, newest first; read and done ones below.
    assert new.index("IDVA referral overdue") < new.index("Acknowledgement overdue")
    assert 'href="/cases/EIP-2026-0003"' in new and "Open case EIP-2026-0003" in new
    assert "Professionals meeting overdue" in earlier and "DASH review due" in earlier
    assert "No longer due" in earlier
    assert "Mark all as read" in new


def test_an_invoice_reminder_links_to_the_invoices_page(signed_in):
    client, user = signed_in("finance")
    notify(user, "invoice_unpaid", "EIP-2026-0003")
    html = html_of(client.get("/notifications"))
    assert 'href="/invoices"' in html and "Open the invoices" in html


def test_a_placement_reminder_links_to_its_placement_page(signed_in, app_context):
    from tests.factories_accommodation import accommodation_case, placement

    client, user = signed_in("practitioner")
    stay = placement(accommodation_case(user), "checked_in")
    notify(user, "placement_ending", stay.case.reference, placement_id=stay.id)
    html = html_of(client.get("/notifications"))
    assert (
        f'href="/placements/{stay.id}"' in html
        and f"Open the placement for case {stay.case.reference}" in html
    )


def test_a_user_with_nothing_new_is_told_so(signed_in):
    client, _user = signed_in("manager")
    html = html_of(client.get("/notifications"))
    assert "No new notifications" in html and "Mark all as read" not in html


@pytest.mark.parametrize("role", ROLES)
def test_every_role_has_its_own_notification_centre_and_email_setting(signed_in, role):
    client, _user = signed_in(role, borough_name="Camden" if role == "spoc" else None)
    assert client.get("/notifications").status_code == 200
    assert client.get("/notifications/email").status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_other_users_notifications_are_not_listed(signed_in):
    client, _user = signed_in("practitioner")
    other = factories.user("practitioner")
    notify(other, "acknowledgement_overdue", "EIP-2026-0099")
    html = html_of(client.get("/notifications"))
    assert "EIP-2026-0099" not in html and "No new notifications" in html


# ---------------------------------------------------------------------------
# The header count


def test_the_header_shows_the_unread_count_on_every_page(signed_in):
    client, user = signed_in("practitioner")
    assert header_link(html_of(client.get("/"))) == "Notifications"
    notify(user)
    notify(user, minutes=1)
    notify(user, minutes=2, read=True)
    notify(user, minutes=3, closed="replaced")
    assert header_link(html_of(client.get("/"))) == "Notifications (2 unread)"
    assert header_link(html_of(client.get("/account"))) == "Notifications (2 unread)"


# ---------------------------------------------------------------------------
# Marking as read


def test_marking_one_notification_read_lowers_the_count(signed_in):
    client, user = signed_in("practitioner")
    first, second = notify(user), notify(user, minutes=1)
    response = post_form(client, f"/notifications/{first.id}/read", {}, form_url="/notifications")
    assert response.status_code == 302 and response.headers["Location"] == "/notifications"
    assert fresh(first.id).read_at is not None and fresh(second.id).read_at is None
    html = html_of(client.get("/notifications"))
    assert header_link(html) == "Notifications (1 unread)"
    assert "Marked as read: Acknowledgement overdue." in html


def test_marking_all_read_clears_the_count(signed_in):
    client, user = signed_in("practitioner")
    ids = [notify(user, minutes=n).id for n in range(3)]
    response = post_form(client, "/notifications/read", {}, form_url="/notifications")
    assert response.status_code == 302
    assert all(fresh(i).read_at is not None for i in ids)
    html = html_of(client.get("/notifications"))
    assert header_link(html) == "Notifications"
    assert "Marked 3 notifications as read." in html


def test_another_users_notification_cannot_be_marked_read(signed_in):
    client, user = signed_in("practitioner")
    notify(user)  # so that the centre has a form to take the token from
    other = notify(factories.user("practitioner"))
    response = post_form(client, f"/notifications/{other.id}/read", {}, form_url="/notifications")
    assert response.status_code == 404
    assert fresh(other.id).read_at is None
    missing = post_form(client, "/notifications/999999/read", {}, form_url="/notifications")
    assert missing.status_code == 404


def test_marking_read_needs_the_form_token(signed_in):
    client, user = signed_in("practitioner")
    notification = notify(user)
    response = client.post(f"/notifications/{notification.id}/read", data={})
    assert response.status_code == 400
    assert fresh(notification.id).read_at is None


def test_marking_read_is_a_post_only(signed_in):
    client, user = signed_in("practitioner")
    notification = notify(user)
    assert client.get(f"/notifications/{notification.id}/read").status_code == 405
    assert fresh(notification.id).read_at is None


# ---------------------------------------------------------------------------
# The e-mail preference


def test_the_preference_form_shows_the_current_choice(signed_in):
    client, _user = signed_in("practitioner")
    html = html_of(client.get("/notifications/email"))
    assert re.search(r'value="immediate"[^>]*checked', html)
    assert "How do you want reminders by e-mail?" in html


def test_choosing_the_digest_saves_it_and_holds_waiting_emails_for_it(signed_in):
    client, user = signed_in("practitioner")
    waiting = notify(user, email_status=PENDING)
    response = post_form(client, "/notifications/email", {"notification_email": DIGEST})
    assert response.status_code == 302 and response.headers["Location"] == "/notifications"
    db.session.expire_all()
    assert db.session.get(User, user.id).notification_email == DIGEST
    assert fresh(waiting.id).email_status == WAITING_FOR_DIGEST
    html = html_of(client.get("/notifications"))
    assert "Your reminder e-mails are saved." in html
    assert "Reminder e-mails: one e-mail a day at 7am" in html
    [event] = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "account.updated", AuditEvent.actor_id == user.id
        )
    ).all()
    assert event.details == {"fields": ["notification_email"]}
    # And back: waiting e-mails are sent singly again.
    post_form(client, "/notifications/email", {"notification_email": "immediate"})
    assert fresh(waiting.id).email_status == PENDING


def test_saving_the_same_choice_changes_nothing(signed_in):
    client, _user = signed_in("practitioner")
    response = post_form(
        client, "/notifications/email", {"notification_email": "immediate"}, follow_redirects=True
    )
    assert "You did not change anything" in html_of(response)


@pytest.mark.parametrize("value", ["", "weekly", "none"])
def test_a_missing_or_unknown_choice_is_refused_beside_the_field(signed_in, value):
    client, user = signed_in("practitioner")
    response = post_form(client, "/notifications/email", {"notification_email": value})
    assert response.status_code == 400
    html = html_of(response)
    assert "There is a problem" in html
    assert html.count("Select how you want reminders by e-mail") >= 2  # summary and field
    db.session.expire_all()
    assert db.session.get(User, user.id).notification_email == "immediate"


def test_a_spoc_finds_the_consent_withdrawal_notice_in_the_centre_as_soon_as_it_is_saved(
    signed_in,
):
    from eip.cases.records import Consent
    from eip.clock import today
    from tests.factories_accommodation import accommodation_case, placement

    practitioner_client, practitioner = signed_in("practitioner")
    spoc_client, _spoc = signed_in("spoc", borough_name="Camden")
    case = accommodation_case(practitioner, "Camden")
    stay = placement(case, "checked_in")
    consent = db.session.scalar(
        select(Consent).where(
            Consent.case_id == case.id,
            Consent.person_role == "client",
            Consent.kind == "accommodation",
        )
    )
    reason = "Fictional reason the SPOC must not see"
    response = post_form(
        practitioner_client,
        f"/cases/{case.reference}/consents/{consent.id}/withdraw",
        {
            "withdrawn_on": [str(today().day), str(today().month), str(today().year)],
            "reason": reason,
        },
    )
    assert response.status_code == 302
    html = html_of(spoc_client.get("/notifications"))
    assert "Notifications (1 unread)" in html
    assert "Accommodation consent withdrawn" in html and f"Case {case.reference}" in html
    assert f'href="/placements/{stay.id}"' in html and reason not in html
    assert case.client.full_name not in html
    assert spoc_client.get(f"/placements/{stay.id}").status_code == 200
