"""Sign-in protection: ten failures for one address lock it, for every door and every browser,
with words that never tell whether an account has that address."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from tests.web.conftest import make_person
from vertebra.accounts.signin import failures_of, is_locked, unlock

pytestmark = pytest.mark.django_db

LOCKED = (
    "Too many failed attempts to sign in with this email address. Signing in with it is "
    "paused for 15 minutes; try again later, or use “Forgot your password?”."
)
WRONG = "Please enter a correct email address and password. Note that both fields may be case-sensitive."


def sign_in(email: str, password: str, *, path: str = "/login/", agent: str = "Firefox") -> str:
    """The sign-in answer's status and message, from a new browser each time."""
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR="192.0.2.7")
    response = client.post(path, {"username": email, "password": password})
    signed_in = "_auth_user_id" in client.session
    if response.status_code == 302:
        return f"302 signed in={signed_in}"
    page = response.content.decode()
    message = LOCKED if LOCKED in page else WRONG if WRONG in page else "?"
    return f"{response.status_code} {message} signed in={signed_in}"


def test_ten_failures_lock_the_address_even_for_the_right_password() -> None:
    user = make_person("bea@porto.example")
    user.set_password("right-horse-battery")
    user.save()

    answers = [sign_in("bea@porto.example", f"wrong {n}") for n in range(10)]

    assert answers == [f"200 {WRONG} signed in=False"] * 9 + [f"429 {LOCKED} signed in=False"]
    assert sign_in("bea@porto.example", "right-horse-battery") == f"429 {LOCKED} signed in=False"
    # A try while locked does not count: the lock ends when it said it would.
    assert failures_of("bea@porto.example") == 10
    assert is_locked("bea@porto.example")


def test_failures_count_per_address_across_browsers_and_spellings() -> None:
    user = make_person("bea@porto.example")
    user.set_password("right-horse-battery")
    user.save()

    for n in range(9):
        sign_in(" Bea@Porto.example" if n % 2 else "bea@porto.example", "wrong", agent=f"UA {n}")

    assert failures_of("bea@porto.example") == 9
    assert sign_in("bea@porto.example", "wrong again", agent="Chrome") == (
        f"429 {LOCKED} signed in=False"
    )
    assert sign_in("bea@porto.example", "right-horse-battery") == f"429 {LOCKED} signed in=False"


def test_another_address_is_not_locked_by_someone_elses_failures() -> None:
    other = make_person("ana@porto.example")
    other.set_password("right-horse-battery")
    other.save()
    for _ in range(10):
        sign_in("bea@porto.example", "wrong")

    assert sign_in("ana@porto.example", "right-horse-battery") == "302 signed in=True"


def test_an_unknown_address_gets_the_same_words_as_a_known_one() -> None:
    make_person("bea@porto.example")
    known = [sign_in("bea@porto.example", "wrong") for _ in range(11)]
    unknown = [sign_in("nobody@porto.example", "wrong") for _ in range(11)]

    assert unknown == known
    assert unknown[-1] == f"429 {LOCKED} signed in=False"


def test_the_lock_ends_after_fifteen_minutes() -> None:
    user = make_person("bea@porto.example")
    user.set_password("right-horse-battery")
    user.save()
    for _ in range(10):
        sign_in("bea@porto.example", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=15, seconds=1))

    assert not is_locked("bea@porto.example")
    assert sign_in("bea@porto.example", "right-horse-battery") == "302 signed in=True"


def test_unlocking_lets_the_person_in_at_once() -> None:
    user = make_person("bea@porto.example")
    user.set_password("right-horse-battery")
    user.save()
    for _ in range(10):
        sign_in("bea@porto.example", "wrong")

    assert unlock("BEA@porto.example") == 1

    assert AccessAttempt.objects.count() == 0
    assert sign_in("bea@porto.example", "right-horse-battery") == "302 signed in=True"


def test_the_administration_sign_in_is_locked_too() -> None:
    admin = make_person("root@porto.example")
    admin.set_password("right-horse-battery")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    for _ in range(10):
        sign_in("root@porto.example", "wrong", path="/admin/login/")

    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "root@porto.example", "password": "right-horse-battery", "next": "/admin/"},
    )

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert failures_of("root@porto.example") == 10
    # Failures at either door count together.
    assert sign_in("root@porto.example", "right-horse-battery") == f"429 {LOCKED} signed in=False"


def test_the_sign_in_page_offers_a_password_reset() -> None:
    page = Client().get("/login/").content.decode()

    assert '<a href="/password-reset/">Forgot your password?</a>' in page
