from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "vertebra.web"
    label = "web"
