"""The practitioner's side of a placement request: what the request still lacks, making it,
and the two outcomes the practitioner records (withdrawn, the client declined).

A request is allowed only when the consultation found the case suitable for the
intervention with accommodation, both accommodation consents are in force, the scenario plan
exists and the practitioner and the social worker have judged it safe (issue 6, DOMAIN.md).
When something is missing, the refusal lists everything at once, so the practitioner can
put it all right in one go rather than meet the problems one by one.

Loading a placement through the policy, the version check and the one commit are
`accommodation.placements.common`'s, shared with the SPOC's decisions.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accommodation import rules, store
from accommodation.models import Placement
from accommodation.placements import notices
from accommodation.placements.common import (
    audit_placement,
    check_placement_version,
    commit_placement,
    load_placement,
)
from eip.audit import record
from eip.auth.models import User
from eip.cases.common import commit as commit_case
from eip.cases.common import lock_case
from eip.cases.consent_services import consent_states
from eip.cases.consent_state import current_consents
from eip.cases.consultation_services import SCENARIO_OUTCOME, scenario_plan
from eip.cases.models import Case
from eip.cases.rules import status_label
from eip.cases.step_checks import held_consultation, latest_held
from eip.clock import today
from eip.domain import NotAllowed, RuleBroken
from eip.policy import can
from eip.problems import Problems
from eip.programme import current_settings

# A case that may still ask for accommodation: suitable and not closed.
OPEN_FOR_REQUESTS = frozenset({"awaiting_consent", "active"})
TEXT_MAX = 2000
_CONSENT_WORDS = {
    "not_asked": "has not been asked yet",
    "declined": "was declined",
    "withdrawn": "was withdrawn",
}
# A UK postcode anywhere in a text (outward and inward parts, any spacing).
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)


# ---------------------------------------------------------------------------
# What a request still lacks


def _missing(
    session: Session,
    case: Case,
    *,
    records: dict[str, list] | None = None,
    placements: list[Placement] | None = None,
) -> dict[str, str]:
    """Each thing the case lacks for a request, keyed by a name the view shows at the top.
    `records` (the case page's, `eip.cases.page.load_records`: all of the case's records and
    its client's placements) and `placements` (all of the case's) save reading them again
    when the caller has them."""
    missing: dict[str, str] = {}
    if case.status not in OPEN_FOR_REQUESTS:
        missing["case_status"] = (
            f"The case is {status_label(case.status).lower()}: accommodation can be requested "
            "only while the case is awaiting consent or active"
        )
    held = (
        held_consultation(session, case)
        if records is None
        else latest_held(records["consultations"])
    )
    if held is None:
        missing["outcome"] = (
            "The case consultation has not been recorded: its outcome must be the "
            "intervention with temporary accommodation"
        )
    elif held.outcome != SCENARIO_OUTCOME:
        missing["outcome"] = (
            "The consultation outcome is not the intervention with temporary accommodation"
        )
    states = (
        consent_states(session, case) if records is None else current_consents(records["consents"])
    )
    for person in ("client", "partner"):
        state = states[(person, "accommodation")]
        if not state.in_force:
            missing[f"consent_{person}"] = (
                f"The {person}'s consent to temporary accommodation "
                f"{_CONSENT_WORDS.get(state.state, 'is not in force')}"
            )
    plan = (
        scenario_plan(session, case)
        if records is None
        else next(iter(records["scenario_plans"]), None)
    )
    if plan is None:
        missing["scenario_plan"] = (
            "Write the scenario plan: what happens if the couple stay apart after the 4 weeks"
        )
    if placements is None:
        open_one = session.scalar(
            select(Placement)
            .where(Placement.case_id == case.id, Placement.state.in_(rules.NOT_YET_ENDED))
            .order_by(Placement.id)
            .limit(1)
        )
    else:
        not_ended = [p for p in placements if p.state in rules.NOT_YET_ENDED]
        open_one = min(not_ended, key=lambda p: p.id, default=None)
    if open_one is not None:
        missing["open_placement"] = (
            f"This case already has the placement {open_one.name} "
            f"({open_one.state_label[0].lower()}{open_one.state_label[1:]}): "
            "it must end before another is requested"
        )
    if case.client_id is None:
        missing["client"] = "The client's details have not been recorded on the referral"
    else:
        settings = current_settings(session)
        used = (
            store.nights_used_by_client(session, case.client_id)
            if records is None
            else store.nights_used(
                p for p in records["client_placements"] if p.client_id == case.client_id
            )
        )
        if rules.nights_left(used, settings.max_nights_per_client) == 0:
            missing["nights_left"] = (
                f"The client has already had all {settings.max_nights_per_client} nights "
                "of accommodation allowed"
            )
    return missing


def readiness(
    session: Session,
    case: Case,
    *,
    records: dict[str, list] | None = None,
    placements: list[Placement] | None = None,
) -> list[str]:
    """What a placement request for this case still lacks, as sentences (empty: ready)."""
    return list(_missing(session, case, records=records, placements=placements).values())


# ---------------------------------------------------------------------------
# The request


def _mentions_partners_address(case: Case, text: str) -> bool:
    """Whether the areas typed contain the partner's postcode or first address line.

    The SPOC sees the areas to avoid but must never see the partner's address, so the
    practitioner is asked to describe areas instead of copying the address in."""
    partner = case.partner
    if partner is None or not partner.address or not text:
        return False
    typed = " ".join(text.lower().split())
    for outward, inward in _POSTCODE.findall(partner.address):
        if f"{outward}{inward}".lower() in typed.replace(" ", ""):
            return True
    first_line = " ".join(partner.address.splitlines()[0].split(",")[0].lower().split())
    return len(first_line) >= 6 and first_line in typed


def _long(problems: Problems, field: str, text: str, label: str) -> None:
    if len(text) > TEXT_MAX:
        problems.add(field, f"{label} must be {TEXT_MAX} characters or fewer")


def _check_request_fields(
    problems: Problems,
    case: Case,
    *,
    move_in_on: date | None,
    nights: int | None,
    location_preference: str,
    areas_to_avoid: str,
    out_of_borough: bool | None,
    out_of_borough_safety: str,
    out_of_borough_mitigation: str,
    safe_practitioner: bool,
    safe_social_worker: bool,
    social_worker_name: str,
    safety_judged_on: date | None,
) -> None:
    if move_in_on is None:
        problems.add("move_in_on", "Enter the proposed move-in date")
    elif move_in_on < today():
        problems.add("move_in_on", "The proposed move-in date cannot be in the past")
    if nights is None:
        problems.add("nights", "Enter the number of nights")
    elif nights < 1:
        problems.add("nights", "Enter at least 1 night")
    if not location_preference:
        problems.add("location_preference", "Enter where the client should stay")
    if not areas_to_avoid:
        problems.add(
            "areas_to_avoid", "Enter the areas the client must avoid, or 'None' if there are none"
        )
    elif _mentions_partners_address(case, areas_to_avoid):
        problems.add(
            "areas_to_avoid",
            "Describe areas, not the partner's address: the SPOC sees this field",
        )
    if out_of_borough is None:
        problems.add("out_of_borough", "Select whether the client may stay outside the borough")
    elif out_of_borough:
        if not out_of_borough_safety:
            problems.add(
                "out_of_borough_safety",
                "Enter the safety assessment for a placement outside the borough",
            )
        if not out_of_borough_mitigation:
            problems.add(
                "out_of_borough_mitigation",
                "Enter the mitigation for a placement outside the borough",
            )
    if not safe_practitioner:
        problems.add(
            "safe_practitioner", "The practitioner must judge the placement safe and suitable"
        )
    if not safe_social_worker:
        problems.add(
            "safe_social_worker", "The social worker must judge the placement safe and suitable"
        )
    if not social_worker_name:
        problems.add("social_worker_name", "Enter the name of the social worker who judged it")
    if safety_judged_on is None:
        problems.add("safety_judged_on", "Enter the date it was judged safe and suitable")
    elif safety_judged_on > today():
        problems.add("safety_judged_on", "The date it was judged safe cannot be in the future")


def request_placement(
    session: Session,
    user: User,
    case: Case,
    *,
    move_in_on: date | None,
    nights: int | None,
    location_preference: str | None,
    areas_to_avoid: str | None,
    booking_needs: str | None,
    out_of_borough: bool | None,
    out_of_borough_safety: str | None,
    out_of_borough_mitigation: str | None,
    safe_practitioner: bool,
    safe_social_worker: bool,
    social_worker_name: str | None,
    safety_judged_on: date | None,
) -> Placement:
    """Ask the borough's SPOC for temporary accommodation for the case's client.

    Everything missing is refused together: what the case lacks (consents, outcome, scenario
    plan...) at the top, each missing or wrong field beside it."""
    if not can(user, "placement.request", case):
        raise NotAllowed("You may not request accommodation")
    # No version: a request is a new record, and a change to any other record of the case
    # meanwhile refuses nothing. What the case lacks, and the one placement at a time, are
    # read under the case's row lock, so of two requests sent at once the second is refused.
    lock_case(session, case)
    texts = {
        name: (value or "").strip()
        for name, value in {
            "location_preference": location_preference,
            "areas_to_avoid": areas_to_avoid,
            "booking_needs": booking_needs,
            "out_of_borough_safety": out_of_borough_safety,
            "out_of_borough_mitigation": out_of_borough_mitigation,
            "social_worker_name": social_worker_name,
        }.items()
    }
    problems = Problems()
    for key, message in _missing(session, case).items():
        problems.add(key, message)
    _check_request_fields(
        problems,
        case,
        move_in_on=move_in_on,
        nights=nights,
        location_preference=texts["location_preference"],
        areas_to_avoid=texts["areas_to_avoid"],
        out_of_borough=out_of_borough,
        out_of_borough_safety=texts["out_of_borough_safety"],
        out_of_borough_mitigation=texts["out_of_borough_mitigation"],
        safe_practitioner=safe_practitioner,
        safe_social_worker=safe_social_worker,
        social_worker_name=texts["social_worker_name"],
        safety_judged_on=safety_judged_on,
    )
    for name, label in (
        ("location_preference", "Where the client should stay"),
        ("areas_to_avoid", "Areas to avoid"),
        ("booking_needs", "Needs for booking a room"),
        ("out_of_borough_safety", "The safety assessment"),
        ("out_of_borough_mitigation", "The mitigation"),
    ):
        _long(problems, name, texts[name], label)
    if len(texts["social_worker_name"]) > 120:
        problems.add(
            "social_worker_name", "The social worker's name must be 120 characters or fewer"
        )
    if "nights" not in problems.errors and "nights_left" not in problems.errors:
        _check_nights(session, problems, case, move_in_on, nights)
    if problems.errors:
        raise RuleBroken(
            "The request cannot be made yet: " + "; ".join(problems.errors.values()),
            errors=problems.errors,
        )
    placement = Placement(
        case_id=case.id,
        client_id=case.client_id,
        borough_id=case.borough_id,
        state="requested",
        requested_by_id=user.id,
        move_in_on=move_in_on,
        nights=nights,
        location_preference=texts["location_preference"],
        areas_to_avoid=texts["areas_to_avoid"],
        booking_needs=texts["booking_needs"] or None,
        out_of_borough=bool(out_of_borough),
        out_of_borough_safety=texts["out_of_borough_safety"] if out_of_borough else None,
        out_of_borough_mitigation=texts["out_of_borough_mitigation"] if out_of_borough else None,
        safe_practitioner=True,
        safe_social_worker=True,
        social_worker_name=texts["social_worker_name"],
        safety_judged_on=safety_judged_on,
    )
    session.add(placement)
    session.flush()
    record(
        session,
        "placement.requested",
        actor=user,
        object_type="placement",
        object_id=placement.id,
        case_reference=case.reference,
        details={"fields": sorted(name for name, value in texts.items() if value)},
    )
    notices.request_made(session, user, placement)
    commit_case(session)
    return placement


def _check_nights(
    session: Session,
    problems: Problems,
    case: Case,
    move_in_on: date | None,
    nights: int | None,
) -> None:
    if move_in_on is None or nights is None or case.client_id is None:
        return
    settings = current_settings(session)
    refusal = rules.check_nights(
        nights,
        store.nights_used_by_client(session, case.client_id),
        settings.max_nights_per_client,
        move_in_on,
        settings.programme_end_date,
    )
    if refusal:
        field = "move_in_on" if move_in_on >= settings.programme_end_date else "nights"
        problems.add(field, refusal)


# ---------------------------------------------------------------------------
# The practitioner's outcomes of a request


def withdraw_request(
    session: Session, user: User, placement_id: int, *, reason: str | None, version
) -> Placement:
    """The practitioner no longer asks for the accommodation."""
    return _practitioner_outcome(
        session, user, placement_id, "withdraw", reason=reason, version=version
    )


def record_client_declined(
    session: Session, user: User, placement_id: int, *, reason: str | None, version
) -> Placement:
    """The client turned the accommodation down before the SPOC decided."""
    return _practitioner_outcome(
        session, user, placement_id, "record_client_declined", reason=reason, version=version
    )


def _practitioner_outcome(
    session: Session, user: User, placement_id: int, action: str, *, reason, version
) -> Placement:
    placement = load_placement(session, user, placement_id, "placement.request")
    return record_outcome(session, user, placement, action, reason=reason, version=version)


def record_outcome(
    session: Session, user: User, placement: Placement, action: str, *, reason, version
) -> Placement:
    """Close a request with one of the outcomes that are not an approval (no money moves)."""
    check_placement_version(placement, version)
    new_state = rules.next_state(placement.state, action)
    text = (reason or "").strip()
    if not text:
        raise RuleBroken("Enter the reason", field="reason")
    if len(text) > TEXT_MAX:
        raise RuleBroken(f"The reason must be {TEXT_MAX} characters or fewer", field="reason")
    placement.state = new_state
    placement.decided_at = datetime.now(UTC)
    placement.decided_by_id = user.id
    placement.outcome_reason = text
    audit_placement(
        session,
        user,
        placement,
        f"placement.{placement.state}",
        {"fields": ["outcome_reason", "state"]},
    )
    notices.request_decided(session, user, placement, action)
    commit_placement(session)
    return placement
