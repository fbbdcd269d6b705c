"""The MARAC referral through its services, on a real database: prepared from the latest
DASH review that met MARAC, recorded as sent (which closes the MARAC referral action and
its due item), the repeat flag per partner, and the pack's facts and PDF text."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from eip.cases import dash, marac_pack, marac_services
from eip.cases.models import CaseDueItem
from eip.cases.records import CaseAction, MaracReferral
from eip.clock import today
from eip.domain import NotAllowed, RuleBroken
from eip.extensions import db
from tests import factories
from tests import factories_marac as fm
from tests import factories_pathway_activity as fa
from tests.audit_trail import events


@pytest.fixture
def user(app_context):
    return factories.user("practitioner", name="Alex Practitioner")


def prepare(user, case, **overrides):
    return marac_services.prepare_referral(db.session, user, case, **fm.referral_form(**overrides))


def count_referrals() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(MaracReferral))


def pdf_text(document) -> str:
    reader = PdfReader(BytesIO(document.content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_form_starts_from_the_reviews_criteria_the_agencies_and_the_safe_times(user):
    case = fm.marac_case(practitioner=user)
    start = marac_services.prefill(db.session, case)
    assert start.reasons == (
        "Visible high risk: a DASH score of 15 of 24, at or above the MARAC threshold of 14"
    )
    assert start.agencies_involved.startswith("Children's social care")
    assert start.safe_contact == case.partner_safe_contact_times


def test_a_prepared_referral_keeps_the_review_and_the_partner_and_is_audited(user):
    case = fm.marac_case(practitioner=user)
    referral = prepare(user, case)
    assert referral.dash_review_id == marac_services.latest_review(db.session, case).id
    assert referral.partner_id == case.partner_id
    assert referral.sent_on is None
    [event] = events("case.marac_prepared")
    assert event.details["record"] == referral.id
    assert "reasons" in event.details["fields"]
    assert "Threats" not in str(event.details)  # names of fields, never their values


def test_a_referral_cannot_be_prepared_when_the_latest_review_did_not_meet_marac(user):
    case = fm.marac_case(practitioner=user, score=11)
    with pytest.raises(RuleBroken) as refused:
        prepare(user, case)
    assert refused.value.message == marac_services.NO_MARAC_REVIEW
    assert count_referrals() == 0


def test_every_missing_answer_is_refused_at_once_and_nothing_is_written(user):
    case = fm.marac_case(practitioner=user)
    with pytest.raises(RuleBroken) as refused:
        prepare(
            user, case, reasons=" ", agencies_involved="", partner_aware=None, referrer_phone=""
        )
    assert set(refused.value.errors) == {
        "reasons",
        "agencies_involved",
        "partner_aware",
        "referrer_phone",
    }
    assert count_referrals() == 0


def _open_marac_actions(case) -> list[CaseAction]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(CaseAction).where(
                CaseAction.case_id == case.id,
                CaseAction.kind == "marac_referral",
                CaseAction.completed_at.is_(None),
            )
        )
    )


def _due_action_ids(case) -> set[int | None]:
    return set(
        db.session.scalars(select(CaseDueItem.action_id).where(CaseDueItem.case_id == case.id))
    )


def test_recording_the_referral_as_sent_closes_the_marac_action_and_its_due_item(user):
    case = fm.marac_case(practitioner=user)
    [action] = _open_marac_actions(case)
    assert action.id in _due_action_ids(case)
    referral = prepare(user, case)
    marac_services.record_sent(db.session, user, case, referral.id, sent_on=today())
    assert _open_marac_actions(case) == []
    assert action.id not in _due_action_ids(case)
    done = db.session.get(CaseAction, action.id)
    assert done.completed_by_id == user.id
    # The IDVA referral is another referral: it stays open.
    idva = db.session.scalars(
        select(CaseAction).where(CaseAction.case_id == case.id, CaseAction.kind == "idva_referral")
    ).one()
    assert idva.completed_at is None
    assert len(events("case.marac_sent")) == 1
    assert [e.details["action_id"] for e in events("case.action_completed")] == [action.id]


def test_a_referral_is_recorded_as_sent_once(user):
    case = fm.marac_case(practitioner=user)
    referral = prepare(user, case)
    marac_services.record_sent(db.session, user, case, referral.id, sent_on=today())
    with pytest.raises(RuleBroken, match="already recorded as sent"):
        marac_services.record_sent(db.session, user, case, referral.id, sent_on=today())


@pytest.mark.parametrize(
    ("sent_on", "message"),
    [
        (None, "Enter the date the referral was sent"),
        (today() + timedelta(days=1), "cannot be in the future"),
        (today() - timedelta(days=3), "cannot be before it was prepared"),
    ],
)
def test_a_sent_date_must_be_given_not_in_the_future_nor_before_preparing(user, sent_on, message):
    case = fm.marac_case(practitioner=user)
    referral = prepare(user, case)
    with pytest.raises(RuleBroken) as refused:
        marac_services.record_sent(db.session, user, case, referral.id, sent_on=sent_on)
    assert message in str(refused.value.errors.get("sent_on") or refused.value.message)
    db.session.expire_all()
    assert db.session.get(MaracReferral, referral.id).sent_on is None
    assert len(_open_marac_actions(case)) == 1


def test_the_pack_is_a_repeat_when_the_partner_was_referred_on_another_case_within_a_year(user):
    person = fm.partner()
    earlier = fm.marac_case(practitioner=user, person=person)
    fm.referral(earlier, user, sent_on=today() - timedelta(days=200))
    case = fm.marac_case(practitioner=user, person=person)
    referral = prepare(user, case)
    assert marac_services.is_repeat(db.session, referral)
    other = fm.marac_case(practitioner=user)  # another partner
    assert not marac_services.is_repeat(db.session, prepare(user, other))


def test_a_referral_prepared_but_never_sent_does_not_make_the_next_a_repeat(user):
    person = fm.partner()
    fm.referral(fm.marac_case(practitioner=user, person=person), user)
    referral = prepare(user, fm.marac_case(practitioner=user, person=person))
    assert not marac_services.is_repeat(db.session, referral)


def test_the_pack_gives_the_answers_children_and_safe_contact_with_consent(user):
    case = fm.marac_case(practitioner=user)
    fa.consent(case, "partner", kind="information_sharing")
    data = marac_pack.pack_data(db.session, case, prepare(user, case).id)
    assert [a.question for a in data.answers] == [q.text for q in dash.questions()]
    assert [a.answer for a in data.answers[:16]] == ["Yes"] * 15 + ["No"]
    assert [c.child for c in data.children] == ["Child 1, aged 4", "Child 2, age 11 to 15"]
    assert data.safe_contact == "Weekday mornings on her mobile"
    assert data.referrer_name == "Alex Practitioner"
    assert data.people[1].name == "Partner Fictional"


def test_without_the_partners_consent_the_pack_says_contact_through_the_referrer(user):
    case = fm.marac_case(practitioner=user)
    fa.consent(
        case, "partner", kind="information_sharing", withdrawn_on=today() - timedelta(days=1)
    )
    data = marac_pack.pack_data(db.session, case, prepare(user, case).id)
    assert data.safe_contact == "Contact through the referring practitioner"
    assert data.people[1].name is None


def test_the_pdf_prints_the_dash_answers_children_reasons_and_referrer(user):
    case = fm.marac_case(practitioner=user)
    referral = prepare(user, case)
    text = pdf_text(marac_pack.produce(db.session, user, case, referral.id))
    for q in dash.questions()[:3]:
        assert " ".join(q.text.split())[:40] in text
    assert "Child 1, aged 4" in text and "Child 2, age 11 to 15" in text
    assert "Threats to kill last week." in text
    assert "Alex Practitioner" in text and "020 7946 0000" in text
    assert "Contact through the referring practitioner" in text
    assert "Weekday mornings" not in text
    assert "Not a repeat referral" in text
    [event] = events("document.downloaded")
    assert event.details == {"document": "marac_referral"}


def test_the_referrers_organisation_is_the_programmes_letterhead(user):
    """Seen on the demo's pack: "Cranstoun (Early Intervention Project)", written in the
    code, beside a header that names the organisation from the settings."""
    from eip.programme import current_settings

    current_settings(db.session).letterhead_organisation = "Fictional Partnership — EIP Office"
    db.session.commit()
    case = fm.marac_case(practitioner=user)
    text = pdf_text(marac_pack.produce(db.session, user, case, prepare(user, case).id))
    assert "Organisation Fictional Partnership — EIP Office" in text
    assert "Cranstoun" not in text


def test_the_pdf_says_repeat_when_it_is(user):
    person = fm.partner()
    fm.referral(fm.marac_case(practitioner=user, person=person), user, sent_on=today())
    case = fm.marac_case(practitioner=user, person=person)
    text = pdf_text(marac_pack.produce(db.session, user, case, prepare(user, case).id))
    assert "Repeat referral: this partner was referred to MARAC in the last 12 months" in text


@pytest.mark.parametrize("role", ["spoc", "finance", "evaluator", "admin"])
def test_only_practitioners_and_managers_may_produce_the_pack(user, role):
    case = fm.marac_case(practitioner=user)
    referral = prepare(user, case)
    with pytest.raises(NotAllowed):
        marac_pack.produce(db.session, factories.user(role), case, referral.id)
    assert events("document.downloaded") == []
