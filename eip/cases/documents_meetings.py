"""The documents professionals work from: the Risk Management and Intervention Plan, the
weekly meeting pack (an agenda made from the case) and a meeting's minutes.

The plan and the pack go to the social worker too, so the people in them are shown
only as `documents_data` gathered them: with a person's information-sharing consent
not in force, the notice that their details are withheld stands in their place.
"""

from __future__ import annotations

from reportlab.platypus import CondPageBreak, Flowable

from eip.cases.documents_data import WITHHELD, PlanData
from eip.cases.documents_layout import (
    NOT_RECORDED,
    actions_table,
    case_table,
    count_of,
    dash_trend,
    day,
    marac_notice,
    opening,
    people_table,
    referrals_table,
    review_sentence,
    sign_off_table,
)
from eip.cases.documents_meeting_data import MeetingPackData, MinutesData, StayLine
from eip.cases.safety_plans import SafetyPlanLine
from eip.pdf import styles
from eip.pdf.styles import (
    CELL,
    HEADING_ROOM,
    escape_text,
    free_text,
    heading,
    labelled,
    markup,
    numbered,
    para,
)
from eip.pdf.tables import Column, data_table

PLAN_TITLE = "Risk Management and Intervention Plan"
PACK_TITLE = "Professionals meeting pack"
MINUTES_TITLE = "Minutes of the professionals meeting"
PEOPLE_NOTE = (
    "A person's name, date of birth and contact appear only while their consent to "
    "information sharing is in force. The partner's contact details, address, safe-contact "
    "arrangements and code word are never put in documents."
)


def _children(data: PlanData) -> str:
    services = data.childrens_services or NOT_RECORDED
    return f"{data.children}. Children's services: {services}."


SAFETY_NOTE = (
    "Safe contact arrangements are never put in documents. A plan's details appear only "
    "while the partner's consent to information sharing is in force (for a child's plan "
    "too, as the child's parent at risk)."
)
PLAN_WITHHELD = "Details withheld: no information-sharing consent."


def safety_plans_section(
    plans: list[SafetyPlanLine],
    title: str,
    empty: str,
    *,
    at_meeting: bool = False,
    level: int = 3,
    intro: bool = True,
) -> list[Flowable]:
    """Each plan as `safety_plans.document_line` gathered it: there is no safe-contact field
    to print, and a plan without consent is its name and the notice alone. Without
    `intro` and without plans, nothing (the caller has said so)."""
    if not plans and not intro:
        return []
    story: list[Flowable] = [*heading(title, level), para(SAFETY_NOTE, styles.SMALL)]
    if not plans:
        return [*story, para(empty)]
    for plan in plans:
        story += [para(f"Safety plan for {plan.who}", styles.H3)]
        if not plan.shared:
            story.append(para(PLAN_WITHHELD))
            continue
        if at_meeting:
            story.append(labelled("Change agreed at this meeting", plan.change or "No change"))
        story += [
            labelled("Last reviewed", day(plan.last_reviewed_on, "Not reviewed at a meeting yet")),
            para("Risks", styles.SMALL),
            *free_text(plan.risks),
            para("Protective steps", styles.SMALL),
            *free_text(plan.protective_steps),
            data_table(
                [Column("Who does what", 0.5), Column("By whom", 0.28), Column("By when", 0.22)],
                [[s.action, s.by_whom, day(s.by_when)] for s in plan.steps],
                empty="No steps recorded.",
            ),
            labelled("Agencies involved", plan.agencies or NOT_RECORDED),
        ]
    return story


def plan_story(data: PlanData) -> list[Flowable]:
    story: list[Flowable] = [
        *opening(PLAN_TITLE, f"Agreed at the case consultation on {day(data.held_on)}."),
        case_table(
            data.case,
            ("Consultation", f"{day(data.held_on)}, by {data.medium.lower()}"),
            ("Who took part", data.attendees),
            ("Outcome", data.outcome),
            ("Next review", _plan_review(data)),
        ),
        *marac_notice(data.marac_flag),
        *heading("The people in this plan"),
        *people_table(data.people, PEOPLE_NOTE),
        para(_children(data)),
        *heading("Risks"),
        para(review_sentence(data.latest_review, data.threshold, data.high_risk_threshold)),
        *free_text(data.risks),
        *heading("Protective factors"),
        *free_text(data.protective_factors),
        *heading("Open actions"),
        para(ACTIONS_NOTE, styles.SMALL),
        actions_table(data.actions, kinds=True, empty="No open actions."),
    ]
    if data.done_plan_actions:
        story += [
            *heading("Plan actions done", 3),
            actions_table(data.done_plan_actions),
        ]
    story += safety_plans_section(
        data.safety_plans, "Safety plans", "No safety plan has been written yet.", level=2
    )
    story += [*heading("If the risk rises"), para(data.contingency)]
    if data.needs_scenario_plan or data.scenario_plan:
        story += [
            *heading("Scenario plan"),
            para(
                "What happens if the couple stay apart after the 4 weeks of accommodation.",
                styles.SMALL,
            ),
            *free_text(data.scenario_plan, empty="No scenario plan has been written yet."),
        ]
    if data.advice:
        story += [*heading("Advice to the social worker"), *free_text(data.advice)]
    if data.onward_referrals:
        story += [*heading("Onward referrals"), referrals_table(data.onward_referrals)]
    story += [
        *heading("Review and sign-off"),
        para(_plan_review(data) + "."),
        sign_off_table(data.sign_off),
    ]
    return story


ACTIONS_NOTE = (
    "Every open action on the case: referrals to the IDVA service and MARAC and consent "
    "reviews first."
)


def _plan_review(data: PlanData) -> str:
    parts = []
    if data.next_meeting_due:
        parts.append(f"at the professionals meeting due by {day(data.next_meeting_due)}")
    if data.next_dash_due:
        parts.append(f"with the DASH review due by {day(data.next_dash_due)}")
    if not parts:
        return "Reviewed at each professionals meeting once the intervention starts"
    return "Reviewed " + " and ".join(parts)


def _next_due(data: MeetingPackData) -> str:
    due = data.next_meeting_due
    if due is None:
        return "Not due: meetings are due weekly while the intervention runs"
    return f"{day(due)}{' (overdue)' if due < data.prepared_on else ''}"


def _agenda(data: MeetingPackData) -> Flowable:
    return numbered(
        [
            "Risk update: the current risk level, the DASH trend and any incidents.",
            f"Progress: {count_of(len(data.sessions_since), 'session')} since the last "
            "meeting, and accommodation.",
            f"Open actions: {count_of(len(data.open_actions), 'action')} and "
            f"{count_of(len(data.due), 'deadline')} to review.",
            "Safety planning for the partner and the family (record what is agreed in the "
            "minutes, not in this pack).",
            "New actions, owners and dates; the date of the next meeting.",
        ]
    )


def _due_table(data: MeetingPackData) -> Flowable:
    return data_table(
        [Column("What is due", 0.6), Column("Due by", 0.22), Column("State", 0.18)],
        [[d.label, day(d.due_on), "Overdue" if d.overdue else "Due"] for d in data.due],
        empty="Nothing is due on the case apart from the actions below.",
    )


def _stay_sentence(stay: StayLine) -> str:
    began = f"since {day(stay.checked_in_on)}" if stay.checked_in_on else "now"
    if stay.days_left > 0:
        left = f"in {count_of(stay.days_left, 'day')}"
    elif stay.days_left == 0:
        left = "today"
    else:
        left = f"{count_of(-stay.days_left, 'day')} ago"
    review = (
        "The return-home review is recorded."
        if stay.return_home_review_done
        else "The return-home review is due before the stay ends."
    )
    return (
        f"The client is staying in temporary accommodation {began}. The stay ends on "
        f"{day(stay.ends_on)} ({left}). {review}"
    )


def _accommodation(data: MeetingPackData) -> list[Flowable]:
    if not data.stays:
        return [para("The client is not staying in temporary accommodation now.")]
    return [para(_stay_sentence(stay)) for stay in data.stays]


def _incidents(data: MeetingPackData) -> Flowable:
    rows = []
    for i in data.incidents_since:
        if i.shared:
            told = escape_text(i.what_happened)
            response = i.response or "No response recorded"
        else:
            told = f"<i>{escape_text(WITHHELD)}</i>"
            response = ""
        what = f"<b>{escape_text(i.source)}</b><br/>{told}"
        rows.append([day(i.occurred_on), markup(what, CELL), response])
    return data_table(
        [Column("Date", 0.2), Column("What happened", 0.45), Column("The response", 0.35)],
        rows,
        empty="No incidents recorded.",
    )


def _sessions(data: MeetingPackData, since: str) -> list[Flowable]:
    sessions = data.sessions_since
    if not sessions:
        return [para(f"No sessions recorded {since}.")]
    attended = sum(1 for s in sessions if s.attendance == "Attended")
    return [
        para(f"{count_of(len(sessions), 'session').capitalize()} {since}, {attended} attended."),
        data_table(
            [
                Column("Date", 0.22),
                Column("Attendance", 0.24),
                Column("Minutes", 0.12),
                Column("Themes", 0.42),
            ],
            [
                [
                    day(s.held_on),
                    s.attendance,
                    "" if s.minutes is None else str(s.minutes),
                    s.themes or "",
                ]
                for s in sessions
            ],
        ),
    ]


def meeting_pack_story(data: MeetingPackData) -> list[Flowable]:
    since = (
        f"since the last meeting on {day(data.last_meeting_on)}"
        if data.last_meeting_on
        else "since the intervention started (no meeting recorded yet)"
    )
    return [
        *opening(PACK_TITLE, f"Agenda prepared on {day(data.prepared_on)}."),
        case_table(
            data.case,
            ("Case status", data.status),
            ("Intervention started", day(data.intervention_started_on, "Not started")),
            ("Last meeting", day(data.last_meeting_on, "None yet")),
            ("Next meeting due", _next_due(data)),
        ),
        *marac_notice(data.marac_flag),
        *heading("Agenda"),
        _agenda(data),
        *heading("Due and overdue"),
        _due_table(data),
        *heading("The people in this case"),
        *people_table(data.people, PEOPLE_NOTE),
        data_table(
            [
                Column("Consent", 0.3),
                Column("To the intervention", 0.35),
                Column("To information sharing", 0.35),
            ],
            [[c.role, c.intervention, c.information_sharing] for c in data.consents],
        ),
        CondPageBreak(HEADING_ROOM),
        *dash_trend(
            data.reviews,
            data.threshold,
            data.high_risk_threshold,
            lead=[
                para("1. Risk update", styles.H2),
                para(
                    review_sentence(
                        data.reviews[-1] if data.reviews else None,
                        data.threshold,
                        data.high_risk_threshold,
                    )
                ),
            ],
        ),
        *heading("Risks identified in the plan", 3),
        *free_text(data.plan_risks, empty="No plan recorded yet."),
        *heading("Incidents", 3),
        para(f"Incidents {since}, and any not yet followed by a DASH review.", styles.SMALL),
        _incidents(data),
        *heading("2. Progress"),
        *_sessions(data, since),
        *heading("Accommodation", 3),
        *_accommodation(data),
        *heading("3. Open actions"),
        para(ACTIONS_NOTE, styles.SMALL),
        actions_table(
            data.open_actions,
            kinds=True,
            empty=(
                "No open actions: what else is due is listed under \u201cDue and overdue\u201d."
                if data.due
                else "No open actions."
            ),
        ),
        *heading("4. Safety planning"),
        *safety_plans_section(
            data.safety_plans,
            "Safety plans to review",
            "No safety plan has been written yet.",
        ),
        *heading("5. New actions and the next meeting"),
        para(f"The next meeting is due by {_next_due(data)}.", styles.BODY)
        if data.next_meeting_due
        else para(_next_due(data) + "."),
        para(
            "Record new actions, their owners and dates, and the safety planning agreed, "
            "in the minutes.",
            styles.SMALL,
        ),
    ]


def minutes_story(data: MinutesData) -> list[Flowable]:
    return [
        *opening(
            MINUTES_TITLE,
            f"Held on {day(data.held_on)} (meeting {data.number} of {data.of} on this case).",
        ),
        case_table(data.case, ("Minuted by", data.minuted_by or NOT_RECORDED)),
        *heading("Who attended"),
        *free_text(data.attendees),
        *heading("Risk update"),
        *free_text(data.risk_update),
        *heading("Progress"),
        *free_text(data.progress),
        *heading("Actions agreed"),
        actions_table(data.actions, empty="No new actions were agreed at this meeting."),
        *heading("Safety planning"),
        para(_plans_reviewed(data)),
        *safety_plans_section(
            data.safety_plans,
            "Safety plans reviewed at this meeting",
            "",
            at_meeting=True,
            intro=False,
        ),
        *heading("Next meeting"),
        para(_next_meeting(data)),
    ]


def _plans_reviewed(data: MinutesData) -> str:
    reviewed, total = len(data.safety_plans), data.plans_on_case
    if total == 0:
        return (
            "The case has no safety plan yet: one is written for the partner and for each "
            "child at risk."
        )
    if reviewed == 0 and total == 1:
        return "The case's safety plan was not recorded as reviewed at this meeting."
    if reviewed == 0:
        return (
            f"None of the case's {count_of(total, 'safety plan')} was recorded as reviewed "
            "at this meeting."
        )
    return f"{count_of(reviewed, 'safety plan').capitalize()} of {total} reviewed at this meeting."


def _next_meeting(data: MinutesData) -> str:
    if data.next_held_on:
        return f"The next meeting was held on {day(data.next_held_on)}."
    return f"The next meeting is due by {day(data.next_due_on)}."
