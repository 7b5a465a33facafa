from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Numbered pages; clients may ask for up to ``max_page_size`` results."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
