"""Boroughs: added, renamed, taking part or not. Never deleted: SPOCs, cases and the
audit trail point at them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from eip.admin import rules
from eip.admin.changes import atomic
from eip.audit import record
from eip.auth.models import User
from eip.cases.models import Case
from eip.domain import NotFound, RuleBroken
from eip.models import Borough
from eip.roles import Role

NAME_TAKEN = "A borough with this name already exists"


@dataclass(frozen=True)
class BoroughRow:
    borough: Borough
    spocs: int
    cases: int

    @property
    def in_use(self) -> bool:
        return bool(self.spocs or self.cases)


def _counts(session: Session, column, borough_ids: list[int], *where) -> dict[int, int]:
    query = select(column, func.count()).where(column.in_(borough_ids), *where).group_by(column)
    return {borough_id: count for borough_id, count in session.execute(query)}


def _rows(session: Session, boroughs: list[Borough]) -> list[BoroughRow]:
    ids = [borough.id for borough in boroughs]
    spocs = _counts(session, User.borough_id, ids, User.role == Role.SPOC.value)
    cases = _counts(session, Case.borough_id, ids)
    return [BoroughRow(b, spocs.get(b.id, 0), cases.get(b.id, 0)) for b in boroughs]


def list_boroughs(session: Session) -> list[BoroughRow]:
    return _rows(session, list(session.scalars(select(Borough).order_by(Borough.name))))


def borough_row(session: Session, borough_id: int) -> BoroughRow:
    borough = session.get(Borough, borough_id)
    if borough is None:
        raise NotFound("No such borough")
    return _rows(session, [borough])[0]


def _locked(session: Session, borough_id: int) -> Borough:
    borough = session.get(Borough, borough_id, with_for_update=True)
    if borough is None:
        raise NotFound("No such borough")
    return borough


def _check_name_free(session: Session, name: str, except_id: int | None = None) -> None:
    query = select(Borough.id).where(func.lower(Borough.name) == name.lower())
    if except_id is not None:
        query = query.where(Borough.id != except_id)
    if session.scalar(query.limit(1)) is not None:
        raise RuleBroken(NAME_TAKEN, field="name")


def _commit(session: Session) -> None:
    _flush(session, commit=True)


def _flush(session: Session, commit: bool = False) -> None:
    """The unique index decides when two admins save the same name at once."""
    try:
        session.commit() if commit else session.flush()
    except IntegrityError:
        session.rollback()
        raise RuleBroken(NAME_TAKEN, field="name") from None


def _clean(raw: str) -> str:
    try:
        return rules.clean_borough_name(raw)
    except ValueError as exc:
        raise RuleBroken(str(exc), field="name") from None


@atomic
def add_borough(session: Session, actor: User, *, name: str, active: bool) -> Borough:
    name = _clean(name)
    _check_name_free(session, name)
    borough = Borough(name=name, active=active)
    session.add(borough)
    _flush(session)
    record(
        session,
        "borough.created",
        actor=actor,
        object_type="borough",
        object_id=borough.id,
        details={"name": name, "active": active},
    )
    _commit(session)
    return borough


def _change(session: Session, actor: User, borough: Borough, field: str, value: object) -> None:
    """Sets one field of a borough and commits, with the audit event naming the old value
    and the new."""
    record(
        session,
        "borough.updated",
        actor=actor,
        object_type="borough",
        object_id=borough.id,
        details={"changes": {field: [getattr(borough, field), value]}},
    )
    setattr(borough, field, value)
    _commit(session)


@atomic
def rename_borough(session: Session, actor: User, borough_id: int, *, name: str) -> bool:
    """False when the name is unchanged (nothing written)."""
    borough = _locked(session, borough_id)
    name = _clean(name)
    if name == borough.name:
        session.rollback()
        return False
    _check_name_free(session, name, except_id=borough.id)
    _change(session, actor, borough, "name", name)
    return True


@atomic
def set_borough_active(session: Session, actor: User, borough_id: int, *, active: bool) -> None:
    """Taking part or not. A borough with SPOCs or cases may stop taking part; they keep it."""
    borough = _locked(session, borough_id)
    if borough.active == active:
        raise RuleBroken(
            "This borough is already taking part" if active else "This borough is not taking part"
        )
    _change(session, actor, borough, "active", active)
