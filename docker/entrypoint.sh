#!/bin/sh
# Container entrypoint: apply the database migrations, then run the command
# (gunicorn by default) in this process's place, so it receives the signals.
#
# DJANGO_MIGRATE_ON_START (default true): set it to false when several
# replicas start at once and migrations run as a separate release step.
set -eu

migrate_on_start=$(printf '%s' "${DJANGO_MIGRATE_ON_START:-true}" | tr '[:upper:]' '[:lower:]')
case "$migrate_on_start" in
    1 | true | yes | on)
        python manage.py migrate --noinput
        ;;
    0 | false | no | off) ;;
    *)
        echo "entrypoint: DJANGO_MIGRATE_ON_START must be true or false, not '$migrate_on_start'" >&2
        exit 64
        ;;
esac

exec "$@"
