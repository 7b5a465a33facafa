"""Timelines (named views over events) and the content generation."""

from django.db import models
from django.urls import reverse

from sources.validators import lowercase_slug, lowercase_slug_validator
from sources.versioning import History, VersionedModel
from timeline.models.events import Event
from timeline.models.lookups import SLUG_HELP
from timeline.querysets import TimelineQuerySet


class Timeline(VersionedModel):
    """A named view over events, shown in date order. An event may be in several."""

    slug = models.SlugField(
        "slug",
        max_length=100,
        unique=True,
        validators=[lowercase_slug_validator],
        help_text=SLUG_HELP,
    )
    title = models.CharField("title", max_length=200)
    description = models.TextField(
        "description", blank=True, help_text="What the timeline covers, for readers."
    )
    events = models.ManyToManyField(
        Event, verbose_name="events", blank=True, related_name="timelines"
    )
    published_at = models.DateTimeField(
        "published at",
        null=True,
        blank=True,
        help_text="Empty while the timeline is a draft. Only its published events are shown.",
    )
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    objects = TimelineQuerySet.as_manager()
    history = History(m2m_fields=[events])

    class Meta:
        ordering = ["title"]
        constraints = [lowercase_slug()]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pages:timeline", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ContentGeneration(models.Model):
    """One row counting committed writes to content (``timeline.generations``): cached
    reads are keyed by it, so none outlives the data it was built from."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "content generation"

    def __str__(self) -> str:
        return str(self.value)
