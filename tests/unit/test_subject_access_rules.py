"""Subject access rules with no app: the statutory due date (one calendar month), whose
data each field is, the masking of free text, and the managers' reminders."""

from __future__ import annotations

from datetime import date

import pytest

from accommodation.models import Placement
from eip.cases.models import Case, Person
from eip.notifications.reminders import Calendar, subject_access_reminders
from eip.privacy import subject_access_fields as f
from eip.privacy.statutory import due_date
from eip.privacy.subject_access_pack import MASK, PERSON_COLUMNS, SECTIONS, mask, masker


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2027, 1, 31), date(2027, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),  # a leap year
        (date(2027, 1, 15), date(2027, 2, 15)),
        (date(2027, 3, 31), date(2027, 4, 30)),
        (date(2027, 12, 31), date(2028, 1, 31)),
        (date(2027, 2, 28), date(2027, 3, 28)),
    ],
)
def test_a_request_is_due_on_the_corresponding_day_of_the_next_month_or_its_last(received, due):
    assert due_date(received) == due


def test_a_persons_own_record_is_in_their_pack_whole_but_its_keys():
    columns = {column.key for column in Person.__table__.columns}
    assert columns - {"id", "name_key", "search_key", "created_at"} == set(PERSON_COLUMNS)


def test_every_column_of_every_table_in_a_pack_is_classified():
    models = [Case, Placement, *(model for _t, _title, model, _o in SECTIONS)]
    for model in models:
        columns = {column.key for column in model.__table__.columns}
        assert columns <= set(f.FIELDS[model.__tablename__]), model.__tablename__


@pytest.mark.parametrize(
    ("table", "column", "for_client", "for_partner"),
    [
        ("cases", "partner_code_word", f.SAFETY, f.SAFETY),
        ("cases", "partner_safe_contact_times", f.SAFETY, f.SAFETY),
        ("cases", "client_safe_contact", f.SAFETY, f.SAFETY),
        ("cases", "pregnancy", f.THIRD_PARTY, f.SUBJECT),
        ("cases", "weapons", f.SUBJECT, f.THIRD_PARTY),
        ("cases", "referrer_name", f.STAFF, f.STAFF),
        ("cases", "reason_for_referral", f.REVIEW, f.REVIEW),
        ("dash_reviews", "answers", f.THIRD_PARTY, f.SUBJECT),
        ("dash_reviews", "score", f.SUBJECT, f.SUBJECT),
        ("children", "age_years", f.SUBJECT, f.SUBJECT),
        ("children", "lives_with", f.THIRD_PARTY, f.THIRD_PARTY),
        ("marac_referrals", "safe_contact", f.SAFETY, f.SAFETY),
        ("safety_plans", "safe_contact", f.SAFETY, f.SAFETY),
        ("placements", "areas_to_avoid", f.THIRD_PARTY, f.SUBJECT),
        ("incidents", "description", f.REVIEW, f.REVIEW),
    ],
)
def test_each_field_is_the_subjects_a_third_partys_or_staff(table, column, for_client, for_partner):
    assert f.field_treatment(table, column, "client") == for_client
    assert f.field_treatment(table, column, "partner") == for_partner


def test_records_about_one_party_alone_are_in_their_pack_only():
    assert f.record_included("safety_plans", "partner")
    assert not f.record_included("safety_plans", "client")
    assert not f.record_included("partner_support_contacts", "client")
    assert not f.record_included("case_notes", "partner")
    assert f.record_included("incidents", "client") and f.record_included("incidents", "partner")


def test_an_unclassified_column_is_never_guessed():
    with pytest.raises(KeyError):
        f.field_treatment("cases", "a_new_column", "client")


def test_free_text_masks_the_name_its_parts_and_the_phone_however_spaced():
    pattern = masker(["Rosalind Quennell", "Rosalind", "Quennell"], ["07700 900456"])
    text = "Rosalind QUENNELL rang from 07700900456; Rosalinda is someone else"
    assert mask(text, pattern) == f"{MASK} rang from {MASK}; Rosalinda is someone else"
    assert mask("nothing to hide", None) == "nothing to hide"


def test_managers_hear_of_a_request_7_days_before_and_each_working_day_overdue():
    due = date(2027, 3, 15)  # a Monday
    assert subject_access_reminders(1, due, [5], Calendar(date(2027, 3, 5))) == []
    [notice] = subject_access_reminders(1, due, [5], Calendar(date(2027, 3, 8)))
    assert (notice.kind, notice.user_id, notice.subject) == (
        "subject_access_due",
        5,
        "subject_access:1",
    )
    [overdue] = subject_access_reminders(1, due, [5], Calendar(date(2027, 3, 16)))
    assert overdue.kind == "subject_access_overdue"
