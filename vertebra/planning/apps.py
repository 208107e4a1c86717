from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "vertebra.planning"
    label = "planning"
    verbose_name = "Planning"
