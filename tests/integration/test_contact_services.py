"""Case notes and contacts with the client, and the partner support log
(eip.cases.contact_services): what each kind of contact needs, attempts, the change in risk
when no contact was made, who may record them, what the audit keeps, the timeline, and the
closure's choice to put the sensitive notes on the closure summary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.cases import closure_services, contact_services
from eip.cases.documents_data import note_lines
from eip.cases.page import load_records, timeline
from eip.cases.records import CaseNote, PartnerSupportContact
from eip.clock import today
from eip.domain import NotAllowed, RuleBroken
from eip.extensions import db
from tests import factories
from tests import factories_pathway_activity as fa

ON = date(2026, 1, 20)


@pytest.fixture
def case(app_context):
    return fa.case("active")


@pytest.fixture
def practitioner(case):
    return factories.user("practitioner")


def note(case, user, **values):
    fields = {
        "noted_on": ON,
        "contact": "made",
        "method": "phone",
        "outcome": "Session confirmed",
        "note": None,
        "sensitive": False,
    }
    fields.update(values)
    return contact_services.record_note(db.session, user, case, **fields)


def support(case, user, **values):
    fields = {
        "contacted_on": ON,
        "made_by": "Jess Fictional",
        "with_whom": "partner",
        "contact": "made",
        "method": "phone",
        "outcome": "Safety plan reviewed",
        "risk_change": "decreased",
        "onward_support": None,
    }
    fields.update(values)
    return contact_services.record_partner_support(db.session, user, case, **fields)


def errors(call) -> dict[str, str]:
    with pytest.raises(RuleBroken) as refused:
        call()
    db.session.rollback()
    return refused.value.errors


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_contact_with_the_client_is_kept_with_its_method_and_outcome(case, practitioner):
    saved = note(case, practitioner, note="Asked about the next session")
    assert (saved.contact, saved.method, saved.outcome) == ("made", "phone", "Session confirmed")
    assert saved.sensitive is False


def test_an_attempted_contact_needs_how_it_was_tried_and_what_happened(case, practitioner):
    found = errors(lambda: note(case, practitioner, contact="attempted", method=None, outcome=""))
    assert set(found) == {"method", "outcome"}
    assert count(CaseNote) == 0
    saved = note(case, practitioner, contact="attempted", outcome="No answer")
    assert saved.contact == "attempted"


def test_a_note_only_needs_its_text_and_keeps_no_method_or_outcome(case, practitioner):
    assert set(errors(lambda: note(case, practitioner, contact="none", note=" "))) == {"note"}
    saved = note(case, practitioner, contact="none", note="School has no concerns")
    assert (saved.method, saved.outcome) == (None, None)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"noted_on": None}, "noted_on"),
        ({"noted_on": today() + timedelta(days=1)}, "noted_on"),
        ({"noted_on": fa.RECEIVED - timedelta(days=1)}, "noted_on"),
        ({"contact": "maybe"}, "contact"),
        ({"method": "pigeon"}, "method"),
    ],
)
def test_bad_note_values_are_refused_and_nothing_is_written(case, practitioner, values, field):
    assert field in errors(lambda: note(case, practitioner, **values))
    assert count(CaseNote) == 0


def test_a_partner_support_contact_keeps_who_with_whom_and_the_change_in_risk(case, practitioner):
    saved = support(case, practitioner, onward_support="Referred to the IDVA service")
    assert (saved.made_by, saved.with_whom, saved.risk_change) == (
        "Jess Fictional",
        "partner",
        "decreased",
    )
    assert saved.onward_support == "Referred to the IDVA service"


def test_an_attempt_with_the_partner_learns_nothing_of_the_risk(case, practitioner):
    saved = support(case, practitioner, contact="attempted", risk_change=None)
    assert saved.risk_change == "not_known"
    found = errors(
        lambda: support(case, practitioner, contact="attempted", risk_change="increased")
    )
    assert found == {"risk_change": contact_services.ATTEMPT_RISK}
    assert count(PartnerSupportContact) == 1


def test_a_contact_made_with_the_partner_needs_the_change_in_risk(case, practitioner):
    assert "risk_change" in errors(lambda: support(case, practitioner, risk_change=None))


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"made_by": " "}, "made_by"),
        ({"made_by": "x" * 121}, "made_by"),
        ({"with_whom": "neighbour"}, "with_whom"),
        ({"contact": "none"}, "contact"),
        ({"method": None}, "method"),
        ({"outcome": ""}, "outcome"),
        ({"contacted_on": today() + timedelta(days=1)}, "contacted_on"),
    ],
)
def test_bad_partner_support_values_are_refused_and_nothing_is_written(
    case, practitioner, values, field
):
    assert field in errors(lambda: support(case, practitioner, **values))
    assert count(PartnerSupportContact) == 0


@pytest.mark.parametrize("role", ["manager", "spoc", "finance", "evaluator", "admin"])
def test_only_practitioners_record_notes_and_partner_support(case, role):
    user = factories.user(role)
    with pytest.raises(NotAllowed):
        note(case, user)
    with pytest.raises(NotAllowed):
        support(case, user)


def test_both_can_be_recorded_after_the_case_is_closed(app_context):
    closed = fa.case("closed")
    user = factories.user("practitioner")
    note(closed, user)
    support(closed, user)
    assert (count(CaseNote), count(PartnerSupportContact)) == (1, 1)


def test_the_audit_names_the_fields_never_their_values(case, practitioner):
    note(case, practitioner, note="Private words", sensitive=True)
    support(case, practitioner, onward_support="Private onward words")
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action.in_(["case.note_recorded", "case.partner_support_recorded"])
        )
    ).all()
    assert [e.action for e in events] == ["case.note_recorded", "case.partner_support_recorded"]
    assert "sensitive" in events[0].details["fields"]
    assert "onward_support" in events[1].details["fields"]
    for event in events:
        assert "Private" not in str(event.details)


def test_the_timeline_shows_notes_by_title_and_never_the_partner_support_log(case, practitioner):
    note(case, practitioner, contact="attempted", outcome="No answer", note="Private words")
    note(case, practitioner, contact="none", note="Private words", sensitive=True)
    support(case, practitioner)
    entries = timeline(case, load_records(db.session, case))
    titles = [(e.title, e.detail) for e in entries if e.on == ON]
    assert ("Attempted contact with the client", "Phone") in titles
    assert ("Case note", "sensitive") in titles
    assert len(titles) == 2
    assert "Private" not in str(entries)


def close(case, user, **choice):
    closure_services.close_case(
        db.session,
        user,
        case,
        outcome="completed",
        risk_level="medium",
        living_arrangements="living_apart",
        childrens_services_status="none",
        police_callouts=0,
        reason="Plan completed",
        **choice,
    )


def test_the_closure_puts_the_sensitive_notes_on_the_summary_only_when_chosen(app_context):
    for chosen in (False, True):
        case = fa.case("active")
        user = factories.user("practitioner")
        note(case, user, note="Plain words")
        note(case, user, note="Sensitive words", sensitive=True)
        close(case, user, sensitive_notes=chosen)
        assert case.closure_sensitive_notes is chosen
        printed = [line.note for line in note_lines(case, load_records(db.session, case))]
        assert printed == (["Plain words", "Sensitive words"] if chosen else ["Plain words"])


def test_the_choice_is_not_kept_on_a_case_with_no_sensitive_note(case, practitioner):
    note(case, practitioner)
    assert not closure_services.has_sensitive_notes(db.session, case)
    close(case, practitioner, sensitive_notes=True)
    assert case.closure_sensitive_notes is False


@pytest.mark.parametrize("rule", ["case.partner_support", "case.sensitive_notes"])
def test_only_practitioners_and_managers_may_see_the_log_and_sensitive_notes(app_context, rule):
    from eip.policy import can
    from eip.roles import Role

    seen = {role.value for role in Role if can(factories.user(role.value), rule)}
    assert seen == {"practitioner", "manager"}
