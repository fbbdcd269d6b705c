"""Several small queries sent as one statement (issue 16: a page's statements few and the same
whatever the programme holds): each query is a part tagged by its kind, with its columns put in
typed slots, so that all the parts line up for one UNION ALL on both engines; the rows come
back split by kind, each holding the part's own columns. What each part selects, and so every
figure made from it, is the same as when it was sent alone.

    parts = [
        part("referrals", ints=[Case.borough_id, func.count()]).group_by(Case.borough_id),
        part("late", ints=[func.count()]).select_from(Case).where(...),
    ]
    found = read(session, parts)  # {"referrals": [(3, 12), ...], "late": [(4,)]}

A part's columns come back in slot order: its texts, then integers, days, instants.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    Select,
    String,
    cast,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from eip.db import UTCDateTime

# The slots every part has, in order: (name, SQL type, how many). A slot a part does not use
# is a typed NULL, so PostgreSQL finds one type per column of the UNION. Instants are read as
# the engine's own DateTime (parsed by the driver or SQLAlchemy's C code) and made UTC-aware
# by `read` for the slots a kind uses only: UTCDateTime's Python processor on every instant
# slot of every row was a fifth of the dashboard's reading at 10,000 cases.
SLOTS = (
    ("texts", String(), 3),
    ("ints", Integer(), 4),
    ("days", Date(), 4),
    ("at", DateTime(timezone=True), 3),
)
_AWARE = UTCDateTime()
_UNUSED = "unused_"


def part(kind: str, **slots: Sequence[Any]) -> Select:
    """A select of `kind` and the given columns in their slots (texts=, ints=, days=, at=),
    to which a part adds its FROM, WHERE and GROUP BY."""
    unknown = set(slots) - {name for name, _type, _n in SLOTS}
    if unknown:
        raise ValueError(f"no such slots: {sorted(unknown)}")
    columns = [literal(kind).label("kind")]
    for name, type_, size in SLOTS:
        given = list(slots.get(name, ()))
        if len(given) > size:
            raise ValueError(f"{kind}: {len(given)} {name}, at most {size}")
        # The slot's type, Python side only: the UNION's rows are read by its first part's
        # types, so an instant or a day is made one on SQLite whichever part it comes from.
        columns += [type_coerce(c, type_).label(f"{name}_{i}") for i, c in enumerate(given)]
        columns += [
            cast(null(), type_).label(f"{_UNUSED}{name}_{i}") for i in range(len(given), size)
        ]
    return select(*columns)


def read(session: Session, parts: Sequence[Select]) -> dict[str, list[tuple]]:
    """Every part's rows, in one statement, by kind (a kind with no rows maps to [])."""
    used: dict[str, list[int]] = {}
    instants: dict[str, list[int]] = {}  # positions, in the kind's own tuple, of its instants
    for query in parts:
        kind = query.selected_columns[0].element.value
        names = [c.name for c in query.selected_columns]
        used[kind] = [i for i, name in enumerate(names) if i and not name.startswith(_UNUSED)]
        instants[kind] = [j for j, i in enumerate(used[kind]) if names[i].startswith("at_")]
    found: dict[str, list[tuple]] = {kind: [] for kind in used}
    statement = union_all(*parts) if len(parts) > 1 else parts[0]
    # Each kind's columns taken by an itemgetter (C), a tuple for one column as for several.
    take = {
        kind: itemgetter(*columns) if len(columns) > 1 else (lambda row, i=columns[0]: (row[i],))
        for kind, columns in used.items()
    }
    for row in session.execute(statement):
        found[row[0]].append(take[row[0]](row))
    dialect = session.get_bind().dialect
    for kind, positions in instants.items():
        if positions and found[kind]:
            found[kind] = [_aware(row, positions, dialect) for row in found[kind]]
    return found


def _aware(row: tuple, positions: list[int], dialect) -> tuple:
    values = list(row)
    for j in positions:
        if values[j] is not None:
            values[j] = _AWARE.process_result_value(values[j], dialect)
    return tuple(values)
