"""Browser pages where a person creates and revokes their personal API tokens."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from vertebra.accounts.models import User
from vertebra.api.forms import TokenForm
from vertebra.api.models import ApiToken
from vertebra.api.tokens import TokenInputError, create_token, revoke_token


def _page(
    request: HttpRequest, user: User, form: TokenForm, new_key: str | None = None
) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at", "-id")
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key},
        status=200 if form.is_bound is False or not form.errors else 400,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if request.method != "POST":
        return _page(request, user, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, user, form)
    try:
        token, key = create_token(user=user, name=form.cleaned_data["name"])
    except TokenInputError as exc:
        form.add_error("name", str(exc))
        return _page(request, user, form)
    messages.success(request, _("Token “%(name)s” created.") % {"name": token.name})
    # The key is shown in this response only; it is never stored or shown again.
    return _page(request, user, TokenForm(), new_key=key)


@login_required
@require_POST
def revoke(request: HttpRequest, token_id: uuid.UUID) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    token = revoke_token(user=user, token_id=token_id)
    if token is None:
        raise Http404(_("No such token."))
    messages.success(
        request, _("Token “%(name)s” is revoked; it no longer works.") % {"name": token.name}
    )
    return redirect("api-tokens:list")
