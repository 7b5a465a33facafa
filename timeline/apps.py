from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"

    def ready(self) -> None:
        from timeline import generations, signals  # noqa: F401  (connects the receivers)

        generations.connect()
