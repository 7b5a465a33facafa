"""Read paths shared by the admin, the API and the tests, each with its own prefetches."""

import datetime
import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections, models
from django.db.models import (
    Aggregate,
    Case,
    Count,
    Exists,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Length
from django.db.models.lookups import Exact

from timeline.claims.disputes import TEXT_UNIT

# The parts of a search word that PostgreSQL's parser indexes as words: it
# splits "U.S.-China" and "Xi's" where punctuation stands.
WORD_PARTS = re.compile(r"[^\W_]+")
# Where words part in the substring search: spaces, hyphens and dashes ("rare-earth").
WORD_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")


def singular(word: str) -> str:
    """The start that a plural shares with its singular ("earths": "earth", "policies":
    "polic"); search matches it within words, so the plural itself is still found."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


class EventQuerySet(models.QuerySet):
    def published(self) -> "EventQuerySet":
        return self.filter(published_at__isnull=False)

    def drafts(self) -> "EventQuerySet":
        return self.filter(published_at__isnull=True)

    def overlapping(
        self, start: datetime.date | None = None, end: datetime.date | None = None
    ) -> "EventQuerySet":
        """Events whose [start, end] span touches the given window (either side open).

        "Ends on or after ``start``" alone bounds no index on the start dates, so
        also start no earlier than the longest span before ``start`` (one indexed query).
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
        """Events that hold every word in their title, summary or display date, or in the
        name of one of their tags, actors or their place, in any case.

        Hyphens join what spaces separate and a plural finds its singular: "rare earths"
        finds "rare-earth". On PostgreSQL, words match from their start (``soy`` finds
        "soybeans") in ``search_vector``, on a GIN index; elsewhere, any substring matches.
        Names are looked up as the search runs, not stored with the event, so that a
        renamed actor is found by its new name at once.
        """
        if not text.split():
            return self
        postgresql = connections[self.db].vendor == "postgresql"
        if postgresql:
            words = [part for word in text.split() for part in WORD_PARTS.findall(word.lower())]
        else:
            words = [word for word in WORD_SEPARATORS.split(text.lower()) if word]
        if not words:
            return self.none()
        queryset = self
        for word in words:
            queryset = queryset.filter(self._holding(singular(word), postgresql))
        return queryset

    def _holding(self, word: str, postgresql: bool) -> Q:
        """The events with ``word`` in their own text or in a tag's, actor's or place's name."""
        from timeline.models import Actor, Place, Tag

        if postgresql:
            # A quoted lexeme, as a prefix: nothing in it is tsquery syntax.
            query = SearchQuery(
                "'{}':*".format(word.replace("'", "''")), search_type="raw", config="simple"
            )
            own = Q(search_vector=query)

            def named(model):
                names = model.objects.annotate(words=SearchVector("name", config="simple"))
                return names.filter(words=query)
        else:
            own = Q(title__icontains=word) | Q(summary__icontains=word)
            own |= Q(display_date__icontains=word)

            def named(model):
                return model.objects.filter(name__icontains=word)

        # One set of ids, not joins: an event with two matching tags is still one event,
        # and the database looks the rare word up in each index before it reads events.
        tagged = self.model.tags.through.objects.filter(tag__in=named(Tag)).values("event_id")
        acted = self.model.actors.through.objects.filter(actor__in=named(Actor))
        placed = self.model.objects.filter(place__in=named(Place)).order_by().values("pk")
        own = self.model.objects.filter(own).order_by().values("pk")
        return Q(pk__in=own.union(tagged, acted.values("event_id"), placed))

    def chronological(self) -> "EventQuerySet":
        """By date; on the same dates by the editors' ``day_order`` (an event before its
        parts), then by title."""
        return self.order_by("start", "end", "day_order", "title", "pk")

    def disputed(self, disputed: bool = True) -> "EventQuerySet":
        """Events with (or, given False, without) a property that sources dispute."""
        from timeline.models import Claim

        ids = Claim.objects.disputed_event_ids()
        return self.filter(pk__in=ids) if disputed else self.exclude(pk__in=ids)

    def with_disputed(self) -> "EventQuerySet":
        """Annotate ``is_disputed``, in the same query (the admin's column)."""
        from timeline.models import Claim

        disputed = Claim.objects.disputed_event_ids().filter(event_id=OuterRef("pk"))
        return self.annotate(is_disputed=Exists(disputed))

    def with_date_evidence(self) -> "EventQuerySet":
        """Annotate ``date_evidence``: stated, inferred or unsupported (``timeline.evidence``).

        Stated when cited quotes hold dates whose days all lie within the event's, and
        (for a range) say when it starts and when it ends; not quotes no longer found in
        their sources' texts.
        """
        from timeline.evidence import INFERRED, STATED, UNSUPPORTED
        from timeline.models import DateMention

        within = DateMention.objects.trusted().filter(
            citation__event=OuterRef("pk"), lower__gte=OuterRef("start"), upper__lte=OuterRef("end")
        )
        # A range's first part and its last part, each stated (timeline.evidence.assess).
        starts = within.filter(lower__lte=OuterRef("starts_by"))
        ends = within.filter(upper__gte=OuterRef("ends_from"))
        return self.annotate(
            date_evidence=Case(
                When(Exists(starts) & Exists(ends), then=Value(STATED)),
                When(~Q(date_note=""), then=Value(INFERRED)),
                default=Value(UNSUPPORTED),
                output_field=models.CharField(),
            )
        )

    def with_citations(self) -> "EventQuerySet":
        """Everything an event's JSON embeds, in a fixed number of queries."""
        from timeline.models import Citation, Claim

        # The event it is part of, in the same query: pages and formats name it.
        return self.select_related("place", "super_event").prefetch_related(
            "actors",
            "tags",
            # The sources' archived texts are long and no reader needs them here.
            Prefetch(
                "citations",
                queryset=Citation.objects.select_related("source")
                .defer("source__text")
                .prefetch_related("dates")
                .order_by("pk"),
            ),
            Prefetch("claims", queryset=Claim.objects.for_reading()),
        )

    def with_published_parts(self) -> "EventQuerySet":
        """Annotate ``has_parts``: whether a published event is part of it (schema.org
        subEvent), in the same query, so that those without parts need no more."""
        parts = self.model.objects.published().filter(super_event=OuterRef("pk"))
        return self.annotate(has_parts=Exists(parts))

    def with_citation_counts(self) -> "EventQuerySet":
        return self.annotate(citation_count=Count("citations", distinct=True))


class _IdListField(models.TextField):
    """Comma-separated ids from the database, as a sorted list of ints."""

    def from_db_value(self, value, expression, connection) -> list[int]:
        return sorted(int(part) for part in value.split(",")) if value else []


class JoinedIds(Aggregate):
    """The ids of a group's rows as one sorted list (GROUP_CONCAT, STRING_AGG on PostgreSQL)."""

    function = "GROUP_CONCAT"
    output_field = _IdListField()

    def __init__(self, expression, **extra):
        super().__init__(Cast(expression, models.TextField()), Value(","), **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="STRING_AGG", **extra_context)


class CitationQuerySet(models.QuerySet):
    def numbered(self) -> "CitationQuerySet":
        """``number``: each citation's place among its event's (1, 2, … in the order added)."""
        up_to_this_one = (
            self.model.objects.filter(event_id=OuterRef("event_id"), pk__lte=OuterRef("pk"))
            .order_by()
            .values("event_id")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(number=Subquery(up_to_this_one, output_field=models.IntegerField()))


class ClaimQuerySet(models.QuerySet):
    def compared(self) -> "ClaimQuerySet":
        """The claims that count in a dispute: all but the deprecated."""
        return self.exclude(rank="deprecated")

    def _conflicting(self):
        """The counted claims that conflict with another counted claim of their event's
        property: words that differ, quantities of other units, or intervals that do not
        meet (``disputes.Reading.conflicts_with``, on the columns ``Claim.save`` derives)."""
        others = (
            self.model.objects.compared()
            .filter(event_id=OuterRef("event_id"), property_id=OuterRef("property_id"))
            .exclude(comparison_key=OuterRef("comparison_key"))
        )
        touching_open = Exact(OuterRef("lower_open"), True)
        conflict = (
            ~Q(unit=OuterRef("unit"))
            | Q(unit=TEXT_UNIT)
            | Q(upper__lt=OuterRef("lower"))
            | Q(lower__gt=OuterRef("upper"))
            | (Q(upper=OuterRef("lower")) & (Q(upper_open=True) | touching_open))
            | (
                Q(lower=OuterRef("upper"))
                & (Q(lower_open=True) | Exact(OuterRef("upper_open"), True))
            )
        )
        return self.model.objects.compared().filter(Exists(others.filter(conflict)))

    def disputed_event_ids(self):
        """The ids of events with a property whose counted claims conflict (a subquery)."""
        return self._conflicting().values("event_id")

    def with_property_disputed(self) -> "ClaimQuerySet":
        """``property_disputed``: whether the claim's property is disputed on its event."""
        pairs = self._conflicting().filter(
            event_id=OuterRef("event_id"), property_id=OuterRef("property_id")
        )
        return self.annotate(property_disputed=Exists(pairs))

    def with_citation_ids(self) -> "ClaimQuerySet":
        """``citation_ids``: the ids of the citations stating each claim, sorted."""
        return self.annotate(citation_ids=JoinedIds("citation_links__citation_id"))

    def for_reading(self) -> "ClaimQuerySet":
        """What readers see of a claim: its property and its citations' ids, in one query."""
        return self.select_related("property").with_citation_ids().order_by("pk")


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


def in_published_use(queryset):
    """The actors, places, tags or claim properties of ``queryset`` that a published event
    uses: readers see these alone, since the names of those only drafts use are not public."""
    from timeline.models import Claim, ClaimProperty, Event

    model = queryset.model
    if model is ClaimProperty:
        users = Claim.objects.filter(property=OuterRef("pk"), event__published_at__isnull=False)
    else:
        link = {"actor": "actors", "tag": "tags", "place": "place"}[model._meta.model_name]
        users = Event.objects.published().filter(**{link: OuterRef("pk")})
    return queryset.filter(Exists(users))
