from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vertebra.accounts.models import User
from vertebra.cities.scoping import cities_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    return render(request, "web/home.html", {"cities": cities_for(request.user)})
