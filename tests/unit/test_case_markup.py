"""The case lists' row pieces (eip/cases/markup.py) write what url_for would."""

from __future__ import annotations

import pytest
from flask import url_for

from eip.cases.markup import case_path

REFERENCES = ["EIP-2026-0007", "SYN-01-00001", "a b/c?d#e%f", "é-ü", "x'y&z=1"]


@pytest.mark.parametrize("reference", REFERENCES)
def test_a_case_path_is_the_address_url_for_builds(app, reference):
    with app.test_request_context("/"):
        assert case_path(reference) == url_for("cases.view", reference=reference)
    # Mounted under a prefix, as url_for would be.
    with app.test_request_context("/", base_url="http://localhost/eip/"):
        assert case_path("EIP-2026-0007") == "/eip/cases/EIP-2026-0007"
