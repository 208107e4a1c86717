from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "vertebra.reports"
    label = "reports"
