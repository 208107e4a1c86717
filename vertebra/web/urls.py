from django.contrib.auth import views as auth_views
from django.urls import include, path

from vertebra.web import views

city_patterns = [
    path("cities/<slug:city_slug>/", views.city_home, name="city"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include((city_patterns, "web"))),
]
