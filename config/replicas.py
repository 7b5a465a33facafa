"""Read replicas: a GET, HEAD or OPTIONS without credentials reads from one replica, taken
in turn; everything else uses the primary, so that editors see their own writes at once.

A routed request reads everything from its one replica, the content generation included:
the primary bumps the generation after the write's commit and a request reads it before the
data, so nothing older is ever cached under a newer generation. A replica that cannot be
reached is left out for ``RETRY_SECONDS``. docs/scaling.md, "Read replicas", says more.
"""

import contextvars
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

RETRY_SECONDS = 30

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_reading_from: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "reading_from", default=None
)


class ReplicaRouter:
    """Reads where the current request was routed to; writes and migrations on the primary."""

    def db_for_read(self, model, **hints):
        return _reading_from.get()

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Every alias holds the same data: objects read anywhere may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def carries_credentials(request) -> bool:
    """An API token or a session cookie: a request that may see what readers cannot."""
    return "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES


class ReadReplicaMiddleware:
    """Routes a credential-free read to the next replica for the whole of its request."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._lock = threading.Lock()
        self._turn = 0
        self._down_until: dict[str, float] = {}

    def _next_replica(self) -> str | None:
        """The next replica that answers, or None for the primary."""
        aliases = settings.DATABASE_READ_REPLICAS
        if not aliases:
            return None
        with self._lock:
            first = self._turn % len(aliases)
            self._turn += 1
        now = time.monotonic()
        for alias in aliases[first:] + aliases[:first]:
            if self._down_until.get(alias, 0) > now:
                continue
            if self._reachable(alias):
                self._down_until.pop(alias, None)
                return alias
            self._down_until[alias] = now + RETRY_SECONDS
        return None

    @staticmethod
    def _reachable(alias: str) -> bool:
        """Django's health check of a request's first query (CONN_HEALTH_CHECKS), made earlier."""
        connection = connections[alias]
        try:
            connection.close_if_health_check_failed()
            connection.ensure_connection()
        except DatabaseError as exc:
            logger.warning(
                "Read replica %s is unreachable (%s): its reads go elsewhere for %d s.",
                alias,
                exc,
                RETRY_SECONDS,
            )
            return False
        return True

    def __call__(self, request):
        credential_free_read = request.method in READ_METHODS and not carries_credentials(request)
        alias = self._next_replica() if credential_free_read else None
        if alias is None:
            return self.get_response(request)
        token = _reading_from.set(alias)
        try:
            return self.get_response(request)
        finally:
            _reading_from.reset(token)
