from django.urls import path

from vertebra.web import reports as views

app_name = "reports"

assessment = "cities/<slug:city_slug>/assessments/<uuid:assessment_uuid>/"

urlpatterns = [
    path(f"{assessment}report.<str:fmt>", views.download, name="download"),
    path(f"{assessment}import/", views.import_view, name="import"),
    path("cities/<slug:city_slug>/compare/", views.compare_view, name="compare"),
]
