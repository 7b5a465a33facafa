"""Each write request is one transaction: the write, the generation's move, the kept answer.

POST, PUT, PATCH and DELETE (the admin's and the API's) run in one
transaction that commits unless the answer is a 5xx. Within it, after the
view, the content generation moves (``timeline.generations``) and a POST's
answer is kept for its ``Idempotency-Key`` (``timeline.api.idempotency``):
both commit with the write or not at all. A client whose answer was lost
after the commit can therefore retry with its key and get it, and cached
reads never outlive the write.

Why not ``ATOMIC_REQUESTS``: it wraps the view alone, and these two are
written after the view has answered.
"""

from django.db import transaction

from timeline import generations
from timeline.api.idempotency import Key

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class WriteTransactionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        key = Key.of(request)
        if key is not None and not isinstance(key, Key):
            return key  # an invalid key: the 400
        with generations.in_one_transaction():
            if key is not None and (earlier := key.claim()) is not None:
                return earlier
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
            elif key is not None:
                key.keep(request, response)
        return response
