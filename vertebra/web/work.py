"""The person's "Your work" page, across their cities (``vertebra.work`` gathers it)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

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
