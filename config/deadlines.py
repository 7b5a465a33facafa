"""Every request answers before gunicorn's worker timeout, even when the database hangs.

A database that stops answering (a frozen host, a partition) with a connection
open holds a query forever: PostgreSQL's ``statement_timeout`` runs in the
server, which is what hangs, and TCP keepalives are answered by the server's
kernel. Left alone, gunicorn kills the worker at its timeout and the client
gets no HTTP answer at all. So each request runs under a deadline
(``TIMELINE_REQUEST_TIMEOUT``, below the worker timeout that gunicorn.conf.py
derives from it): when it passes, the request's database connections are
closed, and it is answered with a 503 and Retry-After (``config.outages``).

The deadline is a SIGALRM timer, which Python delivers to the main thread
between bytecodes; psycopg waits on its socket in short intervals, so the
wait is interrupted. gunicorn's sync workers (ours) serve each request in the
main thread; in any other thread (runserver, a threaded worker) no timer is
set and the connect and statement timeouts are the only bounds.
Why not the standard parts: Django has no request timeout, and gunicorn's
kills the worker without an answer.
"""

import signal
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import connections


class DeadlineExceeded(Exception):
    """The request ran past its deadline; its database connections are closed."""


def _can_time() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def deadline(seconds: float):
    """Raise ``DeadlineExceeded`` here if the block is still running after ``seconds``.

    Nests: an inner deadline never outlasts the outer one, which resumes with
    the time it has left.
    """
    if seconds <= 0 or not _can_time():
        yield
        return
    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    outer_handler = signal.getsignal(signal.SIGALRM)
    seconds = min(seconds, outer_left) if outer_left else seconds

    def expired(signum, frame):
        # A connection in the middle of a query cannot be used again, and
        # closing it (the client's side) never waits for the server.
        for connection in connections.all(initialized_only=True):
            connection.close()
        raise DeadlineExceeded(f"The request did not finish within {seconds:.2g} seconds.")

    started = time.monotonic()
    signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_left:
            # At least a moment, so that an outer deadline already due still fires.
            left = max(outer_left - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left)


class RequestDeadlineMiddleware:
    """Runs each request under ``TIMELINE_REQUEST_TIMEOUT``: past it, a 503."""

    def __init__(self, get_response):
        # Resolved once, not per request: config.outages imports this module.
        from config.outages import unavailable_response

        self.get_response = get_response
        self.unavailable_response = unavailable_response

    def __call__(self, request):
        try:
            with deadline(settings.TIMELINE_REQUEST_TIMEOUT):
                return self.get_response(request)
        except DeadlineExceeded:
            # Raised outside any view (a middleware's query): views' and
            # middlewares' own exceptions become the 503 in config.outages.
            return self.unavailable_response(request)
