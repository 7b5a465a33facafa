"""Read paths shared by the admin, the API and the tests.

Each method that needs related rows owns its select/prefetch, so every caller
gets the same tuned query.
"""

import datetime
import re

from django.contrib.postgres.search import SearchQuery
from django.db import connections, models
from django.db.models import Count, Max, Min, Prefetch, Q
from django.db.models.functions import Length

# The parts of a search word that PostgreSQL's parser indexes as words: it
# splits "U.S.-China" and "Xi's" where punctuation stands.
WORD_PARTS = re.compile(r"[^\W_]+")


class EventQuerySet(models.QuerySet):
    def published(self) -> "EventQuerySet":
        return self.filter(published_at__isnull=False)

    def drafts(self) -> "EventQuerySet":
        return self.filter(published_at__isnull=True)

    def overlapping(
        self, start: datetime.date | None = None, end: datetime.date | None = None
    ) -> "EventQuerySet":
        """Events whose [start, end] span touches the given window (either side open).

        "Ends on or after ``start``" alone bounds no index on the start dates:
        it would scan every earlier event. No event spans more days than the
        longest one does, so none that starts before ``start`` minus that many
        days can reach ``start``: with that lower bound the scan covers the
        window only (one more query, on an index: the longest span).
        """
        queryset = self
        if start is not None:
            longest = self.model.objects.using(self.db).aggregate(longest=Max("span_days"))
            queryset = queryset.filter(end__gte=start)
            if longest["longest"] is not None:
                earliest = start.toordinal() - longest["longest"]
                queryset = queryset.filter(start__gte=datetime.date.fromordinal(max(earliest, 1)))
        if end is not None:
            queryset = queryset.filter(start__lte=end)
        return queryset

    def search(self, text: str) -> "EventQuerySet":
        """Events whose title, summary or display date hold every word, in any case.

        On PostgreSQL, words are matched from their start (``soy`` finds
        "soybeans") in ``search_vector``, on a GIN index; its statistics let
        the planner tell a common word (read the events in order until the
        page is full) from a rare one (look the word up). Elsewhere, any
        substring matches.
        """
        words = text.split()
        if not words:
            return self
        if connections[self.db].vendor == "postgresql":
            terms = [part for word in words for part in WORD_PARTS.findall(word.lower())]
            if not terms:
                return self.none()
            # Quoted lexemes, each a prefix: nothing in them is tsquery syntax.
            query = " & ".join("'{}':*".format(term.replace("'", "''")) for term in terms)
            return self.filter(search_vector=SearchQuery(query, search_type="raw", config="simple"))
        query = Q()
        for word in words:
            query &= (
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(display_date__icontains=word)
            )
        return self.filter(query)

    def chronological(self) -> "EventQuerySet":
        return self.order_by("start", "end", "title", "pk")

    def with_citations(self) -> "EventQuerySet":
        """Everything an event's JSON embeds, in a fixed number of queries."""
        from timeline.models import Citation

        return self.select_related("place").prefetch_related(
            "actors",
            "tags",
            # One query for all citations and their sources: a timeline cites
            # the same few articles many times.
            # The sources' archived texts are long and no reader needs them here.
            Prefetch(
                "citations",
                queryset=Citation.objects.select_related("source")
                .defer("source__text")
                .order_by("pk"),
            ),
        )

    def with_citation_counts(self) -> "EventQuerySet":
        return self.annotate(citation_count=Count("citations", distinct=True))


class TimelineQuerySet(models.QuerySet):
    def published(self) -> "TimelineQuerySet":
        return self.filter(published_at__isnull=False)

    def with_event_counts(self, *, include_drafts: bool = False) -> "TimelineQuerySet":
        published = None if include_drafts else Q(events__published_at__isnull=False)
        return self.annotate(event_count=Count("events", filter=published, distinct=True))

    def with_date_spans(self) -> "TimelineQuerySet":
        """``first_day`` and ``last_day``: the span of the published events."""
        published = Q(events__published_at__isnull=False)
        return self.annotate(
            first_day=Min("events__start", filter=published),
            last_day=Max("events__end", filter=published),
        )

    def with_events(self, *, include_drafts: bool = False) -> "TimelineQuerySet":
        """Prefetch the events a reader sees (published only, unless asked) as ``listed_events``."""
        from timeline.models import Event

        events = Event.objects.all() if include_drafts else Event.objects.published()
        return self.prefetch_related(
            Prefetch(
                "events",
                queryset=events.chronological().with_citations(),
                to_attr="listed_events",
            )
        )


def sources_with_citation_counts(*, include_drafts: bool = False):
    """Sources annotated with how many published events' citations use them."""
    from sources.models import Source

    published = None if include_drafts else Q(citations__event__published_at__isnull=False)
    # The archived text can be long: count it in the database, never load it.
    return Source.objects.defer("text").annotate(
        text_length=Length("text"),
        citation_count=Count("citations", filter=published, distinct=True),
    )
