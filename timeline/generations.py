"""The content generation: one number that every committed write moves on.

Cached reads are keyed by it (``timeline.api.caching``): a response cached
under generation 41 is never served once a write has made it 42. That is
exact, whatever the write touched (an actor renamed changes every event that
names it) and wherever it came from (API, admin, commands, another web node),
because the number lives in the database beside the data.

The write's transaction does not update the row itself: that would make every
writer wait for every other and could deadlock with their row locks. It adds
one *after* commit, in its own statement, before the writer's response goes
out. A read that starts in between may cache the new data under the old
generation, which no later read uses: harmless.
"""

from django.db import InterfaceError, OperationalError, connections, router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from timeline.models import (
    Actor,
    Citation,
    Claim,
    ClaimProperty,
    ContentGeneration,
    Event,
    Place,
    Tag,
    Timeline,
)

TABLE = ContentGeneration._meta.db_table
ROW = 1


def current(using: str | None = None) -> int:
    """The generation now (0 before the first write, or on an emptied table).

    Read where this request reads its data (a replica, ``config/replicas.py``),
    so that what is cached under it is what that database holds.
    """
    connection = connections[using or router.db_for_read(ContentGeneration)]
    if _health_check_due(connection):
        # Django checks a reused connection with a SELECT 1 before a request's
        # first query (CONN_HEALTH_CHECKS). This lookup is that first query for
        # every API read, so it is the check: on a connection found gone it is
        # made again on a new one. One round trip a read saved.
        connection.health_check_done = True
        try:
            return _read(connection)
        except (InterfaceError, OperationalError):
            connection.close()
    return _read(connection)


def _health_check_due(connection) -> bool:
    return (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )


def _read(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {TABLE} WHERE id = %s", [ROW])
        row = cursor.fetchone()
    return row[0] if row else 0


def _advance(using: str) -> None:
    # An upsert: the row may be gone (a flushed test database).
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (id, value) VALUES (%s, 1) "
            f"ON CONFLICT (id) DO UPDATE SET value = {TABLE}.value + 1",
            [ROW],
        )


def _in_own_transaction(connection) -> bool:
    """Whether a transaction of the code's own is open (not only a test case's wrapper).

    Django's TestCase wraps each test in a transaction that never commits;
    as Django's own check for durable blocks does, look past it, so that
    tests see the generation move as production does.
    """
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def advance(using: str = "default") -> None:
    """Move the generation on once the current transaction commits (now, outside one)."""
    connection = connections[using]
    if _in_own_transaction(connection):
        # Once per transaction is enough: skip when already waiting for this
        # commit, registered where no savepoint rollback can drop it alone.
        active = set(connection.savepoint_ids)
        for savepoints, callback, _robust in connection.run_on_commit:
            if getattr(callback, "_advances", None) == using and savepoints <= active:
                return

        def after_commit():
            _advance(using)

        after_commit._advances = using
        transaction.on_commit(after_commit, using=using)
    else:
        _advance(using)


CONTENT_MODELS = [Event, Citation, Claim, ClaimProperty, Timeline, Actor, Place, Tag]
LINKS = [Event.actors.through, Event.tags.through, Timeline.events.through, Claim.citations.through]


def _written(sender, using="default", **kwargs):
    advance(using)


def _linked(sender, action, using="default", **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        advance(using)


def connect() -> None:
    from sources.models import Source

    for model in [*CONTENT_MODELS, Source]:
        uid = f"timeline.generations.{model._meta.label_lower}"
        post_save.connect(_written, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_written, sender=model, dispatch_uid=f"{uid}.delete")
    for through in LINKS:
        m2m_changed.connect(_linked, sender=through, dispatch_uid=f"timeline.generations.{through}")


class AdvanceAfterWritesMiddleware:
    """A successful unsafe request moves the generation on, whatever it wrote.

    The signals above see every save and delete; this also covers the writes
    that send none (``QuerySet.update``, bulk inserts) when a request made
    them, so that no write path can leave a cached read behind.
    """

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in self.SAFE_METHODS and response.status_code < 400:
            advance()
        return response
