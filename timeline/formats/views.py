"""A published timeline as TimelineJS JSON, its spreadsheet, an iCalendar file and an Atom feed.

Anyone may read them; drafts and unknown slugs are the API's JSON 404. The URL
picks the format, so the Accept header does not, and errors are JSON.
"""

from django.conf import settings
from django.db.models import Max, Subquery
from django.http import HttpResponse
from django.urls import path
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from drf_orjson_renderer.renderers import ORJSONRenderer as JSONRenderer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from timeline.api.caching import VARY
from timeline.api.negotiation import URLFormatNegotiation
from timeline.api.serializers import ErrorSerializer
from timeline.api.views import NOT_FOUND
from timeline.formats.calendars import timeline_to_ical
from timeline.formats.feeds import TimelineFeed
from timeline.formats.spreadsheet import timeline_to_csv
from timeline.formats.timelinejs import timeline_to_timelinejs
from timeline.models import Actor, ClaimProperty, Event, Place, Tag, Timeline


def published_timeline(slug: str, timelines=Timeline.objects) -> Timeline:
    timeline = timelines.published().filter(slug=slug).first()
    if timeline is None:
        raise exceptions.NotFound("No published timeline has this slug.")
    return timeline


class TimelineFormatView(APIView):
    permission_classes = [AllowAny]  # published data only
    renderer_classes = [JSONRenderer]  # for errors: a success is the document itself
    content_negotiation_class = URLFormatNegotiation
    # Anonymous reads are answered from the cache, with its ETag and 304 (timeline.api.caching).
    cached_reads = True

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Published data, the same for every reader: the cache may keep it and share it.
        response.public_read = True
        response.setdefault("Cache-Control", "private, no-cache")
        patch_vary_headers(response, VARY)
        return response


# TimelineJS


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


IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    description="The ETag of the copy you hold: 304 while it is current.",
)
NOT_MODIFIED = OpenApiResponse(description="Your copy is current (conditional GET).")


class TimelineJSView(TimelineFormatView):
    authentication_classes: list = []  # the same for everyone: no credentials are read

    def get_timeline(self, slug: str) -> Timeline:
        # At most five queries: the timeline, its events and places, actors, tags, citations.
        return published_timeline(slug, Timeline.objects.with_events())

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
            304: NOT_MODIFIED,
            404: NOT_FOUND,
        },
        parameters=[IF_NONE_MATCH],
    )
    def get(self, request, slug: str) -> Response:
        timeline = self.get_timeline(slug)
        document = timeline_to_timelinejs(
            timeline,
            timeline.listed_events,
            link=lambda event: request.build_absolute_uri(event.get_absolute_url()),
        )
        return Response(document)


class TimelineJSCSVView(TimelineJSView):
    @extend_schema(
        operation_id="v1_timelines_timelinejs_csv_retrieve",
        summary="A timeline as a TimelineJS spreadsheet (CSV)",
        description=(
            "The columns of TimelineJS's Google Sheets template, in its order, then `Unique ID` "
            "(the event's slug; TimelineJS ignores it): a row of Type `title`, then one row per "
            "published event in date order. Import it into Google Sheets, or back into this "
            "service with `manage.py import_timelinejs_csv`, which matches rows to events by "
            "their Unique ID."
        ),
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description=(
                    "UTF-8 CSV (no byte order mark), sent as an attachment named `<slug>.csv`."
                ),
            ),
            304: NOT_MODIFIED,
            404: NOT_FOUND,
        },
        parameters=[IF_NONE_MATCH],
    )
    def get(self, request, slug: str) -> HttpResponse:
        timeline = self.get_timeline(slug)
        return HttpResponse(
            timeline_to_csv(timeline, timeline.listed_events),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{timeline.slug}.csv"'},
        )


# Calendar and feed: files that subscribers poll, with conditional GET.


class StaleCopy(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = "The file changed since the version named in If-Match or If-Unmodified-Since."


def _newest_history(model, **filters) -> Subquery:
    records = model.history.filter(**filters).order_by("-history_date")
    return Subquery(records.values("history_date")[:1])


def _changes() -> dict:
    """The newest change of everything a timeline's files show, erring towards “changed”:
    drafts too (unpublishing changes the files), and deletions from any timeline."""
    return {
        "events_changed": Max("events__updated_at"),
        "sources_changed": Max("events__citations__source__updated_at"),
        "event_deleted": _newest_history(Event, history_type="-"),
        "actor_changed": _newest_history(Actor),
        "place_changed": _newest_history(Place),
        "tag_changed": _newest_history(Tag),
        "property_changed": _newest_history(ClaimProperty),
    }


CONDITIONAL_HEADERS = {
    "If-None-Match": "The ETag of the copy you hold: 304 until something is written.",
    "If-Modified-Since": "The Last-Modified of the copy you hold: 304 while nothing changed since.",
}


def _file_schema(operation_id: str, summary: str, description: str, media_type: str, what: str):
    return extend_schema_view(
        get=extend_schema(
            operation_id=operation_id,
            summary=summary,
            description=description,
            tags=["timelines"],
            parameters=[
                OpenApiParameter(
                    "slug", str, OpenApiParameter.PATH, description="The timeline's slug."
                ),
                *(
                    OpenApiParameter(header, str, OpenApiParameter.HEADER, description=text)
                    for header, text in CONDITIONAL_HEADERS.items()
                ),
            ],
            responses={
                (200, media_type): OpenApiResponse(OpenApiTypes.STR, description=what),
                304: NOT_MODIFIED,
                404: NOT_FOUND,
                412: OpenApiResponse(
                    ErrorSerializer,
                    description="If-Match or If-Unmodified-Since names another copy.",
                ),
            },
        )
    )


class TimelineFileView(TimelineFormatView):
    """A file, from ``render_file(request, timeline)``, with its Last-Modified: subscribers
    poll it with If-Modified-Since as often as with If-None-Match."""

    content_type: str
    filename_suffix = ""  # when set, Content-Disposition names the file “<slug><suffix>”

    def get(self, request, slug: str):
        changes = _changes()
        timeline = published_timeline(slug, Timeline.objects.annotate(**changes))
        moments = [timeline.updated_at, *(getattr(timeline, name) for name in changes)]
        last_modified = int(max(moment for moment in moments if moment is not None).timestamp())
        response = HttpResponse(self.render_file(request, timeline), content_type=self.content_type)
        response["Last-Modified"] = http_date(last_modified)
        if self.filename_suffix:
            response["Content-Disposition"] = f'inline; filename="{slug}{self.filename_suffix}"'
        # The ETag is the cache's (None for a reader who sends credentials, whom it skips).
        etag = getattr(request, "read_etag", None)
        response = get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=response
        )
        if response.status_code == status.HTTP_412_PRECONDITION_FAILED:
            raise StaleCopy()
        return response


@_file_schema(
    "timelines_calendar",
    "A timeline as an iCalendar file",
    "The published events of a published timeline, one VEVENT each, for calendar apps to "
    "subscribe to. Events known to the day are all-day events over their days; coarser or "
    "approximate dates are one-day markers on the first day of their period, titled with the "
    "date in brackets, e.g. “[March 2025] …”. UIDs never change; SEQUENCE is the event's version.",
    "text/calendar",
    "The iCalendar file (RFC 5545).",
)
class TimelineCalendarView(TimelineFileView):
    content_type = "text/calendar; charset=utf-8"
    filename_suffix = ".ics"

    def render_file(self, request, timeline: Timeline) -> bytes:
        events = (
            Event.objects.published().filter(timelines=timeline).with_citations().chronological()
        )
        # Links follow the request; UIDs never do (settings.TIMELINE_UID_DOMAIN).
        base_url = request.build_absolute_uri("/")
        return timeline_to_ical(
            timeline, events, base_url=base_url, uid_domain=settings.TIMELINE_UID_DOMAIN
        )


@_file_schema(
    "timelines_feed",
    "A timeline's published changes as an Atom feed",
    "The timeline's published events, newest change first (at most 50): an edited event comes "
    "back to the top with a new `updated` and the same `id`.",
    "application/atom+xml",
    "The Atom 1.0 feed (RFC 4287).",
)
class TimelineFeedView(TimelineFileView):
    content_type = "application/atom+xml; charset=utf-8"

    def render_file(self, request, timeline: Timeline) -> bytes:
        feed = TimelineFeed(uid_domain=settings.TIMELINE_UID_DOMAIN).get_feed(timeline, request)
        return feed.writeString("utf-8").encode()


urlpatterns = [
    path("timelines/<slug:slug>/timelinejs/", TimelineJSView.as_view(), name="timeline-timelinejs"),
    path(
        "timelines/<slug:slug>/timelinejs.csv",
        TimelineJSCSVView.as_view(),
        name="timeline-timelinejs-csv",
    ),
    path(
        "timelines/<slug:slug>/calendar.ics",
        TimelineCalendarView.as_view(),
        name="timeline-calendar",
    ),
    path("timelines/<slug:slug>/feed.atom", TimelineFeedView.as_view(), name="timeline-feed"),
]
