"""API view sets: declarations of what each endpoint serves and who may write.

Anonymous clients read published data. Editors (model permissions, by token
or session) write; every PUT, PATCH and DELETE must carry ``If-Match`` with
the ETag last read, and every response naming one resource sends its ETag.
"""

import functools

from django.core.validators import slug_re
from django.db import transaction
from django.db.models import F, Prefetch
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.reverse import reverse

from sources.versioning import VersionConflict
from timeline import services
from timeline.api import caching, rows
from timeline.api import serializers as read
from timeline.api import write_serializers as write
from timeline.api.conditional import PreconditionFailed, etag, expected_version
from timeline.api.errors import Conflict
from timeline.api.pagination import EventPagination
from timeline.api.parsers import JSONParser, MultiPartParser
from timeline.filters import EventFilter
from timeline.history import event_revisions
from timeline.models import Actor, Citation, Claim, ClaimProperty, Event, Place, Tag, Timeline
from timeline.querysets import sources_with_citation_counts

# Responses every endpoint may give, for the OpenAPI schema.
NOT_FOUND = OpenApiResponse(read.ErrorSerializer, description="No such (published) item.")
BAD_QUERY = OpenApiResponse(
    read.ErrorSerializer, description="A query parameter is invalid; `errors` names it."
)
INVALID = OpenApiResponse(
    read.ErrorSerializer,
    description="Malformed JSON, an unknown field or an invalid value; `errors` names each field.",
)
UNAUTHENTICATED = OpenApiResponse(
    read.ErrorSerializer, description="No valid token or session: sign in (see /auth/tokens/)."
)
FORBIDDEN = OpenApiResponse(read.ErrorSerializer, description="Signed in, but not allowed to.")
CONFLICT = OpenApiResponse(
    read.ErrorSerializer, description="Still referenced by other data, or a uniqueness race."
)
TOO_LARGE = OpenApiResponse(read.ErrorSerializer, description="The request body is too large.")
UNSUPPORTED = OpenApiResponse(read.ErrorSerializer, description="Unsupported Content-Type.")
PRECONDITION_FAILED = OpenApiResponse(
    read.PreconditionFailedSerializer,
    description="If-Match names an old version: someone else changed it first. Nothing written.",
)
PRECONDITION_REQUIRED = OpenApiResponse(
    read.ErrorSerializer, description="If-Match is missing (or `*`): send the ETag you read."
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag from your last read, e.g. "7". Stale → 412, missing → 428.',
)
INCLUDE_DRAFTS = OpenApiParameter(
    "include_drafts",
    bool,
    description="Editors only: include draft (unpublished) events. 401/403 for others.",
)

WRITE_ERRORS = {
    400: INVALID,
    401: UNAUTHENTICATED,
    403: FORBIDDEN,
    409: CONFLICT,
    413: TOO_LARGE,
    415: UNSUPPORTED,
}
CONDITIONAL_ERRORS = {
    **WRITE_ERRORS,
    404: NOT_FOUND,
    412: PRECONDITION_FAILED,
    428: PRECONDITION_REQUIRED,
}
TRUE_VALUES, FALSE_VALUES = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}


def _write_schema(read_serializer, write_serializer, noun: str) -> dict:
    """The OpenAPI description of the standard writes of one resource."""
    return {
        "create": extend_schema(
            summary=f"Create {noun}",
            request=write_serializer,
            responses={201: read_serializer, **WRITE_ERRORS},
        ),
        "update": extend_schema(
            summary=f"Replace {noun}",
            parameters=[IF_MATCH],
            request=write_serializer,
            responses={200: read_serializer, **CONDITIONAL_ERRORS},
        ),
        "partial_update": extend_schema(
            summary=f"Change some fields of {noun}",
            parameters=[IF_MATCH],
            request=write_serializer,
            responses={200: read_serializer, **CONDITIONAL_ERRORS},
        ),
        "destroy": extend_schema(
            summary=f"Delete {noun}",
            parameters=[IF_MATCH],
            responses={204: None, **CONDITIONAL_ERRORS},
        ),
    }


def _publish_schema(summary: str, response_serializer) -> dict:
    """The OpenAPI description of a publish or unpublish action."""
    return {
        "summary": summary,
        "description": "Sets or clears published_at. If-Match is optional here; when sent, "
        "it is checked.",
        "request": None,
        "parameters": [
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description='Optional: the ETag you read, e.g. "7". Stale → 412.',
            )
        ],
        "responses": {
            200: response_serializer,
            400: OpenApiResponse(read.ErrorSerializer, description="A malformed If-Match."),
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            412: PRECONDITION_FAILED,
            428: OpenApiResponse(
                read.ErrorSerializer,
                description="If-Match: * is refused, as on every write: send an ETag, or no "
                "If-Match at all.",
            ),
        },
    }


def checked_slug(value: str) -> str:
    """A slug from the URL, or a 404 without a query when it cannot be one.

    Nothing is stored under a value that is not a slug, and PostgreSQL refuses
    to compare text holding a NUL character at all: an error, not a miss.
    """
    if not slug_re.match(value):
        raise exceptions.NotFound()
    return value


def filtered_by_slugs(queryset, params, **fields: str):
    """The queryset filtered on each slug parameter given: ``event="event__slug"``.

    A value that is not a slug matches nothing: no slug holds it (and
    PostgreSQL refuses a NUL in a comparison).
    """
    for name, field in fields.items():
        if name in params:
            slug = params[name]
            queryset = queryset.filter(**{field: slug}) if slug_re.match(slug) else queryset.none()
    return queryset


def _has_perm(user, model, action: str) -> bool:
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


def require_perm(request, model, action: str) -> None:
    """401 for anonymous clients, 403 for users without the model permission."""
    if not request.user or not request.user.is_authenticated:
        raise exceptions.NotAuthenticated()
    if not _has_perm(request.user, model, action):
        raise exceptions.PermissionDenied()


class CanChange(BasePermission):
    """Editors who may change this kind of object (publishing, history)."""

    def has_permission(self, request, view):
        require_perm(request, view.queryset.model, "change")
        return True


class EditableViewSet(viewsets.ModelViewSet):
    """Reads for everyone; writes for editors, conditional on If-Match.

    ``get_queryset`` gives what the client may read; ``get_write_queryset``
    what an editor may change (drafts included).
    """

    # Anonymous reads are answered from the cache (timeline.api.caching).
    cached_reads = True
    read_serializer_class: type[serializers.Serializer]
    write_serializer_class: type[serializers.Serializer]
    # What a write answers with, when editors see more than readers do.
    written_serializer_class: type[serializers.Serializer] | None = None
    parser_classes = [JSONParser]

    def get_write_queryset(self):
        return self.get_queryset()

    def get_serializer_class(self):
        if self.request is not None and self.request.method not in SAFE_METHODS:
            return self.write_serializer_class
        return self.read_serializer_class

    def get_object(self):
        if self.request.method in SAFE_METHODS:
            queryset = self.filter_queryset(self.get_queryset())
        else:
            queryset = self.get_write_queryset()
        lookup = self.lookup_url_kwarg or self.lookup_field
        value = self.kwargs[lookup]
        if self.lookup_field == "slug":
            value = checked_slug(value)
        obj = get_object_or_404(queryset, **{self.lookup_field: value})
        self.check_object_permissions(self.request, obj)
        return obj

    def include_drafts(self) -> bool:
        """Whether the client asked for drafts, and may see them (else 400/401/403)."""
        value = self.request.query_params.get("include_drafts")
        if value is None or value.lower() in FALSE_VALUES:
            return False
        if value.lower() not in TRUE_VALUES:
            raise exceptions.ValidationError({"include_drafts": ["Use true or false."]})
        require_perm(self.request, Event, "change")
        return True

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in SAFE_METHODS or "include_drafts" in request.query_params:
            # Editors' views (drafts, fresh writes) never go into a shared cache.
            response["Cache-Control"] = "private, no-store"
        return response

    def list(self, request, *args, **kwargs):
        return caching.serve(self, request, lambda: super(EditableViewSet, self).list(request))

    def retrieve(self, request, *args, **kwargs):
        def build():
            instance = self.get_object()
            response = Response(self.read_document(instance))
            response["ETag"] = etag(instance.version)
            return response

        return caching.serve(self, request, build)

    def read_document(self, instance) -> dict:
        """What a GET of one item answers."""
        return self.get_serializer(instance).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = serializer.save()
        response = self.written(instance, serializer, status.HTTP_201_CREATED)
        response["Location"] = reverse(
            f"api:{self.basename}-detail",
            kwargs={self.lookup_field: getattr(instance, self.lookup_field)},
            request=request,
        )
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        instance.version = expected_version(request, instance.version)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        instance = serializer.save()
        return self.written(instance, serializer, status.HTTP_200_OK)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        expected = expected_version(request, instance.version)
        model = type(instance)
        with transaction.atomic():
            self.lock_for_destroy(instance)
            # Claim the version in one conditional UPDATE, then delete.
            claimed = model.objects.filter(pk=instance.pk, version=expected).update(
                version=F("version") + 1
            )
            if not claimed:
                current = model.objects.filter(pk=instance.pk).values_list("version", flat=True)
                raise PreconditionFailed(current.first() or expected)
            instance.version = expected + 1
            self.perform_destroy(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def lock_for_destroy(self, instance) -> None:
        """Lock (or touch) what a delete changes besides the row itself."""

    def written(self, instance, serializer, status_code) -> Response:
        """The response to a write: the resource as a GET now shows it, with its ETag."""
        fresh = self.get_write_queryset().get(pk=instance.pk)
        shape = self.written_serializer_class or self.read_serializer_class
        data = shape(fresh, context=self.get_serializer_context()).data
        response = Response(data, status=status_code)
        response["ETag"] = etag(fresh.version)
        return response


@extend_schema_view(
    list=extend_schema(
        summary="List published timelines",
        description="A page out of range is a 404.",
        parameters=[INCLUDE_DRAFTS],
        responses={
            200: read.TimelineSerializer,
            400: BAD_QUERY,
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
        },
    ),
    retrieve=extend_schema(
        summary="A timeline with its published events in date order",
        parameters=[INCLUDE_DRAFTS],
        responses={200: read.TimelineDetailSerializer, 404: NOT_FOUND, 401: UNAUTHENTICATED},
    ),
    **_write_schema(read.EditorTimelineSerializer, write.TimelineWriteSerializer, "a timeline"),
)
class TimelineViewSet(EditableViewSet):
    queryset = Timeline.objects.all()
    lookup_field = "slug"
    filter_backends: list = []
    write_serializer_class = write.TimelineWriteSerializer
    read_serializer_class = read.TimelineSerializer
    written_serializer_class = read.EditorTimelineSerializer

    def get_queryset(self):
        drafts = self.include_drafts()
        queryset = Timeline.objects.all() if drafts else Timeline.objects.published()
        queryset = queryset.with_event_counts(include_drafts=drafts).order_by("title", "pk")
        if drafts and self.action != "retrieve":
            queryset = queryset.prefetch_related("events")
        return queryset

    def read_document(self, timeline) -> dict:
        # The events are built from rows, the rest by the serializer.
        timeline.listed_events = []
        data = self.get_serializer(timeline).data
        events = Event.objects.all() if self.include_drafts() else Event.objects.published()
        event_ids = list(
            events.filter(timelines=timeline.pk).chronological().values_list("pk", flat=True)
        )
        data["events"] = rows.events_json(
            event_ids,
            self.request,
            self.format_kwarg,
            generation=caching.generation_of(self.request),
        )
        return data

    def get_write_queryset(self):
        return (
            Timeline.objects.with_event_counts(include_drafts=True)
            .prefetch_related("events")
            .order_by("title", "pk")
        )

    def get_serializer_class(self):
        if self.request is not None and self.request.method not in SAFE_METHODS:
            return self.write_serializer_class
        drafts = self.request is not None and "include_drafts" in self.request.query_params
        if self.action == "retrieve":
            return read.EditorTimelineDetailSerializer if drafts else read.TimelineDetailSerializer
        return read.EditorTimelineSerializer if drafts else read.TimelineSerializer

    @extend_schema(**_publish_schema("Publish a timeline", read.EditorTimelineSerializer))
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def publish(self, request, slug=None):
        return self._set_published(request, True)

    @extend_schema(
        **_publish_schema("Unpublish a timeline (back to draft)", read.EditorTimelineSerializer)
    )
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def unpublish(self, request, slug=None):
        return self._set_published(request, False)

    def _set_published(self, request, published: bool) -> Response:
        timeline = self.get_object()
        if "If-Match" in request.headers:
            timeline.version = expected_version(request, timeline.version)
        services.timeline_set_published(timeline=timeline, published=published, user=request.user)
        return self.written(timeline, None, status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(
        summary="List published events",
        description="Filters combine with AND; a repeated relation filter matches any value.",
        parameters=[
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
        responses={200: read.EventSerializer, 400: BAD_QUERY, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    ),
    retrieve=extend_schema(
        summary="One published event",
        parameters=[INCLUDE_DRAFTS],
        responses={200: read.EventSerializer, 404: NOT_FOUND, 401: UNAUTHENTICATED},
    ),
    **_write_schema(read.EventSerializer, write.EventWriteSerializer, "an event"),
)
class EventViewSet(EditableViewSet):
    queryset = Event.objects.all()
    lookup_field = "slug"
    filterset_class = EventFilter
    pagination_class = EventPagination
    read_serializer_class = read.EventSerializer
    write_serializer_class = write.EventWriteSerializer

    def get_queryset(self):
        drafts = self.include_drafts()
        if self.action == "list" and not drafts:
            # The list builds its events from rows: the public list's queryset
            # is always this one, built once (a clone costs less than the filters).
            return self._published_list().all()
        events = Event.objects.all() if drafts else Event.objects.published()
        if self.action != "list":
            events = events.with_citations()
        return events.chronological()

    @staticmethod
    @functools.cache
    def _published_list():
        return Event.objects.published().chronological()

    def list(self, request, *args, **kwargs):
        def build():
            events = self.filter_queryset(self.get_queryset())
            page = self.paginator.paginate_ids(events, request, self)
            generation = caching.generation_of(request)
            documents = rows.events_json(page, request, self.format_kwarg, generation=generation)
            return self.get_paginated_response(documents)

        return caching.serve(self, request, build)

    def get_write_queryset(self):
        return Event.objects.with_citations()

    @extend_schema(**_publish_schema("Publish an event", read.EventSerializer))
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def publish(self, request, slug=None):
        return self._set_published(request, services.events_publish)

    @extend_schema(**_publish_schema("Unpublish an event (back to draft)", read.EventSerializer))
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def unpublish(self, request, slug=None):
        return self._set_published(request, services.events_unpublish)

    def _set_published(self, request, change) -> Response:
        event = self.get_object()
        with transaction.atomic():
            if "If-Match" in request.headers:
                expected = expected_version(request, event.version)
                if not Event.objects.filter(pk=event.pk, version=expected).exists():
                    raise VersionConflict(event, Event.objects.get(pk=event.pk).version)
            change(events=[event], user=request.user)
        return self.written(event, None, status.HTTP_200_OK)

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
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[CanChange],
        filter_backends=[],
    )
    def history(self, request, slug=None):
        event = self.get_object_any_state()
        page = self.paginate_queryset(event_revisions(event.pk))
        return self.get_paginated_response(page)

    def get_object_any_state(self) -> Event:
        try:
            return Event.objects.only("pk").get(slug=checked_slug(self.kwargs["slug"]))
        except Event.DoesNotExist as exc:
            raise exceptions.NotFound() from exc


@extend_schema_view(
    list=extend_schema(
        summary="List citations of published events",
        parameters=[
            OpenApiParameter("event", str, description="Only this event's citations (slug)."),
            OpenApiParameter("source", int, description="Only citations of this source (id)."),
            INCLUDE_DRAFTS,
        ],
        responses={200: read.CitationDetailSerializer, 400: BAD_QUERY, 401: UNAUTHENTICATED},
    ),
    retrieve=extend_schema(
        summary="One citation",
        responses={200: read.CitationDetailSerializer, 404: NOT_FOUND},
    ),
    **_write_schema(read.CitationDetailSerializer, write.CitationWriteSerializer, "a citation"),
)
class CitationViewSet(EditableViewSet):
    queryset = Citation.objects.all()
    filter_backends: list = []
    read_serializer_class = read.CitationDetailSerializer
    write_serializer_class = write.CitationWriteSerializer

    def get_queryset(self):
        citations = Citation.objects.select_related("source", "event").order_by("pk")
        if not self.include_drafts():
            citations = citations.filter(event__published_at__isnull=False)
        if self.action == "list":
            params = self.request.query_params
            citations = filtered_by_slugs(citations, params, event="event__slug")
            if "source" in params:
                if not write.ID_PATTERN.fullmatch(params["source"]):
                    raise exceptions.ValidationError({"source": ["Give a source id (a number)."]})
                # Past the largest id no source has it (and SQLite cannot even compare it).
                source_id = int(params["source"])
                if source_id <= write.MAX_ID:
                    citations = citations.filter(source_id=source_id)
                else:
                    citations = citations.none()
        return citations

    def get_write_queryset(self):
        return Citation.objects.select_related("source", "event")

    def lock_for_destroy(self, instance):
        # Event rows before citation rows, as every writer locks them.
        services.events_touch(event_ids=[instance.event_id])


@extend_schema_view(
    list=extend_schema(
        summary="List claims of published events",
        description="Each claim states one value of a property of an event, citing the "
        "event's citations. An event's JSON shows its claims grouped by property.",
        parameters=[
            OpenApiParameter("event", str, description="Only this event's claims (slug)."),
            OpenApiParameter("property", str, description="Only claims of this property (slug)."),
            INCLUDE_DRAFTS,
        ],
        responses={200: read.ClaimDetailSerializer, 400: BAD_QUERY, 401: UNAUTHENTICATED},
    ),
    retrieve=extend_schema(
        summary="One claim", responses={200: read.ClaimDetailSerializer, 404: NOT_FOUND}
    ),
    **_write_schema(read.ClaimDetailSerializer, write.ClaimWriteSerializer, "a claim"),
)
class ClaimViewSet(EditableViewSet):
    queryset = Claim.objects.all()
    filter_backends: list = []
    read_serializer_class = read.ClaimDetailSerializer
    write_serializer_class = write.ClaimWriteSerializer

    def get_queryset(self):
        claims = self._for_reading()
        if not self.include_drafts():
            claims = claims.filter(event__published_at__isnull=False)
        if self.action == "list":
            claims = filtered_by_slugs(
                claims, self.request.query_params, event="event__slug", property="property__slug"
            )
        return claims.order_by("pk")

    @staticmethod
    def _for_reading():
        # One query for every listed claim's citations and their sources.
        citations = Citation.objects.select_related("source").defer("source__text")
        return (
            Claim.objects.for_reading()
            .select_related("event")
            .prefetch_related(Prefetch("citations", queryset=citations))
        )

    def get_write_queryset(self):
        return self._for_reading()

    def lock_for_destroy(self, instance):
        # Event rows before claim rows, as every writer locks them.
        services.events_touch(event_ids=[instance.event_id])


@extend_schema_view(
    list=extend_schema(
        summary="List the properties claims state",
        responses={200: read.PropertyDetailSerializer, 404: NOT_FOUND},
    ),
    retrieve=extend_schema(
        summary="One property", responses={200: read.PropertyDetailSerializer, 404: NOT_FOUND}
    ),
    **_write_schema(read.PropertyDetailSerializer, write.PropertyWriteSerializer, "a property"),
)
class PropertyViewSet(EditableViewSet):
    queryset = ClaimProperty.objects.order_by("name", "pk")
    lookup_field = "slug"
    filter_backends: list = []
    read_serializer_class = read.PropertyDetailSerializer
    write_serializer_class = write.PropertyWriteSerializer


@extend_schema_view(
    list=extend_schema(
        summary="List sources", responses={200: read.SourceSerializer, 404: NOT_FOUND}
    ),
    retrieve=extend_schema(
        summary="One source", responses={200: read.SourceSerializer, 404: NOT_FOUND}
    ),
    **_write_schema(read.EditorSourceSerializer, write.SourceWriteSerializer, "a source"),
)
class SourceViewSet(EditableViewSet):
    queryset = sources_with_citation_counts().order_by("title", "pk")
    filter_backends: list = []
    # Sources also take multipart/form-data, with an uploaded ``file``.
    parser_classes = [JSONParser, MultiPartParser]
    read_serializer_class = read.SourceSerializer
    write_serializer_class = write.SourceWriteSerializer
    written_serializer_class = read.EditorSourceSerializer

    def get_queryset(self):
        return sources_with_citation_counts().order_by("title", "pk")

    def written(self, instance, serializer, status_code) -> Response:
        response = super().written(instance, serializer, status_code)
        report = getattr(serializer, "reanchor_report", None)
        if report is not None:
            response.data["reanchor"] = {
                "anchored": report.anchored,
                "unanchored": [
                    {"id": c.pk, "event": c.event.slug, "quote": c.quote} for c in report.unanchored
                ],
            }
        return response


def _lookup_viewset(model, read_serializer, write_serializer, noun: str):
    @extend_schema_view(
        list=extend_schema(summary=f"List {model._meta.verbose_name_plural}"),
        retrieve=extend_schema(
            summary=f"One {model._meta.verbose_name}",
            responses={200: read_serializer, 404: NOT_FOUND},
        ),
        **_write_schema(read_serializer, write_serializer, noun),
    )
    class LookupViewSet(EditableViewSet):
        queryset = model.objects.order_by("name", "pk")
        lookup_field = "slug"
        filter_backends: list = []
        read_serializer_class = read_serializer
        write_serializer_class = write_serializer

    LookupViewSet.__name__ = f"{model.__name__}ViewSet"
    LookupViewSet.__qualname__ = LookupViewSet.__name__
    return LookupViewSet


ActorViewSet = _lookup_viewset(
    Actor, read.ActorDetailSerializer, write.ActorWriteSerializer, "an actor"
)
PlaceViewSet = _lookup_viewset(
    Place, read.PlaceDetailSerializer, write.PlaceWriteSerializer, "a place"
)
TagViewSet = _lookup_viewset(Tag, read.TagDetailSerializer, write.TagWriteSerializer, "a tag")


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


class DeletedEventPermission(BasePermission):
    def has_permission(self, request, view):
        require_perm(request, Event, "add" if request.method not in SAFE_METHODS else "change")
        return True


@extend_schema_view(
    list=extend_schema(
        summary="Deleted events that can be restored (editors only)",
        responses={200: DeletedEventSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN},
    ),
)
class DeletedEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = DeletedEventSerializer
    permission_classes = [DeletedEventPermission]
    filter_backends: list = []
    parser_classes = [JSONParser]

    def get_queryset(self):
        return services.deleted_events()

    @extend_schema(
        summary="Restore a deleted event, with its citations, as a draft",
        request=None,
        responses={
            201: read.EventSerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        try:
            event_id = int(pk)
        except ValueError as exc:
            raise exceptions.NotFound() from exc
        if not Event.history.filter(id=event_id, history_type="-").exists():
            raise exceptions.NotFound("No deleted event has this id.")
        try:
            event = services.event_restore(event_id=event_id, user=request.user)
        except services.NotRestorable as exc:
            raise Conflict(str(exc)) from exc
        event = Event.objects.with_citations().get(pk=event.pk)
        data = read.EventSerializer(event, context={"request": request}).data
        response = Response(data, status=status.HTTP_201_CREATED)
        response["ETag"] = etag(event.version)
        response["Location"] = str(data["url"])
        response["Cache-Control"] = "private, no-store"
        return response
