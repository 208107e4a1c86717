from django.contrib.auth import views as auth_views
from django.urls import include, path

from vertebra.web import (
    account,
    dashboard,
    editor,
    references,
    reviews,
    sharing_urls,
    signin,
    team,
    views,
    work,
    workshops,
)

assessment = "cities/<slug:city_slug>/assessments/<uuid:assessment_uuid>/"

city_patterns = [
    path("cities/<slug:city_slug>/", views.city_home, name="city"),
    # Notifications: the members suggested in the comment box and the Responsible field.
    path("cities/<slug:city_slug>/people/suggest/", work.people, name="people_suggest"),
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

# Workshops: the facilitator's pages (vertebra/web/workshops.py).
workshop = f"{assessment}workshops/<uuid:workshop_uuid>/"
city_patterns += [
    path(
        f"{assessment}references/<slug:crosswalk_id>/",
        references.reference_page,
        name="reference",
    ),
    path(f"{assessment}workshops/", workshops.workshop_list, name="workshops"),
    path(f"{assessment}workshops/new/", workshops.workshop_new, name="workshop_new"),
    path(f"{assessment}workshops/<uuid:workshop_uuid>/", workshops.workshop_page, name="workshop"),
    path(f"{workshop}live/", workshops.workshop_live, name="workshop_live"),
    path(f"{workshop}agree/", workshops.workshop_agree, name="workshop_agree"),
    path(f"{workshop}reveal/", workshops.workshop_reveal, name="workshop_reveal"),
    path(f"{workshop}close/", workshops.workshop_close, name="workshop_close"),
]

# Critical-friend review, the city's side (vertebra/web/reviews.py).
city_patterns += [
    path(f"{assessment}reviews/", reviews.review_list, name="reviews"),
    path(f"{assessment}reviews/invite/", reviews.review_invite, name="review_invite"),
    path(
        f"{assessment}reviews/<uuid:review_uuid>/resend/",
        reviews.review_resend,
        name="review_resend",
    ),
    path(
        f"{assessment}reviews/<uuid:review_uuid>/close/", reviews.review_close, name="review_close"
    ),
    path(
        f"{assessment}reviews/notes/<uuid:note_uuid>/answer/",
        reviews.review_reply,
        name="review_reply",
    ),
]

# The city's team (vertebra/web/team.py).
people = "cities/<slug:city_slug>/people/"
city_patterns += [
    path(people, team.people, name="people"),
    path(f"{people}invite/", team.invite, name="people_invite"),
    path(f"{people}<uuid:member_uuid>/role/", team.change_role, name="person_role"),
    path(f"{people}<uuid:member_uuid>/remove/", team.remove, name="person_remove"),
    path(
        f"{people}invitations/<uuid:invitation_uuid>/resend/",
        team.resend,
        name="invitation_resend",
    ),
    path(
        f"{people}invitations/<uuid:invitation_uuid>/withdraw/",
        team.withdraw,
        name="invitation_withdraw",
    ),
]

# Benchmarking, the Sharing page and the public page for citizens (vertebra/web/sharing_urls.py).
city_patterns += sharing_urls.urlpatterns + sharing_urls.public_patterns

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
    # Notifications: the person's own work across their cities.
    path("work/", work.your_work, name="work"),
    # --- signing in: the password reset and "Your account" ---
    path("password-reset/", signin.PasswordResetPage.as_view(), name="password_reset"),
    path("password-reset/sent/", signin.PasswordResetSent.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        signin.PasswordResetChoose.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/", signin.PasswordResetDone.as_view(), name="password_reset_complete"
    ),
    path("account/", account.account, name="account"),
    # --- end of signing in ---
    # The city's team: the link in an invitation's email, and new cities by the operator.
    path(
        "invitations/accept/<uuid:invitation_uuid>/",
        team.invitation_accept,
        name="invitation_accept",
    ),
    path("invitations/<str:token>/", team.invitation_page, name="invitation"),
    path("instance/cities/new/", team.city_new, name="city_new"),
    # Critical-friend review, the reviewer's side (vertebra/web/reviews.py).
    path("reviews/<uuid:review_uuid>/", reviews.review_page, name="review"),
    path("reviews/<uuid:review_uuid>/notes/", reviews.review_note, name="review_note"),
    path(
        "reviews/<uuid:review_uuid>/files/<uuid:attachment_uuid>/",
        reviews.review_file,
        name="review_file",
    ),
    path("reviews/<uuid:review_uuid>/accept/", reviews.review_accept, name="review_accept"),
    path("", include((city_patterns, "web"))),
    path("", include("vertebra.web.planning_urls")),
    path("", include("vertebra.web.reports_urls")),
    path("", include("vertebra.web.joining_urls")),
]
