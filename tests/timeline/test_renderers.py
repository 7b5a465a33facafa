"""The orjson renderer writes exactly the bytes DRF's JSONRenderer writes.

Clients, the response cache and ETags all see these bytes: any difference
from DRF's output, however small, is a change of the API.
"""

import datetime
import decimal
import json

import pytest
from django.utils.translation import gettext_lazy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import renderers as drf_renderers
from rest_framework.exceptions import ErrorDetail

from timeline.api.renderers import JSONRenderer, RawJSON
from timeline.models import Event

INDENTED = "application/json; indent=4"


def drf(data, accepted_media_type=None) -> bytes:
    return drf_renderers.JSONRenderer().render(data, accepted_media_type)


def ours(data, accepted_media_type=None) -> bytes:
    return JSONRenderer().render(data, accepted_media_type)


def without_raw_json(data):
    """``data`` with each RawJSON replaced by what it holds, for DRF's renderer.

    DRF's encoder cannot write RawJSON. Reading it back with the standard
    library keeps every difference that counts: the response's bytes hold the
    kept JSON as orjson wrote it, DRF writes what json.loads makes of it.
    """
    if isinstance(data, RawJSON):
        return json.loads(data.content)
    if isinstance(data, dict):
        return {key: without_raw_json(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [without_raw_json(value) for value in data]
    return data


# --- Generated data -----------------------------------------------------------

# What JSON escapes, what DRF escapes for JavaScript, and what UTF-8 writes in four bytes.
AWKWARD_CHARACTERS = '\x00\x08\t\n\x0c\r\x1f\x7f"\\/\u2028\u2029\ufeff\U0001f600\U0010ffff'
# Any code point but a lone surrogate (those are tested on their own below),
# and often only awkward ones: drawn among all, they would be rare.
texts = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
    st.text(st.sampled_from(AWKWARD_CHARACTERS), min_size=1, max_size=8),
    st.text(
        st.one_of(st.sampled_from(AWKWARD_CHARACTERS), st.characters(exclude_categories=["Cs"])),
        min_size=1,
        max_size=20,
    ),
)
# Latitude and longitude: DecimalField(max_digits=8, decimal_places=5).
coordinates = st.one_of(
    st.sampled_from(
        [decimal.Decimal(text) for text in ("0.00001", "-0.00001", "0.0001", "-0", "0E-5")]
    ),
    st.integers(0, 5).flatmap(
        lambda places: st.decimals(
            min_value=decimal.Decimal("-999.99999"),
            max_value=decimal.Decimal("999.99999"),
            places=places,
            allow_nan=False,
            allow_infinity=False,
        )
    ),
)
utc_datetimes = st.datetimes(timezones=st.just(datetime.UTC))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    texts,
    coordinates,
    st.dates(),
    utc_datetimes,
    utc_datetimes.map(lambda value: value.replace(microsecond=0)),
    st.datetimes(),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=5).map(tuple),
        st.dictionaries(texts, children, max_size=5),
    ),
    max_leaves=40,
)


# The autouse cache-clearing fixture is function-scoped; rendering does not use it.
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(documents)
def test_generated_data_renders_as_drf_renders_it(data):
    assert ours(data) == drf(data)


# --- Explicit cases -----------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [2**64, -(2**63) - 1, 10**30, -(10**30)],
    ids=["2**64", "-2**63-1", "10**30", "-10**30"],
)
def test_integers_orjson_refuses_are_rendered_by_drf(value):
    data = {"n": value, "items": [value, decimal.Decimal("0.00001")]}

    assert ours(data) == drf(data)


def test_the_largest_integers_orjson_takes_are_still_drf_bytes():
    data = [2**63 - 1, -(2**63), 2**64 - 1]

    assert (
        ours(data)
        == drf(data)
        == b"[9223372036854775807,-9223372036854775808,18446744073709551615]"
    )


@pytest.mark.parametrize(
    "text", ["\ud800", "a\udfffb", "\ud83d\ude00"], ids=["high", "low", "split pair"]
)
def test_lone_surrogates_fail_as_they_fail_in_drf(text):
    # DRF's json.dumps keeps them; encoding its output to UTF-8 then fails.
    with pytest.raises(Exception) as refused_by_drf:
        drf({"title": text})

    with pytest.raises(refused_by_drf.type):
        ours({"title": text})


def test_line_and_paragraph_separators_are_escaped():
    data = {"a\u2028key": "one\u2028two\u2029three"}

    assert ours(data) == drf(data) == b'{"a\\u2028key":"one\\u2028two\\u2029three"}'


def test_separators_are_escaped_in_what_drfs_encoder_writes_for_orjson():
    from django.utils.functional import lazy

    data = {"nested": [{"lazy": lazy(lambda: "one\u2028two", str)()}]}

    assert ours(data) == drf(data) == b'{"nested":[{"lazy":"one\\u2028two"}]}'


def test_lazy_strings_and_error_details_render_as_in_drf():
    data = {"detail": gettext_lazy("Not found."), "code": ErrorDetail("gone", code="not_found")}

    assert ours(data) == drf(data) == b'{"detail":"Not found.","code":"gone"}'


# Outside the generated data: DRF's FloatField, JSONField and method fields give floats.
@pytest.mark.parametrize(
    "value",
    [0.1, 1e16, 1e-7, 1.5e-300, float("nan"), float("inf")],
    ids=["0.1", "1e16", "1e-7", "1.5e-300", "nan", "inf"],
)
def test_floats_render_as_in_drf(value):
    try:
        expected = drf([value])
    except ValueError:
        # DRF is strict: NaN and infinities are refused, not written.
        with pytest.raises(ValueError):
            ours([value])
    else:
        assert ours([value]) == expected


def test_indented_output_is_drfs():
    data = {
        "title": "Busan\u2028talks “truce” 😀",
        "latitude": decimal.Decimal("0.00001"),
        "at": datetime.datetime(2025, 10, 30, 1, 2, 3, 456, tzinfo=datetime.UTC),
        "on": datetime.date(2025, 10, 30),
        "items": (1, None, True),
    }

    rendered = ours(data, INDENTED)

    assert rendered == drf(data, INDENTED)
    assert rendered.startswith(b'{\n    "title"')


def test_raw_json_is_copied_verbatim_into_compact_output():
    # Spacing and 1e-5 as kept: nothing re-encodes it.
    kept = b'{"b": 1,  "a":[1e-5, "\\u00e9"]}'
    data = {"results": [RawJSON(kept), {"c": decimal.Decimal("0.00001")}]}

    assert ours(data) == b'{"results":[' + kept + b',{"c":1e-05}]}'


def test_raw_json_reads_back_in_indented_output():
    data = {"results": [RawJSON(b'{"b":1,"a":[1e-05,"\\u2028"]}')]}

    assert ours(data, INDENTED) == drf({"results": [{"b": 1, "a": [1e-05, "\u2028"]}]}, INDENTED)


def test_raw_json_reads_back_when_drf_renders_what_orjson_refuses():
    data = {"n": 2**70, "results": [RawJSON(b'{"a":1e-05}')]}

    assert ours(data) == drf({"n": 2**70, "results": [{"a": 1e-05}]})


def test_none_renders_as_nothing():
    assert ours(None) == drf(None) == b""
    assert ours(None, INDENTED) == b""


# --- Every read endpoint ------------------------------------------------------


@pytest.fixture
def built_every_time(settings):
    """No cache: each response is built by its view, so the test client gives its ``.data``."""
    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    settings.CACHES = {"default": dummy, "events": dummy}


READ_URLS = [
    "/api/v1/timelines/",
    "/api/v1/timelines/us-china-trade-2025/",
    "/api/v1/events/",
    "/api/v1/events/?page_size=3&page=2",
    "/api/v1/events/{event}/",
    "/api/v1/sources/",
    "/api/v1/citations/",
    "/api/v1/actors/",
    "/api/v1/places/",
    "/api/v1/tags/",
]


@pytest.mark.parametrize("url", READ_URLS)
def test_every_read_endpoint_answers_drfs_bytes(api_client, seeded, built_every_time, url):
    # The most cited event: the richest document.
    event = Event.objects.published().with_citation_counts().order_by("-citation_count", "pk")[0]

    response = api_client.get(url.format(event=event.slug))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == drf(without_raw_json(response.data))
