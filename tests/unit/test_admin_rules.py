"""Administration rules: no app, no database."""

import re
from datetime import date

import pytest

from eip.admin import rules
from eip.formatting import plain_pounds
from eip.roles import Role

# ---------------------------------------------------------------------------
# Pounds into pence


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("14000.00", 1_400_000),
        ("14000", 1_400_000),
        ("14,000.00", 1_400_000),
        ("£14,000.50", 1_400_050),
        (" 0.5 ", 50),
        ("0", 0),
        ("1000000.00", 100_000_000),
        ("1,000,000", 100_000_000),
    ],
)
def test_the_pot_is_read_from_pounds_into_whole_pence(typed, pence):
    assert rules.parse_pounds(typed) == pence


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the pot in pounds, like 14000.00"),
        ("   ", "Enter the pot in pounds, like 14000.00"),
        ("fourteen thousand", "Enter the pot in pounds, like 14000.00"),
        ("1e6", "Enter the pot in pounds, like 14000.00"),
        ("NaN", "Enter the pot in pounds, like 14000.00"),
        ("14.000,00", "Enter the pot in pounds, like 14000.00"),
        ("1,40,00", "Enter the pot in pounds, like 14000.00"),
        ("-1", "The pot must be £0.00 or more"),
        ("-0.01", "The pot must be £0.00 or more"),
        ("14000.005", "Enter the pot to the nearest penny, like 14000.00"),
        ("1000000.01", "The pot must be £1,000,000.00 or less"),
        ("2000000", "The pot must be £1,000,000.00 or less"),
    ],
)
def test_a_pot_that_is_not_pounds_and_pence_within_bounds_is_refused(typed, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        rules.parse_pounds(typed)


def test_pence_are_shown_back_the_way_they_are_typed():
    assert plain_pounds(1_400_050) == "14000.50"
    assert rules.parse_pounds(plain_pounds(5)) == 5


# ---------------------------------------------------------------------------
# Whole-number settings


@pytest.mark.parametrize("spec", rules.WHOLE_NUMBERS, ids=lambda spec: spec.name)
def test_each_whole_number_accepts_its_bounds_and_refuses_just_outside(spec):
    assert spec.parse(str(spec.lo)) == spec.lo
    assert spec.parse(f" {spec.hi} ") == spec.hi
    for outside in (spec.lo - 1, spec.hi + 1):
        with pytest.raises(ValueError, match=f"between {spec.lo:,} and {spec.hi:,} {spec.unit}"):
            spec.parse(str(outside))


@pytest.mark.parametrize("typed", ["3.5", "three", "-2", "²", "1 000"])
def test_a_whole_number_setting_refuses_anything_but_digits(typed):
    spec = rules.WHOLE_NUMBER_BY_NAME["acknowledge_working_days"]
    with pytest.raises(ValueError, match="as a whole number, like 3"):
        spec.parse(typed)


def test_an_empty_whole_number_asks_for_the_value():
    with pytest.raises(ValueError, match=r"^Enter the most people who can be placed$"):
        rules.WHOLE_NUMBER_BY_NAME["max_people"].parse("")


def test_the_brief_ranges_are_the_ones_enforced():
    ranges = {spec.name: (spec.lo, spec.hi) for spec in rules.WHOLE_NUMBERS}
    assert ranges == {
        "max_people": (1, 10_000),
        "max_nights_per_client": (1, 90),
        "acknowledge_working_days": (1, 20),
        "consultation_booking_working_days": (1, 30),
        "meeting_interval_days": (1, 31),
        "dash_review_days": (1, 180),
        "outcome_mid_point_weeks": (1, 26),
        "idva_action_working_days": (1, 10),
        "marac_action_working_days": (1, 10),
        "high_risk_threshold_yes": (1, 24),
        "marac_threshold_yes": (1, 24),
        "escalation_min_incidents": (1, 99),
        "escalation_months": (1, 60),
        "invoice_unpaid_days": (1, 180),
        "evaluation_k": (3, 50),
        "retain_case_years": (1, 20),
        "retain_child_extra_years": (1, 20),
        "retain_audit_years": (1, 20),
        "retain_notifications_days": (7, 3650),
        "retain_sessions_days": (1, 365),
        "retain_unreleased_extracts_days": (1, 365),
    }


def test_every_deadline_names_its_unit_as_in_the_domain_table():
    units = {spec.name: spec.unit for spec in rules.WHOLE_NUMBERS}
    for name in (
        "acknowledge_working_days",
        "consultation_booking_working_days",
        "idva_action_working_days",
        "marac_action_working_days",
    ):
        assert units[name] == "working days"
        assert "Working days" in rules.WHOLE_NUMBER_BY_NAME[name].hint
    for name in ("meeting_interval_days", "dash_review_days", "invoice_unpaid_days"):
        assert units[name] == "calendar days"
        assert "Calendar days" in rules.WHOLE_NUMBER_BY_NAME[name].hint


# ---------------------------------------------------------------------------
# Dates


def test_a_window_that_closes_before_it_opens_is_refused():
    problems = rules.date_order_problems(date(2026, 9, 1), date(2026, 8, 31), date(2027, 3, 31))
    assert problems == {
        "referral_window_end": (
            "The date the referral window closes must be the same as or after the date it opens"
        )
    }


def test_a_window_may_open_and_close_on_the_same_day_and_the_programme_end_then():
    assert rules.date_order_problems(date(2026, 9, 1), date(2026, 9, 1), date(2026, 9, 1)) == {}


def test_the_programme_may_not_end_before_the_window_closes():
    problems = rules.date_order_problems(date(2026, 8, 19), date(2026, 12, 31), date(2026, 12, 30))
    assert list(problems) == ["programme_end_date"]


def test_a_year_typed_short_is_refused_rather_than_read_as_the_first_century():
    problems = rules.date_order_problems(date(26, 8, 19), date(2026, 12, 31), date(2027, 3, 31))
    assert problems == {"referral_window_start": "The year must be between 2020 and 2099"}


DEFAULTS = {
    "pot_pence": 1_400_000,
    "default_nightly_rate_pence": 5_000,
    "max_people": 10,
    "max_nights_per_client": 28,
    "referral_window_start": date(2026, 8, 19),
    "referral_window_end": date(2026, 12, 31),
    "programme_end_date": date(2027, 3, 31),
    "acknowledge_working_days": 3,
    "consultation_booking_working_days": 5,
    "meeting_interval_days": 7,
    "dash_review_days": 28,
    "outcome_mid_point_weeks": 4,
    "idva_action_working_days": 1,
    "marac_action_working_days": 2,
    "high_risk_threshold_yes": 10,
    "marac_threshold_yes": 14,
    "escalation_min_incidents": 3,
    "escalation_months": 12,
    "escalation_kinds": "police_callout",
    "invoice_unpaid_days": 30,
    "evaluation_k": 5,
    "retain_case_years": 6,
    "retain_child_extra_years": 7,
    "retain_audit_years": 6,
    "retain_notifications_days": 90,
    "retain_sessions_days": 1,
    "retain_unreleased_extracts_days": 30,
    "letterhead_organisation": "Cranstoun — Early Intervention Project (demo)",
    "contact_phone": "020 7946 0000",
    "contact_email": "eip@example.org",
    "contact_address": "Example House\n1 Example Street\nLondon N1 0AA",
}


def test_the_defaults_from_the_domain_are_valid_settings():
    assert rules.settings_problems(DEFAULTS) == {}


def test_settings_problems_lists_every_problem_at_once():
    bad = {**DEFAULTS, "pot_pence": -1, "max_people": 0, "referral_window_end": date(2026, 1, 1)}
    assert set(rules.settings_problems(bad)) == {"pot_pence", "max_people", "referral_window_end"}


def test_a_missing_setting_is_a_problem():
    assert "dash_review_days" in rules.settings_problems({**DEFAULTS, "dash_review_days": None})


def test_only_the_settings_that_differ_are_changes():
    changed = {**DEFAULTS, "max_people": 12, "referral_window_end": date(2027, 1, 15)}
    assert rules.setting_changes(DEFAULTS, changed) == {
        "max_people": (10, 12),
        "referral_window_end": (date(2026, 12, 31), date(2027, 1, 15)),
    }
    assert rules.setting_changes(DEFAULTS, dict(DEFAULTS)) == {}


def test_the_marac_threshold_may_equal_the_high_risk_threshold_but_not_be_below_it():
    assert rules.settings_problems({**DEFAULTS, "marac_threshold_yes": 10}) == {}
    problems = rules.settings_problems({**DEFAULTS, "marac_threshold_yes": 9})
    assert problems == {
        "marac_threshold_yes": (
            "The MARAC threshold must be the same as or more than the high-risk threshold (10)"
        )
    }


def test_a_threshold_out_of_range_is_its_own_problem_not_an_order_one():
    problems = rules.settings_problems({**DEFAULTS, "high_risk_threshold_yes": 25})
    assert problems == {
        "high_risk_threshold_yes": "The high-risk threshold must be between 1 and 24 “yes” answers"
    }


@pytest.mark.parametrize(
    ("kinds", "message"),
    [
        ("", "Select at least one kind of incident that counts towards escalation"),
        ("police_callout,burglary", "Select kinds of incident from the list"),
    ],
)
def test_escalation_counts_one_or_more_known_incident_kinds(kinds, message):
    assert rules.settings_problems({**DEFAULTS, "escalation_kinds": kinds}) == {
        "escalation_kinds": message
    }


def test_escalation_kinds_are_kept_in_the_vocabularys_order_whatever_the_order_ticked():
    assert rules.join_kinds(["other_agency", "police_callout"]) == "police_callout,other_agency"
    assert rules.join_kinds([]) == ""
    with pytest.raises(ValueError, match="Select kinds of incident from the list"):
        rules.join_kinds(["police_callout", "burglary"])


def test_audit_values_keep_dates_as_iso_text():
    assert rules.audit_value(date(2027, 1, 15)) == "2027-01-15"
    assert rules.audit_value(12) == 12


# ---------------------------------------------------------------------------
# Roles and accounts


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.MANAGER, Role.SPOC])
def test_roles_that_see_personal_data_need_a_managers_approval(role):
    assert rules.grant_needs_approval(role)
    assert rules.enable_needs_approval(role)


@pytest.mark.parametrize("role", [Role.FINANCE, Role.EVALUATOR, Role.ADMIN, None])
def test_other_roles_are_granted_at_once(role):
    assert not rules.grant_needs_approval(role)


@pytest.mark.parametrize(
    ("role", "waits"),
    [
        (Role.PRACTITIONER, True),
        (Role.MANAGER, True),
        (Role.SPOC, True),
        (Role.EVALUATOR, True),
        (Role.FINANCE, False),
        (Role.ADMIN, False),
        (None, False),
    ],
)
def test_re_enabling_waits_for_a_manager_for_personal_data_and_the_evaluator(role, waits):
    assert rules.enable_needs_approval(role) is waits


def test_a_spoc_needs_a_borough_and_nobody_else_may_have_one():
    assert rules.role_borough_problem("spoc", None) == "Select the SPOC's borough"
    assert rules.role_borough_problem("spoc", 4) is None
    assert rules.role_borough_problem("practitioner", None) is None
    assert "Only a borough SPOC has a borough" in rules.role_borough_problem("finance", 4)


def test_email_addresses_are_kept_lowercased_and_trimmed():
    assert rules.normalise_email("  Jo.Bloggs@Example.ORG ") == "jo.bloggs@example.org"


@pytest.mark.parametrize(
    ("active", "has_password", "locked", "status"),
    [
        (True, True, False, "active"),
        (True, False, False, "invited"),
        (True, True, True, "locked"),
        (False, True, True, "disabled"),
        (False, False, False, "disabled"),
    ],
)
def test_account_status_puts_disabled_first_then_invited_then_locked(
    active, has_password, locked, status
):
    assert rules.account_status(active=active, has_password=has_password, locked=locked) == status


# ---------------------------------------------------------------------------
# Boroughs and non-working days


def test_a_borough_name_is_trimmed_with_inner_spaces_collapsed():
    assert rules.clean_borough_name("  Kingston   upon Thames ") == "Kingston upon Thames"


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "Enter the borough's name"), ("   ", "Enter the borough's name"), ("x" * 81, "80")],
)
def test_a_borough_name_must_be_given_and_short(typed, message):
    with pytest.raises(ValueError, match=message):
        rules.clean_borough_name(typed)


def test_a_weekend_is_already_not_a_working_day():
    assert rules.non_working_day_problem(date(2026, 12, 26)) == "That is already a weekend"


def test_a_bank_holiday_and_its_substitute_day_are_already_not_working_days():
    assert rules.non_working_day_problem(date(2026, 12, 25)) == (
        "That is already a bank holiday (Christmas Day)"
    )
    assert "Boxing Day" in rules.non_working_day_problem(date(2026, 12, 28))


def test_an_ordinary_weekday_can_be_made_a_non_working_day():
    assert rules.non_working_day_problem(date(2026, 12, 29)) is None


@pytest.mark.parametrize(
    ("name", "typed", "kept"),
    [
        ("letterhead_organisation", "  Cranstoun   EIP ", "Cranstoun EIP"),
        ("contact_phone", "+44 (0)20 7946-0000", "+44 (0)20 7946-0000"),
        ("contact_email", " eip@example.org ", "eip@example.org"),
        ("contact_address", " 1 Example St \r\n\r\n London  N1 ", "1 Example St\nLondon N1"),
    ],
)
def test_a_contact_detail_is_kept_tidy(name, typed, kept):
    assert rules.TEXT_SETTING_BY_NAME[name].clean(typed) == kept


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("letterhead_organisation", " ", "Enter the organisation's name for the letterhead"),
        ("contact_phone", "020 7946", "Enter the phone number in the correct format"),
        ("contact_phone", "0207946000O", "Enter the phone number in the correct format"),
        ("contact_email", "eip@localhost", "Enter the e-mail address in the correct format"),
        ("contact_address", "1\n2\n3\n4\n5\n6\n7", "must be 6 lines or fewer"),
        ("contact_email", "a" * 250 + "@example.org", "must be 254 characters or fewer"),
    ],
)
def test_a_bad_contact_detail_is_refused_with_its_message(name, typed, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        rules.TEXT_SETTING_BY_NAME[name].clean(typed)
    assert name in rules.settings_problems({**DEFAULTS, name: typed})
