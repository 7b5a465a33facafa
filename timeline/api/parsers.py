"""Request parsers that refuse oversized bodies with a 413."""

from django.conf import settings
from rest_framework import parsers, status
from rest_framework.exceptions import APIException

from sources.ingest import MAX_TEXT_BYTES


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


class JSONParser(parsers.JSONParser):
    # DRF reads a JSON body through request.body, which Django limits to
    # DATA_UPLOAD_MAX_MEMORY_SIZE (RequestDataTooBig, answered as a 413 by
    # timeline.api.errors); the declared length is checked first all the same.
    def parse(self, stream, media_type=None, parser_context=None):
        _check_size(parser_context, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return super().parse(stream, media_type, parser_context)


class MultiPartParser(parsers.MultiPartParser):
    # An uploaded article: the text limit plus room for the form's other fields.
    def parse(self, stream, media_type=None, parser_context=None):
        _check_size(parser_context, MAX_TEXT_BYTES + 64 * 1024)
        return super().parse(stream, media_type, parser_context)
