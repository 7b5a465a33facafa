"""Read API view sets: declarations of what each endpoint serves."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets

from timeline.api.serializers import (
    ErrorSerializer,
    EventSerializer,
    SourceSerializer,
    TimelineDetailSerializer,
    TimelineSerializer,
)
from timeline.filters import EventFilter
from timeline.models import Event, Timeline
from timeline.querysets import sources_with_citation_counts

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such published item.")
BAD_QUERY = OpenApiResponse(
    ErrorSerializer, description="A query parameter is invalid; `errors` names it."
)


@extend_schema_view(
    list=extend_schema(
        summary="List published timelines", responses={200: TimelineSerializer, 404: NOT_FOUND}
    ),
    retrieve=extend_schema(
        summary="A timeline with its published events in date order",
        responses={200: TimelineDetailSerializer, 404: NOT_FOUND},
    ),
)
class TimelineViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    filter_backends: list = []

    def get_queryset(self):
        queryset = Timeline.objects.published().with_event_counts().order_by("title", "pk")
        if self.action == "retrieve":
            queryset = queryset.with_published_events()
        return queryset

    def get_serializer_class(self):
        return TimelineDetailSerializer if self.action == "retrieve" else TimelineSerializer


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
        ],
        responses={200: EventSerializer, 400: BAD_QUERY, 404: NOT_FOUND},
    ),
    retrieve=extend_schema(
        summary="One published event", responses={200: EventSerializer, 404: NOT_FOUND}
    ),
)
class EventViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Event.objects.published().with_citations().chronological()
    serializer_class = EventSerializer
    lookup_field = "slug"
    filter_backends = [DjangoFilterBackend]
    filterset_class = EventFilter


@extend_schema_view(
    list=extend_schema(summary="List sources", responses={200: SourceSerializer, 404: NOT_FOUND}),
    retrieve=extend_schema(summary="One source", responses={200: SourceSerializer, 404: NOT_FOUND}),
)
class SourceViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = sources_with_citation_counts().order_by("title", "pk")
    serializer_class = SourceSerializer
    filter_backends: list = []
