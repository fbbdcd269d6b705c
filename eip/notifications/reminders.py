"""Which reminders are due at a moment, and for whom.

The deadlines themselves come from `eip.cases.deadlines` (one source of due dates for the
home page and the reminders); this module decides who is told, when, and how often:

- a deadline with a notice ("due tomorrow") is announced once, on the last working day
  before it is due (for a placement ending, 3 days before; for the referral window, 14);
- it is overdue once a whole working day has passed after its due date, and is then
  reminded once each working day while it stays open;
- after a second working day overdue it escalates to the managers, once;
- finance hears of an unpaid invoice once a week.

Reminders are counted in working days because they are read on working days: an item due
on Friday and still open on Saturday is not nagged about until Monday, and a new day's
reminder falls in the same "working day" bucket as Friday's, so a weekend never repeats one.

Each reminder carries a `dedupe_key` that names the thing, its due date and its bucket
("once", a working day, or a week); the database's unique constraint on (user, key) makes
"the same reminder for the same thing on the same day" impossible twice. The pure
functions take plain facts; `due_reminders` gathers them from the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eip.cases import outcomes
from eip.cases.deadlines import CLOSED, Deadlines, DueFacts, due_items
from eip.notifications.kinds import ESCALATED
from eip.workdays import is_working_day, london_date, next_working_day, working_days_between

# How many days ahead a notice goes out (calendar days before the due date, moved back to
# a working day): "due tomorrow", "placement ending in 3 days", "window closing in 14 days".
NOTICE_DAYS = 1
PLACEMENT_NOTICE_DAYS = 3
WINDOW_NOTICE_DAYS = 14
# A data request's notice: a week before its statutory month is up.
DATA_REQUEST_NOTICE_DAYS = 7
# Follow-up outcome measures: a week ahead, to arrange to see the client again.
FOLLOWUP_NOTICE_DAYS = 7
# Escalation to the managers once an item has been overdue for a whole working day.
ESCALATE_AFTER_WORKING_DAYS = 2
ONCE, DAILY, WEEKLY = "once", "daily", "weekly"


# Case actions by their kind; any other kind (plan, meeting, other) is a plain action.
ACTION_KINDS = {
    "idva_referral": "idva_referral_overdue",
    "marac_referral": "marac_referral_overdue",
    "consent_review": "consent_review_overdue",
}
# The case deadlines reminded about: topic -> (notice kind, overdue kind, notice lead days).
CASE_DEADLINES: dict[str, tuple[str, str, int]] = {
    "acknowledgement": ("acknowledgement_due", "acknowledgement_overdue", NOTICE_DAYS),
    # DOMAIN.md: a reminder when the consultation is not booked 5 working days after the
    # referral (a late one: after its agreement was recorded), so the "notice" is on the
    # due date itself.
    "consultation_booking": ("consultation_not_booked", "consultation_not_booked", 0),
    "meeting": ("meeting_due", "meeting_overdue", NOTICE_DAYS),
    "dash_review": ("dash_review_due", "dash_review_overdue", NOTICE_DAYS),
    "safety_plan_review": ("safety_plan_review_due", "safety_plan_review_overdue", NOTICE_DAYS),
    # Outcome measures: a follow-up needs the client (and, where safe, the partner) found
    # again months after closure, so its notice comes a week ahead.
    "outcome_intake": ("outcome_measures_due", "outcome_measures_overdue", NOTICE_DAYS),
    "outcome_mid": ("outcome_measures_due", "outcome_measures_overdue", NOTICE_DAYS),
    "outcome_followup_3": (
        "outcome_followup_due",
        "outcome_followup_overdue",
        FOLLOWUP_NOTICE_DAYS,
    ),
    "outcome_followup_6": (
        "outcome_followup_due",
        "outcome_followup_overdue",
        FOLLOWUP_NOTICE_DAYS,
    ),
}


FOLLOWUP_KINDS = tuple(outcomes.DUE_KINDS[point] for point in outcomes.FOLLOWUP_POINTS)


@dataclass(frozen=True)
class Reminder:
    user_id: int
    kind: str
    # The thing reminded about and the deadline it has: a reminder stops when no
    # reminder of the same (user, topic, subject) is due any more.
    topic: str
    subject: str
    due_on: date | None
    dedupe_key: str
    case_id: int | None = None
    case_reference: str | None = None
    placement_id: int | None = None
    invoice_id: int | None = None


@dataclass(frozen=True)
class Calendar:
    """Today's London date and the working-day rules the reminders count with."""

    today: date
    extra: frozenset[date] = frozenset()

    def last_working_day_on_or_before(self, day: date) -> date:
        while not is_working_day(day, self.extra):
            day -= timedelta(days=1)
        return day

    def notice_from(self, due_on: date, lead_days: int) -> date:
        """The day a notice goes out: `lead_days` before, moved back to a working day."""
        return self.last_working_day_on_or_before(due_on - timedelta(days=lead_days))

    def working_days_late(self, due_on: date) -> int:
        """Whole working days since the due date: 0 on the due date and until one passes."""
        return max(0, working_days_between(due_on, self.today, self.extra))

    def bucket(self, repeat: str) -> str:
        if repeat == ONCE:
            return ONCE
        # The working day this moment belongs to: a weekend shares Friday's.
        day = self.last_working_day_on_or_before(self.today)
        if repeat == WEEKLY:
            year, week, _ = day.isocalendar()
            return f"{year}-W{week:02d}"
        return day.isoformat()


@dataclass(frozen=True)
class About:
    """What a reminder links to, and who it goes to."""

    topic: str
    subject: str
    owners: tuple[int, ...]
    escalate_to: tuple[int, ...] = ()
    case_id: int | None = None
    case_reference: str | None = None
    placement_id: int | None = None
    invoice_id: int | None = None


def _make(about: About, users: Iterable[int], kind: str, due_on: date | None, bucket: str):
    key = f"{kind}|{about.subject}|{due_on.isoformat() if due_on else '-'}|{bucket}"
    return [
        Reminder(
            user_id=user_id,
            kind=kind,
            topic=about.topic,
            subject=about.subject,
            due_on=due_on,
            dedupe_key=key,
            case_id=about.case_id,
            case_reference=about.case_reference,
            placement_id=about.placement_id,
            invoice_id=about.invoice_id,
        )
        for user_id in users
    ]


def deadline_reminders(
    about: About,
    due_on: date,
    cal: Calendar,
    *,
    notice: str | None,
    overdue: str | None,
    lead_days: int = NOTICE_DAYS,
) -> list[Reminder]:
    """The reminders one deadline gives today: a notice, or overdue plus escalation."""
    late = cal.working_days_late(due_on)
    if overdue is not None and late >= 1:
        reminders = _make(about, about.owners, overdue, due_on, cal.bucket(DAILY))
        if late >= ESCALATE_AFTER_WORKING_DAYS:
            reminders += _make(about, about.escalate_to, overdue + ESCALATED, due_on, ONCE)
        return reminders
    if notice is not None and cal.today >= cal.notice_from(due_on, lead_days):
        return _make(about, about.owners, notice, due_on, ONCE)
    return []


def case_reminders(
    case_id: int,
    facts: DueFacts,
    practitioner_id: int | None,
    managers: Sequence[int],
    deadlines: Deadlines,
    cal: Calendar,
) -> list[Reminder]:
    """A case's reminders: to its practitioner, escalating to the managers.

    A case with no (active) practitioner has nobody to remind but the managers, who then
    get the reminders themselves and no separate escalation.
    """
    owners = (practitioner_id,) if practitioner_id else tuple(managers)
    escalate_to = tuple(managers) if practitioner_id else ()
    reminders: list[Reminder] = []
    for item in due_items(facts, deadlines):
        if item.action_id is not None:
            about = About(
                "action", f"action:{item.action_id}", owners, escalate_to, case_id, facts.reference
            )
            overdue = ACTION_KINDS.get(item.kind, "plan_action_overdue")
            reminders += deadline_reminders(about, item.due_on, cal, notice=None, overdue=overdue)
        elif item.kind in CASE_DEADLINES:
            notice, overdue, lead = CASE_DEADLINES[item.kind]
            about = About(
                item.kind, f"case:{case_id}", owners, escalate_to, case_id, facts.reference
            )
            reminders += deadline_reminders(
                about, item.due_on, cal, notice=notice, overdue=overdue, lead_days=lead
            )
        # Other kinds (placement items, for one) are reminded about below or not at all.
    return reminders


@dataclass(frozen=True)
class StayFacts:
    placement_id: int
    case_id: int
    case_reference: str
    planned_move_out_on: date
    return_home_review_done: bool


def placement_reminders(
    stay: StayFacts,
    practitioner_id: int | None,
    managers: Sequence[int],
    cal: Calendar,
) -> list[Reminder]:
    """A checked-in stay: ending in 3 days, end passed without a move-out, review due."""
    owners = (practitioner_id,) if practitioner_id else tuple(managers)
    escalate_to = tuple(managers) if practitioner_id else ()
    subject = f"placement:{stay.placement_id}"
    ids = {
        "case_id": stay.case_id,
        "case_reference": stay.case_reference,
        "placement_id": stay.placement_id,
    }
    end = stay.planned_move_out_on
    reminders = deadline_reminders(
        About("placement_end", subject, owners, escalate_to, **ids),
        end,
        cal,
        notice="placement_ending",
        overdue="placement_end_passed",
        lead_days=PLACEMENT_NOTICE_DAYS,
    )
    if not stay.return_home_review_done:
        # No overdue kind of its own: once the end date passes, the end-passed reminder
        # says it (a stay cannot end without the review), and this one stays current.
        reminders += deadline_reminders(
            About("return_home_review", subject, owners, **ids),
            end,
            cal,
            notice="return_home_review_due",
            overdue=None,
            lead_days=PLACEMENT_NOTICE_DAYS,
        )
    return reminders


@dataclass(frozen=True)
class UnpaidInvoice:
    invoice_id: int
    placement_id: int
    case_id: int
    case_reference: str
    invoice_date: date


def invoice_reminders(
    invoice: UnpaidInvoice, finance: Sequence[int], unpaid_days: int, cal: Calendar
) -> list[Reminder]:
    """Finance, once a week, for an invoice still unpaid `unpaid_days` calendar days on."""
    due_on = invoice.invoice_date + timedelta(days=unpaid_days)
    if cal.today < next_working_day(due_on, cal.extra):
        return []
    about = About(
        "invoice",
        f"invoice:{invoice.invoice_id}",
        tuple(finance),
        case_id=invoice.case_id,
        case_reference=invoice.case_reference,
        placement_id=invoice.placement_id,
        invoice_id=invoice.invoice_id,
    )
    return _make(about, about.owners, "invoice_unpaid", due_on, cal.bucket(WEEKLY))


def subject_access_reminders(
    request_id: int, due_on: date, managers: Sequence[int], cal: Calendar
) -> list[Reminder]:
    """The managers: a request due within 7 days (once), then overdue each working day."""
    from eip.privacy.subject_access import NOTICE_DAYS, TOPIC

    about = About(TOPIC, f"{TOPIC}:{request_id}", tuple(managers))
    return deadline_reminders(
        about,
        due_on,
        cal,
        notice="subject_access_due",
        overdue="subject_access_overdue",
        lead_days=NOTICE_DAYS,
    )


def window_reminders(window_end: date, managers: Sequence[int], cal: Calendar) -> list[Reminder]:
    """The managers, once, when the referral window closes in 14 days or fewer."""
    if cal.today > window_end or cal.today < cal.notice_from(window_end, WINDOW_NOTICE_DAYS):
        return []
    about = About("referral_window", "programme", tuple(managers))
    return _make(about, about.owners, "referral_window_closing", window_end, ONCE)


def data_request_reminders(
    request_id: int, case_id: int, reference: str, due_on: date, managers: Sequence[int], cal
) -> list[Reminder]:
    """The managers: a week before an open rectification or erasure request is due, and each
    working day once it is overdue (UK GDPR: one calendar month from receipt)."""
    about = About(
        "data_request",
        f"data_request:{request_id}",
        tuple(managers),
        case_id=case_id,
        case_reference=reference,
    )
    return deadline_reminders(
        about,
        due_on,
        cal,
        notice="data_request_due",
        overdue="data_request_overdue",
        lead_days=DATA_REQUEST_NOTICE_DAYS,
    )


# ---------------------------------------------------------------------------
# Gathering the facts


CASE_CHUNK = 500


def due_reminders(session: Session, now: datetime) -> list[Reminder]:
    """Every reminder due at `now` (London date), for every active recipient."""
    from accommodation.models import Invoice, Payment, Placement, ReturnHomeReview
    from eip.auth.models import User
    from eip.cases.models import Case
    from eip.cases.queries import deadline_settings, facts_for
    from eip.programme import current_settings

    deadlines = deadline_settings(session)
    settings = current_settings(session)
    cal = Calendar(london_date(now), deadlines.extra_non_working_days)
    staff = session.execute(
        select(User.id, User.role).where(
            User.active.is_(True), User.role.in_(("practitioner", "manager", "finance"))
        )
    ).all()
    managers = sorted(uid for uid, role in staff if role == "manager")
    finance = sorted(uid for uid, role in staff if role == "finance")
    practitioners = {uid for uid, role in staff if role == "practitioner"}

    def practitioner(user_id: int | None) -> int | None:
        return user_id if user_id in practitioners else None

    reminders: list[Reminder] = []
    # Open cases, and the closed ones still owing follow-up outcome measures (their stored
    # due items say which: a closed case has no other).
    from eip.cases.models import CaseDueItem

    owing = select(CaseDueItem.case_id).where(CaseDueItem.kind.in_(FOLLOWUP_KINDS))
    case_ids = session.scalars(
        select(Case.id).where(Case.status.not_in(CLOSED) | Case.id.in_(owing)).order_by(Case.id)
    ).all()
    for start in range(0, len(case_ids), CASE_CHUNK):
        cases = session.scalars(
            select(Case).where(Case.id.in_(case_ids[start : start + CASE_CHUNK]))
        ).all()
        facts = facts_for(session, cases)
        for case in cases:
            reminders += case_reminders(
                case.id,
                facts[case.id],
                practitioner(case.allocated_practitioner_id),
                managers,
                deadlines,
                cal,
            )

    reviewed = select(ReturnHomeReview.id).where(ReturnHomeReview.placement_id == Placement.id)
    stays = session.execute(
        select(Placement, Case.reference, Case.allocated_practitioner_id, reviewed.exists())
        .join(Case, Case.id == Placement.case_id)
        .where(Placement.state == "checked_in")
    ).all()
    for placement, reference, practitioner_id, review_done in stays:
        end = placement.planned_move_out_on
        if end is None:
            continue
        stay = StayFacts(placement.id, placement.case_id, reference, end, bool(review_done))
        reminders += placement_reminders(stay, practitioner(practitioner_id), managers, cal)

    if finance:
        paid = (
            select(func.coalesce(func.sum(Payment.amount_pence), 0))
            .where(Payment.invoice_id == Invoice.id, Payment.reversed_at.is_(None))
            .scalar_subquery()
        )
        unpaid = session.execute(
            select(Invoice.id, Invoice.placement_id, Case.id, Case.reference, Invoice.invoice_date)
            .join(Placement, Placement.id == Invoice.placement_id)
            .join(Case, Case.id == Placement.case_id)
            .where(Invoice.reversed_at.is_(None), paid < Invoice.amount_pence)
        ).all()
        for row in unpaid:
            reminders += invoice_reminders(
                UnpaidInvoice(*row), finance, settings.invoice_unpaid_days, cal
            )

    reminders += window_reminders(settings.referral_window_end, managers, cal)
    reminders += _open_data_requests(session, managers, cal)
    from eip.privacy.subject_access import open_deadlines

    for request_id, due_on in open_deadlines(session):
        reminders += subject_access_reminders(request_id, due_on, managers, cal)
    return reminders


def _open_data_requests(session: Session, managers: Sequence[int], cal: Calendar):
    from eip.cases.models import Case
    from eip.privacy.models import DataRequest

    still_open = (DataRequest.decision.is_(None)) | (
        (DataRequest.decision == "granted") & DataRequest.done_at.is_(None)
    )
    found = session.execute(
        select(DataRequest.id, Case.id, Case.reference, DataRequest.due_on)
        .join(Case, Case.id == DataRequest.case_id)
        .where(still_open)
        .order_by(DataRequest.id)
    ).all()
    return [r for row in found for r in data_request_reminders(*row, managers, cal)]
