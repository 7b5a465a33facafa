"""The floor of bench/run.py: scenario A's bytes from memory, through the app's
own middleware and gunicorn, so that what the app adds on top is measured.

bench/run.py serves it with a settings module of the run's own that imports
``config.settings`` and sets ``ROOT_URLCONF`` to this module, with
BENCH_FLOOR_BODY (a file holding A's response body, fetched once from the
real endpoint) and BENCH_FLOOR_CONTENT_TYPE (A's Content-Type) in the
environment. Every other URL is the app's.
"""

import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import include, path

from config import urls as app_urls

BODY = Path(os.environ["BENCH_FLOOR_BODY"]).read_bytes()
CONTENT_TYPE = os.environ["BENCH_FLOOR_CONTENT_TYPE"]


def floor(request):
    return HttpResponse(BODY, content_type=CONTENT_TYPE)


handler500 = app_urls.handler500

urlpatterns = [
    path("__floor__/", floor, name="bench-floor"),
    path("", include(app_urls)),
]
