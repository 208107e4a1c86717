"""Single sign-on end to end: Chromium, a served instance (`vertebra serve`) and a real OpenID
provider (oidc-provider, tests/oidc/provider.mjs) on this machine, talking over the network.

The provider's people are in tests/oidc/accounts.json; its sign-in page has a button each.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
from playwright.sync_api import expect

from tests.servers import new_postgres_database
from tests.test_serve import free_port

BIN = Path(sys.executable).parent
OIDC = Path(__file__).resolve().parents[1] / "oidc"
ACCOUNTS = json.loads((OIDC / "accounts.json").read_text())
MEMBER = ACCOUNTS["member"]["email"]
INVITED = ACCOUNTS["invited"]["email"].lower()
STRANGER = ACCOUNTS["stranger"]["email"]
UNVERIFIED = ACCOUNTS["unverified"]["email"]


@dataclass
class Instance:
    url: str
    env: dict[str, str]

    def python(self, code: str) -> Any:
        """Run ``code`` in the served instance's database; what it prints, read as JSON."""
        setup = "import django, json; django.setup()\n"
        done = subprocess.run(
            [sys.executable, "-c", setup + code],
            env={**self.env, "DJANGO_SETTINGS_MODULE": "vertebra.settings"},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return json.loads(done.stdout)

    def people(self) -> list[str]:
        return self.python(
            "from vertebra.accounts.models import User\n"
            "print(json.dumps(sorted(User.objects.values_list('email', flat=True))))"
        )


def _wait_for(url: str, process: subprocess.Popen[str], what: str) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise AssertionError(f"{what} stopped: {process.communicate()[0]}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - local server
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{what} did not answer within 30 seconds")


@contextlib.contextmanager
def database_for_the_served_instance() -> Iterator[str]:
    """On PostgreSQL (``DATABASE_URL`` set), a new database on the same server for the served
    instance, dropped afterwards; on SQLite, nothing (the instance's data folder holds it)."""
    server = os.environ.get("DATABASE_URL", "")
    if not server:
        yield ""
        return
    with new_postgres_database(server, "vt_sso") as database_url:
        yield database_url


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    with database_for_the_served_instance() as database_url:
        yield from _served(tmp_path_factory, database_url)


def _served(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Instance]:
    port, provider_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    provider = subprocess.Popen(
        ["node", str(OIDC / "provider.mjs"), str(provider_port), f"{url}/sso/callback/"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    issuer = f"http://127.0.0.1:{provider_port}"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env |= {
        "VERTEBRA_DATA_DIR": str(tmp_path_factory.mktemp("sso")),
        "VERTEBRA_DEBUG": "",
        "VERTEBRA_OIDC_ISSUER": issuer,
        "VERTEBRA_OIDC_CLIENT_ID": "vertebra",
        "VERTEBRA_OIDC_CLIENT_SECRET": "vertebra-test-secret",
        "VERTEBRA_OIDC_BUTTON": "Test City Login",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    server = subprocess.Popen(
        [str(BIN / "vertebra"), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(f"{issuer}/.well-known/openid-configuration", provider, "the OpenID provider")
        _wait_for(f"{url}/login/", server, "vertebra serve")
        running = Instance(url=url, env=env)
        vendor = "from django.db import connection; print(json.dumps(connection.vendor))"
        assert running.python(vendor) == ("postgresql" if database_url else "sqlite")
        running.python(
            "from vertebra.accounts.models import User\n"
            "from vertebra.cities.models import City, Membership\n"
            "from vertebra.cities import team\n"
            "city = City.objects.create(slug='porto', name='Porto')\n"
            f"admin = User.objects.create_user('admin@city.example', 'x-admin-password-1')\n"
            "Membership.objects.create(city=city, user=admin, role='admin')\n"
            f"member = User.objects.create_user({MEMBER!r}, 'x-member-password-1')\n"
            "Membership.objects.create(city=city, user=member, role='editor')\n"
            f"team.invite(city=city, email={INVITED!r}, role='contributor', by=admin)\n"
            "print('null')"
        )
        yield running
    finally:
        for process in (server, provider):
            process.terminate()
            process.wait(timeout=10)


def sign_in_at_provider(page: Any, instance: Instance, email: str) -> None:
    page.goto(f"{instance.url}/login/")
    page.get_by_role("link", name="Sign in with Test City Login").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_role("button", name=email, exact=True).click()


def test_member_signs_in_through_the_provider(page, instance):
    before = instance.people()

    sign_in_at_provider(page, instance, MEMBER)

    expect(page).to_have_url(f"{instance.url}/work/")
    expect(page.get_by_role("link", name="Porto").first).to_be_visible()
    assert instance.people() == before


def test_invited_person_gets_an_account_and_joins_the_city(page, instance):
    sign_in_at_provider(page, instance, ACCOUNTS["invited"]["email"])

    expect(page).to_have_url(f"{instance.url}/work/")
    expect(page.get_by_role("link", name="Porto").first).to_be_visible()
    assert instance.python(
        "from vertebra.accounts.models import User\n"
        "from vertebra.cities.models import Invitation\n"
        f"user = User.objects.get(email={INVITED!r})\n"
        "print(json.dumps({\n"
        "  'name': user.name,\n"
        "  'usable_password': user.has_usable_password(),\n"
        "  'roles': list(user.memberships.values_list('city__slug', 'role')),\n"
        f"  'accepted_by': Invitation.objects.get(email={INVITED!r}).accepted_by.email,\n"
        "}))"
    ) == {
        "name": "Ivo Invited",
        "usable_password": False,
        "roles": [["porto", "contributor"]],
        "accepted_by": INVITED,
    }


@pytest.mark.parametrize("email", [STRANGER, UNVERIFIED])
def test_stranger_and_unverified_address_are_told_to_ask_their_city_admin(page, instance, email):
    before = instance.people()

    sign_in_at_provider(page, instance, email)

    expect(page.get_by_role("heading", name="Ask your city admin")).to_be_visible()
    assert instance.people() == before
    assert email not in before
    page.goto(f"{instance.url}/")
    expect(page).to_have_url(f"{instance.url}/login/?next=/")


def test_a_tampered_state_is_refused(page, instance):
    sent_back: list[str] = []

    def tamper(route: Any) -> None:
        """The provider's way back to Vertebra, with one character of its state changed."""
        finished = route.fetch(max_redirects=0)  # the person chose an account
        resumed = page.request.get(
            urljoin(route.request.url, finished.headers["location"]), max_redirects=0
        )
        callback = urlsplit(resumed.headers["location"])
        query = parse_qs(callback.query)
        sent_back.append(callback.geturl())
        state = query["state"][0]
        query["state"] = [("A" if state[0] != "A" else "B") + state[1:]]
        route.fulfill(
            status=303,
            headers={"Location": callback._replace(query=urlencode(query, True)).geturl()},
        )

    page.route(
        lambda url: url.startswith(f"{instance.env['VERTEBRA_OIDC_ISSUER']}/interaction/"), tamper
    )

    sign_in_at_provider(page, instance, MEMBER)

    expect(page.get_by_role("heading", name="This sign-in did not go through")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(
        "This sign-in link is not the one this browser was given, or was used already."
    )
    page.goto(f"{instance.url}/")
    expect(page).to_have_url(f"{instance.url}/login/?next=/")
    # The same way back, untouched, signs in: only the state was wrong.
    page.goto(sent_back[0])
    expect(page).to_have_url(f"{instance.url}/work/")
    expect(page.get_by_role("link", name="Porto").first).to_be_visible()
