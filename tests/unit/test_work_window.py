"""The lists tell an item's urgency from a `WorkWindow` (its working days counted once per
page), and must say what `DueItem.urgency` says item by item."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from eip.cases.deadlines import DueItem
from eip.cases.due_store import soon_until
from eip.cases.queries import WorkWindow

# Around Christmas and Easter (bank holidays), and a weekend, with a manager's extra day.
TODAYS = [date(2026, 12, 18) + timedelta(days=n) for n in range(14)]
TODAYS += [date(2027, 3, 24) + timedelta(days=n) for n in range(10)]
EXTRA = frozenset({date(2026, 12, 29), date(2027, 3, 31)})


@pytest.mark.parametrize("extra", [frozenset(), EXTRA])
def test_the_windows_urgency_is_the_items_own_on_every_day(extra):
    for today in TODAYS:
        window = WorkWindow(today, soon_until(today, extra), extra)
        for offset in range(-3, 15):
            due_on = today + timedelta(days=offset)
            for soon_from in (None, due_on - timedelta(days=10), due_on - timedelta(days=1)):
                item = DueItem("meeting", "Hold a meeting", due_on, "EIP-1", soon_from=soon_from)
                assert window.urgency(item) == item.urgency(today, extra), (today, item)
