from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "vertebra.api"
    label = "api"
