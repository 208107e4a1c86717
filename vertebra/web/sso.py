"""Single sign-on pages: off to the city's identity provider, and back (vertebra.sso).

Both addresses are 404 when single sign-on is not configured. What the provider says about
the person is checked in :mod:`vertebra.sso`; whether they may come in is the cities app's
rule (:func:`vertebra.cities.sign_on.person_for_sign_on`).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vertebra import sso
from vertebra.cities.sign_on import person_for_sign_on

log = logging.getLogger(__name__)
NEXT_KEY = "vertebra_sso_next"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _configured() -> sso.OIDCConfig:
    config = sso.configuration()
    if config is None:
        raise Http404(_("Single sign-on is not configured."))
    return config


def _unavailable(request: HttpRequest, error: sso.ProviderUnavailable) -> HttpResponse:
    log.warning("single sign-on: the identity provider is unavailable: %s", error)
    response = render(
        request, "web/sso_unavailable.html", {"button": _configured().button}, status=503
    )
    response["Retry-After"] = "60"
    return response


@require_GET
def sso_start(request: HttpRequest) -> HttpResponse:
    _configured()
    after = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        after, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[NEXT_KEY] = after
    else:
        request.session.pop(NEXT_KEY, None)
    try:
        return sso.start(request, redirect_uri=request.build_absolute_uri(reverse("sso_callback")))
    except sso.ProviderUnavailable as error:
        return _unavailable(request, error)


@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    config = _configured()
    try:
        claims = sso.finish(request)
    except sso.ProviderUnavailable as error:
        return _unavailable(request, error)
    except sso.SignInFailed as error:
        return render(
            request,
            "web/sso_failed.html",
            {"reason": str(error), "button": config.button},
            status=400,
        )
    user = person_for_sign_on(claims=claims)
    if user is None:
        return render(request, "web/sso_ask_admin.html", status=403)
    after = request.session.pop(NEXT_KEY, "") or settings.LOGIN_REDIRECT_URL
    login(request, user, backend=BACKEND)
    return redirect(after)
