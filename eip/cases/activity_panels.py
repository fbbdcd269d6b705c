"""What the case page's activity and risk panels show, read from the `CasePage`.

The panels' templates call these through template globals (registered in
activity_views), so the case page itself needs to know nothing about them. No query but the
programme settings (read once per request): the names of the people who completed actions
come with the page's records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from eip.cases import choices, dash, marac, rules
from eip.cases.activity_services import session_check
from eip.cases.dash_chart import ChartPoint, score_chart
from eip.cases.dash_services import RiskSummary, review_reasons, risk_summary
from eip.cases.deadlines import DueItem
from eip.cases.records import CaseAction
from eip.programme import current_settings

RECENT = 5  # rows shown before the rest fold into a details element


@dataclass(frozen=True)
class ActionRow:
    action: CaseAction
    urgency: str | None  # overdue / due_today / due_soon / later; None without a due date
    completed_by: str | None = None


@dataclass(frozen=True)
class ActivityPanel:
    sessions: list[Any]
    meetings: list[Any]
    incidents: list[Any]
    attendance_rate: int | None
    session_check: rules.Check
    meeting_check: rules.Check
    meeting_due: tuple[DueItem, str] | None
    open_actions: list[ActionRow]
    completed_actions: list[ActionRow]
    can_add_action: bool

    @property
    def last_meeting(self) -> Any:
        return self.meetings[-1] if self.meetings else None

    @property
    def meeting_overdue(self) -> bool:
        return self.meeting_due is not None and self.meeting_due[1] == "overdue"

    @staticmethod
    def attendance_label(value: str) -> str:
        return choices.label(choices.SESSION_ATTENDANCE, value)

    @staticmethod
    def source_label(value: str) -> str:
        return choices.label(choices.INCIDENT_SOURCE, value)


def activity_panel(page: Any) -> ActivityPanel:
    case = page.case
    records = page.records
    urgency = page.action_urgency
    meeting_due = page.due_of("meeting")
    actions = records["actions"]
    done = [a for a in actions if a.completed_at is not None]
    names = page.completed_by
    open_rows = [ActionRow(a, urgency.get(a.id)) for a in actions if a.completed_at is None]
    open_rows.sort(
        key=lambda row: (row.action.due_on is None, row.action.due_on, not row.action.urgent)
    )
    done_rows = [ActionRow(a, None, names.get(a.completed_by_id)) for a in done]
    done_rows.sort(key=lambda row: row.action.completed_at, reverse=True)
    return ActivityPanel(
        sessions=list(reversed(records["sessions"])),
        meetings=list(records["meetings"]),
        incidents=list(reversed(records["incidents"])),
        attendance_rate=page.attendance_rate,
        session_check=session_check(case, page.consents),
        meeting_check=rules.can_record_meeting(case.status),
        meeting_due=meeting_due,
        open_actions=open_rows,
        completed_actions=done_rows,
        can_add_action=case.status not in rules.CLOSED_STATES,
    )


@dataclass(frozen=True)
class RiskPanel:
    summary: RiskSummary
    chart: Any  # Markup: the inline SVG, empty without reviews
    # The MARAC referrals prepared on the case, newest first (eip.cases.marac_services).
    marac_referrals: list[Any] = field(default_factory=list)
    high_risk_threshold: int = dash.DEFAULT_HIGH_RISK_THRESHOLD

    @property
    def marac_referral(self) -> Any:
        """The referral in use: the newest prepared."""
        return self.marac_referrals[0] if self.marac_referrals else None

    @staticmethod
    def partner_aware(value: str) -> str:
        return marac.PARTNER_AWARE_LABELS.get(value, value)

    @property
    def reviews_newest_first(self) -> list[Any]:
        return list(reversed(self.summary.reviews))

    @staticmethod
    def answers(review: Any) -> list[tuple[dash.Question, str]]:
        """Each question with the answer given, in checklist order."""
        given = review.answers or {}
        return [
            (q, dash.ANSWER_LABELS.get(given.get(str(q.number), ""), "Not answered"))
            for q in dash.questions()
        ]

    judgements: ClassVar[dict[str, str]] = dash.JUDGEMENTS

    @staticmethod
    def reasons(review: Any) -> list[str]:
        return review_reasons(review)


def risk_panel(session: Session, page: Any) -> RiskPanel:
    settings = current_settings(session)
    threshold = settings.marac_threshold_yes
    summary = risk_summary(page.records, threshold, page.today)
    points = [ChartPoint(r.completed_on, r.score, r.risk_level) for r in summary.reviews]
    high = settings.high_risk_threshold_yes
    return RiskPanel(
        summary=summary,
        chart=score_chart(points, threshold, high_risk=high),
        marac_referrals=list(reversed(page.records.get("marac_referrals", []))),
        high_risk_threshold=high,
    )
