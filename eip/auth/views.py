"""Sign-in, sign-out, two-factor, passwords, invitation and reset links."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from eip import steps
from eip.access import public, requires
from eip.auth import enrolment, services, tokens, totp
from eip.auth.sessions import sign_out_current
from eip.domain import RuleBroken
from eip.extensions import db
from forms.auth import (
    ChangePasswordForm,
    EnrolmentCodeForm,
    EnrolTwoFactorForm,
    NewPasswordForm,
    RequestResetForm,
    SignInForm,
    TwoFactorForm,
)

bp = Blueprint("auth", __name__)
PENDING_KEY = "pending_second_factor"
PENDING_FOR = timedelta(minutes=5)
# Pages a signed-in user who still has to set up two-factor may reach.
ENROLMENT_ALLOWED = {
    "auth.enrol_two_factor",
    "auth.enrolment_code",
    "auth.sign_out",
    "static",
    "main.accessibility",
    "main.healthz",
}


# Browsers drop tabs, newlines and other control characters from a URL and read a backslash
# as a slash, so "/\t/evil.example" or "/\\evil.example" is a link to another site.
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")


def safe_next(target: str | None) -> str:
    """A path on this site to return to after sign-in, else the home page.

    The target is judged as a browser would read it: control characters and spaces
    stripped, backslashes as slashes. Anything with a scheme or a host is refused.
    """
    home = url_for("main.home")
    if not target:
        return home
    cleaned = _IGNORED_IN_URLS.sub("", target)
    browser_reads = cleaned.replace("\\", "/")
    if not browser_reads.startswith("/") or browser_reads.startswith("//"):
        return home
    parts = urlsplit(browser_reads)
    if parts.scheme or parts.netloc:
        return home
    return cleaned


def client_address() -> str:
    return request.remote_addr or "unknown"


@bp.before_app_request
def require_two_factor_enrolment():
    if (
        current_app.config["EIP_TWO_FACTOR_REQUIRED"]
        and current_user.is_authenticated
        and not current_user.two_factor_enabled
        and request.endpoint not in ENROLMENT_ALLOWED
    ):
        return redirect(url_for("auth.enrol_two_factor"))
    return None


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    problem = None
    if form.validate_on_submit():
        # Read before signing in, which starts a fresh cookie.
        invited_user_id = enrolment.invitation_grant(datetime.now(UTC))
        try:
            outcome = services.sign_in(
                db.session, form.email.data, form.password.data, client_address()
            )
        except services.RateLimited:
            abort(429)
        if outcome.status == "signed_in":
            if invited_user_id is not None and invited_user_id == outcome.user_id:
                enrolment.allow_this_session(db.session, current_user.session_token)
                db.session.commit()
            return redirect(safe_next(request.args.get("next")))
        if outcome.status == "second_factor":
            session[PENDING_KEY] = {
                "user_id": outcome.user_id,
                "at": datetime.now(UTC).isoformat(),
                "next": safe_next(request.args.get("next")),
            }
            return redirect(url_for("auth.security_code"))
        problem = outcome.message
    status = (
        200 if problem is None and not form.errors else 400 if request.method == "POST" else 200
    )
    return render_template("auth/sign_in.html", form=form, problem=problem, title="Sign in"), status


@bp.route("/sign-in/security-code", methods=["GET", "POST"])
@public
def security_code():
    pending = session.get(PENDING_KEY)
    if not pending or datetime.now(UTC) - datetime.fromisoformat(pending["at"]) > PENDING_FOR:
        session.pop(PENDING_KEY, None)
        flash("Sign in again: the security code step timed out.", "info")
        return redirect(url_for("auth.sign_in"))
    form = TwoFactorForm()
    problem = None
    if form.validate_on_submit():
        outcome = services.second_factor(db.session, pending["user_id"], form.code.data)
        if outcome.status == "signed_in":
            return redirect(pending.get("next") or url_for("main.home"))
        if outcome.status == "locked":
            session.pop(PENDING_KEY, None)
        problem = outcome.message
    status = 400 if request.method == "POST" else 200
    return render_template(
        "auth/security_code.html", form=form, problem=problem, title="Enter your security code"
    ), status


@bp.post("/sign-out")
@requires("account.own")
def sign_out():
    from eip.audit import record

    record(db.session, "auth.sign_out", actor=current_user)
    sign_out_current(db.session, current_user, "signed_out")
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.get("/account")
@requires("account.own")
def account():
    from eip.admin.user_accounts import user_row

    # The borough a role waiting for approval will tie the account to, as the admin sees it.
    borough = user_row(db.session, current_user.id).borough_text
    return render_template("auth/account.html", borough=borough, title="Your account")


@bp.route("/account/two-factor", methods=["GET", "POST"])
@requires("account.own")
def enrol_two_factor():
    user = current_user
    if user.two_factor_enabled:
        flash(
            "Two-factor sign-in is already on. If you lose your device, ask the administrator "
            "to reset it.",
            "info",
        )
        return redirect(url_for("auth.account"))
    if enrolment.needs_proof(db.session, user):
        db.session.rollback()
        return _enrolment_code_page(
            EnrolmentCodeForm(), None, 403 if request.method == "POST" else 200
        )
    # The new key waits, encrypted, in this browser's session until a code confirms it.
    secret = enrolment.pending_secret()
    form = EnrolTwoFactorForm()
    problem = None
    if form.validate_on_submit():
        codes = services.enable_two_factor(db.session, user, secret, form.code.data)
        if codes is not None:
            enrolment.forget_pending_secret()
            return render_template(
                "auth/recovery_codes.html", codes=codes, title="Save your recovery codes"
            )
        problem = "Enter the current 6-digit code from your app"
    uri = totp.provisioning_uri(secret, user.email)
    return render_template(
        "auth/enrol_two_factor.html",
        form=form,
        problem=problem,
        qr=totp.qr_svg(uri),
        secret=secret,
        required=current_app.config["EIP_TWO_FACTOR_REQUIRED"],
        title="Set up two-factor sign-in",
    ), (400 if request.method == "POST" else 200)


def _enrolment_code_page(form, problem: str | None, status: int):
    return render_template(
        "auth/enrolment_code.html",
        form=form,
        problem=problem,
        title="Enter your two-factor set-up code",
    ), status


@bp.post("/account/two-factor/set-up-code")
@requires("account.own")
def enrolment_code():
    user = current_user
    if user.two_factor_enabled or not enrolment.needs_proof(db.session, user):
        db.session.rollback()
        return redirect(url_for("auth.enrol_two_factor"))
    form = EnrolmentCodeForm()
    problem = None
    if form.validate_on_submit():
        problem = enrolment.redeem_code(db.session, user, form.code.data, user.session_token)
        if problem is None:
            return redirect(url_for("auth.enrol_two_factor"))
    return _enrolment_code_page(form, problem, 400)


@bp.route("/account/password", methods=["GET", "POST"])
@requires("account.own")
def change_password():
    form = ChangePasswordForm()
    if steps.validate(form, lambda: services.check_new_password(current_user, form.password.data)):
        problems = services.change_password(
            db.session,
            current_user,
            form.current.data,
            form.password.data,
            keep_session=current_user.session_token,
        )
        if not problems:
            flash(
                "Your password has been changed. You have been signed out everywhere else.",
                "success",
            )
            return redirect(url_for("auth.account"))
        steps.show_problems(form, RuleBroken(errors=problems))
    return render_template("auth/change_password.html", form=form, title="Change your password"), (
        400 if request.method == "POST" else 200
    )


@bp.route("/reset-password", methods=["GET", "POST"])
@public
def request_reset():
    from eip.auth import throttle

    form = RequestResetForm()
    if form.validate_on_submit():
        now = datetime.now(UTC)
        if not throttle.address_allowed(db.session, client_address(), now):
            db.session.commit()
            abort(429)
        user = services.find_user(db.session, form.email.data)
        if user is not None and user.active and user.password_hash:
            raw = tokens.issue(db.session, user, "reset", now)
            from eip.audit import record

            record(
                db.session,
                "account.reset_requested",
                actor=user,
                object_type="user",
                object_id=user.id,
            )
            db.session.commit()
            tokens.send_reset(user, raw)
        else:
            db.session.commit()
        # The same answer whether or not the address has an account.
        return render_template("auth/reset_sent.html", title="Check your email")
    return render_template("auth/request_reset.html", form=form, title="Reset your password"), (
        400 if request.method == "POST" else 200
    )


def _use_link(raw: str, purpose: str, title: str):
    status, token = tokens.look_up(db.session, raw, purpose)
    if token is None:
        code = 404 if status == "unknown" else 410
        return render_template(
            "auth/link_problem.html",
            status=status,
            purpose=purpose,
            title="This link cannot be used",
        ), code
    user = token.user
    form = NewPasswordForm()
    if steps.validate(form, lambda: services.check_new_password(user, form.password.data)):
        problems = services.set_password(db.session, user, form.password.data, reason=purpose)
        if not problems:
            now = datetime.now(UTC)
            token.used_at = now
            db.session.commit()
            if purpose == "invite":
                # This browser came through the invitation: its sign-in may set up two-factor.
                enrolment.remember_invitation(user.id, now)
            flash("Your password is saved. Sign in with it now.", "success")
            return redirect(url_for("auth.sign_in"))
        db.session.rollback()
        form.password.errors = [*form.password.errors, *problems]
    return render_template("auth/set_password.html", form=form, purpose=purpose, title=title), (
        400 if request.method == "POST" else 200
    )


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    return _use_link(token, "reset", "Choose a new password")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    return _use_link(token, "invite", "Choose your password")
