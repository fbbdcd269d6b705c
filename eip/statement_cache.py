"""Statements built once and run many times with new parameter values.

Building a select with SQLAlchemy (each `.where`, `.join` and comparison a new object) cost
more than running it on the lists that page by key (issue 16): a work list's query took
about a millisecond to build and a few tenths to run. A statement is immutable, so one built
with named `bindparam`s for what changes between requests (today, the paging key) can be
kept and executed with a dict of values each time; SQLAlchemy then skips compiling it too.

What else shapes the statement belongs in its key. For a statement built from
`policy.visible_cases(user)`, that is the user: `user_key` (id, role, borough, everything
the policy reads), so no statement ever serves a user other than the one it was built for.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

# A few statements per user and list shape; cleared whole when full (rebuilt on demand).
_MAX = 4096
_kept: dict[Hashable, Any] = {}


def cached(key: Hashable, build: Callable[[], T]) -> T:
    """The statement kept under `key`, built by `build()` the first time."""
    statement = _kept.get(key)
    if statement is None:
        if len(_kept) >= _MAX:
            _kept.clear()
        statement = _kept[key] = build()
    return statement


def user_key(user: Any) -> tuple:
    """What of the user a statement built from `visible_cases(user)` depends on."""
    return (user.id, user.role, user.borough_id)
