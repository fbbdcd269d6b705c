"""A question with no hint shows none: the radios of `forms.fields.radio_field` without a
description printed the word "None" under their legend (the late-referral decision, a
session's attendance)."""

import re
from datetime import date

from tests import factories_pathway_referral as rf

LATE = rf.london(date(2026, 8, 18), 16, 0)


def test_a_radio_question_without_a_hint_shows_no_none(signed_in):
    case = rf.recorded_case(received_at=LATE)
    client, _ = signed_in("manager")
    page = client.get(f"/cases/{case.reference}/late-referral").get_data(as_text=True)
    assert "What was decided?" in page
    hints = re.findall(r'<div id="[^"]*-hint" class="govuk-hint">\s*(.*?)\s*</div>', page, re.S)
    assert hints and "None" not in hints
