# syntax=docker/dockerfile:1
#
# The Timeline service's web image: gunicorn serving config.wsgi, with the
# static files collected (hashed, compressed) at build time and served by
# WhiteNoise. Everything else comes from the environment at run time (see
# config/settings.py and docker-compose.yml); no secret is baked in.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The service runs as this unprivileged user. The code stays owned by root,
# so the running process cannot modify it. (It therefore has no writable
# SQLite file either: run it with DATABASE_URL pointing at PostgreSQL.) Its
# home is writable, for gunicorn's control socket (~/.gunicorn).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app

# Dependencies first, in their own layer, read from pyproject.toml: a code
# change does not reinstall them.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; print(*deps, sep=chr(10))" > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Then the project itself (the packages pyproject.toml declares).
# gunicorn.conf.py: the worker timeout, above the request deadline.
COPY manage.py gunicorn.conf.py ./
COPY config ./config
COPY sources ./sources
COPY timeline ./timeline
COPY docker ./docker
RUN pip install --no-cache-dir . \
    && rm -rf build ./*.egg-info \
    && chmod 0755 docker/entrypoint.sh

# Production settings refuse to load without a secret, hosts, trusted origins
# and the canonical host; these build-only dummies exist for this one command
# and are not kept in the image.
RUN DJANGO_ENV=production \
    DJANGO_SECRET_KEY=build-only-collectstatic-not-a-secret \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    DJANGO_CSRF_TRUSTED_ORIGINS=https://build.invalid \
    TIMELINE_UID_DOMAIN=build.invalid \
    python manage.py collectstatic --noinput

USER app

EXPOSE 8000

# Liveness: /healthz answers without touching the database. The slim image
# has no curl, so Python's urllib does the request; it sends the first of
# DJANGO_ALLOWED_HOSTS as the Host header, or Django would answer 400.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; host = os.environ.get('DJANGO_ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); host = host if host not in ('', '*') else 'localhost'; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}), timeout=4)"]

# Applies migrations (unless DJANGO_MIGRATE_ON_START=false), then execs CMD.
ENTRYPOINT ["/app/docker/entrypoint.sh"]

# `exec` makes gunicorn PID 1's direct replacement, so `docker stop`'s SIGTERM
# reaches it and it shuts down gracefully. Run it behind a proxy that sets
# X-Forwarded-Proto: settings trust that header (SECURE_PROXY_SSL_HEADER).
CMD ["sh", "-c", "exec gunicorn config.wsgi:application --bind 0.0.0.0:8000 --workers \"${WEB_CONCURRENCY:-3}\" --access-logfile - --forwarded-allow-ips '*'"]
