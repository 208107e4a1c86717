"""The PDF report in the person's language, with the application's own fonts: the text read
back from the PDF holds Latvian, Danish and Norwegian letters and the Spanish catalogue's."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from tests.reports.factories import answer, filled_assessment, make_city
from vertebra.reports.pdf import render_pdf

pytestmark = pytest.mark.django_db

# A test-only catalogue for languages that are not offered yet: a few report headings.
TEST_CATALOGUES = {
    "lv": {
        "Executive summary": "Kopsavilkums vadītājiem",
        "Maturity matrix": "Brieduma matrica",
    },
    "da": {
        "Executive summary": "Resumé for ledelsen",
        "Maturity matrix": "Modenhedsmatrix",
    },
}
PLURAL = {"lv": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2);"}


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def font_names(pdf: bytes) -> set[str]:
    import pikepdf

    names = set()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            for font in page.Resources.get("/Font", {}).values():
                names.add(str(font.BaseFont).split("+")[-1])
    return names


@pytest.fixture
def test_catalogues(settings, tmp_path: Path):
    """Compiled test catalogues for Latvian and Danish, and both languages offered."""
    for language, messages in TEST_CATALOGUES.items():
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        entries = "".join(f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in messages.items())
        plural = PLURAL.get(language, "nplurals=2; plural=(n != 1);")
        (folder / "django.po").write_text(
            f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            f'"Plural-Forms: {plural}\\n"\n\n{entries}',
            encoding="utf-8",
        )
        subprocess.run(
            ["msgfmt", "-o", str(folder / "django.mo"), str(folder / "django.po")], check=True
        )
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    settings.LANGUAGES = [*settings.LANGUAGES, ("lv", "Latviešu"), ("da", "Dansk")]


def test_a_latvian_report_shows_every_latvian_letter(test_catalogues):
    city = make_city(slug="riga", name="Rīga")
    assessment = filled_assessment(city)
    answer(assessment, "L1S1", evidence="Ūdensapgāde: ķēde, ļaudis, ņemt, šķērslis, žogs, čaula")
    with translation.override("lv"):
        pdf = render_pdf(assessment)
    text = pdf_text(pdf)
    assert "Kopsavilkums vadītājiem" in text
    assert "Brieduma matrica" in text
    assert "Rīga" in text
    assert "Ūdensapgāde: ķēde, ļaudis, ņemt, šķērslis, žogs, čaula" in text
    assert font_names(pdf) <= {
        "DejaVu-Sans",
        "DejaVu-Sans-Bold",
        "DejaVu-Sans-Oblique",
        "DejaVu-Serif",
        "DejaVu-Serif-Bold",
    }


def test_a_danish_report_shows_ae_oe_and_aa(test_catalogues):
    city = make_city(slug="vejle", name="Vejle Kommune")
    assessment = filled_assessment(city)
    answer(assessment, "L1S1", evidence="Beredskab på Ærø og i Århus: øvelser, Bokmål og æbler")
    with translation.override("da"):
        text = pdf_text(render_pdf(assessment))
    assert "Resumé for ledelsen" in text
    assert "Modenhedsmatrix" in text
    assert "Beredskab på Ærø og i Århus: øvelser, Bokmål og æbler" in text


def test_a_spanish_report_is_in_spanish_with_the_models_spanish_texts():
    assessment = filled_assessment(make_city())
    with translation.override("es"):
        text = pdf_text(render_pdf(assessment))
    assert "Resumen ejecutivo" in text
    assert "Matriz de madurez" in text
    assert "Liderazgo y gobernanza" in text
    assert "Crear un equipo de trabajo responsable de las cuestiones de resiliencia" in text
    assert "Executive summary" not in text
