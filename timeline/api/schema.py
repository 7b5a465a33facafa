"""Additions to the generated OpenAPI schema."""

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


def add_server_error(result, generator, request, public):
    """Every operation can fail with a 500, answered in the one error shape."""
    result.setdefault("components", {}).setdefault("schemas", {})["ServerError"] = SERVER_ERROR
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            operation.setdefault("responses", {}).setdefault(
                "500",
                {
                    "description": "A server error; the body names the request id.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ServerError"}}
                    },
                },
            )
    return result
