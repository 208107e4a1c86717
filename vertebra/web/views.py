from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vertebra.accounts.models import User
from vertebra.cities.scoping import cities_for, membership_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    return render(request, "web/home.html", {"cities": cities_for(request.user)})


@login_required
def city_home(request: HttpRequest, city_slug: str) -> HttpResponse:
    assert isinstance(request.user, User)
    membership = membership_for(user=request.user, city_slug=city_slug)
    return render(request, "web/city.html", {"membership": membership, "city": membership.city})
