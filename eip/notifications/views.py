"""The notification centre, its header count and the e-mail preference.

Every signed-in user has their own notifications (rule `account.own`); another user's
notification is simply not found (404), so ids reveal nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from eip import paging, steps
from eip.access import requires
from eip.extensions import db
from eip.notifications import centre as notifications
from eip.notifications.centre import EMAIL_PREFERENCES
from forms.notifications import EmailPreferenceForm

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def _now() -> datetime:
    return datetime.now(UTC)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


@bp.get("")
@requires("account.own")
def index():
    try:
        new_at = paging.position_from(request.args)
        earlier_at = paging.position_from(request.args, prefix="earlier_")
    except paging.BadCursor:
        abort(400, "The link to this page of notifications is not one this service made")
    new, earlier = notifications.centre(db.session, current_user, new_at, earlier_at)
    return render_template(
        "notifications/index.html",
        new=new,
        earlier=earlier,
        preference=_lower_first(EMAIL_PREFERENCES.get(current_user.notification_email, "")),
        title="Notifications",
    )


@bp.post("/<int:notification_id>/read")
@requires("account.own")
def mark_read(notification_id: int):
    # No such notification of theirs: a 404 (eip/errors.py).
    notification = notifications.mark_read(db.session, current_user, notification_id, _now())
    flash(f"Marked as read: {notification.label}.", "success")
    return redirect(url_for("notifications.index"))


@bp.post("/read")
@requires("account.own")
def mark_all_read():
    count = notifications.mark_all_read(db.session, current_user, _now())
    if count:
        flash(f"Marked {count} notification{'' if count == 1 else 's'} as read.", "success")
    else:
        flash("You had no unread notifications.", "info")
    return redirect(url_for("notifications.index"))


@bp.route("/email", methods=["GET", "POST"])
@requires("account.own")
def email_preference():
    form, status = EmailPreferenceForm(), 200
    if request.method == "GET":
        form.notification_email.data = current_user.notification_email
    elif form.validate_on_submit():
        saved, changed, status = steps.save_form(
            form,
            lambda: notifications.set_email_preference(
                db.session, current_user, form.notification_email.data
            ),
        )
        if saved:
            flash(
                "Your reminder e-mails are saved."
                if changed
                else "You did not change anything, so nothing was saved.",
                "success" if changed else "info",
            )
            return redirect(url_for("notifications.index"))
    else:
        status = 400
    return render_template("notifications/email.html", form=form, title="Reminder e-mails"), status
