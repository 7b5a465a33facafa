"""Where one request's time goes: a path served in-process, timed, then profiled.

    .venv/bin/python bench/profile_request.py '/api/v1/events/?page_size=100&_bench={n}'
    .venv/bin/python bench/profile_request.py /api/v1/timelines/us-china-trade-2025/ \\
        --header 'If-None-Match={etag}' --requests 2000

The request goes through Django's WSGI handler with the production settings
(DJANGO_ENV=production, throttling off), the middleware and the view, as
under gunicorn but without the socket, so that the profile shows the app's
own work. ``{n}`` in the path becomes a number of its own for each request
(a URL no response cache has seen, as bench/mix.lua does); ``{etag}`` in a
header becomes the ETag of the path's first answer. It prints the mean time
per request, then pyinstrument's call tree of a second run.

DATABASE_URL selects the database (a bench database of bench/run.py, e.g.
``postgres://postgres@127.0.0.1:5433/timeline_events_100000`` while it runs,
or any database filled with ``bench/generate.py``).
"""

import argparse
import itertools
import os
import sys
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="the path and query string to GET")
    parser.add_argument("--requests", type=int, default=200, help="requests to time (200)")
    parser.add_argument(
        "--header", action="append", default=[], metavar="NAME=VALUE", help="a request header"
    )
    parser.add_argument("--no-profile", action="store_true", help="time only")
    parser.add_argument("--interval", type=float, default=0.0002, help="sampling interval, s")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_ENV", "production")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-profile-" + "x" * 50)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("DJANGO_CSRF_TRUSTED_ORIGINS", "https://127.0.0.1")
    os.environ.setdefault("TIMELINE_UID_DOMAIN", "bench.invalid")
    os.environ.setdefault("DJANGO_STATIC_ROOT", str(ROOT / "bench" / ".data" / "static"))
    os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["API_THROTTLE_ANON"] = os.environ["API_THROTTLE_USER"] = "off"

    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    app = WSGIHandler()
    numbers = itertools.count()

    def get(headers: dict) -> tuple[str, dict, bytes]:
        path, _, query = args.path.replace("{n}", str(next(numbers))).partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_X_FORWARDED_PROTO": "https",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        environ.update(headers)
        started = []
        body = b"".join(app(environ, lambda status, h, exc=None: started.append((status, h))))
        status, response_headers = started[0]
        return status, dict(response_headers), body

    headers = {}
    for item in args.header:
        name, _, value = item.partition("=")
        headers["HTTP_" + name.upper().replace("-", "_")] = value
    if any("{etag}" in value for value in headers.values()):
        etag = get({})[1].get("ETag", "")
        headers = {name: value.replace("{etag}", etag) for name, value in headers.items()}

    status, _, body = get(headers)
    print(f"{status}, {len(body):,} bytes")
    for _ in range(min(args.requests, 50)):  # warm the process's caches
        get(headers)
    begun = time.perf_counter()
    for _ in range(args.requests):
        get(headers)
    print(f"{(time.perf_counter() - begun) / args.requests * 1000:.3f} ms a request")
    if args.no_profile:
        return

    from pyinstrument import Profiler

    profiler = Profiler(interval=args.interval)
    profiler.start()
    for _ in range(args.requests):
        get(headers)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
