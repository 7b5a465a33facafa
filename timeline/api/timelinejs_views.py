"""TimelineJS3 JSON and the TimelineJS spreadsheet (CSV) of a timeline.

Both show a published timeline's published events in date order, read in a
fixed number of queries. The URL picks the format, so the Accept header does
not; errors are JSON, as everywhere under /api/.
"""

import io

from django.http import HttpResponse
from django.urls import path
from drf_orjson_renderer.renderers import ORJSONRenderer as JSONRenderer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from timeline.api.negotiation import URLFormatNegotiation
from timeline.api.views import NOT_FOUND
from timeline.models import Timeline
from timeline.timelinejs import timeline_to_rows, timeline_to_timelinejs, write_csv

DOCUMENT_EXAMPLE = OpenApiExample(
    "One event",
    value={
        "title": {"text": {"headline": "The 2025 US–China trade truce", "text": "<p>…</p>"}},
        "events": [
            {
                "unique_id": "kuala-lumpur-talks",
                "start_date": {"year": 2025, "month": 10, "day": 25},
                "end_date": {"year": 2025, "month": 10, "day": 26},
                "display_date": "25–26 October 2025",
                "text": {
                    "headline": "US and Chinese negotiators meet in Kuala Lumpur",
                    "text": '<p>…</p><ol class="timeline-citations"><li>…</li></ol>',
                },
                "group": "Tariffs",
            }
        ],
    },
)


class PublishedTimelineView(APIView):
    """A published timeline, for anyone: no authentication is read, drafts are 404."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    renderer_classes = [JSONRenderer]
    content_negotiation_class = URLFormatNegotiation

    def get_timeline(self, slug: str) -> Timeline:
        # 1. the timeline; 2. its published events in date order (with their
        # place); 3. their actors; 4. their tags; 5. their citations with
        # their sources. No events: the last three are skipped.
        timeline = Timeline.objects.published().with_events().filter(slug=slug).first()
        if timeline is None:
            raise exceptions.NotFound("No published timeline has this slug.")
        return timeline


class TimelineJSView(PublishedTimelineView):
    @extend_schema(
        summary="A timeline as TimelineJS3 JSON",
        description=(
            "The document Knight Lab's TimelineJS3 takes: `new TL.Timeline('timeline-embed', "
            "url)`. A title slide, then one slide per published event in date order. Date fields "
            "follow each event's precision (a season gives its months and its name as "
            "`display_date`); `text.text` holds the summary and the citations as an HTML list; "
            "`group` is the event's primary tag (its tags' first by name); `unique_id` is the "
            "event's slug."
        ),
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The TimelineJS3 JSON document.",
                examples=[DOCUMENT_EXAMPLE],
            ),
            404: NOT_FOUND,
        },
    )
    def get(self, request, slug: str) -> Response:
        timeline = self.get_timeline(slug)
        document = timeline_to_timelinejs(
            timeline,
            timeline.listed_events,
            link=lambda event: request.build_absolute_uri(event.get_absolute_url()),
        )
        return Response(document)


class TimelineJSCSVView(PublishedTimelineView):
    @extend_schema(
        operation_id="v1_timelines_timelinejs_csv_retrieve",
        summary="A timeline as a TimelineJS spreadsheet (CSV)",
        description=(
            "The columns of TimelineJS's Google Sheets template, in its order: a row of Type "
            "`title`, then one row per published event in date order. Import it into Google "
            "Sheets, or back into this service with `manage.py import_timelinejs_csv`."
        ),
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description=(
                    "UTF-8 CSV (no byte order mark), sent as an attachment named `<slug>.csv`."
                ),
            ),
            404: NOT_FOUND,
        },
    )
    def get(self, request, slug: str) -> HttpResponse:
        timeline = self.get_timeline(slug)
        content = io.StringIO()
        write_csv(timeline_to_rows(timeline, timeline.listed_events), content)
        return HttpResponse(
            content.getvalue(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{timeline.slug}.csv"'},
        )


timeline_timelinejs = TimelineJSView.as_view()
timeline_timelinejs_csv = TimelineJSCSVView.as_view()

urlpatterns = [
    path("timelines/<slug:slug>/timelinejs/", timeline_timelinejs, name="timeline-timelinejs"),
    path(
        "timelines/<slug:slug>/timelinejs.csv",
        timeline_timelinejs_csv,
        name="timeline-timelinejs-csv",
    ),
]
