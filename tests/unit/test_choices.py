"""The fixed lists for categorical fields: well formed, complete, and kind to non-answers."""

import pytest

from eip.cases import choices
from eip.cases.choices import ALL, ETHNICITY, ETHNICITY_GROUP, label, values
from eip.cases.models import Case, Person
from eip.cases.records import (
    CaseNote,
    Child,
    Consent,
    Consultation,
    DashReview,
    Incident,
    InterventionSession,
    OnwardReferral,
    PartnerSupportContact,
)

# Where the person (or the referrer) may simply not know the answer.
NEEDS_NOT_KNOWN = {
    "YES_NO_NOT_KNOWN",
    "GENDER",
    "ETHNIC_GROUP",
    "ETHNICITY",
    "DISABILITY",
    "SEXUAL_ORIENTATION",
    "AGE_BAND",
    "LANGUAGE_INTERPRETER",
    "RELATIONSHIP_TO_CLIENT",
    "LIVING_TOGETHER",
    "CHILDRENS_SERVICES_STATUS",
    "CHILD_AGE_BAND",
    "CHILD_LIVES_WITH",
    "CHILD_SCHOOL_KNOWN",
    "LIVING_ARRANGEMENTS_AT_CLOSURE",
    "RISK_CHANGE",
}
# Personal characteristics a person may decline to give.
NEEDS_PREFER_NOT_TO_SAY = {
    "GENDER",
    "ETHNIC_GROUP",
    "ETHNICITY",
    "DISABILITY",
    "SEXUAL_ORIENTATION",
    "AGE_BAND",
}

# The columns each list is stored in; a value must fit the narrowest of them. Widths are read
# from the models, so a narrowed column fails here rather than in the database.
STORED_IN = {
    "YES_NO_NOT_KNOWN": [
        (Case, "previous_abuse"),
        (Case, "separation"),
        (Case, "pregnancy"),
        (Case, "substance_use"),
        (Case, "mental_health"),
        (Case, "weapons"),
    ],
    "GENDER": [(Person, "gender")],
    "ETHNICITY": [(Person, "ethnicity")],
    "DISABILITY": [(Person, "disability")],
    "SEXUAL_ORIENTATION": [(Person, "sexual_orientation")],
    "AGE_BAND": [(Person, "age_band")],
    "LANGUAGE_INTERPRETER": [(Person, "interpreter_needed")],
    "RELATIONSHIP_TO_CLIENT": [(Case, "partner_relationship")],
    "LIVING_TOGETHER": [(Case, "living_together")],
    "CHILDRENS_SERVICES_STATUS": [
        (Case, "childrens_services_status"),
        (Case, "closure_childrens_services_status"),
        (Child, "childrens_services_status"),
    ],
    "CHILD_AGE_BAND": [(Child, "age_band")],
    "CHILD_LIVES_WITH": [(Child, "lives_with")],
    "CHILD_SCHOOL_KNOWN": [(Child, "school_known")],
    "CONTACT_METHOD": [(Case, "acknowledgement_method")],
    "CONSULTATION_MEDIUM": [(Consultation, "medium")],
    "CONSULTATION_OUTCOME": [(Consultation, "outcome")],
    "CLOSURE_OUTCOME": [(Case, "closure_outcome")],
    "CONSENT_STATE": [(Consent, "state")],
    "CONSENT_KINDS": [(Consent, "kind")],
    "HOW_CONSENT_OBTAINED": [(Consent, "how")],
    "INCIDENT_SOURCE": [(Incident, "source")],
    "SESSION_ATTENDANCE": [(InterventionSession, "attendance")],
    "ONWARD_REFERRAL_AGENCY": [(OnwardReferral, "agency")],
    "ONWARD_REFERRAL_STATUS": [(OnwardReferral, "status")],
    "RISK_LEVEL": [(DashReview, "risk_level"), (Case, "closure_risk_level")],
    "LIVING_ARRANGEMENTS_AT_CLOSURE": [(Case, "closure_living_arrangements")],
    "PARTNER_CONTACT": [(PartnerSupportContact, "contact")],
    "NOTE_CONTACT": [(CaseNote, "contact")],
    "CONTACT_MEANS": [(CaseNote, "method"), (PartnerSupportContact, "method")],
    "PARTNER_SUPPORT_WITH": [(PartnerSupportContact, "with_whom")],
    "RISK_CHANGE": [(PartnerSupportContact, "risk_change")],
}
# Derived from the ethnicity for reports, never stored.
NOT_STORED = {"ETHNIC_GROUP"}


def column_width(name: str) -> int:
    widths = [model.__table__.c[column].type.length for model, column in STORED_IN[name]]
    assert all(isinstance(width, int) for width in widths), f"{name}: a column has no length"
    return min(widths)


EXPECTED_LISTS = {
    "YES_NO_NOT_KNOWN",
    "GENDER",
    "ETHNIC_GROUP",
    "ETHNICITY",
    "DISABILITY",
    "SEXUAL_ORIENTATION",
    "AGE_BAND",
    "LANGUAGE_INTERPRETER",
    "RELATIONSHIP_TO_CLIENT",
    "LIVING_TOGETHER",
    "CHILDRENS_SERVICES_STATUS",
    "CHILD_AGE_BAND",
    "CHILD_LIVES_WITH",
    "CHILD_SCHOOL_KNOWN",
    "CONTACT_METHOD",
    "CONSULTATION_MEDIUM",
    "CONSULTATION_OUTCOME",
    "CLOSURE_OUTCOME",
    "CONSENT_STATE",
    "CONSENT_KINDS",
    "HOW_CONSENT_OBTAINED",
    "INCIDENT_SOURCE",
    "SESSION_ATTENDANCE",
    "ONWARD_REFERRAL_AGENCY",
    "ONWARD_REFERRAL_STATUS",
    "RISK_LEVEL",
    "LIVING_ARRANGEMENTS_AT_CLOSURE",
    "PARTNER_CONTACT",
    "NOTE_CONTACT",
    "CONTACT_MEANS",
    "PARTNER_SUPPORT_WITH",
    "RISK_CHANGE",
}


def test_all_names_every_list_and_each_is_the_modules_own():
    assert set(ALL) == EXPECTED_LISTS
    for name, pairs in ALL.items():
        assert getattr(choices, name) is pairs


@pytest.mark.parametrize("name", sorted(EXPECTED_LISTS))
def test_every_list_has_unique_values_and_labels(name):
    pairs = ALL[name]
    assert len(values(pairs)) == len(set(values(pairs)))
    assert len({text for _, text in pairs}) == len(pairs)


def test_every_list_says_where_it_is_stored():
    assert set(STORED_IN) | NOT_STORED == EXPECTED_LISTS
    assert not set(STORED_IN) & NOT_STORED


@pytest.mark.parametrize("name", sorted(EXPECTED_LISTS))
def test_every_value_is_a_code_that_fits_its_column_and_every_label_is_filled_in(name):
    width = column_width(name) if name in STORED_IN else None
    for value, text in ALL[name]:
        assert value == value.strip().lower()
        assert value.replace("_", "").isalnum()
        if width is not None:
            assert len(value) <= width, f"{name}: {value!r} is wider than its column ({width})"
        assert text.strip() and text[0].isupper()


@pytest.mark.parametrize("name", sorted(NEEDS_NOT_KNOWN))
def test_lists_people_may_not_know_include_not_known(name):
    assert ("not_known", "Not known") in ALL[name]


@pytest.mark.parametrize("name", sorted(NEEDS_PREFER_NOT_TO_SAY))
def test_personal_characteristics_include_prefer_not_to_say(name):
    assert ("prefer_not_to_say", "Prefer not to say") in ALL[name]


def test_ethnicity_has_the_19_ons_2021_categories_plus_not_known_and_prefer_not_to_say():
    assert len(ETHNICITY) == 21


def test_every_ethnicity_maps_to_a_high_level_group():
    assert set(ETHNICITY_GROUP) == set(values(ETHNICITY))
    assert set(ETHNICITY_GROUP.values()) == set(values(choices.ETHNIC_GROUP))


@pytest.mark.parametrize(
    ("ethnicity", "group"),
    [
        ("asian_indian", "asian"),
        ("black_caribbean", "black"),
        ("mixed_white_black_african", "mixed"),
        ("white_roma", "white"),
        ("other_arab", "other"),
        ("prefer_not_to_say", "prefer_not_to_say"),
    ],
)
def test_ethnicities_fall_in_their_ons_group(ethnicity, group):
    assert ETHNICITY_GROUP[ethnicity] == group


def test_the_consent_kinds_are_the_four_in_domain():
    assert values(choices.CONSENT_KINDS) == (
        "intervention",
        "accommodation",
        "information_sharing",
        "evaluation",
    )


def test_the_consultation_and_closure_outcomes_are_the_state_machines():
    from eip.cases import rules

    assert choices.CONSULTATION_OUTCOME is rules.CONSULTATION_OUTCOMES
    assert choices.CLOSURE_OUTCOME is rules.CLOSURE_OUTCOMES


def test_label_gives_the_label_of_a_value():
    assert label(choices.CONSENT_STATE, "not_asked") == "Not yet asked"


def test_label_of_nothing_is_empty_and_of_an_unlisted_value_is_tidied():
    assert label(choices.GENDER, None) == ""
    assert label(choices.GENDER, "") == ""
    assert label(choices.GENDER, "retired_code") == "Retired code"


def test_values_keeps_the_lists_order():
    assert values(choices.RISK_LEVEL) == ("standard", "medium", "high")
