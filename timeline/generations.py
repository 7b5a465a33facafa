"""The content generation: one number that every committed write moves on.

Anonymous reads are cached under it (``timeline.api.caching``): a response
cached under generation 41 is never served once a write has made it 42. It
lives in the database beside the data, so every process and web node reads
the same number, with Redis or without, whatever the write touched (an actor
renamed changes every event that names it) and wherever it came from (API,
admin, commands).

A write moves it once its transaction commits (``transaction.on_commit``), in
a statement of its own: moving it inside the write would make every writer
wait for the others' commits. A read that starts in between may cache the
new data under the old generation, which no later read uses: harmless. A
write that rolls back moves nothing.
"""

from django.db import connections, router, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save

from timeline.models import ContentGeneration

TABLE = ContentGeneration._meta.db_table
ROW = 1


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
    """Move the generation on once the current transaction commits (now, outside one)."""
    transaction.on_commit(lambda: _advance(using), using=using)


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
