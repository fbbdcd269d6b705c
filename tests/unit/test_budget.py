"""The budget at a glance, from the ledger: figures, burn-down, forecast, breakdowns and the
CSV statements, whose totals must always equal the ledger's."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accommodation import ledger
from accommodation.budget import chart as budget_chart
from accommodation.budget import months as budget_months
from accommodation.budget import summary as budget
from accommodation.budget.exports import month_csv, placement_csv
from accommodation.budget.summary import DatedEntry, PlacementFacts
from accommodation.ledger import COMMIT, INVOICE, PAYMENT, RELEASE, REVERSAL, Entry
from accommodation.rules import STATE_LABELS
from eip.csvsafe import safe_cell, to_csv
from eip.formatting import plain_pounds

TODAY = date(2026, 10, 15)
POT = 1_400_000
RATE = 6_500


def facts(pid=1, state="checked_in", *, client=None, nights=28, rate=RATE, **kwargs):
    """A placement's facts; a stay checked in 10 days ago unless told otherwise."""
    start = kwargs.pop("start_on", TODAY - timedelta(days=10))
    checked_in = kwargs.pop("checked_in_on", start if state in ("checked_in", "ended") else None)
    first = checked_in or start
    return PlacementFacts(
        id=pid,
        client_id=pid if client is None else client,
        reference=kwargs.pop("reference", f"EIP-2026-{pid:04d}"),
        borough=kwargs.pop("borough", "Camden"),
        state=state,
        rate_pence=rate,
        approved_nights=nights,
        start_on=start,
        checked_in_on=checked_in,
        planned_move_out_on=first + timedelta(days=nights) if nights else None,
        **kwargs,
    )


class Book:
    """Entries with ids and dates, written the way the services would."""

    def __init__(self) -> None:
        self.dated: list[DatedEntry] = []

    @property
    def entries(self) -> list[Entry]:
        return [d.entry for d in self.dated]

    def add(self, kind, pid, amount, on=TODAY, reverses=None) -> int:
        entry = Entry(kind, pid, amount, reverses=reverses, id=len(self.dated) + 1)
        self.dated.append(DatedEntry(entry, on))
        return entry.id

    def reverse(self, entry_id, on=TODAY) -> int:
        target = self.entries[entry_id - 1]
        return self.add(REVERSAL, target.placement_id, target.amount_pence, on, entry_id)

    @property
    def totals(self) -> dict[int, ledger.PlacementTotals]:
        return ledger.all_placement_totals(self.entries)

    def months(self, pot, include=None) -> list[budget.MonthRow]:
        """The month rows from what `ledger_sql.day_sums` and `burn_down` would read."""
        days: dict[date, list[int]] = {}
        slots = {COMMIT: 0, RELEASE: 1, INVOICE: 2, PAYMENT: 3}
        for d, (pid, kind, amount) in zip(self.dated, ledger.movements(self.entries), strict=True):
            if include is None or pid in include:
                days.setdefault(d.on, [0, 0, 0, 0])[slots[kind]] += amount
        sums = {on: tuple(v) for on, v in days.items()}
        return budget_months.month_rows(sums, budget.burn_down(self.dated, pot), pot)


# ---------------------------------------------------------------------------
# Nights


@pytest.mark.parametrize(
    ("state", "kwargs", "nights"),
    [
        ("checked_in", {}, 10),  # checked in 10 days ago: 10 nights stayed, tonight not yet
        ("checked_in", {"checked_in_on": TODAY}, 0),
        ("checked_in", {"nights": 4}, 4),  # capped at the planned move-out
        ("ended", {"moved_out_on": TODAY - timedelta(days=7)}, 3),
        ("approved", {}, 0),
        ("agreement_signed", {}, 0),
        ("cancelled", {}, 0),
        ("requested", {}, 0),
    ],
)
def test_occupied_nights_count_only_nights_already_stayed(state, kwargs, nights):
    assert budget.occupied_nights(facts(state=state, **kwargs), TODAY) == nights


def test_a_late_check_in_is_forecast_from_today_for_all_its_approved_nights():
    late = facts(state="approved", start_on=TODAY - timedelta(days=3), nights=5)
    assert budget.stay_span(late, TODAY) == (TODAY, TODAY + timedelta(days=5))
    ahead = facts(state="agreement_signed", start_on=TODAY + timedelta(days=2), nights=5)
    assert budget.stay_span(ahead, TODAY) == (TODAY + timedelta(2), TODAY + timedelta(7))
    assert budget.stay_span(facts(state="cancelled"), TODAY) is None


# ---------------------------------------------------------------------------
# Figures


def test_an_empty_ledger_leaves_the_whole_pot_available():
    f = budget.figures({}, [], pot_pence=POT, max_people=10, today=TODAY)
    assert (f.committed, f.invoiced, f.paid, f.available, f.accrued) == (0, 0, 0, POT, 0)
    assert (f.people, f.max_people, f.nights_stayed, f.nights_approved) == (0, 10, 0, 0)


def test_figures_follow_the_ledger_to_the_penny():
    book = Book()
    book.add(COMMIT, 1, 28 * RATE)
    book.add(COMMIT, 2, 14 * 7_000)
    book.add(RELEASE, 2, 4 * 7_000)
    book.add(INVOICE, 1, 7 * RATE)
    book.add(PAYMENT, 1, 5 * RATE)
    placements = [facts(1), facts(2, "ended", rate=7_000, nights=14, moved_out_on=TODAY)]
    f = budget.figures(book.totals, placements, pot_pence=POT, max_people=10, today=TODAY)
    totals = ledger.pot_totals(book.entries, POT)
    assert f.committed == totals.committed == 28 * RATE + 10 * 7_000
    assert (f.invoiced, f.paid, f.unpaid) == (7 * RATE, 5 * RATE, 2 * RATE)
    assert f.available == totals.available == POT - 28 * RATE - 10 * 7_000
    # Placement 1 stayed 10 nights and 7 are invoiced; placement 2's 10 nights are not.
    assert f.accrued == 3 * RATE + 10 * 7_000
    assert f.to_invoice == 21 * RATE + 10 * 7_000
    assert (f.nights_stayed, f.nights_approved) == (20, 38)


def test_accrued_is_never_negative_when_invoiced_in_advance():
    book = Book()
    book.add(COMMIT, 1, 28 * RATE)
    book.add(INVOICE, 1, 28 * RATE)
    f = budget.figures(book.totals, [facts(1)], pot_pence=POT, max_people=10, today=TODAY)
    assert (f.accrued, f.to_invoice) == (0, 0)


def test_people_are_distinct_clients_with_an_approved_placement_not_cancelled():
    placements = [
        facts(1, "checked_in", client=7),
        facts(2, "ended", client=7, moved_out_on=TODAY),  # the same person twice
        facts(3, "approved", client=8),
        facts(4, "cancelled", client=9),
        facts(5, "requested", client=10),
        facts(6, "declined", client=11),
    ]
    f = budget.figures({}, placements, pot_pence=POT, max_people=10, today=TODAY)
    assert f.people == 2


# ---------------------------------------------------------------------------
# Burn-down


def test_the_burn_down_has_one_point_per_day_with_the_pot_after_that_day():
    book = Book()
    day1, day2 = TODAY - timedelta(days=20), TODAY - timedelta(days=5)
    book.add(COMMIT, 1, 100_000, day1)
    book.add(COMMIT, 2, 50_000, day1)
    book.add(RELEASE, 2, 20_000, day2)
    book.add(INVOICE, 1, 30_000, day2)
    points = budget.burn_down(book.dated, POT)
    assert [(p.on, p.available) for p in points] == [
        (day1, POT - 150_000),
        (day2, POT - 130_000),
    ]
    assert points[-1].invoiced == 30_000


def test_a_reversal_restores_the_pot_on_its_own_date_even_before_the_entry_it_corrects():
    book = Book()
    commit = book.add(COMMIT, 1, 100_000, TODAY - timedelta(days=10))
    invoice = book.add(INVOICE, 1, 40_000, TODAY)  # back-dated after its correction
    book.reverse(invoice, TODAY - timedelta(days=1))
    points = budget.burn_down(book.dated, POT)
    assert [p.invoiced for p in points] == [0, -40_000, 0]
    assert points[-1].available == ledger.pot_totals(book.entries, POT).available
    assert commit == 1


def test_a_corrupt_ledger_is_an_error_in_the_budget_too():
    bad = [DatedEntry(Entry(REVERSAL, 1, 500, reverses=9, id=1), TODAY)]
    with pytest.raises(ValueError):
        budget.burn_down(bad, POT)


# ---------------------------------------------------------------------------
# Forecast


def test_the_forecast_reaches_the_committed_total_on_the_last_planned_move_out():
    book = Book()
    book.add(COMMIT, 1, 28 * RATE)
    book.add(COMMIT, 2, 5 * 8_000)
    placements = [facts(1), facts(2, "approved", rate=8_000, nights=5, start_on=TODAY)]
    series = budget.spend_series(book.totals, placements, pot_pence=POT, today=TODAY)
    assert series[0].on == TODAY - timedelta(days=10)
    assert series[-1].on == TODAY + timedelta(days=18)  # placement 1's planned move-out
    assert series[-1].spent == ledger.pot_totals(book.entries, POT).committed
    today = next(p for p in series if p.on == TODAY)
    assert (today.spent, today.forecast) == (10 * RATE, False)
    assert all(p.forecast == (p.on > TODAY) for p in series)
    assert all(a.spent <= b.spent for a, b in itertools.pairwise(series))
    assert series[-1].remaining == POT - series[-1].spent


def test_an_added_commitment_counts_on_move_out_and_a_cancellation_charge_from_today():
    book = Book()
    book.add(COMMIT, 1, 3 * RATE + 1_000)  # an added commitment above rate x nights
    book.add(COMMIT, 2, 2 * RATE)
    book.add(RELEASE, 2, RATE)  # cancelled, one night still committed (a charge)
    placements = [
        facts(1, "checked_in", nights=3, checked_in_on=TODAY - timedelta(days=1)),
        facts(2, "cancelled", nights=2, start_on=TODAY + timedelta(days=3)),
    ]
    series = budget.spend_series(book.totals, placements, pot_pence=POT, today=TODAY)
    by_day = {p.on: p.spent for p in series}
    assert by_day[TODAY - timedelta(days=1)] == 0
    assert by_day[TODAY] == RATE + RATE  # one night stayed, and the charge
    assert by_day[TODAY + timedelta(days=1)] == 2 * RATE + RATE
    assert by_day[TODAY + timedelta(days=2)] == 3 * RATE + 1_000 + RATE
    assert series[-1].spent == ledger.pot_totals(book.entries, POT).committed


def test_nothing_committed_means_no_forecast():
    assert budget.spend_series({}, [facts(1, "requested")], pot_pence=POT, today=TODAY) == []


# ---------------------------------------------------------------------------
# Rows and breakdowns


def test_rows_leave_out_placements_the_user_may_not_see_and_requests_without_money():
    book = Book()
    book.add(COMMIT, 1, 10 * RATE)
    book.add(COMMIT, 2, 10 * RATE)
    placements = [
        facts(1, borough="Islington"),
        facts(2, borough="Camden", visible=False),
        facts(3, "requested", rate=None, nights=None),
        facts(4, "approved", borough="Camden"),  # approved, commitment not yet read: kept
    ]
    rows = budget.placement_rows(book.totals, placements, TODAY)
    assert [r.facts.id for r in rows] == [4, 1]
    assert rows[1].accrued == 10 * RATE


def test_spend_by_borough_adds_up_each_boroughs_placements():
    book = Book()
    book.add(COMMIT, 1, 100_000)
    book.add(COMMIT, 2, 50_000)
    book.add(INVOICE, 2, 20_000)
    book.add(PAYMENT, 2, 20_000)
    book.add(COMMIT, 3, 70_000)
    placements = [facts(1, borough="Camden"), facts(2, borough="Camden"), facts(3, borough="Brent")]
    spend = budget.by_borough(budget.placement_rows(book.totals, placements, TODAY))
    assert [(b.borough, b.placements, b.committed, b.invoiced, b.paid) for b in spend] == [
        ("Brent", 1, 70_000, 0, 0),
        ("Camden", 2, 150_000, 20_000, 20_000),
    ]


def test_months_include_empty_ones_and_count_a_reversal_in_its_own_month():
    book = Book()
    book.add(COMMIT, 1, 100_000, date(2026, 9, 3))
    book.add(INVOICE, 1, 40_000, date(2026, 9, 20))
    book.add(RELEASE, 1, 10_000, date(2026, 11, 2))
    book.reverse(2, date(2026, 11, 5))
    months = book.months(POT)
    assert [m.month for m in months] == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    sep, octo, nov = months
    assert (sep.commitments, sep.invoiced, sep.available_at_end) == (100_000, 40_000, POT - 100_000)
    assert (octo.committed, octo.invoiced, octo.available_at_end) == (0, 0, POT - 100_000)
    assert (nov.releases, nov.committed, nov.invoiced) == (10_000, -10_000, -40_000)
    assert nov.available_at_end == POT - 90_000


def test_months_can_be_limited_to_some_placements_but_keep_the_pots_month_end():
    book = Book()
    book.add(COMMIT, 1, 100_000, date(2026, 9, 3))
    book.add(COMMIT, 2, 30_000, date(2026, 9, 4))
    [sep] = book.months(POT, include={2})
    assert (sep.commitments, sep.available_at_end) == (30_000, POT - 130_000)
    assert budget_months.month_rows({}, [], POT) == []


def test_build_puts_everything_together():
    book = Book()
    book.add(COMMIT, 1, 28 * RATE, TODAY - timedelta(days=11))
    result = budget.build(
        book.totals,
        budget.burn_down(book.dated, POT),
        [facts(1)],
        pot_pence=POT,
        max_people=10,
        today=TODAY,
    )
    assert result.figures.committed == 28 * RATE
    assert len(result.burn_down) == 1 and result.spend[-1].spent == 28 * RATE
    assert result.figures.people == 1


# ---------------------------------------------------------------------------
# CSV


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+44 20", "'+44 20"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("-12.50", "-12.50"),  # a negative amount stays a number
        ("12.50", "12.50"),
        ("Camden", "Camden"),
        (None, ""),
        (7, "7"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_made_text(value, cell):
    assert safe_cell(value) == cell


@pytest.mark.parametrize(
    ("pence", "text"), [(0, "0.00"), (5, "0.05"), (123450, "1234.50"), (-7, "-0.07")]
)
def test_amounts_are_plain_numbers_of_pounds(pence, text):
    assert plain_pounds(pence) == text


def test_the_csv_text_quotes_and_neutralises_every_cell():
    text = to_csv([["Borough", "Amount"], ["=1+1", "-3.00"], ['say "hi", ok', "1.00"]])
    assert text.splitlines()[1] == "'=1+1,-3.00"
    assert list(csv.reader(io.StringIO(text)))[2] == ['say "hi", ok', "1.00"]


# ---------------------------------------------------------------------------
# Property: whatever happened, the statements reconcile with the ledger


DAYS = st.integers(min_value=0, max_value=120).map(lambda n: date(2026, 8, 19) + timedelta(n))
STATES = st.sampled_from(["approved", "agreement_signed", "checked_in", "ended", "cancelled"])


@st.composite
def histories(draw):
    """Placements and a ledger built only from entries the ledger's checks allow."""
    count = draw(st.integers(min_value=1, max_value=4))
    placements = []
    for pid in range(1, count + 1):
        state = draw(STATES)
        start = draw(DAYS)
        nights = draw(st.integers(min_value=1, max_value=28))
        moved = start + timedelta(draw(st.integers(0, nights))) if state == "ended" else None
        placements.append(
            facts(
                pid,
                state,
                nights=nights,
                rate=draw(st.integers(min_value=1, max_value=20_000)),
                start_on=start,
                moved_out_on=moved,
                borough=draw(st.sampled_from(["Camden", "Brent", "=Evil"])),
            )
        )
    pot = draw(st.integers(min_value=0, max_value=POT))
    book = Book()
    for _ in range(draw(st.integers(min_value=0, max_value=25))):
        kind = draw(st.sampled_from([COMMIT, RELEASE, INVOICE, PAYMENT, REVERSAL]))
        on = draw(DAYS)
        if kind == REVERSAL:
            if not book.dated:
                continue
            target = draw(st.integers(min_value=1, max_value=len(book.dated)))
            if ledger.check_reversal(book.entries, target, pot_pence=pot) is None:
                book.reverse(target, on)
            continue
        pid = draw(st.integers(min_value=1, max_value=count))
        amount = draw(st.integers(min_value=1, max_value=400_000))
        check = {
            COMMIT: lambda: ledger.check_commit(book.entries, pot, pid, amount),  # noqa: B023
            RELEASE: lambda: ledger.check_release(book.entries, pid, amount),  # noqa: B023
            INVOICE: lambda: ledger.check_invoice(book.entries, pid, amount),  # noqa: B023
            PAYMENT: lambda: ledger.check_payment(book.entries, pid, amount),  # noqa: B023
        }[kind]
        if check() is None:
            book.add(kind, pid, amount, on)
    today = draw(DAYS)
    return placements, book, pot, today


def _totals(rows):
    return rows[-1]


@settings(max_examples=300, deadline=None)
@given(histories())
def test_per_placement_and_per_month_csv_totals_always_equal_the_ledgers(history):
    placements, book, pot, today = history
    totals = ledger.pot_totals(book.entries, pot)

    rows = budget.placement_rows(book.totals, placements, today)
    by_placement = placement_csv(rows, STATE_LABELS)
    total = _totals(by_placement)
    assert total[0] == "Total"
    assert total[9:13] == [
        plain_pounds(totals.committed),
        plain_pounds(totals.invoiced),
        plain_pounds(totals.paid),
        plain_pounds(totals.exposure),
    ]
    assert total[13] == plain_pounds(totals.invoiced - totals.paid)
    assert len(by_placement) == len(rows) + 2

    months = book.months(pot)
    by_month = month_csv(months)
    total = _totals(by_month)
    assert total[3:6] == [
        plain_pounds(totals.committed),
        plain_pounds(totals.invoiced),
        plain_pounds(totals.paid),
    ]
    if months:
        assert total[6] == plain_pounds(totals.available)

    spend = budget.by_borough(rows)
    assert sum(b.committed for b in spend) == totals.committed
    assert sum(b.exposure for b in spend) == totals.exposure

    burn = budget.burn_down(book.dated, pot)
    if burn:
        assert (burn[-1].committed, burn[-1].available) == (totals.committed, totals.available)

    series = budget.spend_series(book.totals, placements, pot_pence=pot, today=today)
    if series:
        assert series[-1].spent == totals.committed
    else:
        assert totals.committed == 0

    f = budget.figures(book.totals, placements, pot_pence=pot, max_people=10, today=today)
    assert f.accrued >= 0
    assert f.to_invoice >= 0
    assert f.available == totals.available >= 0


# ---------------------------------------------------------------------------
# The chart


def _chart_inputs():
    book = Book()
    book.add(COMMIT, 1, 28 * RATE, TODAY - timedelta(days=12))
    book.add(COMMIT, 2, 5 * RATE, TODAY - timedelta(days=1))
    placements = [facts(1), facts(2, "approved", nights=5, start_on=TODAY + timedelta(days=20))]
    result = budget.build(
        book.totals,
        budget.burn_down(book.dated, POT),
        placements,
        pot_pence=POT,
        max_people=10,
        today=TODAY,
    )
    return result.burn_down, result.spend


def test_the_chart_is_an_image_with_a_title_and_a_description_of_its_figures():
    burn, spend = _chart_inputs()
    svg = str(budget_chart.pot_chart(burn, spend, POT, TODAY))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="budget-chart-title budget-chart-desc"' in svg
    assert '<title id="budget-chart-title">The accommodation pot over time</title>' in svg
    described = budget_chart.description(burn, spend, POT, TODAY)
    assert "Available today: £11,855.00." in described  # £14,000 - 33 nights at £65
    assert "Spent on nights stayed so far: £650.00." in described
    assert "by 9 November 2026, the last planned move-out, £2,145.00 will have been spent" in (
        described
    )
    assert 'stroke-dasharray="10 6"' in svg  # the forecast is dashed, not only coloured
    assert "style=" not in svg  # the CSP forbids inline styles


def test_the_charts_table_has_each_ledger_day_today_each_forecast_week_and_the_end():
    burn, spend = _chart_inputs()
    rows = budget_chart.table_rows(burn, spend, POT, TODAY)
    days = [r.on for r in rows]
    assert days[:3] == [TODAY - timedelta(12), TODAY - timedelta(1), TODAY]
    assert days[3:] == [
        TODAY + timedelta(7),
        TODAY + timedelta(14),
        TODAY + timedelta(21),
        TODAY + timedelta(25),
    ]
    assert rows[0].spent == 0 and rows[0].available == POT - 28 * RATE
    assert rows[2].spent == 10 * RATE and not rows[2].forecast
    assert rows[-1].spent == 33 * RATE and rows[-1].forecast
    assert {r.available for r in rows[1:]} == {POT - 33 * RATE}


def test_an_empty_ledger_draws_no_chart():
    assert str(budget_chart.pot_chart([], [], POT, TODAY)) == ""
    assert budget_chart.table_rows([], [], POT, TODAY)[0].spent is None


def _spend_series_day_by_day(entries, placements, *, pot_pence, today):
    """The spend series as it was computed before the one-pass version: every day of every
    stay. Kept here as the reference the faster one must match to the penny."""
    per = ledger.all_placement_totals(entries)
    spans, loose = [], 0
    for p in placements:
        committed = max(0, per[p.id].committed) if p.id in per else 0
        span = budget.stay_span(p, today)
        if span is None or not p.rate_pence:
            loose += committed
        elif committed:
            spans.append((span[0], span[1], p.rate_pence, committed))
    if not spans and not loose:
        return []
    first = min([today, *(a for a, _b, _r, _c in spans)])
    last = max([today, *(b for _a, b, _r, _c in spans)])
    points = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        spent = loose if day >= today else 0
        for a, b, rate, committed in spans:
            nights = max(0, (min(day, b) - a).days)
            spent += min(committed, rate * nights)
            if day >= b:
                spent += max(0, committed - rate * (b - a).days)
        points.append(budget.SpendPoint(day, spent, pot_pence - spent, forecast=day > today))
    return points


_STAY = st.fixed_dictionaries(
    {
        "state": st.sampled_from(
            ["requested", "approved", "agreement_signed", "checked_in", "ended", "cancelled"]
        ),
        "start": st.integers(-60, 30),
        "nights": st.integers(1, 40),
        "stayed": st.integers(-3, 45),  # an ended stay's nights (even a move-out too early)
        "rate": st.one_of(st.none(), st.integers(1, 9_000)),
        "commits": st.lists(st.integers(1, 300_000), max_size=3),
        "release": st.integers(0, 100_000),
    }
)


@settings(max_examples=300, deadline=None)
@given(stays=st.lists(_STAY, max_size=8), today_shift=st.integers(-10, 10))
def test_the_one_pass_spend_series_matches_the_day_by_day_one(stays, today_shift):
    today = TODAY + timedelta(days=today_shift)
    placements, entries, next_id = [], [], itertools.count(1)
    for pid, stay in enumerate(stays, start=1):
        start = TODAY + timedelta(days=stay["start"])
        ended = stay["state"] == "ended"
        placements.append(
            facts(
                pid,
                stay["state"],
                nights=stay["nights"],
                rate=stay["rate"],
                start_on=start,
                moved_out_on=start + timedelta(days=stay["stayed"]) if ended else None,
            )
        )
        for amount in stay["commits"]:
            entries.append(Entry(COMMIT, pid, amount, id=next(next_id)))
        if stay["commits"] and 0 < stay["release"] <= sum(stay["commits"]):
            entries.append(Entry(RELEASE, pid, stay["release"], id=next(next_id)))
    assert budget.spend_series(
        ledger.all_placement_totals(entries), placements, pot_pence=POT, today=today
    ) == _spend_series_day_by_day(entries, placements, pot_pence=POT, today=today)
