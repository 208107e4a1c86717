"""Dates and numbers are written as the person's language writes them (vertebra/l10n.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation

from tests.planning.factories import answer, make_world
from vertebra import l10n
from vertebra.planning import domain
from vertebra.reports.pdf import render_html

pytestmark = pytest.mark.django_db

GERMAN = [("en", "English"), ("de", "Deutsch")]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            ("31 Mar 2027", "31 March 2027", "Mar 2027", "31 Mar 2027, 09:41", "12,500.5", "40%"),
        ),
        (
            "de",
            (
                "31.03.2027",
                "31. März 2027",
                "März 2027",
                "31.03.2027, 09:41",
                "12.500,5",
                "40\u00a0%",
            ),
        ),
        (
            "fr",
            (
                "31 mars 2027",
                "31 mars 2027",
                "mars 2027",
                "31 mars 2027, 09:41",
                "12\u202f500,5",
                "40\u00a0%",
            ),
        ),
    ],
)
def test_dates_and_numbers_follow_the_active_language(language, expected):
    day = dt.date(2027, 3, 31)
    with translation.override(language):
        assert (
            l10n.day(day),
            l10n.day(day, "long"),
            l10n.month(day),
            l10n.moment(dt.datetime(2027, 3, 31, 9, 41, tzinfo=dt.UTC)),
            l10n.number(12500.5),
            l10n.percent(40),
        ) == expected


def _world_with_action():
    w = make_world()
    w.action = domain.create_action(
        assessment=w.assessment,
        user=w.editor,
        data={
            "title": "Adopt the risk register",
            "objectives": ["L1S2"],
            "start_date": dt.date(2027, 1, 4),
            "due_date": dt.date(2027, 3, 31),
            "status": "planned",
        },
    )
    return w


def test_the_action_page_writes_dates_in_the_persons_language(client, settings):
    settings.LANGUAGES = GERMAN
    w = _world_with_action()
    client.force_login(w.editor)
    url = f"/cities/{w.city.slug}/actions/{w.action.uuid}/"
    english = re.sub(r"\s+", " ", client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    german = re.sub(r"\s+", " ", client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode())
    assert "<dd>4 Jan 2027</dd>" in english and "<dd>31 Mar 2027</dd>" in english
    assert "<dd>04.01.2027</dd>" in german and "<dd>31.03.2027</dd>" in german
    assert "2027-03-31" not in german.replace('value="2027-03-31"', "")


def test_the_dashboard_writes_percentages_in_the_persons_language(client, settings):
    settings.LANGUAGES = GERMAN
    w = make_world()
    answer(w.assessment, {"L1S1": "achieved"})
    client.force_login(w.viewer)
    url = f"/cities/{w.city.slug}/assessments/{w.assessment.uuid}/"
    german = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1\u00a0% Abdeckung" in german and "1% coverage" in english
    assert "15.01.2026" in german and "15 Jan 2026" in english


def test_the_pdf_writes_dates_in_the_language_it_is_made_in():
    w = _world_with_action()
    with translation.override("de"):
        german = render_html(w.assessment)
    english = render_html(w.assessment)
    assert "<dd>15. Januar 2026</dd>" in german and "<dd>15 January 2026</dd>" in english
    assert "<td>04.01.2027</td><td>31.03.2027</td>" in german
    assert "<td>4 Jan 2027</td><td>31 Mar 2027</td>" in english
