"""Single sign-on's pages around the provider: off (no trace of it, no request anywhere), the
button, the way out with state, nonce and PKCE, and a provider that is down or not the one
configured. The whole flow with a real provider is in tests/e2e/test_single_sign_on.py."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.test_serve import free_port
from tests.web.conftest import World
from vertebra import sso
from vertebra.accounts.models import User
from vertebra.sso import OIDCConfig
from vertebra.web.sso import NEXT_KEY


def config(issuer: str) -> OIDCConfig:
    return OIDCConfig(
        issuer=issuer, client_id="vertebra", client_secret="s3cret", button="City account"
    )


class Discovery:
    """A provider's discovery document served on 127.0.0.1 (``issuer``: what it claims)."""

    def __init__(self, claimed_issuer: str | None = None) -> None:
        self.requests: list[str] = []
        # What the token endpoint answers (set by a test), and the keys it publishes.
        self.token: dict[str, Any] = {}
        self.key = RSAKey.generate_key(2048, parameters={"kid": "key-1"})
        port = free_port()
        self.issuer = f"http://127.0.0.1:{port}"
        document = {
            "issuer": claimed_issuer or self.issuer,
            "authorization_endpoint": f"{self.issuer}/auth",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
        }
        seen = self.requests
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.path)
                if self.path == "/jwks":
                    self.answer({"keys": [provider.key.as_dict(private=False)]})
                else:
                    self.answer(document)

            def do_POST(self) -> None:
                seen.append(self.path)
                self.rfile.read(int(self.headers["Content-Length"]))
                self.answer(provider.token)

            def answer(self, document: dict[str, Any]) -> None:
                body = json.dumps(document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def id_token(self, key: RSAKey, **claims: Any) -> str:
        now = int(time.time())
        return jwt.encode(
            {"alg": "RS256", "kid": "key-1"},
            {"iss": self.issuer, "aud": "vertebra", "iat": now, "exp": now + 300, **claims},
            key,
        )

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def discovery() -> Iterator[Discovery]:
    server = Discovery()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fresh_client() -> None:
    sso._client = None


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every request the application makes to another server (and lets it go on)."""
    urls: list[str] = []
    send = requests.Session.send

    def recording(self: requests.Session, request: Any, **kwargs: Any) -> Any:
        urls.append(request.url)
        return send(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", recording)
    return urls


@pytest.mark.django_db
def test_when_off_nothing_shows_the_addresses_are_404_and_no_request_leaves(
    settings: Any, sent: list[str]
) -> None:
    settings.OIDC = None
    client = Client()

    login = client.get("/login/")
    start = client.get("/sso/start/")
    callback = client.get("/sso/callback/?code=abc&state=xyz")

    assert login.status_code == 200
    assert "Sign in with" not in login.content.decode()
    assert "/sso/" not in login.content.decode()
    assert (start.status_code, callback.status_code) == (404, 404)
    assert sent == []


@pytest.mark.django_db
def test_the_login_page_shows_the_button_with_its_label_and_asks_the_provider_nothing(
    settings: Any, sent: list[str]
) -> None:
    settings.OIDC = config("https://login.example.org")

    page = Client().get("/login/?next=/cities/porto/").content.decode()

    assert (
        '<a class="button" id="sso-sign-in" href="/sso/start/?next=/cities/porto/">'
        "Sign in with City account</a>"
    ) in page
    assert sent == []


@pytest.mark.django_db
def test_start_sends_the_browser_to_the_provider_with_state_nonce_and_pkce(
    settings: Any, discovery: Discovery
) -> None:
    settings.OIDC = config(discovery.issuer)
    client = Client()

    response = client.get("/sso/start/?next=/cities/porto/")

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    query = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{discovery.issuer}/auth"
    assert sorted(query) == [
        "client_id",
        "code_challenge",
        "code_challenge_method",
        "nonce",
        "redirect_uri",
        "response_type",
        "scope",
        "state",
    ]
    assert (
        query["client_id"],
        query["response_type"],
        query["scope"],
        query["redirect_uri"],
        query["code_challenge_method"],
    ) == ("vertebra", "code", "openid email profile", "http://testserver/sso/callback/", "S256")
    assert len(query["state"]) >= 20 and len(query["nonce"]) >= 20
    waiting = client.session[f"_state_vertebra_{query['state']}"]["data"]
    assert (waiting["nonce"], waiting["redirect_uri"]) == (
        query["nonce"],
        "http://testserver/sso/callback/",
    )
    assert len(waiting["code_verifier"]) >= 43
    assert client.session[NEXT_KEY] == "/cities/porto/"
    assert discovery.requests == ["/.well-known/openid-configuration"]


@pytest.mark.django_db
def test_the_discovery_document_is_fetched_once_and_an_outside_next_page_is_dropped(
    settings: Any, discovery: Discovery
) -> None:
    settings.OIDC = config(discovery.issuer)
    client = Client()

    first = client.get("/sso/start/?next=https://elsewhere.example/")
    second = client.get("/sso/start/")

    assert (first.status_code, second.status_code) == (302, 302)
    assert NEXT_KEY not in client.session
    assert discovery.requests == ["/.well-known/openid-configuration"]


@pytest.mark.django_db
def test_a_provider_that_is_down_gives_a_clear_page_within_seconds(settings: Any) -> None:
    settings.OIDC = config(f"http://127.0.0.1:{free_port()}")
    client = Client()

    began = time.monotonic()
    start = client.get("/sso/start/")
    callback = client.get("/sso/callback/?code=abc&state=xyz")

    assert time.monotonic() - began < 5
    for response in (start, callback):
        assert (response.status_code, response["Retry-After"]) == (503, "60")
        assert "The sign-in service cannot be reached" in response.content.decode()
        assert "Vertebra could not reach City account" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_discovery_document_of_another_issuer_is_not_trusted(settings: Any) -> None:
    impostor = Discovery(claimed_issuer="https://elsewhere.example")
    try:
        settings.OIDC = config(impostor.issuer)
        response = Client().get("/sso/start/")
    finally:
        impostor.stop()

    assert response.status_code == 503
    assert "The sign-in service cannot be reached" in response.content.decode()


@pytest.mark.django_db
def test_a_way_back_without_this_browsers_state_signs_nobody_in(
    settings: Any, discovery: Discovery, world: World
) -> None:
    settings.OIDC = config(discovery.issuer)
    client = Client()
    client.get("/sso/start/")
    people = User.objects.count()

    response = client.get("/sso/callback/?code=abc&state=forged")

    assert response.status_code == 400
    assert (
        "This sign-in link is not the one this browser was given, or was used already."
        in response.content.decode()
    )
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == people
    # Only the discovery document was read: no code was sent to the token endpoint.
    assert discovery.requests == ["/.well-known/openid-configuration"]


@pytest.mark.django_db
def test_a_refusal_by_the_provider_is_shown_in_words(settings: Any, discovery: Discovery) -> None:
    settings.OIDC = config(discovery.issuer)
    client = Client()
    state = parse_qs(urlsplit(client.get("/sso/start/")["Location"]).query)["state"][0]

    response = client.get(
        f"/sso/callback/?error=access_denied&error_description=The+person+said+no&state={state}"
    )

    assert response.status_code == 400
    assert (
        "The identity provider refused the sign-in: The person said no" in response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def waiting_sign_in(client: Client) -> tuple[str, str]:
    """A sign-in started in ``client``'s session: its state and nonce."""
    query = parse_qs(urlsplit(client.get("/sso/start/")["Location"]).query)
    return query["state"][0], query["nonce"][0]


@pytest.mark.django_db
def test_an_id_token_signed_with_the_providers_key_signs_the_member_in(
    settings: Any, discovery: Discovery, world: World
) -> None:
    settings.OIDC = config(discovery.issuer)
    client = Client()
    state, nonce = waiting_sign_in(client)
    discovery.token = {
        "access_token": "at",
        "token_type": "Bearer",
        "id_token": discovery.id_token(
            discovery.key, sub="s1", nonce=nonce, email="Editor@Porto.example", email_verified=True
        ),
    }

    response = client.get(f"/sso/callback/?code=abc&state={state}")

    assert (response.status_code, response["Location"]) == (302, "/work/")
    assert client.session["_auth_user_id"] == str(world.people["editor"].pk)
    assert discovery.requests == ["/.well-known/openid-configuration", "/token", "/jwks"]


@pytest.mark.django_db
@pytest.mark.parametrize("fault", ["another key", "another nonce", "another audience"])
def test_an_id_token_that_does_not_check_out_signs_nobody_in(
    settings: Any, discovery: Discovery, world: World, fault: str
) -> None:
    settings.OIDC = config(discovery.issuer)
    client = Client()
    state, nonce = waiting_sign_in(client)
    claims = {"sub": "s1", "nonce": nonce, "email": "editor@porto.example", "email_verified": True}
    key = discovery.key
    if fault == "another key":
        key = RSAKey.generate_key(2048, parameters={"kid": "key-1"})
    elif fault == "another nonce":
        claims["nonce"] = "not-the-one"
    else:
        claims["aud"] = "another-client"
    discovery.token = {
        "access_token": "at",
        "token_type": "Bearer",
        "id_token": discovery.id_token(key, **claims),
    }

    response = client.get(f"/sso/callback/?code=abc&state={state}")

    assert response.status_code == 400
    assert "The identity provider&#x27;s token did not check out" in response.content.decode()
    assert "_auth_user_id" not in client.session
