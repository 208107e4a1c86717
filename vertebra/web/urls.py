from django.contrib.auth import views as auth_views
from django.urls import include, path

from vertebra.web import dashboard, editor, views

assessment = "cities/<slug:city_slug>/assessments/<uuid:assessment_uuid>/"

city_patterns = [
    path("cities/<slug:city_slug>/", views.city_home, name="city"),
    path("cities/<slug:city_slug>/assessments/new/", views.assessment_new, name="assessment_new"),
    path(assessment, dashboard.assessment_page, name="assessment"),
    path(f"{assessment}history/", dashboard.assessment_history, name="assessment_history"),
    path(f"{assessment}finalize/", views.assessment_finalize, name="assessment_finalize"),
    path(f"{assessment}policies/<str:policy_code>/", editor.policy_page, name="policy"),
    path(f"{assessment}objectives/<str:code>/", editor.objective_redirect, name="objective"),
    path(f"{assessment}objectives/<str:code>/save/", editor.save_objective, name="objective_save"),
    path(
        f"{assessment}objectives/<str:code>/comments/",
        editor.comment_objective,
        name="objective_comment",
    ),
    path(
        f"{assessment}objectives/<str:code>/attachments/",
        editor.upload_attachment,
        name="attachment_upload",
    ),
    path(
        f"{assessment}attachments/<uuid:attachment_uuid>/",
        editor.download_attachment,
        name="attachment",
    ),
    path(
        f"{assessment}objectives/<str:code>/attachments/link/",
        editor.link_attachment_page,
        name="attachment_link",
    ),
    path(
        f"{assessment}objectives/<str:code>/attachments/<uuid:attachment_uuid>/delete/",
        editor.delete_attachment,
        name="attachment_delete",
    ),
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
    path("logout/", views.LogoutPage.as_view(), name="logout"),
    path("", include((city_patterns, "web"))),
    path("", include("vertebra.web.planning_urls")),
    path("", include("vertebra.web.reports_urls")),
]
