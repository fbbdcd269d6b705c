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
from eip.formatting import accounts_pence, long_date
from eip.pdf import styles
from eip.pdf.charts import bar_chart
from eip.pdf.delivery import Document, deliver
from eip.pdf.page import DocumentInfo
from eip.pdf.styles import CELL, escape_text, heading, markup, para
from eip.pdf.tables import Column, data_table, summary_table
from eip.policy import can
from eip.programme import current_settings
from eip.reports.monthly import OUTCOME_SHORT, MonthlyData, monthly_data
from eip.reports.versions import FUNDER, INTERNAL, Version, version
from eip.workdays import london_date

RULE = "programme.report"
KIND = "programme_report"
REPORT_TITLE = "Monthly programme report"


def month_name(month: date) -> str:
    return f"{month:%B %Y}"


def _short_month(month: date) -> str:
    return f"{month:%b %Y}"


def _share(v: Version, part: int, whole: int) -> str:
    if not whole:
        return "None to count"
    if not v.shown_share(part, whole):
        return f"{v.count(part)} of {v.count(whole)} (share hidden: small numbers)"
    return f"{v.count(part)} of {v.count(whole)} ({part / whole:.0%})"


def _days(value: float | None, v: Version | None = None, cases: int = 0) -> str:
    if value is None:
        return "None held"
    if v is not None and not v.shown_median(value, cases):
        return f"Hidden: fewer than {v.k} cases"
    shown = f"{value:g}"
    return f"{shown} day{'s' if value != 1 else ''}"


def _glance(data: MonthlyData, v: Version) -> list[tuple[str, str]]:
    t, r, a, s = data.timeliness, data.risk, data.accommodation, data.spend
    held = sum(count for _c, _l, count in data.outcomes)
    made = sum(r.referrals[agency].get("made", 0) for agency in ("idva", "marac"))
    decided = t.on_time + t.late
    wait = _days(t.median_days_to_consultation, v, t.consultations_counted)
    return [
        ("Referrals received", v.count(data.referrals)),
        ("Consultations held", v.count(held)),
        (f"Acknowledged within {t.working_days} working days", _share(v, t.on_time, decided)),
        ("Median wait for a consultation", wait),
        ("Professionals meetings", _meetings_line(data, v)),
        ("Cases found at high risk (DASH)", v.count(r.high_risk_cases)),
        ("MARAC", _marac_line(data, v)),
        ("IDVA and MARAC referrals made", v.count(made)),
        (f"Cases open at {long_date(data.last_day)}", v.count(data.cases_open)),
        ("People in temporary accommodation", v.count(a.people)),
        ("Nights stayed", v.count(a.nights)),
        (
            "Spend this month",
            f"{accounts_pence(s.committed)} committed (net), "
            f"{accounts_pence(s.invoiced)} invoiced, {accounts_pence(s.paid)} paid",
        ),
        (f"Available at {long_date(data.last_day)}", accounts_pence(s.closing.available)),
    ]


def _meetings_line(data: MonthlyData, v: Version) -> str:
    m = data.meetings
    were = "was" if m.due == 1 else "were"
    return (
        f"{v.count(m.held)} held; {v.count(m.due)} {were} due, "
        f"{v.count(m.overdue)} of them overdue at {long_date(data.last_day)}"
    )


def _marac_line(data: MonthlyData, v: Version) -> str:
    """The cases at the MARAC threshold at the month's end, and how many were referred.
    In the funder's version the three counts are shown together or not at all: any two
    give the third."""
    r = data.risk
    met, referred, waiting = r.marac_met, r.marac_referred, r.marac_not_referred
    cases = "case" if met == 1 else "cases"
    if v.suppressed and any(v.count(n) != str(n) for n in (met, referred, waiting)):
        return f"{v.count(met)} {cases} met the MARAC threshold; referrals hidden: small numbers"
    return (
        f"{met} {cases} met the MARAC threshold at {long_date(data.last_day)}; "
        f"{referred} referred; {waiting} not yet referred"
    )


def _bold(text: str) -> Flowable:
    return markup(f"<b>{escape_text(text)}</b>", CELL)


# The funder's version draws no chart of counts: a bar would show a hidden count's size.
NO_COUNT_CHARTS = "Small numbers are hidden in this version, so its counts have no chart."


def _referrals(data: MonthlyData, v: Version) -> list[Flowable]:
    labels = [_short_month(m) for m in data.trend]
    first, last = data.trend[0], data.trend[-1]
    boroughs = data.referrals_by_borough
    by_borough = v.table([counts for _b, counts in boroughs], row_totals=True)
    if boroughs:
        totals = [by_borough.column_total(j) for j in range(len(data.trend))]
    else:
        totals = [v.count(n) for n in data.referrals_by_month]
    sentence = (
        f"Referrals received each month, {month_name(first)} to {month_name(last)}: "
        + ", ".join(f"{n} in {_short_month(m)}" for m, n in zip(data.trend, totals, strict=True))
        + "."
    )
    if v.suppressed:
        drawn = [para(sentence, styles.SMALL), para(NO_COUNT_CHARTS, styles.SMALL)]
    else:
        chart = bar_chart(
            labels,
            [("Referrals", data.referrals_by_month)],
            y_title="Referrals",
            empty="No referrals were received in these months.",
        )
        drawn = [KeepTogether([chart, para(sentence, styles.SMALL)])]
    # Room for "May 2026" in bold in each month's column.
    share = 0.71 / len(data.trend)
    columns = [Column("Borough", 0.2), *(Column(label, share) for label in labels)]
    columns.append(Column("Total", 0.09))
    rows = [
        [b, *(by_borough.cell(i, j) for j in range(len(counts))), by_borough.row_total(i)]
        for i, (b, counts) in enumerate(boroughs)
    ]
    if rows:
        rows.append([_bold("All boroughs"), *totals, by_borough.total()])
    table = data_table(columns, rows, empty="No referrals were received in these months.")
    return [
        *heading("Referrals"),
        *drawn,
        styles.gap(4),
        KeepTogether([para("By referring borough and month received", styles.H3), table]),
    ]


def _outcomes(data: MonthlyData, v: Version) -> list[Flowable]:
    counts = v.table([[n] for _c, _l, n in data.outcomes], row_totals=False)
    table = data_table(
        [Column("Outcome of the consultation", 0.8), Column("Cases", 0.2)],
        [[label, counts.cell(i)] for i, (_c, label, _n) in enumerate(data.outcomes)],
    )
    if v.suppressed:
        drawn = para(NO_COUNT_CHARTS, styles.SMALL)
    else:
        drawn = KeepTogether(
            [
                bar_chart(
                    [OUTCOME_SHORT.get(code, label) for code, label, _n in data.outcomes],
                    [("Consultations", [n for _c, _l, n in data.outcomes])],
                    y_title="Consultations held",
                    empty="No consultations were held in the month.",
                )
            ]
        )
    return [
        *heading("Pathway outcomes"),
        para(
            "The outcome of each case consultation held in the month: which pathway the case took.",
            styles.SMALL,
        ),
        drawn,
        table,
    ]


def _consultations(v: Version, count: int) -> str:
    return f"{v.count(count)} first consultation{'s' if count != 1 else ''} held in the month"


def _timeliness(data: MonthlyData, v: Version) -> list[Flowable]:
    t = data.timeliness
    share = f"{t.share_on_time:.0%}" if t.share_on_time is not None else "None to count"
    if t.share_on_time is not None and not v.shown_share(t.on_time, t.on_time + t.late):
        share = "Hidden: small numbers"
    wait = _days(t.median_days_to_consultation, v, t.consultations_counted)
    rows = [
        ("Referrals received in the month", v.count(t.received)),
        (f"Acknowledged within {t.working_days} working days", v.count(t.on_time)),
        ("Acknowledged late, or still not acknowledged after the deadline", v.count(t.late)),
        ("Not acknowledged yet, deadline still to come", v.count(t.not_yet_due)),
        ("Share acknowledged on time", share),
        (
            "Median calendar days from referral to consultation",
            f"{wait} ({_consultations(v, t.consultations_counted)})",
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


def _meetings_and_risk(data: MonthlyData, v: Version) -> list[Flowable]:
    m, r = data.meetings, data.risk

    def referrals(agency: str) -> str:
        counts = r.referrals.get(agency, {})
        made, planned = counts.get("made", 0), counts.get("planned", 0)
        return f"{v.count(made)} made, {v.count(planned)} planned"

    return [
        *heading("Professionals meetings"),
        summary_table(
            [
                ("Meetings held", v.count(m.held)),
                ("Meetings due", v.count(m.due)),
                (f"Of those, overdue at {long_date(data.last_day)}", v.count(m.overdue)),
                ("Cases in their intervention during the month", v.count(m.cases)),
            ],
            label_share=0.55,
        ),
        para(
            f"Due as on the case page: {m.interval_days} days after the later of the "
            "intervention's start and the last meeting. Counted when due in the month, or "
            "already overdue when it began; overdue when still not held at its end.",
            styles.SMALL,
        ),
        *heading("Risk"),
        summary_table(
            [
                ("DASH reviews completed", v.count(r.dash_reviews)),
                ("Cases assessed at high risk", v.count(r.high_risk_cases)),
                (
                    f"Cases at or above the MARAC threshold ({r.threshold})",
                    v.count(r.at_threshold),
                ),
                ("Referrals to the IDVA service", referrals("idva")),
                ("Referrals to MARAC", referrals("marac")),
                ("MARAC at the month's end", _marac_line(data, v)),
            ],
            label_share=0.55,
        ),
    ]


def _accommodation(data: MonthlyData, v: Version) -> list[Flowable]:
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
        money=True,
        empty="Nothing was committed, invoiced or paid in these months.",
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
                ("Requests made", v.count(a.requests)),
                ("Placements approved", v.count(a.approved)),
                ("People accommodated in the month", v.count(a.people)),
                ("Nights stayed in the month", v.count(a.nights)),
                (
                    f"People accommodated so far, at {long_date(data.last_day)}",
                    f"{v.count(a.people_so_far)} of {a.max_people} at most",
                ),
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
                ("Pot (VAT included)", accounts_pence(c.pot)),
                ("Committed", accounts_pence(c.committed)),
                ("Invoiced", accounts_pence(c.invoiced)),
                ("Paid", accounts_pence(c.paid)),
                ("Available", accounts_pence(c.available)),
            ],
            label_share=0.55,
        ),
    ]


def _version_note(v: Version) -> str:
    if v.suppressed:
        return (
            f"This version is for the funder. Small numbers are suppressed with the evaluation's "
            f"rules: a count from 1 to {v.k - 1} is shown as <{v.k}, a count hidden so that "
            f"another cannot be worked out from a total as [c], and a median or share over "
            f"fewer than {v.k} cases is hidden. Money is shown in full."
        )
    return (
        "This is the programme's internal version: no number is suppressed, so it is not for "
        "sharing outside the programme. Download the funder's version to share."
    )


def report_story(data: MonthlyData, v: Version) -> list[Flowable]:
    if data.complete:
        span = f"{long_date(data.month)} to {long_date(data.last_day)}."
    else:
        span = f"The month is not over: figures up to {long_date(data.last_day)}."
    return [
        para(REPORT_TITLE, styles.TITLE),
        para(f"{month_name(data.month)}. {span} {v.label}.", styles.SUBTITLE),
        para(
            "Counts and money for the whole programme, by borough and month at the finest. "
            "The report holds no names and no case references. Cases open, people "
            "accommodated so far and the pot are as they stood at the end of "
            f"{long_date(data.last_day)}."
        ),
        para(_version_note(v)),
        *heading("The month at a glance"),
        summary_table(_glance(data, v), label_share=0.45),
        *_referrals(data, v),
        *_outcomes(data, v),
        *_timeliness(data, v),
        *_meetings_and_risk(data, v),
        *_accommodation(data, v),
    ]


KINDS = {INTERNAL: KIND, FUNDER: "programme_report_funder"}
FILE_SUFFIX = {INTERNAL: "", FUNDER: "-for-the-funder"}
# On every page's header (the document's title): which version it is.
TITLE_MARK = {INTERNAL: "internal, not suppressed", FUNDER: "for the funder, suppressed"}


def produce(
    session: Session,
    user: User,
    month: date,
    *,
    at: datetime | None = None,
    which: str = INTERNAL,
    web_page: bool = False,
) -> Document:
    """The report for `month` (its first day), in the version `which` (internal or funder),
    with the download audited as that document. The version's label is in the title, which
    every page's header prints."""
    if not can(user, RULE):
        raise NotAllowed("You may not download the programme report")
    at = at or utc_now()
    month = month.replace(day=1)
    v = version(which, current_settings(session).evaluation_k)
    data = monthly_data(session, user, month, london_date(at))
    title = f"{REPORT_TITLE}: {TITLE_MARK[which]}"
    return deliver(
        session,
        user,
        KINDS[which],
        f"programme-report-{month:%Y-%m}{FILE_SUFFIX[which]}.pdf",
        DocumentInfo(
            title, month_name(month), at, user.name, reference_label="", dated_on=data.last_day
        ),
        report_story(data, v),
        object_type="report",
        web_page=web_page,
    )
