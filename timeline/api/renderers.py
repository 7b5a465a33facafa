"""JSON written by orjson, byte for byte as DRF's JSONRenderer writes it.

``json.dumps`` took 5 ms of a 100-event page (290 KB); orjson takes a tenth
of that. The output must not change for clients, caches or ETags, so what
orjson writes differently is handed to DRF's own encoder or rewritten:

- dates and times go through DRF's encoder (its ``Z`` for UTC);
- a Decimal becomes the text ``json.dumps`` gives its float (orjson writes
  ``1e-5`` where Python writes ``1e-05``);
- U+2028 and U+2029 are escaped, as DRF does for JavaScript's sake;
- data holding a float is rendered by DRF: orjson writes ``1e-7`` and
  ``1e16`` where Python writes ``1e-07`` and ``1e+16``, and ``null`` for NaN,
  which DRF refuses. No field of ours gives a float, so the check is a walk
  over values that finds none;
- anything orjson refuses (an integer past 64 bits, a lone surrogate) is
  rendered by DRF itself.

:class:`RawJSON` holds JSON written earlier (an event kept in the cache, see
``timeline/api/rows.py``): it is copied into the output as it is.

Indented output (the browsable API, ``; indent=``) is DRF's as well.
``tests/timeline/test_renderers.py`` compares the two on every read endpoint
and on generated data.
"""

import datetime
import decimal
import uuid

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder


class RawJSON:
    """A value already written as JSON (by :func:`dumps`), copied into the output as it is."""

    __slots__ = ("content",)

    def __init__(self, content: bytes):
        self.content = content


OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)
LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))
_drf_default = JSONEncoder().default


def _default(value):
    if isinstance(value, RawJSON):
        return orjson.Fragment(value.content)
    if isinstance(value, decimal.Decimal):
        return orjson.Fragment(float.__repr__(float(value)))
    return _drf_default(value)


class _Encoder(JSONEncoder):
    """DRF's encoder, for the output DRF writes itself: it reads RawJSON back."""

    def default(self, obj):
        if isinstance(obj, RawJSON):
            return orjson.loads(obj.content)
        return super().default(obj)


# What orjson (or _default) writes without a line separator in it: no scan.
_PLAIN = (int, type(None), decimal.Decimal, datetime.date, datetime.time, uuid.UUID, RawJSON)


def inspect(data) -> tuple[bool, bool]:
    """Whether ``data`` holds a float, and whether its JSON may hold U+2028 or U+2029.

    A walk over the values (and keys), not into RawJSON, which dumps()
    wrote with its separators escaped. Scanning the output instead costs
    0.35 ms for a page of 100 events (280 KB); the walk, a few µs.
    """
    may_separate = False
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\u2028" in value or "\u2029" in value:
                may_separate = True
        elif isinstance(value, float):
            return True, may_separate
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, (list, tuple)):
            pending.extend(value)
        elif not isinstance(value, _PLAIN):
            may_separate = True  # written by DRF's encoder: look at the output
    return False, may_separate


def dumps(data) -> bytes:
    """``data`` as DRF's compact JSON, written by orjson where the bytes come out the same."""
    holds_float, may_separate = inspect(data)
    if not holds_float:
        try:
            content = orjson.dumps(data, default=_default, option=OPTIONS)
        except orjson.JSONEncodeError:
            pass
        else:
            if may_separate:
                for raw, escaped in LINE_SEPARATORS:
                    if raw in content:
                        content = content.replace(raw, escaped)
            return content
    return _DRF_RENDERER.render(data)


class _DRFRenderer(renderers.JSONRenderer):
    encoder_class = _Encoder


class JSONRenderer(_DRFRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if data is None or indent is not None or self.ensure_ascii or not self.compact:
            return super().render(data, accepted_media_type, renderer_context)
        return dumps(data)


_DRF_RENDERER = _DRFRenderer()
