"""Archived source documents that citations quote from."""

import hashlib

from django.core.exceptions import ValidationError
from django.db import models

from sources.validators import (
    http_url_validator,
    is_http_url,
    language_tag_validator,
    lowercase_slug,
    lowercase_slug_validator,
    uri_validator,
)
from sources.versioning import History, VersionedModel
from timeline.dates import edtf_date_validator


class Source(VersionedModel):
    """One archived document (an article, a statement) that events cite.

    The archived ``text`` is what quotes are anchored in; a source without text
    can still be cited, but its quotes cannot be checked.
    """

    slug = models.SlugField(
        "slug",
        max_length=100,
        unique=True,
        validators=[lowercase_slug_validator],
        help_text="Short, stable identifier used in links and filters, e.g. “busan-dw-2025-10-30”.",
    )
    title = models.CharField(
        "title",
        max_length=300,
        help_text="The headline as published; where there is none, a descriptive title.",
    )
    publisher = models.CharField(
        "publisher",
        max_length=200,
        blank=True,
        help_text="Who published it, as the source names itself. Leave blank if unknown.",
    )
    url = models.URLField(
        "URL",
        max_length=1000,
        blank=True,
        validators=[http_url_validator],
        help_text="Where the original was published (http or https only).",
    )
    published_on = models.DateField(
        "published on", null=True, blank=True, help_text="Publication date, if known."
    )
    published_between = models.CharField(
        "published between",
        max_length=50,
        blank=True,
        validators=[edtf_date_validator],
        help_text=(
            "When only a range is known, the publication date as an EDTF range, e.g. "
            "“2025-10-30/2025-11-02”; leave blank when the day is known. Dates in its quotes "
            "(“Thursday”, “last month”) are read against it."
        ),
    )
    language = models.CharField(
        "language",
        max_length=35,
        default="en",
        validators=[language_tag_validator],
        help_text="BCP 47 language tag of the text, e.g. “en” or “zh-Hans”.",
    )
    text = models.TextField(
        "archived text",
        blank=True,
        help_text=(
            "The full plain text as archived. Quotes are checked against it; "
            "changing it re-anchors every citation of this source."
        ),
    )
    text_sha256 = models.CharField(
        "text SHA-256",
        max_length=64,
        blank=True,
        editable=False,
        help_text="Fingerprint of the archived text, derived on save.",
    )
    retrieved_at = models.DateTimeField(
        "retrieved at", null=True, blank=True, help_text="When the text was archived."
    )
    notes = models.TextField("notes", blank=True, help_text="Editors' notes; not published.")
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    history = History()

    class Meta:
        ordering = ["title", "id"]
        verbose_name = "source"
        verbose_name_plural = "sources"
        constraints = [lowercase_slug()]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        errors = {}
        # An address the field's own validator refuses, it reports.
        if self.url and is_http_url(self.url):
            try:
                uri_validator(self.url)
            except ValidationError as exc:
                errors["url"] = exc.error_list
        if self.published_between and self.published_on:
            errors["published_between"] = "Give the publication day or a range, not both."
        if errors:
            raise ValidationError(errors)

    @property
    def publication(self):
        """What dates in its quotes are read against: the day, the range, or None."""
        return self.published_on or self.published_between or None

    def save(self, *args, **kwargs) -> None:
        # Derived field: the fingerprint always matches the stored text.
        self.text_sha256 = hashlib.sha256(self.text.encode()).hexdigest() if self.text else ""
        if kwargs.get("update_fields") is not None and "text" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "text_sha256"}
        super().save(*args, **kwargs)

    @property
    def has_text(self) -> bool:
        return bool(self.text)
