"""How API requests prove who sends them: knox tokens, checked for shape first.

Its own module, free of views: DRF imports authentication classes while it
loads its views. Each token's last use is kept (``TokenUse``), to the minute.
"""

import logging
import re
from datetime import timedelta

from django.db import DatabaseError, router, transaction
from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth as knox_auth
from knox.models import AuthToken
from rest_framework import exceptions

from timeline.models import TokenUse

logger = logging.getLogger(__name__)

# Tokens (and their keys, the first characters) are hex, after an optional
# prefix of letters, digits, "_" or "-". Anything else is refused before the
# database sees it: PostgreSQL rejects a NUL in text with an error, not a miss.
TOKEN_PATTERN = re.compile(r"[0-9A-Za-z_-]{1,200}")

# A token's last use is written at most this often: a read must not cost a write.
LAST_USE_PRECISION = timedelta(seconds=60)


def record_token_use(token: AuthToken) -> None:
    """Keep when ``token`` was last used, unless that was less than a minute ago.

    Read and written on the primary, where writes go (config/replicas.py). A failed
    write is logged, never the request's failure: the use is a courtesy to the editor.
    """
    now = timezone.now()
    database = router.db_for_write(TokenUse)
    uses = TokenUse.objects.using(database).filter(token=token)
    try:
        last_used = uses.values_list("last_used_at", flat=True).first()
        if last_used is not None and now - last_used < LAST_USE_PRECISION:
            return
        with transaction.atomic(using=database):
            if last_used is None:
                # Two first uses at once: the later insert is the one ignored.
                TokenUse.objects.using(database).bulk_create(
                    [TokenUse(token=token, last_used_at=now)], ignore_conflicts=True
                )
            else:
                uses.filter(last_used_at__lt=now - LAST_USE_PRECISION).update(last_used_at=now)
    except DatabaseError as error:
        logger.warning("Could not record the use of token %s: %s", token.token_key, error)


class TokenAuthentication(knox_auth.TokenAuthentication):
    """knox's token check, refusing malformed tokens without a query, and noting the use."""

    def authenticate_credentials(self, token: bytes):
        if not TOKEN_PATTERN.fullmatch(token.decode("utf-8", errors="replace")):
            raise exceptions.AuthenticationFailed("Invalid token.")
        user, auth_token = super().authenticate_credentials(token)
        record_token_use(auth_token)
        return user, auth_token


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of these tokens: knox's own, for this subclass."""

    target_class = "timeline.api.authentication.TokenAuthentication"
