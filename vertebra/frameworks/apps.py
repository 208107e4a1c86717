from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "vertebra.frameworks"
    label = "frameworks"
    verbose_name = "Maturity models"
