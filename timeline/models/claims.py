"""Claims: what each source says about one property of an event, kept side by side.

After Wikidata's statements: a claim gives one value of a property, backed by
the event's citations, with a rank that editors set and explain. A property
whose claims (deprecated ones aside) read differently is *disputed*, and every
output shows each value with its sources instead of picking one.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from sources.validators import (
    lowercase_slug,
    lowercase_slug_validator,
    wikidata_property_validator,
)
from sources.versioning import History, VersionedModel
from timeline.claims import disputes
from timeline.models.events import Citation, Event
from timeline.models.lookups import SLUG_HELP, not_empty, valid_choice
from timeline.querysets import ClaimQuerySet

# Derived from the value on every save: how it is compared.
INTERVAL_FIELDS = ("unit", "lower", "upper", "lower_open", "upper_open")
READING_FIELDS = ("comparison_key", *INTERVAL_FIELDS)


class PropertyKind(models.TextChoices):
    """What a property's values are: a kind of quantity, or words compared as written."""

    QUANTITY = "quantity", "any quantity"
    DURATION = "duration", "duration (100 minutes, just over an hour)"
    PERCENTAGE = "percentage", "percentage (47%, over 40 percent)"
    MONEY = "money", "amount of money (US$1.2 billion)"
    MASS = "mass", "mass (12 million tonnes)"
    COUNT = "count", "count (five, 12 million)"
    TEXT = "text", "words (compared as written)"


class ClaimRank(models.TextChoices):
    """Wikidata's ranks: how far editors trust a value, with a note saying why."""

    PREFERRED = "preferred", "preferred"
    NORMAL = "normal", "normal"
    DEPRECATED = "deprecated", "deprecated"


class ClaimProperty(VersionedModel):
    """What a claim is about, e.g. “duration”: a vocabulary shared by every event."""

    name = models.CharField(
        "name",
        max_length=100,
        unique=True,
        help_text="As readers see it, e.g. “Duration” or “Share of rare-earth processing”.",
    )
    slug = models.SlugField(
        "slug",
        max_length=100,
        unique=True,
        validators=[lowercase_slug_validator],
        help_text=SLUG_HELP,
    )
    kind = models.CharField(
        "values",
        max_length=20,
        choices=PropertyKind.choices,
        default=PropertyKind.QUANTITY,
        help_text=(
            "What the values are. A quantity is read (“one hour and 40 minutes” is 100 minutes) "
            "so that values written differently still agree; words are compared as written, "
            "ignoring case and spacing."
        ),
    )
    description = models.TextField(
        "description",
        blank=True,
        help_text="What the property means, and anything editors should know to state it.",
    )
    wikidata_id = models.CharField(
        "Wikidata property",
        max_length=20,
        blank=True,
        validators=[wikidata_property_validator],
        help_text="Wikidata property id (e.g. “P2047”, duration), if there is one.",
    )

    history = History()

    class Meta:
        verbose_name = "property"
        verbose_name_plural = "properties"
        ordering = ["name", "pk"]
        constraints = [valid_choice("kind", PropertyKind), lowercase_slug()]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # A new kind must still take every claim's value (a duration is no percentage).
        if self.pk is None:
            return
        stored = type(self).objects.filter(pk=self.pk).values_list("kind", flat=True).first()
        if stored in (None, self.kind):
            return
        refused = []
        for claim in self.claims.select_related("event").order_by("pk"):
            try:
                disputes.read_value(claim.value, claim.normalized_as, kind=self.kind)
            except disputes.UnreadableValue as exc:
                refused.append(f"{claim.event.slug}: {exc}")
        if refused:
            shown = " ".join(refused[:5]) + (" …" if len(refused) > 5 else "")
            raise ValidationError(
                {"kind": f"{len(refused)} claim(s) cannot be read this way: {shown}"}
            )


class ClaimCitation(models.Model):
    """A citation stating a claim (declared first: the claim's history copies its fields)."""

    claim = models.ForeignKey(
        "timeline.Claim",
        verbose_name="claim",
        on_delete=models.CASCADE,
        related_name="citation_links",
    )
    # RESTRICT, not PROTECT: deleting the whole event deletes both sides at once.
    citation = models.ForeignKey(
        Citation, verbose_name="citation", on_delete=models.RESTRICT, related_name="claim_links"
    )

    class Meta:
        verbose_name = "claim it states"
        verbose_name_plural = "claims it states"
        ordering = ["citation_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "citation"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"“{self.claim}”"


class Claim(VersionedModel):
    """One value of a property of an event, as one or more of its citations state it.

    (Its field ``property`` shadows the builtin in this class body: no ``@property`` here.)
    """

    event = models.ForeignKey(
        Event, verbose_name="event", on_delete=models.CASCADE, related_name="claims"
    )
    property = models.ForeignKey(
        ClaimProperty,
        verbose_name="property",
        on_delete=models.PROTECT,
        related_name="claims",
        help_text="What the value is about (type to search; add new ones under Properties).",
    )
    value = models.CharField(
        "value",
        max_length=200,
        help_text="As the source writes it, e.g. “just over an hour” or “over 40 percent”.",
    )
    normalized_as = models.CharField(
        "compare as",
        max_length=200,
        blank=True,
        help_text=(
            "Leave empty: the value is read for you (“one hour and 40 minutes” is 100 "
            "minutes). Fill in only when it cannot be read, or to make two wordings of the "
            "same thing agree, e.g. “100 minutes” or “export restrictions”."
        ),
    )
    comparison_key = models.CharField(
        "compared as",
        max_length=255,
        editable=False,
        help_text="The normalized reading that values are compared by, derived on save.",
    )
    # The reading's unit and interval (disputes.Reading), derived on save, so that the
    # database finds conflicting claims (ClaimQuerySet.disputed_event_ids).
    unit = models.CharField("unit", max_length=20, editable=False, default=disputes.TEXT_UNIT)
    lower = models.DecimalField(
        "lower bound", max_digits=30, decimal_places=8, null=True, editable=False
    )
    upper = models.DecimalField(
        "upper bound", max_digits=30, decimal_places=8, null=True, editable=False
    )
    lower_open = models.BooleanField("lower bound excluded", default=False, editable=False)
    upper_open = models.BooleanField("upper bound excluded", default=False, editable=False)
    rank = models.CharField(
        "rank",
        max_length=12,
        choices=ClaimRank.choices,
        default=ClaimRank.NORMAL,
        help_text=(
            "Preferred: the value editors judge best supported. Deprecated: kept for the "
            "record, but known to be wrong; it does not count in a dispute."
        ),
    )
    rank_note = models.TextField(
        "why this rank",
        blank=True,
        help_text="Required for a preferred or deprecated value: the reason, for readers.",
    )
    citations = models.ManyToManyField(
        Citation,
        verbose_name="citations",
        through=ClaimCitation,
        related_name="claims",
        help_text="The event's citations that state this value (at least one).",
    )

    objects = ClaimQuerySet.as_manager()
    history = History(m2m_fields=[citations], excluded_fields=list(INTERVAL_FIELDS))

    class Meta:
        ordering = ["pk"]
        indexes = [
            # Disputes are found per event and property, by distinct readings.
            models.Index(
                fields=["event", "property", "comparison_key"],
                name="timeline_claim_reading",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "property", "value"],
                name="%(app_label)s_%(class)s_unique_value",
                violation_error_message=(
                    "This event already has this value for this property: add the citation "
                    "to that claim instead."
                ),
            ),
            not_empty("value"),
            valid_choice("rank", ClaimRank),
            models.CheckConstraint(
                condition=Q(rank=ClaimRank.NORMAL) | ~Q(rank_note=""),
                name="%(app_label)s_%(class)s_rank_explained",
                violation_error_message="Say why this value is preferred or deprecated.",
            ),
        ]

    def __str__(self) -> str:
        property_name = self.property.name if self.property_id else "?"
        return f"{property_name}: {self.value}"

    def save(self, *args, **kwargs) -> None:
        self.derive_comparison_key()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *READING_FIELDS}
        super().save(*args, **kwargs)

    def derive_comparison_key(self) -> None:
        """Set the reading's key, unit and interval (READING_FIELDS)."""
        kind = self.property.kind if self.property_id else PropertyKind.QUANTITY
        self.set_reading(disputes.read_or_words(self.value, self.normalized_as, kind=kind))

    def set_reading(self, reading: disputes.Reading) -> None:
        for name, value in reading.columns().items():
            setattr(self, name, value)

    def reading(self) -> disputes.Reading:
        """How the value is compared: as a quantity when it reads as one, else as words."""
        kind = self.property.kind if self.property_id else PropertyKind.QUANTITY
        return disputes.read_value(self.value, self.normalized_as, kind=kind)

    def clean(self) -> None:
        errors = {}
        if self.rank != ClaimRank.NORMAL and not self.rank_note.strip():
            errors["rank_note"] = (
                f"Say why this value is {self.rank}: readers see the reason beside it."
            )
        if self.property_id and self.value:
            try:
                self.reading()
            except disputes.UnreadableValue as exc:
                errors[exc.field] = str(exc)
        if errors:
            raise ValidationError(errors)

    def clean_citations(self, citations) -> None:
        """Refuse no citation, or another event's: the admin and the API call this
        before setting them, as ``clean()`` runs before a many-to-many relation exists."""
        citations = list(citations)
        if not citations:
            raise ValidationError(
                {"citations": "Cite at least one source: pick the citation that states it."}
            )
        others = [c for c in citations if c.event_id != self.event_id]
        if others:
            ids = ", ".join(str(c.pk) for c in others)
            raise ValidationError(
                {"citations": f"Cite this event's own citations; not citation {ids}."}
            )
