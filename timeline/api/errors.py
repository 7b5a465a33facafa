"""One JSON error shape for every API error.

``{"detail": "...", "code": "...", "errors": {"field": ["message", ...]}}`` —
``errors`` appears for validation failures and names each bad field or query
parameter; nested fields are named by path, e.g. ``citations.1.source``.
A 412 also carries ``current_version`` and sends the current ``ETag``.
"""

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from sources.versioning import VersionConflict
from timeline.api.conditional import PreconditionFailed, etag
from timeline.api.parsers import RequestTooLarge


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors as one level, keyed by dotted path."""
    if isinstance(errors, dict):
        flat = {}
        for key, value in errors.items():
            flat |= _flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return flat
    if isinstance(errors, list) and any(isinstance(item, dict | list) for item in errors):
        flat = {}
        for index, value in enumerate(errors):
            if value:
                flat |= _flatten(value, f"{prefix}.{index}" if prefix else str(index))
        return flat
    messages = errors if isinstance(errors, list) else [errors]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


def _protected_detail(exc: ProtectedError | RestrictedError) -> str:
    found = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    blocking = sorted({f"{obj._meta.verbose_name} {obj}" for obj in found if obj is not None})
    shown = "; ".join(blocking[:5]) + ("; …" if len(blocking) > 5 else "")
    return f"Still in use, so it was not deleted: {shown}. Remove those references first."


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # A model rule raised outside a serializer: still a 400 naming the field.
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge(
            f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
        )
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(str(exc) or "The request could not be read.")
    elif isinstance(exc, VersionConflict):
        exc = PreconditionFailed(exc.current_version)
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = Conflict(_protected_detail(exc))
    elif isinstance(exc, IntegrityError):
        # A uniqueness race that validation could not see (two creates at once).
        exc = Conflict("This conflicts with data saved at the same moment; read it and retry.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        errors = _flatten(detail)
        fields = ", ".join(errors)
        response.data = {
            "detail": f"Invalid input: {fields}.",
            "code": "invalid",
            "errors": errors,
        }
    else:
        response.data = {"detail": str(exc.detail), "code": exc.get_codes()}
    if isinstance(exc, PreconditionFailed):
        response.data["current_version"] = exc.current_version
        response["ETag"] = etag(exc.current_version)
    return response
