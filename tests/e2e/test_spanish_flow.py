"""A person switches to Spanish on the sign-in page and works through an assessment, its plan
and its PDF in Spanish, in Chromium, without a script-free step needing JavaScript."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from playwright.sync_api import expect

from vertebra.accounts.models import User
from vertebra.assessments.domain import create_assessment
from vertebra.cities.models import City, Membership

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "spanish-password-1"
ENGLISH_WORDS = re.compile(r"\b(Where the city stands|Save|Targets|Objectives|Log out)\b")


def test_a_person_works_through_an_assessment_its_plan_and_its_pdf_in_spanish(page, live_server):
    city = City.objects.create(slug="donostia", name="Donostia / San Sebastián")
    admin = User.objects.create_user("ana@donostia.example", PASSWORD)
    Membership.objects.create(city=city, user=admin, role="admin")
    assessment = create_assessment(
        city=city, user=admin, title="Ciclo 2026", date=dt.date(2026, 2, 1)
    )

    # The sign-in page offers the switcher; the browser speaks English.
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Switch language").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_label("Dirección de correo electrónico").fill("ana@donostia.example")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))

    base = f"{live_server.url}/cities/donostia/assessments/{assessment.uuid}/"
    page.goto(base)
    expect(page.get_by_role("heading", name="Dónde está la ciudad")).to_be_visible()
    assert ENGLISH_WORDS.search(page.locator("main").inner_text()) is None

    # An objective of the first policy, in the model's Spanish, with the original at hand.
    page.goto(f"{base}policies/L3/")
    card = page.locator("#objective-L3S1")
    expect(card.locator(".objective__text")).to_have_text(
        "Elaborar una estrategia para crear una cultura de resiliencia"
    )
    card.locator(".objective__original summary").click()
    expect(card.locator(".objective__original p")).to_have_text(
        "Develop a strategy to create a resilience culture"
    )
    card.get_by_label("Logrado").check()
    card.get_by_label("Evidencia").fill("Estrategia aprobada por el pleno")
    card.get_by_role("button", name="Guardar L3S1").click()
    expect(card.locator(".message--success")).to_have_text("Guardado.")
    assert assessment.answers.get(objective__code="L3S1").status == "achieved"

    # The plan: a target for the policy, in Spanish stage names and dates.
    page.goto(base)
    page.locator("#open-plan").click()
    page.locator("#set-targets").click()
    page.locator("#id_target_L3").select_option(label="Moderada (M)")
    page.locator("#id_date_L3").fill("2027-06-30")
    page.locator("#save-targets").click()
    expect(page.locator("#policy-L3 td.target")).to_contain_text("Moderada para el jun 2027")
    page.locator("#create-proposed-actions").click()
    expect(page.locator("tr[data-action]").first).to_contain_text(
        "L3M1: Promover una cultura de resiliencia"
    )
    assert ENGLISH_WORDS.search(page.locator("main").inner_text()) is None

    # The PDF report, downloaded from the assessment page, is in Spanish.
    page.goto(base)
    with page.expect_download() as download:
        page.get_by_role("link", name="Informe PDF").click()
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    for spanish in (
        "Resumen ejecutivo",
        "Matriz de madurez",
        "Plan de acción",
        "Elaborar una estrategia para crear una cultura de resiliencia",
        "Estrategia aprobada por el pleno",
    ):
        assert spanish in text
    assert "Executive summary" not in text
