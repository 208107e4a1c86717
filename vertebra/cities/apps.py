from django.apps import AppConfig


class CitiesConfig(AppConfig):
    name = "vertebra.cities"
    label = "cities"
    verbose_name = "Cities"
