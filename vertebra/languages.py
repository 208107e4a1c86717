"""A signed-in person's language (``User.language``) for every page they open.

Django's ``LocaleMiddleware`` chooses the browser's language before anyone is known; this
middleware, right after authentication, switches to the person's own when they chose one in
"Your account" (an empty value keeps the browser's)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _


def available_language(code: str) -> str:
    """``code`` when it is one of ``settings.LANGUAGES``, else "" (the browser's)."""
    return code if code in dict(settings.LANGUAGES) else ""


class LanguageNotOffered(ValueError):
    """A language asked for (a report's ``--lang`` or ``?lang=``) that is not offered."""


def chosen_language(code: str) -> str:
    """``code`` when it is offered (``settings.LANGUAGES``); else LanguageNotOffered, whose
    message names it and the languages there are. A report is made in the chosen one."""
    if available_language(code):
        return code
    offered = ", ".join(dict(settings.LANGUAGES))
    raise LanguageNotOffered(
        _("“%(code)s” is not one of this instance's languages: %(offered)s.")
        % {"code": code, "offered": offered}
    )


class PersonLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = available_language(getattr(user, "language", ""))
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
