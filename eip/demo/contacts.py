"""Demo case notes, contacts with the client and the partner support log: on every case in
its intervention, a contact and an attempted contact with the client and a note, a sensitive
note on every third case, and the partner support worker's contacts (an attempt among them)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases.records import CaseNote, PartnerSupportContact

SUPPORT_WORKER = "Jess Fictional (partner support worker)"


def add_contacts(
    session: Session, case_id: int, who: User, start: date, last_day: date, n: int
) -> None:
    day = min(start + timedelta(days=3), last_day)
    later = min(start + timedelta(days=10), last_day)
    session.add_all(
        [
            CaseNote(
                case_id=case_id,
                noted_on=day,
                contact="attempted",
                method="phone",
                outcome="No answer; no message left, as agreed with the client",
                recorded_by_id=who.id,
            ),
            CaseNote(
                case_id=case_id,
                noted_on=day,
                contact="made",
                method="phone",
                outcome="Session time confirmed for next week",
                note="Client said the week had been calmer and asked about the next session.",
                recorded_by_id=who.id,
            ),
            CaseNote(
                case_id=case_id,
                noted_on=later,
                contact="none",
                note="Social worker confirmed by e-mail that the school has no concerns.",
                recorded_by_id=who.id,
            ),
            PartnerSupportContact(
                case_id=case_id,
                contacted_on=day,
                made_by=SUPPORT_WORKER,
                with_whom="partner",
                contact="attempted",
                method="phone",
                outcome="No answer at the agreed safe time; will try again tomorrow",
                risk_change="not_known",
                recorded_by_id=who.id,
            ),
            PartnerSupportContact(
                case_id=case_id,
                contacted_on=min(day + timedelta(days=1), last_day),
                made_by=SUPPORT_WORKER,
                with_whom="partner",
                contact="made",
                method="phone",
                outcome="Safety plan reviewed; the partner feels safer since the sessions began",
                risk_change="decreased" if n % 2 else "no_change",
                recorded_by_id=who.id,
            ),
        ]
    )
    if n % 3 == 0:
        session.add(
            CaseNote(
                case_id=case_id,
                noted_on=later,
                contact="made",
                method="in_person",
                outcome="Disclosure discussed with the manager",
                note="Client disclosed a past conviction not known to the referrer.",
                sensitive=True,
                recorded_by_id=who.id,
            )
        )
    if n % 6 == 2:  # the high-risk cases: the support worker raises the risk
        session.add(
            PartnerSupportContact(
                case_id=case_id,
                contacted_on=later,
                made_by=SUPPORT_WORKER,
                with_whom="support_worker",
                contact="made",
                method="video",
                outcome="The partner's IDVA reports new threats by text",
                risk_change="increased",
                onward_support="Referred to the local IDVA service; MARAC referral discussed",
                recorded_by_id=who.id,
            )
        )
