"""Versions and history shared by every editable model, in the app ``timeline`` builds on.

A save writes only if the row still has the ``version`` it was loaded with: of two
editors who opened the same version, the second to save gets a ``VersionConflict``.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import models, router, transaction
from simple_history.models import HistoricalRecords


class VersionConflict(Exception):
    """The row changed since the instance was loaded; nothing was written."""

    def __init__(self, instance: models.Model, current_version: int):
        self.instance = instance
        self.current_version = current_version
        super().__init__(
            f"{instance._meta.verbose_name} {instance.pk} is at version {current_version}, "
            f"not {instance.version}: someone else saved it first."
        )


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(
        "version",
        default=1,
        editable=False,
        help_text="Goes up by one with every saved change; the API sends it as the ETag.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is None or kwargs.get("force_insert"):
            super().save(*args, **kwargs)
            return
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        rows = type(self).objects.using(using).filter(pk=self.pk)
        loaded = self.version
        with transaction.atomic(using=using, savepoint=False):
            # Claim the version in one conditional UPDATE (which locks the row),
            # then write the fields: nobody can save in between.
            if rows.filter(version=loaded).update(version=loaded + 1):
                self.version = loaded + 1
            else:
                current = rows.values_list("version", flat=True).first()
                if current is not None:
                    raise VersionConflict(self, current)
                # The row is gone: Django inserts it, as it always has.
            super().save(*args, **kwargs)


class History(HistoricalRecords):
    """django-simple-history's records, able to record one revision on demand (``one_revision``)."""

    def contribute_to_class(self, cls, name):
        super().contribute_to_class(cls, name)
        cls._history_records = self


def record_revision(instance: models.Model, history_type: str = "~") -> None:
    """Record the instance's current state (fields and tracked relations)."""
    instance._history_records.create_historical_record(instance, history_type)


@contextmanager
def one_revision(
    instance: models.Model, *, user=None, reason: str = "", created: bool | None = None
) -> Iterator[None]:
    """Record one revision, with the final state, for the instance saved inside the block
    and its many-to-many relations set there (not one per save and relation)."""
    if created is None:
        created = instance.pk is None
    if user is not None and user.is_authenticated:
        instance._history_user = user
    if reason:
        instance._change_reason = reason
    instance.skip_history_when_saving = True
    try:
        yield
    finally:
        del instance.skip_history_when_saving
    record_revision(instance, "+" if created else "~")
