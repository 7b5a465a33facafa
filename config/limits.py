"""Refuse query strings with too many parameters or absurdly long values.

No view here needs more than a handful of parameters or a value longer than
a search phrase; larger ones are typos, abuse or fuzzers, and refusing them
before any view parses them keeps filters and the database from doing
pointless work. Under /api/ the 400 is in the API's one error shape and names
the parameter; elsewhere it is a short plain-text page.
"""

from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpResponse, JsonResponse


def _problem(query_string: str) -> tuple[str, str | None] | None:
    """What is wrong with the query string (message, parameter), or None."""
    limit = settings.TIMELINE_MAX_QUERY_PARAMS
    longest = settings.TIMELINE_MAX_QUERY_VALUE_LENGTH
    # A cheap bound first: the whole string cannot hold more than this.
    if len(query_string) > limit * (longest + 64):
        return f"The query string is longer than {limit * (longest + 64)} characters.", None
    pairs = parse_qsl(query_string, keep_blank_values=True, max_num_fields=None)
    if len(pairs) > limit:
        return f"Too many query parameters ({len(pairs)}); send at most {limit}.", None
    for name, value in pairs:
        if len(name) > 64:
            return "A query parameter's name is longer than 64 characters.", None
        if len(value) > longest:
            return f"Ensure this value has at most {longest} characters.", name
    return None


class QueryStringLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = _problem(request.META.get("QUERY_STRING", ""))
        if problem is None:
            return self.get_response(request)
        message, parameter = problem
        if not request.path.startswith("/api/"):
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        body = {"detail": f"Invalid input: {parameter}." if parameter else message}
        body["code"] = "invalid" if parameter else "query_too_large"
        if parameter:
            body["errors"] = {parameter: [message]}
        return JsonResponse(body, status=400)
