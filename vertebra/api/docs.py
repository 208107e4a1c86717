"""The API's documentation page (``/api/v1/docs``): Swagger UI served by Vertebra itself.

django-ninja's own page hands Swagger UI its settings in an inline ``<script>`` block; this
one puts them in a data attribute read by a static script (``api/docs.js``), so the page
keeps to the same Content-Security-Policy as every other. Swagger UI draws its icons as
``data:`` images, which this page alone may show.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from csp.constants import SELF
from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI


class Docs(Swagger):
    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = json.dumps({**self.settings, "url": self.get_openapi_url(api, kwargs)})

        @csp_update({"img-src": [SELF, "data:"]})
        def page(request: HttpRequest) -> HttpResponse:
            return render(request, self.template, {"api": api, "swagger_settings": settings})

        return cast(HttpResponse, page(request))
