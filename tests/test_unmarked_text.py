"""Every text a template shows people is marked for translation: a literal word outside
``{% translate %}`` and ``{% blocktranslate %}`` fails here (docs/TRANSLATING.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "vertebra"
TEMPLATES = sorted(
    path
    for path in SOURCE.rglob("*")
    if "templates" in path.parts and path.suffix in (".html", ".txt") and path.is_file()
)
# Attributes people read or hear: a literal word there needs translating too.
SPOKEN_ATTRIBUTES = re.compile(
    r"\b(?:alt|title|placeholder|aria-label|aria-description|label)=\"([^\"]*)\""
)
WORD = re.compile(r"[^\W\d_]{2,}")


def literal_texts(template: str) -> list[str]:
    """The words of ``template`` that are not marked for translation: what is left once the
    translated blocks, comments, tags, variables, scripts, styles and code samples are out."""
    text = re.sub(
        r"{%\s*(blocktranslate|blocktrans|comment)\b.*?{%\s*end\1\s*%}", "", template, flags=re.S
    )
    text = re.sub(r"{#.*?#}", "", text, flags=re.S)
    text = re.sub(r"{%.*?%}|{{.*?}}", "_", text, flags=re.S)
    text = re.sub(r"<(script|style|code)\b.*?</\1>", "", text, flags=re.S)
    found = [m.group(1) for m in SPOKEN_ATTRIBUTES.finditer(text) if WORD.search(m.group(1))]
    text = re.sub(r"<[^>]*>", "\n", text, flags=re.S)
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    found += [line.strip() for line in text.splitlines() if WORD.search(line)]
    return found


def test_the_check_finds_literal_words_in_text_and_in_spoken_attributes():
    template = """{% load i18n %}<nav aria-label="Main"><a href="{% url 'home' %}">Home</a></nav>
    <p title="{% translate 'Saved' %}">{% translate "Saved" %} {{ count }} · Ünïcode</p>
    {% blocktranslate %}Kept {{ n }}{% endblocktranslate %}{# a note #}
    <script>var a = "skipped";</script><code>Authorization: Bearer</code>"""
    assert literal_texts(template) == ["Main", "Home", "_ _ · Ünïcode"]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(SOURCE)))
def test_a_template_shows_no_unmarked_text(path):
    assert literal_texts(path.read_text(encoding="utf-8")) == []
