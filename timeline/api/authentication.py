"""How API requests prove who sends them: knox tokens, checked for shape first.

Its own module, free of views: DRF imports authentication classes while it
loads its views.
"""

import re

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth as knox_auth
from rest_framework import exceptions

# Tokens (and their keys, the first characters) are hex, after an optional
# prefix of letters, digits, "_" or "-". Anything else is refused before the
# database sees it: PostgreSQL rejects a NUL in text with an error, not a miss.
TOKEN_PATTERN = re.compile(r"[0-9A-Za-z_-]{1,200}")


class TokenAuthentication(knox_auth.TokenAuthentication):
    """knox's token check, refusing malformed tokens without a query."""

    def authenticate_credentials(self, token: bytes):
        if not TOKEN_PATTERN.fullmatch(token.decode("utf-8", errors="replace")):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(token)


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of these tokens: knox's own, for this subclass."""

    target_class = "timeline.api.authentication.TokenAuthentication"
