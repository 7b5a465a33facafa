"""Validators shared by every model that stores a link or a language tag."""

import functools

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db.models import CheckConstraint, F, Q
from django.db.models.functions import Lower
from rfc3986_validator import validate_rfc3986

# Only web links: a javascript: or file: URL must never reach a reader.
http_url_validator = URLValidator(
    schemes=["http", "https"], message="Enter a web address starting with http:// or https://."
)


# A stored address is a URI (RFC 3986), as the API's schema says (format: uri), checked
# by the validator jsonschema itself uses for that format. Django's URLValidator also takes
# what a URI may not hold as it is (letters beyond ASCII, "|", "{", a stray "%").
URI_MESSAGE = (
    "Percent-encode what a web address may not hold as it is: spaces, letters beyond "
    "ASCII (“café” is “caf%C3%A9”; a host such as “bücher.de” is “xn--bcher-kva.de”), "
    'and " < > \\ ^ ` { | } [ ] (outside an IPv6 host), a second # or a % not '
    "followed by two hex digits."
)


def uri_validator(value: str) -> None:
    if not validate_rfc3986(value, rule="URI"):
        raise ValidationError(URI_MESSAGE, code="invalid_uri")


@functools.lru_cache(maxsize=4096)
def is_http_url(value: str) -> bool:
    """Whether a stored address may be linked: only what ``http_url_validator`` accepts.

    A row written around validation (a bulk update, a SQL fix) must not become a script link.
    """
    try:
        http_url_validator(value)
    except ValidationError:
        return False
    return True


# BCP 47 language tag, e.g. "en", "zh-Hans", "pt-BR" (RFC 5646 shape, not registry checked).
language_tag_validator = RegexValidator(
    r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-[A-Za-z0-9]{5,8}|-[0-9][A-Za-z0-9]{3})*\Z",
    message='Enter a BCP 47 language tag such as "en", "zh-Hans" or "pt-BR".',
)

wikidata_id_validator = RegexValidator(
    r"^Q[1-9][0-9]*\Z", message='Enter a Wikidata item id such as "Q148".'
)

wikidata_property_validator = RegexValidator(
    r"^P[1-9][0-9]*\Z", message='Enter a Wikidata property id such as "P2047".'
)

# Slugs are lowercase, so that two never differ only in case ("Trade-Truce" and
# "trade-truce" would be one address to a reader); a check constraint holds it in SQL.
lowercase_slug_validator = RegexValidator(
    r"^[-a-z0-9_]+\Z",
    message="Use lowercase letters, digits, hyphens and underscores only (slugs ignore case).",
)


def lowercase_slug(field: str = "slug"):
    """The database's side of ``lowercase_slug_validator``: no uppercase letter is stored."""
    return CheckConstraint(
        condition=Q(**{field: Lower(F(field))}),
        name="%(app_label)s_%(class)s_" + field + "_lowercase",
        violation_error_message="Slugs are lowercase: two slugs may not differ only in case.",
    )
