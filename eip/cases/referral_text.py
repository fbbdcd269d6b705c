"""The acknowledgement message a practitioner pastes into their reply to the referrer.

Pure text: the case reference, the date received and the practitioner's own
details. Never the client's or the partner's: the reference is used instead of
names in everything that leaves the service.
"""

from __future__ import annotations

from datetime import date

from eip.formatting import weekday_date


def acknowledgement_text(
    *,
    reference: str,
    received_on: date | None,
    referrer_name: str | None,
    practitioner_name: str,
    practitioner_email: str,
    late: bool,
) -> str:
    greeting = f"Dear {referrer_name}," if referrer_name else "Hello,"
    received = f", received on {weekday_date(received_on)}" if received_on else ""
    paragraphs = [
        f"Subject: Early Intervention Project referral {reference}",
        greeting,
        (
            f"Thank you for your referral to the Early Intervention Project{received}. "
            f"Its reference is {reference}. Please use this reference, not names, "
            "whenever you write to us about this family."
        ),
        (
            "I would like to offer you a case consultation, by phone or secure video, "
            "so that we can talk through the family's situation and agree together "
            "whether and how the project can help. Please reply with two or three times "
            "that suit you in the next week."
        ),
    ]
    if late:
        paragraphs.append(
            "The referral reached us outside the programme's referral window, so it needs "
            "the agreement of Cranstoun, Respect/SafeLives and Camden before the "
            "intervention can go ahead. I will let you know as soon as a decision is made."
        )
    paragraphs.append(
        "\n".join(
            [
                "Kind regards,",
                practitioner_name,
                "Early Intervention Practitioner, Cranstoun",
                practitioner_email,
            ]
        )
    )
    return "\n\n".join(paragraphs)
