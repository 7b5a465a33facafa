"""Anonymous reads served from the cache, as bytes, and answered 304 when unchanged.

Readers far outnumber editors, and they all see the same published data. A
JSON response to an anonymous GET is kept in Django's cache (Redis when
``REDIS_URL`` is set, shared by every web node) under a key made of the
content generation (``timeline.generations``), the full path with its query
string, and the media type. Every committed write moves the generation on,
so the next read after an edit builds afresh: exact invalidation, with no
list of keys to forget.

Such a response's ETag names that key. A client (or CDN) that sends it back
in ``If-None-Match`` gets a 304 for the price of reading the generation: no
query for the data, no serializer. Editors' requests (signed in, or asking
for drafts) are never cached, and keep the version ETag that ``If-Match``
takes.
"""

import hashlib

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers

from timeline import generations

# Browsers revalidate every time (a 304 is cheap); shared caches and CDNs may
# serve a copy for a few seconds, and a stale one while they revalidate.
PUBLIC_CACHE_CONTROL = "public, max-age=0, s-maxage=10, stale-while-revalidate=30"
# Editors' views hold drafts: no shared cache may keep them.
PRIVATE_CACHE_CONTROL = "private, no-cache"
CACHE_SECONDS = 600
CACHED_MEDIA_TYPES = {"application/json"}
VARY = ("Accept", "Authorization", "Cookie")


def cacheable(request) -> bool:
    """Whether this DRF request may be answered from (and stored in) the cache."""
    return (
        request.method in ("GET", "HEAD")
        and "HTTP_AUTHORIZATION" not in request.META
        and not request.user.is_authenticated
        and "include_drafts" not in request.query_params
        and request.accepted_media_type in CACHED_MEDIA_TYPES
    )


def _key_and_etag(request, generation: int) -> tuple[str, str]:
    """The cache key of this read at this generation, and the ETag naming it."""
    digest = hashlib.sha256(
        f"{request.get_full_path()}\n{request.accepted_media_type}".encode()
    ).hexdigest()
    return f"timeline:read:{generation}:{digest[:24]}", f'"g{generation}-{digest[:16]}"'


def _matches(request, tag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    if header.strip() == "*":
        return True
    # Weak comparison, as RFC 9110 asks for If-None-Match.
    return tag in {candidate.strip().removeprefix("W/") for candidate in header.split(",")}


def _finish(response, tag: str):
    response["ETag"] = tag
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    patch_vary_headers(response, VARY)
    return response


def serve(view, request, build):
    """The response ``build()`` would give, from the cache when it may be.

    ``build`` is the view's own handler; what it returns is rendered here,
    so that the bytes kept are exactly the bytes a reader would get.
    """
    if not cacheable(request):
        response = build()
        response.setdefault("Cache-Control", PRIVATE_CACHE_CONTROL)
        patch_vary_headers(response, VARY)
        return response
    key, tag = _key_and_etag(request, generations.current())
    if _matches(request, tag):
        return _finish(HttpResponseNotModified(), tag)
    stored = cache.get(key)
    if stored is None:
        response = view.finalize_response(request, build())
        if response.status_code != 200:
            return response
        response.render()
        stored = (response["Content-Type"], response.content)
        cache.set(key, stored, CACHE_SECONDS)
    content_type, body = stored
    return _finish(HttpResponse(body, content_type=content_type), tag)
