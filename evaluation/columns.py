"""Every column of every file in an extract: its meaning, type and allowed values.

One definition serves the CSV headers, the rows (which must fill exactly these) and the
data dictionary, so the dictionary cannot fall behind the data.
"""

from __future__ import annotations

from dataclasses import dataclass

from eip.cases import choices, outcome_data, outcomes
from eip.cases.rules import STATES
from evaluation import coarsen, disclosure, referral_timeliness

PERSONAL_DATA_NOTICE = (
    "This extract is pseudonymised data, still personal data under UK GDPR: the programme "
    "holds the key that links each pseudonymous ID back to a case. Keep it only where your "
    "data sharing agreement allows, do not try to identify anyone, and do not link it with "
    "other data about the people in it."
)

DAYS = "integer (days; may be negative if recorded before the referral)"
COUNT = "integer (0 or more)"
YES_NO = ("yes", "no")


def _codes(pairs: choices.Choices) -> tuple[str, ...]:
    return choices.values(pairs)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    meaning: str
    allowed: tuple[str, ...] = ()
    blank: str = ""  # what an empty value means, if it can be empty

    def allowed_text(self) -> str:
        text = ", ".join(self.allowed) if self.allowed else "—"
        if self.blank:
            text += f"; empty: {self.blank}"
        return text


ANY_OR_SUPPRESSED = (disclosure.ANY, disclosure.SUPPRESSED)
AGE_WIDER = ("under_35", "35_54", "55_plus")
ETHNIC_WIDER = ("white", "asian_black_mixed_or_other")
PATHWAYS = (*_codes(choices.CONSULTATION_OUTCOME), "none")
STAGES = STATES
OUTCOMES = (*_codes(choices.CLOSURE_OUTCOME), "open")
COMPLETION = ("completed", "dropped_out", "ended_otherwise", "open", "not_applicable")

QUASI = (
    " A quasi-identifier: generalised for this release (see the disclosure report); "
    "“any” means not shown at this release's level, “suppressed” means hidden for this row."
)

TIMELINESS_MEANING = (
    "met: made by the due date; missed: made after it, or not made and the due date has "
    "passed; pending: not made and not yet due; not_made: the case closed with the referral "
    "recorded as no longer needed before it was due; not_due: no referral of this kind was "
    "called for (or one called for earlier was still open). The due date is the one set when "
    "the review was recorded, under the programme's settings then (1 working day for the "
    "IDVA service and 2 for MARAC by default)."
)
WORKING_DAYS = (
    f"integer (0-{coarsen.WORKING_DAYS_TOP}; {coarsen.WORKING_DAYS_TOP} means "
    f"{coarsen.WORKING_DAYS_TOP} or more; weekends, bank holidays in England and the "
    "managers' extra non-working days excluded)"
)
_TOP = coarsen.CHILDREN_TOP
CHILDREN = f"integer (0-{_TOP}; {_TOP} means {_TOP} or more)"
CHILD_BAND_WORDS = {
    "unborn": "not yet born",
    "under_1": "aged under 1",
    "1_to_4": "aged 1 to 4",
    "5_to_10": "aged 5 to 10",
    "11_to_15": "aged 11 to 15",
    "16_to_17": "aged 16 or 17",
    coarsen.NOT_KNOWN: "whose age is not known",
}

CASE_COLUMNS: tuple[Column, ...] = (
    Column("case_id", "text (20 hexadecimal characters)",
           "Pseudonymous case ID: a keyed hash of the case, the same in every release. "
           "A client referred twice has two case IDs."),
    Column("age_band", "code", "The client's age on the referral date, in bands." + QUASI,
           (*coarsen.AGE_BAND_VALUES, *AGE_WIDER, coarsen.NOT_KNOWN, *ANY_OR_SUPPRESSED)),
    Column("gender", "code", "The client's gender." + QUASI,
           (*coarsen.GENDER_VALUES, *ANY_OR_SUPPRESSED)),
    Column("ethnic_group", "code",
           "The client's ethnic group, ONS 2021 high-level groups." + QUASI,
           (*coarsen.ETHNIC_GROUP_VALUES, *ETHNIC_WIDER, *ANY_OR_SUPPRESSED)),
    Column("borough", "text", "The referring borough." + QUASI,
           ("a London borough's name", disclosure.OTHER_BOROUGH, *ANY_OR_SUPPRESSED)),
    Column("referral_period", "text",
           "When the referral was received: a month (2026-09), or at a coarser release a "
           "quarter (2026-Q3) or financial year (2026-27)." + QUASI,
           ("YYYY-MM", "YYYY-Qn", "YYYY-YY", *ANY_OR_SUPPRESSED)),
    Column("partner_age_band", "code",
           "The partner's age on the referral date (from the date of birth when known, "
           "else the band recorded), in bands, at the same level as the client's." + QUASI,
           (*coarsen.AGE_BAND_VALUES, *AGE_WIDER, coarsen.NOT_KNOWN, *ANY_OR_SUPPRESSED)),
    Column("partner_gender", "code",
           "The partner's gender, at the same level as the client's." + QUASI,
           (*coarsen.GENDER_VALUES, *ANY_OR_SUPPRESSED)),
    Column("partner_ethnic_group", "code",
           "The partner's ethnic group, ONS 2021 high-level groups, at the same level as "
           "the client's." + QUASI,
           (*coarsen.ETHNIC_GROUP_VALUES, *ETHNIC_WIDER, *ANY_OR_SUPPRESSED)),
    Column("pathway", "code", "The outcome of the case consultation: the pathway taken.",
           PATHWAYS, "—"),
    Column("case_stage", "code", "Where the case is on the pathway when the extract was made.",
           STAGES),
    Column("closure_outcome", "code", "How the case closed; open while it has not.", OUTCOMES),
    Column("completion", "code",
           "For cases that had the intervention: completed, dropped out (disengaged or "
           "withdrew consent), ended otherwise (risk escalated, other), or still open. "
           "Other pathways: not_applicable.", COMPLETION),
    Column("risk_at_intake", "code", "Risk level at the first DASH review.",
           _codes(choices.RISK_LEVEL), "no DASH review"),
    Column("risk_at_closure", "code", "Risk level recorded at closure.",
           _codes(choices.RISK_LEVEL), "open, or not recorded"),
    Column("days_to_acknowledgement", DAYS,
           "Days from the referral to its acknowledgement.", (), "not acknowledged"),
    Column("acknowledged_within_target", "yes/no",
           "Acknowledged within the programme's target in working days (weekends, bank "
           "holidays in England and the managers' extra non-working days excluded).",
           YES_NO, "not acknowledged"),
    Column("days_to_consultation", DAYS,
           "Days from the referral to the case consultation being held.", (), "not held"),
    Column("days_to_intervention_start", DAYS,
           "Days from the referral to the start of the intervention (both consents given).",
           (), "not started"),
    Column("intervention_days", "integer (days)",
           "Days from the start of the intervention to closure.", (),
           "not started, or still open"),
    Column("days_to_closure", DAYS, "Days from the referral to closure.", (), "open"),
    Column("sessions_offered", COUNT,
           "1:1 sessions offered: every session recorded except those the practitioner "
           "cancelled."),
    Column("sessions_attended", COUNT, "1:1 sessions the client attended."),
    Column("meetings_held", COUNT, "Professionals meetings held."),
    Column("dash_review_count", COUNT, "DASH reviews completed."),
    Column("dash_score_first", "integer (0-24)", "Score (count of “yes”) at the first DASH "
           "review.", (), "no DASH review"),
    Column("dash_score_last", "integer (0-24)", "Score at the latest DASH review.", (),
           "no DASH review"),
    Column("dash_scores_by_review", "text (integers 0-24 separated by ;)",
           "Every DASH score in review order (review 1;review 2;…). The dash_reviews file "
           "has one row per review.", (), "no DASH review"),
    Column("marac_referral", "yes/no", "An onward referral to MARAC was recorded.", YES_NO),
    Column("idva_referral", "yes/no", "An onward referral to the IDVA service was recorded.",
           YES_NO),
    Column("childrens_services_at_referral", "code",
           "Children's services involvement at referral.",
           _codes(choices.CHILDRENS_SERVICES_STATUS), "not recorded"),
    Column("childrens_services_at_closure", "code",
           "Children's services involvement at closure.",
           _codes(choices.CHILDRENS_SERVICES_STATUS), "open, or not recorded"),
    Column("police_callouts_before_referral", "integer (0-5; 5 means 5 or more)",
           "Police call-outs in the 12 months before the referral.", (), "not recorded"),
    Column("police_callouts_while_open", "integer (0-5; 5 means 5 or more)",
           "Incidents recorded as police call-outs from the referral to closure (or now)."),
    Column("accommodation_used", "yes/no",
           "The client checked in to temporary accommodation.", YES_NO),
    Column("accommodation_nights", COUNT,
           "Nights of temporary accommodation: nights stayed for ended stays, nights approved "
           "for a stay still running."),
    Column("accommodation_cost_band", "code",
           "What the case's accommodation cost the pot (VAT included): what was committed or "
           "invoiced, whichever is more, in pounds.", coarsen.COST_BAND_VALUES),
    Column("living_arrangements_at_closure", "code", "Living arrangements at closure.",
           _codes(choices.LIVING_ARRANGEMENTS_AT_CLOSURE), "open, or not recorded"),
    *(
        column
        for agency, target in (("idva", "IDVA service"), ("marac", "MARAC"))
        for column in (
            Column(f"{agency}_referral_timeliness", "code",
                   f"Whether the referral to the {target} called for by the case's first DASH "
                   f"review to call for one was made within its target of working days. "
                   + TIMELINESS_MEANING, referral_timeliness.STATES),
            Column(f"{agency}_referral_working_days", WORKING_DAYS,
                   f"Working days from that DASH review to the referral to the {target}.",
                   (), "not made"),
        )
    ),
    *(
        Column(f"children_{band}", CHILDREN,
               f"The family's children {CHILD_BAND_WORDS[band]}, as recorded in the tracker "
               "(never an exact age).")
        for band in coarsen.CHILD_AGE_BAND_VALUES
    ),
)  # fmt: skip

EVENTS = (
    "acknowledged",
    "late_referral_decision",
    "consultation_held",
    "consent_recorded",
    "consent_withdrawn",
    "intervention_started",
    "session",
    "professionals_meeting",
    "dash_review",
    "incident",
    "onward_referral",
    "accommodation_requested",
    "accommodation_checked_in",
    "accommodation_moved_out",
    "closed",
)

EVENT_COLUMNS: tuple[Column, ...] = (
    Column("case_id", "text", "Pseudonymous case ID, as in cases.csv."),
    Column("day", DAYS, "Days from the referral to the event."),
    Column("event", "code", "What happened.", EVENTS),
    Column("detail", "code",
           "A coded detail: acknowledged — how; late_referral_decision — agreed/refused; "
           "consultation_held — the pathway; consent_* — person:purpose:state; session — "
           "attendance; dash_review — risk level; incident — source; onward_referral — "
           "agency:status; accommodation_requested — what became of the request; "
           "accommodation_moved_out — early/at_term; closed — the closure outcome.",
           (), "no detail for this event"),
)  # fmt: skip

DASH_COLUMNS: tuple[Column, ...] = (
    Column("case_id", "text", "Pseudonymous case ID, as in cases.csv."),
    Column("review_number", "integer (1 or more)", "The review's place in the case's order."),
    Column("day", DAYS, "Days from the referral to the review."),
    Column("score", "integer (0-24)", "Count of “yes” answers on the 24-question checklist."),
    Column("risk_level", "code", "The risk level the review found.",
           _codes(choices.RISK_LEVEL)),
    Column("professional_judgement_high", "yes/no",
           "High risk by professional judgement, whatever the score.", YES_NO),
    Column("police_callouts_12_months", "integer (0-5; 5 means 5 or more)",
           "Police call-outs in the 12 months before the review."),
    Column("high_risk_threshold", "integer (0-24)",
           "The high-risk threshold (a score at or above it is high risk, calling for a "
           "referral to the IDVA service) in force when the review was made, as recorded "
           "with it."),
    Column("marac_threshold", "integer (0-24)",
           "The MARAC threshold in force when the review was made, as recorded with it."),
    *(
        column
        for agency, target in (("idva", "IDVA service"), ("marac", "MARAC"))
        for column in (
            Column(f"{agency}_referral_timeliness", "code",
                   f"Whether the referral to the {target} this review called for was made "
                   "within its target of working days. " + TIMELINESS_MEANING,
                   referral_timeliness.STATES),
            Column(f"{agency}_referral_working_days", WORKING_DAYS,
                   f"Working days from this review to the referral to the {target}.",
                   (), "not made"),
        )
    ),
)  # fmt: skip

_FREQUENCY = (*dict.fromkeys(outcome_data.FREQUENCY_BANDS.values()), outcome_data.NOT_KNOWN)
_PARTNER = (outcome_data.NOT_ASKED, outcome_data.NOT_KNOWN)
_SOURCES = tuple(s["value"] for s in outcomes.data()["partner_source"])
_EXPOSURES = tuple(c["value"] for c in outcomes.data()["children_exposure"])
_CHANGE = ("fell", "no_change", "rose", outcome_data.NOT_KNOWN)
FREQUENCY_MEANING = (
    "none: not at all; occasional: once, or two or three times; regular: about monthly or "
    "weekly; daily: most days"
)
OUTCOME_COLUMNS: tuple[Column, ...] = (
    Column("case_id", "text", "Pseudonymous case ID, as in cases.csv."),
    Column("point", "code",
           "The measurement point: intake, mid-point, exit, or 3 or 6 months after closure.",
           outcomes.POINTS),
    Column("weeks_since_referral", "code",
           "Whole weeks from the referral to the measurement, in bands (never a day).",
           coarsen.WEEK_BAND_VALUES),
    *(
        Column(f"client_{b.name}", "code",
               f"How often the client behaved in this way in the last 3 months: {b.label} "
               f"({FREQUENCY_MEANING}).", _FREQUENCY)
        for b in outcomes.behaviours()
    ),
    Column("behaviour_score", "code",
           "The client's abusive behaviour over the 8 kinds: the sum of their places on the "
           "0-5 frequency scale (0-40), in bands; not_known when any kind is not known.",
           ("0", "1-5", "6-10", "11-20", "21-40", outcome_data.NOT_KNOWN)),
    Column("partner_asked", "code",
           "Whether the partner gave their own report (yes, through the practitioner or their "
           "support worker), or why not: not_safe (not safe to ask) or declined.",
           ("yes", *(s for s in _SOURCES if not outcomes.partner_asked(s)))),
    Column("partner_feels_safe", "code",
           "How safe the partner feels, 0-10, in bands.", ("0-3", "4-6", "7-10", *_PARTNER)),
    Column("partner_abuse_frequency", "code",
           f"How often the partner says abuse happened in the last 3 months ({FREQUENCY_MEANING}).",
           (*_FREQUENCY, outcome_data.NOT_ASKED)),
    Column("partner_quality_of_life", "code",
           "The partner's quality of life: poor (1-2 of 5), neither (3), good (4-5).",
           ("poor", "neither", "good", *_PARTNER)),
    Column("children_exposure", "code", "The children's exposure to the abuse.",
           _EXPOSURES),
    Column("behaviour_change", "code",
           "The behaviour score's change from the intake measurement to this one (fell is "
           "better); not_known at intake, without an intake measurement, or when either score "
           "is not known.", _CHANGE),
    Column("partner_feels_safe_change", "code",
           "How safe the partner feels, change from the intake measurement to this one (rose "
           "is better); not_known as for behaviour_change, or when the partner was not asked "
           "at either.", _CHANGE),
)  # fmt: skip

FILES: tuple[tuple[str, str, tuple[Column, ...]], ...] = (
    ("cases.csv", "One row per case referred in the period.", CASE_COLUMNS),
    ("events.csv", "One row per recorded event of those cases, in day order.", EVENT_COLUMNS),
    ("dash_reviews.csv", "One row per DASH review of those cases.", DASH_COLUMNS),
    (
        "outcomes.csv",
        "One row per outcome measurement of those cases (docs/outcomes.md), by "
        "measurement point, every answer in bands.",
        OUTCOME_COLUMNS,
    ),
)


def names(columns: tuple[Column, ...]) -> list[str]:
    return [column.name for column in columns]
