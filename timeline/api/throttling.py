"""Request rates per client, read from ``settings.TIMELINE_THROTTLE_RATES``.

DRF's own throttles read their rates from ``api_settings`` once, at import;
these read the setting each time a request makes them, so that tests can
change it. A rate of
``None`` turns that throttle off. Client addresses are DRF's (behind
``NUM_PROXIES``), which the login lockout uses too (``config.clients``).
"""

from django.conf import settings
from rest_framework import throttling


class SettingsRateMixin:
    def get_rate(self):
        return settings.TIMELINE_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    """Anonymous clients, by address.

    The read cache asks it too, with a plain Django request that has no user
    yet: it carries no credentials, so it is anonymous.
    """

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UserRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    """Signed-in users, by user; anonymous clients are left to the one above."""

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


class LoginRateThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Token requests that carry a password, by client address."""

    scope = "login"

    def get_cache_key(self, request, view):
        if request.method != "POST":
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
