"""Read replicas: a GET, HEAD or OPTIONS without credentials reads from one replica, taken
in turn; everything else uses the primary, so that editors see their own writes at once.

A routed request reads everything from its one replica, the content generation included:
the primary moves the generation in the write's own transaction and a request reads it
before the data, so nothing older is ever cached under a newer generation.

Whether a replica answers is checked off the request path: a thread of each worker connects
to each replica every ``PROBE_SECONDS`` (``connect_timeout`` ``PROBE_TIMEOUT``) and runs
``SELECT 1``. A request only reads what the last probes found, so a replica that hangs
(listens, never answers) costs readers nothing: it is used only while a probe finished
within ``STALE_SECONDS``, and one probe at a time waits on it. docs/scaling.md, "Read
replicas", says more.
"""

import contextvars
import logging
import threading
import time

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

PROBE_SECONDS = 5
PROBE_TIMEOUT = 2
# A replica is used while its last answered probe is this recent: three probes' time.
STALE_SECONDS = 3 * PROBE_SECONDS

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


def probe(alias: str) -> bool:
    """Whether the replica answers ``SELECT 1`` on a connection of its own (a new one)."""
    connection = connections[alias]
    params = connection.get_connection_params()
    if connection.vendor == "postgresql":
        params["connect_timeout"] = PROBE_TIMEOUT
    try:
        raw = connection.get_new_connection(params)
        try:
            raw.cursor().execute("SELECT 1")
        finally:
            raw.close()
    except Exception as exc:  # whatever the driver raises, the replica does not answer
        logger.warning("Read replica %s does not answer (%s): its reads go elsewhere.", alias, exc)
        return False
    return True


class Probes:
    """When each replica last answered, as this process's probing thread found."""

    def __init__(self):
        self.answered: dict[str, float] = {}
        self._started = False
        self._lock = threading.Lock()
        self._running: dict[str, threading.Thread] = {}
        self.stopped = threading.Event()

    def answers(self, alias: str) -> bool:
        self._start()
        return time.monotonic() - self.answered.get(alias, float("-inf")) < STALE_SECONDS

    def _start(self) -> None:
        # Started by the first request, in the worker: a thread does not survive a fork.
        if self._started:
            return
        with self._lock:
            if not self._started:
                self._started = True
                threading.Thread(target=self._loop, name="replica-probes", daemon=True).start()

    def _loop(self) -> None:
        while True:
            self.round()
            if self.stopped.wait(PROBE_SECONDS):
                return

    def round(self) -> None:
        """Probe each replica, each in a thread of its own: one that hangs holds up no other,
        and is not probed again until its probe ends."""
        for alias in settings.DATABASE_READ_REPLICAS:
            if (running := self._running.get(alias)) is not None and running.is_alive():
                continue
            thread = threading.Thread(target=self._probe, args=(alias,), daemon=True)
            self._running[alias] = thread
            thread.start()
        for thread in list(self._running.values()):
            thread.join(PROBE_TIMEOUT + 1)

    def _probe(self, alias: str) -> None:
        if probe(alias):
            self.answered[alias] = time.monotonic()


class ReadReplicaMiddleware:
    """Routes a credential-free read to the next replica for the whole of its request."""

    probes = Probes()

    def __init__(self, get_response):
        self.get_response = get_response
        self._lock = threading.Lock()
        self._turn = 0

    def _next_replica(self) -> str | None:
        """The next replica that answered its last probes, or None for the primary."""
        aliases = settings.DATABASE_READ_REPLICAS
        if not aliases:
            return None
        with self._lock:
            first = self._turn % len(aliases)
            self._turn += 1
        for alias in aliases[first:] + aliases[:first]:
            if self._reachable(alias):
                return alias
        return None

    @classmethod
    def _reachable(cls, alias: str) -> bool:
        """What the probes found: no connection is made on the request's path."""
        return cls.probes.answers(alias)

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
