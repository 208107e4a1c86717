"""The addresses of single sign-on (vertebra.web.sso); 404 when it is not configured."""

from django.urls import path

from vertebra.web import sso

urlpatterns = [
    path("sso/start/", sso.sso_start, name="sso_start"),
    path("sso/callback/", sso.sso_callback, name="sso_callback"),
]
