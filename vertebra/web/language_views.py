"""The language switcher on every page: a plain form posting here (no script needed).

Django's ``set_language`` keeps the choice in a cookie for everyone; a signed-in person's
choice is also kept on their account (``User.language``), so their pages and emails follow it
on every device. A code that is not one of ``settings.LANGUAGES`` is refused with a message,
and nothing is kept."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from vertebra.accounts.profile import language_problems
from vertebra.accounts.profile import set_language as keep_language
from vertebra.web.scope import user_of


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    problems = language_problems(language) if language else [_("Choose a language.")]
    if problems:
        return HttpResponseBadRequest(" ".join(problems), content_type="text/plain; charset=utf-8")
    if request.user.is_authenticated:
        keep_language(user=user_of(request), language=language)
    return set_language(request)
