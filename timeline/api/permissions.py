"""The API's default permission: anyone reads, editors with model permissions write."""

from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissionsOrAnonReadOnly


class ModelPermissionsOrAnonReadOnly(DjangoModelPermissionsOrAnonReadOnly):
    """DRF's rule, without building the view's queryset on every request.

    DRF calls ``get_queryset()`` only to learn the model, and then asks for no
    permission on a read: on a cached read, that queryset cost more than
    answering. Reads are allowed outright; writes are DRF's.
    """

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().has_permission(request, view)
