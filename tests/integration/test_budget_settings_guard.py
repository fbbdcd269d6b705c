"""The programme settings cannot promise less than the placements already hold: the pot not
below the money committed or invoiced, the people cap not below the people counted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eip.admin import settings_services
from eip.admin.models import ProgrammeSettings
from eip.audit import AuditEvent
from eip.domain import RuleBroken
from eip.extensions import db
from tests import factories
from tests import factories_accommodation as fa

pytestmark = pytest.mark.usefixtures("app_context")


def save(**changes):
    values, version, _row = settings_services.current(db.session)
    manager = factories.user("manager")
    return settings_services.update_settings(
        db.session, manager, {**values, **changes}, version=version
    )


def saved() -> ProgrammeSettings:
    db.session.rollback()
    return db.session.get(ProgrammeSettings, 1)


def test_the_pot_cannot_go_below_what_placements_hold():
    fa.placement(state="checked_in", rate_pence=10_000)  # 28 nights: £2,800.00
    fa.placement(state="ended", moved_out_after=5, rate_pence=10_000)  # £500.00 after release
    with pytest.raises(RuleBroken) as refused:
        save(pot_pence=329_999)
    assert refused.value.errors == {
        "pot_pence": "The pot cannot be £3,299.99: placements already hold £3,300.00 "
        "(committed or invoiced)"
    }
    assert saved().pot_pence == 1_400_000
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.updated")) is None
    )


def test_the_pot_may_come_down_to_exactly_what_placements_hold():
    fa.placement(state="checked_in", rate_pence=10_000)
    assert save(pot_pence=280_000) == {"pot_pence": (1_400_000, 280_000)}
    assert saved().pot_pence == 280_000


def test_an_invoice_above_the_commitment_counts_in_what_the_pot_must_cover():
    from accommodation import store
    from eip.clock import today

    p = fa.placement(state="ended", moved_out_after=0, rate_pence=10_000)  # all released
    store.append(db.session, None, "invoice", p, 5_000, effective_on=today())
    db.session.commit()
    with pytest.raises(RuleBroken) as refused:
        save(pot_pence=4_999)
    assert "£50.00" in refused.value.errors["pot_pence"]


def test_the_people_cap_cannot_go_below_the_people_already_counted():
    fa.placement(state="checked_in")
    fa.placement(state="ended")
    fa.placement(state="cancelled")  # not counted
    fa.placement(state="requested")  # not counted
    with pytest.raises(RuleBroken) as refused:
        save(max_people=1)
    assert refused.value.errors == {
        "max_people": "The most people cannot be 1: 2 people have already been accommodated "
        "or have an approved placement"
    }
    assert saved().max_people == 10
    assert save(max_people=2) == {"max_people": (10, 2)}


def test_both_refusals_are_reported_together_and_nothing_is_saved():
    fa.placement(state="approved", rate_pence=10_000)
    fa.placement(state="approved", rate_pence=10_000)
    with pytest.raises(RuleBroken) as refused:
        save(pot_pence=100, max_people=1, invoice_unpaid_days=45)
    assert set(refused.value.errors) == {"pot_pence", "max_people"}
    assert (saved().pot_pence, saved().invoice_unpaid_days) == (1_400_000, 30)


def test_other_settings_save_while_placements_hold_money():
    fa.placement(state="checked_in")
    assert save(invoice_unpaid_days=45) == {"invoice_unpaid_days": (30, 45)}
