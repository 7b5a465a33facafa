"""The editors' workspace."""

import re
from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_POST
from knox import admin as knox_admin
from knox.models import AuthToken

from sources.admin import SourceAdmin
from sources.admin_mixins import (
    EditorAdmin,
    VersionedModelForm,
    column,
    revision_of,
    revision_related_ids,
)
from sources.models import Source
from sources.versioning import VersionConflict
from timeline import evidence, services
from timeline.claims import disputes
from timeline.evidence import INFERRED, STATED, STATES, UNSUPPORTED
from timeline.filters import EventFilter
from timeline.history import event_revisions
from timeline.models import Actor, Citation, Claim, ClaimProperty, Event, Place, Tag, Timeline
from timeline.signals import DELETED_WITH_EVENT


class CitationInline(admin.StackedInline):
    model = Citation
    extra = 1
    autocomplete_fields = ["source"]
    fields = ["source", "quote", "locator", "note", "anchor_state"]
    readonly_fields = ["anchor_state"]

    @admin.display(description="anchored in source")
    def anchor_state(self, citation: Citation) -> str:
        if not citation.pk:
            return "—"
        if citation.is_anchored:
            return f"yes, characters {citation.position_start}–{citation.position_end}"
        if citation.source.text:
            return "NO: the quote is not in the source's text"
        return "no archived text to check against"


# Claims: each source's value of a property of the event

CLAIM_FIELDS = ["property", "value", "normalized_as", "rank", "rank_note"]
CLAIM_COLUMNS = ["reads_as", "cited_sources"]
UNIQUE_VALUE = next(
    constraint.violation_error_message
    for constraint in Claim._meta.constraints
    if constraint.name == "timeline_claim_unique_value"
)
CITATIONS = Claim._meta.get_field("citations")


def numbered_citations():
    """Citations numbered on their event as editors and readers know them, in that order."""
    return Citation.objects.select_related("source").defer("source__text").numbered().order_by("pk")


def event_citations(event_id: int | None) -> dict[int, Citation]:
    return {citation.pk: citation for citation in numbered_citations().filter(event_id=event_id)}


def claims_for_review(claims):
    """Claims with ``property_disputed`` and their numbered citations, in one more query."""
    return claims.with_property_disputed().prefetch_related(
        Prefetch("citations", queryset=numbered_citations())
    )


def citation_label(citation: Citation) -> str:
    """A citation by its number on the event, e.g. [2] “Tariffs will fall…” (Source title)."""
    return f"[{citation.number}] {citation}"


class NumberedCheckboxes(forms.CheckboxSelectMultiple):
    """Citations to tick by their numbers, “[2]”, as in the legend; the label is the tooltip."""

    def create_option(self, name, value, label, *args, **kwargs):
        option = super().create_option(name, value, label, *args, **kwargs)
        option["attrs"]["title"] = label
        option["label"] = label.split(" ", 1)[0]
        return option


class ClaimForm(forms.ModelForm):
    """A claim and the citations that state it, chosen among its event's own."""

    cited = forms.TypedMultipleChoiceField(
        label="cites",
        coerce=int,
        # Not required: an empty choice gets the model's own message (clean_cited).
        required=False,
        widget=NumberedCheckboxes,
        help_text=CITATIONS.help_text,
    )

    class Meta:
        model = Claim
        fields = CLAIM_FIELDS
        widgets = {
            "value": forms.TextInput(attrs={"size": 22}),
            "normalized_as": forms.TextInput(attrs={"size": 14}),
            "rank_note": forms.Textarea(attrs={"rows": 2, "cols": 22}),
        }

    def __init__(self, *args, citations=None, deleting: frozenset[int] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        # On the event's page, the formset loads the citations once for all claims;
        # ``deleting``: the ids of those the same save deletes.
        self.citations = event_citations(self.instance.event_id) if citations is None else citations
        self.deleting = deleting
        self.fields["cited"].choices = [
            (pk, citation_label(citation)) for pk, citation in self.citations.items()
        ]
        if historical := revision_of(self.instance):  # a revert's form: the revision's citations
            cited = revision_related_ids(historical, CITATIONS)
        else:
            cited = [c.pk for c in self.instance.citations.all()] if self.instance.pk else []
        self.initial.setdefault("cited", cited)

    def clean_cited(self) -> list[Citation]:
        citations = [self.citations[pk] for pk in self.cleaned_data["cited"]]
        try:
            self.instance.clean_citations(citations)
        except ValidationError as refusal:
            raise ValidationError(refusal.error_dict["citations"]) from refusal
        # (A claim already citing it keeps the citation: the citation's row says so.)
        deleting = [c for c in citations if c.pk in self.deleting]
        if deleting and "cited" in self.changed_data:
            numbers = ", ".join(f"[{citation.number}]" for citation in deleting)
            raise ValidationError(
                f"Citation {numbers} is being deleted in this same save: keep it, or cite "
                "another one here."
            )
        return citations

    def clean(self):
        cleaned_data = super().clean()
        # The unique constraint would say so for the whole row; the value is what to change.
        if "property" in self.fields:
            property_id = getattr(cleaned_data.get("property"), "pk", None)
        else:
            property_id = self.instance.property_id
        value = cleaned_data.get("value")
        if property_id is not None and value:
            taken = Claim.objects.filter(
                event_id=self.instance.event_id, property_id=property_id, value=value
            )
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error("value", UNIQUE_VALUE)
        return cleaned_data


class ClaimChangeForm(ClaimForm, VersionedModelForm):
    """A claim on its own page: saved only over the version its editor opened."""

    def clean(self):
        # The version check locks the claim's row: lock its event's first, in
        # the order every writer takes them (the save moves the event's version).
        if self.instance.pk is not None:
            list(Event.objects.filter(pk=self.instance.event_id).select_for_update().values("pk"))
        return super().clean()


def _rows_deleted(data, *, prefix: str) -> frozenset[int]:
    """The ids of the saved rows that an inline's submitted data marks for deletion."""
    deleted = set()
    for key in data:
        row = re.fullmatch(rf"{re.escape(prefix)}-(\d+)-DELETE", key)
        if row and forms.CheckboxInput().value_from_datadict(data, None, key):
            pk = data.get(f"{prefix}-{row[1]}-id", "")
            if pk.isdigit():
                deleted.add(int(pk))
    return frozenset(deleted)


class ClaimFormSet(BaseInlineFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.citations = event_citations(self.instance.pk)
        # The event's citations are saved first: a claim must not cite one they delete.
        self.citations_deleting = _rows_deleted(self.data, prefix="citations")

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        return {**kwargs, "citations": self.citations, "deleting": self.citations_deleting}

    def clean(self):
        # Two rows giving one value of a property: said on the later row's value.
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            key = (data.get("property"), data.get("value"))
            if data.get("DELETE") or None in key:
                continue
            if key in seen:
                form.add_error("value", UNIQUE_VALUE)
            seen.add(key)
        super().clean()


class ClaimColumns:
    """What editors read beside a claim's fields: how it reads, what it cites, its sources."""

    @staticmethod
    def _citations(claim: Claim) -> list[Citation]:
        if claim.pk is None:
            return []
        historical = revision_of(claim)
        if historical is None:  # numbered by claims_for_review
            return list(claim.citations.all())
        cited = set(revision_related_ids(historical, CITATIONS))
        return [c for pk, c in event_citations(claim.event_id).items() if pk in cited]

    @admin.display(description="reads as")
    def reads_as(self, claim: Claim) -> str:
        if claim.pk is None:
            return "—"
        try:
            text = claim.reading().text
        except disputes.UnreadableValue:
            # A value its property's kind refuses (shown again to be corrected,
            # or restored): how it is compared as stored.
            text = disputes.Reading.from_key(claim.comparison_key).text
        # (Not known for a revision, on its revert form.)
        disputed = getattr(claim, "property_disputed", False)
        return f"{text} (sources differ)" if disputed else text

    # Shown instead of the ``cited`` checkboxes to whoever may not change the claim.
    @admin.display(description="cites")
    def cited(self, claim: Claim) -> str:
        labels = ((citation_label(citation),) for citation in self._citations(claim))
        return format_html_join(mark_safe("<br>"), "{}", labels) or "—"

    @admin.display(description="sources")
    def cited_sources(self, claim: Claim) -> str:
        numbers_by_source = {}
        for citation in self._citations(claim):
            numbers_by_source.setdefault(citation.source, []).append(str(citation.number))
        rows = (
            (
                reverse(f"{self.admin_site.name}:sources_source_change", args=[source.pk]),
                source.title,
                Truncator(source.title).chars(40),
                ", ".join(numbers),
            )
            for source, numbers in numbers_by_source.items()
        )
        link = '<a href="{}" title="{}">{}</a> [{}]'
        return format_html_join(mark_safe("<br>"), link, rows) or "—"


class ClaimInline(ClaimColumns, admin.TabularInline):
    """The event's claims, grouped by property, each with the citations that state it."""

    model = Claim
    form = ClaimForm
    formset = ClaimFormSet
    extra = 1
    autocomplete_fields = ["property"]
    fields = [*CLAIM_FIELDS, "cited", *CLAIM_COLUMNS]
    readonly_fields = CLAIM_COLUMNS
    show_change_link = True
    # The table, and below it the numbered citations and how claims cite them.
    template = "admin/timeline/event/claims_inline.html"

    class Media:
        css = {"all": ["timeline/admin-claims.css"]}

    def get_queryset(self, request):
        claims = claims_for_review(super().get_queryset(request).select_related("property"))
        return claims.order_by("property__name", "pk")


class PublishedFilter(admin.SimpleListFilter):
    title = "publication"
    parameter_name = "published"

    def lookups(self, request, model_admin):
        return [("yes", "Published"), ("no", "Draft")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.published()
        if self.value() == "no":
            return queryset.drafts()
        return queryset


class DisputedFilter(admin.SimpleListFilter):
    """Events (or claims) where sources give a property (the claim's) two or more values."""

    title = "disputed"
    parameter_name = "disputed"

    def lookups(self, request, model_admin):
        return [("yes", "Yes: sources differ"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        disputed = self.value() == "yes"
        if queryset.model is Claim:
            return queryset.filter(property_disputed=disputed)
        return queryset.disputed(disputed)


class DateEvidenceFilter(admin.SimpleListFilter):
    """Whether a cited quote states the event's date (timeline.evidence)."""

    title = "date evidence"
    parameter_name = "date_evidence"

    def lookups(self, request, model_admin):
        return [
            (STATED, "Stated in a cited quote"),
            (INFERRED, "Inferred (with a note)"),
            (UNSUPPORTED, "Unsupported"),
        ]

    def queryset(self, request, queryset):
        if self.value() in STATES:
            return queryset.filter(date_evidence=self.value())
        return queryset


class OverlappingDatesFilter(admin.ListFilter):
    """Events whose dates touch a window, as the API's ``from`` and ``to`` find them.

    Django's list filters offer links, not inputs: this one is a small GET form
    (its template) read by the API's own filter, EventFilter.
    """

    title = "dates (overlapping)"
    template = "admin/timeline/event/dates_filter.html"
    parameters = ["from", "to"]

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        for name in self.parameters:
            if name in params:
                self.used_parameters[name] = params.pop(name)[-1].strip()
        self.filterset = EventFilter(self.used_parameters, queryset=Event.objects.none())

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str]:
        return self.parameters

    def choices(self, changelist):
        yield {
            "values": {name: self.used_parameters.get(name, "") for name in self.parameters},
            # The other filters, the search and the order, kept as the form is sent.
            "kept": [
                (name, value)
                for name, values in changelist.filter_params.items()
                if name not in self.parameters
                for value in values
            ],
            "clear": changelist.get_query_string(remove=self.parameters),
            "errors": self.errors(),
        }

    def errors(self) -> list[str]:
        if not any(self.used_parameters.values()) or self.filterset.is_valid():
            return []
        return [
            f"“{name}”: {problem}"
            for name, problems in self.filterset.errors.items()
            for problem in problems
        ]

    def queryset(self, request, queryset):
        errors = self.errors()
        if errors:
            messages.error(request, "Dates not filtered: " + " ".join(errors))
            return queryset
        if not any(self.used_parameters.values()):
            return queryset
        return EventFilter(self.used_parameters, queryset=queryset).qs


@admin.register(Event)
class EventAdmin(EditorAdmin):
    object_history_template = "admin/timeline/event/object_history.html"
    list_display = [
        "title",
        "when",
        "date_evidence_state",
        "status",
        "is_published",
        "citation_count",
        "is_disputed",
        "place",
        "super_event",
    ]
    list_display_links = ["title"]
    list_filter = [
        OverlappingDatesFilter,
        PublishedFilter,
        DateEvidenceFilter,
        DisputedFilter,
        "status",
        "precision",
        "timelines",
        "tags",
        "actors",
    ]
    list_select_related = ["place", "super_event"]
    search_fields = ["title", "summary", "slug", "display_date", "citations__quote"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["place", "actors", "tags", "super_event"]
    readonly_fields = [
        "start",
        "end",
        "precision",
        "date_evidence_detail",
        "published_at",
        "created_at",
        "updated_at",
    ]
    inlines = [CitationInline, ClaimInline]
    actions = ["publish", "unpublish"]
    ordering = ["start", "end", "day_order", "title", "pk"]
    list_per_page = 50
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary"]}),
        (
            "When",
            {
                "fields": [
                    "date",
                    "display_date",
                    ("start", "end", "precision"),
                    "date_evidence_detail",
                    "date_note",
                    "status",
                    ("super_event", "day_order"),
                ]
            },
        ),
        ("Who and where", {"fields": ["place", "actors", "tags"]}),
        ("Publication", {"fields": ["published_at", ("created_at", "updated_at")]}),
    ]

    def get_queryset(self, request):
        events = super().get_queryset(request).with_citation_counts().with_disputed()
        return events.with_date_evidence()

    def get_search_results(self, request, queryset, search_term):
        # Django's search (slugs and quotes too), or the readers' (``q``: names, plurals,
        # hyphens); as sets of ids, so that joined quotes repeat no row.
        if not search_term.strip():
            return queryset, False
        events = Event.objects.all()
        found, _ = super().get_search_results(request, events, search_term)
        searched = events.search(search_term).values("pk")
        return queryset.filter(Q(pk__in=found.values("pk")) | Q(pk__in=searched)), False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # With its citations saved: does one of them state the date?
        event = form.instance
        if evidence.of_events([event])[event.pk]["state"] == UNSUPPORTED:
            self.message_user(
                request,
                f"No cited quote states the date {event.date}. "
                + (
                    "The public still sees it: cite a quote that states it, widen the date to "
                    "what the sources say, or write how it was derived."
                    if event.is_published
                    else "It cannot be published until a cited quote states it or you write "
                    "how it was derived (How the date was derived)."
                ),
                messages.WARNING,
            )

    def get_inlines(self, request, obj):
        # A new event has no citations to cite: claims come once it is saved (the page says so).
        return self.inlines if obj else [CitationInline]

    def save_through_service(self, request, obj, form) -> bool:
        # With its actors and tags; its citations and claims follow (save_formset).
        related = {name: form.cleaned_data.get(name) for name in ("actors", "tags")}
        services.event_save(event=obj, **related, user=request.user)
        return True

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        if formset.model is Citation:
            # As the API writes them: two citations may swap quotes in one save.
            changed = [citation for citation, _ in formset.changed_objects]
            services.citations_save(
                saving=[*formset.new_objects, *changed], deleting=formset.deleted_objects
            )
            return
        # One revision for each claim saved, with the citations it ends up with.
        for claim in formset.deleted_objects:
            claim.delete()
        for claim_form in formset.saved_forms:
            services.claim_save(
                claim=claim_form.instance,
                citations=claim_form.cleaned_data["cited"],
                user=request.user,
            )

    def history_view(self, request, object_id, extra_context=None):
        revisions = event_revisions(int(object_id)) if object_id.isdigit() else []
        for change in (c for r in revisions for c in r["changes"] if c["field"] == "citations"):
            # A claim's citations, named as the citations' table names them.
            for end in ("old", "new"):
                if change[end] is not None:
                    change[end] = ", ".join(f"#{pk}" for pk in change[end]) or "none"
        extra_context = {
            **(extra_context or {}),
            "citation_revisions": [r for r in revisions if r["object"] == "citation"],
            "claim_revisions": [r for r in revisions if r["object"] == "claim"],
        }
        return super().history_view(request, object_id, extra_context)

    @admin.display(description="date", ordering="start")
    def when(self, event: Event) -> str:
        return event.display_date or event.date

    @admin.display(description="date evidence", ordering="date_evidence")
    def date_evidence_state(self, event: Event) -> str:
        labels = {STATED: "stated", INFERRED: "inferred", UNSUPPORTED: "⚠ unsupported"}
        return labels[event.date_evidence]

    @admin.display(description="date evidence")
    def date_evidence_detail(self, event: Event) -> str:
        if event.pk is None:
            return "Shown once the event and its citations are saved."
        found = evidence.of_events([event])[event.pk]
        lines = [evidence.describe(found)]
        lines += [
            f"[{item['id']}] “{item['expression']}” → {item['resolved']}"
            for item in found["citations"]
        ]
        lines += [f"[{item['id']}] {item['explanation']}" for item in found["other"]]
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))

    is_published = column("is_published", "published", boolean=True, ordering="published_at")
    citation_count = column("citation_count", "citations", ordering="citation_count")
    @admin.display(description="disputed", ordering="is_disputed")
    def is_disputed(self, event):
        """A warning where sources differ, and nothing elsewhere: Django's boolean column
        showed a disputed event with a green tick, as if all were well."""
        if not event.is_disputed:
            return ""
        return format_html(
            '<img src="{}" alt="Warning:"> sources differ', static("admin/img/icon-alert.svg")
        )

    @admin.action(description="Publish selected events", permissions=["change"])
    def publish(self, request, queryset):
        try:
            count = services.events_publish(events=queryset, user=request.user)
        except services.UnsupportedDates as refused:
            # The others are published; these stay drafts, and the editor is told why.
            self.message_user(request, refused.messages[0], messages.ERROR)
            supported = queryset.exclude(pk__in=[event.pk for event in refused.events])
            count = services.events_publish(events=supported, user=request.user)
        self.message_user(request, f"Published {count} event(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected events (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        count = services.events_unpublish(events=queryset, user=request.user)
        self.message_user(request, f"Unpublished {count} event(s).", messages.SUCCESS)

    # Deleted events, and restoring them

    def get_urls(self):
        view = self.admin_site.admin_view
        # Ahead of the default routes, whose "<object_id>/" would take "deleted/".
        return [
            path("deleted/", view(self.deleted_view), name="timeline_event_deleted"),
            path(
                "deleted/<int:event_id>/restore/",
                view(require_POST(self.restore_view)),
                name="timeline_event_restore",
            ),
            *super().get_urls(),
        ]

    def deleted_view(self, request):
        """Events deleted and not restored since, newest first."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        request.current_app = self.admin_site.name
        page = Paginator(services.deleted_events(), 100).get_page(request.GET.get("p"))
        # The citations deleted with an event share its deletion's time.
        deleted_with = Citation.history.filter(
            event_id__in=[record.id for record in page],
            history_type="-",
            history_change_reason=DELETED_WITH_EVENT,
        )
        counts = Counter(deleted_with.values_list("event_id", "history_date"))
        for record in page:
            record.citation_count = counts[record.id, record.history_date]
        context = {
            **self.admin_site.each_context(request),
            "title": "Deleted events",
            "opts": self.opts,
            "page_obj": page,
            "can_restore": self.has_add_permission(request),
        }
        return TemplateResponse(request, "admin/timeline/event/deleted_events.html", context)

    def restore_view(self, request, event_id: int):
        """Bring a deleted event back as a draft, with the citations deleted with it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            event = services.event_restore(event_id=event_id, user=request.user)
        except services.NotRestorable as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return redirect(f"{self.admin_site.name}:timeline_event_deleted")
        self.log_addition(request, event, "Restored after deletion.")
        self.message_user(
            request,
            f"Restored “{event.title}” as a draft with {event.citations.count()} citation(s).",
            messages.SUCCESS,
        )
        return redirect(f"{self.admin_site.name}:timeline_event_change", event.pk)


@admin.register(Timeline)
class TimelineAdmin(EditorAdmin):
    list_display = ["title", "slug", "event_count", "published_at", "updated_at"]
    search_fields = ["title", "slug", "description"]
    ordering = ["title", "pk"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["events"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["publish", "unpublish"]

    event_count = column("event_count", "events", ordering="event_count")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_count=Count("events", distinct=True))

    def save_through_service(self, request, obj, form) -> bool:
        events = form.cleaned_data.get("events")
        services.timeline_save(timeline=obj, events=events, user=request.user)
        return True

    @admin.action(description="Publish selected timelines", permissions=["change"])
    def publish(self, request, queryset):
        self._set_published(request, queryset, published=True)

    @admin.action(
        description="Unpublish selected timelines (back to draft)", permissions=["change"]
    )
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, published=False)

    def _set_published(self, request, queryset, *, published: bool) -> None:
        changed, moved_on = 0, []
        for timeline in queryset.filter(published_at__isnull=published):
            try:
                services.timeline_set_published(
                    timeline=timeline, published=published, user=request.user
                )
                changed += 1
            except VersionConflict:
                moved_on.append(timeline)
        verb = "Published" if published else "Unpublished"
        self.message_user(request, f"{verb} {changed} timeline(s).", messages.SUCCESS)
        if moved_on:
            titles = "; ".join(f"“{timeline}”" for timeline in moved_on)
            self.message_user(
                request,
                f"Someone else saved {titles} meanwhile; left as it was. Try again.",
                messages.WARNING,
            )


class LookupAdmin(EditorAdmin):
    """The small lookup models: searchable for autocomplete, counted by what uses them."""

    list_display = ["name", "slug", "wikidata_link", "event_count"]
    search_fields = ["name", "slug", "wikidata_id"]
    # Explicit: an aggregate annotation drops Meta.ordering, and autocomplete paginates.
    ordering = ["name", "pk"]
    prepopulated_fields = {"slug": ["name"]}
    used_by = "events"
    # Items are at /wiki/Q…, properties at /wiki/Property:P….
    wikidata_page = ""

    event_count = column("use_count", "events", ordering="use_count")

    def get_queryset(self, request):
        uses = Count(self.used_by, distinct=True)
        return super().get_queryset(request).annotate(use_count=uses)

    @admin.display(description="Wikidata", ordering="wikidata_id")
    def wikidata_link(self, obj) -> str:
        if not obj.wikidata_id:
            return "—"
        return format_html(
            '<a href="https://www.wikidata.org/wiki/{}{}" rel="noopener">{}</a>',
            self.wikidata_page,
            obj.wikidata_id,
            obj.wikidata_id,
        )


@admin.register(Actor)
class ActorAdmin(LookupAdmin):
    list_display = ["name", "kind", "slug", "wikidata_link", "event_count"]
    list_filter = ["kind"]


@admin.register(Place)
class PlaceAdmin(LookupAdmin):
    list_display = ["name", "slug", "latitude", "longitude", "wikidata_link", "event_count"]


@admin.register(Tag)
class TagAdmin(LookupAdmin):
    pass


@admin.register(ClaimProperty)
class ClaimPropertyAdmin(LookupAdmin):
    list_display = ["name", "slug", "kind", "wikidata_link", "claim_count"]
    list_filter = ["kind"]
    fields = ["name", "slug", "kind", "description", "wikidata_id"]
    used_by = "claims"
    wikidata_page = "Property:"
    claim_count = column("use_count", "claims", ordering="use_count")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The model refused a kind that one of its claims cannot take (on "kind").
        if change and "kind" in form.changed_data:
            count = services.property_reread_claims(prop=obj, user=request.user)
            self.message_user(
                request,
                f"Read the claims of “{obj}” again as {obj.get_kind_display()}: "
                f"{count} now compare differently.",
                messages.SUCCESS,
            )


@admin.register(Claim)
class ClaimAdmin(ClaimColumns, EditorAdmin):
    """Claims across events, for review. They are added on their event's page."""

    form = ClaimChangeForm
    list_display = ["event", "property", "value", "reads_as", "rank", "cited_sources"]
    list_display_links = ["value"]
    list_filter = [DisputedFilter, "rank", "property"]
    list_select_related = ["event", "property"]
    search_fields = ["value", "event__title"]
    ordering = ["event__start", "event__title", "property__name", "pk"]
    list_per_page = 50
    show_full_result_count = False
    fields = ["event", *CLAIM_FIELDS, "cited", *CLAIM_COLUMNS]
    readonly_fields = ["event", "property", *CLAIM_COLUMNS]

    def get_queryset(self, request):
        # Not select_related here: the list would then ignore list_select_related.
        return claims_for_review(super().get_queryset(request))

    def has_add_permission(self, request) -> bool:
        return False

    # The event's version covers its claims. It is touched before the claim
    # is written: writers lock event rows before claim rows, and cannot deadlock.

    def save_through_service(self, request, obj, form) -> bool:
        cited = form.cleaned_data["cited"]
        services.claim_save(
            claim=obj, citations=cited, user=request.user, touch_events=[obj.event_id]
        )
        return True

    def delete_model(self, request, obj):
        services.events_touch(event_ids=[obj.event_id])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        services.events_touch(event_ids=set(queryset.values_list("event_id", flat=True)))
        super().delete_queryset(request, queryset)


class CitingEventInline(admin.TabularInline):
    """On a source: every event that quotes it, and whether the quote still anchors."""

    model = Citation
    extra = 0
    can_delete = False
    fields = ["event", "quote", "anchored"]
    readonly_fields = fields
    show_change_link = True
    verbose_name = "citing event"
    verbose_name_plural = "events citing this source"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    anchored = column("is_anchored", "anchored", boolean=True)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event")


# The timeline app extends the sources admin (never the reverse): a source
# shows who cites it, and a changed text re-anchors those citations.
admin.site.unregister(Source)


@admin.register(Source)
class CitedSourceAdmin(SourceAdmin):
    inlines = [CitingEventInline]

    def save_model(self, request, obj, form, change):
        # Compare fingerprints, not form fields: an upload changes the text too.
        text_before = obj.text_sha256
        super().save_model(request, obj, form, change)
        if change and obj.text_sha256 != text_before:
            report = services.source_reanchor_citations(source=obj, user=request.user)
            if report.unanchored:
                quotes = "; ".join(f"“{c.quote[:60]}” ({c.event})" for c in report.unanchored)
                self.message_user(
                    request,
                    f"{len(report.unanchored)} citation(s) no longer match the new text and "
                    f"were kept unanchored: {quotes}",
                    messages.WARNING,
                )
            elif report.anchored:
                self.message_user(request, f"Re-anchored {report.anchored} citation(s).")


# knox registers its tokens' admin; this one names each token by its key, as the API does,
# rather than by its digest, and shows when it was last used.
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(knox_admin.AuthTokenAdmin):
    list_display = ["token_key", "user", "created", "expiry", "last_used"]
    list_select_related = ["user", "use"]

    @admin.display(description="last used", ordering="use__last_used_at")
    def last_used(self, token):
        use = getattr(token, "use", None)
        return use.last_used_at if use else None
