"""URLs of the planning pages (namespace "planning")."""

from django.urls import include, path

from vertebra.web import planning as views

app_name = "planning"

plan_patterns = [
    path("", views.plan, name="plan"),
    path("targets/", views.targets, name="targets"),
    path("propose/", views.propose, name="propose"),
    path("actions/", views.actions, name="actions"),
    path("actions/new/", views.action_new, name="action_new"),
    path("roadmap/", views.roadmap, name="roadmap"),
    path("totals/", views.totals, name="totals"),
]

action_patterns = [
    path("", views.action_detail, name="action"),
    path("edit/", views.action_edit, name="action_edit"),
    path("delete/", views.action_delete, name="action_delete"),
    path("merge/", views.action_merge, name="action_merge"),
    path("notes/", views.action_note, name="action_note"),
    path("finish/", views.action_finish, name="action_finish"),
    path("confirm/", views.action_confirm, name="action_confirm"),
]

urlpatterns = [
    path(
        "cities/<slug:city_slug>/assessments/<uuid:assessment_uuid>/plan/",
        include(plan_patterns),
    ),
    path("cities/<slug:city_slug>/actions/<uuid:action_uuid>/", include(action_patterns)),
    path(
        "cities/<slug:city_slug>/settings/stakeholder-types/",
        views.stakeholder_types,
        name="stakeholder_types",
    ),
]
