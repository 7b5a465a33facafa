"""Sources in the editors' workspace: the archived text and who cites it."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminURLFieldWidget
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.text import slugify

from sources.admin_mixins import EditorAdmin, VersionedModelForm, column
from sources.ingest import MAX_TEXT_BYTES, IngestError, read_html, read_uploaded_file
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
        help_text=(
            "Keep only its readable text: a whole web page is reduced to its article (no "
            "menus, asides, banners or footers). An empty title, publisher or publication "
            "date is taken from the page."
        ),
    )
    upload = forms.FileField(
        label="or upload the article",
        required=False,
        help_text=(
            f"A .txt or .html file in UTF-8, at most {MAX_TEXT_BYTES // 1_000_000} MB. "
            "It replaces the archived text; a web page is reduced to its article, and an "
            "empty title, publisher or publication date is taken from it."
        ),
    )

    class Meta:
        model = Source
        fields = "__all__"
        # "Currently:" links the stored address only if it is a web address
        # (the admin's default would link ftp: too).
        widgets = {"url": AdminURLFieldWidget(validator_class=lambda: http_url_validator)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, they may come from a pasted or uploaded page (the model still requires
        # them): the browser must let the form through without them.
        for name in ("title", "slug"):
            if name in self.fields:
                self.fields[name].required = False
        self.filled_from_page: dict[str, str] = {}
        """Fields the editor left empty and the page filled in, as shown to the editor."""

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
                article = read_uploaded_file(upload)
            elif cleaned_data.get("text_is_html") and cleaned_data.get("text"):
                article = read_html(cleaned_data["text"])
            else:
                article = None
        except IngestError as exc:
            raise ValidationError({"upload" if upload else "text": str(exc)}) from exc
        if article:
            cleaned_data["text"] = article.text
            self._fill_from_page(cleaned_data, article.metadata)
        # Not required in the form, so the model's validation skips them when empty.
        for name in ("title", "slug"):
            if name in cleaned_data and not cleaned_data[name]:
                self.add_error(name, self.fields[name].error_messages["required"])
        return cleaned_data

    def _fill_from_page(self, cleaned_data: dict, metadata: dict[str, str]) -> None:
        """Fill what the editor left empty with what the page says; never what they typed.

        A field missing from ``cleaned_data`` holds an invalid value the editor typed.
        """

        def is_empty(name: str) -> bool:
            return name in cleaned_data and not cleaned_data[name]

        if is_empty("title") and metadata.get("title"):
            cleaned_data["title"] = metadata["title"][: self.fields["title"].max_length]
            self.filled_from_page["title"] = f"title “{cleaned_data['title']}”"
            if is_empty("slug"):
                slug = slugify(cleaned_data["title"])[: self.fields["slug"].max_length]
                cleaned_data["slug"] = slug.strip("-")
                self.filled_from_page["slug"] = f"slug “{cleaned_data['slug']}”"
        if is_empty("publisher") and metadata.get("publisher"):
            cleaned_data["publisher"] = metadata["publisher"][: self.fields["publisher"].max_length]
            self.filled_from_page["publisher"] = f"publisher “{cleaned_data['publisher']}”"
        # A range the editor gave stands for an unknown day: the page's day would contradict it.
        if (
            is_empty("published_on")
            and not cleaned_data.get("published_between")
            and metadata.get("published_on")
        ):
            cleaned_data["published_on"] = datetime.date.fromisoformat(metadata["published_on"])
            self.filled_from_page["published_on"] = f"published on {metadata['published_on']}"


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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.filled_from_page:
            filled = ", ".join(form.filled_from_page.values())
            self.message_user(
                request, f"Filled from the page: {filled} — check them.", messages.WARNING
            )

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(citation_total=Count("citations", distinct=True))
        )
