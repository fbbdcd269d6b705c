"""Routes for consent (recording a decision, withdrawing a consent) and for closing and
reopening a case, registered on the cases blueprint by consultation_views."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user
from sqlalchemy import select

from eip import steps
from eip.access import requires
from eip.cases import closure_services, consent_services, hooks
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
from forms.pathway_steps import CloseCaseForm, ConsentForm, ReopenForm, WithdrawConsentForm

# ---------------------------------------------------------------------------
# Consent


def _consent_done(case: Case, recorded: consent_services.Recorded) -> tuple[str, str]:
    message = "Consent recorded"
    if recorded.intervention_started:
        message = "Consent recorded. Both have consented, so the intervention has started"
    return message, case_url(case, "consent")


@bp.route("/<reference>/consents/new", methods=["GET", "POST"])
@requires(EDIT)
def record_consent(reference: str):
    case = case_or_abort(reference, EDIT)
    form = ConsentForm()
    # The consent table's links say whose consent and for what.
    person = request.args.get("person")
    kind = request.args.get("kind")
    prefill(
        form,
        consent_services.seen_consents(consent_services.consent_states(db.session, case)),
        person_role=person if person in PEOPLE else None,
        kind=kind if kind in KINDS else None,
    )
    return change_case(
        form,
        case,
        consent_services.record_consent,
        lambda: {
            "person_role": form.person_role.data,
            "kind": form.kind.data,
            "state": form.state.data,
            "recorded_on": form.recorded_on.data,
            "obtained_by": form.obtained_by.data,
            "how": form.how.data,
        },
        blocked=lambda: None,
        done=lambda recorded: _consent_done(case, recorded),
        template="cases/consent_record.html",
        title="Record a consent decision",
        suitable=case.status in consent_services.SUITABLE_STATES,
        **on_case(case, "consent"),
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
        check=lambda: closure_services.check_closure(db.session, case, action_outcomes=chosen),
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
        ),
        done=lambda _: ("Case closed", case_url(case, "closure")),
        template="cases/case_close.html",
        title="Close the case",
        referrals=referrals,
        late=lambda: {
            "open_actions": closure_services.open_actions(db.session, case),
            "today": today(),
        },
        chosen=chosen,
        action_field=closure_services.action_field,
        action_outcomes=closure_services.ACTION_OUTCOMES,
        add_referral=url_for("cases.add_onward_referral", reference=case.reference, next="close"),
        **on_case(case, "closure"),
    )


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
