from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "vertebra.workshops"
    label = "workshops"
    verbose_name = "Workshops"
