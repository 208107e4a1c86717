from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "vertebra.web"
    label = "web"

    def ready(self) -> None:
        from vertebra.fragments import connect_signals

        connect_signals()
