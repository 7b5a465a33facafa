"""The public, server-rendered pages."""

from django.urls import path

from timeline import views

app_name = "pages"

urlpatterns = [
    path("", views.timeline_index, name="index"),
    path("timelines/<slug:slug>/", views.timeline_page, name="timeline"),
    path("events/<slug:slug>/", views.event_page, name="event"),
]
