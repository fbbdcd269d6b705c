"""Where the pot is heading, and what each remaining place can fairly expect (issue 19).

    nightly rate     = the median nightly rate of the approved placements (approved, agreement
                       signed, checked in or ended: those that count towards the people cap),
                       or the settings' default rate while there are none; with an even count,
                       the mean of the middle two, rounded down to the penny
    forecast spend   = committed not yet invoiced + invoiced
                       + nights asked for by the requests waiting (placement requests and
                       extension requests) x the nightly rate
    places left      = people cap - people accommodated (never below 0)
    fair share       = available / places left, rounded down to the penny (available below 0
                       shares nothing: £0.00); none when no place is left
    typical stay     = 28 nights x the nightly rate

"Committed not yet invoiced + invoiced" is, placement by placement, max(committed, invoiced):
the ledger's exposure (accommodation.ledger), so the forecast starts from what the pot already
holds back. Every figure is whole pence and every division rounds down.

The pure functions below need no database; `read` gathers their inputs in one statement (the
waiting nights, and the median in SQL with window functions: only its middle one or two rates
are added up), beside the pot's totals added up by the database (accommodation.ledger_sql)
and the people counted, which the pages read already: the same at 10 placements or 1,000.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from accommodation import ledger, ledger_sql, rules, store
from accommodation.models import Placement, PlacementExtension

TYPICAL_STAY_NIGHTS = 28


def fair_share(available: int, places_left: int) -> int | None:
    """What each remaining place can have of the money available, rounded down; none when
    no place is left."""
    if places_left <= 0:
        return None
    return max(available, 0) // places_left


def leaves_too_little(available_after: int, places_left_after: int, typical_stay: int) -> bool:
    """Would an approval leave less than one typical stay for each place still left after it?
    (No place left after it: nothing is stranded.)"""
    return places_left_after > 0 and available_after < places_left_after * typical_stay


@dataclass(frozen=True)
class Forecast:
    totals: ledger.PotTotals  # the pot's figures it starts from
    pot: int
    available: int
    committed_not_invoiced: int
    invoiced: int
    waiting_requests: int
    waiting_nights: int
    nightly_rate: int
    rate_is_default: bool
    max_people: int
    people_counted: int

    @property
    def waiting_cost(self) -> int:
        return self.waiting_nights * self.nightly_rate

    @property
    def spend(self) -> int:
        return self.committed_not_invoiced + self.invoiced + self.waiting_cost

    @property
    def over_pot(self) -> int:
        """How far the forecast goes past the pot (0 when it does not)."""
        return max(self.spend - self.pot, 0)

    @property
    def places_left(self) -> int:
        return max(self.max_people - self.people_counted, 0)

    @property
    def fair_share(self) -> int | None:
        return fair_share(self.available, self.places_left)

    @property
    def typical_stay(self) -> int:
        return TYPICAL_STAY_NIGHTS * self.nightly_rate

    def leaves_too_little(self, *, available_after: int, client_counted: bool) -> bool:
        """Would an approval leaving `available_after` leave less than one typical stay for
        each place still left? A client already counted takes no new place."""
        after = self.places_left - (0 if client_counted else 1)
        return leaves_too_little(available_after, after, self.typical_stay)


def _middle_rates():
    """The sum and count of the middle one or two approved nightly rates, as a subquery
    of one row: each rate's place in order and the count worked out by the database."""
    ranked = (
        select(
            Placement.nightly_rate_pence.label("rate"),
            func.row_number().over(order_by=Placement.nightly_rate_pence).label("n"),
            func.count().over().label("total"),
        )
        .where(
            Placement.state.in_(rules.COUNTS_TOWARDS_PEOPLE_CAP),
            Placement.nightly_rate_pence.is_not(None),
        )
        .subquery()
    )
    # Floor division, as each engine spells it: rows (total+1)//2 and (total+2)//2 are the
    # middle (one row for an odd count).
    middle = ranked.c.n.in_([(ranked.c.total + 1) // 2, (ranked.c.total + 2) // 2])
    return select(
        func.coalesce(func.sum(ranked.c.rate), 0).label("rates"),
        func.count(ranked.c.rate).label("count"),
    ).where(middle)


def _waiting():
    """The requests waiting (placement requests, and extension requests of stays under
    way) and the nights they ask for, as a subquery of one row."""
    requests = select(Placement.nights.label("nights")).where(Placement.state == "requested")
    extensions = select(PlacementExtension.nights.label("nights")).where(
        PlacementExtension.state == "requested"
    )
    waiting = requests.union_all(extensions).subquery()
    return select(
        func.count().label("requests"),
        func.coalesce(func.sum(waiting.c.nights), 0).label("nights"),
    )


def inputs_query(beside=None):
    """One row: the requests waiting, their nights, and the sum and count of the middle
    approved rates, with the columns of `beside` (a one-row subquery: the pot's totals, or
    a page's figures) after them; one statement of one-row subqueries side by side."""
    middle, waiting = _middle_rates().subquery(), _waiting().subquery()
    columns = [waiting.c.requests, waiting.c.nights, middle.c.rates, middle.c.count]
    joined = waiting.join(middle, true())
    if beside is not None:
        columns += list(beside.c)
        joined = joined.join(beside, true())
    return select(*columns).select_from(joined)


def inputs_of_row(row) -> tuple[int, int, int | None, tuple]:
    """`inputs_query`'s row as (requests, nights, median rate or None, `beside`'s values)."""
    requests, nights, rates, count, *rest = row
    median = int(rates) // int(count) if count else None
    return int(requests), int(nights), median, tuple(rest)


@functools.cache
def _figures_statement(*, with_pot: bool):
    """`inputs_query`, with the whole pot's totals beside it or not, built once: building
    these nested selects cost a page more than running them."""
    return inputs_query(ledger_sql.whole_pot_totals_query().subquery() if with_pot else None)


def _read_figures(
    session: Session, pot_pence: int | None = None
) -> tuple[int, int, int | None, ledger.PotTotals | None]:
    """(requests waiting, their nights, the median approved rate, and the pot's totals when
    `pot_pence` is given): one statement."""
    statement = _figures_statement(with_pot=pot_pence is not None)
    requests, nights, median, money = inputs_of_row(session.execute(statement).one())
    totals = ledger_sql.totals_of_row(pot_pence, money) if pot_pence is not None else None
    return requests, nights, median, totals


def whole_pot_inputs(session: Session) -> tuple[int, int, int | None, tuple]:
    """(requests waiting, their nights, the median approved rate, and the whole ledger's sums
    as `ledger_sql.pot_totals_query` gives them): one statement."""
    return inputs_of_row(session.execute(_figures_statement(with_pot=True)).one())


def median_approved_rate(session: Session) -> int | None:
    """The median nightly rate of the approved placements, rounded down to the penny."""
    return _read_figures(session)[2]


def waiting_nights(session: Session) -> tuple[int, int]:
    """(requests waiting, nights they ask for)."""
    requests, nights, _median, _totals = _read_figures(session)
    return requests, nights


def read(
    session: Session,
    settings,
    *,
    totals: ledger.PotTotals | None = None,
    people_counted: int | None = None,
) -> Forecast:
    """The forecast from the database: one statement (the pot's totals in it too, unless
    the page read them already and passes them in), and one more for the people counted
    unless passed in."""
    if people_counted is None:
        people_counted = len(store.people_counted(session))
    requests, nights, median, read_totals = _read_figures(
        session, settings.pot_pence if totals is None else None
    )
    return of(settings, totals or read_totals, people_counted, requests, nights, median)


def of(
    settings,
    totals: ledger.PotTotals,
    people_counted: int,
    requests: int,
    nights: int,
    median: int | None,
) -> Forecast:
    """The forecast from its inputs (`read`, or a page that read them in its own statement:
    `accommodation.budget.queries.build`)."""
    return Forecast(
        totals=totals,
        pot=totals.pot,
        available=totals.available,
        committed_not_invoiced=totals.exposure - totals.invoiced,
        invoiced=totals.invoiced,
        waiting_requests=requests,
        waiting_nights=nights,
        nightly_rate=median if median is not None else settings.default_nightly_rate_pence,
        rate_is_default=median is None,
        max_people=settings.max_people,
        people_counted=people_counted,
    )
