"""DRF's numbered pages for every list; its cursor pages for walking the events far.

Why Django's paginator gets a kept count: COUNT is the one query of a list that
grows with the matches. At a million events a search's count took 895 ms of a
page whose events took 5 (bench/RESULTS.md, E q, when nothing was kept). A
public list's count is the same for every page of one filter until something
is written, so it is kept under the content generation (``timeline.generations``)
and the filter's parameters: exact, like the cached responses.
"""

import hashlib

from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from timeline.api.caching import CACHE_SECONDS


class KeptCountPaginator(Paginator):
    """Django's paginator, with ``count`` kept in the cache under ``key`` (None: counted)."""

    def __init__(self, object_list, per_page, *, key: str | None = None):
        super().__init__(object_list, per_page)
        self.key = key

    @cached_property
    def count(self) -> int:
        if self.key is None:
            return super().count
        count = cache.get(self.key)
        if count is None:
            count = super().count
            cache.set(self.key, count, CACHE_SECONDS)
        return count


def requested_page_size(request, *, default: int, maximum: int) -> int:
    """``page_size`` from the query string: at most ``maximum``; not a whole number from 1 → 400.

    DRF's paginators quietly use their default for ``page_size=0`` or ``abc``; a
    client that asked for something else should hear that it did not get it.
    """
    value = request.query_params.get("page_size", "").strip()
    if not value:
        return default
    try:
        size = int(value)
    except ValueError:
        size = 0
    if size < 1:
        raise ValidationError({"page_size": [f"Send a whole number from 1 to {maximum}."]})
    return min(size, maximum)


class PageNumberPagination(pagination.PageNumberPagination):
    """Numbered pages; clients may ask for up to ``max_page_size`` results."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    view = None
    django_paginator = None

    def get_page_size(self, request):
        return requested_page_size(request, default=self.page_size, maximum=self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self.view = view
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            # DRF answers a page that is not one with a 404, as if the list were missing.
            pages = self.django_paginator.num_pages
            message = f"Not a page of this list: send a number from 1 to {pages}."
            raise ValidationError({self.page_query_param: [message]}) from None

    def django_paginator_class(self, object_list, per_page):
        self.django_paginator = KeptCountPaginator(object_list, per_page, key=self.count_key())
        return self.django_paginator

    def count_key(self) -> str | None:
        """Where a public list's count is kept; None for editors' reads (drafts, fresh writes).

        ReadCacheMiddleware sets the generation on credential-free reads only.
        """
        request = self.request
        generation = getattr(request, "content_generation", None)
        if generation is None:
            return None
        # The count depends on the list and its filters, not on the page, its size or
        # any other parameter.
        filters = getattr(getattr(self.view, "filterset_class", None), "base_filters", {})
        given = sorted((name, request.query_params.getlist(name)) for name in filters)
        digest = hashlib.sha256(repr((request.path, given)).encode()).hexdigest()[:24]
        return f"timeline:count:{generation}:{digest}"


class EventCursorPagination(pagination.CursorPagination):
    """DRF's cursor pages over the events in the list's own order, with ``count``."""

    page_size = PageNumberPagination.page_size
    page_size_query_param = "page_size"
    max_page_size = PageNumberPagination.max_page_size

    def get_page_size(self, request):
        return requested_page_size(request, default=self.page_size, maximum=self.max_page_size)

    def get_ordering(self, request, queryset, view):
        # The ordering the list's filters gave it (``ordering``, else by date).
        return queryset.query.order_by

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            message = "Not a cursor of this list: follow a next link."
            raise ValidationError({"cursor": [message]}) from None

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )


class EventPagination(PageNumberPagination):
    """Numbered pages, or with ``cursor`` DRF's cursor pages: as fast at any depth.

    ``page=5000`` makes the database read and skip 250,000 events first; a
    cursor starts where the last page ended, on the index. Send ``cursor=``
    (empty) for the first page, then follow ``next``. Either way the page is
    the events' ids (``timeline.api.documents`` builds them).
    """

    cursor = None

    def paginate_queryset(self, queryset, request, view=None):
        if "cursor" not in request.query_params:
            return list(
                super().paginate_queryset(queryset.values_list("pk", flat=True), request, view)
            )
        self.request, self.view = request, view
        self.cursor = EventCursorPagination()
        fields = {name.lstrip("-") for name in queryset.query.order_by} - {"pk"}
        rows = self.cursor.paginate_queryset(queryset.values("pk", *fields), request, view)
        self.cursor.count = self.django_paginator_class(queryset, 1).count
        return [row["pk"] for row in rows]

    def get_paginated_response(self, data):
        if self.cursor is not None:
            return self.cursor.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Read pages by cursor instead of number: empty for the first "
                "page, then the `next` or `previous` link's. A page is then as fast at the "
                "millionth event as at the first.",
                "schema": {"type": "string"},
            },
        ]
