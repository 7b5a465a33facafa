"""API view sets: declarations of what each endpoint serves and who may write.

Anonymous clients read published data. Editors (model permissions, by token
or session) write; every PUT, PATCH and DELETE must carry ``If-Match`` with
the ETag last read, and every response naming one resource sends its ETag.
"""

from django.db import transaction
from django.utils.cache import patch_vary_headers
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import (
    SAFE_METHODS,
    BasePermission,
    DjangoModelPermissions,
    DjangoModelPermissionsOrAnonReadOnly,
)
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.utils.serializer_helpers import ReturnDict

from sources.versioning import VersionConflict
from timeline import services
from timeline.api import documents
from timeline.api import serializers as read
from timeline.api import write_serializers as write
from timeline.api.caching import VARY
from timeline.api.conditional import etag, expected_version
from timeline.api.errors import Conflict
from timeline.api.pagination import EventPagination, PageNumberPagination
from timeline.api.parsers import JSONParser, MultiPartParser
from timeline.filters import CitationFilter, ClaimFilter, EventFilter
from timeline.history import event_revisions
from timeline.models import Actor, Citation, Claim, ClaimProperty, Event, Place, Tag, Timeline
from timeline.querysets import in_published_use, sources_with_citation_counts

# What the OpenAPI schema says of each view set beyond the errors every operation
# can answer, which timeline.api.schema adds to all of them.
NOT_FOUND = OpenApiResponse(read.ErrorSerializer, description="No such (published) item.")
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag from your last read, e.g. "7". Stale → 412, missing → 428.',
)
OPTIONAL_IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description='Optional: the ETag you read, e.g. "7". Stale → 412.',
)
INCLUDE_DRAFTS = OpenApiParameter(
    "include_drafts",
    bool,
    description="Editors only: include draft (unpublished) events. 401/403 for others.",
)
TRUE_VALUES, FALSE_VALUES = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}
SLUG = r"[-a-zA-Z0-9_]+"
# Longer ids are past BigAutoField's largest: no row has them (and SQLite cannot compare them).
ID = r"[0-9]{1,18}"


def _schema(
    read_serializer,
    write_serializer,
    noun: str,
    plural: str = "",
    published=None,
    written=None,
    **reads,
) -> dict:
    """The OpenAPI description of one resource's reads, writes and (un)publishing.

    ``write_serializer`` may map media types to serializers; writes answer ``written``,
    by default ``read_serializer``.
    """
    writes = {"request": write_serializer, "responses": written or read_serializer}
    a = "an" if noun[0] in "aeiou" else "a"
    schemas = {
        "list": extend_schema(summary=f"List {plural or noun + 's'}", responses=read_serializer),
        "retrieve": extend_schema(summary=f"One {noun}", responses=read_serializer),
        **{name: extend_schema(**options) for name, options in reads.items()},
        "create": extend_schema(summary=f"Create {a} {noun}", **writes),
        "update": extend_schema(summary=f"Replace {a} {noun}", parameters=[IF_MATCH], **writes),
        "partial_update": extend_schema(
            summary=f"Change some fields of {a} {noun}", parameters=[IF_MATCH], **writes
        ),
        "destroy": extend_schema(
            summary=f"Delete {a} {noun}", parameters=[IF_MATCH], responses={204: None}
        ),
    }
    if published is not None:
        for action, summary in (
            ("publish", f"Publish {a} {noun}"),
            ("unpublish", f"Unpublish {a} {noun} (back to draft)"),
        ):
            schemas[action] = extend_schema(
                summary=summary,
                description="Sets or clears published_at. If-Match is optional here; when sent, "
                "it is checked (stale → 412; `*` is refused with a 428, as on every write).",
                request=None,
                parameters=[OPTIONAL_IF_MATCH],
                responses={
                    200: published,
                    412: OpenApiResponse(
                        read.PreconditionFailedSerializer, description="A stale ETag."
                    ),
                    428: OpenApiResponse(
                        read.ErrorSerializer, description="If-Match: * is refused."
                    ),
                },
            )
    return schemas


class ChangePermission(DjangoModelPermissions):
    """Editors who may change this kind of object: publishing, history."""

    perms_map = {
        method: ["%(app_label)s.change_%(model_name)s"]
        for method in ("GET", "HEAD", "OPTIONS", "POST")
    }


class ModelPermissionsOrAnonReadOnly(DjangoModelPermissionsOrAnonReadOnly):
    """DRF's, answering reads first: it builds the view's queryset to find the model
    even for a GET, which needs no permission (0.34 of 3.9 million instructions an event
    read costs with every cache off, callgrind)."""

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or super().has_permission(request, view)


class DraftsForEditors(BasePermission):
    """Drafts (``?include_drafts=true``) for editors who may change events, and nobody else."""

    def has_permission(self, request, view):
        return not view.include_drafts() or request.user.has_perm("timeline.change_event")


class EditableViewSet(viewsets.ModelViewSet):
    """Reads for everyone; writes for editors, conditional on If-Match.

    ``get_queryset`` gives what the client may read (drafts only for editors
    who ask, ``?include_drafts=true``); ``document`` what a GET of one item
    answers, which a write answers too.
    """

    write_serializer_class: type[serializers.Serializer]
    permission_classes = [ModelPermissionsOrAnonReadOnly, DraftsForEditors]
    lookup_field = "slug"
    lookup_value_regex = SLUG
    # Anonymous reads are answered from the cache (timeline.api.caching).
    cached_reads = True

    def get_serializer_class(self):
        if self.request is not None and self.request.method not in SAFE_METHODS:
            return self.write_serializer_class
        return self.serializer_class

    def include_drafts(self) -> bool:
        """Whether the client asks for drafts (``DraftsForEditors`` says who may)."""
        value = self.request.query_params.get("include_drafts", "").lower()
        if value not in TRUE_VALUES | FALSE_VALUES:
            raise exceptions.ValidationError({"include_drafts": ["Use true or false."]})
        return value in TRUE_VALUES

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        browsable = getattr(getattr(request, "accepted_renderer", None), "format", "") == "api"
        if self.action == "retrieve" and response.status_code == 200 and browsable:
            # The browsable API fills its edit form from the object it was given.
            response.data = ReturnDict(
                response.data, serializer=self.get_serializer(self.get_object())
            )
        if request.method not in SAFE_METHODS or "include_drafts" in request.query_params:
            # Editors' views (drafts, fresh writes) never go into a shared cache.
            response["Cache-Control"] = "private, no-store"
        else:
            # timeline.api.caching keeps what anyone may see, and makes it public.
            response.public_read = (
                not request.user.is_authenticated
                and getattr(request, "accepted_media_type", None) == "application/json"
            )
            response.setdefault("Cache-Control", "private, no-cache")
        patch_vary_headers(response, VARY)
        return response

    def retrieve(self, request, *args, **kwargs):
        document = self.document(self.get_object())
        return Response(document, headers={"ETag": etag(document["version"])})

    def document(self, instance) -> dict:
        """What a GET of one item answers; a write answers in its write serializer's read shape."""
        serializer_class = self.serializer_class
        if self.request.method not in SAFE_METHODS:
            serializer_class = self.write_serializer_class.read_serializer_class
        return serializer_class(instance, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = serializer.save()
        response = self.written(instance, serializer, status.HTTP_201_CREATED)
        lookup = self.lookup_field
        response["Location"] = reverse(
            f"api:{self.basename}-detail",
            kwargs={lookup: getattr(instance, lookup)},
            request=request,
        )
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        instance.version = expected_version(request, instance.version)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        if serializer.changes_nothing():
            # Nothing is written: the version (the client's ETag) stays, and no revision.
            return self.written(instance, serializer)
        return self.written(serializer.save(), serializer)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        expected = expected_version(request, instance.version)
        events = [instance.event_id] if hasattr(instance, "event_id") else []
        services.versioned_delete(obj=instance, version=expected, touch_events=events)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def written(self, instance, serializer=None, status_code=status.HTTP_200_OK) -> Response:
        """The response to a write: the resource as a GET now shows it, with its ETag."""
        document = self.document(self.get_queryset().get(pk=instance.pk))
        return Response(document, status=status_code, headers={"ETag": etag(document["version"])})


# No docstring: the view set's own describes its operations in the OpenAPI schema.
class PublishActions:
    @action(detail=True, methods=["post"], permission_classes=[ChangePermission])
    def publish(self, request, slug=None):
        return self.publish_action(request, published=True)

    @action(detail=True, methods=["post"], permission_classes=[ChangePermission])
    def unpublish(self, request, slug=None):
        return self.publish_action(request, published=False)

    def publish_action(self, request, *, published: bool) -> Response:
        instance = self.get_object()
        if "If-Match" in request.headers:
            expected_version(request, instance.version)
        self.set_published(instance, published=published)
        return self.written(instance)


# A timeline as the public reads it, or as an editor does with include_drafts=true: with the
# slugs of all its events (in lists), its version and update time. Editors' first, so that
# generated clients, which try each in turn, read an editor's answer as one.
TIMELINE_AS_READ = PolymorphicProxySerializer(
    component_name="TimelineAsRead",
    serializers=[read.EditorTimelineSerializer, read.TimelineSerializer],
    resource_type_field_name=None,
    many=True,
)
TIMELINE_DETAIL_AS_READ = PolymorphicProxySerializer(
    component_name="TimelineDetailAsRead",
    serializers=[read.EditorTimelineDetailSerializer, read.TimelineDetailSerializer],
    resource_type_field_name=None,
    many=False,
)


@extend_schema_view(
    **_schema(
        read.EditorTimelineSerializer,
        write.TimelineWriteSerializer,
        "timeline",
        published=read.EditorTimelineSerializer,
        list={
            "summary": "List published timelines",
            "description": "A page out of range is a 404. Editors who ask include_drafts=true "
            "also get each timeline's event slugs, version and update time.",
            "parameters": [INCLUDE_DRAFTS],
            "responses": TIMELINE_AS_READ,
        },
        retrieve={
            "summary": "A timeline with its published events in date order",
            "description": "Editors who ask include_drafts=true also get its version (sent as "
            "the ETag) and update time.",
            "parameters": [INCLUDE_DRAFTS],
            "responses": TIMELINE_DETAIL_AS_READ,
        },
    )
)
class TimelineViewSet(PublishActions, EditableViewSet):
    queryset = Timeline.objects.all()
    serializer_class = read.TimelineSerializer
    write_serializer_class = write.TimelineWriteSerializer

    def get_queryset(self):
        if self.request.method not in SAFE_METHODS:
            return Timeline.objects.with_event_counts(include_drafts=True)
        drafts = self.include_drafts()
        timelines = Timeline.objects.all() if drafts else Timeline.objects.published()
        timelines = timelines.with_event_counts(include_drafts=drafts).order_by("title", "pk")
        return timelines.prefetch_related("events") if drafts else timelines

    def get_serializer_class(self):
        if self.request is not None and self.request.method not in SAFE_METHODS:
            return self.write_serializer_class
        if self.request is not None and self.include_drafts():
            return read.EditorTimelineSerializer
        return read.TimelineSerializer

    def retrieve(self, request, *args, **kwargs):
        timeline = self.get_object()
        data = self.get_serializer(timeline).data
        drafts = self.include_drafts()
        events = Event.objects.all() if drafts else Event.objects.published()
        ids = events.filter(timelines=timeline.pk).chronological().values_list("pk", flat=True)
        data["events"] = documents.events(request, list(ids), include_drafts=drafts)
        response = Response(data)
        if drafts:
            response["ETag"] = etag(timeline.version)
        return response

    def set_published(self, timeline, *, published: bool) -> None:
        # The timeline's save checks the version it was read at.
        user = self.request.user
        services.timeline_set_published(timeline=timeline, published=published, user=user)


@extend_schema_view(
    **_schema(
        read.EventSerializer,
        write.EventWriteSerializer,
        "event",
        published=read.EventSerializer,
        list={
            "summary": "List published events",
            "description": "Filters combine with AND; a repeated relation filter matches any "
            "value.",
            "parameters": [
                OpenApiParameter(
                    "from",
                    str,
                    description="Events that end on or after the first day of this EDTF date "
                    "(2025, 2025-10, 2025-10-30).",
                    examples=[OpenApiExample("October 2025", value="2025-10")],
                ),
                OpenApiParameter(
                    "to",
                    str,
                    description="Events that start on or before the last day of this EDTF date.",
                    examples=[OpenApiExample("End of 2025", value="2025")],
                ),
                INCLUDE_DRAFTS,
            ],
            "responses": read.EventSerializer,
        },
        retrieve={
            "summary": "One published event",
            "parameters": [INCLUDE_DRAFTS],
            "responses": read.EventSerializer,
        },
    )
)
class EventViewSet(PublishActions, EditableViewSet):
    queryset = Event.objects.all()
    filterset_class = EventFilter
    pagination_class = EventPagination
    serializer_class = read.EventSerializer
    write_serializer_class = write.EventWriteSerializer

    def get_queryset(self):
        if self.request.method not in SAFE_METHODS:
            return Event.objects.all()
        events = Event.objects.all() if self.include_drafts() else Event.objects.published()
        return events.chronological()

    def list(self, request, *args, **kwargs):
        ids = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        found = documents.events(request, ids, include_drafts=self.include_drafts())
        return self.get_paginated_response(found)

    def retrieve(self, request, *args, **kwargs):
        document = documents.event(request, kwargs["slug"], include_drafts=self.include_drafts())
        if document is None:
            raise exceptions.NotFound("No Event matches the given query.")
        return Response(document, headers={"ETag": etag(document["version"])})

    def document(self, event) -> dict:
        return documents.event(self.request, event.slug, include_drafts=True)

    @transaction.atomic
    def set_published(self, event, *, published: bool) -> None:
        # Publishing in bulk checks no version: check the one If-Match named.
        checked = "If-Match" in self.request.headers
        if checked and not Event.objects.filter(pk=event.pk, version=event.version).exists():
            raise VersionConflict(event, Event.objects.get(pk=event.pk).version)
        change = services.events_publish if published else services.events_unpublish
        change(events=[event], user=self.request.user)

    @extend_schema(
        summary="An event's revisions, newest first, with field-level changes",
        description=(
            "Revisions of the event and of its citations and claims: who, when, why, and each "
            "changed field's old and new value. Editors only (drafts' history is not public)."
        ),
        responses={
            200: inline_serializer(
                "Revision",
                {
                    "object": serializers.ChoiceField(choices=["event", "citation", "claim"]),
                    "id": serializers.IntegerField(),
                    "history_id": serializers.IntegerField(),
                    "type": serializers.ChoiceField(choices=["created", "changed", "deleted"]),
                    "at": serializers.DateTimeField(),
                    "user": serializers.CharField(allow_null=True),
                    "reason": serializers.CharField(),
                    "version": serializers.IntegerField(),
                    "changes": inline_serializer(
                        "FieldChange",
                        {
                            "field": serializers.CharField(),
                            "old": serializers.JSONField(),
                            "new": serializers.JSONField(),
                        },
                        many=True,
                    ),
                },
                many=True,
            ),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[ChangePermission],
        filter_backends=[],
        pagination_class=PageNumberPagination,
    )
    def history(self, request, slug=None):
        event = Event.objects.filter(slug=slug).values_list("pk", flat=True).first()
        if event is None:
            raise exceptions.NotFound()
        return self.get_paginated_response(self.paginate_queryset(event_revisions(event)))


class PublishedOrDraftsViewSet(EditableViewSet):
    """Citations and claims: of published events, or of any event for editors who ask."""

    lookup_field = "pk"
    lookup_value_regex = ID

    def get_queryset(self):
        rows = self.queryset.order_by("pk")
        if self.request.method in SAFE_METHODS and not self.include_drafts():
            rows = rows.filter(event__published_at__isnull=False)
        return rows

    def list(self, request, *args, **kwargs):
        rows = self.filter_queryset(self.get_queryset()).values_list("pk", flat=True)
        return self.get_paginated_response(self.build(list(self.paginate_queryset(rows))))

    def document(self, instance) -> dict:
        return self.build([instance.pk])[0]


@extend_schema_view(
    **_schema(
        read.CitationDetailSerializer,
        write.CitationWriteSerializer,
        "citation",
        list={
            "summary": "List citations of published events",
            "parameters": [INCLUDE_DRAFTS],
            "responses": read.CitationDetailSerializer,
        },
    )
)
class CitationViewSet(PublishedOrDraftsViewSet):
    queryset = Citation.objects.all()
    filterset_class = CitationFilter
    serializer_class = read.CitationDetailSerializer
    write_serializer_class = write.CitationWriteSerializer
    build = staticmethod(documents.citations)


@extend_schema_view(
    **_schema(
        read.ClaimDetailSerializer,
        write.ClaimWriteSerializer,
        "claim",
        list={
            "summary": "List claims of published events",
            "description": "Each claim states one value of a property of an event, citing the "
            "event's citations. An event's JSON shows its claims grouped by property.",
            "parameters": [INCLUDE_DRAFTS],
            "responses": read.ClaimDetailSerializer,
        },
    )
)
class ClaimViewSet(PublishedOrDraftsViewSet):
    queryset = Claim.objects.all()
    filterset_class = ClaimFilter
    serializer_class = read.ClaimDetailSerializer
    write_serializer_class = write.ClaimWriteSerializer
    build = staticmethod(documents.claims)


class LookupViewSet(EditableViewSet):
    """Actors, places, tags and properties: by slug, in name order.

    Readers see those a published event uses: the names of those that only
    drafts use are not public. Editors who may change them see them all.
    """

    def get_queryset(self):
        lookups = super().get_queryset()
        model = lookups.model._meta
        editor = self.request.user.has_perm(f"{model.app_label}.change_{model.model_name}")
        if self.request.method not in SAFE_METHODS or editor:
            return lookups
        return in_published_use(lookups)


@extend_schema_view(
    **_schema(
        read.PropertyDetailSerializer, write.PropertyWriteSerializer, "property", "properties"
    )
)
class PropertyViewSet(LookupViewSet):
    queryset = ClaimProperty.objects.order_by("name", "pk")
    serializer_class = read.PropertyDetailSerializer
    write_serializer_class = write.PropertyWriteSerializer


@extend_schema_view(
    **_schema(
        read.SourceSerializer,
        # One description for each media type: generated clients take one body per type.
        {
            "application/json": write.SourceWriteSerializer,
            "multipart/form-data": write.SourceUploadSerializer,
        },
        "source",
        written=read.EditorSourceSerializer,
    ),
)
class SourceViewSet(EditableViewSet):
    queryset = sources_with_citation_counts().order_by("title", "pk")
    lookup_field = "pk"
    lookup_value_regex = ID
    # Sources also take multipart/form-data, with an uploaded ``file``.
    parser_classes = [JSONParser, MultiPartParser]
    serializer_class = read.SourceSerializer
    write_serializer_class = write.SourceWriteSerializer

    def get_serializer_class(self):
        request = self.request
        writing = request is not None and request.method not in SAFE_METHODS
        if writing and request.content_type.startswith("multipart/form-data"):
            return write.SourceUploadSerializer
        return super().get_serializer_class()

    def written(self, instance, serializer=None, status_code=status.HTTP_200_OK) -> Response:
        response = super().written(instance, serializer, status_code)
        report = getattr(serializer, "reanchor_report", None)
        if report is not None:
            response.data["reanchor"] = read.ReanchorSerializer(report).data
        return response


@extend_schema_view(**_schema(read.ActorDetailSerializer, write.ActorWriteSerializer, "actor"))
class ActorViewSet(LookupViewSet):
    queryset = Actor.objects.order_by("name", "pk")
    serializer_class = read.ActorDetailSerializer
    write_serializer_class = write.ActorWriteSerializer


@extend_schema_view(**_schema(read.PlaceDetailSerializer, write.PlaceWriteSerializer, "place"))
class PlaceViewSet(LookupViewSet):
    queryset = Place.objects.order_by("name", "pk")
    serializer_class = read.PlaceDetailSerializer
    write_serializer_class = write.PlaceWriteSerializer


@extend_schema_view(**_schema(read.TagDetailSerializer, write.TagWriteSerializer, "tag"))
class TagViewSet(LookupViewSet):
    queryset = Tag.objects.order_by("name", "pk")
    serializer_class = read.TagDetailSerializer
    write_serializer_class = write.TagWriteSerializer


class DeletedEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The event's id; restore keeps it.")
    slug = serializers.CharField()
    title = serializers.CharField()
    date = serializers.CharField()
    deleted_at = serializers.DateTimeField(source="history_date")
    deleted_by = serializers.SerializerMethodField()
    timelines = serializers.ListField(source="timeline_ids", child=serializers.IntegerField())

    def get_deleted_by(self, record) -> str | None:
        return record.history_user.get_username() if record.history_user else None


class DeletedEventPermission(DjangoModelPermissions):
    """Listing deleted events takes the change permission; restoring one, the add permission."""

    perms_map = {
        **ChangePermission.perms_map,
        "POST": DjangoModelPermissions.perms_map["POST"],
    }

    def has_permission(self, request, view):
        # The model is the events', not the history records' the view lists.
        perms = self.get_required_permissions(request.method, Event)
        return request.user.is_authenticated and request.user.has_perms(perms)


@extend_schema_view(
    list=extend_schema(
        summary="Deleted events that can be restored (editors only)",
        responses=DeletedEventSerializer,
    ),
)
class DeletedEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = DeletedEventSerializer
    permission_classes = [DeletedEventPermission]
    lookup_value_regex = ID

    def get_queryset(self):
        return services.deleted_events()

    @extend_schema(
        summary="Restore a deleted event, with its citations, as a draft",
        request=None,
        responses={
            201: read.EventSerializer,
            409: OpenApiResponse(read.ErrorSerializer, description="Its slug is taken since."),
        },
    )
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        if not Event.history.filter(id=pk, history_type="-").exists():
            raise exceptions.NotFound("No deleted event has this id.")
        try:
            event = services.event_restore(event_id=int(pk), user=request.user)
        except services.NotRestorable as exc:
            raise Conflict(str(exc)) from exc
        document = documents.event(request, event.slug, include_drafts=True)
        headers = {
            "ETag": etag(document["version"]),
            "Location": document["url"],
            "Cache-Control": "private, no-store",
        }
        return Response(document, status=status.HTTP_201_CREATED, headers=headers)
