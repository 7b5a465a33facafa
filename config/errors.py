"""Error pages: JSON under /api/ (the API's one error shape), HTML elsewhere."""

from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from config.outages import current_exception_is_unavailable, unavailable_response


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
    # A connection lost, or a deadline passed, outside a view (in middleware): still a 503.
    if current_exception_is_unavailable():
        return unavailable_response(request)
    if _is_api(request):
        # The id, and nothing else of the failure: the log has the traceback.
        request_id = getattr(request, "id", None)
        body = {"detail": "A server error occurred.", "code": "server_error"}
        if request_id:
            body["detail"] += f" Quote request id {request_id} when reporting it."
            body["request_id"] = request_id
        return JsonResponse(body, status=500)
    return defaults.server_error(request)
