"""The one access policy, as plain rules: no Flask, so services and rules use it as data.

`can(user, action, obj)` answers every "may this user do this?" and
`visible_cases(user)` / `visible_placements(user)` scope every query for cases and
placements. The web's side of it (declaring a view's rule, refusing with an audited 403)
is `eip/access.py`.

Who sees what follows DOMAIN.md's field-by-role table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, false, select

from eip.roles import Role

P, M, S, F, E, A = (
    Role.PRACTITIONER,
    Role.MANAGER,
    Role.SPOC,
    Role.FINANCE,
    Role.EVALUATOR,
    Role.ADMIN,
)


def _roles(*roles: Role) -> Callable[[Any, Any], bool]:
    def rule(user, obj=None) -> bool:
        return user.has_role(*roles)

    rule.roles = frozenset(roles)  # type: ignore[attr-defined]
    return rule


def _case_visible(user, case=None) -> bool:
    if user.has_role(P, M):
        return True
    if user.has_role(S):
        return case is None or case.borough_id == user.borough_id
    return False


def _placement_visible(user, placement=None) -> bool:
    """Practitioners and managers see every placement; finance every approved one (without
    names); a SPOC only their own borough's. Mirrors `visible_placements`."""
    if user.has_role(P, M):
        return True
    if user.has_role(F):
        return placement is None or placement.nightly_rate_pence is not None
    if user.has_role(S):
        return placement is None or placement.borough_id == user.borough_id
    return False


def _own_borough_spoc(user, placement=None) -> bool:
    """Only a SPOC of the case's (referring) borough decides on its placements."""
    if not user.has_role(S) or user.borough_id is None:
        return False
    return placement is None or placement.borough_id == user.borough_id


def _signed_in(user, obj=None) -> bool:
    return True


def _not_self(user, target=None) -> bool:
    return user.has_role(M) and (target is None or target.user_id != user.id)


RULES: dict[str, Callable[[Any, Any], bool]] = {
    # Any signed-in account, whatever its role (own account, home, notifications).
    "account.own": _signed_in,
    # Cases.
    "case.list": _roles(P, M, S),
    # A practitioner's own work list (what of theirs is overdue or due soon, in full).
    "case.work_list": _roles(P),
    "case.view": _case_visible,
    # Finding a case by the client's name or date of birth, and the client's first name in
    # work lists: only the roles that may see client names (DOMAIN.md).
    "case.search": _roles(P, M),
    "case.client_name": _roles(P, M),
    "case.access_log": _roles(P, M),
    # The case's documents (acknowledgement, plan, meeting pack, closure summary): they carry
    # personal data, so only Cranstoun and Respect/SafeLives staff.
    "case.documents": _roles(P, M),
    # Running the pathway: practitioners record referrals and every step after.
    "case.create": _roles(P),
    "case.edit": _roles(P),
    # The partner's details, safe-contact times and code word: own panel, every view audited.
    "case.partner": _roles(P, M),
    # Safety plans of the people at risk (their safe contact arrangements among them): on
    # the case page only, every view audited; practitioners write them (case.edit).
    "case.safety_plans": _roles(P, M),
    # The partner support log (Integrated Support Service) and the client's sensitive case
    # notes: on the case page only, never in a document (but sensitive notes on a closure
    # summary, when the practitioner closing the case chooses it).
    "case.partner_support": _roles(P, M),
    "case.sensitive_notes": _roles(P, M),
    # Managers: the late-referral agreement and reopening a closed case.
    "case.late_decision": _roles(M),
    "case.reopen": _roles(M),
    # Managers: reassigning a case, and the open cases with no active practitioner.
    "case.reassign": _roles(M),
    # Accommodation (accommodation/): the practitioner requests and runs the stay, the
    # borough's SPOC decides, Camden finance records invoices and payments.
    "placement.list": _roles(P, M, S, F),
    "placement.view": _placement_visible,
    "placement.request": _roles(P),
    "placement.manage": _roles(P),
    "placement.decide": _own_borough_spoc,
    "finance.record": _roles(F),
    "budget.view": _roles(P, M, S, F),
    "budget.export": _roles(M, F),
    # Documents: the accommodation agreement (for the client to sign), Camden's statement,
    # and the monthly programme report.
    "placement.agreement": _roles(P, M),
    "finance.statement": _roles(F, M),
    "programme.report": _roles(M),
    # The manager's live dashboard and the cases behind each figure (eip.reports.dashboard):
    # unsuppressed programme figures with case references, so managers only (the admin sees
    # no case content).
    "programme.dashboard": _roles(M),
    # Rectification and erasure requests (eip.privacy.requests): practitioners record those
    # they receive and see the list; a manager decides.
    "privacy.requests": _roles(P, M),
    "privacy.record": _roles(P, M),
    "privacy.decide": _roles(M),
    # Administration: accounts and boroughs are the admin's; no case content.
    "admin.users": _roles(A),
    "admin.boroughs": _roles(A),
    "audit.account_events": _roles(A, M),
    # Programme management.
    "approvals.view": _roles(M),
    "approvals.decide": _not_self,
    "settings.view": _roles(M),
    "settings.edit": _roles(M),
    "audit.search": _roles(M),
    # Evaluation (evaluation/): managers prepare, release and withdraw extracts and see live
    # figures; evaluators see released extracts and figures built only from the latest one.
    "evaluation.list": _roles(M, E),
    "evaluation.prepare": _roles(M),
    "evaluation.release": _roles(M),
    "evaluation.withdraw": _roles(M),
    "evaluation.download": _roles(M, E),
    "evaluation.figures": _roles(M, E),
    # Privacy (eip/privacy/): subject access requests, recorded and answered by managers.
    "privacy.subject_access": _roles(M),
    # The retention review (eip.privacy.review): the cases past retention, legal holds and
    # confirming a batch for anonymisation.
    "retention.review": _roles(M),
}


def can(user, action: str, obj: Any = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role is None and action != "account.own":
        return False
    rule = RULES.get(action)
    if rule is None:
        raise KeyError(f"no access rule named {action!r}")
    return bool(rule(user, obj))


def visible_cases(user) -> Select:
    """A select of the cases this user may see; every case query starts here."""
    from eip.cases.models import Case

    query = select(Case)
    if user.has_role(P, M):
        return query
    if user.has_role(S) and user.borough_id is not None:
        return query.where(Case.borough_id == user.borough_id)
    if user.has_role(F):
        # Finance sees the cases with a placement the SPOC approved (one that holds or
        # held money), by reference and borough only.
        from accommodation.models import Placement

        approved = select(Placement.id).where(
            Placement.case_id == Case.id, Placement.nightly_rate_pence.is_not(None)
        )
        return query.where(approved.exists())
    return query.where(false())


def placements_scope(user) -> tuple:
    """Which placements this user may see, as a key (`visible_placements` makes it a
    select): users with the same scope see the same placements, so figures kept between
    requests (accommodation.budget.memo) can be shared by scope."""
    if user.has_role(P, M):
        return ("all",)
    if user.has_role(S) and user.borough_id is not None:
        return ("borough", user.borough_id)
    if user.has_role(F):
        # Finance has no business with undecided or refused requests (their booking needs
        # and safety notes): only placements the SPOC approved.
        return ("approved",)
    return ("none",)


def visible_placements(user) -> Select:
    """A select of the placements this user may see; every placement query starts here."""
    return placements_in_scope(placements_scope(user))


def placements_in_scope(scope: tuple) -> Select:
    """A select of the placements of a `placements_scope` (for a statement built once per
    scope; otherwise `visible_placements`)."""
    from accommodation.models import Placement

    query = select(Placement)
    if scope[0] == "all":
        return query
    if scope[0] == "borough":
        return query.where(Placement.borough_id == scope[1])
    if scope[0] == "approved":
        return query.where(Placement.nightly_rate_pence.is_not(None))
    return query.where(false())
