"""Programme settings and the managers' extra non-working days.

A save checks every value first and writes all or nothing; only the settings
that changed are audited, with their old and new values.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from eip.admin import rules
from eip.admin.changes import atomic
from eip.admin.models import NonWorkingDay, ProgrammeSettings
from eip.audit import record
from eip.auth.models import User
from eip.domain import Conflict, NotFound, RuleBroken
from eip.programme import current_settings

CHANGED_SINCE = (
    "Another manager changed the settings while you were editing them. The page now shows "
    "their values: make your changes again"
)


def values_of(settings: ProgrammeSettings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in rules.SETTING_NAMES}


def version_of(settings: ProgrammeSettings) -> str:
    """Changes with every save: a form carries it so that a stale save is refused."""
    return settings.updated_at.isoformat() if settings.updated_at else ""


def current(session: Session) -> tuple[dict[str, Any], str, ProgrammeSettings]:
    settings = current_settings(session)
    return values_of(settings), version_of(settings), settings


def _check_accommodation_caps(session: Session, changes: dict[str, tuple[Any, Any]]) -> None:
    """The pot and the people cap cannot go below what is already promised. The caller holds
    the settings row's lock, which is also the pot lock (accommodation.store), so no approval
    can slip in between this check and the save."""
    from accommodation import ledger, store
    from eip.formatting import format_pence

    problems: dict[str, str] = {}
    if "pot_pence" in changes:
        new_pot = changes["pot_pence"][1]
        exposure = ledger.pot_totals(store.entries(session), new_pot).exposure
        if new_pot < exposure:
            problems["pot_pence"] = (
                f"The pot cannot be {format_pence(new_pot)}: placements already hold "
                f"{format_pence(exposure)} (committed or invoiced)"
            )
    if "max_people" in changes:
        new_max, counted = changes["max_people"][1], len(store.people_counted(session))
        if new_max < counted:
            problems["max_people"] = (
                f"The most people cannot be {new_max}: {counted} people have already been "
                "accommodated or have an approved placement"
            )
    problems.update(_stay_problems(session, changes))
    if problems:
        raise RuleBroken("Some settings are not valid", errors=problems)


def _stay_problems(session: Session, changes: dict[str, tuple[Any, Any]]) -> dict[str, str]:
    """The programme end and the nights per client cannot cut into stays already approved:
    no live placement may be left running past the end, nor any client holding more nights
    than the new most. (Called under the same settings row lock as the pot check.)"""
    from accommodation import rules as stay_rules
    from accommodation import store
    from accommodation.models import Placement
    from eip.formatting import long_date

    problems: dict[str, str] = {}
    if "programme_end_date" in changes:
        new_end = changes["programme_end_date"][1]
        live = session.scalars(
            select(Placement).where(Placement.state.in_(stay_rules.LIVE_STAYS))
        ).all()
        late = [p.planned_move_out_on for p in live if p.planned_move_out_on]
        past = [day for day in late if day > new_end]
        if past:
            problems["programme_end_date"] = (
                f"The programme cannot end on {long_date(new_end)}: {len(past)} "
                f"placement{'s' if len(past) != 1 else ''} approved or under way "
                f"{'run' if len(past) != 1 else 'runs'} until {long_date(max(past))}, "
                "so the end must be that date or later"
            )
    if "max_nights_per_client" in changes:
        new_most = changes["max_nights_per_client"][1]
        clients = session.scalars(
            select(Placement.client_id)
            .where(Placement.state.in_(stay_rules.COUNTS_TOWARDS_PEOPLE_CAP))
            .distinct()
        ).all()
        used = [store.nights_used_by_client(session, client) for client in clients]
        over = [nights for nights in used if nights > new_most]
        if over:
            problems["max_nights_per_client"] = (
                f"The most nights per client cannot be {new_most}: {len(over)} "
                f"client{'s have' if len(over) != 1 else ' has'} already had or been approved "
                f"up to {max(over)} nights, so it must be {max(over)} or more"
            )
    return problems


@atomic
def update_settings(
    session: Session,
    actor: User,
    values: Mapping[str, Any],
    *,
    version: str | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Save the values; returns {name: (old, new)} for what changed ({} writes nothing)."""
    problems = rules.settings_problems(values)
    if problems:
        raise RuleBroken("Some settings are not valid", errors=problems)
    settings = session.get(ProgrammeSettings, 1, with_for_update=True, populate_existing=True)
    if settings is None:
        raise NotFound("The programme settings have not been created: run the migrations")
    if version is not None and version != version_of(settings):
        raise Conflict(CHANGED_SINCE)
    changes = rules.setting_changes(values_of(settings), values)
    if not changes:
        session.rollback()
        return {}
    _check_accommodation_caps(session, changes)
    for name, (_old, new) in changes.items():
        setattr(settings, name, new)
    settings.updated_by_id = actor.id
    record(
        session,
        "settings.updated",
        actor=actor,
        object_type="programme_settings",
        object_id=1,
        details={
            "changes": {
                name: [rules.audit_value(old), rules.audit_value(new)]
                for name, (old, new) in changes.items()
            }
        },
    )
    session.commit()
    return changes


def non_working_days(session: Session) -> list[NonWorkingDay]:
    return list(session.scalars(select(NonWorkingDay).order_by(NonWorkingDay.day)))


@atomic
def add_non_working_day(session: Session, actor: User, *, day: date, reason: str) -> NonWorkingDay:
    reason = " ".join(reason.split())
    if not reason:
        raise RuleBroken("Enter the reason", field="reason")
    if len(reason) > rules.NON_WORKING_REASON_MAX:
        message = f"The reason must be {rules.NON_WORKING_REASON_MAX} characters or fewer"
        raise RuleBroken(message, field="reason")
    problem = rules.non_working_day_problem(day)
    if problem:
        raise RuleBroken(problem, field="day")
    duplicate = "That day is already a non-working day"
    if session.scalar(select(NonWorkingDay.id).where(NonWorkingDay.day == day)) is not None:
        raise RuleBroken(duplicate, field="day")
    row = NonWorkingDay(day=day, reason=reason, created_by_id=actor.id)
    try:
        session.add(row)
        session.flush()
        record(
            session,
            "settings.non_working_day_added",
            actor=actor,
            object_type="non_working_day",
            object_id=row.id,
            details={"day": day.isoformat(), "reason": reason},
        )
        session.commit()
    except IntegrityError:
        # Another manager added the same day a moment ago.
        session.rollback()
        raise RuleBroken(duplicate, field="day") from None
    return row


@atomic
def remove_non_working_day(session: Session, actor: User, day_id: int) -> date:
    row = session.get(NonWorkingDay, day_id, with_for_update=True)
    if row is None:
        raise NotFound("No such non-working day")
    record(
        session,
        "settings.non_working_day_removed",
        actor=actor,
        object_type="non_working_day",
        object_id=row.id,
        details={"day": row.day.isoformat(), "reason": row.reason},
    )
    day = row.day
    session.delete(row)
    session.commit()
    return day
