"""One JSON error shape for every API error.

``{"detail": "...", "code": "...", "errors": {"field": ["message", ...]}}`` —
``errors`` appears for validation failures and names each bad field or query
parameter.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # A model rule raised outside a serializer: still a 400 naming the field.
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = ", ".join(errors)
        response.data = {
            "detail": f"Invalid input: {fields}.",
            "code": "invalid",
            "errors": errors,
        }
    else:
        response.data = {"detail": str(exc.detail), "code": exc.get_codes()}
    return response
