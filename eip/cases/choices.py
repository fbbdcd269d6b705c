"""Every categorical field's fixed list, in one place: (value, label) pairs.

Values are what the database stores and the evaluation extract carries, so they never
change once used; labels are what people read and may be reworded. "Not known" and
"Prefer not to say" appear wherever a person may not answer. Every value fits the
column that stores it (`eip/cases/models.py`, `records.py`; the unit tests check).
"""

from __future__ import annotations

from eip.cases.rules import CLOSURE_OUTCOMES, CONSULTATION_OUTCOMES

Choices = tuple[tuple[str, str], ...]

NOT_KNOWN = ("not_known", "Not known")
PREFER_NOT_TO_SAY = ("prefer_not_to_say", "Prefer not to say")

YES_NO_NOT_KNOWN: Choices = (("yes", "Yes"), ("no", "No"), NOT_KNOWN)

GENDER: Choices = (
    ("woman", "Woman"),
    ("man", "Man"),
    ("non_binary", "Non-binary"),
    ("other", "Another gender"),
    NOT_KNOWN,
    PREFER_NOT_TO_SAY,
)

# ONS 2021 census, England and Wales: 19 categories in 5 high-level groups.
ETHNIC_GROUP: Choices = (
    ("asian", "Asian, Asian British or Asian Welsh"),
    ("black", "Black, Black British, Black Welsh, Caribbean or African"),
    ("mixed", "Mixed or Multiple ethnic groups"),
    ("white", "White"),
    ("other", "Other ethnic group"),
    NOT_KNOWN,
    PREFER_NOT_TO_SAY,
)
_ETHNICITIES_BY_GROUP: dict[str, Choices] = {
    "asian": (
        ("asian_bangladeshi", "Bangladeshi"),
        ("asian_chinese", "Chinese"),
        ("asian_indian", "Indian"),
        ("asian_pakistani", "Pakistani"),
        ("asian_other", "Any other Asian background"),
    ),
    "black": (
        ("black_african", "African"),
        ("black_caribbean", "Caribbean"),
        ("black_other", "Any other Black, Black British or Caribbean background"),
    ),
    "mixed": (
        ("mixed_white_asian", "White and Asian"),
        ("mixed_white_black_african", "White and Black African"),
        ("mixed_white_black_caribbean", "White and Black Caribbean"),
        ("mixed_other", "Any other Mixed or Multiple ethnic background"),
    ),
    "white": (
        ("white_british", "English, Welsh, Scottish, Northern Irish or British"),
        ("white_irish", "Irish"),
        ("white_gypsy_irish_traveller", "Gypsy or Irish Traveller"),
        ("white_roma", "Roma"),
        ("white_other", "Any other White background"),
    ),
    "other": (
        ("other_arab", "Arab"),
        ("other_any", "Any other ethnic group"),
    ),
}
ETHNICITY: Choices = (
    *(pair for group in _ETHNICITIES_BY_GROUP.values() for pair in group),
    NOT_KNOWN,
    PREFER_NOT_TO_SAY,
)
# Each ethnicity value -> its ETHNIC_GROUP value (the evaluation reports the group).
ETHNICITY_GROUP: dict[str, str] = {
    **{value: group for group, pairs in _ETHNICITIES_BY_GROUP.items() for value, _ in pairs},
    "not_known": "not_known",
    "prefer_not_to_say": "prefer_not_to_say",
}

DISABILITY: Choices = (("yes", "Yes"), ("no", "No"), NOT_KNOWN, PREFER_NOT_TO_SAY)

# ONS 2021 census question (people aged 16 and over). "Not known" is not asked or not
# recorded; "Prefer not to say" is an answer the person gave: the figures keep them apart.
SEXUAL_ORIENTATION: Choices = (
    ("straight", "Straight or heterosexual"),
    ("gay_or_lesbian", "Gay or lesbian"),
    ("bisexual", "Bisexual"),
    ("other", "Another sexual orientation"),
    NOT_KNOWN,
    PREFER_NOT_TO_SAY,
)

# Adult age bands (ONS-style ten-year bands; a client is 16 or older). From the date of
# birth when it is known, else as recorded (eip.cases.equality.age_band decides).
AGE_BAND: Choices = (
    ("under_18", "Under 18"),
    ("18_24", "Aged 18 to 24"),
    ("25_34", "Aged 25 to 34"),
    ("35_44", "Aged 35 to 44"),
    ("45_54", "Aged 45 to 54"),
    ("55_64", "Aged 55 to 64"),
    ("65_plus", "Aged 65 or over"),
    NOT_KNOWN,
    PREFER_NOT_TO_SAY,
)

LANGUAGE_INTERPRETER: Choices = (
    ("yes", "Interpreter needed"),
    ("no", "No interpreter needed"),
    NOT_KNOWN,
)

RELATIONSHIP_TO_CLIENT: Choices = (
    ("partner", "Partner"),
    ("ex_partner", "Ex-partner"),
    ("spouse_or_civil_partner", "Spouse or civil partner"),
    ("ex_spouse_or_civil_partner", "Ex-spouse or ex-civil partner"),
    ("parent", "Parent"),
    ("adult_child", "Adult child"),
    ("sibling", "Sibling"),
    ("other_family_member", "Other family member"),
    ("other", "Other"),
    NOT_KNOWN,
)

LIVING_TOGETHER: Choices = (("yes", "Yes"), ("no", "No"), ("sometimes", "Sometimes"), NOT_KNOWN)

CHILDRENS_SERVICES_STATUS: Choices = (
    ("none", "None"),
    ("early_help", "Early help"),
    ("child_in_need", "Child in need"),
    ("child_protection_plan", "Child protection plan"),
    ("looked_after", "Looked after"),
    NOT_KNOWN,
)

# A child's age when the exact age in years is not known (Child.age_band).
CHILD_AGE_BAND: Choices = (
    ("unborn", "Unborn"),
    ("under_1", "Under 1"),
    ("1_to_4", "Aged 1 to 4"),
    ("5_to_10", "Aged 5 to 10"),
    ("11_to_15", "Aged 11 to 15"),
    ("16_to_17", "Aged 16 or 17"),
    NOT_KNOWN,
)

CHILD_LIVES_WITH: Choices = (
    ("client", "With the client"),
    ("partner", "With the partner"),
    ("both", "With both"),
    ("other_family", "With other family"),
    ("care", "In foster or residential care"),
    ("elsewhere", "Elsewhere"),
    NOT_KNOWN,
)

# Whether a school or nursery is known. "Not applicable" because an unborn child or a baby
# has none, and "No" there would read as a gap to chase.
CHILD_SCHOOL_KNOWN: Choices = (
    ("yes", "Yes"),
    ("no", "No"),
    ("not_applicable", "Not applicable (unborn or too young for nursery)"),
    NOT_KNOWN,
)

# How the referrer was acknowledged.
CONTACT_METHOD: Choices = (
    ("secure_email", "Secure e-mail"),
    ("phone", "Phone"),
    ("letter", "Letter"),
)

CONSULTATION_MEDIUM: Choices = (("phone", "Phone"), ("secure_video", "Secure video"))

CONSULTATION_OUTCOME: Choices = CONSULTATION_OUTCOMES
CLOSURE_OUTCOME: Choices = CLOSURE_OUTCOMES

# A withdrawal is a separate, later record; it is not a state of its own here.
CONSENT_STATE: Choices = (
    ("given", "Given"),
    ("declined", "Declined"),
    ("not_asked", "Not yet asked"),
)

CONSENT_KINDS: Choices = (
    ("intervention", "The intervention"),
    ("accommodation", "Temporary accommodation"),
    ("information_sharing", "Information sharing"),
    ("evaluation", "Anonymised data in the evaluation"),
)

HOW_CONSENT_OBTAINED: Choices = (
    ("in_person", "In person"),
    ("phone", "Phone"),
    ("video", "Video call"),
    ("via_social_worker", "Through the social worker"),
    ("written", "In writing"),
)

INCIDENT_SOURCE: Choices = (
    ("police_callout", "Police call-out"),
    ("client_disclosure", "Disclosure by the client"),
    ("partner_disclosure", "Disclosure by the partner"),
    ("other_agency", "Report from another agency"),
    ("other", "Other"),
)

SESSION_ATTENDANCE: Choices = (
    ("attended", "Attended"),
    ("did_not_attend", "Did not attend"),
    ("cancelled_by_client", "Cancelled by the client"),
    ("cancelled_by_practitioner", "Cancelled by the practitioner"),
)

ONWARD_REFERRAL_AGENCY: Choices = (
    ("dvpp", "Domestic violence perpetrator programme (DVPP)"),
    ("idva", "Independent domestic violence adviser (IDVA)"),
    ("marac", "MARAC"),
    ("victim_services", "Victim services"),
    ("other", "Other"),
)

ONWARD_REFERRAL_STATUS: Choices = (
    ("planned", "Planned"),
    ("made", "Made"),
    ("accepted", "Accepted"),
    ("declined", "Declined"),
)

# The same levels as eip.cases.dash.LEVELS.
RISK_LEVEL: Choices = (("standard", "Standard"), ("medium", "Medium"), ("high", "High"))

LIVING_ARRANGEMENTS_AT_CLOSURE: Choices = (
    ("living_together", "Living together"),
    ("living_apart", "Living apart"),
    ("client_in_temp_accommodation", "Client in temporary accommodation"),
    ("other", "Other"),
    NOT_KNOWN,
)

# Case notes and the partner support log (eip.cases.contact_services): whether contact was
# made, and how. An attempt is a contact not made: it keeps its method and its outcome.
CONTACT_MADE = ("made", "Contact made")
CONTACT_ATTEMPTED = ("attempted", "Attempted: no contact made")
PARTNER_CONTACT: Choices = (CONTACT_MADE, CONTACT_ATTEMPTED)
NOTE_CONTACT: Choices = (CONTACT_MADE, CONTACT_ATTEMPTED, ("none", "No contact: a note only"))

CONTACT_MEANS: Choices = (
    ("in_person", "In person"),
    ("phone", "Phone"),
    ("video", "Video call"),
    ("text_message", "Text message"),
    ("email", "E-mail"),
    ("letter", "Letter"),
    ("other", "Other"),
)

PARTNER_SUPPORT_WITH: Choices = (
    ("partner", "The partner"),
    ("support_worker", "The partner's support worker"),
)

RISK_CHANGE: Choices = (
    ("increased", "Increased"),
    ("no_change", "No change"),
    ("decreased", "Decreased"),
    NOT_KNOWN,
)

# Every list by name: for tests and for anything that documents the codes.
ALL: dict[str, Choices] = {
    "YES_NO_NOT_KNOWN": YES_NO_NOT_KNOWN,
    "GENDER": GENDER,
    "ETHNIC_GROUP": ETHNIC_GROUP,
    "ETHNICITY": ETHNICITY,
    "DISABILITY": DISABILITY,
    "SEXUAL_ORIENTATION": SEXUAL_ORIENTATION,
    "AGE_BAND": AGE_BAND,
    "LANGUAGE_INTERPRETER": LANGUAGE_INTERPRETER,
    "RELATIONSHIP_TO_CLIENT": RELATIONSHIP_TO_CLIENT,
    "LIVING_TOGETHER": LIVING_TOGETHER,
    "CHILDRENS_SERVICES_STATUS": CHILDRENS_SERVICES_STATUS,
    "CHILD_AGE_BAND": CHILD_AGE_BAND,
    "CHILD_LIVES_WITH": CHILD_LIVES_WITH,
    "CHILD_SCHOOL_KNOWN": CHILD_SCHOOL_KNOWN,
    "CONTACT_METHOD": CONTACT_METHOD,
    "CONSULTATION_MEDIUM": CONSULTATION_MEDIUM,
    "CONSULTATION_OUTCOME": CONSULTATION_OUTCOME,
    "CLOSURE_OUTCOME": CLOSURE_OUTCOME,
    "CONSENT_STATE": CONSENT_STATE,
    "CONSENT_KINDS": CONSENT_KINDS,
    "HOW_CONSENT_OBTAINED": HOW_CONSENT_OBTAINED,
    "INCIDENT_SOURCE": INCIDENT_SOURCE,
    "SESSION_ATTENDANCE": SESSION_ATTENDANCE,
    "ONWARD_REFERRAL_AGENCY": ONWARD_REFERRAL_AGENCY,
    "ONWARD_REFERRAL_STATUS": ONWARD_REFERRAL_STATUS,
    "RISK_LEVEL": RISK_LEVEL,
    "LIVING_ARRANGEMENTS_AT_CLOSURE": LIVING_ARRANGEMENTS_AT_CLOSURE,
    "PARTNER_CONTACT": PARTNER_CONTACT,
    "NOTE_CONTACT": NOTE_CONTACT,
    "CONTACT_MEANS": CONTACT_MEANS,
    "PARTNER_SUPPORT_WITH": PARTNER_SUPPORT_WITH,
    "RISK_CHANGE": RISK_CHANGE,
}


def values(choices: Choices) -> tuple[str, ...]:
    """The stored values, in order: for validating input."""
    return tuple(value for value, _ in choices)


def label(choices: Choices, value: str | None) -> str:
    """The label for a stored value; "" for none, a tidied value for one no longer listed.

    Display must not break when a list is reworded after records were saved.
    """
    if value is None or value == "":
        return ""
    for known, text in choices:
        if known == value:
            return text
    return value.replace("_", " ").capitalize()
