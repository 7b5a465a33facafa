"""The public, server-rendered pages."""

from django.urls import path

from timeline import views

app_name = "pages"

urlpatterns = [
    path("", views.timeline_index, name="index"),
    path("timelines/<slug:slug>/", views.timeline_page, name="timeline"),
    path("events/<slug:slug>/", views.event_page, name="event"),
    # Browsers ask for /favicon.ico on every page that names no icon (the
    # admin, the API docs); answer with the site's icon, not a 404.
    path("favicon.ico", views.favicon, name="favicon"),
]
