"""Administration pages: users and boroughs (admin), approvals and programme settings
(managers). Each view reads a form, calls one service and renders or redirects;
the services own the rules, the audit events and the commit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from eip import steps
from eip.access import check, refuse, requires
from eip.admin import approval_services, borough_services, rules, settings_services, user_accounts
from eip.cases import choices, due_store
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


def _status() -> int:
    return 400 if request.method == "POST" else 200


def _save(form, action):
    """POST: the form's checks, then the one service call (eip/steps.save_form); a refusal
    goes on the form. NotFound and NotAllowed are the app's (eip/errors.py)."""
    if not form.validate_on_submit():
        return False, None, _status()
    return steps.save_form(form, action)


# ---------------------------------------------------------------------------
# Users


@bp.get("/users")
@requires("admin.users")
def users():
    form = UserFilterForm(request.args)
    rows = user_accounts.list_users(
        db.session, role=form.role.data or "", status=form.status.data or ""
    )
    return render_template("admin/users.html", form=form, rows=rows, title="Users")


def _user_form(form_class, **kwargs):
    form = form_class(**kwargs)
    form.set_borough_choices(user_accounts.borough_choices(db.session))
    return form


@bp.route("/users/invite", methods=["GET", "POST"])
@requires("admin.users")
def user_invite():
    form = _user_form(InviteUserForm)
    saved, outcome, status = _save(
        form,
        lambda: user_accounts.invite_user(
            db.session,
            current_user,
            name=form.name.data,
            email=form.email.data,
            role=form.role.data,
            borough_id=form.borough.data,
        ),
    )
    if saved:
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
    return render_template("admin/user_form.html", form=form, title="Invite a user"), status


def _user_page(user_id: int, problems=(), status: int = 200):
    row = user_accounts.user_row(db.session, user_id)
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
    row = user_accounts.user_row(db.session, user_id)
    form, status = _user_form(EditUserForm), 200
    if request.method == "GET":
        pending_role, pending_email = row.pending_role, row.pending_email
        form.name.data = row.user.name
        form.email.data = pending_email.requested_email if pending_email else row.user.email
        form.role.data = pending_role.requested_role if pending_role else row.user.role
        form.borough.data = (
            pending_role.requested_borough_id if pending_role else row.user.borough_id
        )
    else:
        saved, outcome, status = _save(
            form,
            lambda: user_accounts.update_user(
                db.session,
                current_user,
                user_id,
                name=form.name.data,
                email=form.email.data,
                role=form.role.data,
                borough_id=form.borough.data,
            ),
        )
        if saved:
            flash(_update_message(outcome), "success" if outcome.changed else "info")
            return redirect(url_for("admin.user", user_id=user_id))
    return render_template(
        "admin/user_form.html", form=form, row=row, title="Change details"
    ), status


def _update_message(outcome: user_accounts.UpdateOutcome) -> str:
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
    """The account actions are buttons on the user's page, each its own small POST form:
    a refusal shows the page again with the reason."""
    done_, mail_sent, status = steps.attempt(lambda: service(db.session, current_user, user_id))
    if not done_:
        return _user_page(user_id, [mail_sent.message], status)
    if mail_sent is False:
        flash(MAIL_FAILED[0].upper() + MAIL_FAILED[1:], "info")
    else:
        flash(done, "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>/disable", methods=["GET", "POST"])
@requires("admin.users")
def user_disable(user_id: int):
    """GET: the confirmation (how many open cases the account holds, never which: the admin
    sees no case content, DOMAIN.md); POST: disable it."""
    if request.method == "POST":
        return _act(
            user_accounts.disable_user, user_id, "The account is disabled and its sessions ended."
        )
    row = user_accounts.user_row(db.session, user_id)
    if not row.user.active or row.user.id == current_user.id:
        return redirect(url_for("admin.user", user_id=user_id))
    return render_template(
        "admin/user_disable.html",
        row=row,
        open_cases=user_accounts.open_cases_held(db.session, row.user),
        title=f"Disable {row.user.name}'s account?",
    )


@bp.post("/users/<int:user_id>/enable")
@requires("admin.users")
def user_enable(user_id: int):
    done, enabled, status = steps.attempt(
        lambda: user_accounts.enable_user(db.session, current_user, user_id)
    )
    if not done:
        return _user_page(user_id, [enabled.message], status)
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
    return _act(user_accounts.reset_two_factor, user_id, done)


@bp.post("/users/<int:user_id>/send-two-factor-code")
@requires("admin.users")
def user_send_two_factor_code(user_id: int):
    done = "A two-factor set-up code was sent to their email address."
    return _act(user_accounts.send_two_factor_code, user_id, done)


@bp.post("/users/<int:user_id>/unlock")
@requires("admin.users")
def user_unlock(user_id: int):
    return _act(user_accounts.unlock_sign_in, user_id, "Sign-in is unlocked.")


@bp.post("/users/<int:user_id>/send-invitation")
@requires("admin.users")
def user_send_invitation(user_id: int):
    done = "A new invitation was sent to their email address."
    return _act(user_accounts.resend_invitation, user_id, done)


@bp.post("/users/<int:user_id>/send-password-reset")
@requires("admin.users")
def user_send_reset(user_id: int):
    done = "A password reset link was sent to their email address."
    return _act(user_accounts.send_password_reset, user_id, done)


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
    form = NewBoroughForm()
    saved, borough, status = _save(
        form,
        lambda: borough_services.add_borough(
            db.session, current_user, name=form.name.data, active=form.active.data
        ),
    )
    if saved:
        flash(f"{borough.name} was added.", "success")
        return redirect(url_for("admin.boroughs"))
    return render_template("admin/borough_new.html", form=form, title="Add a borough"), status


@bp.route("/boroughs/<int:borough_id>", methods=["GET", "POST"])
@requires("admin.boroughs")
def borough(borough_id: int):
    row = borough_services.borough_row(db.session, borough_id)
    form, status = RenameBoroughForm(), 200
    if request.method == "GET":
        form.name.data = row.borough.name
    else:
        saved, renamed, status = _save(
            form,
            lambda: borough_services.rename_borough(
                db.session, current_user, borough_id, name=form.name.data
            ),
        )
        if saved:
            flash("The name was saved." if renamed else "You did not change the name.", "success")
            return redirect(url_for("admin.boroughs"))
    return render_template("admin/borough.html", form=form, row=row, title=row.borough.name), status


@bp.post("/boroughs/<int:borough_id>/taking-part")
@requires("admin.boroughs")
def borough_set_active(borough_id: int):
    active = request.form.get("active") == "yes"
    done, refusal, _status = steps.attempt(
        lambda: borough_services.set_borough_active(
            db.session, current_user, borough_id, active=active
        )
    )
    if not done:
        flash(refusal.message, "info")
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
    form, status = DecisionForm(), 200
    if request.method == "POST":
        check("approvals.decide", req)
        if not may_decide:
            refuse("approvals.decide", req)
        approve = form.decision.data == "approve"
        saved, mail_sent, status = _save(
            form,
            lambda: approval_services.decide(
                db.session, current_user, approval_id, approve=approve, note=form.note.data
            ),
        )
        if saved:
            flash("Approved: the change has taken effect." if approve else "Rejected.", "success")
            if not mail_sent:
                flash(f"The change was made, but {MAIL_FAILED}", "info")
            return redirect(url_for("admin.approvals"))
        req = approval_services.approval(db.session, approval_id)
    return render_template(
        "admin/approval.html",
        req=req,
        form=form,
        may_decide=may_decide,
        title="Review a change",
    ), status


# ---------------------------------------------------------------------------
# Programme settings (managers)


def _recalculating(session) -> str:
    """After a save that left every case's due dates to the scheduler, say so."""
    progress = due_store.progress(session)
    if progress is None:
        return ""
    return f" Due dates on the home pages are being recalculated for {progress.total:,} cases."


@bp.get("/settings")
@requires("settings.view")
def settings():
    values, _version, row = settings_services.current(db.session)
    days = settings_services.non_working_days(db.session)
    kinds = rules.split_kinds(values["escalation_kinds"])
    return render_template(
        "admin/settings.html",
        due_refresh=due_store.progress(db.session),
        values=values,
        row=row,
        days=days,
        escalation_kinds=", ".join(choices.label(choices.INCIDENT_SOURCE, k) for k in kinds),
        retention_settings=rules.RETENTION_SETTINGS,
        retention_basis=rules.RETENTION_BASIS,
        title="Programme settings",
    )


@bp.route("/settings/change", methods=["GET", "POST"])
@requires("settings.edit")
def settings_edit():
    form, status = SettingsForm(), 200
    if request.method == "GET":
        values, version, _row = settings_services.current(db.session)
        form.fill(values, version)
    else:
        saved, changes, status = _save(
            form,
            lambda: settings_services.update_settings(
                db.session, current_user, form.values(), version=form.version.data or None
            ),
        )
        if saved:
            if changes:
                count = f"{len(changes)} setting{'' if len(changes) == 1 else 's'}"
                flash(f"Saved: {count} changed.{_recalculating(db.session)}", "success")
            else:
                flash("You did not change any settings, so nothing was saved.", "info")
            return redirect(url_for("admin.settings"))
    return render_template(
        "admin/settings_form.html",
        form=form,
        retention_settings=rules.RETENTION_SETTINGS,
        title="Change programme settings",
    ), status


@bp.route("/settings/non-working-days/new", methods=["GET", "POST"])
@requires("settings.edit")
def settings_add_day():
    form = NonWorkingDayForm()
    saved, _day, status = _save(
        form,
        lambda: settings_services.add_non_working_day(
            db.session, current_user, day=form.day.data, reason=form.reason.data
        ),
    )
    if saved:
        return steps.after_save(
            "The non-working day was added." + _recalculating(db.session),
            url_for("admin.settings", _anchor="non-working-days"),
        )
    return render_template(
        "admin/non_working_day.html", form=form, title="Add a non-working day"
    ), status


@bp.post("/settings/non-working-days/<int:day_id>/remove")
@requires("settings.edit")
def settings_remove_day(day_id: int):
    settings_services.remove_non_working_day(db.session, current_user, day_id)
    return steps.after_save(
        "The non-working day was removed." + _recalculating(db.session),
        url_for("admin.settings", _anchor="non-working-days"),
    )
