"""The person's "Your work" page (``vertebra.work`` gathers it) and the city's people to
mention or name responsible, suggested as one types."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vertebra import access
from vertebra.web.scope import user_of
from vertebra.work import DUE_SOON_DAYS, RECENT_DAYS, work_of


@login_required
@require_GET
def your_work(request: HttpRequest) -> HttpResponse:
    work = work_of(user_of(request))
    return render(
        request,
        "web/work.html",
        {"work": work, "due_soon_days": DUE_SOON_DAYS, "recent_days": RECENT_DAYS},
    )


# The most people one suggestion lists, and the longest text it looks for.
SUGGESTIONS = 8
MAX_QUERY = 100


@login_required
@require_GET
def people(request: HttpRequest, city_slug: str) -> JsonResponse:
    """The city's members whose name or email starts with ``q`` (or has a word that does):
    the suggestions of the comment box (``@``) and of an objective's Responsible field.

    Members of the city only (404 for anyone else); each with the ``handle`` to write after
    ``@``: their name, or their email when they have none or share it with another member."""
    membership = access.membership_in(user_of(request), city_slug)
    query = " ".join(request.GET.get("q", "")[:MAX_QUERY].split()).lower()
    members = [m.user for m in access.members_of(membership)]
    names = Counter(" ".join(u.name.split()).lower() for u in members if u.name.strip())
    found = []
    for user in sorted(members, key=lambda u: (u.display_name.lower(), u.email)):
        name = " ".join(user.name.split())
        words = [name.lower(), *name.lower().split(), user.email]
        if query and not any(word.startswith(query) for word in words):
            continue
        unique = bool(name) and names[name.lower()] == 1
        found.append({"name": name, "email": user.email, "handle": name if unique else user.email})
        if len(found) == SUGGESTIONS:
            break
    response = JsonResponse({"people": found})
    response["Cache-Control"] = "private, no-store"
    return response
