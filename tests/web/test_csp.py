"""Content-Security-Policy: every page sends it, and no page needs an exception to it.

Each page of the application is walked as each persona (members by role, an outsider,
anonymous, and a superuser for the administration pages); every answer carries the policy,
and no HTML it sends holds an inline script, an inline style or an event-handler attribute,
which the policy would block in a browser. A new address that is neither walked nor listed
as "not a page" fails the suite.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.web.conftest import World
from vertebra import access
from vertebra.accounts.models import User
from vertebra.assessments.domain import create_assessment, finalize
from vertebra.assessments.evidence import add_attachment, add_comment
from vertebra.assessments.models import Answer
from vertebra.cities import team
from vertebra.planning.domain import add_note, create_action
from vertebra.planning.models import Action
from vertebra.reviews import domain as reviews
from vertebra.sharing.public import publish
from vertebra.web.reports import CONTENT_TYPES
from vertebra.workshops.domain import create_workshop

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
}
# Swagger UI draws its icons as data: images; its page alone may show them.
DOCS_POLICY = {**POLICY, "img-src": "'self' data:"}
PERSONAS = ("admin", "editor", "contributor", "viewer", "outsider", "anonymous")
VERTEBRA = Path(__file__).resolve().parents[2] / "vertebra"


class Walk:
    """The world of tests/web with one of each thing a page can show."""

    def __init__(self, world: World) -> None:
        self.world = world
        admin = world.people["admin"]
        answer = Answer.objects.get(assessment=world.assessment, objective__code="L1S2")
        self.attachment = add_attachment(
            answer=answer, user=admin, upload=SimpleUploadedFile("minutes.txt", b"Minutes")
        )
        add_comment(answer=answer, user=admin, text="Seen by the council.")
        self.action: Action = create_action(
            assessment=world.assessment,
            user=admin,
            data={"title": "Flood plan", "objectives": ["L1S2"]},
        )
        add_note(action=self.action, user=admin, text="Started.")
        self.other_action = create_action(
            assessment=world.assessment, user=admin, data={"title": "Second"}
        )
        self.final = create_assessment(
            city=world.city, user=admin, title="Review 2025", date=dt.date(2025, 3, 1)
        )
        self.final = finalize(assessment=self.final, user=admin)
        publish(assessment=self.final, by=admin, licence="CC-BY-4.0", include_costs=False)
        self.invitation, self.invitation_token = team.invite(
            city=world.city, email="guest@porto.example", role="viewer", by=admin
        )
        self.viewer = access.members_of(access.membership_in(admin, "porto"))[-1]
        self.workshop = create_workshop(
            assessment=world.assessment,
            user=admin,
            data={
                "title": "Leadership",
                "date": dt.date(2026, 5, 4),
                "policies": ["L1", "L2"],
                "stakeholder_types": list(world.city.stakeholder_types)[:2],
            },
        )

        # A critical friend's open review of the assessment, with a note and an answer.
        self.friend = User.objects.create_user("friend@elsewhere.example", "pw")
        self.review, self.review_token = reviews.invite(
            assessment=world.assessment,
            email=self.friend.email,
            until=dt.date.today() + dt.timedelta(days=7),
            by=admin,
        )
        team.accept(invitation=self.review.invitation, user=self.friend)
        self.review.invitation.refresh_from_db()
        self.review_note = reviews.add_note(
            review=self.review, objective="L1S2", mark="challenge", text="Dated?", by=self.friend
        )
        reviews.reply(note=self.review_note, text="Yes, 2025.", by=admin)

    def assessment(self, suffix: str = "") -> str:
        return self.world.url(suffix)

    def action_page(self, suffix: str = "") -> str:
        return f"/cities/porto/actions/{self.action.uuid}/{suffix}"


# Every address that answers GET with a page, by its URL name.
PAGES: dict[str, list[Callable[[Walk], str]]] = {
    "home": [lambda w: "/"],
    "login": [lambda w: "/login/"],
    "logout": [lambda w: "/logout/"],
    "api-tokens:list": [lambda w: "/account/tokens/"],
    "api-v1:openapi-view": [lambda w: "/api/v1/docs"],
    "web:city": [lambda w: "/cities/porto/", lambda w: "/cities/none-such/"],
    "web:assessment_new": [lambda w: "/cities/porto/assessments/new/"],
    "web:assessment": [
        lambda w: w.assessment(),
        lambda w: f"/cities/porto/assessments/{w.final.uuid}/",
    ],
    "web:assessment_history": [
        lambda w: w.assessment("history/"),
        lambda w: w.assessment("history/?objective=L1S2"),
    ],
    "web:assessment_finalize": [lambda w: w.assessment("finalize/")],
    "web:reference": [lambda w: w.assessment("references/smr-rmm-undrr-ten-essentials/")],
    "web:policy": [
        lambda w: w.assessment("policies/L1/"),
        lambda w: f"/cities/porto/assessments/{w.final.uuid}/policies/L1/",
    ],
    "planning:plan": [lambda w: w.assessment("plan/")],
    "planning:targets": [lambda w: w.assessment("plan/targets/")],
    "planning:actions": [lambda w: w.assessment("plan/actions/")],
    "planning:action_new": [lambda w: w.assessment("plan/actions/new/")],
    "planning:roadmap": [lambda w: w.assessment("plan/roadmap/")],
    "planning:totals": [lambda w: w.assessment("plan/totals/")],
    "planning:action": [lambda w: w.action_page()],
    "planning:action_edit": [lambda w: w.action_page("edit/")],
    "planning:action_delete": [lambda w: w.action_page("delete/")],
    "planning:action_merge": [lambda w: w.action_page("merge/")],
    "planning:action_confirm": [lambda w: w.action_page("confirm/")],
    "planning:stakeholder_types": [lambda w: "/cities/porto/settings/stakeholder-types/"],
    "web:attachment_link": [lambda w: w.assessment("objectives/L1S1/attachments/link/")],
    "reports:import": [lambda w: w.assessment("import/")],
    "reports:compare": [lambda w: "/cities/porto/compare/"],
    # Notifications.
    "work": [lambda w: "/work/"],
    # signing in
    "account": [lambda w: "/account/"],
    "password_reset": [lambda w: "/password-reset/"],
    "password_reset_done": [lambda w: "/password-reset/sent/"],
    "password_reset_confirm": [lambda w: "/password-reset/MQ/not-a-token/"],
    "password_reset_complete": [lambda w: "/password-reset/done/"],
    "web:people": [lambda w: "/cities/porto/people/"],
    "web:person_remove": [lambda w: f"/cities/porto/people/{w.viewer.uuid}/remove/"],
    "invitation": [lambda w: f"/invitations/{w.invitation_token}/"],
    "city_new": [lambda w: "/instance/cities/new/"],
    # Workshops: the facilitator's pages, and the participant's (walked joined below too).
    "web:workshops": [lambda w: w.assessment("workshops/")],
    "web:workshop_new": [lambda w: w.assessment("workshops/new/")],
    "web:workshop": [lambda w: w.assessment(f"workshops/{w.workshop.uuid}/")],
    # The live results the workshop page polls with htmx.
    "web:workshop_live": [lambda w: w.assessment(f"workshops/{w.workshop.uuid}/live/")],
    "join": [lambda w: "/join/"],
    "join_workshop": [lambda w: f"/join/{w.workshop.join_code}/", lambda w: "/join/ZZZZZZ/"],
    "join_policy": [lambda w: f"/join/{w.workshop.join_code}/policies/L1/"],
    # Critical-friend review: the team's page, and the reviewer's (walked as them below).
    "web:reviews": [lambda w: w.assessment("reviews/")],
    "review": [lambda w: f"/reviews/{w.review.uuid}/"],
    # Benchmarking, the Sharing page and the public page (no sign-in).
    "web:sharing": [lambda w: "/cities/porto/sharing/"],
    "web:benchmark": [lambda w: "/cities/porto/benchmark/"],
    "web:public": [lambda w: "/public/porto/"],
}

# Addresses that are no page, why, and an example of each (a GET shows no HTML page there).
NOT_PAGES: dict[str, tuple[str, Callable[[Walk], str]]] = {
    # Several servers: what a load balancer and monitoring ask (vertebra.operations).
    "healthz": ("JSON for the load balancer", lambda w: "/healthz"),
    "readyz": ("JSON for the load balancer", lambda w: "/readyz"),
    "metrics": ("Prometheus text, 404 without the token", lambda w: "/metrics"),
    "api-tokens:revoke": ("POST only", lambda w: f"/account/tokens/{uuid.uuid4()}/revoke/"),
    "invitation_accept": ("POST only", lambda w: f"/invitations/accept/{uuid.uuid4()}/"),
    "web:people_suggest": (
        "the city's members as JSON, for the suggestions as one types",
        lambda w: "/cities/porto/people/suggest/?q=a",
    ),
    "web:objective_save": (
        "POST only (its htmx answer is walked below)",
        lambda w: w.assessment("objectives/L1S1/save/"),
    ),
    "web:objective_comment": (
        "POST only (its htmx answer is walked below)",
        lambda w: w.assessment("objectives/L1S1/comments/"),
    ),
    "web:objective": (
        "sends on to the objective's card on its policy page",
        lambda w: w.assessment("objectives/L1S2/"),
    ),
    "web:attachment_upload": ("POST only", lambda w: w.assessment("objectives/L1S1/attachments/")),
    "web:attachment_delete": (
        "POST only",
        lambda w: w.assessment(f"objectives/L1S2/attachments/{w.attachment.uuid}/delete/"),
    ),
    "web:attachment": (
        "the evidence file itself, sent as an attachment",
        lambda w: w.assessment(f"attachments/{w.attachment.uuid}/"),
    ),
    "planning:propose": ("POST only", lambda w: w.assessment("plan/propose/")),
    "planning:action_finish": ("POST only", lambda w: w.action_page("finish/")),
    "planning:action_note": ("POST only", lambda w: w.action_page("notes/")),
    # Languages: the switcher's form posts here; the scripts' messages are JavaScript.
    "set_language": ("POST only", lambda w: "/i18n/language/"),
    "javascript-catalog": ("the scripts' messages, as JavaScript", lambda w: "/i18n/messages.js"),
    # Single sign-on (404 while it is off, as here; tests/web/test_single_sign_on.py).
    "sso_start": ("sends the browser on to the identity provider", lambda w: "/sso/start/"),
    "sso_callback": ("the way back from the identity provider", lambda w: "/sso/callback/"),
    "reports:download": (
        "PDF, XLSX, CSV or JSON files, never HTML",
        lambda w: w.assessment("report.csv"),
    ),
    "web:people_invite": ("POST only", lambda w: "/cities/porto/people/invite/"),
    "web:person_role": ("POST only", lambda w: f"/cities/porto/people/{w.viewer.uuid}/role/"),
    "web:invitation_resend": (
        "POST only",
        lambda w: f"/cities/porto/people/invitations/{w.invitation.uuid}/resend/",
    ),
    "web:workshop_agree": (
        "POST only",
        lambda w: w.assessment(f"workshops/{w.workshop.uuid}/agree/"),
    ),
    "web:workshop_reveal": (
        "POST only",
        lambda w: w.assessment(f"workshops/{w.workshop.uuid}/reveal/"),
    ),
    "web:workshop_close": (
        "POST only",
        lambda w: w.assessment(f"workshops/{w.workshop.uuid}/close/"),
    ),
    "join_rate": ("POST only", lambda w: f"/join/{w.workshop.join_code}/objectives/L1S1/"),
    "web:invitation_withdraw": (
        "POST only",
        lambda w: f"/cities/porto/people/invitations/{w.invitation.uuid}/withdraw/",
    ),
    # Critical-friend review.
    "web:review_invite": ("POST only", lambda w: w.assessment("reviews/invite/")),
    "web:review_resend": (
        "POST only",
        lambda w: w.assessment(f"reviews/{w.review.uuid}/resend/"),
    ),
    "web:review_close": ("POST only", lambda w: w.assessment(f"reviews/{w.review.uuid}/close/")),
    "web:review_reply": (
        "POST only",
        lambda w: w.assessment(f"reviews/notes/{w.review_note.uuid}/answer/"),
    ),
    "review_note": ("POST only", lambda w: f"/reviews/{w.review.uuid}/notes/"),
    "review_accept": ("POST only", lambda w: f"/reviews/{w.review.uuid}/accept/"),
    "review_file": (
        "a file, for its reviewer",
        lambda w: f"/reviews/{w.review.uuid}/files/{w.attachment.uuid}/",
    ),
    "web:benchmark_opt_in": ("POST only", lambda w: "/cities/porto/sharing/benchmark/join/"),
    "web:benchmark_opt_out": ("POST only", lambda w: "/cities/porto/sharing/benchmark/leave/"),
    "web:publish": (
        "POST only",
        lambda w: f"/cities/porto/sharing/assessments/{w.final.uuid}/publish/",
    ),
    "web:unpublish": (
        "POST only",
        lambda w: f"/cities/porto/sharing/assessments/{w.final.uuid}/unpublish/",
    ),
    "web:public_json": ("the public page's open data as JSON", lambda w: "/public/porto/data.json"),
    "web:public_csv": ("the public page's open data as CSV", lambda w: "/public/porto/data.csv"),
    "web:public_badge": ("an SVG image", lambda w: "/public/porto/badge.svg"),
}

# The administration, for a superuser.
ADMIN_PAGES = [
    "/admin/",
    "/admin/login/",
    "/admin/accounts/user/",
    "/admin/accounts/user/add/",
    "/admin/password_change/",
    "/instance/cities/new/",
]


class InlineCode(HTMLParser):
    """Collects whatever in a page a strict policy would block: inline scripts and styles,
    event handlers, ``javascript:`` addresses and htmx's evaluated attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            text = (value or "").strip().lower()
            if name == "style":
                self.found.append(f"<{tag} style=…>")
            elif name.startswith("on") or name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"<{tag} {name}=…>")
            elif text.startswith("javascript:") or (
                name in ("hx-vals", "hx-vars", "hx-headers") and text.startswith("js:")
            ):
                self.found.append(f"<{tag} {name}={value}>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def policy_of(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    header = response.get("Content-Security-Policy", "")
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def check_page(client: Client, url: str, **headers: str) -> int:
    response = client.get(url, headers=headers)
    assert policy_of(response) == (DOCS_POLICY if url == "/api/v1/docs" else POLICY), url
    if response.get("Content-Type", "").startswith("text/html"):
        assert inline_code(response.content.decode()) == [], url
    return response.status_code


def test_inline_code_finds_what_a_strict_policy_blocks() -> None:
    html = (
        '<script>alert(1)</script><script src="/static/a.js"></script><style>p{}</style>'
        '<p style="color:red" onclick="x()">a</p><a href="javascript:x()">b</a>'
        '<div hx-on:click="x()" hx-vals="js:{a: 1}" hx-get="/a"></div>'
    )
    assert inline_code(html) == [
        "<script> without src",
        "<style>",
        "<p style=…>",
        "<p onclick=…>",
        "<a href=javascript:x()>",
        "<div hx-on:click=…>",
        "<div hx-vals=js:{a: 1}>",
    ]


def test_every_template_keeps_scripts_and_styles_in_static_files() -> None:
    templates = [
        path
        for path in VERTEBRA.rglob("templates/**/*.html")
        # The PDF report's HTML is drawn by WeasyPrint on the server, never sent to a browser.
        if "reports/templates/reports" not in path.as_posix()
    ]
    assert len(templates) > 40
    found = {
        str(path.relative_to(VERTEBRA)): inline_code(path.read_text(encoding="utf-8"))
        for path in templates
    }
    assert {name: codes for name, codes in found.items() if codes} == {}
    assert "html" not in CONTENT_TYPES


def _names(patterns: list[URLPattern | URLResolver], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern) == "admin/":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _names(pattern.url_patterns, inner)
        elif pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_address_is_walked_or_said_to_be_no_page() -> None:
    names = {
        name
        for name in _names(get_resolver().url_patterns)
        if not name.startswith("api-v1:") or name == "api-v1:openapi-view"
    }
    assert names == set(PAGES) | set(NOT_PAGES)
    assert set(PAGES).isdisjoint(NOT_PAGES)


def test_what_is_said_to_be_no_page_shows_none(world: World) -> None:
    walk = Walk(world)
    client = world.client("admin")
    shown = {}
    for name, (_reason, example) in NOT_PAGES.items():
        response = client.get(example(walk))
        assert policy_of(response) == POLICY, name
        shown[name] = response.status_code == 200 and response["Content-Type"].startswith(
            "text/html"
        )
    assert {name for name, page in shown.items() if page} == set()


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_sends_the_policy_and_needs_no_exception_to_it(
    world: World, persona: str
) -> None:
    walk = Walk(world)
    client = world.client(persona)
    statuses = {
        url: check_page(client, url)
        for pages in PAGES.values()
        for page in pages
        for url in [page(walk)]
    }
    if persona == "admin":
        # Every page is shown (none escapes the walk by a refusal or a redirect) ...
        assert {url: status for url, status in statuses.items() if status != 200} == {
            "/login/": 302,  # a signed-in person is sent on
            "/cities/none-such/": 404,
            "/instance/cities/new/": 404,  # the operator's: walked as a superuser below
            "/join/ZZZZZZ/": 404,  # no workshop has this code
            # Not joined: sent to join first (a participant's walk is below).
            f"/join/{walk.workshop.join_code}/policies/L1/": 302,
            # A critical friend's page: theirs alone (walked as the reviewer below).
            f"/reviews/{walk.review.uuid}/": 404,
        }
    # ... and the refusals and "not found" pages the others get are checked too.
    if persona == "viewer":
        assert statuses[world.url("finalize/")] == 403
    if persona == "outsider":
        assert statuses["/cities/porto/"] == 404


def test_a_participants_pages_need_no_exception_to_the_policy(world: World) -> None:
    walk = Walk(world)
    client = Client()
    code = walk.workshop.join_code
    joined = client.post(
        f"/join/{code}/", {"name": "Ana", "stakeholder_type": walk.workshop.stakeholder_types[0]}
    )
    assert joined.status_code == 302
    refused = client.post(
        f"/join/{code}/objectives/L1S1/", {"status": "in_progress", "progress": "x"}
    )
    assert refused.status_code == 400
    assert inline_code(refused.content.decode()) == []
    assert {
        url: check_page(client, url)
        for url in (f"/join/{code}/policies/L1/", f"/join/{code}/policies/L2/", "/join/")
    } == {f"/join/{code}/policies/L1/": 200, f"/join/{code}/policies/L2/": 200, "/join/": 200}


def test_a_reviewers_pages_need_no_exception_to_the_policy(world: World) -> None:
    walk = Walk(world)
    client = Client()
    client.force_login(walk.friend)
    refused = client.post(f"/reviews/{walk.review.uuid}/notes/", {"objective": "L1S1"})
    assert refused.status_code == 400
    assert inline_code(refused.content.decode()) == []
    assert check_page(client, f"/reviews/{walk.review.uuid}/") == 200
    assert check_page(client, "/work/") == 200


def test_htmx_answers_need_no_exception_to_the_policy(world: World) -> None:
    client = world.client("editor")
    url = world.url("objectives/L1S1/")
    for suffix, data in (
        ("save/", {"status": "achieved", "version": "1"}),
        ("save/", {"status": "not_applicable", "version": "2"}),  # refused: 400 fragment
        ("comments/", {"text": "Agreed."}),
    ):
        response = client.post(url + suffix, data, headers={"HX-Request": "true"})
        assert response.status_code in (200, 400), suffix
        assert policy_of(response) == POLICY
        assert inline_code(response.content.decode()) == []
    assert Answer.objects.get(assessment=world.assessment, objective__code="L1S1").version == 2


def test_administration_pages_need_no_exception_to_the_policy(world: World) -> None:
    superuser = User.objects.create_superuser("root@porto.example", "pw")
    client = Client()
    client.force_login(superuser)
    change = f"/admin/accounts/user/{superuser.pk}/change/"
    assert {url: check_page(client, url) for url in [*ADMIN_PAGES, change]} == {
        "/admin/": 200,
        "/admin/login/": 302,
        "/admin/accounts/user/": 200,
        "/admin/accounts/user/add/": 200,
        "/admin/password_change/": 200,
        "/instance/cities/new/": 200,
        change: 200,
    }


def test_error_answers_carry_the_policy(world: World) -> None:
    client = world.client("viewer")
    assert check_page(client, "/no-such-page/") == 404
    assert check_page(client, "/api/v1/no-such-endpoint") == 404
    assert check_page(client, "/static/web/css/app.css") == 200
