"""What editors send to create and change things (the write API).

Validation is the models' own (``Model.full_clean``, as in the admin). Unknown fields
are refused, so a typo is never silently dropped; fields of the read shape (``url``,
``start``…) are accepted and ignored, so a client may send back what it read. Writes
that span models are ``timeline.services``' own, which the admin shares.
"""

import copy
import functools
import re
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator, slug_re
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS, ManyRelatedField
from rest_framework.settings import api_settings

from sources.ingest import IngestError, decode_uploaded_file, html_to_text, normalise_text
from sources.models import Source
from timeline import services
from timeline.api import serializers as read
from timeline.models import Actor, Citation, Claim, ClaimProperty, Event, Place, Tag, Timeline

ID_PATTERN = re.compile(r"[0-9]{1,19}")
MAX_ID = 2**63 - 1  # BigAutoField
TOO_MANY = "Send at most {max_length} items here; this list has {length}."


class BoundedManyRelatedField(ManyRelatedField):
    """DRF's list of related objects, refused past ``max_length`` items before any is looked up.

    (DRF's own has no length limit; ``ListField``'s is checked after its items.)
    """

    default_error_messages = {"max_length": TOO_MANY}

    def __init__(self, *, max_length: int, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)
        # Checked first in to_internal_value; here, it shows as maxItems in the OpenAPI schema.
        self.validators.append(MaxLengthValidator(max_length))

    def to_internal_value(self, data):
        if isinstance(data, list) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length, length=len(data))
        return super().to_internal_value(data)


class BoundedManyMixin:
    """``many=True`` gives a ``BoundedManyRelatedField``: ``TIMELINE_MAX_LIST_ITEMS`` items at
    most, unless ``max_length`` says otherwise."""

    @classmethod
    def many_init(cls, *args, max_length: int | None = None, **kwargs):
        # DRF's RelatedField.many_init, with the bounded list.
        list_kwargs = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return BoundedManyRelatedField(
            child_relation=cls(*args, **kwargs),
            max_length=max_length or settings.TIMELINE_MAX_LIST_ITEMS,
            **list_kwargs,
        )


class BoundedListSerializer(serializers.ListSerializer):
    """DRF's list of nested objects, whose ``max_length`` (checked before any item is) names
    the list itself, and shows as maxItems in the OpenAPI schema."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))

    def to_internal_value(self, data):
        if isinstance(data, list) and self.max_length is not None and len(data) > self.max_length:
            raise serializers.ValidationError(
                [TOO_MANY.format(max_length=self.max_length, length=len(data))], code="max_length"
            )
        return super().to_internal_value(data)


class SlugOrObjectField(BoundedManyMixin, serializers.SlugRelatedField):
    """A related object by slug; the object as read (with its ``slug``) is accepted too."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            data = data.get("slug")
        if not isinstance(data, str):
            self.fail("invalid")
        if not slug_re.match(data):
            # Nothing has it, and PostgreSQL refuses a NUL in the query: an error, not a miss.
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


class WholeIdField(BoundedManyMixin, serializers.PrimaryKeyRelatedField):
    """An object by id, as JSON or digits: never a float (1.5 is not 1) or a boolean;
    a number too large for the database is an unknown id, not a 500."""

    def to_internal_value(self, data):
        if isinstance(data, str) and ID_PATTERN.fullmatch(data):
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class SourceIdField(WholeIdField):
    """A source by id; the embedded source as read (with its ``id``) is accepted too."""

    default_error_messages = {"does_not_exist": "There is no source with id {pk_value}."}

    def __init__(self, **kwargs):
        super().__init__(queryset=Source.objects.defer("text"), **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            if "id" not in data:
                self.fail("incorrect_type", data_type="object without an id")
            data = data["id"]
        return super().to_internal_value(data)


class CitationIdField(WholeIdField):
    """A citation by id, as the read shape lists a claim's citations."""

    default_error_messages = {"does_not_exist": "There is no citation with id {pk_value}."}

    def __init__(self, **kwargs):
        super().__init__(queryset=Citation.objects.all(), **kwargs)


@functools.cache
def read_field_names(serializer_class) -> frozenset[str]:
    # Once per class, not for every item of a nested list.
    return frozenset(serializer_class().fields)


class StrictFieldsMixin:
    """Refuse unknown fields; accept (and ignore) the fields of the read shape."""

    read_serializer_class: type[serializers.Serializer] | None = None

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(
                {"non_field_errors": [f"Expected a JSON object, not {type(data).__name__}."]}
            )
        known = set(self.fields)
        if self.read_serializer_class is not None:
            known |= read_field_names(self.read_serializer_class)
        unknown = sorted(set(data) - known)
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


# Validated with the model's own ``full_clean``: the rules the admin applies. (No docstring:
# the schema would describe the serializers without their own with it.)
class WriteSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    def model_clean(self, attrs: dict, *, exclude: tuple[str, ...] = ()) -> None:
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        many = {f.name for f in model._meta.many_to_many}
        concrete = {f.name for f in model._meta.concrete_fields}
        for name, value in attrs.items():
            if name in concrete and name not in exclude:
                setattr(instance, name, value)
        try:
            instance.full_clean(exclude=[*many, *exclude])
        except DjangoValidationError as exc:
            errors = serializers.as_serializer_error(exc)
            # Django names rules of several fields "__all__"; the API, as DRF does.
            if NON_FIELD_ERRORS in errors:
                errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
            raise serializers.ValidationError(errors) from exc

    def validate(self, attrs):
        attrs = super().validate(attrs)
        self.model_clean(attrs)
        return attrs

    def changes_nothing(self) -> bool:
        """Whether saving the validated data would leave the stored object as it is.

        Then nothing is saved: the version stays, and the history records no revision.
        """
        return self.instance is not None and not any(
            self.differs(name, value) for name, value in self.validated_data.items()
        )

    def differs(self, name: str, value) -> bool:
        """Whether ``value`` differs from the stored object's ``name``."""
        try:
            field = self.Meta.model._meta.get_field(name)
        except FieldDoesNotExist:
            return True
        if field.many_to_many:
            stored = set(getattr(self.instance, name).values_list("pk", flat=True))
            return {obj.pk for obj in value} != stored
        return getattr(self.instance, name) != value

    def _user(self):
        """Who writes, for the history (None outside a request)."""
        return getattr(self.context.get("request"), "user", None)


# Saved by ``update``, through ``timeline.services``: a new object is a blank one updated.
class ServiceWriteSerializer(WriteSerializer):
    def create(self, validated_data):
        return self.update(self.Meta.model(), validated_data)


class ActorWriteSerializer(WriteSerializer):
    read_serializer_class = read.ActorDetailSerializer

    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "wikidata_id"]


class PlaceWriteSerializer(WriteSerializer):
    read_serializer_class = read.PlaceDetailSerializer
    latitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, allow_null=True, required=False
    )
    longitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, allow_null=True, required=False
    )

    class Meta:
        model = Place
        fields = ["slug", "name", "latitude", "longitude", "wikidata_id"]


class TagWriteSerializer(WriteSerializer):
    read_serializer_class = read.TagDetailSerializer

    class Meta:
        model = Tag
        fields = ["slug", "name", "wikidata_id"]


class CitationInEventSerializer(WriteSerializer):
    """A citation written inside its event: without ``id`` it is new."""

    read_serializer_class = read.CitationSerializer
    id = serializers.IntegerField(
        required=False, help_text="An existing citation of this event to keep and change."
    )
    source = SourceIdField(help_text="The cited source's id.")

    class Meta:
        model = Citation
        fields = ["id", "source", "quote", "locator", "note"]
        list_serializer_class = BoundedListSerializer

    def validate(self, attrs):
        attrs = serializers.ModelSerializer.validate(self, attrs)
        values = {k: v for k, v in attrs.items() if k != "id"}
        self.model_clean(values, exclude=("event",))
        return attrs


class EventWriteSerializer(ServiceWriteSerializer):
    """An event with its actors, tags and (optionally) its whole list of citations.

    When ``citations`` is sent, it is the complete list: items with an ``id``
    keep and change that citation, items without one are added, and the
    event's citations left out are deleted (their history keeps them).
    """

    read_serializer_class = read.EventSerializer
    place = SlugOrObjectField(
        queryset=Place.objects.all(), allow_null=True, required=False, help_text="A place slug."
    )
    actors = SlugOrObjectField(
        queryset=Actor.objects.all(), many=True, required=False, help_text="Actor slugs."
    )
    tags = SlugOrObjectField(
        queryset=Tag.objects.all(), many=True, required=False, help_text="Tag slugs."
    )
    citations = CitationInEventSerializer(
        many=True, required=False, max_length=settings.TIMELINE_MAX_CITATIONS_PER_EVENT
    )
    super_event = SlugOrObjectField(
        queryset=Event.objects.all(),
        allow_null=True,
        required=False,
        help_text="The slug of the event this one is part of (schema.org superEvent), or null.",
    )

    class Meta:
        model = Event
        fields = [
            "slug",
            "title",
            "summary",
            "date",
            "date_note",
            "display_date",
            "status",
            "super_event",
            "day_order",
            "place",
            "actors",
            "tags",
            "citations",
        ]

    def validate_citations(self, items):
        errors = []
        seen = set()
        own = set(self.instance.citations.values_list("pk", flat=True)) if self.instance else set()
        # A citation that states a claim stays until the claim no longer cites it.
        kept = {item["id"] for item in items if "id" in item}
        claimed = (
            Claim.citations.through.objects.filter(citation__event=self.instance)
            .exclude(citation_id__in=kept)
            .select_related("claim__property")
            .order_by("citation_id")
            if self.instance
            else []
        )
        dropped = [
            f"Citation {link.citation_id} states the claim “{link.claim}”: remove it from "
            "the claim first (or keep it in this list)."
            for link in claimed
        ]
        if dropped:
            raise serializers.ValidationError(dropped)
        for item in items:
            error = {}
            if "id" in item and item["id"] not in own:
                error["id"] = [f"Citation {item['id']} is not a citation of this event."]
            key = (item["source"].pk, item["quote"])
            if key in seen:
                error["quote"] = ["This event already cites this quote from this source."]
            seen.add(key)
            errors.append(error)
        if any(errors):
            raise serializers.ValidationError(errors)
        return items

    def validate(self, attrs):
        citations = attrs.pop("citations", None)
        attrs = super().validate(attrs)
        if citations is not None:
            attrs["citations"] = citations
        return attrs

    def differs(self, name: str, value) -> bool:
        if name != "citations":
            return super().differs(name, value)
        # The same citations, each with the same values (as event_save compares them).
        stored = {citation.pk: citation for citation in self.instance.citations.all()}
        return {item.get("id") for item in value} != set(stored) or any(
            getattr(stored[item["id"]], field) != given
            for item in value
            for field, given in item.items()
        )

    def update(self, event, validated_data):
        related = {name: validated_data.pop(name, None) for name in ("actors", "tags", "citations")}
        for name, value in validated_data.items():
            setattr(event, name, value)
        return services.event_save(event=event, **related, user=self._user())


def check_room_on_event(instance, attrs: dict, related: str, limit: int) -> None:
    """Refuse a citation or claim that would take its event past ``limit`` of them, before
    the model's checks (anchoring a quote): an event's JSON, and every write to it, grows
    with their number."""
    event = attrs.get("event")
    if event is None or (instance is not None and instance.event_id == event.pk):
        return
    count = getattr(event, related).count()
    if count >= limit:
        raise serializers.ValidationError(
            {"event": [f"This event has {count} {related}, the most an event may have ({limit})."]}
        )


class CitationWriteSerializer(ServiceWriteSerializer):
    """One citation on its own: which event it backs, and the quote."""

    read_serializer_class = read.CitationDetailSerializer
    event = SlugOrObjectField(queryset=Event.objects.all(), help_text="The event's slug.")
    source = SourceIdField(help_text="The cited source's id.")

    class Meta:
        model = Citation
        fields = ["event", "source", "quote", "locator", "note"]
        validators: list = []  # the model's UniqueConstraint is checked by full_clean

    def validate(self, attrs):
        check_room_on_event(
            self.instance, attrs, "citations", settings.TIMELINE_MAX_CITATIONS_PER_EVENT
        )
        attrs = super().validate(attrs)
        moving = self.instance and attrs.get("event", self.instance.event) != self.instance.event
        stated = list(self.instance.claims.select_related("property")) if moving else []
        if stated:
            claims = "; ".join(f"“{claim}”" for claim in stated)
            raise serializers.ValidationError(
                {
                    "event": [
                        f"This citation states claims of its event ({claims}): it cannot move "
                        "to another event while they cite it."
                    ]
                }
            )
        return attrs

    def update(self, citation, validated_data):
        left = citation.event_id
        for name, value in validated_data.items():
            setattr(citation, name, value)
        return services.citation_save(citation=citation, left_event_id=left)


class PropertyWriteSerializer(WriteSerializer):
    """A property of the claims' vocabulary.

    Changing its kind reads its claims again; a claim the new kind cannot
    take (a percentage, for a duration) refuses the change.
    """

    read_serializer_class = read.PropertyDetailSerializer

    class Meta:
        model = ClaimProperty
        fields = ["slug", "name", "kind", "description", "wikidata_id"]

    def update(self, prop, validated_data):
        kind = prop.kind
        for name, value in validated_data.items():
            setattr(prop, name, value)
        return services.property_save(prop=prop, kind_before=kind, user=self._user())


class ClaimWriteSerializer(ServiceWriteSerializer):
    """One claim: its event, property, value as written, rank and citations."""

    read_serializer_class = read.ClaimDetailSerializer
    event = SlugOrObjectField(queryset=Event.objects.all(), help_text="The event's slug.")
    property = SlugOrObjectField(
        queryset=ClaimProperty.objects.all(), help_text="The property's slug (see /properties/)."
    )
    citations = CitationIdField(
        many=True,
        max_length=settings.TIMELINE_MAX_CITATIONS_PER_EVENT,
        help_text="Ids of the event's citations that state the value (at least one).",
    )

    class Meta:
        model = Claim
        fields = ["event", "property", "value", "normalized_as", "rank", "rank_note", "citations"]
        validators: list = []  # the model's UniqueConstraint is checked by full_clean

    def validate(self, attrs):
        check_room_on_event(self.instance, attrs, "claims", settings.TIMELINE_MAX_CLAIMS_PER_EVENT)
        # Every problem at once: the model's rules and the citations'.
        errors = {}
        try:
            attrs = super().validate(attrs)
        except serializers.ValidationError as exc:
            errors = dict(exc.detail)
        claim = copy.copy(self.instance) if self.instance is not None else Claim()
        claim.event = attrs.get("event", getattr(claim, "event", None))
        citations = attrs.get("citations")
        if citations is None:  # a PATCH that leaves them: they must still be the event's
            citations = list(claim.citations.all()) if claim.pk else []
        try:
            claim.clean_citations(citations)
        except DjangoValidationError as exc:
            errors |= serializers.as_serializer_error(exc)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def update(self, claim, validated_data):
        citations = validated_data.pop("citations", None)
        left = claim.event_id
        for name, value in validated_data.items():
            setattr(claim, name, value)
        return services.claim_save(
            claim=claim, citations=citations, user=self._user(), touch_events={left}
        )


class SourceWriteSerializer(ServiceWriteSerializer):
    """A source with its archived text: plain ``text``, or ``html``.

    HTML is reduced to its readable text. When the text changes, the source's
    citations are re-anchored; those that no longer anchor are kept and listed
    in ``reanchor``.
    """

    read_serializer_class = read.EditorSourceSerializer
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        write_only=True,
        help_text="The article's plain text.",
    )
    html = serializers.CharField(
        required=False,
        write_only=True,
        trim_whitespace=False,
        help_text="The article as HTML; stored as its readable text.",
    )

    class Meta:
        model = Source
        fields = [
            "slug",
            "title",
            "publisher",
            "url",
            "published_on",
            "published_between",
            "language",
            "retrieved_at",
            "notes",
            "text",
            "html",
        ]

    def validate(self, attrs):
        given = [name for name in ("text", "html", "file") if name in attrs]
        if len(given) > 1:
            raise serializers.ValidationError(
                {name: ["Send the text one way only: text, html or file."] for name in given}
            )
        try:
            if "html" in attrs:
                attrs["text"] = html_to_text(attrs.pop("html"))
            elif "file" in attrs:
                attrs["text"] = decode_uploaded_file(attrs.pop("file"))
            elif "text" in attrs:
                attrs["text"] = normalise_text(attrs["text"])
        except IngestError as exc:
            raise serializers.ValidationError({given[0]: [str(exc)]}) from exc
        return super().validate(attrs)

    def update(self, source, validated_data):
        for name, value in validated_data.items():
            setattr(source, name, value)
        self.reanchor_report = services.source_save(source=source, user=self._user())
        return source


class SourceUploadSerializer(SourceWriteSerializer):
    """A source as a form (multipart/form-data): its text as ``text``, ``html``, or an uploaded
    ``file`` (.txt or .html)."""

    file = serializers.FileField(
        required=False,
        write_only=True,
        help_text="An uploaded .txt or .html file, UTF-8; HTML is stored as its readable text.",
    )

    class Meta(SourceWriteSerializer.Meta):
        fields = [*SourceWriteSerializer.Meta.fields, "file"]


class TimelineWriteSerializer(ServiceWriteSerializer):
    """A timeline's text and its events (slugs; drafts may join, the public sees published)."""

    read_serializer_class = read.EditorTimelineSerializer
    events = SlugOrObjectField(
        queryset=Event.objects.all(), many=True, required=False, help_text="Event slugs."
    )

    class Meta:
        model = Timeline
        fields = ["slug", "title", "description", "events"]

    def update(self, timeline, validated_data):
        events = validated_data.pop("events", None)
        for name, value in validated_data.items():
            setattr(timeline, name, value)
        return services.timeline_save(timeline=timeline, events=events, user=self._user())
