"""JSON shapes of the read API (the contract in DESIGN.md).

Sources, timelines, properties, actors, places and tags are built by these
serializers. Events, citations and claims are built by
``timeline.api.documents``: their serializers here only describe them for the
OpenAPI schema, which real responses are checked against (tests/test_fuzz.py).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sources.models import Source
from timeline.claims.quantities import QUALIFIERS
from timeline.evidence import STATES
from timeline.models import (
    Actor,
    Citation,
    Claim,
    ClaimProperty,
    ClaimRank,
    Event,
    Place,
    Tag,
    Timeline,
)

SELECTORS_SCHEMA = {
    "type": "array",
    "description": (
        "W3C Web Annotation selectors locating the quote in the source's archived "
        "text; empty when the source has no text."
    ),
    "items": {
        "oneOf": [
            {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["TextQuoteSelector"]},
                    "exact": {"type": "string"},
                    "prefix": {"type": "string"},
                    "suffix": {"type": "string"},
                },
                "required": ["type", "exact", "prefix", "suffix"],
            },
            {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["TextPositionSelector"]},
                    "start": {"type": "integer", "minimum": 0},
                    "end": {"type": "integer", "minimum": 0},
                },
                "required": ["type", "start", "end"],
            },
        ]
    },
}


class SourceSummarySerializer(serializers.ModelSerializer):
    """A source as embedded in a citation."""

    class Meta:
        model = Source
        fields = ["id", "slug", "title", "publisher", "url", "published_on", "language"]


class SourceSerializer(serializers.ModelSerializer):
    text_length = serializers.IntegerField(
        read_only=True, help_text="Characters of archived text (0 when none is archived)."
    )
    citation_count = serializers.IntegerField(
        read_only=True, help_text="Citations of this source in published events."
    )

    class Meta:
        model = Source
        fields = [
            *SourceSummarySerializer.Meta.fields,
            "published_between",
            "retrieved_at",
            "text_length",
            "text_sha256",
            "citation_count",
            "version",
            "updated_at",
        ]


@extend_schema_field(SELECTORS_SCHEMA)
class SelectorsField(serializers.JSONField):
    pass


class CitationSerializer(serializers.ModelSerializer):
    """A citation as an event embeds it."""

    source = SourceSummarySerializer(read_only=True)
    selectors = SelectorsField(read_only=True)
    anchored = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text=(
            "Whether the quote is found in the source's archived text: false when the text "
            "changed since and no longer holds it (flag it to readers; it is no evidence "
            "for a date), null when the source has no text to check it against."
        ),
    )

    class Meta:
        model = Citation
        fields = ["id", "quote", "locator", "note", "selectors", "anchored", "source"]


class PlaceSerializer(serializers.ModelSerializer):
    latitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, coerce_to_string=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, coerce_to_string=False, allow_null=True
    )

    class Meta:
        model = Place
        fields = ["slug", "name", "latitude", "longitude", "wikidata_id"]


class ActorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "wikidata_id"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["slug", "name", "wikidata_id"]


class PropertySerializer(serializers.ModelSerializer):
    """A claim's property, as embedded in an event's claims."""

    class Meta:
        model = ClaimProperty
        fields = ["slug", "name", "kind"]


class IntervalSerializer(serializers.Serializer):
    """The amounts a quantity allows, in ``unit``: null ends are unbounded."""

    lower = serializers.FloatField(allow_null=True)
    upper = serializers.FloatField(allow_null=True)
    lower_open = serializers.BooleanField(help_text="The lower end itself is excluded (“over”).")
    upper_open = serializers.BooleanField(
        help_text="The upper end itself is excluded (“less than”)."
    )


class NormalizedSerializer(serializers.Serializer):
    """How a value is compared: as a quantity, or (``qualifier`` and the rest null) as words."""

    text = serializers.CharField(
        help_text="The reading: “100 minutes” for both “one hour and 40 minutes” and “100 "
        "minutes”; “about 100 minutes” for “around 100 minutes”. Words are compared as "
        "folded text."
    )
    qualifier = serializers.ChoiceField(
        choices=QUALIFIERS, allow_null=True, help_text="null when compared as words."
    )
    approximate = serializers.BooleanField(
        help_text="“about”, “nearly”…: the interval is widened by a tenth either way."
    )
    amount = serializers.FloatField(
        allow_null=True, help_text="In ``unit``; the lower end for “between”."
    )
    upper = serializers.FloatField(allow_null=True, help_text="The upper end for “between”.")
    unit = serializers.CharField(
        allow_null=True,
        help_text="minute, month, percent, percentage point, tonne, ton, an ISO 4217 "
        "currency code, or empty for a count.",
    )
    interval = IntervalSerializer(
        allow_null=True,
        help_text="Every amount the value allows; two values conflict only when their "
        "intervals do not meet. null when compared as words.",
    )


class ClaimValueSerializer(serializers.Serializer):
    """One claim: a value as written, how it reads, its rank and its sources."""

    id = serializers.IntegerField()
    value = serializers.CharField(help_text="As the source writes it.")
    normalized = NormalizedSerializer()
    conflicts_with = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Ids of the property's claims (deprecated ones aside) this value cannot "
        "agree with: words that differ, or quantities whose intervals do not meet.",
    )
    rank = serializers.ChoiceField(choices=ClaimRank.choices)
    rank_note = serializers.CharField(help_text="Why the editors ranked it so; empty when normal.")
    citations = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the event's citations stating it."
    )
    sources = SourceSummarySerializer(many=True, help_text="The sources of those citations.")


class ClaimGroupSerializer(serializers.Serializer):
    """An event's claims about one property."""

    property = PropertySerializer()
    disputed = serializers.BooleanField(
        help_text="Whether two values that are not deprecated conflict (see conflicts_with); "
        "values whose intervals overlap agree, the narrowest first."
    )
    values = ClaimValueSerializer(
        many=True, help_text="Preferred first, deprecated last; then in citation order."
    )


class DateStatementSerializer(serializers.Serializer):
    """A date expression in a cited quote, and the date it was read as."""

    id = serializers.IntegerField(help_text="The citation's id.")
    expression = serializers.CharField(help_text="As the quote writes it, e.g. “Thursday”.")
    resolved = serializers.CharField(
        allow_null=True,
        help_text="EDTF, read against the source's publication date; null when it cannot be.",
    )


class OtherDateSerializer(DateStatementSerializer):
    explanation = serializers.CharField(
        help_text="How it was read, or why it could not be (“unresolved: …”)."
    )


class DateEvidenceSerializer(serializers.Serializer):
    """Whether a cited quote states the event's date (docs/dates-in-text.md)."""

    state = serializers.ChoiceField(
        choices=STATES,
        help_text="stated: a cited quote holds a date whose days all lie within the event's; "
        "inferred: none does, and the editors say how they derived it (note); unsupported: "
        "neither (drafts only: publishing one is refused).",
    )
    citations = DateStatementSerializer(many=True, help_text="The expressions stating the date.")
    note = serializers.CharField(help_text="How the editors derived the date; may be empty.")
    other = OtherDateSerializer(
        many=True,
        help_text="The quotes' other date expressions, which do not state the date: a wider "
        "or another date, or one that cannot be resolved (with the reason).",
    )


class EventLinkSerializer(serializers.Serializer):
    """Another event, named: the one an event is part of, or one of its parts."""

    slug = serializers.SlugField()
    title = serializers.CharField()
    url = serializers.URLField(help_text="The event's JSON.")


class EventSerializer(serializers.ModelSerializer):
    """An event: describes for the schema what ``timeline.api.documents`` builds."""

    url = serializers.HyperlinkedIdentityField(
        view_name="api:event-detail", lookup_field="slug", read_only=True
    )
    place = PlaceSerializer(read_only=True, allow_null=True)
    actors = ActorSerializer(many=True, read_only=True)
    tags = TagSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)
    claims = ClaimGroupSerializer(
        many=True,
        read_only=True,
        help_text="What the sources say of each property, side by side, and whether they differ.",
    )
    date_evidence = DateEvidenceSerializer(read_only=True)
    super_event = EventLinkSerializer(
        read_only=True,
        allow_null=True,
        help_text="The larger event this one is part of (schema.org superEvent), e.g. the "
        "meeting an outcome came out of; null when none (or when it is a draft, for readers "
        "who see no drafts).",
    )
    sub_events = EventLinkSerializer(
        many=True,
        read_only=True,
        help_text="The events part of this one (schema.org subEvent), in date order: published "
        "ones only, unless include_drafts.",
    )

    class Meta:
        model = Event
        fields = [
            "url",
            "slug",
            "title",
            "summary",
            "date",
            "display_date",
            "start",
            "end",
            "precision",
            "day_order",
            "date_evidence",
            "status",
            "super_event",
            "sub_events",
            "place",
            "actors",
            "tags",
            "citations",
            "claims",
            "published_at",
            "version",
            "updated_at",
        ]


class TimelineSerializer(serializers.ModelSerializer):
    """A timeline as the public sees it.

    It has no version or update time: those move when a draft joins the
    timeline, and the public payload must not (editors' responses add them).
    """

    url = serializers.HyperlinkedIdentityField(
        view_name="api:timeline-detail", lookup_field="slug", read_only=True
    )
    event_count = serializers.IntegerField(
        read_only=True, help_text="Published events in it (all events with include_drafts)."
    )

    class Meta:
        model = Timeline
        fields = ["url", "slug", "title", "description", "event_count", "published_at"]


class TimelineDetailSerializer(TimelineSerializer):
    events = EventSerializer(
        source="listed_events",
        many=True,
        read_only=True,
        help_text="The timeline's published events in date order (drafts too with include_drafts).",
    )

    class Meta(TimelineSerializer.Meta):
        fields = [*TimelineSerializer.Meta.fields, "events"]


class EditorTimelineSerializer(TimelineSerializer):
    """A timeline with what editors need to change it."""

    events = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="Slugs of all its events."
    )

    class Meta(TimelineSerializer.Meta):
        fields = [*TimelineSerializer.Meta.fields, "events", "version", "updated_at"]


class EditorTimelineDetailSerializer(TimelineDetailSerializer):
    class Meta(TimelineDetailSerializer.Meta):
        fields = [*TimelineDetailSerializer.Meta.fields, "version", "updated_at"]


class CitationDetailSerializer(CitationSerializer):
    """A citation on its own, naming the event it backs (built by ``documents.citations``)."""

    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta(CitationSerializer.Meta):
        fields = [*CitationSerializer.Meta.fields, "event", "version"]


class ClaimDetailSerializer(serializers.ModelSerializer):
    """A claim on its own, naming its event; with the editors' “compare as”.

    Describes for the schema what ``timeline.api.documents.claims`` builds.
    """

    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    property = PropertySerializer(read_only=True)
    normalized = NormalizedSerializer(read_only=True)
    citations = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Ids of the citations stating it.",
    )
    sources = SourceSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "event",
            "property",
            "value",
            "normalized_as",
            "normalized",
            "rank",
            "rank_note",
            "citations",
            "sources",
            "version",
        ]


class PropertyDetailSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimProperty
        fields = ["slug", "name", "kind", "description", "wikidata_id", "version"]


class PlaceDetailSerializer(PlaceSerializer):
    class Meta(PlaceSerializer.Meta):
        fields = [*PlaceSerializer.Meta.fields, "version"]


class ActorDetailSerializer(ActorSerializer):
    class Meta(ActorSerializer.Meta):
        fields = [*ActorSerializer.Meta.fields, "version"]


class TagDetailSerializer(TagSerializer):
    class Meta(TagSerializer.Meta):
        fields = [*TagSerializer.Meta.fields, "version"]


class UnanchoredCitationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    event = serializers.CharField(source="event.slug", help_text="The event's slug.")
    quote = serializers.CharField()


class ReanchorSerializer(serializers.Serializer):
    """How a source's citations fared in its new text (``services.ReanchorReport``)."""

    anchored = serializers.IntegerField(help_text="Citations found again in the new text.")
    unanchored = UnanchoredCitationSerializer(
        many=True, help_text="Citations not found in it: kept, unanchored, for an editor to fix."
    )


class EditorSourceSerializer(SourceSerializer):
    """A source with its editors' notes, as write responses show it."""

    # Not read-only, so that the schema marks it optional: the view adds it (SourceViewSet).
    reanchor = ReanchorSerializer(
        required=False, help_text="Only when the write changed the text: its re-anchoring."
    )

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "notes", "reanchor"]


class ErrorSerializer(serializers.Serializer):
    """The shape of every API error (see timeline/api/errors.py)."""

    detail = serializers.CharField(help_text="What went wrong, for people.")
    code = serializers.CharField(help_text="A stable machine-readable code, e.g. not_found.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=(
            "For invalid input: the messages for each field or query parameter; nested "
            "fields by path, e.g. citations.1.source."
        ),
    )


class PreconditionFailedSerializer(ErrorSerializer):
    """A 412: the resource moved on since the client read it."""

    current_version = serializers.IntegerField(
        help_text="The version now stored; its ETag is sent in the ETag header."
    )
