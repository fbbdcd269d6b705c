"""The documents professionals work from: the Risk Management and Intervention Plan, the
weekly meeting pack (an agenda made from the case) and a meeting's minutes.

The plan and the pack go to the social worker too, so the people in them are shown
only as `documents_data` gathered them: with a person's information-sharing consent
not in force, the notice that their details are withheld stands in their place.
"""

from __future__ import annotations

from reportlab.platypus import CondPageBreak, Flowable

from eip.cases.documents_data import PlanData
from eip.cases.documents_layout import (
    NOT_RECORDED,
    actions_table,
    case_table,
    dash_trend,
    day,
    opening,
    people_table,
    referrals_table,
    review_sentence,
)
from eip.cases.documents_meeting_data import MeetingPackData, MinutesData
from eip.cases.safety_plans import SafetyPlanLine
from eip.pdf import styles
from eip.pdf.styles import HEADING_ROOM, free_text, heading, labelled, numbered, para
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
    plans: list[SafetyPlanLine], title: str, empty: str, *, at_meeting: bool = False
) -> list[Flowable]:
    """Each plan as `safety_plans.document_line` gathered it: there is no safe-contact field
    to print, and a plan without consent is its name and the notice alone."""
    story: list[Flowable] = [*heading(title, 3), para(SAFETY_NOTE, styles.SMALL)]
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
        ),
        *heading("The people in this plan"),
        *people_table(data.people, PEOPLE_NOTE),
        para(_children(data)),
        *heading("Risks"),
        para(review_sentence(data.latest_review, data.threshold, data.high_risk_threshold)),
        *free_text(data.risks),
        *heading("Protective factors"),
        *free_text(data.protective_factors),
        *heading("Plan actions"),
        actions_table(data.actions, due_title="Due date"),
    ]
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
    return story


def _next_due(data: MeetingPackData) -> str:
    due = data.next_meeting_due
    if due is None:
        return "Not due: meetings are due weekly while the intervention runs"
    return f"{day(due)}{' (overdue)' if due < data.prepared_on else ''}"


def _count(number: int, noun: str) -> str:
    return f"{number or 'no'} {noun}{'' if number == 1 else 's'}"


def _agenda(data: MeetingPackData) -> Flowable:
    return numbered(
        [
            "Risk update: the current risk level, the DASH trend and any incidents.",
            f"Progress: {_count(len(data.sessions_since), 'session')} since the last meeting.",
            f"Open actions: {_count(len(data.open_actions), 'action')} to review.",
            "Safety planning for the partner and the family (record what is agreed in the "
            "minutes, not in this pack).",
            "New actions, owners and dates; the date of the next meeting.",
        ]
    )


def meeting_pack_story(data: MeetingPackData) -> list[Flowable]:
    since = (
        f"since the last meeting on {day(data.last_meeting_on)}"
        if data.last_meeting_on
        else "since the intervention started (no meeting recorded yet)"
    )
    attended = sum(1 for s in data.sessions_since if s.attendance == "Attended")
    return [
        *opening(PACK_TITLE, f"Agenda prepared on {day(data.prepared_on)}."),
        case_table(
            data.case,
            ("Case status", data.status),
            ("Intervention started", day(data.intervention_started_on, "Not started")),
            ("Last meeting", day(data.last_meeting_on, "None yet")),
            ("Next meeting due", _next_due(data)),
        ),
        *heading("Agenda"),
        _agenda(data),
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
        *heading(f"Incidents {since}", 3),
        data_table(
            [Column("Date", 0.3), Column("How it became known", 0.5), Column("Police", 0.2)],
            [
                [day(i.occurred_on), i.source, "Call-out" if i.police_callout else "No"]
                for i in data.incidents_since
            ],
            empty="No incidents recorded.",
        ),
        *heading("2. Progress"),
        para(f"Sessions {since}: {len(data.sessions_since)}, of which {attended} attended."),
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
                for s in data.sessions_since
            ],
            empty="No sessions recorded.",
        ),
        *heading("3. Open actions"),
        actions_table(data.open_actions, kinds=True),
        *heading("4. Safety planning"),
        *safety_plans_section(
            data.safety_plans,
            "Safety plans to review",
            "No safety plan has been written yet.",
        ),
    ]


def minutes_story(data: MinutesData) -> list[Flowable]:
    return [
        *opening(
            MINUTES_TITLE,
            f"Held on {day(data.held_on)} (meeting {data.number} of {data.of} on this case).",
        ),
        case_table(data.case, ("Meeting held", day(data.held_on))),
        *heading("Who attended"),
        *free_text(data.attendees),
        *heading("Risk update"),
        *free_text(data.risk_update),
        *heading("Progress"),
        *free_text(data.progress),
        *heading("Actions agreed"),
        actions_table(data.actions),
        *safety_plans_section(
            data.safety_plans,
            "Safety plans reviewed at this meeting",
            "No safety plan was recorded as reviewed at this meeting.",
            at_meeting=True,
        ),
    ]
