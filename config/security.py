"""The Content-Security-Policy, with one allowance for the tools' pages.

Scripts may come from this site only, everywhere: that is what stops an
injected ``<script>``. The public pages hold no inline style either. The
tools' pages (the admin's history views, Swagger UI and DRF's browsable API)
set inline styles that their authors ship, so under ``/admin/`` and ``/api/``
styles may also be inline; scripts stay as strict as elsewhere.
"""

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware

INLINE_STYLE_PREFIXES = ("/admin/", "/api/")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if parts.update is None and request.path.startswith(INLINE_STYLE_PREFIXES):
            parts.update = {"style-src": [UNSAFE_INLINE]}
        return parts
