from django.urls import path

from vertebra.web import public, sharing

# Benchmarking and the public page (vertebra/web/sharing.py, vertebra/web/public.py).
city = "cities/<slug:city_slug>/"
urlpatterns = [
    path(f"{city}sharing/", sharing.sharing, name="sharing"),
    path(f"{city}sharing/benchmark/join/", sharing.opt_in, name="benchmark_opt_in"),
    path(f"{city}sharing/benchmark/leave/", sharing.opt_out, name="benchmark_opt_out"),
    path(
        f"{city}sharing/assessments/<uuid:assessment_uuid>/publish/",
        sharing.publish,
        name="publish",
    ),
    path(
        f"{city}sharing/assessments/<uuid:assessment_uuid>/unpublish/",
        sharing.unpublish,
        name="unpublish",
    ),
    path(f"{city}benchmark/", sharing.benchmark_page, name="benchmark"),
]

# No sign-in: a city's public page while it publishes an assessment.
public_patterns = [
    path("public/<slug:city_slug>/", public.public_page, name="public"),
    path("public/<slug:city_slug>/data.json", public.public_json, name="public_json"),
    path("public/<slug:city_slug>/data.csv", public.public_csv, name="public_csv"),
    path("public/<slug:city_slug>/badge.svg", public.public_badge, name="public_badge"),
]
