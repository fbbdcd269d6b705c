"""`eip.html.summary_list` writes the GOV.UK summary list's markup itself (cheaper than the
macro, issue 16): the same bytes as govuk_frontend_jinja's `govukSummaryList` for each way
this service's pages call it."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from eip.html.summary_list import summary_list

MACRO = (
    '{% from "govuk_frontend_jinja/components/summary-list/macro.html" import '
    "govukSummaryList %}{{ govukSummaryList(params) }}"
)


def _row(key, value, **more):
    return {"key": {"text": key}, "value": value, **more}


LINK = {"href": "/cases/X/reassign?a=1&b=2", "text": "Reassign", "visuallyHiddenText": "the case"}
WAYS = {
    "no rows": {"rows": []},
    "plain text": {"rows": [_row("Status", {"text": "Active"})]},
    "escaped text": {"rows": [_row("Name <b>", {"text": 'Ann "Jo" & <Smith>'})]},
    "list classes": {
        "classes": "govuk-summary-list--no-border",
        "rows": [_row("A", {"text": "B"})],
    },
    "none and numbers": {"rows": [_row("None", {"text": None}), _row("Count", {"text": 3})]},
    "no text at all": {"rows": [{"key": {"text": "Key"}, "value": {}}]},
    "html value": {"rows": [_row("Address", {"html": Markup("  1 Road<br>\nTown\n\nN1  ")})]},
    "empty html falls back to text": {"rows": [_row("A", {"html": "", "text": "shown"})]},
    "html key": {"rows": [{"key": {"html": "<abbr>DASH</abbr>"}, "value": {"text": "1"}}]},
    "cell and row classes": {
        "rows": [
            {
                "key": {"text": "K", "classes": "k"},
                "value": {"text": "V", "classes": "v"},
                "classes": "r",
            }
        ]
    },
    "one action among rows without": {
        "rows": [
            _row("Status", {"text": "Active"}),
            _row("Practitioner", {"text": "Ann"}, actions={"items": [LINK]}),
            _row("Risk", {"text": "High"}, actions={}),
            _row("Empty items", {"text": "x"}, actions={"items": []}),
        ]
    },
    "a falsy row is skipped": {"rows": [None, {}, _row("A", {"text": "B"})]},
    "action without hidden text, with classes": {
        "rows": [
            _row(
                "A",
                {"text": "B"},
                actions={"classes": "ac", "items": [{"href": "/x", "text": "Go", "classes": "c"}]},
            )
        ]
    },
    "action html": {
        "rows": [
            _row("A", {"text": "B"}, actions={"items": [{"href": "/x", "html": "<b>Go</b>\nnow"}]})
        ]
    },
    "several actions": {
        "rows": [
            _row("A", {"text": "B"}, actions={"items": [LINK, {"href": "/y", "text": "Remove"}]})
        ]
    },
}


@pytest.mark.parametrize("way", WAYS)
def test_the_summary_list_is_written_as_the_govuk_macro_writes_it(app, way):
    with app.test_request_context("/"):
        theirs = app.jinja_env.from_string(MACRO).render(params=WAYS[way])
        ours = str(summary_list(WAYS[way]))
    assert ours == theirs


def test_a_parameter_it_does_not_write_is_refused_not_dropped():
    with pytest.raises(ValueError, match="card"):
        summary_list({"card": {"title": {"text": "T"}}, "rows": []})
    with pytest.raises(ValueError, match="attributes"):
        summary_list(
            {
                "rows": [
                    _row(
                        "A", {"text": "B"}, actions={"items": [{**LINK, "attributes": {"a": "b"}}]}
                    )
                ]
            }
        )
