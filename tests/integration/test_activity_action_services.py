"""Actions through their services: completing one (who and when) and adding an ad-hoc one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eip.cases import activity_services as services
from eip.cases.common import latest_due_date
from eip.cases.records import CaseAction
from eip.clock import today
from eip.domain import NotFound, RuleBroken
from eip.extensions import db
from eip.formatting import long_date
from eip.programme import current_settings
from tests import factories
from tests import factories_pathway_activity as fa
from tests.audit_trail import events


@pytest.fixture
def user(app_context):
    return factories.user("practitioner")


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def touch(user, case) -> None:
    """Another change to the case, made meanwhile."""
    services.record_incident(
        db.session,
        user,
        case,
        occurred_on=date(2026, 2, 1),
        source="other",
        description="Fictional",
    )


def test_completing_an_action_records_who_and_when(user):
    case = fa.case("active")
    action = fa.action(case, "idva_referral")
    services.complete_action(db.session, user, case, action_id=action.id)
    db.session.refresh(action)
    assert action.completed_by_id == user.id
    assert action.completed_at is not None
    [event] = events("case.action_completed")
    assert event.details["action_id"] == action.id


def test_an_action_can_be_completed_after_closure(user):
    case = fa.case("closed")
    action = fa.action(case, "marac_referral")
    services.complete_action(db.session, user, case, action_id=action.id)
    assert action.completed_at is not None


def test_an_action_already_done_cannot_be_done_again(user):
    case = fa.case("active")
    action = fa.action(case, completed_at=fa.moment(date(2026, 2, 1)))
    with pytest.raises(RuleBroken, match="already marked as done"):
        services.complete_action(db.session, user, case, action_id=action.id)


def test_another_cases_action_is_not_found(user):
    case, other = fa.case("active"), fa.case("active")
    action = fa.action(other)
    with pytest.raises(NotFound):
        services.complete_action(db.session, user, case, action_id=action.id)
    assert action.completed_at is None


def test_completing_after_someone_else_changed_the_case_is_saved(user):
    case = fa.case("active")
    action = fa.action(case)
    touch(user, case)
    services.complete_action(db.session, user, case, action_id=action.id)
    db.session.refresh(action)
    assert action.completed_by_id == user.id


def add(user, case, **values):
    defaults = {
        "description": "Send the plan to the school",
        "owner": "Practitioner",
        "due_on": today() + timedelta(days=3),
        "urgent": True,
    }
    return services.add_action(db.session, user, case, **{**defaults, **values})


def test_an_ad_hoc_action_is_added_as_other(user):
    case = fa.case("active")
    action = add(user, case)
    assert (action.kind, action.urgent, action.recorded_by_id) == ("other", True, user.id)
    [event] = events("case.action_added")
    assert "school" not in str(event.details)


def test_an_ad_hoc_action_needs_a_description_an_owner_and_a_date_not_past(user):
    case = fa.case("active")
    with pytest.raises(RuleBroken) as refused:
        add(user, case, description="", owner=" ", due_on=today() - timedelta(days=1))
    assert set(refused.value.errors) == {"description", "owner", "due_on"}
    assert refused.value.errors["due_on"] == "The due date cannot be in the past"
    assert count(CaseAction) == 0


def test_an_ad_hoc_action_cannot_be_due_more_than_a_year_after_the_programme_ends(user):
    case = fa.case("active")
    settings = current_settings(db.session)
    settings.programme_end_date = today() + timedelta(days=100)
    db.session.commit()
    last_day = settings.programme_end_date.replace(year=settings.programme_end_date.year + 1)
    for too_late in (last_day + timedelta(days=1), date(9999, 12, 31)):
        with pytest.raises(RuleBroken) as refused:
            add(user, case, due_on=too_late)
        assert refused.value.errors == {
            "due_on": f"The due date cannot be after {long_date(last_day)}, "
            "a year after the programme ends"
        }
    assert count(CaseAction) == 0
    assert add(user, case, due_on=last_day).due_on == last_day


def test_once_the_programme_has_ended_an_action_may_be_due_up_to_a_year_from_today(user):
    case = fa.case("active")
    settings = current_settings(db.session)
    settings.programme_end_date = today() - timedelta(days=1)
    db.session.commit()
    last_day, why = latest_due_date(db.session)
    assert why.endswith("a year from today") and last_day > today() + timedelta(days=364)
    with pytest.raises(RuleBroken, match="a year from today"):
        add(user, case, due_on=last_day + timedelta(days=1))
    assert add(user, case, due_on=last_day).due_on == last_day


def test_no_ad_hoc_action_is_added_to_a_closed_case(user):
    case = fa.case("closed")
    with pytest.raises(RuleBroken, match="reopen it to add an action"):
        add(user, case)
