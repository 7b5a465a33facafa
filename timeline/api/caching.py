"""Anonymous reads served from the cache, as bytes, and answered 304 when unchanged.

Readers far outnumber editors, and they all see the same published data. A
JSON response to an anonymous GET is kept in Django's cache (Redis when
``REDIS_URL`` is set, shared by every web node) under a key made of the
content generation (``timeline.generations``), the URL (scheme, host, path
and query string) and the ``Accept`` header. Every committed write moves the
generation on, so the next read after an edit builds afresh: exact
invalidation, with no list of keys to forget.

Such a response's ETag names that key. A client (or CDN) that sends it back
in ``If-None-Match`` gets a 304 for the price of reading the generation: no
query for the data, no serializer. Editors' requests (signed in, or asking
for drafts) are never cached, and keep the version ETag that ``If-Match``
takes.

Two halves share the work. The view decides what may be cached
(:func:`serve`: an anonymous JSON read of published data that answered 200)
and marks its response. :class:`ReadCacheMiddleware`, early in the
middleware, stores marked responses with the headers the inner middleware
added, and answers later requests that carry no credentials (no
``Authorization``, no session cookie) from the cache before anything else
runs: no session, no URL resolution, no view, no DRF. The outer middleware
(request id, security headers, CORS) still sees every response.
"""

import functools
import hashlib
from dataclasses import dataclass

from django.conf import settings
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
# Editors' views hold drafts: no shared cache may keep them.
PRIVATE_CACHE_CONTROL = "private, no-cache"
CACHE_SECONDS = 600
CACHED_MEDIA_TYPES = {"application/json"}
CACHED_PATH_PREFIX = "/api/"
VARY = ("Accept", "Authorization", "Cookie")
# Headers of the moment, which a cached copy must not repeat.
UNSTORED_HEADERS = {"date", "x-request-id"}


@functools.lru_cache(maxsize=4096)
def _serves_cached_reads(urlconf: str, path: str) -> bool:
    """Whether the view at ``path`` serve()s its reads (resolved once a path)."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return False
    return getattr(getattr(match.func, "cls", None), "cached_reads", False)


@dataclass(frozen=True)
class ReadKey:
    """Where a read's bytes are kept at one generation, and the ETag naming them."""

    generation: int
    cache_key: str
    etag: str

    @classmethod
    def of(cls, request, generation: int) -> "ReadKey":
        # The host and scheme are part of it: the bodies hold absolute URLs.
        digest = hashlib.sha256(
            "\n".join(
                (
                    request.scheme,
                    request.get_host(),
                    request.get_full_path(),
                    request.META.get("HTTP_ACCEPT", ""),
                )
            ).encode()
        ).hexdigest()
        return cls(
            generation,
            f"timeline:read:{generation}:{digest[:24]}",
            f'"g{generation}-{digest[:16]}"',
        )


def generation_of(request) -> int | None:
    """The content generation this public read is built at, if it is one."""
    read = getattr(getattr(request, "_request", request), "read_key", None)
    return None if read is None else read.generation


def cacheable(request) -> bool:
    """Whether this DRF request's answer may be stored in the cache, for anyone."""
    return (
        request.method in ("GET", "HEAD")
        and "HTTP_AUTHORIZATION" not in request.META
        and not request.user.is_authenticated
        and "include_drafts" not in request.query_params
        and request.accepted_media_type in CACHED_MEDIA_TYPES
    )


def _matches(request, tag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    # Weak comparison, as RFC 9110 asks for If-None-Match.
    return tag in {candidate.strip().removeprefix("W/") for candidate in header.split(",")}


def _finish(response, read: ReadKey):
    response["ETag"] = read.etag
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    patch_vary_headers(response, VARY)
    return response


def serve(view, request, build):
    """The response ``build()`` gives, marked for the cache when anyone may see it.

    ``build`` is the view's own handler. A request the middleware could not
    answer (one with a session cookie of nobody signed in) still gets its
    ETag and its 304 here.
    """
    if not cacheable(request):
        response = build()
        response.setdefault("Cache-Control", PRIVATE_CACHE_CONTROL)
        patch_vary_headers(response, VARY)
        return response
    # The generation is read before the data: a write committed in between
    # moves it on, so what is built here is never kept under a newer one.
    read = getattr(request._request, "read_key", None)
    if read is None:
        read = request._request.read_key = ReadKey.of(request, generations.current())
        if _matches(request, read.etag):
            return _finish(HttpResponseNotModified(), read)
    response = build()
    if response.status_code == 200:
        response.read_key = read
        _finish(response, read)
    return response


class ReadCacheMiddleware:
    """Answers credential-free reads from the cache; stores what views mark.

    Goes after the middleware whose headers every response needs (security,
    CORS) and before the rest, which a cached anonymous read does not need.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._may_answer(request):
            try:
                read = ReadKey.of(request, generations.current())
            except DatabaseError:
                read = None  # the view answers: a 503 while the database is away
            if read is not None:
                request.read_key = read
                answer = self._answer(request, read)
                if answer is not None:
                    return answer
        response = self.get_response(request)
        read = getattr(response, "read_key", None)
        if read is not None and not response.cookies and not response.streaming:
            cache.set(read.cache_key, self._stored(response), CACHE_SECONDS)
        return response

    def _may_answer(self, request) -> bool:
        if not (
            request.method in ("GET", "HEAD")
            and request.path.startswith(CACHED_PATH_PREFIX)
            and not carries_credentials(request)
        ):
            return False
        # Only views that serve() their reads are worth reading the generation for.
        return _serves_cached_reads(settings.ROOT_URLCONF, request.path_info)

    def _answer(self, request, read: ReadKey):
        """A 304 or the cached copy, or None to let the view build it."""
        if _matches(request, read.etag):
            response = HttpResponseNotModified()
        else:
            stored = cache.get(read.cache_key)
            if stored is None:
                return None
            headers, body = stored
            response = HttpResponse(body, headers=headers)
        # Counted like any other request; over the rate, the view answers the 429.
        if not AnonRateThrottle().allow_request(request, None):
            return None
        return _finish(response, read)

    @staticmethod
    def _stored(response) -> tuple[dict, bytes]:
        headers = {
            name: value for name, value in response.items() if name.lower() not in UNSTORED_HEADERS
        }
        return headers, response.content
