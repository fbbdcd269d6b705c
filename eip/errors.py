"""Friendly error pages that never show a stack trace or echo the request."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from flask import Flask, abort, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from eip.access import refuse
from eip.domain import Conflict, NotAllowed, NotFound
from eip.extensions import db
from eip.requestlog import current_request_id

error_logger = logging.getLogger("eip.error")

PAGES = {
    400: ("Your request could not be processed", "errors/400.html"),
    403: ("You do not have access to this page", "errors/403.html"),
    404: ("Page not found", "errors/404.html"),
    405: ("This action is not available here", "errors/400.html"),
    409: ("Someone else changed this first", "errors/409.html"),
    413: ("The file is too large", "errors/400.html"),
    429: ("Too many attempts", "errors/429.html"),
    500: ("Sorry, there is a problem with the service", "errors/500.html"),
    503: ("Sorry, the service is unavailable", "errors/503.html"),
}


def log_exception(exc_info) -> None:
    """Replaces Flask's own, whose message carries the request path."""
    error_logger.error(
        "unhandled exception",
        exc_info=exc_info,
        extra={
            "fields": {
                "event": "unhandled_exception",
                "request_id": current_request_id(),
                "endpoint": request.endpoint or "unmatched",
                "method": request.method,
            }
        },
    )


def render_error(code: int, *, csrf: bool = False):
    title, template = PAGES.get(code, PAGES[500] if code >= 500 else PAGES[400])
    return (
        render_template(
            template, title=title, code=code, csrf=csrf, request_id=current_request_id()
        ),
        code,
    )


def handle_http_exception(exc: HTTPException):
    if exc.code is None or exc.code < 400:
        return exc
    response = render_error(exc.code, csrf=isinstance(exc, CSRFError))
    if exc.code == 405 and exc.valid_methods:
        return (*response, {"Allow": ", ".join(exc.valid_methods)})
    return response


def handle_server_error(exc: InternalServerError):
    # Flask has logged the original exception through log_exception already.
    _let_go_of_the_database()
    return render_error(InternalServerError.code)


# What the database (or the way to it) going away raises: the driver's connection errors,
# a dropped connection, and no free connection in the pool.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)


def _let_go_of_the_database() -> None:
    """Before a 500 or 503 page: drop the request's session without using it again.

    The session may hold a failed transaction (any query would raise PendingRollbackError)
    or a dead connection, so nothing after this may read the database: the signed-in user
    is put aside (the pages for 500 and 503 show no name, no notification count, no menu),
    keeping only the id that is already in memory for the request log."""
    from eip.auth.sessions import login_manager
    from eip.extensions import db

    user = g.get("_login_user")
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    if state is not None and state.identity and g.get("log_user_id") is None:
        g.log_user_id = state.identity[0]
    g._login_user = login_manager.anonymous_user()
    # The error page must render even if the connection cannot be given back cleanly.
    with contextlib.suppress(Exception):
        db.session.remove()


def handle_database_unavailable(exc: SQLAlchemyError):
    """The app's own 503 page: never gunicorn's bare one, never the error's text."""
    _let_go_of_the_database()
    error_logger.error(
        "database unavailable",
        extra={
            "fields": {
                "event": "database_unavailable",
                "request_id": current_request_id(),
                "endpoint": request.endpoint or "unmatched",
                "method": request.method,
                # Class names only: the driver's message can quote the statement.
                "error": type(exc).__name__,
                "driver_error": _class_name(getattr(exc, "orig", None) or exc),
            }
        },
    )
    # "Try again in a few minutes", said to browsers and monitoring alike.
    return (*render_error(503), {"Retry-After": "120"})


def _class_name(error: BaseException) -> str:
    kind = type(error)
    return f"{kind.__module__}.{kind.__qualname__}"


# The largest id an INTEGER column holds on PostgreSQL (SQLite's is larger): a larger id in
# a URL cannot name a row, and binding it fails in the driver (a 500), so it is not found.
LARGEST_ID = 2**31 - 1


def _no_impossible_ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    for name, value in (values or {}).items():
        if name.endswith("_id") and isinstance(value, int) and value > LARGEST_ID:
            abort(404)


# --- Domain errors that reach a view unhandled (eip/steps.py handles RuleBroken and Conflict
# on a form). Whatever view raised them, nothing half-done is kept.


def handle_not_found(_exc: NotFound):
    db.session.rollback()
    return render_error(404)


def handle_not_allowed(exc: NotAllowed):
    """An audited 403 under the route's declared rule (the record vanished from the user's
    reach inside the service, for example a placement re-read under the pot lock)."""
    db.session.rollback()
    try:
        refuse(g.get("access_action") or "unspecified", g.get("access_object"))
    except HTTPException as forbidden:
        return handle_http_exception(forbidden)
    return render_error(403)  # pragma: no cover - refuse() always aborts


def handle_conflict(_exc: Conflict):
    db.session.rollback()
    return render_error(409)


def init_app(app: Flask) -> None:
    app.url_value_preprocessor(_no_impossible_ids)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_server_error)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, handle_database_unavailable)
    app.register_error_handler(NotFound, handle_not_found)
    app.register_error_handler(NotAllowed, handle_not_allowed)
    app.register_error_handler(Conflict, handle_conflict)
