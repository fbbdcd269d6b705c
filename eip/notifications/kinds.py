"""What each kind of notification is called: in the app, and in e-mails.

In-app wording is for the people who may see the case (practitioners, managers) or the
invoices (finance). E-mail wording leaves our systems, so it is fixed text with the due
date and the case reference only (a placement is named by its case, as eip.vocabulary
names it): never a name, a risk detail or free text.
"""

from __future__ import annotations

from dataclasses import dataclass

ESCALATED = "_escalated"


@dataclass(frozen=True)
class Kind:
    label: str  # in the app, for practitioners, managers or finance
    # In e-mails: fixed wording, the due date and ids only; never a name, a risk
    # detail or free text (an IDVA referral would tell the reader the risk is high).
    mail: str
    # "case", "placement", "invoices", "settings", "approvals", "unassigned", "data_requests",
    # "subject_access"
    link: str
    # An e-mail subject when the label would say too much (an IDVA referral is a risk detail).
    subject: str | None = None
    # A notice of something that happened, made by the service that did it, rather than a
    # reminder of a deadline: the reminders job never closes it (it has no deadline to be
    # met); it stays new until its reader marks it read.
    event: bool = False
    # An event notice that asks the reader to act (a request waiting for a decision): the
    # service that deals with it closes it (`eip.notifications.events.close_waiting`), so
    # nobody is told of work already done.
    waiting: bool = False

    @property
    def mail_subject(self) -> str:
        return self.subject or self.label


KINDS: dict[str, Kind] = {
    "acknowledgement_due": Kind(
        "Acknowledgement due", "the referral must be acknowledged by {due}", "case"
    ),
    "acknowledgement_overdue": Kind(
        "Acknowledgement overdue",
        "the referral's acknowledgement is overdue (it was due on {due})",
        "case",
    ),
    "consultation_not_booked": Kind(
        "Case consultation not booked",
        "the case consultation is not booked yet (it was due to be booked by {due})",
        "case",
    ),
    "meeting_due": Kind(
        "Professionals meeting due", "the professionals meeting is due by {due}", "case"
    ),
    "meeting_overdue": Kind(
        "Professionals meeting overdue",
        "the professionals meeting is overdue (it was due on {due})",
        "case",
    ),
    "dash_review_due": Kind("DASH review due", "a DASH review is due by {due}", "case"),
    "dash_review_overdue": Kind(
        "DASH review overdue", "a DASH review is overdue (it was due on {due})", "case"
    ),
    # Whose plan is not said, in the app or by e-mail: the case page names it.
    "safety_plan_review_due": Kind(
        "Safety plan review due", "a safety plan review is due by {due}", "case"
    ),
    "safety_plan_review_overdue": Kind(
        "Safety plan review overdue",
        "a safety plan review is overdue (it was due on {due})",
        "case",
    ),
    # Outcome measures (eip/cases/outcomes.py): which point, in the app only by the case page.
    "outcome_measures_due": Kind(
        "Outcome measures due", "outcome measures are due by {due}", "case"
    ),
    "outcome_measures_overdue": Kind(
        "Outcome measures overdue",
        "outcome measures are overdue (they were due on {due})",
        "case",
    ),
    "outcome_followup_due": Kind(
        "Follow-up outcome measures due",
        "follow-up outcome measures on a closed case are due by {due}",
        "case",
    ),
    "outcome_followup_overdue": Kind(
        "Follow-up outcome measures overdue",
        "follow-up outcome measures on a closed case are overdue (they were due on {due})",
        "case",
    ),
    "idva_referral_overdue": Kind(
        "IDVA referral overdue",
        "an urgent action is overdue (it was due on {due})",
        "case",
        subject="Urgent action overdue",
    ),
    "marac_referral_overdue": Kind(
        "MARAC referral overdue",
        "an urgent action is overdue (it was due on {due})",
        "case",
        subject="Urgent action overdue",
    ),
    "consent_review_overdue": Kind(
        "Urgent case review overdue",
        "an urgent action is overdue (it was due on {due})",
        "case",
        subject="Urgent action overdue",
    ),
    "plan_action_overdue": Kind(
        "Action overdue", "an action is overdue (it was due on {due})", "case"
    ),
    "placement_ending": Kind("Placement ending soon", "the placement ends on {due}", "placement"),
    "placement_end_passed": Kind(
        "Placement end date passed without a move-out",
        "the placement was due to end on {due} and no move-out is recorded",
        "placement",
    ),
    "return_home_review_due": Kind(
        "Return-home review due",
        "the placement's return-home review is due before {due}",
        "placement",
    ),
    # A rectification or erasure request: one calendar month from receipt (eip.privacy).
    "data_request_due": Kind(
        "Data request due soon",
        "a rectification or erasure request must be answered by {due}",
        "data_requests",
    ),
    "data_request_overdue": Kind(
        "Data request overdue",
        "a rectification or erasure request is overdue (it was due on {due})",
        "data_requests",
    ),
    "invoice_unpaid": Kind(
        "Invoice unpaid",
        "invoice {invoice} is unpaid (payment was due by {due})",
        "invoices",
    ),
    "referral_window_closing": Kind(
        "Referral window closing", "the referral window closes on {due}", "settings"
    ),
    # To the managers (eip/privacy/subject_access.py): the statutory month is running out.
    "subject_access_due": Kind(
        "Subject access request due", "a subject access request is due by {due}", "subject_access"
    ),
    "subject_access_overdue": Kind(
        "Subject access request overdue",
        "a subject access request is overdue (it was due on {due})",
        "subject_access",
    ),
    # To the SPOCs of the placement's borough (accommodation/stay/notices.py): they may see
    # the case reference and the placement, never why consent was withdrawn.
    "placement_consent_withdrawn": Kind(
        "Accommodation consent withdrawn",
        "consent to temporary accommodation was withdrawn and the placement has not "
        "ended. The withdrawal does not end the placement: the practitioner will review the "
        "case urgently",
        "placement",
        event=True,
    ),
    # The nightly retention job (eip.jobs.retention) to every manager: how many cases wait
    # for their review (the notice's subject is the count), never which. A newer one
    # replaces it.
    "retention_review_due": Kind(
        "Cases past retention awaiting review: {count}",
        "closed cases past retention await a manager's review",
        "retention",
        subject="Cases past retention await review",
        event=True,
    ),
    # Event notices (eip/notifications/events.py): who gets each is in docs/notifications.md.
    # E-mails carry the case reference and a link: never a name or a reason.
    "placement_requested": Kind(
        "Placement request waiting for your decision",
        "a placement has been requested and is waiting for your decision",
        "placement",
        event=True,
        waiting=True,
    ),
    "extension_requested": Kind(
        "Extension request waiting for your decision",
        "an extension of the placement has been requested and is waiting for your decision",
        "placement",
        event=True,
        waiting=True,
    ),
    "placement_approved": Kind(
        "Placement request approved",
        "the placement request was approved",
        "placement",
        event=True,
    ),
    "placement_refused": Kind(
        "Placement request refused",
        "the placement request was refused",
        "placement",
        event=True,
    ),
    "placement_pot_exhausted": Kind(
        "Placement refused: the accommodation money has run out",
        "the placement request was refused because the accommodation money has run out",
        "placement",
        event=True,
    ),
    "extension_approved": Kind(
        "Extension approved",
        "the placement's extension was approved",
        "placement",
        event=True,
    ),
    "extension_declined": Kind(
        "Extension declined",
        "the placement's extension was declined",
        "placement",
        event=True,
    ),
    "late_referral_waiting": Kind(
        "Late referral waiting for agreement",
        "a referral received after the referral window is waiting for the late-referral decision",
        "case",
        event=True,
        waiting=True,
    ),
    "approval_waiting": Kind(
        "Account change waiting for your approval",
        "an account change is waiting for a manager's approval",
        "approvals",
        event=True,
        waiting=True,
    ),
    "case_reassigned": Kind(
        "Case reassigned to you", "a case has been reassigned to you", "case", event=True
    ),
    "consent_withdrawn": Kind(
        "Consent withdrawn",
        "a consent was withdrawn: review the case",
        "case",
        event=True,
    ),
    # To the managers when an admin disables a practitioner who held open cases: the admin
    # sees only how many; the managers find them on the list of cases with no practitioner.
    "practitioner_disabled": Kind(
        "Open cases with no active practitioner",
        "a practitioner's account was disabled and their open cases need a new practitioner",
        "unassigned",
        event=True,
    ),
}
EVENT_KINDS = frozenset(name for name, kind in KINDS.items() if kind.event)
WAITING_KINDS = frozenset(name for name, kind in KINDS.items() if kind.waiting)


def kind_of(kind: str) -> Kind:
    """The wording of a kind, escalations included."""
    if kind.endswith(ESCALATED):
        base = KINDS[kind.removesuffix(ESCALATED)]
        return Kind(
            f"Escalated: {base.label}",
            f"escalated to the programme managers: {base.mail}",
            base.link,
            subject=f"Escalated: {base.mail_subject}",
        )
    return KINDS[kind]
