"""Tests for the Source model: web-only links, language tags and the text fingerprint."""

import hashlib

import pytest
from django.core.exceptions import ValidationError

from sources.models import Source
from tests.factories import SAMPLE_TEXT, SourceFactory


def new_source(**kwargs) -> Source:
    return Source(**{"title": "Trade talks resume", "slug": "trade-talks", **kwargs})


def validation_errors(instance) -> dict[str, list[str]]:
    """The full_clean() errors of an instance, by field; fails if it validates."""
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


@pytest.mark.django_db
def test_source_url_must_be_a_web_address():
    for url in [
        "javascript:alert(1)",
        "ftp://x",
        "ftp://files.example.org/report.txt",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "//news.example.org/report",
        "news.example.org/report",
    ]:
        errors = validation_errors(new_source(url=url))

        assert list(errors) == ["url"], url


@pytest.mark.django_db
def test_source_url_error_says_which_schemes_are_allowed():
    errors = validation_errors(new_source(url="ftp://files.example.org/report.txt"))

    assert "http:// or https://" in " ".join(errors["url"])


@pytest.mark.django_db
def test_source_url_http_https_or_blank_is_valid():
    for url in [
        "",
        "http://news.example.org",
        "https://news.example.org/2025/10/30/busan?ref=rss#top",
    ]:
        new_source(url=url).full_clean()


@pytest.mark.django_db
def test_source_language_accepts_bcp47_tags():
    for language in ["en", "zh-Hans", "pt-BR", "es-419", "de-CH-1901", "yue"]:
        new_source(language=language).full_clean()


@pytest.mark.django_db
def test_source_language_rejects_malformed_tags():
    for language in ["english", "en_US", "e", "zh-", "12", "en-", "en US", "zh-Hans-"]:
        errors = validation_errors(new_source(language=language))

        assert list(errors) == ["language"], language
        assert "BCP 47" in errors["language"][0], language


@pytest.mark.django_db
def test_source_language_with_a_trailing_newline_is_invalid():
    errors = validation_errors(new_source(language="en\n"))

    assert list(errors) == ["language"]


@pytest.mark.django_db
def test_source_language_is_required():
    assert "language" in validation_errors(new_source(language=""))


@pytest.mark.django_db
def test_source_without_text_is_valid():
    source = new_source(text="")

    source.full_clean()
    source.save()

    assert not source.has_text
    assert source.text_sha256 == ""


@pytest.mark.django_db
def test_source_save_derives_the_text_fingerprint():
    source = SourceFactory()

    source.refresh_from_db()
    assert source.has_text
    assert source.text_sha256 == hashlib.sha256(SAMPLE_TEXT.encode("utf-8")).hexdigest()


@pytest.mark.django_db
def test_source_save_updates_the_fingerprint_when_the_text_changes():
    source = SourceFactory()

    source.text = "A corrected text."
    source.save()

    source.refresh_from_db()
    assert source.text_sha256 == hashlib.sha256(b"A corrected text.").hexdigest()


@pytest.mark.django_db
def test_source_save_clears_the_fingerprint_when_the_text_is_emptied():
    source = SourceFactory()
    assert source.text_sha256

    source.text = ""
    source.save()

    source.refresh_from_db()
    assert source.text_sha256 == ""


@pytest.mark.django_db
def test_source_save_with_update_fields_text_also_saves_the_fingerprint():
    source = SourceFactory()

    source.text = ""
    source.save(update_fields=["text"])

    source.refresh_from_db()
    assert (source.text, source.text_sha256) == ("", "")


@pytest.mark.django_db
def test_source_slug_is_unique():
    SourceFactory(slug="busan-dw-2025-10-30")

    errors = validation_errors(new_source(slug="busan-dw-2025-10-30"))

    assert list(errors) == ["slug"]
