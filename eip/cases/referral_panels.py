"""What the case page's referral panel shows besides the case itself: the acknowledgement
still due, and which of the referral's steps to offer this user. Read from the `CasePage`
the page already built and the access policy: no queries of its own. The case page
(views.view) builds it and passes it to templates/cases/panels/referral.html as `referral`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eip.access import can
from eip.cases.rules import CLOSED_STATES, allowed_actions


@dataclass(frozen=True)
class ReferralPanel:
    acknowledgement_due: tuple[Any, str] | None  # the due item and its urgency, if still to do
    may_acknowledge: bool
    may_late_decision: bool
    may_edit: bool
    may_see_partner: bool


def referral_panel(user: Any, page: Any) -> ReferralPanel:
    case = page.case
    due = page.due_of("acknowledgement")
    return ReferralPanel(
        acknowledgement_due=None if case.acknowledged_at else due,
        may_acknowledge=(
            can(user, "case.edit", case)
            and case.acknowledged_at is None
            and "acknowledge" in allowed_actions(case.status)
        ),
        may_late_decision=(
            can(user, "case.late_decision", case) and case.status == "awaiting_late_agreement"
        ),
        may_edit=can(user, "case.edit", case) and case.status not in CLOSED_STATES,
        may_see_partner=can(user, "case.partner", case),
    )
