"""Public pages: published timelines as HTML for readers, with no JavaScript needed."""

from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static

from timeline.filters import EventFilter
from timeline.models import Actor, Event, Tag, Timeline
from timeline.querysets import in_published_use

# The filters a reader can apply on a timeline page: (query parameter, what
# the page calls an event that matches, the model the slugs name).
READER_FILTERS = (("tag", "tagged", Tag), ("actor", "involving", Actor))


def timeline_index(request):
    # One query: the timelines with their counts and spans.
    timelines = (
        Timeline.objects.published().with_event_counts().with_date_spans().order_by("title", "pk")
    )
    context = {"timelines": timelines, "canonical_url": request.build_absolute_uri(request.path)}
    return render(request, "timeline/index.html", context)


def _quoted(names: list[str]) -> str:
    return " or ".join(f"“{name}”" for name in names)


def list_parts_under_their_events(events: list[Event]) -> None:
    """Give each event ``listed_parts``, the events of the list part of it (in the list's
    order), and ``listed_under``, whether it is listed under another: the page shows a part
    under its event when both are on it."""
    listed = {event.pk: event for event in events}
    for event in events:
        event.listed_parts = []
    for event in events:
        event.listed_under = event.super_event_id in listed
        if event.listed_under:
            listed[event.super_event_id].listed_parts.append(event)


def timeline_page(request, slug: str):
    """A timeline's published events in date order, filtered by tag and actor from the query."""
    timeline = get_object_or_404(
        Timeline.objects.published().with_event_counts().with_date_spans(), slug=slug
    )

    # Only the reader filters, and blank values (the form's "All tags") are no filter.
    params = QueryDict(mutable=True)
    for name, _, _ in READER_FILTERS:
        params.setlist(name, [value for value in request.GET.getlist(name) if value.strip()])
    filterset = EventFilter(
        params, queryset=timeline.events.published().chronological().with_citations()
    )
    for name, _, model in READER_FILTERS:
        # A tag or actor that only drafts use is unknown here: its name is not public.
        filterset.filters[name].queryset = in_published_use(model.objects.all())

    unknown, active, status = [], {}, 200
    if filterset.is_valid():
        events = list(filterset.qs)
        list_parts_under_their_events(events)
        for name, wording, _ in READER_FILTERS:
            if chosen := filterset.form.cleaned_data.get(name):
                active[name] = (wording, chosen)
    else:
        # An unknown slug is the reader's mistake: say so, list nothing, never fail.
        events, status = [], 400
        unknown = [
            (model._meta.verbose_name, _quoted(params.getlist(name)))
            for name, _, model in READER_FILTERS
            if name in filterset.errors
        ]

    # The form offers the tags and actors of this timeline's published events,
    # and keeps an active choice that none of them has.
    on_timeline = {"events__timelines": timeline, "events__published_at__isnull": False}
    choices = {}
    for name, _, model in READER_FILTERS:
        options = list(model.objects.filter(**on_timeline).distinct())
        chosen = active.get(name, (None, []))[1]
        choices[name] = options + [obj for obj in chosen if obj not in options]

    filter_summary = " and ".join(
        f"{wording} {_quoted([obj.name for obj in chosen])}" for wording, chosen in active.values()
    )
    context = {
        "timeline": timeline,
        "events": events,
        "top_events": [event for event in events if not event.listed_under],
        "tags": choices["tag"],
        "actors": choices["actor"],
        "active_slugs": {name: {o.slug for o in chosen} for name, (_, chosen) in active.items()},
        "filtered": bool(active or unknown),
        "filter_summary": filter_summary,
        "unknown_filters": unknown,
        "canonical_url": request.build_absolute_uri(timeline.get_absolute_url()),
    }
    return render(request, "timeline/timeline.html", context, status=status)


def event_page(request, slug: str):
    """An event's permalink: everything the timeline shows, and the timelines it is in."""
    event = get_object_or_404(
        Event.objects.published().with_citations().with_published_parts(), slug=slug
    )
    timelines = list(event.timelines.published())
    # Only asked for when it has some: most events have no parts.
    parts = list(event.sub_events.published().chronological()) if event.has_parts else []
    context = {
        "event": event,
        "parts": parts,
        "timelines": timelines,
        # Tags and actors link to the event's first timeline, filtered.
        "filter_url": timelines[0].get_absolute_url() if timelines else "",
        "canonical_url": request.build_absolute_uri(event.get_absolute_url()),
    }
    return render(request, "timeline/event.html", context)


def favicon(request):
    """The site's icon, for browsers that ask /favicon.ico (admin, API docs)."""
    return redirect(static("timeline/favicon.svg"), permanent=True)
