"""gunicorn's settings, read from the working directory when it starts.

The worker timeout is derived from the request deadline
(``TIMELINE_REQUEST_TIMEOUT``, config/deadlines.py), so that a slow request
is answered with a 503 by the service before gunicorn would kill its worker
and leave the client with no answer at all. Command-line flags override these.
"""

import os

# Sync workers: each request in the main thread, where the deadline's timer runs.
worker_class = "sync"
_request_timeout = float(os.environ.get("TIMELINE_REQUEST_TIMEOUT") or 20)
timeout = int(_request_timeout) + 10
graceful_timeout = timeout
