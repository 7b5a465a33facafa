"""Who a request comes from, and what a client locked out of logging in sees.

Behind a load balancer every request arrives from the proxy's address; the
client's is in ``X-Forwarded-For``. Only the entries that the trusted proxies
appended count (``REST_FRAMEWORK["NUM_PROXIES"]``, set from
``DJANGO_NUM_PROXIES``): a client can put anything at the left of that header.
The throttles (DRF) and the login lockout (django-axes) both use this rule.
"""

import ipaddress
import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from rest_framework.throttling import BaseThrottle

LOCKED_OUT_DETAIL = "Too many failed logins; try again in {minutes} minutes."


def client_ip(request: HttpRequest) -> str:
    """DRF's rule (what its throttles count by), for django-axes too."""
    return BaseThrottle().get_ident(request) or request.META.get("REMOTE_ADDR", "")


def login_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The name a failed login counts against, for django-axes (``AXES_USERNAME_CALLABLE``).

    axes keys a username's count and an address's by a hash of the bare value: a username
    spelled as an address would count against that address, letting anyone lock it out.
    Such a name counts under a key no address has; any other is axes' own.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    username = credentials.get(field) if credentials else request.POST.get(field)
    try:
        ipaddress.ip_address(username)
    except ValueError:
        return username
    return f"username:{username}"


def _cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a login from a locked-out client: a 429.

    JSON in the API's one error shape under /api/, the admin's look elsewhere;
    both say when to retry.
    """
    seconds = _cooloff_seconds()
    detail = LOCKED_OUT_DETAIL.format(minutes=math.ceil(seconds / 60))
    if request.path.startswith("/api/"):
        locked = JsonResponse({"detail": detail, "code": "locked_out"}, status=429)
    else:
        locked = TemplateResponse(
            request,
            "registration/locked_out.html",
            {
                "title": "Too many failed logins",
                "detail": detail,
                "site_header": "Timeline editors",
            },
            status=429,
        )
        locked.render()
    locked["Retry-After"] = str(seconds)
    locked["Cache-Control"] = "no-store"
    return locked
