"""The editors' workspace."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from sources.admin import SourceAdmin
from sources.admin_mixins import EditorAdmin
from sources.models import Source
from sources.versioning import VersionConflict
from timeline import services
from timeline.history import event_revisions
from timeline.models import Actor, Citation, Event, Place, Tag, Timeline
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
class EventAdmin(EditorAdmin):
    object_history_template = "admin/timeline/event/object_history.html"
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

    def history_view(self, request, object_id, extra_context=None):
        revisions = event_revisions(int(object_id)) if object_id.isdigit() else []
        extra_context = {
            **(extra_context or {}),
            "citation_revisions": [r for r in revisions if r["object"] == "citation"],
        }
        return super().history_view(request, object_id, extra_context)

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

    # Deleted events, and restoring them

    def get_urls(self):
        # Ahead of the default routes, whose "<object_id>/" would take "deleted/".
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name="timeline_event_deleted",
            ),
            path(
                "deleted/<int:event_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="timeline_event_restore",
            ),
            *super().get_urls(),
        ]

    def deleted_view(self, request):
        """Events deleted and not restored since, newest first."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        request.current_app = self.admin_site.name
        # Count the citations deleted with each event in the same query.
        citations_deleted_with_it = (
            Citation.history.filter(
                event_id=OuterRef("id"),
                history_type="-",
                history_change_reason=DELETED_WITH_EVENT,
                history_date=OuterRef("history_date"),
            )
            .order_by()
            .values("event_id")
            .annotate(count=Count("history_id"))
            .values("count")
        )
        deleted = services.deleted_events().annotate(
            citation_count=Coalesce(
                Subquery(citations_deleted_with_it), 0, output_field=IntegerField()
            )
        )
        page = Paginator(deleted, 100).get_page(request.GET.get("p"))
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
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            event = services.event_restore(event_id=event_id, user=request.user)
        except services.NotRestorable as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(
                reverse(
                    f"{self.admin_site.name}:timeline_event_deleted",
                    current_app=self.admin_site.name,
                )
            )
        self.log_addition(request, event, "Restored after deletion.")
        self.message_user(
            request,
            f"Restored “{event.title}” as a draft with {event.citations.count()} citation(s).",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse(
                f"{self.admin_site.name}:timeline_event_change",
                args=[event.pk],
                current_app=self.admin_site.name,
            )
        )


@admin.register(Timeline)
class TimelineAdmin(EditorAdmin):
    list_display = ["title", "slug", "event_count", "published_at", "updated_at"]
    search_fields = ["title", "slug", "description"]
    ordering = ["title", "pk"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["events"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["publish", "unpublish"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_count=Count("events", distinct=True))

    @admin.display(description="events", ordering="event_count")
    def event_count(self, timeline: Timeline) -> int:
        return timeline.event_count

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
        for timeline in queryset:
            if timeline.is_published == published:
                continue
            try:
                services.timeline_set_published(
                    timeline=timeline, published=published, user=request.user
                )
            except VersionConflict:
                moved_on.append(timeline)
            else:
                changed += 1
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
