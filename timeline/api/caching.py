"""Anonymous JSON reads served from the cache as bytes, and answered 304 when unchanged.

Readers far outnumber editors, and they all see the same published data. The
response to a read that carries no credentials (no ``Authorization`` header,
no session cookie) is kept in Django's cache (Redis when ``REDIS_URL`` is
set, shared by every web node) under the content generation
(``timeline.generations``), the URL (scheme, host, path and query string)
and the ``Accept`` header. Every committed write moves the generation on, so
the next read after an edit is built afresh: exact invalidation, with no list
of keys to forget. Such a response's ETag names that key: sent back in
``If-None-Match``, it gets a 304 for the price of reading the generation.
``If-None-Match: *`` gets a 304 only where there is something to read: a
stored copy, or the view's 200; a missing resource stays a 404. The other
preconditions (If-Match, If-Modified-Since) go to the view, which compares
them with the same ETag (``request.read_etag``).

Why not Django's cache middleware: it keys by URL and lets a copy live for a
timeout, so an edit would show only once the copy expires, node by node.

A view marks what anyone may see (``response.public_read``; see
``EditableViewSet.finalize_response``, and the timelines' files in
``timeline.formats.views``); editors' reads and drafts are never marked, and
keep the version ETag that ``If-Match`` takes. The middleware
sits early, after the request id, security headers and CORS, so a cached
read skips the session, the URL routing, the view and DRF.
"""

import hashlib

from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers

from config.replicas import carries_credentials
from timeline import generations
from timeline.api.throttling import AnonRateThrottle

# Browsers revalidate every time (a 304 is cheap); shared caches and CDNs may
# serve a copy for a few seconds, and a stale one while they revalidate.
PUBLIC_CACHE_CONTROL = "public, max-age=0, s-maxage=10, stale-while-revalidate=30"
CACHE_SECONDS = 600
VARY = ("Accept", "Authorization", "Cookie")
# Headers of the moment, which a cached copy must not repeat.
UNSTORED_HEADERS = {"date", "x-request-id"}


def _serves_cached_reads(path: str) -> bool:
    """Whether the view at ``path`` may have its reads cached (an ``EditableViewSet``'s)."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return getattr(getattr(match.func, "cls", None), "cached_reads", False)


def _names(request, tag: str) -> bool:
    """Whether If-None-Match names ``tag``: weak comparison, as RFC 9110 asks for it."""
    header = request.headers.get("If-None-Match", "")
    return tag in {candidate.strip().removeprefix("W/") for candidate in header.split(",")}


def _any_copy(request) -> bool:
    """``If-None-Match: *``: a 304 if there is a copy at all. Only a stored copy or the view
    can say that there is one; a missing resource stays a 404."""
    return request.headers.get("If-None-Match", "").strip() == "*"


def _view_decides(request) -> bool:
    """Preconditions that only the view can answer: If-Match and If-Unmodified-Since come
    before If-None-Match (RFC 9110 13.2.2), and If-Modified-Since, when no If-None-Match
    overrides it, needs the Last-Modified that a timeline's files compute."""
    headers = request.headers
    return (
        "If-Match" in headers
        or "If-Unmodified-Since" in headers
        or ("If-Modified-Since" in headers and "If-None-Match" not in headers)
    )


class ReadCacheMiddleware:
    """Answers credential-free API reads from the cache; stores what views mark public."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (
            request.method in ("GET", "HEAD")
            and request.path.startswith("/api/")
            and not carries_credentials(request)
            and _serves_cached_reads(request.path_info)
        ):
            return self.get_response(request)
        try:
            generation = generations.current()
        except DatabaseError:
            return self.get_response(request)  # the view answers: a 503
        # The lists' counts are kept under the same generation (timeline.api.pagination).
        request.content_generation = generation
        digest = hashlib.sha256(
            "\n".join(
                (
                    request.scheme,
                    request.get_host(),
                    request.get_full_path(),
                    request.headers.get("Accept", ""),
                )
            ).encode()
        ).hexdigest()
        key, etag = f"timeline:read:{generation}:{digest[:24]}", f'"g{generation}-{digest[:16]}"'
        # A view that answers preconditions itself compares them with this ETag.
        request.read_etag = etag
        answer = None if _view_decides(request) else self._from_cache(request, key, etag)
        # Counted like any other request; over the rate, the view answers the 429.
        if answer is not None and AnonRateThrottle().allow_request(request, None):
            return self._public(answer, etag)
        response = self.get_response(request)
        if not getattr(response, "public_read", False):
            return response
        if response.status_code == 304:  # the view's own answer to a precondition
            return self._public(response, etag)
        if response.status_code == 200:
            self._public(response, etag)
            if not response.cookies and not response.streaming:
                headers = {
                    name: value
                    for name, value in response.items()
                    if name.lower() not in UNSTORED_HEADERS
                }
                cache.set(key, (headers, response.content), CACHE_SECONDS)
            if _any_copy(request):
                return self._public(HttpResponseNotModified(), etag)
        return response

    @staticmethod
    def _from_cache(request, key: str, etag: str):
        """A 304, or the stored copy, when the cache can answer without the view; else None."""
        if _names(request, etag):
            return HttpResponseNotModified()
        stored = cache.get(key)
        if stored is None:
            return None
        # A stored copy is a current one, which is all that "*" asks.
        if _any_copy(request):
            return HttpResponseNotModified()
        return HttpResponse(stored[1], headers=stored[0])

    @staticmethod
    def _public(response, etag: str):
        response["ETag"] = etag
        response["Cache-Control"] = PUBLIC_CACHE_CONTROL
        patch_vary_headers(response, VARY)
        return response
