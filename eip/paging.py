"""Keyset paging: "next" and "previous" by the sort key, never by OFFSET.

Long lists (cases, the audit trail, notifications) are ordered by a timestamp, newest
first, with the id breaking ties: `key DESC NULLS LAST, id DESC`. A page's "next" link
carries the last row's key and id (`?after=`), "previous" the first row's (`?before=`),
so a deep page costs what page 1 costs: an index range scan of one page's rows. There is
no "page N of M": counting every matching row on each request is what paging avoids.

The token is `<microseconds since 1970 UTC, or "n" for no date>.<id>`: a moment and a row
number, never personal data. A token that does not parse is the caller's 400.

NULL keys are a group of their own, written out rather than left to each engine's NULL
ordering: the dated rows by `key DESC, id DESC` with `key IS NOT NULL`, then the undated
rows by `id DESC` with `key IS NULL`, each part limited to one page and the two joined by
UNION ALL. Each part is an ordered range of the plain index `(…filter, key, id)` (read
backwards), on SQLite and PostgreSQL alike, so the migrations create the same indexes on
both engines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, func, literal_column, select, tuple_, union_all
from sqlalchemy.orm import Session

from eip import statement_cache

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TOKEN = re.compile(r"(n|-?[0-9]{1,17})\.([0-9]{1,18})")
_MAX_ID = 2**63 - 1


class BadCursor(ValueError):
    """A paging token that is not one this module wrote."""


@dataclass(frozen=True)
class Key:
    at: datetime | None
    id: int

    def token(self) -> str:
        micros = "n" if self.at is None else str((self.at - EPOCH) // timedelta(microseconds=1))
        return f"{micros}.{self.id}"


def parse_key(text: str) -> Key:
    match = _TOKEN.fullmatch(text)
    if match is None:
        raise BadCursor("not a paging token")
    micros, row_id = match.groups()
    if int(row_id) > _MAX_ID:
        raise BadCursor("row number out of range")
    if micros == "n":
        return Key(None, int(row_id))
    try:
        at = EPOCH + timedelta(microseconds=int(micros))
    except OverflowError as exc:
        raise BadCursor("date out of range") from exc
    if not datetime(1900, 1, 1, tzinfo=UTC) <= at < datetime(9000, 1, 1, tzinfo=UTC):
        raise BadCursor("date out of range")
    return Key(at, int(row_id))


@dataclass(frozen=True)
class Position:
    """Where a page starts: the first page, after a key (forwards) or before one (back)."""

    key: Key | None = None
    backwards: bool = False


FIRST_PAGE = Position()


def position_from(args: Any, prefix: str = "", parse: Callable[[str], Any] = parse_key) -> Position:
    """The position named by a request's `after` or `before` argument (BadCursor if bad);
    `prefix` tells apart two lists paged on one page (`earlier_after`); `parse` reads a
    list's own kind of key (the work list's, eip.cases.queries.parse_work_key)."""
    after, before = args.get(prefix + "after"), args.get(prefix + "before")
    if after and before:
        raise BadCursor("both after and before")
    if after:
        return Position(parse(after))
    if before:
        return Position(parse(before), backwards=True)
    return Position()


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    next_after: str | None  # the token for the "next" link, None on the last page
    prev_before: str | None  # the token for the "previous" link, None on the first page


# A home page's counts stop here: "1,000 or more" (eip.formatting.count_text), so that no
# page reads a number of rows that grows with the number of cases.
COUNT_CAP = 1000


def capped(query: Select):
    """A scalar subquery counting `query`'s rows no further than COUNT_CAP: a LIMITed read,
    to sit beside others in one statement."""
    limited = query.with_only_columns(literal_column("1")).order_by(None).limit(COUNT_CAP)
    return select(func.count()).select_from(limited.subquery()).scalar_subquery()


def bounded_count(session: Session, query: Select, bound: int) -> int:
    """How many rows `query` has, counting no further than `bound` + 1: a cheap "N rows" or
    "more than `bound`" where a full COUNT(*) would read every matching row."""
    limited = query.with_only_columns(literal_column("1")).order_by(None).limit(bound + 1)
    return session.scalar(select(func.count()).select_from(limited.subquery())) or 0


def _part(keyed: Select, key_col, id_col, key: Key | None, backwards: bool, dated: bool, limit):
    """One ordered, limited range: the dated rows or the undated ones, beyond `key` (its
    values named parameters, `_key_params`)."""
    at, row_id = bindparam("page_at", type_=key_col.type), bindparam("page_id", type_=id_col.type)
    if dated:
        query = keyed.where(key_col.is_not(None))
        if key is not None and key.at is not None:
            row, bound = tuple_(key_col, id_col), tuple_(at, row_id)
            query = query.where(row > bound if backwards else row < bound)
        order = (key_col.asc(), id_col.asc()) if backwards else (key_col.desc(), id_col.desc())
    else:
        query = keyed.where(key_col.is_(None))
        if key is not None and key.at is None:
            query = query.where(id_col > row_id if backwards else id_col < row_id)
        order = (id_col.asc(),) if backwards else (id_col.desc(),)
    return query.order_by(*order).limit(limit)


def _key_params(key: Key | None) -> dict[str, Any]:
    return {} if key is None else {"page_at": key.at, "page_id": key.id}


def _fetch(session, query, model, key_col, id_col, key, backwards, nullable, options, limit, kept):
    """The page's rows; with `kept` = (cache key, parameters), its statement built once."""
    if kept is None:
        statement = _statement(
            query, model, key_col, id_col, key, backwards, nullable, options, limit
        )
        params = _key_params(key)
    else:
        cache_key, params = kept
        # Everything that shapes the statement, beside the caller's own key.
        shape = (key is None, key is not None and key.at is None, backwards, nullable, limit)
        statement = statement_cache.cached(
            (cache_key, *shape),
            lambda: _statement(
                query(), model, key_col, id_col, key, backwards, nullable, options, limit
            ),
        )
        params = {**params, **_key_params(key)}
    if statement is None:
        return []
    result = session.execute(statement, params)
    return list(result if isinstance(model, Select) else result.scalars())


def _statement(query, model, key_col, id_col, key, backwards, nullable, options, limit):
    keyed = query.with_only_columns(id_col.label("id"), key_col.label("k")).order_by(None)
    if backwards:
        # Back from an undated row: the undated rows above it, then the dated ones.
        parts = [] if key is None or key.at is not None or not nullable else ["undated"]
        parts.append("dated")
    else:
        parts = [] if key is not None and key.at is None else ["dated"]
        if nullable:
            parts.append("undated")
    if not parts:
        return None  # forwards from an undated row of a list that has none: nothing follows
    selects = [
        _part(keyed, key_col, id_col, key, backwards, part == "dated", limit) for part in parts
    ]
    if len(selects) == 1:
        ids = selects[0].subquery()
    else:
        ids = union_all(*(select(*s.subquery().c) for s in selects)).subquery()
    if backwards:
        order = (ids.c.k.asc().nulls_first(), ids.c.id.asc())
    else:
        order = (ids.c.k.desc().nulls_last(), ids.c.id.desc())
    return (
        (model if isinstance(model, Select) else select(model))
        .join(ids, id_col == ids.c.id)
        .order_by(*order)
        .limit(limit)
        .options(*options)
    )


def fetch_page(
    session: Session,
    query: Select,
    model: Any,
    key_col: Any,
    id_col: Any,
    position: Position,
    size: int,
    *,
    nullable: bool = True,
    options: Sequence[Any] = (),
    kept: tuple[Hashable, dict[str, Any]] | None = None,
) -> Page:
    """One page of `query`'s rows (a select of `model`, unordered) in `key DESC NULLS LAST,
    id DESC` order, starting at `position`: one statement. A filter belongs in `query`, in
    SQL (the case list's "overdue only" is an EXISTS), so that the page stops at its limit.
    `model` is a mapped class (the page's rows are its objects) or a select of the columns a
    list shows, joined from the table of `id_col` (its rows are Row tuples, which cost a
    fraction of loading objects); either way the rows name `key_col` and `id_col` as those
    columns' keys. `kept` = (cache key, parameters): keep the statement under that key
    (eip/statement_cache.py, which says what the key must hold) and run it with those
    values of its named parameters; `query` is then a function that builds the select,
    called only the first time."""
    key_of = _key_getter(key_col, id_col)
    backwards = position.backwards
    key = position.key
    rows = _fetch(
        session, query, model, key_col, id_col, key, backwards, nullable, options, size + 1, kept
    )
    more = len(rows) > size
    rows = rows[:size]
    if not backwards:
        return Page(
            rows=rows,
            next_after=key_of(rows[-1]).token() if more else None,
            prev_before=key_of(rows[0]).token() if position.key is not None and rows else None,
        )
    if not more and len(rows) < size:
        # Back past the start (rows were added or removed meanwhile): the first page.
        first = Position()
        return fetch_page(
            session,
            query,
            model,
            key_col,
            id_col,
            first,
            size,
            nullable=nullable,
            options=options,
            kept=kept,
        )
    rows.reverse()
    return Page(
        rows=rows,
        next_after=key_of(rows[-1]).token() if rows else None,
        prev_before=key_of(rows[0]).token() if more else None,
    )


def _key_getter(key_col, id_col) -> Callable[[Any], Key]:
    key_name, id_name = key_col.key, id_col.key
    return lambda item: Key(getattr(item, key_name), getattr(item, id_name))
