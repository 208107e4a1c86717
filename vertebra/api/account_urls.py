"""``/account/tokens/``: personal API tokens in the browser."""

from django.urls import path

from vertebra.api import views

app_name = "api-tokens"

urlpatterns = [
    path("", views.tokens, name="list"),
    path("<uuid:token_id>/revoke/", views.revoke, name="revoke"),
]
