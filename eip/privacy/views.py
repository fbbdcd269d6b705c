"""The "Data requests" pages: rectification and erasure requests, listed, recorded
(practitioners and managers) and decided (managers). Each page reads its form, calls one
service (eip.privacy.requests) and goes on, or shows the problems on the form."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user

from eip import steps
from eip.access import requires
from eip.cases import access_log
from eip.clock import today
from eip.domain import NotFound
from eip.extensions import db
from eip.policy import can
from eip.privacy import requests
from eip.privacy.guard import anonymised_reason
from forms.privacy import CorrectedForm, DataRequestForm, DecisionForm

bp = Blueprint("privacy", __name__, url_prefix="/data-requests")


@bp.get("")
@requires("privacy.requests")
def index():
    found = requests.listing(db.session, current_user)
    return render_template(
        "privacy/index.html",
        found=found,
        state=lambda r: requests.state(r, today()),
        title="Data requests",
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("privacy.record")
def new():
    form = DataRequestForm()
    return steps.run_step(
        form,
        blocked=lambda: None,
        save=lambda: requests.record_request(
            db.session, current_user, **form.values(), today=today()
        ),
        done=lambda r: ("Request recorded", url_for("privacy.view", request_id=r.id)),
        template="privacy/new.html",
        title="Record a rectification or erasure request",
    )


def _request_or_404(request_id: int):
    try:
        request = requests.get(db.session, current_user, request_id)
    except NotFound:
        abort(404)
    return request


@bp.get("/<int:request_id>")
@requires("privacy.requests")
def view(request_id: int):
    request = _request_or_404(request_id)
    # What was asked is personal data of the case: the view is on its access log.
    access_log.record_view(db.session, current_user, request.case, "data request")
    return render_template(
        "privacy/request.html",
        request=request,
        state=requests.state(request, today()),
        labels=requests,
        may_decide=can(current_user, "privacy.decide") and request.decision is None,
        title=f"{requests.KINDS[request.kind].split(' (')[0]} request, case "
        f"{request.case.reference}",
    )


@bp.route("/<int:request_id>/decide", methods=["GET", "POST"])
@requires("privacy.decide")
def decide(request_id: int):
    request = _request_or_404(request_id)
    form = DecisionForm()
    return steps.run_step(
        form,
        version=request.version,
        blocked=lambda: "This request has already been decided" if request.decision else None,
        save=lambda: requests.decide(
            db.session,
            current_user,
            request_id,
            decision=form.decision.data,
            reason=form.reason.data,
            version=int(form.version.data or 0),
        ),
        done=lambda r: (
            "Decision saved" + ("; the case was anonymised" if r.case.anonymised_at else ""),
            url_for("privacy.view", request_id=r.id),
        ),
        template="privacy/decide.html",
        title="Decide the request",
        request=request,
        labels=requests,
    )


@bp.route("/<int:request_id>/corrected", methods=["GET", "POST"])
@requires("privacy.record")
def corrected(request_id: int):
    request = _request_or_404(request_id)
    form = CorrectedForm()

    def blocked() -> str | None:
        if request.kind != "rectification" or request.decision != "granted":
            return "Only a granted rectification request is recorded as corrected"
        if request.done_at is not None:
            return "This correction has already been recorded"
        return anonymised_reason(request.case)

    return steps.run_step(
        form,
        version=request.version,
        blocked=blocked,
        save=lambda: requests.record_corrected(
            db.session, current_user, request_id, version=int(form.version.data or 0)
        ),
        done=lambda r: ("Correction recorded", url_for("privacy.view", request_id=r.id)),
        template="privacy/corrected.html",
        title="Record the correction as made",
        request=request,
        labels=requests,
    )
