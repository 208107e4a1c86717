from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("vertebra.api.urls")),
    path("account/tokens/", include("vertebra.api.account_urls")),
    path("", include("vertebra.web.urls")),
    # Single sign-on with OpenID Connect.
    path("", include("vertebra.web.sso_urls")),
]
