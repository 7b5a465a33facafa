"""The Content-Security-Policy, with one allowance for the tools' pages.

Scripts may come from this site only, everywhere: that is what stops an
injected ``<script>``. The public pages hold no inline style either. The
tools' pages (the admin's history views, Swagger UI and DRF's browsable API)
set inline styles that their authors ship, so under ``/admin/`` and ``/api/``
styles may also be inline; scripts stay as strict as elsewhere.

Why not django-csp's ``CSPMiddleware``: it builds the same header again for
every response, 0.46 of the 4.4 million instructions of an event read with
every cache off (callgrind, ``bench/README.md``). The policy here has no
nonce, no report-only twin and no per-view change, so its two headers are
built once, by django-csp's ``build_policy`` from ``CONTENT_SECURITY_POLICY``.
"""

from csp.constants import HEADER, UNSAFE_INLINE
from csp.utils import build_policy

INLINE_STYLE_PREFIXES = ("/admin/", "/api/")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = build_policy()
        self.tools_policy = build_policy(update={"style-src": [UNSAFE_INLINE]})

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response:
            tools = request.path.startswith(INLINE_STYLE_PREFIXES)
            response[HEADER] = self.tools_policy if tools else self.policy
        return response
