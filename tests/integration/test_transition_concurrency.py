"""Two people moving a case on at the same instant: only one acknowledgement, closure,
reopening or consultation outcome is saved, although no form carries the case's version any
more (eip/cases/common.lock_case: the state machine is checked on the case as it is now,
under its row lock). The client's and the partner's consent forms sent at once both save and
start the intervention once; the same person's form sent twice saves one of them, whole.

Each thread has its own application context, so its own session and connection. On
PostgreSQL both threads read the case before either writes, as two requests do; on SQLite a
transaction open at the barrier would hold the write lock, so each reads afresh after it
(its transactions begin IMMEDIATE and queue). Run on both engines by CI.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.auth.models import User
from eip.cases import (
    activity_services,
    closure_services,
    consent_services,
    consultation_services,
    referral_steps,
)
from eip.cases.consent_state import KINDS
from eip.cases.models import Case
from eip.cases.records import CaseAction, Consent, Incident
from eip.clock import now
from eip.domain import Conflict, RuleBroken
from eip.extensions import db
from eip.submissions import AlreadySaved, new_token
from eip.versioning import seen_token
from tests import factories
from tests import factories_pathway_progress as pf
from tests import factories_pathway_referral as rf


def _twice_at_once(
    app, case_id: int, user_ids: list[int], step: Callable, refusals: tuple = ()
) -> list[str]:
    barrier = threading.Barrier(len(user_ids))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(user_id: int) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                case = db.session.get(Case, case_id)
                _ = (user.role, user.borough_id, case.status, case.borough_id)
                if db.engine.dialect.name == "sqlite":
                    db.session.rollback()
                barrier.wait(timeout=30)
                step(db.session, user, case)
                result = "saved"
            except (RuleBroken, Conflict, *refusals):
                db.session.rollback()
                result = "refused"
            except Exception as error:  # anything else would have been a 500
                db.session.rollback()
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a step never finished"
    return sorted(outcomes)


def _events(action: str) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def _two(role: str = "practitioner") -> list[int]:
    return [factories.user(role).id, factories.user(role).id]


def test_two_acknowledgements_at_once_save_one(app, app_context):
    users = _two()
    case = rf.recorded_case(db.session.get(User, users[0]))
    case_id = case.id
    db.session.commit()

    def acknowledge(session, user, case):
        referral_steps.acknowledge(
            session, user, case, acknowledged_at=now(), method="secure_email"
        )

    assert _twice_at_once(app, case_id, users, acknowledge) == ["refused", "saved"]
    assert _events("case.acknowledged") == 1
    assert db.session.get(Case, case_id).status == "acknowledged"


def test_two_closures_at_once_save_one(app, app_context):
    users = _two()
    case_id = pf.active_case(db.session.get(User, users[0])).id
    db.session.commit()

    def close(session, user, case):
        closure_services.close_case(
            session,
            user,
            case,
            outcome="completed",
            risk_level="medium",
            living_arrangements="living_apart",
            childrens_services_status="child_in_need",
            police_callouts=0,
            reason=f"Closed by {user.id}",
        )

    assert _twice_at_once(app, case_id, users, close) == ["refused", "saved"]
    assert _events("case.closed") == 1
    case = db.session.get(Case, case_id)
    assert case.status == "closed" and case.status_before_closure == "active"


def test_two_reopenings_at_once_save_one(app, app_context):
    users = _two("manager")
    case_id = pf.closed_case("active").id
    db.session.commit()

    def reopen(session, user, case):
        closure_services.reopen_case(session, user, case, reason="New information")

    assert _twice_at_once(app, case_id, users, reopen) == ["refused", "saved"]
    assert _events("case.reopened") == 1
    assert db.session.get(Case, case_id).status == "active"


@pytest.mark.parametrize("outcomes", [("intervention", "not_suitable")])
def test_two_consultation_outcomes_at_once_save_one(app, app_context, outcomes):
    users = _two()
    case = pf.booked_case(db.session.get(User, users[0]))
    case_id, seen = case.id, seen_token(consultation_services.latest_booking(db.session, case))
    db.session.commit()
    chosen = dict(zip(users, outcomes, strict=True))

    def record(session, user, case):
        consultation_services.record_consultation(
            session,
            user,
            case,
            version=seen,
            held_on=pf.days_ago(1),
            outcome=chosen[user.id],
            advice="",
            plan_risks="Arguments at weekends",
            plan_protective_factors=None,
            actions=[
                consultation_services.PlanAction("Safety plan", "Social worker", pf.days_ago(-7))
            ],
        )

    assert _twice_at_once(app, case_id, users, record) == ["refused", "saved"]
    assert _events("case.consultation_recorded") == 1
    case = db.session.get(Case, case_id)
    assert case.status in ("awaiting_consent", "onward_referral")
    # The refused one wrote nothing: one plan action, from the saved outcome.
    assert db.session.scalar(select(func.count()).select_from(CaseAction)) == 1


def _consents(case_id: int, people: dict[int, str]) -> Callable:
    """The consent form of `people[user.id]`, every purpose given, as the page showed it."""
    case = db.session.get(Case, case_id)
    seen = consent_services.seen_consents(consent_services.consent_states(db.session, case))
    db.session.commit()  # no transaction of this session left open beside the threads'

    def record(session, user, case):
        consent_services.record_consents(
            session,
            user,
            case,
            version=seen,
            person_role=people[user.id],
            decisions=dict.fromkeys(KINDS, "given"),
            recorded_on=pf.days_ago(1),
            obtained_by="Allocated social worker",
            how="in_person",
        )

    return record


def test_the_client_and_the_partner_consenting_at_once_start_the_intervention_once(
    app, app_context
):
    users = _two()
    case_id = pf.consulted_case("intervention", db.session.get(User, users[0])).id
    db.session.commit()
    record = _consents(case_id, dict(zip(users, ("client", "partner"), strict=True)))
    assert _twice_at_once(app, case_id, users, record) == ["saved", "saved"]
    assert _events("case.consent_recorded") == 8
    assert _events("case.intervention_started") == 1
    assert db.session.get(Case, case_id).status == "active"


def test_the_same_persons_form_sent_twice_at_once_saves_one_and_nothing_of_the_other(
    app, app_context
):
    users = _two()
    case_id = pf.consulted_case("intervention", db.session.get(User, users[0])).id
    db.session.commit()
    record = _consents(case_id, dict.fromkeys(users, "client"))
    assert _twice_at_once(app, case_id, users, record) == ["refused", "saved"]
    assert _events("case.consent_recorded") == 4
    assert db.session.scalar(select(func.count()).select_from(Consent)) == 4


def test_a_case_closed_while_another_person_books_is_not_booked(app, app_context):
    """A different step at the same instant: the second is checked against the first's."""
    users = _two()
    case_id = pf.acknowledged_case(db.session.get(User, users[0])).id
    db.session.commit()
    first = users[0]

    def close_or_book(session, user, case):
        if user.id == first:
            closure_services.close_case(
                session,
                user,
                case,
                outcome="disengaged",
                risk_level="medium",
                living_arrangements="living_apart",
                childrens_services_status="child_in_need",
                police_callouts=0,
                reason="Client disengaged",
            )
        else:
            consultation_services.book_consultation(
                session,
                user,
                case,
                version="new",
                scheduled_for=case.received_at + timedelta(days=2),
                medium="phone",
                attendees="Practitioner",
            )

    outcomes = _twice_at_once(app, case_id, users, close_or_book)
    assert not any(o.startswith("error") for o in outcomes)
    case = db.session.get(Case, case_id)
    booked = _events("case.consultation_booked")
    # Either order is possible; what is never possible is a booking on a closed case
    # saved after the closure, or a closure that lost the booking's status.
    if case.status == "closed":
        assert case.status_before_closure == ("consultation_booked" if booked else "acknowledged")
    else:
        assert case.status == "consultation_booked" and _events("case.closed") == 0


def test_the_same_addition_sent_twice_at_once_is_saved_once(app, app_context):
    """Two POSTs of one form racing: both find the token unused, the unique index lets one
    commit, and the other is answered as already saved, not with an error or a duplicate."""
    users = [factories.user("practitioner").id] * 2
    case_id = pf.active_case(db.session.get(User, users[0])).id
    db.session.commit()
    token = new_token()

    def add(session, user, case):
        activity_services.record_incident(
            session,
            user,
            case,
            occurred_on=pf.days_ago(1),
            source="police_callout",
            description="Neighbour called the police",
            submission=token,
        )

    outcomes = _twice_at_once(app, case_id, users, add, refusals=(AlreadySaved,))
    assert outcomes == ["refused", "saved"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 1
