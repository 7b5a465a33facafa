"""Error pages: JSON under /api/ (the API's one error shape), HTML elsewhere."""

from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


@csrf_exempt
def api_not_found(request, path=""):
    """Catch-all under /api/, so even DEBUG's technical 404 page never answers there.

    CSRF-exempt: it changes nothing, and a POST to a mistyped path must get
    this JSON 404, not the CSRF middleware's HTML 403.
    """
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)


def server_error(request):
    if _is_api(request):
        return JsonResponse(
            {"detail": "A server error occurred.", "code": "server_error"}, status=500
        )
    return defaults.server_error(request)
