"""Administration pages: users and boroughs (admin), approvals and programme settings
(managers). Each view reads a form, calls one service and renders or redirects;
the services own the rules, the audit events and the commit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from eip.access import check, refuse, requires
from eip.admin import approval_services, borough_services, rules, services, settings_services
from eip.domain import Conflict, NotAllowed, NotFound, RuleBroken
from eip.errors import render_error
from eip.extensions import db
from eip.roles import ROLE_LABELS
from forms.admin import (
    DecisionForm,
    EditUserForm,
    InviteUserForm,
    NewBoroughForm,
    NonWorkingDayForm,
    RenameBoroughForm,
    SettingsForm,
    UserFilterForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")

MAIL_FAILED = "the email could not be sent: try again later, or tell the service's support team."


@bp.context_processor
def _labels():
    return {"role_labels": ROLE_LABELS, "whole_numbers": rules.WHOLE_NUMBER_BY_NAME}


@bp.errorhandler(NotFound)
def _not_found(_exc):
    return render_error(404)


@bp.errorhandler(NotAllowed)
def _not_allowed(_exc):
    return render_error(403)


def _attach(form, broken: RuleBroken) -> list[str]:
    """Put each message beside its field; return those with no field for the summary."""
    loose = []
    for name, message in broken.errors.items() or [(None, broken.message)]:
        if name and name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            loose.append(message)
    return loose


def _status() -> int:
    return 400 if request.method == "POST" else 200


# ---------------------------------------------------------------------------
# Users


@bp.get("/users")
@requires("admin.users")
def users():
    form = UserFilterForm(request.args)
    rows = services.list_users(db.session, role=form.role.data or "", status=form.status.data or "")
    return render_template("admin/users.html", form=form, rows=rows, title="Users")


def _user_form(form_class, **kwargs):
    form = form_class(**kwargs)
    form.set_borough_choices(services.borough_choices(db.session))
    return form


@bp.route("/users/invite", methods=["GET", "POST"])
@requires("admin.users")
def user_invite():
    form, problems = _user_form(InviteUserForm), []
    if form.validate_on_submit():
        try:
            outcome = services.invite_user(
                db.session,
                current_user,
                name=form.name.data,
                email=form.email.data,
                role=form.role.data,
                borough_id=form.borough.data,
            )
        except RuleBroken as broken:
            problems = _attach(form, broken)
        else:
            # Flash messages travel in the session cookie: no name or address in them.
            waits = " Their role takes effect when a programme manager approves it."
            waits = waits if outcome.approval_needed else ""
            if outcome.mail_sent:
                flash("The invitation was sent." + waits, "success")
            else:
                flash(
                    "The account was created, but the invitation email could not be sent. "
                    "Use “Send the invitation again” later." + waits,
                    "info",
                )
            return redirect(url_for("admin.user", user_id=outcome.user_id))
    return render_template(
        "admin/user_form.html", form=form, problems=problems, title="Invite a user"
    ), _status()


def _user_page(user_id: int, problems=(), status: int = 200):
    row = services.user_row(db.session, user_id)
    return render_template(
        "admin/user.html", row=row, problems=list(problems), title=row.user.name
    ), status


@bp.get("/users/<int:user_id>")
@requires("admin.users")
def user(user_id: int):
    return _user_page(user_id)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@requires("admin.users")
def user_edit(user_id: int):
    row = services.user_row(db.session, user_id)
    form, problems = _user_form(EditUserForm), []
    if request.method == "GET":
        pending_role, pending_email = row.pending_role, row.pending_email
        form.name.data = row.user.name
        form.email.data = pending_email.requested_email if pending_email else row.user.email
        form.role.data = pending_role.requested_role if pending_role else row.user.role
        form.borough.data = (
            pending_role.requested_borough_id if pending_role else row.user.borough_id
        )
    elif form.validate_on_submit():
        try:
            outcome = services.update_user(
                db.session,
                current_user,
                user_id,
                name=form.name.data,
                email=form.email.data,
                role=form.role.data,
                borough_id=form.borough.data,
            )
        except RuleBroken as broken:
            problems = _attach(form, broken)
        else:
            flash(_update_message(outcome), "success" if outcome.changed else "info")
            return redirect(url_for("admin.user", user_id=user_id))
    return render_template(
        "admin/user_form.html", form=form, row=row, problems=problems, title="Change details"
    ), _status()


def _update_message(outcome: services.UpdateOutcome) -> str:
    if not outcome.changed:
        return "You did not change anything."
    parts = []
    if outcome.applied:
        parts.append("Saved.")
    if outcome.requested:
        what = " and ".join("role" if f == "role" else "email address" for f in outcome.requested)
        parts.append(f"The new {what} will take effect when a programme manager approves it.")
    if outcome.withdrawn:
        parts.append("The change waiting for approval was withdrawn.")
    return " ".join(parts)


def _act(service, user_id: int, done: str):
    """The account actions are buttons on the user's page, each its own small POST form."""
    try:
        mail_sent = service(db.session, current_user, user_id)
    except RuleBroken as broken:
        return _user_page(user_id, [broken.message], 400)
    if mail_sent is False:
        flash(MAIL_FAILED[0].upper() + MAIL_FAILED[1:], "info")
    else:
        flash(done, "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/disable")
@requires("admin.users")
def user_disable(user_id: int):
    return _act(services.disable_user, user_id, "The account is disabled and its sessions ended.")


@bp.post("/users/<int:user_id>/enable")
@requires("admin.users")
def user_enable(user_id: int):
    try:
        enabled = services.enable_user(db.session, current_user, user_id)
    except RuleBroken as broken:
        return _user_page(user_id, [broken.message], 400)
    if enabled:
        flash("The account is enabled.", "success")
    else:
        flash(
            "The account will be enabled when a programme manager approves it: it has a role "
            "that sees personal data, or the evaluator role.",
            "success",
        )
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/reset-two-factor")
@requires("admin.users")
def user_reset_two_factor(user_id: int):
    done = (
        "Two-factor sign-in is reset. They were emailed a set-up code to use when they next "
        "sign in."
    )
    return _act(services.reset_two_factor, user_id, done)


@bp.post("/users/<int:user_id>/send-two-factor-code")
@requires("admin.users")
def user_send_two_factor_code(user_id: int):
    done = "A two-factor set-up code was sent to their email address."
    return _act(services.send_two_factor_code, user_id, done)


@bp.post("/users/<int:user_id>/unlock")
@requires("admin.users")
def user_unlock(user_id: int):
    return _act(services.unlock_sign_in, user_id, "Sign-in is unlocked.")


@bp.post("/users/<int:user_id>/send-invitation")
@requires("admin.users")
def user_send_invitation(user_id: int):
    done = "A new invitation was sent to their email address."
    return _act(services.resend_invitation, user_id, done)


@bp.post("/users/<int:user_id>/send-password-reset")
@requires("admin.users")
def user_send_reset(user_id: int):
    done = "A password reset link was sent to their email address."
    return _act(services.send_password_reset, user_id, done)


# ---------------------------------------------------------------------------
# Boroughs


@bp.get("/boroughs")
@requires("admin.boroughs")
def boroughs():
    rows = borough_services.list_boroughs(db.session)
    return render_template("admin/boroughs.html", rows=rows, title="Boroughs")


@bp.route("/boroughs/new", methods=["GET", "POST"])
@requires("admin.boroughs")
def borough_add():
    form, problems = NewBoroughForm(), []
    if form.validate_on_submit():
        try:
            borough = borough_services.add_borough(
                db.session, current_user, name=form.name.data, active=form.active.data
            )
        except RuleBroken as broken:
            problems = _attach(form, broken)
        else:
            flash(f"{borough.name} was added.", "success")
            return redirect(url_for("admin.boroughs"))
    return render_template(
        "admin/borough_new.html", form=form, problems=problems, title="Add a borough"
    ), _status()


@bp.route("/boroughs/<int:borough_id>", methods=["GET", "POST"])
@requires("admin.boroughs")
def borough(borough_id: int):
    row = borough_services.borough_row(db.session, borough_id)
    form, problems = RenameBoroughForm(), []
    if request.method == "GET":
        form.name.data = row.borough.name
    elif form.validate_on_submit():
        try:
            renamed = borough_services.rename_borough(
                db.session, current_user, borough_id, name=form.name.data
            )
        except RuleBroken as broken:
            problems = _attach(form, broken)
        else:
            flash("The name was saved." if renamed else "You did not change the name.", "success")
            return redirect(url_for("admin.boroughs"))
    return render_template(
        "admin/borough.html", form=form, row=row, problems=problems, title=row.borough.name
    ), _status()


@bp.post("/boroughs/<int:borough_id>/taking-part")
@requires("admin.boroughs")
def borough_set_active(borough_id: int):
    active = request.form.get("active") == "yes"
    try:
        borough_services.set_borough_active(db.session, current_user, borough_id, active=active)
    except RuleBroken as broken:
        flash(broken.message, "info")
    else:
        done = "is now taking part" if active else "no longer takes part"
        flash(f"The borough {done}.", "success")
    return redirect(url_for("admin.borough", borough_id=borough_id))


# ---------------------------------------------------------------------------
# Approvals (managers)


@bp.get("/approvals")
@requires("approvals.view")
def approvals():
    pending, decided = approval_services.approvals(db.session)
    return render_template(
        "admin/approvals.html", pending=pending, decided=decided, title="Approvals"
    )


@bp.route("/approvals/<int:approval_id>", methods=["GET", "POST"])
@requires("approvals.view")
def approval(approval_id: int):
    req = approval_services.approval(db.session, approval_id)
    may_decide = approval_services.may_decide(current_user, req)
    form, problems, status = DecisionForm(), [], 200
    if request.method == "POST":
        check("approvals.decide", req)
        if not may_decide:
            refuse("approvals.decide", req)
        status = 400
        if form.validate_on_submit():
            approve = form.decision.data == "approve"
            try:
                mail_sent = approval_services.decide(
                    db.session, current_user, approval_id, approve=approve, note=form.note.data
                )
            except RuleBroken as broken:
                problems = _attach(form, broken)
            except Conflict as conflict:
                problems, status = [conflict.message], 409
            else:
                done = "Approved: the change has taken effect." if approve else "Rejected."
                flash(done, "success")
                if not mail_sent:
                    flash(f"The change was made, but {MAIL_FAILED}", "info")
                return redirect(url_for("admin.approvals"))
        req = approval_services.approval(db.session, approval_id)
    return render_template(
        "admin/approval.html",
        req=req,
        form=form,
        may_decide=may_decide,
        problems=problems,
        title="Review a change",
    ), status


# ---------------------------------------------------------------------------
# Programme settings (managers)


@bp.get("/settings")
@requires("settings.view")
def settings():
    values, _version, row = settings_services.current(db.session)
    days = settings_services.non_working_days(db.session)
    return render_template(
        "admin/settings.html", values=values, row=row, days=days, title="Programme settings"
    )


@bp.route("/settings/change", methods=["GET", "POST"])
@requires("settings.edit")
def settings_edit():
    form, problems, status = SettingsForm(), [], _status()
    if request.method == "GET":
        values, version, _row = settings_services.current(db.session)
        form.fill(values, version)
    elif form.validate_on_submit():
        try:
            changes = settings_services.update_settings(
                db.session, current_user, form.values(), version=form.version.data or None
            )
        except RuleBroken as broken:
            problems = _attach(form, broken)
        except Conflict as conflict:
            values, version, _row = settings_services.current(db.session)
            form = SettingsForm(formdata=None)
            form.fill(values, version)
            problems, status = [conflict.message], 409
        else:
            if changes:
                count = f"{len(changes)} setting{'' if len(changes) == 1 else 's'}"
                flash(f"Saved: {count} changed.", "success")
            else:
                flash("You did not change any settings, so nothing was saved.", "info")
            return redirect(url_for("admin.settings"))
    return render_template(
        "admin/settings_form.html", form=form, problems=problems, title="Change programme settings"
    ), status


@bp.route("/settings/non-working-days/new", methods=["GET", "POST"])
@requires("settings.edit")
def settings_add_day():
    form, problems = NonWorkingDayForm(), []
    if form.validate_on_submit():
        try:
            settings_services.add_non_working_day(
                db.session, current_user, day=form.day.data, reason=form.reason.data
            )
        except RuleBroken as broken:
            problems = _attach(form, broken)
        else:
            flash("The non-working day was added.", "success")
            return redirect(url_for("admin.settings", _anchor="non-working-days"))
    return render_template(
        "admin/non_working_day.html", form=form, problems=problems, title="Add a non-working day"
    ), _status()


@bp.post("/settings/non-working-days/<int:day_id>/remove")
@requires("settings.edit")
def settings_remove_day(day_id: int):
    settings_services.remove_non_working_day(db.session, current_user, day_id)
    flash("The non-working day was removed.", "success")
    return redirect(url_for("admin.settings", _anchor="non-working-days"))
