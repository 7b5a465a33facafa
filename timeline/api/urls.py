from rest_framework.routers import DefaultRouter

from timeline.api import views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.register("timelines", views.TimelineViewSet, basename="timeline")
router.register("events", views.EventViewSet, basename="event")
router.register("sources", views.SourceViewSet, basename="source")

urlpatterns = router.urls
