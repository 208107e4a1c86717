"""``/api/v1/``: the API's endpoints, its OpenAPI document and its documentation page.

Addresses under the prefix that are no endpoint, and methods an endpoint does not accept,
are answered in the API's error shape too.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, re_path

from vertebra.api.api import api
from vertebra.api.errors import json_method_errors, not_found_view


def _wrapped(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = json_method_errors(pattern.callback)
    return patterns


_patterns, _app_name, _namespace = api.urls
urlpatterns = [
    re_path(r"", include((_wrapped(_patterns), _app_name), namespace=_namespace)),
    re_path(r"^.*$", not_found_view),
]
