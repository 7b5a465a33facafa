"""The settings the test suite runs with: the service's own, plus a read replica.

``replica`` mirrors the primary (Django's TEST MIRROR: a second connection to
the same test database), so that the replica router is tested against a real
second connection. Routing to it is off unless a test turns it on
(``tests/test_replicas.py``): the rest of the suite runs inside transactions
that another connection cannot see.
"""

from config.settings import *  # noqa: F403
from config.settings import DATABASES

DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DATABASE_READ_REPLICAS: list[str] = []
