"""A lost database connection is a 503 with Retry-After, not a 500.

So is a database that does not answer in time: a statement cancelled by
``statement_timeout``, or a request past its deadline (``config.deadlines``).
Only these count: a deadlock, a constraint or a validation error keeps its
own status. Connections are health-checked
(``conn_health_checks``), so once the database is back the next request
reconnects by itself, with no restart.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

from config.deadlines import DeadlineExceeded

RETRY_AFTER_SECONDS = 5
# SQLSTATE classes of a lost or refused connection: 08 (connection
# exception) and 57P01-03 (the server shutting down or starting up).
CONNECTION_SQLSTATES = ("08", "57P01", "57P02", "57P03")
# 57014: a statement cancelled, here by statement_timeout.
TIMED_OUT_SQLSTATE = "57014"


def is_connection_error(exc: BaseException | None) -> bool:
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate.startswith(CONNECTION_SQLSTATES)
    # psycopg raises client-side failures (refused, reset, timed out)
    # without a SQLSTATE; SQLite's errors are never about a connection.
    return type(cause).__module__.startswith("psycopg")


def is_unavailable(exc: BaseException | None) -> bool:
    """Lost, or too slow to answer: a 503 the client may retry."""
    if isinstance(exc, DeadlineExceeded):
        return True
    timed_out = getattr(getattr(exc, "__cause__", None), "sqlstate", None) == TIMED_OUT_SQLSTATE
    if isinstance(exc, OperationalError) and timed_out:
        return True
    return is_connection_error(exc)


def unavailable_response(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": "The database is unavailable; retry in a few seconds.",
                "code": "service_unavailable",
            },
            status=503,
        )
    else:
        response = HttpResponse(
            "<!doctype html><title>Back soon</title><h1>Back in a moment</h1>"
            "<p>The timeline is briefly unavailable. Please reload in a few seconds.</p>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answers a view's lost connection or deadline with a 503, even with DEBUG on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_unavailable(exception):
            return unavailable_response(request)
        return None


def current_exception_is_unavailable() -> bool:
    """For the 500 handler, which Django calls while handling the exception."""
    return is_unavailable(sys.exc_info()[1])
