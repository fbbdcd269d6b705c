"""Referral routes on the cases blueprint: record a referral (with the possible-duplicates
step), acknowledge it, the managers' late-referral decision, change it, and the
partner's page. Each view reads a form, calls one service, and renders or redirects.

Flash messages travel in the session cookie: they carry the case reference and
dates, never a name.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from eip import steps
from eip.access import requires
from eip.auth.models import User
from eip.cases import choices, referral_edit, referral_services, referral_steps
from eip.cases.referral_edit import current_details
from eip.cases.referral_rules import age_on, ethnicity_label
from eip.cases.referral_services import NEW_PERSON, PossibleDuplicates
from eip.cases.referral_text import acknowledgement_text
from eip.cases.rules import CLOSED_STATES, allowed_actions
from eip.cases.view_helpers import case_or_abort
from eip.cases.views import bp
from eip.clock import today
from eip.extensions import db
from eip.formatting import long_date
from eip.models import Borough
from eip.roles import Role
from eip.workdays import london_date
from forms.fields import choices as select_choices
from forms.referral import AcknowledgeForm, EditReferralForm, LateDecisionForm, NewReferralForm

# Fields that are not part of the referral itself, left out when it is re-posted hidden.
NOT_REPOSTED = {"csrf_token", "submit", "client_person", "partner_person", "duplicates_shown"}


def _practitioners() -> list[tuple[int, str]]:
    users = db.session.scalars(
        select(User)
        .where(User.role == Role.PRACTITIONER.value, User.active.is_(True))
        .order_by(User.name)
    )
    return [(u.id, u.name) for u in users]


def _active_boroughs() -> list[tuple[int, str]]:
    boroughs = db.session.scalars(
        select(Borough).where(Borough.active.is_(True)).order_by(Borough.name)
    )
    return [(b.id, b.name) for b in boroughs]


def _case_url(reference: str, anchor: str = "referral") -> str:
    return url_for("cases.view", reference=reference, _anchor=anchor)


# ---------------------------------------------------------------------------
# Record a referral


@bp.route("/new", methods=["GET", "POST"])
@requires("case.create")
def new_referral():
    form = NewReferralForm()
    form.set_boroughs(_active_boroughs())
    form.set_practitioners(_practitioners())
    if request.method == "GET":
        form.practitioner.data = current_user.id
        return _referral_page(form)
    if request.form.get("change"):
        # Back from the possible-duplicates step: the whole form, as it was typed.
        return _referral_page(form)
    if not form.validate_on_submit():
        return _referral_page(form, 400)
    try:
        saved, recorded, status = steps.save_form(
            form,
            lambda: referral_services.record_referral(
                db.session,
                current_user,
                form.details(),
                client_choice=form.client_person.data,
                partner_choice=form.partner_person.data,
            ),
        )
    except PossibleDuplicates as duplicates:
        # Not a refusal but a question: the duplicates step asks it.
        return _duplicates_page(form, duplicates)
    if not saved:
        if form.client_person.errors or form.partner_person.errors:
            return _duplicates_page(form, None, status)
        return _referral_page(form, status)
    message = (
        f"Referral {recorded.reference} recorded. "
        f"Acknowledge it by {recorded.acknowledge_by:%A} {long_date(recorded.acknowledge_by)}."
    )
    if recorded.late:
        message += (
            " It was received outside the referral window, so it waits for the agreement "
            "of Cranstoun, Respect/SafeLives and Camden."
        )
    flash(message, "success")
    return redirect(url_for("cases.view", reference=recorded.reference))


def _referral_page(form: NewReferralForm, status: int = 200):
    return render_template("cases/referral_new.html", form=form, title="Record a referral"), status


def _duplicates_page(
    form: NewReferralForm, duplicates: PossibleDuplicates | None, status: int = 200
):
    """Ask, for each person who may already be on record, whether this is them (`status`
    400: a choice made there was refused, its reason already on the form)."""
    db.session.rollback()
    found = (
        duplicates.duplicates
        if duplicates is not None
        else referral_services.find_duplicates(db.session, form.details())
    )
    for who in ("client", "partner"):
        field = form[f"{who}_person"]
        matches = found.of(who)
        field.choices = _person_choices(matches)
        field.label.text = f"Is this the {who} already on record?"
        missing = duplicates is not None and who in duplicates.missing
        if missing and form.duplicates_shown.data:
            field.errors = [f"Select whether this is the same {who} or a different person"]
            status = 400
    form.duplicates_shown.data = "1"
    return render_template(
        "cases/referral_duplicates.html",
        form=form,
        duplicates=found,
        not_reposted=NOT_REPOSTED,
        title="Check whether these people are already on record",
    ), status


def _person_choices(matches) -> list:
    pairs = [
        (
            str(match.person_id),
            "Yes, the same person as on "
            + (", ".join(match.references) if match.references else "an earlier record"),
        )
        for match in matches
    ]
    pairs.append((NEW_PERSON, "No, a different person: make a new record"))
    return select_choices(pairs)


# ---------------------------------------------------------------------------
# Acknowledge


@bp.route("/<reference>/acknowledge", methods=["GET", "POST"])
@requires("case.edit")
def acknowledge(reference: str):
    case = case_or_abort(reference, "case.edit")
    form = AcknowledgeForm()
    status = 200
    if request.method == "POST" and not steps.validate(
        form, lambda: referral_steps.check_acknowledged_at(case, form.acknowledged_at())
    ):
        status = 400
    elif request.method == "POST":
        saved, _result, status = steps.save_form(
            form,
            lambda: referral_steps.acknowledge(
                db.session,
                current_user,
                case,
                acknowledged_at=form.acknowledged_at(),
                method=form.method.data,
            ),
        )
        if saved:
            return steps.after_save(
                f"Acknowledgement of {reference} recorded.", _case_url(reference)
            )
    practitioner = case.allocated_practitioner or current_user
    text = acknowledgement_text(
        reference=case.reference,
        received_on=london_date(case.received_at) if case.received_at else None,
        referrer_name=case.referrer_name,
        practitioner_name=practitioner.name,
        practitioner_email=practitioner.email,
        late=case.late_referral,
    )
    return render_template(
        "cases/referral_acknowledge.html",
        case=case,
        form=form,
        text=text,
        due=referral_services.acknowledgement_due(db.session, case),
        may_acknowledge=case.acknowledged_at is None
        and "acknowledge" in allowed_actions(case.status),
        method_label=choices.label(choices.CONTACT_METHOD, case.acknowledgement_method),
        title=f"Acknowledge referral {case.reference}",
    ), status


# ---------------------------------------------------------------------------
# The late-referral decision (managers)


@bp.route("/<reference>/late-referral", methods=["GET", "POST"])
@requires("case.late_decision")
def late_referral(reference: str):
    case = case_or_abort(reference, "case.late_decision")
    form = LateDecisionForm()
    status = 200
    if request.method == "POST" and not steps.validate(
        form, lambda: referral_steps.check_decided_on(case, form.decided_on.data)
    ):
        status = 400
    elif request.method == "POST":

        def decide() -> str:
            if form.decision.data == "agreed":
                referral_steps.record_late_agreement(
                    db.session,
                    current_user,
                    case,
                    decided_on=form.decided_on.data,
                    cranstoun_agreed_by=form.cranstoun_agreed_by.data,
                    respect_agreed_by=form.respect_agreed_by.data,
                    camden_agreed_by=form.camden_agreed_by.data,
                    support_confirmed=bool(form.support_confirmed.data),
                    note=form.note.data,
                )
                return f"The late referral {reference} was agreed."
            referral_steps.refuse_late_referral(
                db.session,
                current_user,
                case,
                decided_on=form.decided_on.data,
                note=form.note.data,
            )
            return f"The late referral {reference} was refused and the case closed."

        saved, done, status = steps.save_form(form, decide)
        if saved:
            return steps.after_save(done, _case_url(reference))
    decisions = referral_steps.late_decisions(db.session, case)
    return render_template(
        "cases/referral_late.html",
        case=case,
        form=form,
        decision=decisions[0] if decisions else None,
        waiting=case.status == "awaiting_late_agreement" and not decisions,
        programme_end=referral_steps.programme_end(db.session),
        title=f"Late referral {case.reference}",
    ), status


# ---------------------------------------------------------------------------
# Change the referral


@bp.route("/<reference>/referral", methods=["GET", "POST"])
@requires("case.edit")
def edit_referral(reference: str):
    from eip.privacy.guard import anonymised_reason  # as view_helpers: no import cycle

    case = case_or_abort(reference, "case.edit")
    # An erasure may be granted while the case is open: its placeholders are not for editing.
    anonymised = anonymised_reason(case)
    form = EditReferralForm()
    form.set_practitioners(_practitioners())
    status = 200
    if request.method == "GET":
        form.fill(current_details(case))
        form.version.data = case.referral_version
    elif anonymised or not form.validate_on_submit():
        status = 400
    else:
        saved, changed, status = steps.save_form(
            form,
            lambda: referral_edit.update_referral(
                db.session, current_user, case, version=form.version.data, details=form.details()
            ),
        )
        if saved and changed:
            return steps.after_save(f"Changes to referral {reference} saved.", _case_url(reference))
        if saved:
            flash("Nothing was changed.", "info")
            # The top of the page, where the banner is (as steps.after_save), not #referral.
            return redirect(url_for("cases.view", reference=reference))
    return render_template(
        "cases/referral_edit.html",
        case=case,
        form=form,
        editable=case.status not in CLOSED_STATES and not anonymised,
        anonymised=anonymised,
        title=f"Change referral {case.reference}",
    ), status


# ---------------------------------------------------------------------------
# The partner's details: their own page, every view audited


@bp.get("/<reference>/partner")
@requires("case.partner")
def partner(reference: str):
    case = case_or_abort(reference, "case.partner")
    referral_steps.view_partner(db.session, current_user, case)
    return render_template(
        "cases/partner.html",
        case=case,
        relationship=choices.label(choices.RELATIONSHIP_TO_CLIENT, case.partner_relationship),
        living_together=choices.label(choices.LIVING_TOGETHER, case.living_together),
        title=f"Partner's details, case {case.reference}",
    )


# ---------------------------------------------------------------------------
# Label lookups the referral panel and the partner page use (they read no data)


@bp.context_processor
def _referral_panel_helpers():
    return {
        "referral_label": _label,
        "referral_age": _age,
    }


def _label(list_name: str, value: str | None) -> str:
    if list_name == "ETHNICITY":
        return ethnicity_label(value) or "Not recorded"
    return choices.label(choices.ALL[list_name], value) or "Not recorded"


def _age(born) -> int | None:
    return age_on(born, today()) if born else None
