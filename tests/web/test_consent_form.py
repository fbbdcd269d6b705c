"""One person's consent in one form (through the real app, CSRF on): every purpose with its
decision, one date, who and how; all of it saved in one POST or, when anything is wrong,
nothing, with every message beside its field in one round."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.cases.consent_services import consent_states
from eip.cases.models import Case
from eip.cases.records import Consent
from eip.clock import today
from eip.extensions import db
from tests import factories_pathway_progress as pf
from tests.conftest import post_form


def _date(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _url(case: Case, person: str) -> str:
    return f"/cases/{case.reference}/consents/{person}"


def _form(**changes) -> dict:
    data = {
        "decision_intervention": "given",
        "decision_accommodation": "given",
        "decision_information_sharing": "declined",
        "decision_evaluation": "not_asked",
        "recorded_on": _date(pf.days_ago(2)),
        "obtained_by": "Allocated social worker",
        "how": "in_person",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Consent))


def _fresh(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def _error_beside(html: str, field: str) -> str:
    found = re.search(
        rf'<p id="{field}-error" class="govuk-error-message">\s*'
        r'<span class="govuk-visually-hidden">Error:</span>\s*([^<]+)',
        html,
    )
    assert found, f"no message beside {field}"
    return found.group(1).strip()


def test_every_purpose_of_a_person_is_saved_in_one_post(signed_in):
    client, user = signed_in("practitioner")
    case = pf.consulted_case("intervention", user)
    page = client.get(_url(case, "client")).get_data(as_text=True)
    for kind in ("intervention", "accommodation", "information_sharing", "evaluation"):
        assert f'name="decision_{kind}" type="radio" value="not_asked"' in page
    # The date, who and how are asked once (the date as day, month and year).
    assert page.count('name="recorded_on"') == 3 and page.count('name="obtained_by"') == 1

    response = post_form(client, _url(case, "client"), _form())
    assert response.status_code == 302
    states = consent_states(db.session, _fresh(case))
    assert {
        kind: states[("client", kind)].state
        for kind in ("intervention", "accommodation", "information_sharing", "evaluation")
    } == {
        "intervention": "given",
        "accommodation": "given",
        "information_sharing": "declined",
        "evaluation": "not_asked",  # not asked: nothing recorded
    }
    consents = db.session.scalars(select(Consent)).all()
    assert len(consents) == 3
    assert {(c.recorded_on, c.obtained_by, c.how) for c in consents} == {
        (pf.days_ago(2), "Allocated social worker", "in_person")
    }
    assert (
        len(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "case.consent_recorded")
            ).all()
        )
        == 3
    )
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Consent decisions of the client recorded" in shown
    # Only the client has consented to the intervention: it has not started.
    assert _fresh(case).status == "awaiting_consent"

    # The partner's form: the intervention starts with the later consent.
    done = post_form(client, _url(case, "partner"), _form(decision_information_sharing="given"))
    assert done.status_code == 302
    case = _fresh(case)
    assert case.status == "active" and case.intervention_started_on == pf.days_ago(2)
    # In force now, the client's given consents are not asked again: they are withdrawn.
    page = client.get(_url(case, "client")).get_data(as_text=True)
    assert 'name="decision_intervention"' not in page
    assert "withdraw it from the consent table" in page
    assert 'name="decision_information_sharing"' in page  # declined: may be given now


def test_one_bad_field_saves_nothing_and_every_message_is_beside_its_field(signed_in):
    client, user = signed_in("practitioner")
    case = pf.consulted_case("intervention", user)
    response = post_form(
        client,
        _url(case, "client"),
        _form(
            decision_accommodation=None,
            recorded_on=_date(today() + timedelta(days=3)),
            obtained_by="",
        ),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert _count() == 0
    assert "cannot be in the future" in _error_beside(html, "recorded_on")
    assert _error_beside(html, "obtained_by") == "Enter who obtained the consent"
    assert "gave consent to temporary accommodation" in _error_beside(
        html, "decision_accommodation"
    )
    # What was typed is kept.
    assert 'name="decision_intervention" type="radio" value="given" checked' in html
    assert 'href="#decision_accommodation"' in html  # the error summary links to the field
    assert _fresh(case).status == "awaiting_consent"


def test_every_purpose_not_asked_saves_nothing(signed_in):
    client, user = signed_in("practitioner")
    case = pf.consulted_case("intervention", user)
    response = post_form(
        client,
        _url(case, "client"),
        _form(
            decision_intervention="not_asked",
            decision_accommodation="not_asked",
            decision_information_sharing="not_asked",
        ),
    )
    assert response.status_code == 400
    assert "Record at least one decision" in response.get_data(as_text=True)
    assert _count() == 0


def test_a_declined_intervention_does_not_start_it_and_the_decision_can_change_later(signed_in):
    client, user = signed_in("practitioner")
    case = pf.consulted_case("intervention", user)
    pf.consent(case, "partner", "intervention")
    response = post_form(client, _url(case, "client"), _form(decision_intervention="declined"))
    assert response.status_code == 302
    case = _fresh(case)
    assert case.status == "awaiting_consent" and case.intervention_started_on is None
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Declined" in html
    # Given later, the intervention starts.
    again = post_form(
        client,
        _url(case, "client"),
        _form(
            decision_intervention="given",
            decision_accommodation="not_asked",
            decision_information_sharing="not_asked",
            recorded_on=_date(today()),
        ),
    )
    assert again.status_code == 302
    assert _fresh(case).status == "active"


def test_intervention_and_accommodation_wait_for_a_suitable_consultation(signed_in):
    client, user = signed_in("practitioner")
    case = pf.booked_case(user)
    page = client.get(_url(case, "client")).get_data(as_text=True)
    assert 'name="decision_intervention"' not in page
    assert "asked once the consultation has found the case suitable" in page
    response = post_form(
        client,
        _url(case, "client"),
        {
            "decision_information_sharing": "not_asked",
            "decision_evaluation": "declined",
            "recorded_on": _date(today()),
            "obtained_by": "Allocated social worker",
            "how": "phone",
        },
    )
    assert response.status_code == 302
    assert consent_states(db.session, case)[("client", "evaluation")].state == "declined"


def test_someone_else_has_no_form(signed_in):
    client, user = signed_in("practitioner")
    case = pf.consulted_case("intervention", user)
    assert client.get(_url(case, "neighbour")).status_code == 404
