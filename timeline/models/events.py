"""Events and the citations that back them."""

from collections.abc import Mapping

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from sources.anchoring import AnchorError, anchor_quote
from sources.models import Source
from sources.validators import lowercase_slug, lowercase_slug_validator
from sources.versioning import History, VersionedModel
from timeline.dates import InvalidEventDate, parse_event_date
from timeline.models.lookups import SLUG_HELP, Actor, Place, Tag, not_empty, valid_choice
from timeline.querysets import CitationQuerySet, EventQuerySet
from timeline.textdates import find_dates, only_repeats_date


class Precision(models.TextChoices):
    """How finely an event's date is known; derived from its EDTF date."""

    DAY = "day", "day"
    MONTH = "month", "month"
    SEASON = "season", "season"
    YEAR = "year", "year"


class EventStatus(models.TextChoices):
    """Whether an event happened or is planned (after schema.org eventStatus)."""

    OCCURRED = "occurred", "occurred"
    SCHEDULED = "scheduled", "scheduled"
    POSTPONED = "postponed", "postponed"
    CANCELLED = "cancelled", "cancelled"
    RESCHEDULED = "rescheduled", "rescheduled"


class EventHistoryExtras(models.Model):
    """Extra columns on an event's history records."""

    timeline_ids = models.JSONField(
        "timelines", default=list, blank=True, help_text="Timelines the event was in when deleted."
    )

    class Meta:
        abstract = True


# How deep events may nest (a part of a part of …): checked walking up the chain.
MAX_NESTING = 10

# Derived from ``date`` on every save.
DATE_FIELDS = ("start", "end", "precision", "span_days", "starts_by", "ends_from")
# Kept for the database's indexes and queries, derived from fields that are
# kept: left out of history and backups.
INDEX_ONLY_FIELDS = ("span_days", "starts_by", "ends_from", "search_vector")


class Event(VersionedModel):
    """Something that happened (or is planned) on a date, backed by citations.

    Filters and ordering use the plain dates derived from the EDTF ``date`` on save.
    """

    slug = models.SlugField(
        "slug",
        max_length=120,
        unique=True,
        validators=[lowercase_slug_validator],
        help_text=SLUG_HELP,
    )
    title = models.CharField(
        "title", max_length=200, help_text="A short headline, e.g. “Trump and Xi meet in Busan”."
    )
    summary = models.TextField(
        "summary", blank=True, help_text="What happened, in a few neutral sentences."
    )
    date = models.CharField(
        "date",
        max_length=100,
        help_text=(
            "EDTF date: 2025-10-30 (a day), 2025-03 (a month), 2025-05~ (about May), "
            "2025-21 (spring), 2025-10-25/2025-10-26 (a range)."
        ),
    )
    start = models.DateField("starts", editable=False, help_text="Earliest day, derived from date.")
    end = models.DateField("ends", editable=False, help_text="Latest day, derived from date.")
    precision = models.CharField(
        "precision", max_length=10, choices=Precision.choices, editable=False
    )
    starts_by = models.DateField(
        "starts by",
        editable=False,
        help_text="The last day the date can start on (for a range, the end of its first part).",
    )
    ends_from = models.DateField(
        "ends from",
        editable=False,
        help_text="The first day the date can end on (for a range, the start of its last part).",
    )
    span_days = models.PositiveIntegerField(
        "span in days",
        default=0,
        editable=False,
        help_text="Days from the earliest to the latest day, derived from date.",
    )
    date_note = models.TextField(
        "how the date was derived",
        blank=True,
        max_length=1000,
        help_text=(
            "Needed when no cited quote states the date: how it was worked out, e.g. “The "
            "article of 31 October says the leaders met ‘on Thursday’; it was written a day "
            "later.” Without it the date is unsupported and the event cannot be published."
        ),
    )
    display_date = models.CharField(
        "display date",
        max_length=100,
        blank=True,
        help_text="Optional wording shown instead of the date, e.g. “Late March 2025”.",
    )
    status = models.CharField(
        "status",
        max_length=20,
        choices=EventStatus.choices,
        default=EventStatus.OCCURRED,
        help_text="Use “scheduled” for an announced event that has not happened yet.",
    )
    super_event = models.ForeignKey(
        "self",
        verbose_name="part of",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sub_events",
        help_text=(
            "The larger event this one is part of (schema.org superEvent), e.g. the meeting "
            "an outcome came out of: it is listed under that event. Its date must lie within "
            "that event's."
        ),
    )
    day_order = models.PositiveSmallIntegerField(
        "order on its dates",
        default=0,
        # PostgreSQL's bound, on every database: the API says the same everywhere.
        validators=[MaxValueValidator(32767)],
        help_text=(
            "Events with the same dates are listed by this number, lowest first, then by "
            "title. A part on the same dates as the event it is part of needs a higher number."
        ),
    )
    place = models.ForeignKey(
        Place,
        verbose_name="place",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    actors = models.ManyToManyField(Actor, verbose_name="actors", blank=True, related_name="events")
    tags = models.ManyToManyField(Tag, verbose_name="tags", blank=True, related_name="events")
    published_at = models.DateTimeField(
        "published at",
        null=True,
        blank=True,
        db_index=True,
        help_text="Empty while the event is a draft. Drafts are never shown to the public.",
    )
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)
    # The words of the title, summary and display date, for ``q``. PostgreSQL
    # fills it in a trigger on every write (migration 0006), whatever the
    # write path; elsewhere it stays empty and ``q`` matches substrings.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = EventQuerySet.as_manager()
    # Timeline membership at deletion is kept on the deletion record, so that
    # a restored event goes back where it was.
    history = History(
        m2m_fields=[actors, tags],
        bases=[EventHistoryExtras],
        excluded_fields=list(INDEX_ONLY_FIELDS),
    )

    class Meta:
        ordering = ["start", "end", "day_order", "title"]
        indexes = [
            models.Index(fields=["start", "end"], name="timeline_event_start_end"),
            models.Index(fields=["end"], name="timeline_event_end"),
            # The public order, in the index itself: a page of published events
            # is read from it alone (an index-only scan), and stops at the page.
            models.Index(
                fields=["start", "end", "day_order", "title", "id"],
                name="timeline_event_published_order",
                condition=Q(published_at__isnull=False),
            ),
            # The longest span bounds every "from" filter (EventQuerySet.overlapping).
            models.Index(fields=["span_days"], name="timeline_event_span_days"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lte=F("end")),
                name="%(app_label)s_%(class)s_start_before_end",
                violation_error_message="The date range ends before it starts.",
            ),
            valid_choice("status", EventStatus),
            valid_choice("precision", Precision),
            lowercase_slug(),
        ]

    def __str__(self) -> str:
        return f"{self.display_date or self.date} — {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.date_note = self.date_note.strip()  # blank is no note, in SQL as in Python
        self.derive_dates()
        if kwargs.get("update_fields") is not None and "date" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], *DATE_FIELDS}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("pages:event", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def derive_dates(self) -> None:
        """Set start, end and precision from the EDTF date (raises InvalidEventDate)."""
        parsed = parse_event_date(self.date)
        self.date = self.date.strip()
        self.start, self.end, self.precision = parsed.start, parsed.end, parsed.precision
        self.starts_by, self.ends_from = parsed.starts_by, parsed.ends_from
        self.span_days = (parsed.end - parsed.start).days

    def clean_fields(self, exclude=None) -> None:
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "date" not in errors and not (exclude and "date" in exclude):
            try:
                self.derive_dates()
            except InvalidEventDate as exc:
                errors["date"] = [str(exc)]
        checking_note = "date_note" not in errors and not (exclude and "date_note" in exclude)
        if checking_note and self.date_note.strip() and only_repeats_date(self.date_note):
            errors["date_note"] = [
                "Say how the date was worked out (which source, what it says, what you "
                "inferred from it), not only the date."
            ]
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None) -> None:
        # start, end and precision are derived from date: when date is not
        # validated, or did not parse, their constraints say nothing new.
        exclude = set(exclude or ())
        if "date" in exclude or self.precision not in Precision.values:
            exclude |= set(DATE_FIELDS)
        super().validate_constraints(exclude=exclude)

    def citation_numbers(self) -> dict[int, int]:
        """Each citation's footnote number on the page and in every format: its place among
        the (prefetched) citations, from 1; the claims and the date evidence cite by it."""
        return {citation.pk: number for number, citation in enumerate(self.citations.all(), 1)}

    @property
    def published_super_event(self) -> "Event | None":
        """The event this one is part of, when readers may see it; else None."""
        if self.super_event_id is None or not self.super_event.is_published:
            return None
        return self.super_event

    def clean(self) -> None:
        super().clean()
        try:
            self.derive_dates()
        except InvalidEventDate:
            return  # clean_fields names the date: its parts cannot be checked against it
        errors = self.part_of_errors()
        if self.pk is not None:
            for name, messages in self.parts_errors().items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def part_of_errors(self, events: Mapping[int, "Event"] | None = None) -> dict[str, list[str]]:
        """What is wrong with ``super_event`` (and ``day_order`` beside it), by field.

        ``events``: where to find the events it is part of by id (a backup's, before it is
        written); else the database. Dates must have been derived.
        """
        if self.super_event_id is None:
            return {}

        def above(event: "Event") -> "Event | None":
            if event.super_event_id is None:
                return None
            if events is not None:
                return events.get(event.super_event_id)
            return Event.objects.filter(pk=event.super_event_id).first()

        if self.pk is not None and self.super_event_id == self.pk:
            return {"super_event": ["An event cannot be part of itself."]}
        super_event = above(self)
        if super_event is None:
            return {"super_event": [f"There is no event with id {self.super_event_id}."]}
        # Up the chain, bounded: a cycle written around these checks must not loop forever.
        node, depth = super_event, 1
        while node is not None:
            if self.pk is not None and node.pk == self.pk:
                return {
                    "super_event": [
                        f"“{super_event.title}” is itself part of this event: an event cannot "
                        "be part of one of its own parts."
                    ]
                }
            if depth > MAX_NESTING:
                return {
                    "super_event": [
                        f"Events nest at most {MAX_NESTING} deep: “{super_event.title}” is "
                        "too deep already."
                    ]
                }
            node, depth = above(node), depth + 1
        if self.start < super_event.start or self.end > super_event.end:
            return {
                "super_event": [
                    f"Its date ({self.date}) is not within the date of “{super_event.title}” "
                    f"({super_event.date}), the event it is part of."
                ]
            }
        same_dates = (self.start, self.end) == (super_event.start, super_event.end)
        if same_dates and self.day_order is not None and self.day_order <= super_event.day_order:
            return {
                "day_order": [
                    "List it after the event it is part of: give it an order above "
                    f"{super_event.day_order}."
                ]
            }
        return {}

    def parts_errors(self) -> dict[str, list[str]]:
        """What is wrong with a saved event's date and order for the events part of it."""
        errors = {}
        parts = list(
            Event.objects.filter(super_event_id=self.pk)
            .only("title", "date", "start", "end", "day_order")
            .order_by("start", "end", "day_order", "title", "pk")
        )
        outside = [part for part in parts if part.start < self.start or part.end > self.end]
        if outside:
            named = "; ".join(f"“{part.title}” ({part.date})" for part in outside)
            errors["date"] = [
                f"Its parts must lie within its date, and these would not: {named}. Change "
                "their dates, or take them out of this event, first."
            ]
        same_dates = [
            part.day_order for part in parts if (part.start, part.end) == (self.start, self.end)
        ]
        if same_dates and self.day_order is not None and self.day_order >= min(same_dates):
            errors["day_order"] = [
                f"One of its parts on the same dates is listed at {min(same_dates)}: give this "
                "event a lower order, so that it comes before its parts."
            ]
        return errors


# The fields Citation.anchor() derives from the quote and the source's text.
ANCHOR_FIELDS = ["exact", "prefix", "suffix", "position_start", "position_end"]


def quote_anchored(position_start: int | None, source_text_sha256: str) -> bool | None:
    """Whether a quote anchors in its source's archived text: False when the source has
    text and the quote is not found in it (it changed since), None when the source has no
    text to check the quote against.

    Read from the source's fingerprint, not its text, which reads defer (``text_sha256``
    is empty exactly when the text is).
    """
    if position_start is not None:
        return True
    return False if source_text_sha256 else None


def trusted_quote(citation: str = "") -> Q:
    """The citations (through the ``citation`` path, e.g. ``"citation__"``) whose quotes
    count as what their sources say: ``quote_anchored`` is not False."""
    return Q(**{f"{citation}position_start__isnull": False}) | Q(
        **{f"{citation}source__text_sha256": ""}
    )


def annotation_selectors(exact, prefix, suffix, start, end) -> list[dict]:
    """A citation's W3C Web Annotation selectors, from its columns (none: not anchored)."""
    if start is None:
        return []
    return [
        {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix},
        {"type": "TextPositionSelector", "start": start, "end": end},
    ]


class Citation(VersionedModel):
    """A verbatim quote from a source that backs an event, anchored in its archived text."""

    event = models.ForeignKey(
        Event, verbose_name="event", on_delete=models.CASCADE, related_name="citations"
    )
    source = models.ForeignKey(
        Source,
        verbose_name="source",
        on_delete=models.PROTECT,
        related_name="citations",
        help_text="The article the quote comes from.",
    )
    quote = models.CharField(
        "quote",
        max_length=500,
        help_text=(
            "Copied verbatim from the source, at most one sentence. Spacing, curly "
            "quotes and dashes may differ; any other difference is refused."
        ),
    )
    locator = models.CharField(
        "locator",
        max_length=100,
        blank=True,
        help_text="Where in the source, if useful: a page, paragraph or timestamp.",
    )
    note = models.TextField(
        "note", blank=True, help_text="Why this quote matters, or how it differs from others."
    )
    exact = models.TextField(
        "exact text", blank=True, editable=False, help_text="The quote as it stands in the source."
    )
    prefix = models.CharField("prefix", max_length=64, blank=True, editable=False)
    suffix = models.CharField("suffix", max_length=64, blank=True, editable=False)
    position_start = models.PositiveIntegerField("start offset", null=True, editable=False)
    position_end = models.PositiveIntegerField("end offset", null=True, editable=False)

    objects = CitationQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "source", "quote"],
                name="%(app_label)s_%(class)s_unique_quote",
                violation_error_message="This event already cites this quote from this source.",
            ),
            not_empty("quote"),
            models.CheckConstraint(
                condition=Q(position_start__isnull=True, position_end__isnull=True)
                | Q(position_start__lte=F("position_end")),
                name="%(app_label)s_%(class)s_position_ordered",
            ),
        ]

    def __str__(self) -> str:
        quote = self.quote if len(self.quote) <= 60 else self.quote[:59] + "…"
        return f"“{quote}” ({self.source})"

    def save(self, *args, **kwargs) -> None:
        # Derived fields: an unanchorable quote is stored unanchored, never lost.
        try:
            self.anchor()
        except AnchorError:
            self.clear_anchor()
        super().save(*args, **kwargs)
        DateMention.objects.refresh([self])

    @property
    def is_anchored(self) -> bool:
        return self.position_start is not None

    @property
    def anchored(self) -> bool | None:
        """``quote_anchored``: False flags a quote readers cannot find in the archived source."""
        return quote_anchored(self.position_start, self.source.text_sha256)

    @property
    def selectors(self) -> list[dict]:
        return annotation_selectors(
            self.exact, self.prefix, self.suffix, self.position_start, self.position_end
        )

    def anchor(self) -> None:
        """Anchor the quote in the source's text (AnchorError: not in it), or clear the anchor.

        The previous anchor's context tells repeated passages apart.
        """
        text = self.source.text if self.source_id else ""
        if not text:
            self.clear_anchor()
            return
        found = anchor_quote(
            text,
            self.quote,
            prefix=self.prefix,
            suffix=self.suffix,
            start=self.position_start,
        )
        self.exact, self.prefix, self.suffix = found.exact, found.prefix, found.suffix
        self.position_start, self.position_end = found.start, found.end

    def clear_anchor(self) -> None:
        self.exact = self.prefix = self.suffix = ""
        self.position_start = self.position_end = None

    def clean_fields(self, exclude=None) -> None:
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        # Check the quote against the text only where the quote is being
        # edited (a read-only listing of citations does not validate it).
        checking = not ({"quote", "source"} & set(exclude or ()))
        if checking and "quote" not in errors and self.source_id and self.quote:
            try:
                self.anchor()
            except AnchorError as exc:
                errors["quote"] = [str(exc)]
        if errors:
            raise ValidationError(errors)


class DateMentionQuerySet(models.QuerySet):
    def trusted(self) -> "DateMentionQuerySet":
        """The dates in quotes that count as evidence: not those in a quote no longer
        found in its source's text (``trusted_quote``)."""
        return self.filter(trusted_quote("citation__"))

    def refresh(self, citations) -> None:
        """Find and resolve the dates in these citations' quotes anew (saved citations)."""
        citations = [citation for citation in citations if citation.pk is not None]
        if not citations:
            return
        self.filter(citation__in=citations).delete()
        self.bulk_create(
            DateMention.of(citation, mention)
            for citation in citations
            for mention in find_dates(citation.quote, citation.source.publication)
        )


class DateMention(models.Model):
    """A date expression in a citation's quote, resolved against its source's publication date.

    Derived from the quote and the source on every save (``Citation.save``, and a
    source's changed publication date in ``timeline.signals``): the evidence for
    an event's date (``timeline.evidence``) is read from these rows.
    """

    citation = models.ForeignKey(
        Citation, verbose_name="citation", on_delete=models.CASCADE, related_name="dates"
    )
    start = models.PositiveIntegerField("start offset in the quote")
    end = models.PositiveIntegerField("end offset in the quote")
    text = models.CharField("expression", max_length=200)
    value = models.CharField(
        "EDTF value", max_length=100, blank=True, help_text="Empty: unresolved."
    )
    lower = models.DateField("earliest day", null=True)
    upper = models.DateField("latest day", null=True)
    explanation = models.CharField("how it was read", max_length=500)
    reference = models.CharField(
        "read against",
        max_length=50,
        blank=True,
        help_text="The source's publication date when this was resolved (empty: unknown).",
    )

    objects = DateMentionQuerySet.as_manager()

    class Meta:
        ordering = ["citation", "start"]
        indexes = [
            models.Index(fields=["citation", "lower", "upper"], name="timeline_datemention_span")
        ]

    def __str__(self) -> str:
        return self.explanation

    @classmethod
    def of(cls, citation: Citation, mention) -> "DateMention":
        return cls(citation=citation, **mention_columns(mention, citation.source.publication))


def mention_columns(mention, reference) -> dict:
    """A DateMention's columns from a ``textdates.find_dates`` mention and the publication
    date it was read against (a date, an EDTF string or None); migration 0010 uses it too."""
    return {
        "start": mention.start,
        "end": mention.end,
        "text": mention.text[:200],
        "value": mention.value or "",
        "lower": mention.lower,
        "upper": mention.upper,
        "explanation": mention.explanation[:500],
        "reference": "" if reference is None else str(reference),
    }
