"""Numbered pages whose total is counted once per generation of the content.

COUNT is the one query of a list that grows with the data: 34 ms of a
100-event page at 100,000 events, where the page itself took 1 ms
(EXPLAIN ANALYZE, bench/README.md). A public list's count is the same for
every page and page size of one filter until something is written, so it
is kept in the cache under the content generation and what the count
depends on: the filter's parameters for events, the count's own SQL
elsewhere. Exact, like the cached responses (``timeline.api.caching``).
"""

import base64
import datetime
import hashlib
import json

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from timeline.api import caching

COUNT_SECONDS = caching.CACHE_SECONDS


class CountCachingPaginator(Paginator):
    """Django's paginator, with ``count`` read from the cache at a known generation."""

    def __init__(
        self, object_list, per_page, *, generation: int | None, key: str | None = None, **kwargs
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.generation = generation
        self.key = key

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if self.generation is None or query is None:
            return super().count
        what = self.key
        if what is None:
            try:
                what = repr(query.get_compiler(self.object_list.db).as_sql())
            except EmptyResultSet:  # .none(): counted without a query
                return super().count
        digest = hashlib.sha256(what.encode()).hexdigest()[:24]
        key = f"timeline:count:{self.generation}:{digest}"
        count = cache.get(key)
        if count is None:
            count = super().count
            cache.set(key, count, COUNT_SECONDS)
        return count


class PageNumberPagination(pagination.PageNumberPagination):
    """Numbered pages; clients may ask for up to ``max_page_size`` results."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self.count_for(request, view)
        return super().paginate_queryset(queryset, request, view)

    def count_for(self, request, view) -> None:
        """Where this request's count is kept: its generation (editors' reads, with
        drafts, have none and count every time) and what else it depends on."""
        self.generation = caching.generation_of(request)
        self.count_key = self.count_key_of(request, view)

    def count_key_of(self, request, view) -> str | None:
        """What the count depends on besides the generation (None: its compiled SQL)."""
        return None

    def django_paginator_class(self, object_list, per_page):
        return CountCachingPaginator(
            object_list, per_page, generation=self.generation, key=self.count_key
        )


class EventPagination(PageNumberPagination):
    """Numbered pages, or pages after (or before) a cursor, for walking far.

    ``page=5000`` makes the database read and skip 250,000 events first; a
    cursor names the last event seen (its values of the sort keys), and the
    next page is read from there on the index, however deep. Send
    ``cursor=`` (empty) for the first page, then follow ``next``.
    """

    cursor_query_param = "cursor"

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Read pages by cursor instead of number: empty for the first "
                "page, then the `next` or `previous` link's. A page is then as fast at the "
                "millionth event as at the first.",
                "schema": {"type": "string"},
            },
        ]

    keyset = None

    def count_key_of(self, request, view) -> str | None:
        # A public events list is its filters' parameters and nothing else
        # (EventViewSet.get_queryset reads none for anonymous reads): they
        # name the count without compiling its SQL (0.3 ms a page).
        names = getattr(getattr(view, "filterset_class", None), "base_filters", None)
        if names is None:
            return None
        given = sorted(
            (name, request.query_params.getlist(name))
            for name in names
            if name in request.query_params
        )
        return repr((request.path, given))

    def paginate_ids(self, queryset, request, view=None) -> list[int]:
        """The ids of the page's rows, by number or by cursor."""
        if self.cursor_query_param not in request.query_params:
            return self.paginate_queryset(queryset.values_list("pk", flat=True), request, view)
        self.request = request
        self.count_for(request, view)
        self.keyset = Keyset(queryset, request.query_params[self.cursor_query_param])
        self.count = self.django_paginator_class(queryset.values_list("pk", flat=True), 1).count
        return self.keyset.page(self.get_page_size(request))

    def get_paginated_response(self, data):
        if self.keyset is None:
            return super().get_paginated_response(data)
        return Response(
            {
                "count": self.count,
                "next": self._link(self.keyset.next_cursor),
                "previous": self._link(self.keyset.previous_cursor),
                "results": data,
            }
        )

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)


class Keyset:
    """One page of a queryset after or before a row, by the values of its sort keys.

    The queryset's ordering must end with a unique key (the events' orderings
    end with ``pk``), so that every row has one place.
    """

    def __init__(self, queryset, token: str):
        self.queryset = queryset
        self.ordering = [name for name in queryset.query.order_by if isinstance(name, str)]
        if len(self.ordering) != len(queryset.query.order_by) or self.ordering[-1] != "pk":
            raise ValueError("A keyset needs an ordering of field names ending with pk.")
        self.names = [name.removeprefix("-") for name in self.ordering]
        self.forward, self.values = True, None
        if token:
            self.forward, self.values = self._decode(token)

    def page(self, size: int) -> list[int]:
        ordering = self.ordering if self.forward else [_flip(name) for name in self.ordering]
        queryset = self.queryset.order_by(*ordering)
        if self.values is not None:
            queryset = queryset.filter(_beyond(ordering, self.values))
        rows = list(queryset.values_list("pk", *self.names)[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if not self.forward:
            rows.reverse()
        came_from_somewhere = self.values is not None
        self.next_cursor = self.previous_cursor = None
        if rows and (more if self.forward else came_from_somewhere):
            self.next_cursor = self._encode(True, rows[-1][1:])
        if rows and (came_from_somewhere if self.forward else more):
            self.previous_cursor = self._encode(False, rows[0][1:])
        return [row[0] for row in rows]

    def _encode(self, forward: bool, values) -> str:
        document = [forward, self.ordering, [_plain(value) for value in values]]
        return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")

    def _decode(self, token: str):
        invalid = ValidationError({"cursor": ["Not a cursor of this list: follow a next link."]})
        try:
            padded = token + "=" * (-len(token) % 4)
            forward, ordering, values = json.loads(base64.urlsafe_b64decode(padded))
            if ordering != self.ordering or len(values) != len(self.names):
                raise invalid
            model = self.queryset.model
            fields = [model._meta.pk if n == "pk" else model._meta.get_field(n) for n in self.names]
            return bool(forward), [f.to_python(v) for f, v in zip(fields, values, strict=True)]
        except (ValueError, TypeError, DjangoValidationError, FieldDoesNotExist):
            raise invalid from None


def _flip(name: str) -> str:
    return name.removeprefix("-") if name.startswith("-") else f"-{name}"


def _plain(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def _beyond(ordering: list[str], values: list) -> Q:
    """The rows after ``values`` in ``ordering``: (a > x) or (a = x and b > y) or …

    The first key's bound (a ≥ x) is repeated on its own, so that the
    database starts its index scan there instead of at the first row.
    """
    beyond, equal = Q(), Q()
    for name, value in zip(ordering, values, strict=True):
        field = name.removeprefix("-")
        beyond |= equal & Q(**{f"{field}__{'lt' if name.startswith('-') else 'gt'}": value})
        equal &= Q(**{field: value})
    first = ordering[0]
    bound = "lte" if first.startswith("-") else "gte"
    return Q(**{f"{first.removeprefix('-')}__{bound}": values[0]}) & beyond
