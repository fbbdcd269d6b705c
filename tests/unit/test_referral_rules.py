"""The referral's rules, with no app and no database."""

from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from eip.cases.referral_rules import (
    ReferralDetails,
    age_on,
    ethnicity_label,
    is_late,
    late_agreement_problems,
    late_refusal_problems,
    london_moment,
    problems,
)
from eip.cases.referral_text import acknowledgement_text

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def good(**overrides) -> ReferralDetails:
    values = {
        "received_at": datetime(2026, 9, 5, 10, 30, tzinfo=LONDON),
        "borough_id": 1,
        "practitioner_id": 1,
        "referrer_name": "Sam Okafor",
        "referrer_email": "sam@example.org",
        "client_name": "Alex Marlowe",
        "client_date_of_birth": date(1990, 3, 27),
        "client_gender": "man",
        "client_ethnicity": "white_british",
        "client_disability": "no",
        "client_interpreter": "no",
        "partner_name": "Jordan Reyes",
        "partner_relationship": "partner",
        "partner_living_together": "yes",
        "childrens_services_status": "none",
        "previous_abuse": "no",
        "separation": "no",
        "pregnancy": "no",
        "substance_use": "no",
        "mental_health": "no",
        "weapons": "no",
        "reason_for_referral": "Escalating arguments",
    }
    values.update(overrides)
    return ReferralDetails(**values)


def test_a_complete_referral_has_no_problems():
    assert problems(good(), NOW) == {}


def test_a_client_who_turns_16_on_the_day_received_is_accepted():
    details = good(client_date_of_birth=date(2010, 9, 5))
    assert "client_date_of_birth" not in problems(details, NOW)


def test_a_client_under_16_on_the_day_received_is_refused():
    details = good(client_date_of_birth=date(2010, 9, 6))
    assert problems(details, NOW)["client_date_of_birth"] == (
        "The client must be 16 or older on the date the referral was received"
    )


def test_the_clients_age_is_taken_on_the_london_date_received():
    # 23:30 UTC on 4 September is 00:30 BST on 5 September: the 16th birthday.
    details = good(
        received_at=datetime(2026, 9, 4, 23, 30, tzinfo=UTC),
        client_date_of_birth=date(2010, 9, 5),
    )
    assert "client_date_of_birth" not in problems(details, NOW)


def test_a_received_time_in_the_future_is_refused():
    details = good(received_at=datetime(2026, 11, 24, 9, 1, tzinfo=UTC))
    assert problems(details, NOW)["received_time"] == (
        "The time the referral was received cannot be in the future"
    )


def test_a_missing_received_time_and_date_of_birth_are_asked_for():
    found = problems(good(received_at=None, client_date_of_birth=None), NOW)
    assert found["received_date"] == "Enter the date and time the referral was received"
    assert found["client_date_of_birth"] == "Enter the client's date of birth"


def test_required_text_is_asked_for_and_long_text_refused():
    found = problems(good(client_name=None, referrer_team="x" * 121), NOW)
    assert found["client_name"] == "Enter the client's name"
    assert found["referrer_team"] == "The referrer's team must be 120 characters or fewer"


def test_a_value_outside_a_fixed_list_is_refused():
    found = problems(good(client_gender="robot", weapons=None), NOW)
    assert found["client_gender"] == "Select the client's gender"
    assert found["weapons"] == "Select whether weapons have been used or threatened"


@pytest.mark.parametrize(
    ("name", "value"),
    [("dash_score", 25), ("children_count", 21), ("police_callouts_12_months", 100)],
)
def test_numbers_outside_their_range_are_refused(name, value):
    assert name in problems(good(**{name: value}), NOW)


def test_an_email_in_the_wrong_format_is_refused():
    found = problems(good(referrer_email="sam at example"), NOW)
    assert "correct format" in found["referrer_email"]


def test_a_partner_born_in_the_future_is_refused():
    found = problems(good(partner_date_of_birth=date(2027, 1, 1)), NOW)
    assert found["partner_date_of_birth"] == "The partner's date of birth must be in the past"


def test_cleaning_strips_text_and_lowers_the_referrers_email():
    cleaned = good(referrer_email="  Sam@Example.ORG ", client_phone="   ").cleaned()
    assert cleaned.referrer_email == "sam@example.org"
    assert cleaned.client_phone is None
    assert replace(cleaned) == cleaned


def test_a_london_wall_clock_time_is_stored_as_the_right_instant():
    summer = london_moment(date(2026, 7, 1), time(0, 30))
    assert summer.astimezone(UTC) == datetime(2026, 6, 30, 23, 30, tzinfo=UTC)


def test_the_referral_window_includes_both_ends():
    start, end = date(2026, 8, 19), date(2026, 12, 31)
    assert not is_late(start, start, end)
    assert not is_late(end, start, end)
    assert is_late(date(2026, 8, 18), start, end)
    assert is_late(date(2027, 1, 1), start, end)


def test_age_counts_whole_years():
    assert age_on(date(2000, 2, 29), date(2016, 2, 28)) == 15
    assert age_on(date(2000, 2, 29), date(2016, 3, 1)) == 16


def test_ethnicity_is_shown_with_its_census_group():
    assert ethnicity_label("white_irish") == "White: Irish"
    assert ethnicity_label("not_known") == "Not known"


def test_a_late_agreement_needs_all_three_names_and_the_confirmation():
    found = late_agreement_problems({"cranstoun_agreed_by": "A"}, support_confirmed=False)
    assert set(found) == {"respect_agreed_by", "camden_agreed_by", "support_confirmed"}
    complete = {"cranstoun_agreed_by": "A", "respect_agreed_by": "B", "camden_agreed_by": "C"}
    assert late_agreement_problems(complete, support_confirmed=True) == {}


def test_a_refusal_needs_a_note():
    assert late_refusal_problems("  ") == {"note": "Enter why the late referral was refused"}
    assert late_refusal_problems("No capacity before the programme ends") == {}


def test_the_acknowledgement_text_offers_a_consultation_and_names_only_the_professionals():
    text = acknowledgement_text(
        reference="EIP-2026-0007",
        received_on=date(2026, 9, 5),
        referrer_name="Sam Okafor",
        practitioner_name="Priya Shah",
        practitioner_email="priya.shah@example.org",
        late=False,
    )
    assert "EIP-2026-0007" in text
    assert "Saturday 5 September 2026" in text
    assert "case consultation" in text
    assert "Priya Shah" in text and "priya.shah@example.org" in text
    assert "Dear Sam Okafor" in text
    assert "agreement" not in text


def test_the_acknowledgement_text_for_a_late_referral_says_it_waits_for_agreement():
    text = acknowledgement_text(
        reference="EIP-2027-0001",
        received_on=None,
        referrer_name=None,
        practitioner_name="Priya Shah",
        practitioner_email="priya.shah@example.org",
        late=True,
    )
    assert text.count("Hello,") == 1
    assert "Cranstoun, Respect/SafeLives and Camden" in text
