"""Request parsers with bounded input: oversized bodies are a 413, deep nesting a 400."""

from django.conf import settings
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError

from sources.ingest import MAX_TEXT_BYTES

# No write body nests deeper than about ten levels (a timeline as read, sent back); deeper
# JSON is refused before anything walks it recursively (validation, messages, rendering).
MAX_JSON_DEPTH = 32


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


def _check_size(parser_context, limit: int) -> None:
    request = parser_context["request"]
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise RequestTooLarge(f"The request body is {length} bytes; the limit is {limit} bytes.")


def _nested_deeper_than(data, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` levels (walked without recursion)."""
    containers = [(data, 1)]
    while containers:
        value, depth = containers.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        containers.extend(
            (child, depth + 1) for child in children if isinstance(child, dict | list)
        )
    return False


class JSONParser(parsers.JSONParser):
    # DRF reads a JSON body through request.body, which Django limits to
    # DATA_UPLOAD_MAX_MEMORY_SIZE (RequestDataTooBig, answered as a 413 by
    # timeline.api.errors); the declared length is checked first all the same.
    def parse(self, stream, media_type=None, parser_context=None):
        _check_size(parser_context, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        too_deep = ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # The json module's decoder recurses once per level: "[" * 100_000 overflows it.
            raise too_deep from None
        if isinstance(data, dict | list) and _nested_deeper_than(data, MAX_JSON_DEPTH):
            raise too_deep
        return data


class MultiPartParser(parsers.MultiPartParser):
    # An uploaded article: the text limit plus room for the form's other fields.
    def parse(self, stream, media_type=None, parser_context=None):
        _check_size(parser_context, MAX_TEXT_BYTES + 64 * 1024)
        return super().parse(stream, media_type, parser_context)
