"""Django's PostgreSQL backend, with every bulk write sized under the parameter limit.

With server-side binding (config/settings.py) PostgreSQL takes at most 65,535
parameters a query, and Django 5.2 sizes no bulk write for it: one INSERT of
3,000 events (bench/generate.py, import_timeline) failed with an OperationalError.
Django's own SQLite and Oracle backends size theirs the same way, here.
"""

from django.db.backends.postgresql import base, operations

MAX_QUERY_PARAMETERS = 65_535


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields, objs):
        # At most two parameters a field a row: bulk_update's CASE takes an id and a value.
        return max(1, MAX_QUERY_PARAMETERS // (2 * max(len(fields), 1)))


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
