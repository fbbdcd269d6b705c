"""Subject access pages (managers only): record a request, list them with their due dates,
download a pack (audited), mark one completed. No personal data in any URL: a request is
its id, the person is found by case reference and role on a POSTed form."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, render_template, request, send_file, url_for
from flask_login import current_user

from eip import steps
from eip.access import requires
from eip.clock import now, today
from eip.extensions import db
from eip.privacy import subject_access
from eip.submissions import AlreadySaved
from forms.subject_access import SubjectAccessCompleteForm, SubjectAccessRequestForm

bp = Blueprint("subject_access", __name__, url_prefix="/subject-access")
RULE = subject_access.RULE


@bp.get("")
@requires(RULE)
def index():
    return render_template(
        "privacy/subject_access_list.html",
        requests=subject_access.requests(db.session),
        today=today(),
        labels=subject_access.STATUS_LABELS,
        title="Subject access requests",
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(RULE)
def new():
    form = SubjectAccessRequestForm()
    status = 200
    if request.method == "GET":
        form.start()
    else:
        values = form.values()
        if steps.validate(
            form,
            lambda: subject_access.check_request(db.session, **values, today=today()),
        ):
            try:
                saved, _found, status = steps.save_form(
                    form,
                    lambda: subject_access.record_request(
                        db.session, current_user, **values, today=today(), submission=form.token()
                    ),
                )
            except AlreadySaved:
                db.session.rollback()
                saved = True
            if saved:
                return steps.after_save(
                    "Subject access request recorded", url_for("subject_access.index")
                )
        else:
            status = 400
    return render_template(
        "privacy/subject_access_new.html", form=form, title="Record a subject access request"
    ), status


@bp.get("/<int:request_id>/pack.zip")
@requires(RULE)
def pack(request_id: int):
    # Imported here so that creating the app reads no font files.
    from eip.privacy import subject_access_pack

    filename, content = subject_access_pack.produce(db.session, current_user, request_id)
    return send_file(
        BytesIO(content),
        mimetype="application/zip",
        as_attachment=True,
        download_name=filename,
        etag=False,
        conditional=False,
        last_modified=None,
        max_age=None,
    )


@bp.get("/<int:request_id>/pack.html")
@requires(RULE)
def pack_page(request_id: int):
    """The pack's PDF as an accessible web page, for the manager reading it before release."""
    from eip.pdf.delivery import send_page
    from eip.privacy import subject_access_pack

    document = subject_access_pack.produce_page(db.session, current_user, request_id)
    return send_page(
        document,
        pdf_url=url_for("subject_access.pack", request_id=request_id),
        back_url=url_for("subject_access.index"),
        download_text="Download the pack (a zip of this PDF and the same data for a computer)",
    )


@bp.route("/<int:request_id>/complete", methods=["GET", "POST"])
@requires(RULE)
def complete(request_id: int):
    found = subject_access.get_request(db.session, request_id)
    form = SubjectAccessCompleteForm()
    if request.method == "GET":
        form.completed_on.data = today()
    done = "This request is already completed" if found.status == subject_access.COMPLETED else None
    return steps.run_step(
        form,
        blocked=lambda: done,
        save=lambda: subject_access.complete(
            db.session,
            current_user,
            request_id,
            completed_on=form.completed_on.data,
            today=today(),
            now=now(),
        ),
        done=lambda _result: ("Subject access request completed", url_for("subject_access.index")),
        template="privacy/subject_access_complete.html",
        title="Mark the subject access request completed",
        found=found,
    )
