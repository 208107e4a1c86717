from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "vertebra.assessments"
    label = "assessments"
    verbose_name = "Assessments"
