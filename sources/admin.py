"""Sources in the editors' workspace: the archived text and who cites it."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminURLFieldWidget
from django.core.exceptions import ValidationError
from django.db.models import Count

from sources.admin_mixins import EditorAdmin, VersionedModelForm, column
from sources.ingest import MAX_TEXT_BYTES, IngestError, decode_uploaded_file, html_to_text
from sources.models import Source
from sources.validators import http_url_validator


class SourceForm(VersionedModelForm):
    """The archived text, pasted (plain or HTML) or uploaded as a file."""

    text = forms.CharField(
        label="archived text",
        required=False,
        # Kept as pasted: stripping would change a stored text on every save.
        strip=False,
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100}),
        help_text=Source._meta.get_field("text").help_text,
    )
    text_is_html = forms.BooleanField(
        label="the pasted text is HTML",
        required=False,
        help_text="Keep only its readable text (paragraphs, no tags, scripts or menus' markup).",
    )
    upload = forms.FileField(
        label="or upload the article",
        required=False,
        help_text=(
            f"A .txt or .html file in UTF-8, at most {MAX_TEXT_BYTES // 1_000_000} MB. "
            "It replaces the archived text; HTML is reduced to its readable text."
        ),
    )

    class Meta:
        model = Source
        fields = "__all__"
        # "Currently:" links the stored address only if it is a web address
        # (the admin's default would link ftp: too).
        widgets = {"url": AdminURLFieldWidget(validator_class=lambda: http_url_validator)}

    def clean_text(self) -> str:
        # Browsers send a textarea's line breaks as CRLF; the stored text uses LF.
        return self.cleaned_data["text"].replace("\r\n", "\n")

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("upload")
        if upload and "text" in self.changed_data:
            raise ValidationError({"upload": "Either paste the text or upload a file, not both."})
        try:
            if upload:
                cleaned_data["text"] = decode_uploaded_file(upload)
            elif cleaned_data.get("text_is_html") and cleaned_data.get("text"):
                cleaned_data["text"] = html_to_text(cleaned_data["text"])
        except IngestError as exc:
            raise ValidationError({"upload" if upload else "text": str(exc)}) from exc
        return cleaned_data


@admin.register(Source)
class SourceAdmin(EditorAdmin):
    form = SourceForm
    list_display = ["title", "publisher", "published_on", "language", "has_text", "citations"]
    list_filter = ["language", "publisher"]
    search_fields = ["title", "publisher", "url", "slug"]
    # Explicit: an aggregate annotation drops Meta.ordering, and autocomplete paginates.
    ordering = ["title", "pk"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["text_sha256", "created_at", "updated_at"]
    date_hierarchy = "published_on"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "publisher",
                    "url",
                    ("published_on", "published_between"),
                    "language",
                ]
            },
        ),
        (
            "Archived text",
            {"fields": ["text", "text_is_html", "upload", "text_sha256", "retrieved_at"]},
        ),
        ("Editors", {"fields": ["notes", ("created_at", "updated_at")]}),
    ]

    has_text = column("has_text", "text", boolean=True)
    citations = column("citation_total", "citations", ordering="citation_total")

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(citation_total=Count("citations", distinct=True))
        )
