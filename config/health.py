"""Liveness and readiness probes for load balancers and orchestrators."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.deadlines import DeadlineExceeded, deadline


@never_cache
@require_GET
def healthz(request):
    """The process is up; says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Ready to serve: the database answers a trivial query, within TIMELINE_READY_TIMEOUT.

    A load balancer's probe gives up after a few seconds: a database that hangs
    is "unavailable" before then, not a probe timing out.
    """
    try:
        with deadline(settings.TIMELINE_READY_TIMEOUT), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except (DatabaseError, DeadlineExceeded):
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable"},
            status=503,
            headers={"Retry-After": "5"},
        )
    return JsonResponse({"status": "ok", "database": "ok"})
