"""``Idempotency-Key`` on the API's POSTs: a retry gets the first answer and writes nothing.

The IETF HTTPAPI draft "The Idempotency-Key HTTP Header Field", with Stripe's
semantics: the first request with a key runs; its answer, if it wrote (2xx),
is kept with the write, in the same transaction (``timeline.writes``), for
``KEY_TTL``. A retry with the same key, method, path and body gets that
answer again, marked ``Idempotent-Replayed: true``, and writes nothing; the
same key with another request is a 422. A request that failed (4xx, 5xx)
keeps nothing: it wrote nothing, so its retry simply runs.

Keys belong to the credentials that sent them (a token, a session), so one
client cannot replay another's answer. Two requests with one key at once:
the second waits for the first's transaction (the key's unique row), then
gets its answer. The token endpoint ignores the header: its answer holds a
secret that is never stored.

Why not a package: django-idempotency-key supports Django up to 4.2, and
drf-idempotency stores the answer in its own write (Redis, or a row saved
after the view), so a write committed just before the connection died is
run again on retry: the very case tests/timeline/test_idempotency.py pins.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from timeline.models import IdempotentResponse

HEADER = "Idempotency-Key"
KEY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# What a replayed answer carries of the first one's headers.
KEPT_HEADERS = ("Content-Type", "Location", "ETag", "Last-Modified", "Cache-Control")
# Paths whose POSTs ignore the header: their answers are never stored.
IGNORED_PATHS = ("/api/v1/auth/",)


def _invalid(message: str) -> JsonResponse:
    return JsonResponse(
        {"detail": f"Invalid input: {HEADER}.", "code": "invalid", "errors": {HEADER: [message]}},
        status=400,
    )


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


class Key:
    """A POST's key, claimed for the length of its transaction."""

    def __init__(self, request: HttpRequest, value: str):
        self.value = value
        credentials = request.META.get("HTTP_AUTHORIZATION") or request.COOKIES.get(
            settings.SESSION_COOKIE_NAME, ""
        )
        self.scope = _digest(credentials.encode())
        self.fingerprint = _digest(
            request.method.encode(),
            request.get_full_path().encode(),
            request.content_type.encode(),
            request.body,
        )
        self.row: IdempotentResponse | None = None

    @classmethod
    def of(cls, request: HttpRequest) -> "Key | HttpResponse | None":
        """The request's key; None when it has none (or it is ignored); a 400 when it is invalid."""
        raw = request.headers.get(HEADER)
        if raw is None or request.method != "POST" or not request.path.startswith("/api/"):
            return None
        if request.path.startswith(IGNORED_PATHS):
            return None
        value = raw.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]  # the draft's form, a structured-field string
        if not value:
            return _invalid("Send a non-empty key, such as a random UUID.")
        if len(value) > MAX_KEY_LENGTH:
            return _invalid(f"Ensure the key has at most {MAX_KEY_LENGTH} characters.")
        if not value.isascii() or not value.isprintable():
            return _invalid("Use printable ASCII characters only.")
        return cls(request, value)

    def claim(self) -> HttpResponse | None:
        """Take the key for this request; or the answer a retry gets instead of running."""
        expired = IdempotentResponse.objects.filter(created_at__lt=timezone.now() - KEY_TTL)
        expired.delete()
        try:
            with transaction.atomic():
                self.row = IdempotentResponse.objects.create(
                    scope=self.scope, key=self.value, fingerprint=self.fingerprint, status=0
                )
            return None
        except IntegrityError:
            # Kept by an earlier request (committed: an open one made us wait for it).
            first = IdempotentResponse.objects.get(scope=self.scope, key=self.value)
        if first.fingerprint != self.fingerprint:
            return JsonResponse(
                {
                    "detail": (
                        "This Idempotency-Key was sent with another request; "
                        "send a new key with a new request."
                    ),
                    "code": "idempotency_key_reused",
                    "errors": {HEADER: ["Already used with another method, path or body."]},
                },
                status=422,
            )
        replay = HttpResponse(bytes(first.body), status=first.status, headers=first.headers)
        replay["Idempotent-Replayed"] = "true"
        return replay

    def keep(self, request: HttpRequest, response: HttpResponse) -> None:
        """Keep a write's answer for the retries; forget the key of one that wrote nothing."""
        if not 200 <= response.status_code < 300 or response.streaming:
            self.row.delete()
            return
        user = getattr(request, "user", None)
        self.row.status = response.status_code
        self.row.headers = {name: response[name] for name in KEPT_HEADERS if name in response}
        self.row.body = response.content
        self.row.user = user if user is not None and user.is_authenticated else None
        self.row.save(update_fields=["status", "headers", "body", "user"])


PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "description": (
        "A key of your choosing, unique per request (a random UUID): a retry with the same "
        "key and body gets the first answer and writes nothing. Kept for 24 hours."
    ),
}
REUSED = {
    "description": "The Idempotency-Key was sent before with another method, path or body.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
REPLAYED = {
    "Idempotent-Replayed": {
        "schema": {"type": "string", "enum": ["true"]},
        "description": "Present when this is the kept answer to an earlier request.",
    }
}


def document_idempotency(result, generator, request, public):
    """drf-spectacular hook: the header, its 422 and its replay mark on every keyed POST."""
    for path, operations in result.get("paths", {}).items():
        operation = operations.get("post")
        if operation is None or path.startswith(IGNORED_PATHS):
            continue
        operation.setdefault("parameters", []).append(PARAMETER)
        responses = operation.setdefault("responses", {})
        responses.setdefault("422", REUSED)
        for status, response in responses.items():
            if status.startswith("2"):
                response.setdefault("headers", {}).update(REPLAYED)
    return result
