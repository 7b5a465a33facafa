"""WSGI entry point, served by gunicorn in production."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The web tier's queries are bounded (seconds): a statement still running after
# this is cancelled by the server, a 503, well inside TIMELINE_REQUEST_TIMEOUT.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "15")

application = get_wsgi_application()

# Django's modules, settings, URLs and views live as long as the worker: frozen
# out of the garbage collector's reach, its full collections skip them. A cold
# page of 100 events cost 15% less CPU (bench/profile_request.py). The URLs are
# loaded first so that the views they import are frozen too.
get_resolver().url_patterns  # noqa: B018
gc.freeze()
