"""Input no page may see: control characters in what a request carries.

PostgreSQL refuses a NUL byte in text outright (every view that passed one on used to answer
500), and the other control characters are invisible noise that no person types on purpose:
pasted from another program at best, an attack on a log or a terminal at worst. One rule for
the whole app, applied before any view or form sees the request:

- every value and name in the query string and in a submitted form loses its control
  characters (tab, line feed and carriage return stay: text areas send line breaks as CR LF);
  what is left is what the person typed, so the form carries on as usual;
- a path with a control character in one of its parts names no page: 404.

Whole numbers beyond what an INTEGER column holds are the other half of this: see
`forms.fields.optional_int` and `eip.errors.LARGEST_ID`.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Request, abort
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items

# C0 controls but tab, LF and CR; DEL; the C1 controls.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean(value: Any) -> Any:
    """`value` without control characters, if it is text."""
    return CONTROL.sub("", value) if isinstance(value, str) else value


class CleanMultiDict(ImmutableMultiDict):
    """The query string's and the form's values and names, without control characters."""

    def __init__(self, mapping: Any = None) -> None:
        if mapping is None:
            super().__init__()
        else:
            super().__init__([(clean(k), clean(v)) for k, v in iter_multi_items(mapping)])


class CleanRequest(Request):
    parameter_storage_class = CleanMultiDict


def _no_control_characters_in_the_path(_endpoint: str | None, values: dict | None) -> None:
    for value in (values or {}).values():
        if isinstance(value, str) and CONTROL.search(value):
            abort(404)


def init_app(app: Flask) -> None:
    app.request_class = CleanRequest
    app.url_value_preprocessor(_no_control_characters_in_the_path)
