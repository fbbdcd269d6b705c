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

Outcome measures (behaviour score = the eight frequencies added; feels safe only when the
partner was asked; children's exposure 0 none, 1 aware, 2 witnessed):
- T1: intake 13 Nov only (not compared).
- T6: intake 5 Oct (score 16, partner not asked, witnessed), mid 2 Nov (10, feels safe 6,
  witnessed): behaviour improved (-6), feels safe not known, exposure the same (0).
- T7, Hackney, received 5 Jan 2026, intervention 1 Feb, closed 1 May (before the months, so
  in no other figure): intake 4 Feb (12, safe 3, aware), mid 2 Mar and exit 30 Apr (4, safe
  8, none), 3-month follow-up 3 Aug (14, safe 7, none): the latest point is the follow-up,
  so behaviour worsened (+2), feels safe improved (+4), exposure improved (-1); its 6-month
  follow-up was due 1 Nov and is not recorded.
- T8, Camden, received 6 Jan 2025, intervention 3 Feb 2025, closed 2 May 2025: intake
  (physical not known, safe 5, no children) and exit (8, safe 5, no children): behaviour and
  exposure not known, feels safe the same (0); both follow-ups due (2 Aug, 2 Nov 2025).
Compared: T6, T7, T8. Medians: behaviour -2 (-6, +2), feels safe +2 (+4, 0), exposure -0.5.
Recorded: intake 4, mid 2 (T6, T7), exit 2 (T7, T8), 3-month 1 (T7), 6-month 0. Follow-ups
due and not recorded: 3-month T8, 6-month T7 and T8.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine

from eip.cases import outcomes
from eip.cases.models import Case
from eip.cases.queries import deadline_settings
from eip.cases.records import (
    CaseAction,
    Consultation,
    DashReview,
    OnwardReferral,
    OutcomeMeasure,
    ProfessionalsMeeting,
)
from eip.extensions import db
from eip.programme import current_settings
from eip.reports import dashboard
from eip.reports import dashboard_timeliness as timeliness
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


def _measures(case, on, answers, safe=None, exposure="none"):
    """Outcome measures at one point: the eight behaviour frequencies (None: not known), how
    safe the partner feels (None: not asked) and the children's exposure."""
    point, frequencies = answers
    db.session.add(
        OutcomeMeasure(
            case_id=case.id,
            point=point,
            measured_on=on,
            **dict(zip(outcomes.BEHAVIOUR_COLUMNS, frequencies, strict=True)),
            partner_source="not_safe" if safe is None else "practitioner",
            partner_feels_safe=safe,
            children_exposure=exposure,
        )
    )


def _at(point, total, unknown=False):
    """(point, eight frequencies adding to `total`; the first not known when `unknown`)."""
    frequencies = [min(5, max(0, total - 5 * i)) for i in range(8)]
    assert sum(frequencies) == total
    return point, [None, *frequencies[1:]] if unknown else frequencies


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

        _measures(t1, date(2026, 11, 13), _at("intake", 9), 4, "aware")
        _measures(t6, date(2026, 10, 5), _at("intake", 16), None, "witnessed")
        _measures(t6, date(2026, 11, 2), _at("mid", 10), 6, "witnessed")
        t7 = _case(
            "T007",
            "Hackney",
            date(2026, 1, 5),
            status="closed",
            acknowledged_at=at(date(2026, 1, 6)),
            intervention_started_on=date(2026, 2, 1),
            closed_at=at(date(2026, 5, 1)),
        )
        _measures(t7, date(2026, 2, 4), _at("intake", 12), 3, "aware")
        _measures(t7, date(2026, 3, 2), _at("mid", 4), 8)
        _measures(t7, date(2026, 4, 30), _at("exit", 4), 8)
        _measures(t7, date(2026, 8, 3), _at("followup_3", 14), 7)
        t8 = _case(
            "T008",
            "Camden",
            date(2025, 1, 6),
            status="closed",
            acknowledged_at=at(date(2025, 1, 7)),
            intervention_started_on=date(2025, 2, 3),
            closed_at=at(date(2025, 5, 2)),
        )
        _measures(t8, date(2025, 2, 5), _at("intake", 20, unknown=True), 5, "no_children")
        _measures(t8, date(2025, 5, 1), _at("exit", 8), 5, "no_children")
        db.session.commit()
        yield {c.reference[-4:]: c for c in (t1, t2, t3, t6, t7, t8)}


def _measure_by_case(key: str):
    period = dashboard.dc.Period.ending(TODAY)
    action_days = dashboard._action_days(current_settings(db.session))
    deadlines = deadline_settings(db.session)
    bounds = (period.start, period.end)
    return timeliness.measure(db.session, key, bounds, deadlines, action_days, TODAY)


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

    # The page counts the referrals received from rows grouped by day; the lists behind its
    # links read the same rules case by case: the same figures, with the ids.
    t = shown["timeliness"]
    assert t["acknowledgement"].missed == t["consultation"].missed == ()
    with time_machine.travel(NOW, tick=False):
        listed = {key: _measure_by_case(key) for key in timeliness.MEASURES}
    for key, measure in t.items():
        by_case = listed[key]
        assert measure.missed_cases == len(by_case.missed)
        assert (measure.met, measure.waiting, measure.days) == (
            by_case.met,
            by_case.waiting,
            by_case.days,
        )
    ack = listed["acknowledgement"]
    assert (ack.met, _refs(ack.missed), ack.waiting, ack.median_days) == (3, {"T003"}, 1, 3)
    assert ack.share_met == t["acknowledgement"].share_met == 3 / 4
    booked = listed["consultation"]
    assert (booked.met, _refs(booked.missed), booked.waiting) == (1, {"T002", "T003"}, 1)
    assert booked.median_days == t["consultation"].median_days == 5  # 4 and 6 working days
    idva = listed["idva"]
    assert (idva.met, _refs(idva.missed), idva.waiting, idva.median_days) == (1, {"T001"}, 0, 1.5)
    marac = listed["marac"]
    assert (marac.met, _refs(marac.missed), marac.median_days, marac.share_met) == (
        0,
        {"T006"},
        None,
        0,
    )

    meetings = {row.month.month: row for row in shown["meetings"]}
    with time_machine.travel(NOW, tick=False):
        interval = current_settings(db.session).meeting_interval_days
        by_case = {row.month.month: row for row in dashboard.meetings(db.session, period, interval)}
    for month, row in meetings.items():
        assert row.short == () and row.short_cases == len(by_case[month].short)
        assert (row.cases, row.due, row.held) == (
            by_case[month].cases,
            by_case[month].due,
            by_case[month].held,
        )
    october, november = meetings[10], meetings[11]
    assert (october.cases, october.due, october.held, october.short_cases) == (1, 4, 1, 1)
    assert _refs(by_case[10].short) == {"T006"}
    assert (november.cases, november.due, november.held, november.short_cases) == (2, 3, 3, 0)
    assert all(meetings[m].cases == 0 for m in (6, 7, 8, 9))

    assert shown["dash"] == {
        ("standard", "high"): 1,
        ("medium", "standard"): 1,
        ("high", "high"): 2,
    }
    assert shown["dash_movement"] == {"up": 1, "same": 2, "down": 1}
    assert shown["queues"] == {"late": 1, "no_idva": 1, "no_marac": 1, "quiet": 2}

    om = shown["outcome_measures"]
    assert om["compared"] == 3
    changes = {name: (m.counts, m.median) for name, m in om["changes"].items()}
    assert changes == {
        "behaviour": ({"improved": 1, "same": 0, "worsened": 1, "not_known": 1}, -2),
        "feels_safe": ({"improved": 1, "same": 1, "worsened": 0, "not_known": 1}, 2),
        "exposure": ({"improved": 1, "same": 1, "worsened": 0, "not_known": 1}, -0.5),
    }
    assert om["recorded"] == {"intake": 4, "mid": 2, "exit": 2, "followup_3": 1, "followup_6": 0}
    assert om["followups_due"] == {"followup_3": 1, "followup_6": 2}


def _onward(case, agency, on):
    db.session.add(OnwardReferral(case_id=case.id, agency=agency, referred_on=on, status="made"))
    db.session.commit()


def _queue_cases(key):
    manager = factories.user("manager")
    with time_machine.travel(NOW, tick=False):
        shown = dashboard.figures(db.session, manager, TODAY)
        listed = dashboard.cases_behind(db.session, manager, key, {}, TODAY)
    assert shown["queues"][key] == listed.total
    return {row.case.reference[-4:] for row in listed.rows}


def test_only_the_cases_own_onward_referral_takes_it_out_of_the_risk_queues(world):
    """Another case's IDVA or MARAC referral, made after this case's review, leaves this case
    in its queue (it once took every such case out); its own takes it out."""
    t1, t3, t6 = world["T001"], world["T003"], world["T006"]
    _onward(t1, "idva", date(2026, 11, 17))
    _onward(t1, "marac", date(2026, 11, 17))
    assert _queue_cases("no_idva") == {"T003"}
    assert _queue_cases("no_marac") == {"T006"}
    _onward(t3, "idva", date(2026, 10, 7))  # before its review: not for it
    assert _queue_cases("no_idva") == {"T003"}
    _onward(t3, "idva", date(2026, 10, 9))
    _onward(t6, "marac", date(2026, 10, 2))
    assert _queue_cases("no_idva") == set()
    assert _queue_cases("no_marac") == set()


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
    ("outcome_change", {"T006", "T007", "T008"}),
    ("outcome_change?measure=behaviour&change=improved", {"T006"}),
    ("outcome_change?measure=behaviour&change=worsened", {"T007"}),
    ("outcome_change?measure=behaviour&change=not_known", {"T008"}),
    ("outcome_change?measure=feels_safe&change=improved", {"T007"}),
    ("outcome_change?measure=feels_safe&change=same", {"T008"}),
    ("outcome_change?measure=feels_safe&change=not_known", {"T006"}),
    ("outcome_change?measure=exposure&change=improved", {"T007"}),
    ("outcome_change?measure=exposure&change=same", {"T006"}),
    ("outcome_change?measure=exposure&change=worsened", set()),
    ("outcome_points?point=intake", {"T001", "T006", "T007", "T008"}),
    ("outcome_points?point=exit", {"T007", "T008"}),
    ("outcome_points?point=followup_3", {"T007"}),
    ("outcome_due?point=followup_3", {"T008"}),
    ("outcome_due?point=followup_6", {"T007", "T008"}),
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


def test_the_months_meetings_count_whole_month_and_part_month_cases_as_case_by_case(
    app_context,
):
    """October 2026, grouped (the dashboard) and case by case (the cases behind it) alike:
    cases in it the whole month with no, one and two meetings; one closed at 00:30 on 1
    November (London), so in it to the end; one started, one closed, one both in the month;
    one closed at 23:30 on its last day; one closed before it."""

    def started(ref, on, closed=None):
        case = _case(ref, "Hackney", date(2026, 7, 1), status="closed" if closed else "active")
        case.intervention_started_on = on
        case.closed_at = closed
        db.session.flush()
        return case

    october = date(2026, 10, 1)
    started("W000", date(2026, 9, 1))
    _meeting(started("W001", date(2026, 8, 15)), date(2026, 10, 5))
    both = started("W002", october)
    _meeting(both, date(2026, 10, 2))
    _meeting(both, date(2026, 10, 20))
    started("W003", date(2026, 9, 1), closed=datetime(2026, 11, 1, 0, 30, tzinfo=UTC))
    _meeting(started("P001", date(2026, 10, 10)), date(2026, 10, 12))
    closing = started("P002", date(2026, 9, 1), closed=datetime(2026, 10, 20, 10, tzinfo=UTC))
    _meeting(closing, date(2026, 10, 3))
    started("P003", date(2026, 10, 5), closed=datetime(2026, 10, 25, 10, tzinfo=UTC))
    started("P004", date(2026, 9, 1), closed=datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
    started("OUT1", date(2026, 8, 1), closed=datetime(2026, 9, 30, 10, tzinfo=UTC))
    db.session.commit()

    manager = factories.user("manager")
    with time_machine.travel(NOW, tick=False):
        shown = dashboard.figures(db.session, manager, TODAY)
        interval = current_settings(db.session).meeting_interval_days
        by_case = dashboard.meetings(db.session, shown["period"], interval)
    grouped = next(row for row in shown["meetings"] if row.month == october)
    one_by_one = next(row for row in by_case if row.month == october)
    assert (grouped.cases, grouped.held) == (8, 5)
    assert (grouped.cases, grouped.due, grouped.held, grouped.short_cases) == (
        one_by_one.cases,
        one_by_one.due,
        one_by_one.held,
        len(one_by_one.short),
    )
    assert "EIP-2026-W000" in {db.session.get(Case, i).reference for i in one_by_one.short}
