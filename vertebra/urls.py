from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from vertebra import operations
from vertebra.web.language_views import choose_language

urlpatterns = [
    # Several servers: the checks a load balancer and monitoring ask (vertebra.operations).
    path("healthz", operations.healthz, name="healthz"),
    path("readyz", operations.readyz, name="readyz"),
    path("metrics", operations.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("vertebra.api.urls")),
    path("account/tokens/", include("vertebra.api.account_urls")),
    path("", include("vertebra.web.urls")),
    # Languages (docs/TRANSLATING.md): the switcher's form, and the scripts' messages.
    path("i18n/language/", choose_language, name="set_language"),
    path(
        "i18n/messages.js", JavaScriptCatalog.as_view(domain="djangojs"), name="javascript-catalog"
    ),
    # Single sign-on with OpenID Connect.
    path("", include("vertebra.web.sso_urls")),
]
