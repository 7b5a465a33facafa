"""Query-string filters for events: every bad value is a 400 naming the parameter."""

import copy

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from sources.models import Source
from timeline.dates import EventDate, InvalidEventDate, parse_event_date
from timeline.models import Actor, Event, EventStatus, Place, Tag, Timeline


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
        if isinstance(value, QuerySet) and value.query.is_empty():
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
        label="Words that must all appear in the title or summary.",
    )
    ordering = EventOrderingFilter(
        fields=(("start", "start"), ("end", "end"), ("title", "title"), ("updated_at", "updated")),
        label="Sort by start, end, title or updated; prefix with - for descending.",
    )

    class Meta:
        model = Event
        fields: list[str] = []
        form = EventFilterForm

    _form_class = None

    def get_form_class(self):
        # The same fields for every request: build the form class once, and
        # let each form share its fields (a subclass builds its own).
        cls = type(self)
        if cls.__dict__.get("_form_class") is None:
            form_class = super().get_form_class()
            form_class.base_fields = _SharedFields(form_class.base_fields)
            cls._form_class = form_class
        return cls._form_class

    def filter_from(self, queryset, name, value: EventDate):
        return queryset.overlapping(start=value.start)

    def filter_to(self, queryset, name, value: EventDate):
        return queryset.overlapping(end=value.end)

    def filter_search(self, queryset, name, value: str):
        return queryset.search(value)

    def filter_disputed(self, queryset, name, value: bool | None):
        return queryset if value is None else queryset.disputed(value)


class _SharedFields(dict):
    """A form's fields, shared by its instances instead of deep-copied for each.

    Django copies every field of a form for each instance, so that a form
    may change its own (1.5 ms a request here, ModelMultipleChoiceFields'
    querysets and all). The filter form never changes them: cleaning a
    value reads a field, and its querysets are cloned, never evaluated.
    """

    def __deepcopy__(self, memo):
        return dict(self)


class _CopiedShallowly(dict):
    """A FilterSet's filters, copied one by one rather than deeply.

    django-filter deep-copies every filter for each request, querysets and
    all (1 ms of each list request here); a copy of each filter is enough,
    since what a request changes on a filter (its model and filterset) is
    set on the copy, and the rest is never written.
    """

    def __deepcopy__(self, memo):
        return {name: self._copy(filter_) for name, filter_ in self.items()}

    @staticmethod
    def _copy(filter_):
        copied = copy.copy(filter_)
        if filter_.method is not None:
            copied.method = filter_.method  # binds the method to the copy, not the original
        return copied


EventFilter.base_filters = _CopiedShallowly(EventFilter.base_filters)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped for a request that names none of the filters.

    Such a request's filterset would clean an empty form and leave the
    queryset as it is: 0.4 ms of an unfiltered events page, for nothing.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
