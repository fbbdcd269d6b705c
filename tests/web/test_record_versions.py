"""Each edited record has its own version: a colleague's change to another record of the
same case does not refuse an edit, a change to the same record does, with what was typed
kept and who changed it said (the consultation, consents and the referral details have
theirs in test_consultation_consent_closure_pages.py and test_referral_steps_pages.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from eip.cases import consultation_services
from eip.cases.models import Case
from eip.cases.records import Consent, OnwardReferral, ScenarioPlan
from eip.clock import today
from eip.extensions import db
from tests import factories_pathway_progress as pf
from tests.conftest import csrf_token_from, hidden_fields, post_form


def _parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _opened(client, url: str) -> dict:
    page = client.get(url).get_data(as_text=True)
    return {"csrf_token": csrf_token_from(page), **hidden_fields(page)}


def _other_records_change(case: Case, user) -> None:
    """A colleague records a consent and changes the case row (as correcting the referral
    details writes it): records other than the one being edited."""
    pf.consent(case, "partner", "evaluation")
    case.weapons, case.referral_version = "yes", case.referral_version + 1
    db.session.commit()


# ---------------------------------------------------------------------------
# The scenario plan


def test_the_scenario_plan_is_not_refused_by_a_change_to_another_record(signed_in):
    first, user = signed_in("practitioner")
    case = pf.consulted_case("intervention_with_accommodation", user)
    url = f"/cases/{case.reference}/scenario-plan"
    opened = _opened(first, url)
    _other_records_change(case, user)
    saved = first.post(url, data={**opened, "plan": "Stays with his brother"})
    assert saved.status_code == 302
    assert db.session.scalar(select(ScenarioPlan)).plan == "Stays with his brother"


def test_the_scenario_plan_changed_meanwhile_refuses_the_edit_and_keeps_what_was_typed(
    signed_in,
):
    first, user = signed_in("practitioner", name="Tom Reilly")
    second, _ = signed_in("practitioner")
    case = pf.consulted_case("intervention_with_accommodation", user)
    url = f"/cases/{case.reference}/scenario-plan"
    opened = _opened(second, url)
    assert post_form(first, url, {"plan": "Stays with his brother"}).status_code == 302
    late = second.post(url, data={**opened, "plan": "Moves to his sister in Leeds"})
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "Someone else changed this scenario plan" in page
    assert "scenario plan recorded by Tom Reilly" in page
    assert "Moves to his sister in Leeds" in page
    assert db.session.scalar(select(ScenarioPlan)).plan == "Stays with his brother"
    # Checked and saved again from the form shown: accepted.
    again = second.post(
        url,
        data={
            "csrf_token": opened["csrf_token"],
            **hidden_fields(page),
            "plan": "Moves to his sister in Leeds",
        },
    )
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(ScenarioPlan)).plan == "Moves to his sister in Leeds"


# ---------------------------------------------------------------------------
# An onward referral's status


def _referral(case: Case, user) -> OnwardReferral:
    return consultation_services.add_onward_referral(
        db.session,
        user,
        case,
        agency="idva",
        agency_name="",
        referred_on=today(),
        status="planned",
    )


def test_an_onward_referral_is_not_refused_by_a_change_to_another_record(signed_in):
    client, user = signed_in("practitioner")
    case = pf.consulted_case("not_suitable", user)
    referral, other = _referral(case, user), _referral(case, user)
    url = f"/cases/{case.reference}/onward-referrals/{referral.id}"
    opened = _opened(client, url)
    consultation_services.update_onward_referral(
        db.session, user, case, other.id, version=other.version, status="made"
    )
    _other_records_change(case, user)
    saved = client.post(url, data={**opened, "status": "accepted"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(OnwardReferral, referral.id).status == "accepted"


def test_an_onward_referral_changed_meanwhile_refuses_the_edit(signed_in):
    first, user = signed_in("practitioner", name="Tom Reilly")
    second, _ = signed_in("practitioner")
    case = pf.consulted_case("not_suitable", user)
    referral = _referral(case, user)
    url = f"/cases/{case.reference}/onward-referrals/{referral.id}"
    opened = _opened(second, url)
    assert post_form(first, url, {"status": "made"}).status_code == 302
    late = second.post(url, data={**opened, "status": "declined"})
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "Someone else changed this onward referral" in page
    assert "onward referral updated by Tom Reilly" in page
    assert 'value="declined" checked' in page  # what they chose is kept
    db.session.expire_all()
    assert db.session.get(OnwardReferral, referral.id).status == "made"


# ---------------------------------------------------------------------------
# Withdrawing a consent


def test_a_withdrawal_is_not_refused_by_a_change_to_another_record(signed_in):
    client, user = signed_in("practitioner")
    case = pf.active_case(user)
    consent = db.session.scalar(
        select(Consent).where(Consent.person_role == "client", Consent.kind == "intervention")
    )
    url = f"/cases/{case.reference}/consents/{consent.id}/withdraw"
    opened = _opened(client, url)
    _other_records_change(case, user)
    saved = client.post(url, data={**opened, "withdrawn_on": _parts(today()), "reason": "Moved"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).withdrawn_on == today()


def test_a_consent_withdrawn_meanwhile_refuses_the_second_withdrawal(signed_in):
    first, user = signed_in("practitioner", name="Tom Reilly")
    second, _ = signed_in("practitioner")
    case = pf.active_case(user)
    consent = db.session.scalar(
        select(Consent).where(Consent.person_role == "client", Consent.kind == "intervention")
    )
    url = f"/cases/{case.reference}/consents/{consent.id}/withdraw"
    opened = _opened(second, url)
    withdrawal = {"withdrawn_on": _parts(today()), "reason": "Moved away"}
    assert post_form(first, url, withdrawal).status_code == 302
    late = second.post(url, data={**opened, **withdrawal, "reason": "Second reason typed"})
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "Someone else changed this consent" in page
    assert "consent withdrawn by Tom Reilly" in page
    assert "Second reason typed" in page
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).withdrawal_reason == "Moved away"
