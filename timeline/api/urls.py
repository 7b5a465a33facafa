from django.urls import path
from rest_framework.routers import DefaultRouter

from timeline.api import auth, views
from timeline.formats import views as format_views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.register("timelines", views.TimelineViewSet, basename="timeline")
router.register("events", views.EventViewSet, basename="event")
router.register("deleted-events", views.DeletedEventViewSet, basename="deleted-event")
router.register("citations", views.CitationViewSet, basename="citation")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("properties", views.PropertyViewSet, basename="property")
router.register("sources", views.SourceViewSet, basename="source")
router.register("actors", views.ActorViewSet, basename="actor")
router.register("places", views.PlaceViewSet, basename="place")
router.register("tags", views.TagViewSet, basename="tag")

urlpatterns = [
    path("auth/tokens/", auth.TokenListView.as_view(), name="token-list"),
    path("auth/tokens/<str:token_key>/", auth.TokenDetailView.as_view(), name="token-detail"),
    # A timeline in other formats: /timelines/{slug}/timelinejs/, timelinejs.csv,
    # calendar.ics, feed.atom.
    *format_views.urlpatterns,
    *router.urls,
]
