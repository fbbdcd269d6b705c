"""The monthly programme report for managers: its layout, and making it (check, gather,
lay out, audit the download, one commit), like the case documents.

Every chart has its figures beside it in a table and a sentence, for readers who cannot
see the drawing; every table is aggregates only.
"""

from __future__ import annotations

from datetime import date, datetime

from reportlab.platypus import Flowable, KeepTogether
from sqlalchemy.orm import Session

from accommodation.finance.statement_document import money, money_column
from eip.auth.models import User
from eip.clock import now as utc_now
from eip.domain import NotAllowed
from eip.formatting import format_pence, long_date
from eip.pdf import styles
from eip.pdf.charts import bar_chart
from eip.pdf.delivery import Document, deliver
from eip.pdf.page import DocumentInfo
from eip.pdf.styles import CELL, escape_text, heading, markup, para
from eip.pdf.tables import Column, data_table, summary_table
from eip.policy import can
from eip.reports.monthly import OUTCOME_SHORT, MonthlyData, monthly_data
from eip.workdays import london_date

RULE = "programme.report"
KIND = "programme_report"
REPORT_TITLE = "Monthly programme report"


def month_name(month: date) -> str:
    return f"{month:%B %Y}"


def _short_month(month: date) -> str:
    return f"{month:%b %Y}"


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole} ({part / whole:.0%})" if whole else "None to count"


def _days(value: float | None) -> str:
    if value is None:
        return "None held"
    shown = f"{value:g}"
    return f"{shown} day{'s' if value != 1 else ''}"


def _glance(data: MonthlyData) -> list[tuple[str, str]]:
    t, m, r, a, s = data.timeliness, data.meetings, data.risk, data.accommodation, data.spend
    held = sum(count for _c, _l, count in data.outcomes)
    made = sum(r.referrals[agency].get("made", 0) for agency in ("idva", "marac"))
    decided = t.on_time + t.late
    return [
        ("Referrals received", str(data.referrals)),
        ("Consultations held", str(held)),
        (f"Acknowledged within {t.working_days} working days", _share(t.on_time, decided)),
        ("Median wait for a consultation", _days(t.median_days_to_consultation)),
        ("Professionals meetings", f"{m.held} held, at least {m.due} due"),
        ("Cases found at high risk (DASH)", str(r.high_risk_cases)),
        ("IDVA and MARAC referrals made", str(made)),
        ("People in temporary accommodation", str(a.people)),
        ("Nights stayed", str(a.nights)),
        (
            "Spend this month",
            f"{format_pence(s.committed)} committed (net), "
            f"{format_pence(s.invoiced)} invoiced, {format_pence(s.paid)} paid",
        ),
        (f"Available at {long_date(data.last_day)}", format_pence(s.closing.available)),
    ]


def _bold(text: str) -> Flowable:
    return markup(f"<b>{escape_text(text)}</b>", CELL)


def _referrals(data: MonthlyData) -> list[Flowable]:
    labels = [_short_month(m) for m in data.trend]
    chart = bar_chart(labels, [("Referrals", data.referrals_by_month)], y_title="Referrals")
    first, last = data.trend[0], data.trend[-1]
    trend, counts = data.trend, data.referrals_by_month
    sentence = (
        f"Referrals received each month, {month_name(first)} to {month_name(last)}: "
        + ", ".join(f"{n} in {_short_month(m)}" for m, n in zip(trend, counts, strict=True))
        + "."
    )
    # Room for "May 2026" in bold in each month's column.
    share = 0.71 / len(data.trend)
    columns = [Column("Borough", 0.2), *(Column(label, share) for label in labels)]
    columns.append(Column("Total", 0.09))
    rows = [[b, *map(str, counts), str(sum(counts))] for b, counts in data.referrals_by_borough]
    if rows:
        totals = data.referrals_by_month
        rows.append([_bold("All boroughs"), *map(str, totals), str(sum(totals))])
    table = data_table(columns, rows, empty="No referrals were received in these months.")
    return [
        *heading("Referrals"),
        KeepTogether([chart, para(sentence, styles.SMALL)]),
        styles.gap(4),
        KeepTogether([para("By referring borough and month received", styles.H3), table]),
    ]


def _outcomes(data: MonthlyData) -> list[Flowable]:
    chart = bar_chart(
        [OUTCOME_SHORT.get(code, label) for code, label, _n in data.outcomes],
        [("Consultations", [n for _c, _l, n in data.outcomes])],
        y_title="Consultations held",
    )
    table = data_table(
        [Column("Outcome of the consultation", 0.8), Column("Cases", 0.2)],
        [[label, str(n)] for _c, label, n in data.outcomes],
    )
    return [
        *heading("Pathway outcomes"),
        para(
            "The outcome of each case consultation held in the month: which pathway the case took.",
            styles.SMALL,
        ),
        KeepTogether([chart]),
        table,
    ]


def _consultations(count: int) -> str:
    return f"{count} first consultation{'s' if count != 1 else ''} held in the month"


def _timeliness(data: MonthlyData) -> list[Flowable]:
    t = data.timeliness
    share = f"{t.share_on_time:.0%}" if t.share_on_time is not None else "None to count"
    rows = [
        ("Referrals received in the month", str(t.received)),
        (f"Acknowledged within {t.working_days} working days", str(t.on_time)),
        ("Acknowledged late, or still not acknowledged after the deadline", str(t.late)),
        ("Not acknowledged yet, deadline still to come", str(t.not_yet_due)),
        ("Share acknowledged on time", share),
        (
            "Median calendar days from referral to consultation",
            f"{_days(t.median_days_to_consultation)} ({_consultations(t.consultations_counted)})",
        ),
    ]
    return [
        *heading("Timeliness"),
        para(
            "Working days leave out weekends, bank holidays in England and the programme's "
            "extra non-working days.",
            styles.SMALL,
        ),
        summary_table(rows, label_share=0.55),
    ]


def _meetings_and_risk(data: MonthlyData) -> list[Flowable]:
    m, r = data.meetings, data.risk

    def referrals(agency: str) -> str:
        counts = r.referrals.get(agency, {})
        return f"{counts.get('made', 0)} made, {counts.get('planned', 0)} planned"

    return [
        *heading("Professionals meetings"),
        summary_table(
            [
                ("Meetings held", str(m.held)),
                ("Meetings due, at least", str(m.due)),
                ("Cases in their intervention during the month", str(m.cases)),
            ],
            label_share=0.55,
        ),
        para(
            f"Due: one every {m.interval_days} days for each case, for the part of the month "
            "it was in its intervention.",
            styles.SMALL,
        ),
        *heading("Risk"),
        summary_table(
            [
                ("DASH reviews completed", str(r.dash_reviews)),
                ("Cases assessed at high risk", str(r.high_risk_cases)),
                (
                    f"Cases at or above the MARAC threshold ({r.threshold})",
                    str(r.at_threshold),
                ),
                ("Referrals to the IDVA service", referrals("idva")),
                ("Referrals to MARAC", referrals("marac")),
            ],
            label_share=0.55,
        ),
    ]


def _accommodation(data: MonthlyData) -> list[Flowable]:
    a, s = data.accommodation, data.spend
    labels = [_short_month(row.month) for row in s.months]
    chart = bar_chart(
        labels,
        [
            ("Committed", [round(row.commitments / 100) for row in s.months]),
            ("Invoiced", [round(row.invoiced / 100) for row in s.months]),
            ("Paid", [round(row.paid / 100) for row in s.months]),
        ],
        y_title="Pounds, VAT included",
    )
    months = data_table(
        [
            Column("Month", 0.15),
            money_column("Committed", 0.17),
            money_column("Released", 0.17),
            money_column("Invoiced", 0.17),
            money_column("Paid", 0.17),
            money_column("Available at the end", 0.17),
        ],
        [
            [
                _short_month(row.month),
                money(row.commitments),
                money(row.releases),
                money(row.invoiced),
                money(row.paid),
                money(row.available_at_end),
            ]
            for row in s.months
        ],
    )
    c = s.closing
    return [
        *heading("Temporary accommodation"),
        summary_table(
            [
                ("Requests made", str(a.requests)),
                ("Placements approved", str(a.approved)),
                ("People accommodated in the month", str(a.people)),
                ("Nights stayed in the month", str(a.nights)),
                ("People accommodated so far", f"{a.people_so_far} of {a.max_people} at most"),
            ],
            label_share=0.55,
        ),
        *heading("Spend"),
        KeepTogether(
            [
                chart,
                para(
                    "New commitments, invoices and payments each month, in whole pounds; "
                    "the table below gives them to the penny.",
                    styles.SMALL,
                ),
            ]
        ),
        months,
        styles.gap(6),
        para(f"The pot at {long_date(data.last_day)}:", styles.H3),
        summary_table(
            [
                ("Pot (VAT included)", format_pence(c.pot)),
                ("Committed", format_pence(c.committed)),
                ("Invoiced", format_pence(c.invoiced)),
                ("Paid", format_pence(c.paid)),
                ("Available", format_pence(c.available)),
            ],
            label_share=0.55,
        ),
    ]


def report_story(data: MonthlyData) -> list[Flowable]:
    if data.complete:
        span = f"{long_date(data.month)} to {long_date(data.last_day)}."
    else:
        span = f"The month is not over: figures up to {long_date(data.last_day)}."
    return [
        para(REPORT_TITLE, styles.TITLE),
        para(f"{month_name(data.month)}. {span}", styles.SUBTITLE),
        para(
            "Counts and money for the whole programme, by borough and month at the finest. "
            "The report holds no names and no case references."
        ),
        *heading("The month at a glance"),
        summary_table(_glance(data), label_share=0.45),
        *_referrals(data),
        *_outcomes(data),
        *_timeliness(data),
        *_meetings_and_risk(data),
        *_accommodation(data),
    ]


def produce(session: Session, user: User, month: date, *, at: datetime | None = None) -> Document:
    """The report for `month` (its first day), with the download audited."""
    if not can(user, RULE):
        raise NotAllowed("You may not download the programme report")
    at = at or utc_now()
    month = month.replace(day=1)
    data = monthly_data(session, user, month, london_date(at))
    return deliver(
        session,
        user,
        KIND,
        f"programme-report-{month:%Y-%m}.pdf",
        DocumentInfo(REPORT_TITLE, month_name(month), at, user.name, reference_label=""),
        report_story(data),
        object_type="report",
    )
