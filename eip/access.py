"""The access policy on the web: views declare their rule with `@requires(action)` (or
`@public`), which also registers it, so that a test can walk the URL map and fail on any
endpoint without a rule; a refusal is audited and answered 403. The rules themselves are
plain data in `eip/policy.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from eip.policy import RULES, can

PUBLIC = "public"


def refuse(action: str, obj: Any = None):
    """Record the refusal and answer 403."""
    from eip.audit import record
    from eip.db import write_now
    from eip.extensions import db

    with write_now(db.session):  # a refused GET is recorded too
        record(
            db.session,
            "access.refused",
            actor=current_user if current_user.is_authenticated else None,
            actor_label=None if current_user.is_authenticated else "anonymous",
            object_type=type(obj).__name__.lower() if obj is not None else None,
            object_id=getattr(obj, "id", None),
            case_reference=getattr(obj, "reference", None),
            details={"action": action, "endpoint": request.endpoint},
        )
        db.session.commit()
    abort(403)


def check(action: str, obj: Any = None) -> None:
    """For object-level checks inside a view, after loading the object."""
    if not can(current_user, action, obj):
        refuse(action, obj)


def requires(action: str) -> Callable:
    """Declare and enforce the rule for a view: sign-in first, then the role rule."""
    if action not in RULES:
        raise KeyError(f"no access rule named {action!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user._get_current_object()  # one proxy lookup, not one per use
            if not user.is_authenticated:
                return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
            g.access_action = action
            # With no object, a rule answers whether the role may do this at all;
            # object rules (a case's borough) are checked again by the view with
            # `check(action, obj)` once the object is loaded.
            if not can(user, action, None):
                refuse(action)
            return view(*args, **kwargs)

        wrapped.access_rule = action  # type: ignore[attr-defined]
        return wrapped

    return decorate


def public(view: Callable) -> Callable:
    """Declare a view open to everyone, signed in or not."""
    view.access_rule = PUBLIC  # type: ignore[attr-defined]
    return view


def rule_of(view: Callable) -> str | None:
    return getattr(view, "access_rule", None)
