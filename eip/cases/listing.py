"""What a list of cases reads of each case: a few columns, not the case's objects.

The case list, the practitioner's open cases and the work lists show a handful of facts per
case (reference, status, borough, practitioner, the client's first name). Loading each case,
its client and its practitioner as ORM objects, with every column of each, was most of the
case list's query time (issue 16); these lists select only the columns they show and read
them as plain values. Pages that need the case itself still load the `Case`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Select, select

from eip.auth.models import User
from eip.cases.models import Case, CaseDueItem, Person, first_name
from eip.models import Borough


class ListedClient(NamedTuple):
    first_name: str


@dataclass(frozen=True, slots=True)
class CaseRef:
    """A case as a link to it shows it (`eip.cases.markup.case_link`): its reference and, for
    the roles that see names, the client's first name."""

    reference: str
    client: ListedClient | None


@dataclass(frozen=True, slots=True)
class ListedCase(CaseRef):
    """A case as a row of a list of cases shows it."""

    id: int
    status: str
    received_at: datetime | None
    created_at: datetime
    borough_name: str
    practitioner_name: str | None


def _client(full_name: str | None) -> ListedClient | None:
    # A case's client is a person whose name is required: no name, no client.
    return None if full_name is None else ListedClient(first_name(full_name))


# The columns of a case that a link to it reads, with the client's name (outer join).
REF_COLUMNS = (Case.reference, Person.full_name.label("client_name"))


def with_client(query: Select) -> Select:
    """`query` (from cases) with the client joined, for REF_COLUMNS."""
    return query.outerjoin(Person, Person.id == Case.client_id)


@cache
def listed_cases() -> Select:
    """The columns a list of cases shows, from cases joined to what they name: a `model`
    for `eip.paging.fetch_page` (its rows name `received_at` and `id`). Built once: a
    select is immutable (each method returns a new one), and building it is not free."""
    columns = select(
        Case.id,
        *REF_COLUMNS,
        Case.status,
        Case.received_at,
        Case.created_at,
        Borough.name.label("borough_name"),
        User.name.label("practitioner_name"),
    )
    joined = columns.join(Borough, Borough.id == Case.borough_id)
    return with_client(joined.outerjoin(User, User.id == Case.allocated_practitioner_id))


def case_ref(row: Any) -> CaseRef:
    """A row with REF_COLUMNS as a CaseRef."""
    return CaseRef(row.reference, _client(row.client_name))


def listed_case(row: Any) -> ListedCase:
    """A row of `listed_cases()` as a ListedCase."""
    return ListedCase(
        row.reference,
        _client(row.client_name),
        row.id,
        row.status,
        row.received_at,
        row.created_at,
        row.borough_name,
        row.practitioner_name,
    )


# A stored due item's columns that `due_store.as_item` and the work list's key read, and
# whose work list it is on.
ITEM_COLUMNS = (
    CaseDueItem.case_id,
    CaseDueItem.practitioner_id,
    CaseDueItem.kind,
    CaseDueItem.label,
    CaseDueItem.due_on,
    CaseDueItem.urgent,
    CaseDueItem.action_id,
    CaseDueItem.soon_from,
    CaseDueItem.position,
)
