"""Paging through long lists of complaints without scanning them.

Numbered pages cost an OFFSET: page 25,000 of a million complaints makes the
database walk 500,000 rows first, and "page 1 of 50,000" costs an exact
COUNT(*) over the whole set on every view. Instead the lists use keyset
paging: a link to the next page carries the sort key of the last row shown
("after"), the previous page the key of the first ("before"), and the query
asks for rows beyond that key in index order, LIMIT one page. Every page,
the first or the millionth, reads about one page of index entries (see the
partial indexes on Complaint). Counts are capped the same way: COUNT_CAP + 1
rows at most are counted, and more is shown as "more than COUNT_CAP".
"""

import base64
import datetime
import math
import re
import struct
from dataclasses import dataclass, field, replace

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Lookup, Q
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

COUNT_CAP = 1000
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Sort:
    """An ordering the pager can walk: fields that end in the primary key, in one direction
    but for `against` (walked with a comparison per field rather than one row comparison,
    so no index can serve it whole: for short tables, like the directory's companies)."""

    fields: tuple[str, ...]
    descending: bool
    # Keys that are no column: (name, expression) pairs, annotated on the rows. An index
    # on the very same expression makes them as cheap to walk as a column (the inbox).
    expressions: tuple[tuple[str, object], ...] = ()
    # How a cursor carries each key that is not a plain integer: moments as microseconds
    # since 1970, yes/no as 1/0.
    moments: frozenset = frozenset({"published_at", "created_at"})
    flags: frozenset = frozenset()
    # Text keys travel as base64url of their UTF-8; decimal keys (a score) as the bits of
    # their 64-bit float, so that a cursor brings back exactly the value compared.
    texts: frozenset = frozenset()
    floats: frozenset = frozenset()
    # Fields sorted the other way (a name A to Z after a count, most first).
    against: frozenset = frozenset()

    # Columns that a filter holds to one value, ordered first: they change no order, but let
    # the database read an index that starts with them (complaint_public_list for a status).
    leading: tuple[str, ...] = ()

    def order_by(self, reverse=False) -> list:
        descending = self.descending != reverse
        # Such indexes hold the leading columns ascending and the sort's newest first.
        lead = [F(name).asc() if descending else F(name).desc() for name in self.leading]
        return lead + [F(name).desc() if descending != (name in self.against) else F(name).asc()
                       for name in self.fields]

    def led_by(self, *names: str) -> "Sort":
        return replace(self, leading=names)

    def annotate(self, queryset):
        return queryset.annotate(**dict(self.expressions)) if self.expressions else queryset


class OneOf(Lookup):
    """`column = ANY(values)` on PostgreSQL (IN elsewhere), for a filter that holds a column
    to one value while the order starts with that column (Sort.leading).

    Written as `column = value`, PostgreSQL knows the column is constant and drops it from
    the order; it may then pick an index on the other sort columns and filter it, reading
    every newer row of other statuses first (100,000 for a page of closed complaints at a
    million). `= ANY` keeps the column in the order, so the index that starts with it and
    holds its rows in date order is the one that fits.
    """

    lookup_name = "one_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, list(self.rhs)]
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*params, *self.rhs]


class BadCursor(ValueError):
    """A page link that was not made by us (or by an older version)."""


# A cursor carries at most a company name (200 characters) and two numbers.
MAX_CURSOR = 1200


def encode_cursor(values) -> str:
    """Sort key values as a short string of integers: "1731000000123456.42"; texts as base64url."""
    parts = []
    for value in values:
        if isinstance(value, str):
            parts.append(base64.urlsafe_b64encode(value.encode()).decode().rstrip("="))
            continue
        if isinstance(value, datetime.datetime):
            value = (value - EPOCH) // datetime.timedelta(microseconds=1)
        elif isinstance(value, float):
            value = struct.unpack(">q", struct.pack(">d", value))[0]
        parts.append(str(int(value)))
    return ".".join(parts)


def _text(part: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", part):
        raise ValueError(part)
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()


def decode_cursor(text: str, sort: Sort) -> tuple:
    parts = text.split(".")
    if len(parts) != len(sort.fields) or len(text) > (MAX_CURSOR if sort.texts else 100):
        raise BadCursor(text)
    values = []
    for name, part in zip(sort.fields, parts, strict=True):
        if name in sort.texts:
            try:
                values.append(_text(part))
            except (ValueError, UnicodeDecodeError):
                raise BadCursor(text) from None
            continue
        try:
            number = int(part)
        except ValueError:
            raise BadCursor(text) from None
        if name in sort.moments:
            try:
                values.append(EPOCH + datetime.timedelta(microseconds=number))
            except OverflowError:
                raise BadCursor(text) from None
        elif name in sort.flags:
            if number not in (0, 1):
                raise BadCursor(text)
            values.append(bool(number))
        elif name in sort.floats:
            try:
                decimal = struct.unpack(">d", struct.pack(">q", number))[0]
            except struct.error:
                raise BadCursor(text) from None
            if math.isnan(decimal):
                raise BadCursor(text)
            values.append(decimal)
        elif not 0 <= number < 2**63:
            raise BadCursor(text)
        else:
            values.append(number)
    return tuple(values)


@dataclass
class KeysetPage:
    items: list
    next_cursor: str = ""
    previous_cursor: str = ""
    extra: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _values(item, sort: Sort) -> tuple:
    return tuple(getattr(item, "pk" if name == "id" else name) for name in sort.fields)


def _key(item, sort: Sort) -> str:
    return encode_cursor(_values(item, sort))


def _rows(queryset, sort: Sort, *, beyond, reverse: bool, limit: int, parts) -> list:
    """Up to `limit` rows past `beyond` in `sort` order (reversed: walking back).

    With `parts` (querysets that together hold the rows of `queryset`, such as one per
    company), each part is read on its own through its index and the pieces merged here:
    an IN list over several companies would make the database read every row of all of
    them to sort them.
    """
    querysets = [sort.annotate(part) for part in parts] if parts else [queryset]
    rows = []
    for part in querysets:
        if beyond is not None:
            part = part.filter(beyond)
        rows += part.order_by(*sort.order_by(reverse=reverse))[:limit]
    if len(querysets) > 1:
        rows.sort(key=lambda row: _values(row, sort), reverse=sort.descending != reverse)
    return rows[:limit]


def _beyond(sort: Sort, values: tuple, *, forward: bool):
    """The rows after (forward) or before the key `values` in `sort` order."""
    if not sort.against:
        # One row comparison, which an index on the same fields serves.
        key = Tuple(*[F(name) for name in sort.fields])
        later = TupleLessThan if sort.descending == forward else TupleGreaterThan
        return later(key, values)
    # Mixed directions: a field further on in its own direction, the ones before it equal.
    beyond, equal = Q(), Q()
    for name, value in zip(sort.fields, values, strict=True):
        descending = sort.descending != (name in sort.against)
        further = "lt" if descending == forward else "gt"
        beyond |= equal & Q(**{f"{name}__{further}": value})
        equal &= Q(**{name: value})
    return beyond


def keyset_page(queryset, sort: Sort, *, per_page: int, after: str = "", before: str = "",
                parts=None) -> KeysetPage:
    """One page of `queryset` in `sort` order, after or before a cursor. Raises BadCursor."""
    queryset = sort.annotate(queryset)
    if before:
        beyond = _beyond(sort, decode_cursor(before, sort), forward=False)
        rows = _rows(queryset, sort, beyond=beyond, reverse=True, limit=per_page + 1, parts=parts)
        more_before = len(rows) > per_page
        rows = rows[:per_page][::-1]
        return KeysetPage(
            rows,
            next_cursor=_key(rows[-1], sort) if rows else "",
            previous_cursor=_key(rows[0], sort) if rows and more_before else "",
        )
    beyond = _beyond(sort, decode_cursor(after, sort), forward=True) if after else None
    rows = _rows(queryset, sort, beyond=beyond, reverse=False, limit=per_page + 1, parts=parts)
    more_after = len(rows) > per_page
    rows = rows[:per_page]
    return KeysetPage(
        rows,
        next_cursor=_key(rows[-1], sort) if rows and more_after else "",
        previous_cursor=_key(rows[0], sort) if rows and after else "",
    )


def capped_count(queryset, cap: int | None = None) -> tuple[int, bool]:
    """How many rows, counting no further than cap + 1; and whether it was capped."""
    cap = COUNT_CAP if cap is None else cap
    count = queryset.order_by()[: cap + 1].count()
    return min(count, cap), count > cap


def capped_counts(querysets: dict, cap: int | None = None) -> dict[str, tuple[int, bool]]:
    """capped_count of several querysets of one database, in one query (one round trip
    instead of one each: the business inbox counts seven views on every page)."""
    cap = COUNT_CAP if cap is None else cap
    counted = counts({name: queryset.order_by().values("pk")[: cap + 1] for name, queryset in querysets.items()})
    return {name: (min(count, cap), count > cap) for name, count in counted.items()}


def counts(querysets: dict) -> dict[str, int]:
    """How many rows each queryset (of one database) holds, all counted in one query."""
    if not querysets:
        return {}
    parts, params = [], []
    for queryset in querysets.values():
        if not queryset.query.is_sliced:  # (a sliced one was given without an order)
            queryset = queryset.order_by()  # an order is no use to a count, and would change a DISTINCT
        if queryset._fields is None:  # rows, not values: only their keys are read, from an index if it can
            queryset = queryset.values("pk")
        try:
            sql, part_params = queryset.query.sql_with_params()
        except EmptyResultSet:
            sql, part_params = "SELECT 1 WHERE FALSE", ()
        # The SQL is the ORM's own, with every value a bound parameter.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")  # noqa: S608
        params += part_params
    connection = connections[next(iter(querysets.values())).db]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(querysets, row, strict=True))


def keyset_page_or_first(queryset, sort: Sort, *, per_page: int, after="", before="",
                         parts=None) -> tuple[KeysetPage, bool]:
    """The page after or before a cursor; the first page, and True, if the link is bad."""
    try:
        return keyset_page(queryset, sort, per_page=per_page, after=after, before=before, parts=parts), False
    except BadCursor:
        return keyset_page(queryset, sort, per_page=per_page, parts=parts), True
