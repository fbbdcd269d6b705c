"""The documents addressed to people, the acknowledgement to the referrer and the client's
accommodation agreement, as staff send them (issue 20): on the organisation's letterhead
with its phone, e-mail and address; dated by the event they record, and marked as a copy
when printed later; signed by the allocated practitioner whoever prints them; saying
where the case stands now. Each test named after a defect failed before the fix."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader

from accommodation import documents as accommodation_documents
from accommodation.stay.agreement import NO_STAY, SIGNED_ON_PAPER
from eip.cases.records import Consultation
from eip.domain import RuleBroken
from eip.extensions import db
from eip.formatting import long_date
from eip.programme import current_settings
from eip.workdays import london_date
from tests import factories
from tests import factories_accommodation as fa
from tests.integration.test_pdf_documents import full_case, produce

ORGANISATION = "Fictional Borough Partnership — EIP Test Office"
PHONE = "020 7946 0123"
EMAIL = "eip-team@example.org"
ADDRESS = "Test House\n2 Example Lane\nLondon N7 0ZZ"


def pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(content)).pages]


def flat(content: bytes) -> str:
    return " ".join(" ".join(pages(content)).split())


def lines(content: bytes) -> list[str]:
    return [line.strip() for page in pages(content) for line in page.splitlines()]


@pytest.fixture
def letterhead(app_context):
    settings = current_settings(db.session)
    settings.letterhead_organisation = ORGANISATION
    settings.contact_phone = PHONE
    settings.contact_email = EMAIL
    settings.contact_address = ADDRESS
    db.session.commit()


def new_case(practitioner, *, acknowledged: bool = True):
    """A referral received and acknowledged, no consultation booked yet."""
    case = factories.case("Camden", practitioner)
    case.received_at = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    case.acknowledged_at = datetime(2026, 1, 6, 14, 0, tzinfo=UTC) if acknowledged else None
    case.referrer_name = "Jo Socialworker"
    db.session.commit()
    return case


# ---------------------------------------------------------------------------
# The acknowledgement


def test_the_acknowledgement_is_dated_the_day_it_was_acknowledged_not_today(letterhead):
    """Defect: the acknowledgement was always dated today, so a reprint for a case
    acknowledged in January was dated the day it was printed."""
    case, practitioner, _ = full_case()
    document = produce(case, practitioner, "acknowledgement")  # printed on 2 March 2026
    text = flat(document.content)
    assert "Date: 6 January 2026" in text
    assert "Date: 2 March 2026" not in text
    for page in pages(document.content):
        assert "Dated 6 January 2026" in page
        assert f"Copy printed on 2 March 2026 by {practitioner.name}" in page


def test_a_letter_printed_the_day_it_is_sent_is_not_a_copy(letterhead):
    practitioner = factories.user("practitioner", name="Amara Fictional")
    case = new_case(practitioner, acknowledged=False)
    text = flat(produce(case, practitioner, "acknowledgement").content)
    assert "Date: 2 March 2026" in text and "Dated 2 March 2026" in text
    assert "Copy printed" not in text
    assert "offer you a case consultation" in text


def test_a_reprint_after_the_consultation_was_held_does_not_offer_one(letterhead):
    """Defect: a reprint for a case whose consultation was already held still offered a
    consultation."""
    case, practitioner, _ = full_case()  # consultation held on 12 January 2026
    text = flat(produce(case, practitioner, "acknowledgement").content)
    assert "offer you a case consultation" not in text
    assert "Please reply with two or three times" not in text
    assert "The case consultation was held on Monday 12 January 2026" in text
    assert "Case consultation Held on Monday 12 January 2026" in text


def test_a_booked_consultation_is_given_with_its_time_not_offered_again(letterhead):
    practitioner = factories.user("practitioner")
    case = new_case(practitioner)
    db.session.add(
        Consultation(
            case_id=case.id,
            scheduled_for=datetime(2026, 3, 10, 10, 30, tzinfo=UTC),
            medium="phone",
        )
    )
    db.session.commit()
    text = flat(produce(case, practitioner, "acknowledgement").content)
    assert "The case consultation is booked for 10 March 2026, 10:30am (London time)" in text
    assert "offer you a case consultation" not in text


def test_the_letterhead_names_the_organisation_from_the_settings_not_the_software(letterhead):
    """Defect: the letterhead was the software's name ("EIP Tracker")."""
    case, practitioner, _ = full_case()
    document = produce(case, practitioner, "acknowledgement")
    for page in pages(document.content):
        assert ORGANISATION in page
    header = [line for line in lines(document.content) if "EIP Tracker" in line]
    # The software is named only as where the copy was printed from, in the footer.
    assert all(line.startswith(("Printed from", "Copy printed from")) for line in header)


def test_the_acknowledgement_gives_the_phone_e_mail_and_address_for_contact(letterhead):
    """Defect: the acknowledgement had no phone number, only the practitioner's e-mail."""
    case, practitioner, _ = full_case()
    text = flat(produce(case, practitioner, "acknowledgement").content)
    assert f"Phone: {PHONE}" in text
    assert f"Phone {PHONE}" in text  # in the summary table
    assert EMAIL in text and practitioner.email in text
    assert "Test House 2 Example Lane London N7 0ZZ" in text  # the sender block


def test_printed_by_a_manager_it_is_signed_by_the_practitioner_and_the_manager_only_printed_it(
    letterhead,
):
    """Defect: printed by a manager, the footer named the manager under the practitioner's
    signature ("Generated … by <manager>"), as if the manager had signed it."""
    case, practitioner, _ = full_case()
    manager = factories.user("manager", name="Morgan Managerial")
    document = produce(case, manager, "acknowledgement")
    found = lines(document.content)
    signed = found.index("Kind regards,")
    assert found[signed + 1] == practitioner.name
    naming = [line for line in found if manager.name in line]
    assert naming, "the copy says who printed it"
    assert all(line.startswith(("Copy printed", "Printed")) for line in naming), naming


def test_the_acknowledgement_still_holds_nothing_of_the_partner(letterhead):
    case, practitioner, _ = full_case()
    text = flat(produce(case, practitioner, "acknowledgement").content)
    for secret in ("Fictional Partnername", "88 Hidden Lane", "07700 900222", "periwinkle"):
        assert secret not in text


# ---------------------------------------------------------------------------
# The agreement


@pytest.fixture
def practitioner(letterhead):
    return factories.user("practitioner", name="Amara Fictional")


def agreement(placement, user):
    return accommodation_documents.produce_agreement(db.session, user, placement).content


def test_a_signed_agreement_has_the_names_and_dates_filled_in_and_is_dated_the_day_signed(
    practitioner,
):
    """Defect: a signed agreement printed blank signature and date lines and "Prepared on"
    today."""
    placement = fa.placement(fa.accommodation_case(practitioner), "checked_in")
    signed = long_date(placement.agreement_signed_on)
    content = agreement(placement, practitioner)
    text = flat(content)
    assert "Prepared on" not in text
    assert f"Signed on: {signed}" in text
    assert text.count(SIGNED_ON_PAPER) == 2
    assert len(re.findall(rf"Date {re.escape(signed)}", text)) == 2
    assert practitioner.name in text and placement.client.full_name in text
    for page in pages(content):
        assert f"Dated {signed}" in page
        assert "Copy printed on" in page  # signed days before today


def test_an_unsigned_agreement_is_prepared_today_with_lines_to_sign(practitioner):
    placement = fa.placement(fa.accommodation_case(practitioner), "approved")
    text = flat(agreement(placement, practitioner))
    today = long_date(london_date(datetime.now(UTC)))
    assert f"Prepared on: {today}" in text
    assert SIGNED_ON_PAPER not in text
    assert "Copy printed" not in text


def test_the_agreement_gives_a_phone_number_to_call_not_only_an_e_mail(practitioner):
    """Defect: "call your practitioner" with only an e-mail address on the page."""
    placement = fa.placement(fa.accommodation_case(practitioner), "approved")
    text = flat(agreement(placement, practitioner))
    assert f"call the team on {PHONE}" in text
    assert f"or write to {practitioner.email} or {EMAIL}" in text
    assert "Our address: Test House, 2 Example Lane, London N7 0ZZ" in text
    assert f"The practitioner, for {ORGANISATION}" in text


def test_a_signed_agreement_can_be_reprinted_after_the_stay_has_ended(practitioner):
    """Defect: the agreement could not be reprinted once the stay had ended."""
    placement = fa.placement(fa.accommodation_case(practitioner), "ended")
    text = flat(agreement(placement, practitioner))
    assert f"Signed on: {long_date(placement.agreement_signed_on)}" in text
    assert "Temporary accommodation agreement" in text


def test_an_ended_stay_without_a_signed_agreement_has_none_to_print(practitioner):
    placement = fa.placement(fa.accommodation_case(practitioner), "ended")
    placement.agreement_signed_on = None
    db.session.commit()
    with pytest.raises(RuleBroken) as refused:
        agreement(placement, practitioner)
    assert refused.value.message == NO_STAY


def test_printed_by_a_manager_the_agreement_is_signed_for_by_the_allocated_practitioner(
    practitioner,
):
    placement = fa.placement(fa.accommodation_case(practitioner), "agreement_signed")
    manager = factories.user("manager", name="Morgan Managerial")
    found = lines(agreement(placement, manager))
    naming = [line for line in found if manager.name in line]
    assert naming and all(line.startswith(("Copy printed", "Printed")) for line in naming)
    assert any(practitioner.name in line for line in found if not line.startswith("Printed"))


def test_the_agreement_dated_before_it_was_signed_is_not_a_copy(practitioner):
    """A signed agreement printed on the day it was signed is the original."""
    placement = fa.placement(fa.accommodation_case(practitioner), "agreement_signed")
    at = datetime.combine(placement.agreement_signed_on, datetime.min.time(), UTC) + timedelta(
        hours=12
    )
    content = accommodation_documents.produce_agreement(
        db.session, practitioner, placement, at=at
    ).content
    assert "Copy printed" not in flat(content)
    assert f"Dated {long_date(placement.agreement_signed_on)}" in flat(content)


def test_the_demo_letterhead_is_marked_as_fictional(app_context):
    settings = current_settings(db.session)
    assert settings.letterhead_organisation.endswith("(demo)")
