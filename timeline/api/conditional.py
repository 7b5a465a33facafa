"""ETags and If-Match: no edit is written over one the client has not seen.

Every editable resource's ETag is its version (``"7"``). PUT, PATCH and
DELETE must send it back in ``If-Match``; the model's save then checks it
again in its UPDATE statement, so two clients that read the same version
cannot both write.
"""

import re

from rest_framework import status
from rest_framework.exceptions import APIException, ParseError

# RFC 9110 entity-tag: optional weakness indicator, then an opaque quoted string.
ENTITY_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*')


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "precondition_required"
    default_detail = (
        "Send the If-Match header with the ETag from your last read of this resource, "
        "so that you cannot overwrite a change you have not seen."
    )


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"

    def __init__(self, current_version: int):
        self.current_version = current_version
        super().__init__(
            f"Someone else changed this resource since you read it: it is now at version "
            f"{current_version} (ETag {etag(current_version)}). Nothing was written. Read it "
            f"again, reapply your change and send the new ETag in If-Match."
        )


class InvalidIfMatch(ParseError):
    default_code = "invalid_if_match"


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str) -> list[tuple[bool, str]]:
    """The (weak, opaque tag) pairs of an If-Match header; raises InvalidIfMatch."""
    tags = []
    position = 0
    while position < len(value):
        match = ENTITY_TAG.match(value, position)
        if match is None:
            raise InvalidIfMatch(
                f'If-Match must hold one or more ETags such as "7" (with the double quotes), '
                f"not {value!r}."
            )
        tags.append((bool(match.group(1)), match.group(2)))
        position = match.end()
        if position < len(value):
            if value[position] != ",":
                raise InvalidIfMatch(f"If-Match: separate ETags with commas, not {value!r}.")
            position += 1
    if not tags:
        raise InvalidIfMatch("If-Match is empty: send the ETag from your last read.")
    return tags


def expected_version(request, current_version: int) -> int:
    """The version the client's If-Match names, checked against the current one.

    Missing → 428; ``*`` → 428 (it would match any version, which is what
    If-Match is here to prevent); malformed → 400; no match → 412. Strong
    comparison, as RFC 9110 requires for If-Match: a weak ETag never matches.
    """
    value = request.headers.get("If-Match")
    if value is None:
        raise PreconditionRequired()
    if value.strip() == "*":
        raise PreconditionRequired(
            "If-Match: * would overwrite any version. Send the ETag from your last read."
        )
    for weak, tag in parse_if_match(value):
        if not weak and tag == str(current_version):
            return current_version
    raise PreconditionFailed(current_version)
