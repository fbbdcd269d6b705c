"""Routes for the case consultation and what follows it: booking, recording the
consultation and the Risk Management and Intervention Plan, plan actions, onward
referrals and the scenario plan (registered on the cases blueprint). Consent and
closure routes live in consent_closure_views, imported at the bottom.

Each step page reads its form, calls one service and redirects, or shows the refusal:
a rule's reason beside its field or at the top (400), someone else's newer save (409).
When the step is not open now, the page says why instead of showing the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request, url_for
from flask_wtf import FlaskForm

from eip.access import requires
from eip.cases import consultation_services as consultations
from eip.cases.choices import ALL, label
from eip.cases.models import Case
from eip.cases.step_checks import closed_refusal, step_refusal
from eip.cases.view_helpers import add_to_case, case_or_abort, case_url, change_case
from eip.cases.views import bp
from eip.extensions import db
from eip.versioning import seen_token
from forms.pathway_steps import (
    BookConsultationForm,
    OnwardReferralForm,
    OnwardReferralStatusForm,
    PlanActionForm,
    RecordConsultationForm,
    ScenarioPlanForm,
    london_parts,
)

EDIT = "case.edit"

# ---------------------------------------------------------------------------
# A label lookup the step pages and panels use (it reads no data).


@bp.app_template_global("choice_label")
def _choice_label(list_name: str, value: str | None) -> str:
    """The label of a stored value from one of eip.cases.choices' lists, by the list's name."""
    return label(ALL[list_name], value)


# ---------------------------------------------------------------------------
# The flow every step page shares


def on_case(case: Case, anchor: str = "consultation") -> dict[str, Any]:
    """What a case step page (templates/cases/step_page.html) shows besides its form."""
    return {"case": case, "back": case_url(case, anchor)}


def prefill(form: FlaskForm, version: str | int | None, **values: Any) -> None:
    """What a new page's form shows: the version of the record it edits (none for a form
    that moves the case on; a new one-time token for an addition) and the current values."""
    if request.method == "GET":
        if hasattr(form, "version"):
            form.version.data = str(version)
        if hasattr(form, "submission"):
            form.start()
        for name, value in values.items():
            form[name].data = value


# ---------------------------------------------------------------------------
# Booking and recording the consultation


@bp.route("/<reference>/consultation/book", methods=["GET", "POST"])
@requires(EDIT)
def book_consultation(reference: str):
    case = case_or_abort(reference, EDIT)
    form = BookConsultationForm()
    booking = consultations.current_booking(db.session, case)
    rebooking = case.status == "consultation_booked"
    if booking is not None and rebooking:
        on, at = london_parts(booking.scheduled_for)
        prefill(
            form,
            seen_token(consultations.latest_booking(db.session, case)),
            scheduled_on=on,
            scheduled_time=at,
            medium=booking.medium,
            attendees=booking.attendees,
        )
    else:
        prefill(form, seen_token(consultations.latest_booking(db.session, case)))
    return change_case(
        form,
        case,
        consultations.book_consultation,
        lambda: {
            "scheduled_for": form.scheduled_for(),
            "medium": form.medium.data,
            "attendees": form.attendees.data,
        },
        blocked=lambda: step_refusal(case, "book_consultation"),
        done=lambda _: (
            "Consultation rebooked" if rebooking else "Consultation booked",
            case_url(case, "consultation"),
        ),
        template="cases/consultation_book.html",
        title="Rebook the case consultation" if rebooking else "Book the case consultation",
        rebooking=rebooking,
        **on_case(case),
    )


def _after_consultation(case: Case, consultation) -> tuple[str, str]:
    """Not suitable: go on to the onward referrals. Accommodation: the scenario plan."""
    if consultation.outcome == "not_suitable":
        return (
            "Consultation recorded. Now record the onward referrals",
            url_for("cases.add_onward_referral", reference=case.reference),
        )
    if consultation.outcome == consultations.SCENARIO_OUTCOME:
        return (
            "Consultation recorded. Now write the scenario plan",
            url_for("cases.scenario_plan", reference=case.reference),
        )
    return "Consultation and plan recorded", case_url(case, "consultation")


@bp.route("/<reference>/consultation/record", methods=["GET", "POST"])
@requires(EDIT)
def record_consultation(reference: str):
    case = case_or_abort(reference, EDIT)
    form = RecordConsultationForm()
    booking = consultations.current_booking(db.session, case)
    prefill(form, seen_token(consultations.latest_booking(db.session, case)))
    return change_case(
        form,
        case,
        consultations.record_consultation,
        lambda: {
            "held_on": form.held_on.data,
            "outcome": form.outcome.data,
            "advice": form.advice.data,
            "plan_risks": form.plan_risks.data,
            "plan_protective_factors": form.plan_protective_factors.data,
            "actions": form.plan_actions(),
        },
        blocked=lambda: step_refusal(case, "record_consultation"),
        check=lambda: consultations.check_consultation(
            db.session,
            case,
            held_on=form.held_on.data,
            outcome=form.outcome.data,
            advice=form.advice.data,
            plan_risks=form.plan_risks.data,
            actions=form.plan_actions(),
        ),
        done=lambda consultation: _after_consultation(case, consultation),
        template="cases/consultation_record.html",
        title="Record the case consultation",
        booking=booking,
        **on_case(case),
    )


@bp.route("/<reference>/plan/actions/new", methods=["GET", "POST"])
@requires(EDIT)
def add_plan_action(reference: str):
    case = case_or_abort(reference, EDIT)
    form = PlanActionForm()
    prefill(form, None)
    return add_to_case(
        form,
        case,
        consultations.add_plan_action,
        lambda: {
            "description": form.description.data,
            "owner": form.owner.data,
            "review_on": form.review_on.data,
        },
        blocked=lambda: consultations.plan_action_refusal(db.session, case),
        message="Action added to the plan",
        after=case_url(case, "consultation"),
        template="cases/plan_action.html",
        title="Add an action to the plan",
        **on_case(case),
    )


# ---------------------------------------------------------------------------
# Onward referrals and the scenario plan


def _closed_refusal(case: Case) -> Callable[[], str | None]:
    return lambda: closed_refusal(case)


@bp.route("/<reference>/onward-referrals/new", methods=["GET", "POST"])
@requires(EDIT)
def add_onward_referral(reference: str):
    case = case_or_abort(reference, EDIT)
    form = OnwardReferralForm()
    prefill(form, None)
    closing = request.args.get("next") == "close"
    after = (
        url_for("cases.close", reference=case.reference)
        if closing
        else case_url(case, "onward-referrals")
    )
    return add_to_case(
        form,
        case,
        consultations.add_onward_referral,
        lambda: {
            "agency": form.agency.data,
            "agency_name": form.agency_name.data,
            "referred_on": form.referred_on.data,
            "status": form.status.data,
            "note": form.note.data,
        },
        blocked=_closed_refusal(case),
        message="Onward referral added",
        after=after,
        template="cases/onward_referral.html",
        title="Add an onward referral",
        **on_case(case, "onward-referrals"),
    )


@bp.route("/<reference>/onward-referrals/<int:referral_id>", methods=["GET", "POST"])
@requires(EDIT)
def update_onward_referral(reference: str, referral_id: int):
    case = case_or_abort(reference, EDIT)
    referral = consultations.onward_referral(db.session, case, referral_id)
    form = OnwardReferralStatusForm()
    prefill(form, referral.version, status=referral.status)
    return change_case(
        form,
        case,
        consultations.update_onward_referral,
        lambda: {"status": form.status.data},
        referral_id,
        blocked=_closed_refusal(case),
        done=lambda changed: (
            "Onward referral status saved" if changed else "You did not change the status",
            case_url(case, "onward-referrals"),
        ),
        template="cases/onward_referral_status.html",
        title="Change the status of an onward referral",
        referral=referral,
        **on_case(case, "onward-referrals"),
    )


@bp.route("/<reference>/scenario-plan", methods=["GET", "POST"])
@requires(EDIT)
def scenario_plan(reference: str):
    case = case_or_abort(reference, EDIT)
    existing = consultations.scenario_plan(db.session, case)
    form = ScenarioPlanForm()
    prefill(form, seen_token(existing), plan=existing.plan if existing else None)
    return change_case(
        form,
        case,
        consultations.save_scenario_plan,
        lambda: {"plan": form.plan.data},
        blocked=lambda: consultations.scenario_plan_refusal(db.session, case),
        done=lambda _: ("Scenario plan saved", case_url(case, "scenario-plan")),
        template="cases/scenario_plan.html",
        title="Change the scenario plan" if existing else "Write the scenario plan",
        **on_case(case, "scenario-plan"),
    )


# Consent and closure routes register themselves on `bp` too.
from eip.cases import consent_closure_views  # noqa: E402, F401
