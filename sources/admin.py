"""Sources in the editors' workspace: the archived text and who cites it."""

from django.contrib import admin
from django.db.models import Count

from sources.models import Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "published_on", "language", "has_text", "citations"]
    list_filter = ["language", "publisher"]
    search_fields = ["title", "publisher", "url", "slug"]
    # Explicit: an aggregate annotation drops Meta.ordering, and autocomplete paginates.
    ordering = ["title", "pk"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["text_sha256", "created_at", "updated_at"]
    date_hierarchy = "published_on"
    fieldsets = [
        (None, {"fields": ["title", "slug", "publisher", "url", "published_on", "language"]}),
        ("Archived text", {"fields": ["text", "text_sha256", "retrieved_at"]}),
        ("Editors", {"fields": ["notes", ("created_at", "updated_at")]}),
    ]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(citation_total=Count("citations", distinct=True))
        )

    @admin.display(description="text", boolean=True)
    def has_text(self, source: Source) -> bool:
        return source.has_text

    @admin.display(description="citations", ordering="citation_total")
    def citations(self, source: Source) -> int:
        return source.citation_total
