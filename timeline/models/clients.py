"""What the API keeps about its clients' requests, apart from the content.

``TokenUse``: when each API token was last used, shown in the token list so
that an editor can spot a token used where it should not be. knox's token
model has no such column, and replacing the model (``KNOX_TOKEN_MODEL``)
would mean migrating every token already issued.

``IdempotentResponse``: the answer to a POST sent with an ``Idempotency-Key``
header, stored in the transaction of the write it answers, so that a retry
after a lost answer gets that answer instead of writing again
(``timeline.api.idempotency``).
"""

from django.conf import settings
from django.db import models


class TokenUse(models.Model):
    token = models.OneToOneField(
        "knox.AuthToken", on_delete=models.CASCADE, primary_key=True, related_name="use"
    )
    last_used_at = models.DateTimeField("last used")

    class Meta:
        verbose_name = "token use"

    def __str__(self) -> str:
        return f"{self.token.token_key}… last used {self.last_used_at:%Y-%m-%d %H:%M}"


class IdempotentResponse(models.Model):
    # Whose key it is: a hash of the request's credentials (a token, a session).
    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    # A hash of the method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="timeline_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.status}"
