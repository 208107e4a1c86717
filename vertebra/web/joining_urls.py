from django.urls import path

from vertebra.web import joining

# The participant's pages (vertebra/web/joining.py): no account, a credential in the session.
urlpatterns = [
    path("join/", joining.enter_code, name="join"),
    path("join/<str:code>/", joining.join_workshop, name="join_workshop"),
    path("join/<str:code>/policies/<str:policy>/", joining.rate_policy, name="join_policy"),
    path(
        "join/<str:code>/objectives/<str:objective>/",
        joining.rate_objective,
        name="join_rate",
    ),
]
