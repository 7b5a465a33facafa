"""Additions to the generated OpenAPI schema: every error an operation can answer, and
response objects declared whole (``for_generated_clients``).

The views document what is theirs alone. The errors every operation can
answer — from authentication, throttling, content negotiation, the
query-string limits, a lost database, a crash, and for a write the If-Match
check (412, 428) — are added here, to every operation they can reach, in the
one error shape (``Error``; a 500 is ``ServerError``, a 412
``PreconditionFailed``). Anonymous reads also document their conditional GET
(``If-None-Match``, 304).
"""

import re

ERROR = {"$ref": "#/components/schemas/Error"}

SERVER_ERROR = {
    "type": "object",
    "description": "A 500: no internals, only the id to quote when reporting it.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "enum": ["server_error"]},
        "request_id": {
            "type": "string",
            "description": "The request's id, also in the X-Request-ID header and the logs.",
        },
    },
    "required": ["detail", "code", "request_id"],
}

PRECONDITION_FAILED = {
    "type": "object",
    "description": "A 412: the resource moved on since the client read it.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "current_version": {
            "type": "integer",
            "description": "The version now stored; its ETag is sent in the ETag header.",
        },
    },
    "required": ["detail", "code", "current_version"],
}

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 0},
    }
}


def _error(description: str, schema: dict = ERROR, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


# Status → (response, the methods it applies to; None for every method).
ADDED = {
    "400": (
        _error(
            "Invalid input, named by field or query parameter in `errors`; or too many "
            "query parameters, or one longer than 500 characters."
        ),
        None,
    ),
    "401": (_error("The credentials sent are wrong or expired."), None),
    "403": (_error("Not allowed: an editor's permission or a CSRF token is missing."), None),
    "404": (_error("Not found, or not published."), None),
    "406": (_error("None of the formats in the Accept header can be served."), None),
    "409": (
        _error("Still referenced by other data, or a uniqueness race."),
        {"post", "put", "patch", "delete"},
    ),
    "413": (
        _error("The request body is larger than the documented limit."),
        {"post", "put", "patch"},
    ),
    "412": (
        _error(
            "If-Match names an old version: someone else changed it first. Nothing written.",
            schema={"$ref": "#/components/schemas/PreconditionFailed"},
        ),
        {"put", "patch", "delete"},
    ),
    "415": (_error("The request body's Content-Type is not JSON."), {"post", "put", "patch"}),
    "428": (
        _error("If-Match is missing (or `*`): send the ETag you read."),
        {"put", "patch", "delete"},
    ),
    "429": (
        _error("Too many requests (or failed logins) from this client.", headers=RETRY_AFTER),
        None,
    ),
    "500": (
        _error(
            "A server error; the body names the request id.",
            schema={"$ref": "#/components/schemas/ServerError"},
        ),
        None,
    ),
    "503": (
        _error("The database is unavailable; retry after the given delay.", headers=RETRY_AFTER),
        None,
    ),
}


# The reads that anonymous clients get from the cache (timeline.api.caching).
CACHED_READ = re.compile(
    r"^/api/v1/(timelines|events|sources|actors|places|tags|citations)/(\{[a-z_]+\}/)?$"
)
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": (
        "The ETag of the copy you hold (anonymous reads): 304 while it is current, "
        "without the body."
    ),
}
NOT_MODIFIED = {
    "description": "Your copy is current (If-None-Match matched its ETag); no body.",
    "headers": {
        "ETag": {"schema": {"type": "string"}, "description": "The same ETag."},
    },
}


def for_generated_clients(result, generator, request, public):
    """Make the schema usable by client generators (tests/test_generated_client.py).

    A body taken in several media types (a source: JSON or a form upload) is
    not marked required where the operation has no optional parameter:
    openapi-python-client 0.29 types such a body ``… | Unset`` and imports
    ``Unset`` only for an optional parameter, so its module could not be
    imported (its issue 1451). Sent without a body, the answer is a 400 all
    the same.

    Response objects stay open (no ``additionalProperties: false``): a field
    added to v1 must not break a client that validates strictly. The fuzz
    tests close them, to catch a field the views send and the schema forgot.
    """
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody", {})
            optional = [p for p in operation.get("parameters", []) if not p.get("required")]
            if len(body.get("content", {})) > 1 and not optional:
                body.pop("required", None)
    return result


def add_error_responses(result, generator, request, public):
    """Document the errors every operation can answer, where a view did not."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(ServerError=SERVER_ERROR, PreconditionFailed=PRECONDITION_FAILED)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, (response, methods) in ADDED.items():
                # Tokens have no versions: their writes take no If-Match.
                tokens = status in {"412", "428"} and path.startswith("/api/v1/auth/")
                if (methods is None or method in methods) and not tokens:
                    responses.setdefault(status, response)
            # A view's own 429 or 503 description still needs the header.
            for status in ("429", "503"):
                responses[status].setdefault("headers", RETRY_AFTER)
            if method == "get" and CACHED_READ.match(path):
                operation.setdefault("parameters", []).append(IF_NONE_MATCH)
                responses.setdefault("304", NOT_MODIFIED)
    return result
