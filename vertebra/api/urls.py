"""``/api/v1/``: the API's endpoints, its OpenAPI document and its documentation page.

Addresses under the prefix that are no endpoint are answered as problem documents too
(vertebra.api.middleware turns every other error under ``/api/`` into one).
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, re_path

from vertebra.api.api import api
from vertebra.api.concurrency import conditional
from vertebra.api.errors import not_found_view


def _wrapped(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = conditional(pattern.callback)
    return patterns


_patterns, _app_name, _namespace = api.urls
urlpatterns = [
    re_path(r"", include((_wrapped(_patterns), _app_name), namespace=_namespace)),
    re_path(r"^.*$", not_found_view),
]
