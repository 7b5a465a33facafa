"""JSON shapes of the read API (the contract in DESIGN.md)."""

from collections.abc import Callable

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sources.models import Source
from timeline import disputes
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
from timeline.quantities import QUALIFIERS

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
            "retrieved_at",
            "text_length",
            "text_sha256",
            "citation_count",
            "version",
            "updated_at",
        ]


class CitationSerializer(serializers.ModelSerializer):
    source = SourceSummarySerializer(read_only=True)
    selectors = serializers.SerializerMethodField()

    class Meta:
        model = Citation
        fields = ["id", "quote", "locator", "note", "selectors", "source"]

    @extend_schema_field(SELECTORS_SCHEMA)
    def get_selectors(self, citation: Citation) -> list[dict]:
        return citation.selectors


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


class NormalizedSerializer(serializers.Serializer):
    """How a value is compared: as a quantity, or (``qualifier`` and the rest null) as words."""

    text = serializers.CharField(
        help_text="The reading values are compared by: values with the same text agree, "
        "e.g. “100 minutes” for both “about 100 minutes” and “one hour and 40 minutes”."
    )
    qualifier = serializers.ChoiceField(
        choices=QUALIFIERS, allow_null=True, help_text="null when compared as words."
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


class ClaimValueSerializer(serializers.Serializer):
    """One claim: a value as written, how it reads, its rank and its sources."""

    id = serializers.IntegerField()
    value = serializers.CharField(help_text="As the source writes it.")
    normalized = NormalizedSerializer()
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
        help_text="Whether the values that are not deprecated read differently."
    )
    values = ClaimValueSerializer(
        many=True, help_text="Preferred first, deprecated last; then in citation order."
    )


def source_of_citations(citations) -> Callable[[int], dict | None]:
    """Each citation's embedded source, by the citation's id (None for any other).

    Serialized only when asked for, and once a source: most events state no
    claim, and a timeline cites the same few articles many times.
    """
    by_id = {citation.pk: citation for citation in citations}
    serialized: dict[int, dict] = {}

    def source_of(citation_id: int) -> dict | None:
        citation = by_id.get(citation_id)
        if citation is None:
            return None
        if citation.source_id not in serialized:
            serialized[citation.source_id] = SourceSummarySerializer(citation.source).data
        return serialized[citation.source_id]

    return source_of


def event_claims(event: Event) -> list[dict]:
    """An event's claims grouped by property, from its prefetched claims and citations."""
    claims = event.claims.all()
    if not claims:
        return []
    groups = disputes.group_claims(claims)
    return disputes.claims_document(groups, source_of_citations(event.citations.all()))


class EventSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:event-detail", lookup_field="slug", read_only=True
    )
    place = PlaceSerializer(read_only=True, allow_null=True)
    actors = ActorSerializer(many=True, read_only=True)
    tags = TagSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)
    claims = serializers.SerializerMethodField(
        help_text="What the sources say of each property, side by side, and whether they differ."
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
            "status",
            "place",
            "actors",
            "tags",
            "citations",
            "claims",
            "published_at",
            "version",
            "updated_at",
        ]

    @extend_schema_field(ClaimGroupSerializer(many=True))
    def get_claims(self, event: Event) -> list[dict]:
        return event_claims(event)


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
    """A citation on its own, naming the event it backs."""

    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta(CitationSerializer.Meta):
        fields = [*CitationSerializer.Meta.fields, "event", "version"]


class ClaimDetailSerializer(serializers.ModelSerializer):
    """A claim on its own, naming its event; with the editors' “compare as”.

    Reads ``Claim.objects.for_reading()`` (its ``citation_ids``) with the
    claim's citations and their sources prefetched.
    """

    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    property = PropertySerializer(read_only=True)
    normalized = serializers.SerializerMethodField()
    citations = serializers.SerializerMethodField()
    sources = serializers.SerializerMethodField()

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

    @extend_schema_field(NormalizedSerializer)
    def get_normalized(self, claim: Claim) -> dict:
        return disputes.Reading.from_key(claim.comparison_key).as_dict()

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_citations(self, claim: Claim) -> list[int]:
        return claim.citation_ids

    @extend_schema_field(SourceSummarySerializer(many=True))
    def get_sources(self, claim: Claim) -> list[dict]:
        source_of = source_of_citations(claim.citations.all())
        return disputes.cited_sources(claim.citation_ids, source_of)


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


class EditorSourceSerializer(SourceSerializer):
    """A source with its editors' notes, as write responses show it."""

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "notes"]


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
