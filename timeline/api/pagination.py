"""DRF's numbered pages for every list; its cursor pages for walking the events far."""

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response


class PageNumberPagination(pagination.PageNumberPagination):
    """Numbered pages; clients may ask for up to ``max_page_size`` results."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class EventCursorPagination(pagination.CursorPagination):
    """DRF's cursor pages over the events in the list's own order, with ``count``."""

    page_size = PageNumberPagination.page_size
    page_size_query_param = "page_size"
    max_page_size = PageNumberPagination.max_page_size

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
        self.cursor = EventCursorPagination()
        fields = {name.lstrip("-") for name in queryset.query.order_by} - {"pk"}
        rows = self.cursor.paginate_queryset(queryset.values("pk", *fields), request, view)
        self.cursor.count = queryset.count()
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
