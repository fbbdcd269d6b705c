"""Case notes and the partner support log through the real app and its forms (CSRF on): who
records them and who sees them (practitioners and managers only, every case page view
audited), bad input shown on the form with nothing saved, notes on the timeline, and the
closure page's choice about sensitive notes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.cases.records import CaseNote, PartnerSupportContact
from eip.extensions import db
from tests import factories_pathway_activity as fa
from tests.conftest import csrf_token_from

ON = date(2026, 1, 22)
PARTNER_WORDS = "Fictional partner support outcome"
SENSITIVE_WORDS = "Fictional sensitive disclosure"
PLAIN_WORDS = "Fictional plain note"


def html_of(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


def error_summary(html: str) -> str:
    start = html.index('class="govuk-error-summary"')
    return html[start : html.index("</div>\n", html.index("govuk-error-summary__body", start))]


def note_form(**overrides) -> dict:
    data = {
        "noted_on": fa.date_parts(ON),
        "contact": "made",
        "method": "phone",
        "outcome": "Session confirmed",
        "note": PLAIN_WORDS,
    }
    data.update(overrides)
    return data


def support_form(**overrides) -> dict:
    data = {
        "contacted_on": fa.date_parts(ON),
        "made_by": "Jess Fictional",
        "with_whom": "partner",
        "contact": "made",
        "method": "phone",
        "outcome": PARTNER_WORDS,
        "risk_change": "decreased",
        "onward_support": "",
    }
    data.update(overrides)
    return data


def url(case, step: str) -> str:
    return f"/cases/{case.reference}/{step}/new"


def seeded_case():
    """An active case with a partner support contact, a sensitive note and a plain one."""
    case = fa.case("active", borough_name="Camden")
    db.session.add_all(
        [
            PartnerSupportContact(
                case_id=case.id,
                contacted_on=ON,
                made_by="Jess Fictional",
                with_whom="support_worker",
                contact="attempted",
                method="email",
                outcome=PARTNER_WORDS,
                risk_change="not_known",
            ),
            CaseNote(
                case_id=case.id, noted_on=ON, contact="none", note=SENSITIVE_WORDS, sensitive=True
            ),
            CaseNote(case_id=case.id, noted_on=ON, contact="none", note=PLAIN_WORDS),
        ]
    )
    db.session.commit()
    return case


@pytest.fixture
def practitioner(signed_in):
    return signed_in("practitioner")


def test_a_practitioner_records_a_contact_and_sees_it_in_the_panel_and_on_the_timeline(
    practitioner,
):
    client, _ = practitioner
    case = fa.case("active")
    response = fa.submit(client, url(case, "notes"), note_form(sensitive="y"))
    assert response.status_code == 302
    html = html_of(client.get(response.headers["Location"]))
    assert "Note saved" in html
    notes = section(html, "notes")
    assert PLAIN_WORDS in notes and "Session confirmed" in notes and "Sensitive" in notes
    timeline = section(html, "timeline")
    assert "Contact with the client: Phone, sensitive" in timeline
    assert PLAIN_WORDS not in timeline
    saved = db.session.scalars(select(CaseNote)).one()
    assert saved.sensitive is True


def test_a_practitioner_records_an_attempt_to_reach_the_partner(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    data = support_form(contact="attempted", risk_change="", outcome="No answer at the safe time")
    response = fa.submit(client, url(case, "partner-support"), data)
    assert response.status_code == 302
    html = html_of(client.get(response.headers["Location"]))
    panel = section(html, "partner-support")
    assert "Attempted: no contact made: the partner" in panel
    assert "No answer at the safe time" in panel and "Not known" in panel
    assert "No answer at the safe time" not in section(html, "timeline")


def test_the_partner_support_form_starts_with_the_practitioners_name(practitioner):
    client, user = practitioner
    case = fa.case("active")
    html = html_of(client.get(url(case, "partner-support")))
    assert f'value="{user.name}"' in html


BAD_NOTES = [
    ({"contact": ""}, "Select whether contact was made or tried"),
    ({"contact": "attempted", "method": "", "outcome": ""}, "Select how contact was made or tried"),
    ({"contact": "attempted", "outcome": ""}, "Enter what came of the contact tried"),
    ({"contact": "none", "note": ""}, "Enter the note"),
    ({"noted_on": ["31", "2", "2026"]}, "The date must be a real date"),
    ({"noted_on": fa.date_parts(date(2025, 12, 1))}, "The date cannot be before the referral"),
]


@pytest.mark.parametrize(("change", "message"), BAD_NOTES)
def test_bad_note_input_is_shown_on_the_form_and_nothing_is_saved(practitioner, change, message):
    client, _ = practitioner
    case = fa.case("active")
    data = {**note_form(outcome="Typed outcome kept"), **change}
    response = fa.submit(client, url(case, "notes"), data)
    html = html_of(response)
    assert response.status_code == 400
    assert message in error_summary(html)
    assert "<title>Error:" in html
    assert count(CaseNote) == 0


BAD_SUPPORT = [
    ({"made_by": ""}, "Enter who made the contact"),
    ({"with_whom": ""}, "Select whether the contact was with the partner or their support worker"),
    ({"method": ""}, "Select how contact was made or tried"),
    ({"outcome": ""}, "Enter what came of the contact"),
    ({"risk_change": ""}, "Select how the risk has changed"),
    ({"contact": "attempted", "risk_change": "increased"}, "the change in risk is not known"),
]


@pytest.mark.parametrize(("change", "message"), BAD_SUPPORT)
def test_bad_partner_support_input_is_shown_on_the_form_and_nothing_is_saved(
    practitioner, change, message
):
    client, _ = practitioner
    case = fa.case("active")
    response = fa.submit(client, url(case, "partner-support"), {**support_form(), **change})
    html = html_of(response)
    assert response.status_code == 400
    assert message in error_summary(html)
    assert count(PartnerSupportContact) == 0


@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_practitioners_and_managers_see_the_log_and_sensitive_notes_and_the_view_is_audited(
    signed_in, role
):
    case = seeded_case()
    client, user = signed_in(role)
    html = html_of(client.get(f"/cases/{case.reference}"))
    assert PARTNER_WORDS in section(html, "partner-support")
    assert SENSITIVE_WORDS in section(html, "notes") and PLAIN_WORDS in html
    assert 'href="#partner-support"' in html
    viewed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.viewed", AuditEvent.actor_id == user.id)
    ).all()
    assert len(viewed) == 1 and viewed[0].case_reference == case.reference
    # Only practitioners record: a manager reads.
    has_buttons = url(case, "partner-support") in html and url(case, "notes") in html
    assert has_buttons is (role == "practitioner")


def test_a_spoc_sees_their_boroughs_case_without_notes_or_partner_support(signed_in):
    case = seeded_case()
    client, _ = signed_in("spoc", borough_name="Camden")
    response = client.get(f"/cases/{case.reference}")
    assert response.status_code == 200
    body = html_of(response)
    assert case.reference in body
    for words in (PARTNER_WORDS, SENSITIVE_WORDS, PLAIN_WORDS, "Partner support", "Case notes"):
        assert words not in body


@pytest.mark.parametrize("role", ["finance", "evaluator", "admin"])
def test_roles_without_case_access_are_refused_the_case_page(signed_in, role):
    case = seeded_case()
    client, _ = signed_in(role)
    response = client.get(f"/cases/{case.reference}")
    assert response.status_code == 403
    for words in (PARTNER_WORDS, SENSITIVE_WORDS, PLAIN_WORDS):
        assert words not in html_of(response)


@pytest.mark.parametrize("role", ["manager", "spoc", "finance", "evaluator", "admin"])
def test_everyone_but_practitioners_is_refused_the_forms_and_nothing_is_saved(signed_in, role):
    case = fa.case("active", borough_name="Camden")
    client, user = signed_in(role, borough_name="Camden" if role == "spoc" else None)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    for step, data in (("notes", note_form()), ("partner-support", support_form())):
        assert client.get(url(case, step)).status_code == 403
        response = client.post(url(case, step), data={**data, "csrf_token": token})
        assert response.status_code == 403
    assert (count(CaseNote), count(PartnerSupportContact)) == (0, 0)
    refusals = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "access.refused", AuditEvent.actor_id == user.id)
    )
    assert refusals == 4


def test_the_closure_page_asks_about_sensitive_notes_only_when_there_are_some(practitioner):
    client, _ = practitioner
    plain = fa.case("active")
    db.session.add(CaseNote(case_id=plain.id, noted_on=ON, contact="none", note=PLAIN_WORDS))
    db.session.commit()
    assert 'name="sensitive_notes"' not in html_of(client.get(f"/cases/{plain.reference}/close"))
    case = seeded_case()
    html = html_of(client.get(f"/cases/{case.reference}/close"))
    assert 'name="sensitive_notes"' in html
    assert "Put the sensitive case notes on the closure summary" in html
    data = {
        "outcome": "completed",
        "risk_level": "medium",
        "living_arrangements": "living_apart",
        "childrens_services_status": "none",
        "police_callouts": "0",
        "reason": "Plan completed",
        "sensitive_notes": "y",
        "csrf_token": csrf_token_from(html),
    }
    response = client.post(f"/cases/{case.reference}/close", data=data)
    assert response.status_code == 302, html_of(response)
    db.session.expire_all()
    assert case.closure_sensitive_notes is True


def test_the_case_page_reads_notes_and_partner_support_with_no_query_of_their_own(signed_in):
    from eip import querycount

    case = fa.case("active")
    client, _ = signed_in("manager")
    page = f"/cases/{case.reference}"
    client.get(page)  # warm: first-time work

    def statements() -> int:
        with querycount.counting() as counted:
            assert client.get(page).status_code == 200
        return counted.n

    without = statements()
    db.session.add_all(seeded_case_records(case))
    db.session.commit()
    html_with = html_of(client.get(page))
    assert PARTNER_WORDS in html_with and SENSITIVE_WORDS in html_with
    assert statements() == without


def seeded_case_records(case) -> list:
    return [
        PartnerSupportContact(
            case_id=case.id,
            contacted_on=ON,
            made_by="Jess Fictional",
            with_whom="partner",
            contact="made",
            method="phone",
            outcome=PARTNER_WORDS,
            risk_change="no_change",
        ),
        CaseNote(
            case_id=case.id, noted_on=ON, contact="none", note=SENSITIVE_WORDS, sensitive=True
        ),
    ]


def test_the_closure_panel_says_when_the_sensitive_notes_are_on_the_summary(practitioner):
    client, _ = practitioner
    case = fa.case("closed")
    page = f"/cases/{case.reference}"
    assert "Sensitive case notes" not in section(html_of(client.get(page)), "closure")
    case.closure_sensitive_notes = True
    db.session.commit()
    assert "On the closure summary, as chosen at closure" in section(
        html_of(client.get(page)), "closure"
    )


def test_the_same_note_form_sent_twice_saves_one_note(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    html = html_of(client.get(url(case, "notes")))
    payload = {
        "csrf_token": csrf_token_from(html),
        "submission": fa.submission_from(html),
        **note_form(),
    }
    first = client.post(url(case, "notes"), data=payload)
    second = client.post(url(case, "notes"), data=payload)
    assert (first.status_code, second.status_code) == (302, 302)
    assert count(CaseNote) == 1
