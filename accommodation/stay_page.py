"""The stay panel of the placement page (being written)."""

from __future__ import annotations

from typing import Any


def stay_panel(session, user, placement) -> dict[str, Any]:
    return {}
