"""The documents that open and close a case: the acknowledgement to the referrer and the
case closure summary. Each turns its plain data into a story of flowables."""

from __future__ import annotations

from reportlab.platypus import Flowable

from eip.cases.documents_data import AcknowledgementData, ClosureData
from eip.cases.documents_layout import (
    case_table,
    day,
    notes_table,
    opening,
    or_not_recorded,
    referrals_table,
)
from eip.formatting import london_datetime, long_date, weekday_date
from eip.pdf import styles
from eip.pdf.letterhead import letter_heading
from eip.pdf.styles import escape_text, heading, labelled, markup, para
from eip.pdf.tables import summary_table

ACKNOWLEDGEMENT_TITLE = "Acknowledgement of referral"
CLOSURE_TITLE = "Case closure summary"


def _consultation(data: AcknowledgementData) -> tuple[str, str]:
    """What the letter says about the case consultation, and the summary's line for it:
    an offer only while none is booked or held and the case is open, so a reprint never
    offers what has already happened."""
    if data.consultation_held_on:
        held = weekday_date(data.consultation_held_on)
        return (
            f"The case consultation was held on {held}. Please contact me, quoting the "
            "reference, about anything that has changed for the family since.",
            f"Held on {held}",
        )
    if data.consultation_booked_for:
        when = london_datetime(data.consultation_booked_for)
        return (
            f"The case consultation is booked for {when} (London time). If that no longer "
            "suits you, please contact me and we will find another time.",
            f"Booked for {when}",
        )
    if data.closed_on:
        closed = long_date(data.closed_on)
        return (f"The referral was closed on {closed}.", f"None: closed on {closed}")
    return (
        "I would like to offer you a case consultation, by phone or secure video, so that "
        "we can talk through the family's situation and agree together whether and how "
        "the project can help. Please reply with two or three times that suit you in the "
        "next week.",
        "Offered: by phone or secure video",
    )


def acknowledgement_story(data: AcknowledgementData) -> list[Flowable]:
    """A letter to the referrer, dated the day the referral was acknowledged and signed by
    the allocated practitioner. The reference stands in for names: the letter may be
    forwarded, so it holds nothing about the client or the partner."""
    contact = data.contact
    to = [data.referrer_name, data.referrer_team or f"{data.borough} children's services"]
    consultation, consultation_line = _consultation(data)
    story: list[Flowable] = [
        *opening(ACKNOWLEDGEMENT_TITLE, f"Early Intervention Project referral {data.reference}"),
        letter_heading(para("\n".join(v for v in to if v)), contact),
        styles.gap(4),
        labelled("Date", long_date(data.letter_date)),
        labelled("Our reference", data.reference),
        styles.gap(8),
        para(f"Dear {data.referrer_name}," if data.referrer_name else "Hello,"),
        para(
            "Thank you for your referral to the Early Intervention Project, received on "
            f"{weekday_date(data.received_on)}. Its reference is {data.reference}. Please use "
            "this reference, not names, whenever you write to us about this family."
        ),
        para(consultation),
    ]
    if data.late and not (data.closed_on or data.consultation_held_on):
        # Still waiting for the three organisations; once decided, the case has moved on.
        story.append(
            para(
                "The referral reached us outside the programme's referral window, so it needs "
                "the agreement of Cranstoun, Respect/SafeLives and Camden before the "
                "intervention can go ahead. I will let you know as soon as a decision is made."
            )
        )
    story += [
        para("Kind regards,"),
        para(
            f"{data.practitioner_name}\nEarly Intervention Practitioner\n"
            f"{contact.organisation}\n{data.practitioner_email}\nPhone: {contact.phone}"
        ),
        *heading("Summary"),
        summary_table(
            [
                ("Case reference", data.reference),
                ("Date received", weekday_date(data.received_on)),
                ("Referring borough", data.borough),
                ("Case consultation", consultation_line),
                ("Your contact", data.practitioner_name),
                ("Contact e-mail", data.practitioner_email),
                ("Phone", contact.phone),
            ]
        ),
        styles.gap(10),
        para(
            "This letter holds the case reference only. Send anything about the family by "
            "secure e-mail, quoting the reference.",
            styles.SMALL,
        ),
    ]
    return story


def refused_story(data: ClosureData) -> list[Flowable]:
    """The short summary of a case closed because its late referral was refused."""
    refusal = data.refusal
    assert refusal is not None
    closed_on = dict(data.key_dates)["Case closed"]
    return [
        *opening(CLOSURE_TITLE, f"Closed on {day(closed_on)}. Outcome: late referral refused."),
        case_table(data.case),
        *heading("How the case ended"),
        para(
            "The referral reached the project outside the programme's referral window. "
            "Cranstoun, Respect/SafeLives and Camden did not agree to it going ahead, so the "
            "case was closed without an intervention."
        ),
        summary_table(
            [
                ("Outcome", "Late referral refused"),
                ("Refused on", day(refusal.decided_on)),
                ("Why it was refused", or_not_recorded(refusal.note)),
            ]
        ),
        *heading("Key dates"),
        summary_table([(label, day(value)) for label, value in data.key_dates if value]),
        *heading("Case notes and contacts"),
        notes_table(data.notes),
    ]


def stays_table(data: ClosureData) -> list[Flowable]:
    if not data.stays:
        return [para("No temporary accommodation was approved for this case.")]
    rows: list[tuple[str, str]] = []
    for stay in data.stays:
        rows += [
            ("Placement", f"{stay.provider}: {stay.state}"),
            ("Dates", stay.dates),
            ("Nights", stay.nights),
            ("Cost", stay.cost),
        ]
    return [summary_table(rows)]


def closure_story(data: ClosureData) -> list[Flowable]:
    if data.refusal is not None:
        return refused_story(data)
    closed_on = dict(data.key_dates)["Case closed"]
    attended = f"{data.sessions} ({data.sessions_attended} attended)"
    first, last = (data.reviews[0], data.reviews[-1]) if data.reviews else (None, None)
    dash = (
        f"{len(data.reviews)}: score {first.score} at the first, {last.score} at the last"
        if first and last
        else "None"
    )
    last_dash = (
        f"Score {last.score}, {last.level} risk ({day(last.completed_on)})" if last else "None"
    )
    checks = [markup(f"<b>Check:</b> {escape_text(flag)}") for flag in data.flags]
    return [
        *opening(CLOSURE_TITLE, f"Closed on {day(closed_on)}. Outcome: {data.outcome}."),
        case_table(data.case),
        *heading("How the case ended"),
        *checks,
        summary_table(
            [
                ("Outcome", data.outcome),
                ("Consultation outcome", or_not_recorded(data.consultation_outcome)),
                ("Risk at closure", data.risk_at_closure),
                ("Last DASH review", last_dash),
                ("Living arrangements", data.living_arrangements),
                ("Children's services at closure", data.childrens_services),
                ("Police call-outs since the referral", or_not_recorded(data.police_callouts)),
                ("Reason for closure", or_not_recorded(data.reason)),
                *([("Why closed at high risk", data.risk_reason)] if data.risk_reason else []),
            ]
        ),
        *heading("Key dates"),
        summary_table([(label, day(value)) for label, value in data.key_dates]),
        *heading("The work in numbers"),
        summary_table(
            [
                ("Intervention sessions", attended),
                ("Professionals meetings", str(data.meetings)),
                ("Incidents recorded", str(data.incidents)),
                ("DASH reviews", dash),
            ]
        ),
        *heading("Temporary accommodation"),
        *stays_table(data),
        *heading("Onward referrals"),
        referrals_table(data.onward_referrals),
        *heading("Case notes and contacts"),
        notes_table(data.notes),
    ]
