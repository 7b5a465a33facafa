"""The editors' workspace."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html

from sources.admin import SourceAdmin
from sources.models import Source
from timeline import services
from timeline.models import Actor, Citation, Event, Place, Tag, Timeline


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


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "when",
        "status",
        "is_published",
        "citation_count",
        "place",
    ]
    list_display_links = ["title"]
    list_filter = [PublishedFilter, "status", "precision", "timelines", "tags", "actors"]
    list_select_related = ["place"]
    search_fields = ["title", "summary", "slug", "display_date", "citations__quote"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["place", "actors", "tags"]
    readonly_fields = ["start", "end", "precision", "published_at", "created_at", "updated_at"]
    inlines = [CitationInline]
    actions = ["publish", "unpublish"]
    ordering = ["start", "end", "title", "pk"]
    list_per_page = 50
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary"]}),
        (
            "When",
            {"fields": ["date", "display_date", ("start", "end", "precision"), "status"]},
        ),
        ("Who and where", {"fields": ["place", "actors", "tags"]}),
        ("Publication", {"fields": ["published_at", ("created_at", "updated_at")]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_citation_counts()

    @admin.display(description="date", ordering="start")
    def when(self, event: Event) -> str:
        return event.display_date or event.date

    @admin.display(description="published", boolean=True, ordering="published_at")
    def is_published(self, event: Event) -> bool:
        return event.is_published

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, event: Event) -> int:
        return event.citation_count

    @admin.action(description="Publish selected events", permissions=["change"])
    def publish(self, request, queryset):
        count = services.events_publish(events=queryset, user=request.user)
        self.message_user(request, f"Published {count} event(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected events (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        count = services.events_unpublish(events=queryset, user=request.user)
        self.message_user(request, f"Unpublished {count} event(s).", messages.SUCCESS)


@admin.register(Timeline)
class TimelineAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "event_count", "published_at", "updated_at"]
    search_fields = ["title", "slug", "description"]
    ordering = ["title", "pk"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["events"]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_count=Count("events", distinct=True))

    @admin.display(description="events", ordering="event_count")
    def event_count(self, timeline: Timeline) -> int:
        return timeline.event_count


class LookupAdmin(admin.ModelAdmin):
    """Shared shape of the small lookup models: searchable for autocomplete."""

    list_display = ["name", "slug", "wikidata_link", "event_count"]
    search_fields = ["name", "slug", "wikidata_id"]
    # Explicit: an aggregate annotation drops Meta.ordering, and autocomplete paginates.
    ordering = ["name", "pk"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_count=Count("events", distinct=True))

    @admin.display(description="events", ordering="event_count")
    def event_count(self, obj) -> int:
        return obj.event_count

    @admin.display(description="Wikidata", ordering="wikidata_id")
    def wikidata_link(self, obj) -> str:
        if not obj.wikidata_id:
            return "—"
        return format_html(
            '<a href="https://www.wikidata.org/wiki/{}" rel="noopener">{}</a>',
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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event")

    @admin.display(description="anchored", boolean=True)
    def anchored(self, citation: Citation) -> bool:
        return citation.is_anchored


# The timeline app extends the sources admin (never the reverse): a source
# shows who cites it, and a changed text re-anchors those citations.
admin.site.unregister(Source)


@admin.register(Source)
class CitedSourceAdmin(SourceAdmin):
    inlines = [CitingEventInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "text" in form.changed_data:
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
