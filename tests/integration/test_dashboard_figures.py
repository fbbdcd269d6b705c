"""The manager's dashboard against a small world worked out by hand (issue 19, item 2).

The clock stands at noon on Wednesday 18 November 2026; the dashboard's months are June to
November 2026. Monday 31 August 2026 is a bank holiday. Six cases:

- T1, Camden, received Mon 2 Nov: acknowledged Thu 5 Nov (due Thu 5: met, 3 working days);
  consultation booked Fri 6 Nov (due Mon 9: met, 4), held 10 Nov: intervention; started
  11 Nov, a meeting 17 Nov (1 due); DASH standard 3 Nov, high 16 Nov (up); its IDVA action
  due Tue 17 Nov, done Wed 18 (missed, 2).
- T2, Hackney, received Fri 28 Aug: acknowledged Thu 3 Sep (due Thu 3 over the bank
  holiday: met, 3); booked Tue 8 Sep (due Mon 7: missed, 6), held 10 Sep: consultation
  only; closed 15 Sep; DASH medium 1 Sep, standard 14 Sep (down).
- T3, Camden, received Wed 7 Oct: never acknowledged (due Mon 12 Oct: missed) nor booked
  (due Wed 14: missed); DASH high 8 Oct (high, high) with no IDVA referral; nothing since.
- T4, Camden, received Tue 17 Nov: not yet acknowledged (due Fri 20: waiting) nor booked
  (due Tue 24: waiting).
- T5, Hackney, received Mon 5 Oct: a late referral awaiting agreement; acknowledged Tue
  6 Oct (met, 1); no booking due yet; nothing recorded since.
- T6, Hackney, received 15 Apr (before the months): intervention from 1 Oct, meetings
  8 Oct (4 due in October: short), 5 and 12 Nov (2 due); DASH high and MARAC 2 Oct (high,
  high): IDVA action due Mon 5 Oct done Mon 5 (met, 1), MARAC action due Tue 6 Oct never
  done (missed; and in the "MARAC without a referral" queue).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine

from eip.cases.models import Case
from eip.cases.records import (
    CaseAction,
    Consultation,
    DashReview,
    ProfessionalsMeeting,
)
from eip.extensions import db
from eip.reports import dashboard
from tests import factories

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


def _case(ref, borough, received, **fields):
    case = factories.case(borough, reference=f"EIP-2026-{ref}", status=fields.pop("status"))
    case.received_at = at(received)
    case.created_at = at(received)
    for name, value in fields.items():
        setattr(case, name, value)
    db.session.flush()
    return case


def _review(case, on, level, score, marac=False, recorded=None):
    review = DashReview(
        case_id=case.id,
        completed_on=on,
        answers={},
        score=score,
        risk_level=level,
        marac=marac,
        created_at=at(recorded or on),
    )
    db.session.add(review)
    db.session.flush()
    return review


def _action(case, kind, review, due, done=None):
    db.session.add(
        CaseAction(
            case_id=case.id,
            kind=kind,
            description="Refer",
            due_on=due,
            urgent=True,
            source_id=review.id,
            completed_at=at(done) if done else None,
        )
    )


def _consultation(case, booked, held, outcome):
    db.session.add(
        Consultation(
            case_id=case.id,
            scheduled_for=at(held),
            medium="phone",
            held_on=held,
            outcome=outcome,
            created_at=at(booked),
        )
    )


def _meeting(case, on):
    db.session.add(ProfessionalsMeeting(case_id=case.id, held_on=on, attendees="Both"))


@pytest.fixture
def world(app_context):
    with time_machine.travel(NOW, tick=False):
        t1 = _case(
            "T001",
            "Camden",
            date(2026, 11, 2),
            status="active",
            acknowledged_at=at(date(2026, 11, 5)),
            intervention_started_on=date(2026, 11, 11),
        )
        _consultation(t1, date(2026, 11, 6), date(2026, 11, 10), "intervention")
        _meeting(t1, date(2026, 11, 17))
        _review(t1, date(2026, 11, 3), "standard", 2)
        high = _review(t1, date(2026, 11, 16), "high", 11)
        _action(t1, "idva_referral", high, date(2026, 11, 17), done=date(2026, 11, 18))

        t2 = _case(
            "T002",
            "Hackney",
            date(2026, 8, 28),
            status="closed",
            acknowledged_at=at(date(2026, 9, 3)),
            closed_at=at(date(2026, 9, 15)),
        )
        _consultation(t2, date(2026, 9, 8), date(2026, 9, 10), "consultation_only")
        _review(t2, date(2026, 9, 1), "medium", 6)
        _review(t2, date(2026, 9, 14), "standard", 3)

        t3 = _case("T003", "Camden", date(2026, 10, 7), status="referred")
        _review(t3, date(2026, 10, 8), "high", 12)

        _case("T004", "Camden", date(2026, 11, 17), status="referred")
        _case(
            "T005",
            "Hackney",
            date(2026, 10, 5),
            status="awaiting_late_agreement",
            late_referral=True,
            acknowledged_at=at(date(2026, 10, 6)),
        )

        t6 = _case(
            "T006",
            "Hackney",
            date(2026, 4, 15),
            status="active",
            acknowledged_at=at(date(2026, 4, 16)),
            intervention_started_on=date(2026, 10, 1),
        )
        _consultation(t6, date(2026, 4, 20), date(2026, 5, 20), "intervention")
        for day in (date(2026, 10, 8), date(2026, 11, 5), date(2026, 11, 12)):
            _meeting(t6, day)
        marac = _review(t6, date(2026, 10, 2), "high", 15, marac=True, recorded=date(2026, 11, 10))
        _action(t6, "idva_referral", marac, date(2026, 10, 5), done=date(2026, 10, 5))
        _action(t6, "marac_referral", marac, date(2026, 10, 6))
        db.session.commit()
        yield {c.reference[-4:]: c for c in (t1, t2, t3, t6)}


def _refs(ids):
    return {db.session.get(Case, i).reference[-4:] for i in ids}


def test_each_dashboard_figure_matches_the_hand_worked_world(world):
    manager = factories.user("manager")
    with time_machine.travel(NOW, tick=False):
        shown = dashboard.figures(db.session, manager, TODAY)
    period = shown["period"]
    assert period.months[0] == date(2026, 6, 1) and period.months[-1] == date(2026, 11, 1)
    camden, hackney = factories.borough("Camden").id, factories.borough("Hackney").id
    # Referrals: month index 0 = June … 5 = November.
    assert shown["referrals"] == {(camden, 5): 2, (camden, 4): 1, (hackney, 2): 1, (hackney, 4): 1}
    assert shown["outcomes"] == {
        ("intervention", 5, camden): 1,
        ("consultation_only", 3, hackney): 1,
    }

    t = shown["timeliness"]
    ack = t["acknowledgement"]
    assert (ack.met, _refs(ack.missed), ack.waiting, ack.median_days) == (3, {"T003"}, 1, 3)
    assert ack.share_met == 3 / 4
    booked = t["consultation"]
    assert (booked.met, _refs(booked.missed), booked.waiting) == (1, {"T002", "T003"}, 1)
    assert booked.median_days == 5  # 4 and 6 working days
    idva = t["idva"]
    assert (idva.met, _refs(idva.missed), idva.waiting, idva.median_days) == (1, {"T001"}, 0, 1.5)
    marac = t["marac"]
    assert (marac.met, _refs(marac.missed), marac.median_days, marac.share_met) == (
        0,
        {"T006"},
        None,
        0,
    )

    meetings = {row.month.month: row for row in shown["meetings"]}
    october, november = meetings[10], meetings[11]
    assert (october.cases, october.due, october.held, _refs(october.short)) == (1, 4, 1, {"T006"})
    assert (november.cases, november.due, november.held, november.short) == (2, 3, 3, ())
    assert all(meetings[m].cases == 0 for m in (6, 7, 8, 9))

    assert shown["dash"] == {
        ("standard", "high"): 1,
        ("medium", "standard"): 1,
        ("high", "high"): 2,
    }
    assert shown["dash_movement"] == {"up": 1, "same": 2, "down": 1}
    assert shown["queues"] == {"late": 1, "no_idva": 1, "no_marac": 1, "quiet": 2}
    assert shown["outcome_measures"] is None  # plugs in with the outcome measures


# The list behind each link, as the page links it: (address, the cases listed).
LINKS = [
    ("referrals?month=2026-11&borough={camden}", {"T001", "T004"}),
    ("referrals?borough={hackney}", {"T002", "T005"}),
    ("referrals", {"T001", "T002", "T003", "T004", "T005"}),
    ("outcomes?outcome=intervention", {"T001"}),
    ("outcomes?outcome=consultation_only&month=2026-09&borough={hackney}", {"T002"}),
    ("acknowledgement", {"T003"}),
    ("consultation", {"T002", "T003"}),
    ("idva", {"T001"}),
    ("marac", {"T006"}),
    ("meetings?month=2026-10", {"T006"}),
    ("dash?intake=high&now=high", {"T003", "T006"}),
    ("dash?intake=standard", {"T001"}),
    ("dash_movement?move=down", {"T002"}),
    ("dash_movement?move=up", {"T001"}),
    ("late", {"T005"}),
    ("no_idva", {"T003"}),
    ("no_marac", {"T006"}),
    ("quiet", {"T003", "T005"}),
]


@pytest.mark.parametrize(("link", "expected"), LINKS)
def test_each_figures_link_lists_the_cases_behind_it(world, signed_in, link, expected):
    client, _manager = signed_in("manager")
    ids = {"camden": factories.borough("Camden").id, "hackney": factories.borough("Hackney").id}
    with time_machine.travel(NOW, tick=False):
        page = client.get("/dashboard/cases/" + link.format(**ids))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert set(re.findall(r">EIP-2026-(T\d{3})<", html)) == expected
    assert f'id="cases-total">{len(expected)} case' in html
