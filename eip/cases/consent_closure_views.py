"""Routes for consent (one person's decisions in one form, withdrawing a consent) and for
closing and reopening a case, registered on the cases blueprint by consultation_views."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_login import current_user
from sqlalchemy import select

from eip import steps
from eip.access import requires
from eip.cases import closure_services, consent_services, hooks, outcome_services
from eip.cases.choices import CONSENT_KINDS, label
from eip.cases.consent_state import KINDS, PEOPLE
from eip.cases.consultation_views import EDIT, case_url, on_case, prefill
from eip.cases.models import Case
from eip.cases.records import OnwardReferral
from eip.cases.step_checks import step_refusal
from eip.cases.view_helpers import case_or_abort, change_case
from eip.cases.views import bp
from eip.clock import today
from eip.extensions import db
from forms.pathway_steps import CloseCaseForm, ConsentsForm, ReopenForm, WithdrawConsentForm

# ---------------------------------------------------------------------------
# Consent


PERSON_TITLES = {"client": "the client", "partner": "the partner"}


def _consents_done(case: Case, person: str, recorded: consent_services.Recorded) -> tuple[str, str]:
    """What was saved, purpose by purpose (no names: the flash travels in the cookie)."""
    said = "; ".join(
        f"{label(CONSENT_KINDS, consent.kind).lower()} {consent.state}"
        for consent in recorded.consents
    )
    message = f"Consent decisions of {PERSON_TITLES[person]} recorded: {said}"
    if recorded.intervention_started:
        message += ". Both have consented, so the intervention has started"
    return message, case_url(case, "consent")


@bp.route("/<reference>/consents/<person>", methods=["GET", "POST"])
@requires(EDIT)
def record_consents(reference: str, person: str):
    """One person's consent to every purpose in one form, saved all at once or not at all."""
    case = case_or_abort(reference, EDIT)
    if person not in PEOPLE:
        abort(404)
    form = ConsentsForm()
    states = consent_services.consent_states(db.session, case)
    prefill(form, consent_services.seen_consents(states))
    asked = consent_services.open_kinds(case, states, person)
    values = {
        "person_role": person,
        "decisions": form.decisions(),
        "recorded_on": form.recorded_on.data,
        "obtained_by": form.obtained_by.data,
        "how": form.how.data,
    }
    return change_case(
        form,
        case,
        consent_services.record_consents,
        lambda: values,
        blocked=lambda: None if asked else NOTHING_TO_ASK,
        check=lambda: consent_services.check_consents(db.session, case, **values),
        done=lambda recorded: _consents_done(case, person, recorded),
        template="cases/consent_record.html",
        title=f"Record the consent of {PERSON_TITLES[person]}",
        person=person,
        purposes=[
            {
                "kind": kind,
                "field": form[consent_services.decision_field(kind)],
                "state": states[(person, kind)],
                "asked": kind in asked,
                "reason": consent_services.kind_refusal(case, kind),
            }
            for kind in KINDS
        ],
        **on_case(case, "consent"),
    )


NOTHING_TO_ASK = (
    "Every purpose is either in force (withdraw it from the case page if the person changes "
    "their mind) or not asked at this point of the case"
)


@bp.route("/<reference>/consents/<int:consent_id>/withdraw", methods=["GET", "POST"])
@requires(EDIT)
def withdraw_consent(reference: str, consent_id: int):
    case = case_or_abort(reference, EDIT)
    consent = consent_services.withdrawable(db.session, case, consent_id)
    form = WithdrawConsentForm()
    prefill(form, consent.version)

    def done(withdrawn: consent_services.Withdrawn) -> tuple[str, str]:
        message = "Withdrawal of consent recorded"
        if withdrawn.review_action is not None:
            message += ". An urgent review action has been added"
        if withdrawn.spocs_notified:
            message += ". The borough's SPOC has been sent a notification about the placement"
        elif withdrawn.spocs_notified == 0:
            message += (
                ". The case's borough has no active SPOC to notify: tell the borough about "
                "the placement yourself"
            )
        return message, case_url(case, "consent")

    return change_case(
        form,
        case,
        consent_services.withdraw_consent,
        lambda: {"withdrawn_on": form.withdrawn_on.data, "reason": form.reason.data},
        consent_id,
        blocked=lambda: consent_services.withdrawal_refusal(db.session, case, consent),
        done=done,
        template="cases/consent_withdraw.html",
        title="Withdraw a consent",
        consent=consent,
        kind_label=label(CONSENT_KINDS, consent.kind),
        **on_case(case, "consent"),
    )


# ---------------------------------------------------------------------------
# Closure


@bp.route("/<reference>/close", methods=["GET", "POST"])
@requires(EDIT)
def close(reference: str):
    case = case_or_abort(reference, EDIT)
    form = CloseCaseForm()
    referrals = db.session.scalars(
        select(OnwardReferral)
        .where(OnwardReferral.case_id == case.id)
        .order_by(OnwardReferral.referred_on, OnwardReferral.id)
    ).all()
    # What became of each open action (closure_services.check_actions): the page's radios.
    chosen = {k: v for k, v in request.form.items() if k.startswith("action-")}
    return steps.run_step(
        form,
        blocked=lambda: step_refusal(case, "close") or hooks.closure_refusal(db.session, case),
        check=lambda: closure_services.check_closure(
            db.session, case, action_outcomes=chosen, risk_reason=form.risk_reason.data
        ),
        save=lambda: closure_services.close_case(
            db.session,
            current_user,
            case,
            outcome=form.outcome.data,
            risk_level=form.risk_level.data,
            living_arrangements=form.living_arrangements.data,
            childrens_services_status=form.childrens_services_status.data,
            police_callouts=form.callouts(),
            reason=form.reason.data,
            action_outcomes=chosen,
            risk_reason=form.risk_reason.data,
            sensitive_notes=bool(form.sensitive_notes.data),
        ),
        done=lambda _: ("Case closed", case_url(case, "closure")),
        template="cases/case_close.html",
        title="Close the case",
        referrals=referrals,
        late=lambda: _closure_late(case),
        chosen=chosen,
        action_field=closure_services.action_field,
        action_outcomes=closure_services.ACTION_OUTCOMES,
        add_referral=url_for("cases.add_onward_referral", reference=case.reference, next="close"),
        **on_case(case, "closure"),
    )


def _closure_late(case) -> dict:
    """What the closure page reads once the step may go ahead: the open actions, and why
    a risk reason is needed (None: the field is not shown)."""
    actions = closure_services.open_actions(db.session, case)
    return {
        "open_actions": actions,
        "risk_why": closure_services.risk_reason_needed(db.session, case, actions),
        "asks_sensitive_notes": closure_services.has_sensitive_notes(db.session, case),
        "exit_measures_missing": outcome_services.exit_missing(db.session, case),
        "today": today(),
    }


@bp.route("/<reference>/reopen", methods=["GET", "POST"])
@requires("case.reopen")
def reopen(reference: str):
    case = case_or_abort(reference, "case.reopen")
    form = ReopenForm()
    return steps.run_step(
        form,
        blocked=lambda: step_refusal(case, "reopen"),
        save=lambda: closure_services.reopen_case(
            db.session, current_user, case, reason=form.reason.data
        ),
        done=lambda _: ("Case reopened", case_url(case, "closure")),
        template="cases/case_reopen.html",
        title="Reopen the case",
        **on_case(case, "closure"),
    )
