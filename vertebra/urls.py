from django.contrib import admin
from django.urls import include, path

from vertebra import operations

urlpatterns = [
    # Several servers: the checks a load balancer and monitoring ask (vertebra.operations).
    path("healthz", operations.healthz, name="healthz"),
    path("readyz", operations.readyz, name="readyz"),
    path("metrics", operations.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("vertebra.api.urls")),
    path("account/tokens/", include("vertebra.api.account_urls")),
    path("", include("vertebra.web.urls")),
    # Single sign-on with OpenID Connect.
    path("", include("vertebra.web.sso_urls")),
]
