"""Query-string filters of the lists: every bad value is a 400 naming the parameter."""

import django_filters
from django import forms
from django.db.models.query import EmptyQuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from sources.models import Source
from timeline.dates import EventDate, InvalidEventDate, parse_event_date
from timeline.models import Actor, Citation, Claim, Event, EventStatus, Place, Tag, Timeline


class EDTFFormField(forms.CharField):
    """A query parameter holding an EDTF date; cleans to its bounds."""

    def clean(self, value) -> EventDate | None:
        value = super().clean(value)
        if not value:
            return None
        try:
            return parse_event_date(value)
        except InvalidEventDate as exc:
            # The message quotes the input, which may hold a "%": pass it as a param.
            raise forms.ValidationError(
                "%(message)s", code="invalid", params={"message": str(exc)}
            ) from None


@extend_schema_field(OpenApiTypes.STR)
class EDTFFilter(django_filters.Filter):
    field_class = EDTFFormField


class EventFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("from"), cleaned.get("to")
        if since and until and since.start > until.end:
            self.add_error("to", "“to” is earlier than “from”.")
        return cleaned


class SlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Accept slugs in the query string, filter by the objects they name."""

    def get_filter_predicate(self, value):
        return {self.field_name: value}

    def filter(self, qs, value):
        # Not given, the value is an empty queryset: django-filter's `not value`
        # would compile its SQL to find it empty, 0.6 ms for each such filter.
        if isinstance(value, EmptyQuerySet):
            return qs
        return super().filter(qs, value)


def slug_filter(queryset, field_name: str, label: str) -> SlugMultipleChoiceFilter:
    return SlugMultipleChoiceFilter(
        field_name=field_name,
        to_field_name="slug",
        queryset=queryset,
        label=label,
        distinct=True,
    )


class EventOrderingFilter(django_filters.OrderingFilter):
    def filter(self, qs, value):
        qs = super().filter(qs, value)
        # A unique last key keeps pages stable when many events share a date.
        return qs.order_by(*qs.query.order_by, "pk") if value else qs


class EventFilter(django_filters.FilterSet):
    # "from" is a Python keyword, so it is declared through the class namespace.
    locals()["from"] = EDTFFilter(
        method="filter_from",
        label="Events that end on or after this EDTF date (e.g. 2025-10 or 2025-10-30).",
    )
    to = EDTFFilter(
        method="filter_to",
        label="Events that start on or before this EDTF date (its last day counts).",
    )
    timeline = slug_filter(
        Timeline.objects.published(), "timelines", "Timeline slug (repeat for any of several)."
    )
    tag = slug_filter(Tag.objects.all(), "tags", "Tag slug (repeat for any of several).")
    actor = slug_filter(Actor.objects.all(), "actors", "Actor slug (repeat for any of several).")
    place = slug_filter(Place.objects.all(), "place", "Place slug (repeat for any of several).")
    source = slug_filter(Source.objects.all(), "citations__source", "Slug of a cited source.")
    status = django_filters.MultipleChoiceFilter(choices=EventStatus.choices, label="Event status.")
    # A choice, not django-filter's BooleanFilter, which reads "maybe" as no filter at all.
    disputed = django_filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        method="filter_disputed",
        label="true: events with a property the sources disagree on; false: the others.",
    )
    q = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        label=(
            "Words that must all appear in the title, summary or display date, or in the "
            "name of a tag, actor or the place; a plural finds its singular, and "
            "“rare earths” finds “rare-earth”."
        ),
    )
    ordering = EventOrderingFilter(
        fields=(("start", "start"), ("end", "end"), ("title", "title"), ("updated_at", "updated")),
        label="Sort by start, end, title or updated; prefix with - for descending.",
    )

    class Meta:
        model = Event
        fields: list[str] = []
        form = EventFilterForm

    def filter_from(self, queryset, name, value: EventDate):
        return queryset.overlapping(start=value.start)

    def filter_to(self, queryset, name, value: EventDate):
        return queryset.overlapping(end=value.end)

    def filter_search(self, queryset, name, value: str):
        return queryset.search(value)

    def filter_disputed(self, queryset, name, value: bool | None):
        return queryset if value is None else queryset.disputed(value)


class IdFilter(django_filters.NumberFilter):
    """An id: a whole number (django-filter's NumberFilter takes decimals)."""

    field_class = forms.IntegerField


class CitationFilter(django_filters.FilterSet):
    event = django_filters.CharFilter(
        field_name="event__slug", label="Only this event's citations (slug)."
    )
    source = IdFilter(
        field_name="source_id",
        min_value=1,
        max_value=2**63 - 1,  # BigAutoField's largest
        label="Only citations of this source (id).",
    )

    class Meta:
        model = Citation
        fields: list[str] = []


class ClaimFilter(django_filters.FilterSet):
    event = django_filters.CharFilter(
        field_name="event__slug", label="Only this event's claims (slug)."
    )
    property = django_filters.CharFilter(
        field_name="property__slug", label="Only claims of this property (slug)."
    )

    class Meta:
        model = Claim
        fields: list[str] = []


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped by a view without filters or a request naming none.

    Its FilterSet would build and clean a form of empty fields, and change
    nothing: 1.8 ms of an unfiltered list's 18 (bench/profile_request.py).
    """

    def filter_queryset(self, request, queryset, view):
        filterset = getattr(view, "filterset_class", None)
        if filterset is None or not set(filterset.base_filters) & set(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)
