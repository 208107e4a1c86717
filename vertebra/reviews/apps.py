from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "vertebra.reviews"
    label = "reviews"
    verbose_name = "Reviews"
