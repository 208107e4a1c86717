"""Each person chooses their language: the browser's by default, the switcher on every page
(kept on a signed-in person's account), the model's texts in it with the original one click
away, and the API's answers in the language of Accept-Language (docs/TRANSLATING.md)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from tests.web.conftest import World
from vertebra.accounts.models import User
from vertebra.api.tokens import create_token

pytestmark = pytest.mark.django_db

ALL = ["en", "es", "it", "de", "fr", "da", "nb", "lv"]


def choices(selected: str) -> list[tuple[str, bool]]:
    return [(code, code == selected) for code in ALL]


SWITCHER = re.compile(
    r'<form method="post" action="/i18n/language/" class="language-switcher">.*?'
    r'<select name="language" id="language-switcher">(.*?)</select>',
    re.S,
)


def offered(page: str) -> list[tuple[str, bool]]:
    """The languages the page's switcher offers, and which is selected."""
    found = SWITCHER.search(page)
    assert found is not None, "no language switcher on the page"
    return [
        (code, bool(selected))
        for code, selected in re.findall(r'<option value="(\w+)" lang="\w+"( selected)?', found[1])
    ]


def test_the_sign_in_page_has_the_switcher_and_follows_the_browser_language():
    page = Client().get("/login/", headers={"Accept-Language": "es"}).content.decode()
    assert offered(page) == choices("es")
    assert '<html lang="es">' in page
    assert "Iniciar sesión" in page


def test_a_workshop_participant_page_has_the_switcher(world: World):
    page = Client().get("/join/").content.decode()
    assert offered(page) == choices("en")


def test_switching_without_an_account_keeps_the_choice_in_a_cookie():
    client = Client()
    response = client.post("/i18n/language/", {"language": "es", "next": "/login/"})
    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get("/login/", headers={"Accept-Language": "en"}).content.decode()
    assert offered(page) == choices("es")


def test_switching_when_signed_in_keeps_the_choice_on_the_account(world: World):
    client = world.client("editor")
    response = client.post("/i18n/language/", {"language": "es", "next": "/account/"})
    assert (response.status_code, response["Location"]) == (302, "/account/")
    assert User.objects.get(email="editor@porto.example").language == "es"
    # Another browser of the same person, whose own language is English, shows Spanish.
    other = world.client("editor")
    page = other.get("/", headers={"Accept-Language": "en"}).content.decode()
    assert '<html lang="es">' in page
    assert "Sus ciudades" in page


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ({"language": "pt"}, "“pt” is not one of this instance's languages."),
        ({"language": "xx"}, "“xx” is not one of this instance's languages."),
        ({}, "Choose a language."),
    ],
)
def test_a_language_not_offered_is_refused_and_nothing_is_kept(world: World, sent, message):
    client = world.client("editor")
    response = client.post("/i18n/language/", {**sent, "next": "/"})
    assert (response.status_code, response.content.decode()) == (400, message)
    assert User.objects.get(email="editor@porto.example").language == ""
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_switcher_form_needs_its_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/language/", {"language": "es", "next": "/login/"})
    assert response.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_editor_shows_the_model_in_spanish_with_the_english_original(world: World):
    client = world.client("editor")
    client.post("/i18n/language/", {"language": "es", "next": "/"})
    page = client.get(world.url("policies/L1/")).content.decode()
    assert '<p class="objective__text">Crear un equipo de trabajo responsable de las ' in page
    original = re.search(
        r'<details class="objective__original small">\s*<summary>(.*?)</summary>\s*'
        r'<p lang="(\w+)">(.*?)</p>',
        page,
        re.S,
    )
    assert original is not None
    assert original.groups() == (
        "Traducción del proyecto Vertebra: mostrar el original, que es el texto de referencia",
        "en",
        "Establish a working team responsible for resilience issues in the city",
    )
    assert "Colaboración municipal, intersectorial y multinivel" in page


def test_the_editor_in_english_shows_no_translation_note(world: World):
    page = world.client("editor").get(world.url("policies/L1/")).content.decode()
    assert "Establish a working team responsible for resilience issues in the city" in page
    assert "objective__original" not in page


def test_the_api_answers_in_the_language_of_accept_language(world: World):
    _, token = create_token(user=world.people["editor"], name="tests")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = f"/api/v1/cities/porto/assessments/{world.assessment.uuid}/answers"
    spanish = client.get(f"{base}/L1S1", headers={"Accept-Language": "es"})
    english = client.get(f"{base}/L1S1", headers={"Accept-Language": "en"})
    assert (spanish["Content-Language"], english["Content-Language"]) == ("es", "en")
    assert spanish.json()["objective"]["text"] == (
        "Crear un equipo de trabajo responsable de las cuestiones de resiliencia en la ciudad"
    )
    assert english.json()["objective"]["text"] == (
        "Establish a working team responsible for resilience issues in the city"
    )
    missing = client.get(f"{base}/ZZ9", headers={"Accept-Language": "es"})
    assert (missing.status_code, missing["Content-Language"]) == (404, "es")
    assert missing.json()["detail"] == "No existe el objetivo ZZ9 en esta evaluación."


def test_an_invitation_email_is_in_the_recipients_own_language(world: World, mail_server):
    from tests.smtp import body_of

    User.objects.filter(email="outsider@riga.example").update(language="es")
    admin = world.client("admin")
    admin.post("/cities/porto/people/invite/", {"email": "outsider@riga.example", "role": "viewer"})
    admin.post("/cities/porto/people/invite/", {"email": "new@porto.example", "role": "viewer"})
    spanish, english = mail_server.wait_for(2)
    assert spanish["To"] == "outsider@riga.example"
    assert spanish["Subject"] == "Le invitan a Porto en Vertebra"
    assert "Siga este enlace para aceptar:" in body_of(spanish)
    assert english["Subject"] == "You are invited to Porto in Vertebra"


def test_dates_numbers_and_money_follow_spanish():
    import datetime as dt
    from decimal import Decimal

    from django.utils import translation

    from vertebra import l10n
    from vertebra.planning.money import money

    with translation.override("es"):
        assert (
            l10n.day(dt.date(2027, 6, 30)),
            l10n.month(dt.date(2027, 6, 30)),
            l10n.number(12500.5),
            money(Decimal("12500.50"), "EUR"),
        ) == ("30 jun 2027", "jun 2027", "12.500,5", "12.500,50\xa0€")
