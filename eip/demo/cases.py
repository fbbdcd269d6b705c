"""Fictional demo cases in every state of the pathway (for `seed-demo`).

Every name, address and story here is invented. Dates are relative to the day
the demo is loaded, so that what is overdue or due soon looks like a live
caseload whenever `make run` is used.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from eip.audit import record
from eip.auth.models import User
from eip.cases import dash
from eip.cases.models import Case, Person, name_key
from eip.cases.records import (
    CaseAction,
    Child,
    Consent,
    Consultation,
    Incident,
    InterventionSession,
    LateReferralDecision,
    OnwardReferral,
    ProfessionalsMeeting,
    ScenarioPlan,
)
from eip.demo import equality_mix
from eip.demo.contacts import add_contacts
from eip.demo.risk import DemoReview, add_review
from eip.models import Borough
from eip.workdays import add_working_days, london_date

LONDON = ZoneInfo("Europe/London")

# Some names carry accents, so that finding a case by name typed without them can be tried.
CLIENTS = [
    ("Daniel Mercer", "man"),
    ("Kwame Asante", "man"),
    ("Liam O'Rourke", "man"),
    ("Marek Nowicki", "man"),
    ("Jamal Idris", "man"),
    ("Owen Pritchard", "man"),
    ("Ravi Chandran", "man"),
    ("Tyrone Bailey", "man"),
    ("Stefan Ilić", "man"),
    ("Callum Reid", "man"),
    ("Yusuf Demir", "man"),
    ("Aaron Whitlock", "man"),
    ("Zoë Barnes", "woman"),
    ("Priya Natarajan", "woman"),
    ("Gareth Lloyd", "man"),
    ("Samuel Okoye", "man"),
    ("Luca Ferrante", "man"),
    ("Nathan Cole", "man"),
    ("Imran Qureshi", "man"),
    ("Darius Vance", "man"),
    ("Ben Hartley", "man"),
    ("Tomasz Zielinski", "man"),
    ("Femi Adeyemi", "man"),
    ("Harry Dunmore", "man"),
    ("Kieran Walsh", "man"),
    ("Andre Baptiste", "man"),
    ("José Sandoval", "man"),
    ("Rhys Morgan", "man"),
    ("Mehmet Aksoy", "man"),
    ("Joel Fenwick", "man"),
    ("Victor Ionescu", "man"),
    ("Sean Gallagher", "man"),
    ("Elliot Crane", "man"),
    ("Dominic Price", "man"),
]
PARTNERS = [
    "Sarah Mercer",
    "Abena Asante",
    "Niamh O'Rourke",
    "Kasia Nowicka",
    "Leila Idris",
    "Hannah Pritchard",
    "Meera Chandran",
    "Shanice Bailey",
    "Ana Ilić",
    "Fiona Reid",
    "Elif Demir",
    "Laura Whitlock",
    "Marcus Barnes",
    "Arjun Natarajan",
    "Bethan Lloyd",
    "Grace Okoye",
    "Giulia Ferrante",
    "Amy Cole",
    "Sana Qureshi",
    "Tara Vance",
    "Lucy Hartley",
    "Ewa Zielinska",
    "Funmi Adeyemi",
    "Rosie Dunmore",
    "Aoife Walsh",
    "Claudette Baptiste",
    "Maria Sandoval",
    "Cerys Morgan",
    "Zeynep Aksoy",
    "Holly Fenwick",
    "Ioana Ionescu",
    "Orla Gallagher",
    "Jess Crane",
    "Emma Price",
]
ETHNICITIES = (
    "white_british",
    "black_african",
    "white_irish",
    "white_other",
    "asian_bangladeshi",
    "white_british",
    "asian_indian",
    "black_caribbean",
    "white_other",
    "white_british",
    "other_any",
    "mixed_white_black_caribbean",
    "asian_pakistani",
    "not_known",
)
BOROUGHS = ("Camden", "Hackney", "Islington", "Lambeth", "Lewisham", "Southwark")
REASONS = (
    "Arguments at home have become more frequent since lockdown; the children have witnessed "
    "shouting and a door being broken.",
    "Partner disclosed controlling behaviour around money to the school's family worker.",
    "Police called by a neighbour after a loud argument; no injuries, both parents asked for help.",
    "Client asked his social worker for support to manage anger after losing his job.",
)

# (state, days since the referral was received) — 35 cases across every state.
PLAN: tuple[tuple[str, int], ...] = (
    ("referred", 0),
    ("referred", 1),
    ("referred", 3),
    ("referred", 7),
    ("awaiting_late_agreement", -5),
    ("awaiting_late_agreement", -2),
    ("not_accepted", -8),
    ("acknowledged", 2),
    ("acknowledged", 4),
    ("acknowledged", 9),
    ("consultation_booked", 5),
    ("consultation_booked", 8),
    ("consultation_booked", 12),
    ("awaiting_consent", 14),
    ("awaiting_consent", 18),
    ("awaiting_consent", 21),
    ("active", 22),
    ("active", 26),
    ("active", 30),
    ("active", 33),
    ("active", 38),
    ("active", 41),
    ("active", 45),
    ("active", 50),
    ("active", 55),
    ("active", 60),
    ("consultation_only", 16),
    ("consultation_only", 25),
    ("onward_referral", 19),
    ("onward_referral", 28),
    ("closed", 62),
    ("closed", 70),
    ("closed", 75),
    ("closed", 80),
    ("closed", 85),
)
# Case numbers (positions in PLAN) whose consultation outcome is intervention with temporary
# accommodation; eip/demo/accommodation.py gives most of them a placement in some state.
ACCOMMODATION_CASES = frozenset({13, 16, 18, 19, 20, 22, 24, 25, 30, 31})
CLOSURES = ("completed", "disengaged", "withdrew_consent", "risk_escalated", "completed")


@dataclass
class Context:
    session: Session
    now: datetime
    today: date
    practitioners: list[User]
    manager: User
    boroughs: dict[str, Borough]
    window_start: date
    rng: random.Random


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


def _answers(rng: random.Random, yes: int) -> dict[str, str]:
    numbers = list(range(1, 25))
    chosen = set(rng.sample(numbers, yes))
    return {
        str(n): "yes" if n in chosen else rng.choice(("no", "no", "not_known")) for n in numbers
    }


def _person(
    ctx: Context,
    name: str,
    age: int,
    gender: str,
    ethnicity: str | None,
    *,
    received: date,
    number: int,
    with_birth_date: bool = True,
) -> Person:
    born = ctx.today - timedelta(days=365 * age + ctx.rng.randint(0, 300))
    disability = ctx.rng.choice(("no", "no", "yes", "not_known"))
    # Their own random sequence (per case and person), so the rest of the demo is unchanged.
    mix = random.Random(f"equality-{number}-{name}")  # noqa: S311 (fictional demo data)
    if not with_birth_date:
        born = None
    equality = equality_mix.answers(mix, born=born, on=received, ethnicity=ethnicity)
    if ethnicity is not None:  # a client: as the demo always drew it
        equality["disability"] = disability
    person = Person(
        full_name=name,
        name_key=name_key(name),
        date_of_birth=born,
        gender=gender,
        **equality,
        language="English",
        interpreter_needed="no",
        address=f"{ctx.rng.randint(2, 180)} Fictional Road, London",
        phone=f"07700 900{ctx.rng.randint(100, 999)}",
    )
    ctx.session.add(person)
    return person


def _consents(ctx: Context, case: Case, day: date, kinds: tuple[str, ...], who: User) -> None:
    for person in ("client", "partner"):
        for kind in kinds:
            ctx.session.add(
                Consent(
                    case_id=case.id,
                    person_role=person,
                    kind=kind,
                    state="given",
                    recorded_on=day,
                    obtained_by="Referring social worker",
                    how="via_social_worker",
                    recorded_by_id=who.id,
                )
            )


def _make_case(ctx: Context, number: int, state: str, days: int) -> Case:
    rng = ctx.rng
    name, gender = CLIENTS[number % len(CLIENTS)]
    practitioner = ctx.practitioners[number % len(ctx.practitioners)]
    borough = ctx.boroughs[BOROUGHS[number % len(BOROUGHS)]]
    if days < 0:  # a late referral: received before the window opened
        received_day = ctx.window_start + timedelta(days=days)
    else:
        received_day = ctx.today - timedelta(days=days)
    client = _person(
        ctx,
        name,
        rng.randint(22, 48),
        gender,
        ETHNICITIES[number % len(ETHNICITIES)],
        received=received_day,
        number=number,
    )
    partner_gender = "man" if gender == "woman" else "woman"
    if number % 7 == 3:  # the partner chose not to say, or was not asked
        partner_gender = ("prefer_not_to_say", "not_known")[number % 2]
    partner = _person(
        ctx,
        PARTNERS[number % len(PARTNERS)],
        rng.randint(21, 46),
        partner_gender,
        None,
        received=received_day,
        number=number,
        # Some partners' dates of birth are not known: their band is as recorded.
        with_birth_date=number % 4 != 1,
    )
    ctx.session.flush()
    case = Case(
        reference=f"EIP-{received_day.year}-{number + 1:04d}",
        borough_id=borough.id,
        status=state,
        allocated_practitioner_id=practitioner.id,
        created_at=_at(received_day, 11),
        received_at=_at(received_day, 9, 15 + number),
        late_referral=days < 0,
        referrer_name=f"Jo Referrer {number + 1}",
        referrer_team=f"{borough.name} Children's Services, Family Support Team",
        referrer_email=f"social.worker{number + 1}@{borough.name.lower()}.example",
        referrer_phone="020 7946 0000",
        client_id=client.id,
        partner_id=partner.id,
        client_safe_contact="Mobile, weekdays after 10am",
        partner_relationship=rng.choice(("partner", "spouse_or_civil_partner", "ex_partner")),
        living_together=rng.choice(("yes", "yes", "no", "sometimes")),
        partner_safe_contact_times="Weekday mornings while the children are at school",
        partner_code_word=rng.choice(("bluebell", "lighthouse", "marmalade", "harbour")),
        children_count=rng.randint(1, 4),
        childrens_services_status=rng.choice(
            ("child_in_need", "early_help", "child_protection_plan")
        ),
        police_callouts_12_months=rng.randint(0, 2),
        previous_abuse=rng.choice(("no", "not_known")),
        separation=rng.choice(("no", "yes")),
        pregnancy="no",
        substance_use=rng.choice(("no", "yes")),
        mental_health=rng.choice(("no", "yes", "not_known")),
        weapons="no",
        reason_for_referral=REASONS[number % len(REASONS)],
        what_has_been_tried="Family support worker visits; parenting course offered.",
    )
    ctx.session.add(case)
    ctx.session.flush()
    _children(ctx, case, number)
    record(
        ctx.session,
        "case.created",
        actor_label="seed-demo",
        object_type="case",
        object_id=case.id,
        case_reference=case.reference,
    )
    _progress(ctx, case, state, received_day, practitioner, number)
    return case


# Ages, who each child lives with and whether a school is known, in turn (no names).
_CHILD_AGES = ((4, None), (7, None), (None, "under_1"), (12, None), (None, "11_to_15"), (2, None))
_LIVES_WITH = ("client", "both", "client", "partner", "other_family")
_SCHOOL = {True: "yes", False: "not_applicable"}


def _children(ctx: Context, case: Case, number: int) -> None:
    """One record per child the case counts. The second case's last child is one the
    referral counted but did not describe: flagged for the practitioner to review."""
    for position in range(1, (case.children_count or 0) + 1):
        years, band = _CHILD_AGES[(number + position) % len(_CHILD_AGES)]
        review = number == 1 and position == case.children_count
        ctx.session.add(
            Child(
                case_id=case.id,
                position=position,
                age_years=None if review else years,
                age_band="not_known" if review else band,
                lives_with="not_known" if review else _LIVES_WITH[(number + position) % 5],
                childrens_services_status=(
                    "not_known" if review else case.childrens_services_status
                ),
                school_known="not_known" if review else _SCHOOL[band != "under_1"],
                needs_review=review,
            )
        )


def _progress(ctx: Context, case: Case, state: str, received: date, who: User, n: int) -> None:
    s, rng = ctx.session, ctx.rng
    if state == "referred":
        return
    if state in ("awaiting_late_agreement", "not_accepted"):
        if n % 2 == 0 or state == "not_accepted":
            case.acknowledged_at, case.acknowledgement_method = _at(received, 15), "secure_email"
            case.acknowledged_by_id = who.id
        if state == "not_accepted":
            s.add(
                LateReferralDecision(
                    case_id=case.id,
                    decision="refused",
                    decided_on=received + timedelta(days=6),
                    note="Move-on could not be arranged before the programme end date.",
                    recorded_by_id=ctx.manager.id,
                )
            )
            case.closure_outcome, case.closed_at, case.closed_by_id = (
                "not_accepted",
                _at(received + timedelta(days=6), 16),
                ctx.manager.id,
            )
        return
    ack_day = add_working_days(received, rng.choice((1, 2, 3)))
    case.acknowledged_at, case.acknowledgement_method, case.acknowledged_by_id = (
        _at(min(ack_day, ctx.today), 14),
        "secure_email",
        who.id,
    )
    if state == "acknowledged":
        return
    booked_for = received + timedelta(days=min(6, max(1, (ctx.today - received).days + 2)))
    consultation = Consultation(
        case_id=case.id,
        scheduled_for=_at(booked_for, 11),
        medium=rng.choice(("phone", "secure_video")),
        attendees="Practitioner and referring social worker",
        recorded_by_id=who.id,
        created_at=_at(min(ack_day, ctx.today), 15),
    )
    s.add(consultation)
    if state == "consultation_booked":
        return
    consultation.held_on = booked_for
    outcome = {
        "consultation_only": "consultation_only",
        "onward_referral": "not_suitable",
    }.get(state, "intervention_with_accommodation" if n in ACCOMMODATION_CASES else "intervention")
    consultation.outcome = outcome
    consultation.plan_risks = "Escalating arguments; children present; alcohol at weekends."
    consultation.plan_protective_factors = (
        "Both parents engaged with the social worker; supportive grandparent nearby."
    )
    consultation.advice = (
        "Advice given on safety planning and local services."
        if outcome == "consultation_only"
        else None
    )
    s.add(
        CaseAction(
            case_id=case.id,
            kind="plan",
            description="Agree a safety plan with the partner through the social worker",
            owner="Referring social worker",
            due_on=booked_for + timedelta(days=10),
            recorded_by_id=who.id,
            completed_at=_at(booked_for + timedelta(days=8), 12)
            if state in ("active", "closed")
            else None,
        )
    )
    if outcome == "intervention_with_accommodation":
        s.add(
            ScenarioPlan(
                case_id=case.id,
                recorded_by_id=who.id,
                plan="If the couple stay apart after 4 weeks, the client moves to his brother's "
                "flat in the same borough; contact with the children through the social worker.",
            )
        )
    if outcome == "not_suitable":
        s.add(
            OnwardReferral(
                case_id=case.id,
                agency="dvpp",
                referred_on=booked_for + timedelta(days=1),
                status="made",
                recorded_by_id=who.id,
            )
        )
        s.add(
            OnwardReferral(
                case_id=case.id,
                agency="idva",
                referred_on=booked_for + timedelta(days=1),
                status="accepted",
                recorded_by_id=who.id,
            )
        )
    if state in ("consultation_only", "onward_referral"):
        return
    consent_day = booked_for + timedelta(days=2)
    kinds = ("intervention", "information_sharing", "evaluation")
    if outcome == "intervention_with_accommodation":
        kinds += ("accommodation",)
    if state == "awaiting_consent":
        s.add(
            Consent(
                case_id=case.id,
                person_role="client",
                kind="intervention",
                state="given",
                recorded_on=consent_day,
                obtained_by="Referring social worker",
                how="via_social_worker",
                recorded_by_id=who.id,
            )
        )
        return
    _consents(ctx, case, consent_day, kinds, who)
    case.intervention_started_on = consent_day
    _activity(ctx, case, consent_day, who, n, closed=state == "closed")
    if state == "closed":
        end = min(ctx.today - timedelta(days=3), consent_day + timedelta(days=35))
        case.status_before_closure = "active"
        case.closed_at, case.closed_by_id = _at(end, 16), who.id
        case.closure_outcome = CLOSURES[n % len(CLOSURES)]
        case.closure_risk_level = rng.choice(("standard", "medium"))
        case.closure_living_arrangements = rng.choice(("living_together", "living_apart"))
        case.closure_childrens_services_status = rng.choice(("none", "early_help", "child_in_need"))
        case.closure_police_callouts = rng.randint(0, 1)
        case.closure_reason = "Intervention plan completed; family supported by early help."
        if n % 6 == 2:
            # Its last DASH review was high risk (eip.cases.closure_services).
            case.closure_risk_level = "high"
            case.closure_risk_reason = (
                "Referred to the IDVA service and to MARAC; the IDVA now leads on the "
                "partner's safety plan and children's services hold the case."
            )


def _activity(ctx: Context, case: Case, start: date, who: User, n: int, closed: bool) -> None:
    s, rng = ctx.session, ctx.rng
    last_day = ctx.today - timedelta(days=3) if closed else ctx.today
    day, week = start + timedelta(days=2), 0
    while day < last_day and week < 8:
        s.add(
            InterventionSession(
                case_id=case.id,
                held_on=day,
                duration_minutes=60,
                attendance=rng.choice(
                    ("attended", "attended", "attended", "did_not_attend", "cancelled_by_client")
                ),
                themes="Recognising triggers; time-out plan",
                recorded_by_id=who.id,
            )
        )
        # One case in five lets its weekly meeting slip, so the demo shows an overdue one.
        if not (n % 5 == 0 and day > last_day - timedelta(days=12)):
            s.add(
                ProfessionalsMeeting(
                    case_id=case.id,
                    held_on=day + timedelta(days=1),
                    attendees="Practitioner, social worker",
                    risk_update="No new incidents reported.",
                    progress="Client attending and engaging.",
                    recorded_by_id=who.id,
                )
            )
        day += timedelta(days=7)
        week += 1
    add_contacts(s, case.id, who, start, last_day, n)
    # Every sixth case is high risk: a DASH of 11 (high risk: the IDVA referral only), then
    # 15 (MARAC as well) if the case runs long enough; another is high risk by judgement.
    high = n % 6 == 2
    judged = n % 6 == 4 and not closed
    reviews = [(start, 11 if high else rng.randint(3, 9))]
    if (last_day - start).days > 20:
        reviews.append((start + timedelta(days=20), 15 if high else rng.randint(2, 8)))
    for index, (when, yes) in enumerate(reviews):
        # The call-outs the referral reported count, as the review form would start from.
        known = dash.known_police_callouts(
            when, [], london_date(case.received_at), case.police_callouts_12_months
        )
        last = index == len(reviews) - 1
        review = DemoReview(
            when,
            _answers(rng, yes),
            judgement="high" if judged and last else "none",
            note="Partner reports new threats by text since the last meeting"
            if judged and last
            else None,
            police_callouts=max(1 if high else 0, known),
        )
        add_review(s, case.id, who.id, who.name, review, open_case=not closed)
    if n % 4 == 1 and not closed:
        s.add(
            Incident(
                case_id=case.id,
                occurred_on=ctx.today - timedelta(days=2),
                source="police_callout",
                police_callout=True,
                description="Police attended after a neighbour reported shouting; no arrests.",
                response="Social worker visited the next day.",
                recorded_by_id=who.id,
                # Recorded the day it happened: its DASH review is overdue in the demo.
                created_at=_at(ctx.today - timedelta(days=2), 17),
            )
        )
    if n % 7 == 3 and not closed:
        withdrawn = ctx.today - timedelta(days=1)
        consent = Consent(
            case_id=case.id,
            person_role="partner",
            kind="intervention",
            state="given",
            recorded_on=withdrawn - timedelta(days=1),
            obtained_by="Referring social worker",
            how="phone",
            withdrawn_on=withdrawn,
            withdrawal_reason="Wants time to think",
            recorded_by_id=who.id,
        )
        s.add(consent)
        s.add(
            CaseAction(
                case_id=case.id,
                kind="consent_review",
                description="Review the case: the partner withdrew consent to the intervention",
                owner=who.name,
                due_on=add_working_days(withdrawn, 1),
                urgent=True,
                recorded_by_id=who.id,
            )
        )


def seed_cases(
    session: Session,
    practitioners: list[User],
    manager: User,
    boroughs: dict[str, Borough],
    window_start: date,
    now: datetime,
) -> int:
    ctx = Context(
        session,
        now,
        now.astimezone(LONDON).date(),
        practitioners,
        manager,
        boroughs,
        window_start,
        random.Random(2026),  # noqa: S311 (repeatable demo data, not secrets)
    )
    made = [_make_case(ctx, number, state, days) for number, (state, days) in enumerate(PLAN)]
    _re_referral(ctx, made[-1], len(made))
    session.flush()
    return len(made) + 1


def _re_referral(ctx: Context, earlier: Case, number: int) -> None:
    """A family referred again after their case closed: the same person records."""
    received_day = ctx.today - timedelta(days=2)
    case = Case(
        reference=f"EIP-{received_day.year}-{number + 1:04d}",
        borough_id=earlier.borough_id,
        status="referred",
        allocated_practitioner_id=earlier.allocated_practitioner_id,
        created_at=_at(received_day, 11),
        received_at=_at(received_day, 8, 40),
        referrer_name=earlier.referrer_name,
        referrer_team=earlier.referrer_team,
        referrer_email=earlier.referrer_email,
        client_id=earlier.client_id,
        partner_id=earlier.partner_id,
        partner_relationship=earlier.partner_relationship,
        living_together="yes",
        childrens_services_status="child_in_need",
        police_callouts_12_months=1,
        reason_for_referral="Re-referral: the arguments have returned since the intervention.",
    )
    ctx.session.add(case)
    ctx.session.flush()
    record(
        ctx.session,
        "case.created",
        actor_label="seed-demo",
        object_type="case",
        object_id=case.id,
        case_reference=case.reference,
    )
