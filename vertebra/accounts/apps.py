from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vertebra.accounts"
    label = "accounts"
    verbose_name = "People"
