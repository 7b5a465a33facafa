"""iCalendar and Atom forms of a timeline, for calendar apps and feed readers.

Only a published timeline and its published events are served; anything else
is the API's JSON 404. Both answer conditional GETs: the ETag is a hash of
the file itself (so it changes exactly when the bytes do), and
Last-Modified errs on the side of “changed”, so If-Modified-Since never
keeps a subscriber on a stale copy (see ``_last_modified``).
"""

import datetime
import hashlib

from django.conf import settings
from django.db.models import Max, Subquery
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.urls import path
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from drf_orjson_renderer.renderers import ORJSONRenderer as JSONRenderer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from timeline.api.negotiation import URLFormatNegotiation
from timeline.api.serializers import ErrorSerializer
from timeline.api.views import NOT_FOUND
from timeline.calendars import timeline_to_ical
from timeline.feeds import TimelineFeed
from timeline.models import Actor, ClaimProperty, Event, Place, Tag, Timeline


class StaleCopy(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = "The file changed since the version named in If-Match or If-Unmodified-Since."


def _newest_history(model, **filters) -> Subquery:
    records = model.history.filter(**filters).order_by("-history_date")
    return Subquery(records.values("history_date")[:1])


def _published_timeline(slug: str) -> Timeline:
    """The published timeline with what its Last-Modified is made of (one query), or 404."""
    timeline = (
        Timeline.objects.published()
        .filter(slug=slug)
        .annotate(
            # Drafts too: unpublishing an event changes the files.
            events_changed=Max("events__updated_at"),
            sources_changed=Max("events__citations__source__updated_at"),
            # A deleted event has left the timeline, and actors, places, tags
            # and claims' properties carry no timestamp: their history's newest
            # record, from any timeline, stands in. It errs towards “changed”,
            # never “unchanged”. (A claim's own changes move its event's.)
            event_deleted=_newest_history(Event, history_type="-"),
            actor_changed=_newest_history(Actor),
            place_changed=_newest_history(Place),
            tag_changed=_newest_history(Tag),
            property_changed=_newest_history(ClaimProperty),
        )
        .first()
    )
    if timeline is None:
        raise exceptions.NotFound("No published timeline has this slug.")
    return timeline


def _last_modified(timeline: Timeline) -> datetime.datetime:
    """The newest change that can have altered the timeline's files."""
    candidates = [
        timeline.updated_at,
        timeline.events_changed,
        timeline.sources_changed,
        timeline.event_deleted,
        timeline.actor_changed,
        timeline.place_changed,
        timeline.tag_changed,
        timeline.property_changed,
    ]
    return max(moment for moment in candidates if moment is not None)


def uid_domain(request) -> str:
    """The right-hand side of calendar UIDs and feed ids.

    Operators should set ``TIMELINE_UID_DOMAIN``: without it the request's
    host stands in, and a move to another domain would change every UID, so
    subscribers would see every event twice.
    """
    configured = getattr(settings, "TIMELINE_UID_DOMAIN", "")
    return configured or split_domain_port(request.get_host())[0]


SLUG = OpenApiParameter("slug", str, OpenApiParameter.PATH, description="The timeline's slug.")
CONDITIONAL_HEADERS = [
    OpenApiParameter(
        "If-None-Match",
        str,
        OpenApiParameter.HEADER,
        description="The ETag of the copy you hold: 304 while the file is unchanged.",
    ),
    OpenApiParameter(
        "If-Modified-Since",
        str,
        OpenApiParameter.HEADER,
        description="The Last-Modified of the copy you hold: 304 while nothing changed since.",
    ),
]
NOT_MODIFIED = OpenApiResponse(description="Your copy is current (conditional GET).")
STALE_COPY = OpenApiResponse(
    ErrorSerializer, description="If-Match or If-Unmodified-Since names another copy."
)


class TimelineFileView(APIView):
    """A published timeline as one file, with conditional GET."""

    permission_classes = [AllowAny]  # published data only
    renderer_classes = [JSONRenderer]  # for errors: a success is the file itself
    content_negotiation_class = URLFormatNegotiation
    content_type: str
    # Sent as Content-Disposition's filename, “<slug><suffix>”, when set.
    filename_suffix = ""

    def render_file(self, request, timeline: Timeline) -> bytes:
        raise NotImplementedError

    def get(self, request, slug: str):
        timeline = _published_timeline(slug)
        body = self.render_file(request, timeline)
        last_modified = int(_last_modified(timeline).timestamp())
        response = HttpResponse(body, content_type=self.content_type)
        response["ETag"] = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        response["Last-Modified"] = http_date(last_modified)
        if self.filename_suffix:
            response["Content-Disposition"] = f'inline; filename="{slug}{self.filename_suffix}"'
        response = get_conditional_response(
            request, etag=response["ETag"], last_modified=last_modified, response=response
        )
        if response.status_code == status.HTTP_412_PRECONDITION_FAILED:
            raise StaleCopy()
        return response


@extend_schema_view(
    get=extend_schema(
        operation_id="timelines_calendar",
        summary="A timeline as an iCalendar file",
        description=(
            "The published events of a published timeline, one VEVENT each, for calendar "
            "apps to subscribe to. Events known to the day are all-day events over their "
            "days; coarser or approximate dates are one-day markers on the first day of "
            "their period, titled with the date in brackets, e.g. “[March 2025] …”. UIDs "
            "never change; SEQUENCE is the event's version."
        ),
        tags=["timelines"],
        parameters=[SLUG, *CONDITIONAL_HEADERS],
        responses={
            (200, "text/calendar"): OpenApiResponse(
                OpenApiTypes.STR, description="The iCalendar file (RFC 5545)."
            ),
            304: NOT_MODIFIED,
            404: NOT_FOUND,
            412: STALE_COPY,
        },
    )
)
class TimelineCalendarView(TimelineFileView):
    content_type = "text/calendar; charset=utf-8"
    filename_suffix = ".ics"

    def render_file(self, request, timeline: Timeline) -> bytes:
        events = (
            Event.objects.published().filter(timelines=timeline).with_citations().chronological()
        )
        return timeline_to_ical(
            timeline,
            events,
            base_url=request.build_absolute_uri("/"),
            uid_domain=uid_domain(request),
        )


@extend_schema_view(
    get=extend_schema(
        operation_id="timelines_feed",
        summary="A timeline's published changes as an Atom feed",
        description=(
            "The timeline's published events, newest change first (at most 50): an edited "
            "event comes back to the top with a new `updated` and the same `id`."
        ),
        tags=["timelines"],
        parameters=[SLUG, *CONDITIONAL_HEADERS],
        responses={
            (200, "application/atom+xml"): OpenApiResponse(
                OpenApiTypes.STR, description="The Atom 1.0 feed (RFC 4287)."
            ),
            304: NOT_MODIFIED,
            404: NOT_FOUND,
            412: STALE_COPY,
        },
    )
)
class TimelineFeedView(TimelineFileView):
    content_type = "application/atom+xml; charset=utf-8"

    def render_file(self, request, timeline: Timeline) -> bytes:
        feed = TimelineFeed(uid_domain=uid_domain(request)).get_feed(timeline, request)
        return feed.writeString("utf-8").encode()


urlpatterns = [
    path(
        "timelines/<slug:slug>/calendar.ics",
        TimelineCalendarView.as_view(),
        name="timeline-calendar",
    ),
    path("timelines/<slug:slug>/feed.atom", TimelineFeedView.as_view(), name="timeline-feed"),
]
