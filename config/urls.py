from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import errors, health

handler500 = "config.errors.server_error"

admin.site.site_header = "Timeline editors"
admin.site.site_title = "Timeline editors"
admin.site.index_title = "Curate events, citations and sources"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("timeline.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    re_path(r"^api/(?P<path>(?s:.*))$", errors.api_not_found),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("timeline.urls")),
]
