"""Pieces several case documents print the same way: the opening, the case table, the
people (or the withheld notice), actions, onward referrals and the DASH trend."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from reportlab.platypus import Flowable, KeepTogether

from eip.cases.dash import QUESTION_COUNT
from eip.cases.documents_data import (
    WITHHELD,
    ActionLine,
    CaseLine,
    NoteLine,
    PersonDetails,
    ReferralLine,
    ReviewLine,
)
from eip.formatting import long_date, short_date
from eip.pdf import styles
from eip.pdf.charts import Point, Threshold, line_chart
from eip.pdf.styles import CELL, escape_text, markup, para
from eip.pdf.tables import Column, data_table, summary_table

NOT_RECORDED = "Not recorded"


def count_of(number: int, noun: str, plural: str | None = None) -> str:
    """ "1 session", "no sessions", "2 children": the noun agrees with the number."""
    word = noun if number == 1 else (plural or f"{noun}s")
    return f"{number or 'no'} {word}"


def marac_notice(flag: str | None) -> list[Flowable]:
    """The highlight when the latest DASH review met the MARAC criteria
    (documents_data.marac_flag)."""
    return [para(flag, styles.NOTICE)] if flag else []


def day(value: date | None, empty: str = NOT_RECORDED) -> str:
    return long_date(value) if value else empty


def or_not_recorded(value: object) -> str:
    return NOT_RECORDED if value in (None, "") else str(value)


def opening(title: str, subtitle: str) -> list[Flowable]:
    return [para(title, styles.TITLE), para(subtitle, styles.SUBTITLE)]


def case_table(case: CaseLine, *extra: tuple[str, object]) -> Flowable:
    social_worker = ", ".join(v for v in (case.social_worker, case.social_worker_team) if v)
    rows = [
        ("Case reference", case.reference),
        ("Referring borough", case.borough),
        ("Allocated practitioner", or_not_recorded(case.practitioner)),
        ("Social worker", social_worker or NOT_RECORDED),
        *((label, or_not_recorded(value)) for label, value in extra),
    ]
    return summary_table(rows)


def person_cell(person: PersonDetails) -> Flowable:
    if not person.shared:
        return markup(f"<i>{escape_text(WITHHELD)}</i>", CELL)
    lines = [
        f"<b>Name:</b> {escape_text(or_not_recorded(person.name))}",
        f"<b>Date of birth:</b> {escape_text(day(person.date_of_birth))}",
        f"<b>Contact:</b> {escape_text(or_not_recorded(person.contact))}",
    ]
    return markup("<br/>".join(lines), CELL)


def people_table(people: Sequence[PersonDetails], note: str) -> list[Flowable]:
    table = data_table(
        [Column("Person", 0.2), Column("Details", 0.8)],
        [[person.role, person_cell(person)] for person in people],
    )
    return [table, styles.gap(3), para(note, styles.SMALL), styles.gap(3)]


def actions_table(
    actions: Sequence[ActionLine],
    *,
    due_title: str = "Due date",
    kinds=False,
    empty: str = "No actions.",
):
    columns = [
        Column("Action", 0.42),
        Column("Owner", 0.18),
        Column(due_title, 0.18),
        Column("State", 0.22),
    ]
    rows = []
    for action in actions:
        what = escape_text(action.description)
        if kinds:
            what = f"<font size=7.5>{escape_text(action.kind)}</font><br/>{what}"
        state = f"{action.state}{', urgent' if action.urgent else ''}"
        rows.append([markup(what, CELL), action.owner or "", day(action.due_on, "No date"), state])
    return data_table(columns, rows, empty=empty)


def sign_off_table(signatories: Sequence[tuple[str, str]]) -> Flowable:
    """Who signs the document off, with room to sign and date it by hand."""
    line = "_" * 22
    return data_table(
        [Column("Signed off by", 0.44), Column("Signature", 0.34), Column("Date", 0.22)],
        [[f"{name}, {role.lower()}", line, line[:12]] for role, name in signatories],
    )


def referrals_table(referrals: Sequence[ReferralLine]) -> Flowable:
    return data_table(
        [Column("Agency", 0.56), Column("Referred on", 0.24), Column("Status", 0.2)],
        [[r.agency, day(r.referred_on), r.status] for r in referrals],
        empty="No onward referrals.",
    )


def notes_table(notes: Sequence[NoteLine]) -> Flowable:
    """The closure summary's case notes: a sensitive one is there only when chosen at closure,
    and says so."""
    rows = []
    for n in notes:
        text = " — ".join(
            part
            for part in (
                "Sensitive" if n.sensitive else "",
                f"Outcome: {n.outcome}" if n.outcome else "",
                n.note or "",
            )
            if part
        )
        rows.append([day(n.noted_on), n.contact, text])
    return data_table(
        [Column("Date", 0.2), Column("Contact", 0.25), Column("Outcome and note", 0.55)],
        rows,
        empty="No case notes.",
    )


def review_sentence(review: ReviewLine | None, threshold: int, high_risk: int) -> str:
    if review is None:
        return "No DASH review has been recorded yet."
    return (
        f"Latest DASH review {long_date(review.completed_on)}: score {review.score} of "
        f"{QUESTION_COUNT}, {review.level} risk (high-risk threshold {high_risk}, "
        f"MARAC threshold {threshold})."
    )


def dash_trend(
    reviews: Sequence[ReviewLine], threshold: int, high_risk: int, lead: Sequence[Flowable] = ()
) -> list[Flowable]:
    """The DASH score over time as a chart, a sentence and a table of the same figures.
    `lead` (a heading, say) is kept on the same page as the chart."""
    if not reviews:
        empty = "No DASH review has been recorded yet, so there is no trend to show."
        return [*lead, para(empty)]
    count = len(reviews)
    span = (
        f"on {long_date(reviews[0].completed_on)}"
        if count == 1
        else f"from {long_date(reviews[0].completed_on)} to {long_date(reviews[-1].completed_on)}"
    )
    chart = line_chart(
        [Point(short_date(r.completed_on), r.score) for r in reviews],
        y_max=QUESTION_COUNT,
        y_step=6,
        y_title="DASH score",
        thresholds=[
            Threshold(threshold, f"MARAC threshold ({threshold})"),
            # The same line twice would hide one key behind the other.
            *(
                [Threshold(high_risk, f"High-risk threshold ({high_risk})", (2, 3))]
                if high_risk != threshold
                else []
            ),
        ],
    )
    lines = f"The dashed line is the MARAC threshold of {threshold}."
    if high_risk != threshold:
        lines += f" The dotted line is the high-risk threshold of {high_risk}."
    sentence = (
        f"DASH score, 0 to {QUESTION_COUNT}, at {count} review{'s' if count != 1 else ''} "
        f"{span}. {lines}"
    )
    table = data_table(
        [Column("Date of the review", 0.4), Column("Score", 0.2), Column("Risk level", 0.4)],
        [[long_date(r.completed_on), str(r.score), r.level.capitalize()] for r in reviews],
    )
    return [KeepTogether([*lead, chart, para(sentence, styles.SMALL)]), styles.gap(4), table]
