"""The content generation: one number that every committed write moves on.

Anonymous reads are cached under it (``timeline.api.caching``): a response
cached under generation 41 is never served once a write has made it 42. It
lives in the database beside the data, so every process and web node reads
the same number, with Redis or without, whatever the write touched (an actor
renamed changes every event that names it) and wherever it came from (API,
admin, commands).

A write request moves it inside its own transaction, as its last statement
(``in_one_transaction``, used by ``timeline.writes``): the move commits with
the write or not at all, so a write whose answer is lost (the database gone
right after the commit) has still moved it. Taken last, the generation's row
lock makes writers wait for each other only for their commits, and never
deadlocks against the rows they wrote. A read that starts in between sees the
old generation with the old data (MVCC), or the new data under the old
generation, which no later read uses: harmless. A write that rolls back
moves nothing.

Writes outside a request (commands, the shell) move it once their
transaction commits (``transaction.on_commit``), in a statement of its own.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, router, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save

from timeline.models import ContentGeneration

TABLE = ContentGeneration._meta.db_table
ROW = 1


class _Writes:
    """What one request's transaction wrote: whether the generation must move."""

    def __init__(self, using: str):
        self.using = using
        self.written = False


_request_writes: ContextVar[_Writes | None] = ContextVar("request_writes", default=None)


def current(using: str | None = None) -> int:
    """The generation now (0 before the first write).

    Read where this request reads its data (a replica, ``config/replicas.py``),
    so that what is cached under it is what that database holds. SQL, not the
    ORM: it is the only query of a cached read, and the ORM would triple it.
    """
    with connections[using or router.db_for_read(ContentGeneration)].cursor() as cursor:
        cursor.execute(f"SELECT value FROM {TABLE} WHERE id = %s", [ROW])
        row = cursor.fetchone()
    return row[0] if row else 0


def _advance(using: str) -> None:
    generations = ContentGeneration.objects.using(using)
    if not generations.filter(pk=ROW).update(value=F("value") + 1):
        generations.get_or_create(pk=ROW, defaults={"value": 1})  # a flushed table


def advance(using: str = "default") -> None:
    """Move the generation on: at the end of the request's transaction, or once this one commits.

    Outside a transaction, now.
    """
    writes = _request_writes.get()
    if writes is not None and writes.using == using and connections[using].in_atomic_block:
        writes.written = True
        return
    transaction.on_commit(lambda: _advance(using), using=using)


@contextmanager
def in_one_transaction(using: str = "default"):
    """A transaction whose writes move the generation as its last statement.

    The caller marks a failure with ``transaction.set_rollback(True)``: then
    nothing commits and nothing moves.
    """
    writes = _Writes(using)
    token = _request_writes.set(writes)
    try:
        with transaction.atomic(using=using):
            yield writes
            if writes.written and not transaction.get_rollback(using):
                _advance(using)
    finally:
        _request_writes.reset(token)


def _written(sender, using="default", **kwargs):
    advance(using)


def _linked(sender, action, using="default", **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        advance(using)


def connect() -> None:
    """Every save, delete and link of content moves the generation on."""
    from sources.models import Source
    from timeline.models import Actor, Citation, Claim, ClaimProperty, Event, Place, Tag, Timeline

    for model in [Event, Citation, Claim, ClaimProperty, Timeline, Actor, Place, Tag, Source]:
        uid = f"timeline.generations.{model._meta.label_lower}"
        post_save.connect(_written, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_written, sender=model, dispatch_uid=f"{uid}.delete")
    for through in [
        Event.actors.through,
        Event.tags.through,
        Timeline.events.through,
        Claim.citations.through,
    ]:
        m2m_changed.connect(_linked, sender=through, dispatch_uid=f"timeline.generations.{through}")
