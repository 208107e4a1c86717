"""An invitation sent from a page, one way for every kind: a team member from the People page
(``web/team.py``) and a critical friend from an assessment's Reviews page (``web/reviews.py``).

The form's own checks run first, then the domain's ``invite``; what the domain refuses is
placed on the form's fields (the page shows the form again, 400). An invitation that was
written is emailed to its link, and the person is told whether the email left: the
invitation is kept either way, and can be sent again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest
from django.urls import reverse

from vertebra.forms import CheckedForm

Invited = TypeVar("Invited")


def invitation_link(request: HttpRequest, token: str) -> str:
    """The invitation page's full address for the token (the link in the email)."""
    return request.build_absolute_uri(reverse("invitation", args=[token]))


def tell_sent(request: HttpRequest, *, problem: str | None, sent: str) -> None:
    """Tell the person whether the invitation's email left: ``sent`` when it did, the mail's
    ``problem`` (which says the invitation is kept) when not."""
    if problem is None:
        messages.success(request, sent)
    else:
        messages.error(request, problem)


def invite_with_form(
    request: HttpRequest,
    form: CheckedForm,
    *,
    invite: Callable[[dict[str, Any]], tuple[Invited, str]],
    refused: type[Exception],
    problems: Callable[[Any], Mapping[str, str]],
    send: Callable[[HttpRequest, Invited, str], None],
) -> bool:
    """Invite with the form's fields: True when invited and emailed (the page redirects),
    False when the form or the domain refused (``form`` holds why, by field).

    ``invite`` calls the domain with the cleaned fields and returns what it invited with its
    token; a ``refused`` error it raises becomes the form's errors through ``problems``
    (field name, or another key for the whole form, to a message); ``send`` emails the
    invitation and tells the person (:func:`tell_sent`)."""
    if not form.is_valid():
        return False
    try:
        invited, token = invite(form.cleaned_data)
    except refused as error:
        form.add_errors(problems(error))
        return False
    send(request, invited, token)
    return True
