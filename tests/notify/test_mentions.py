"""A comment's @name or @email of a member of its city mentions them: found once, when the
comment is saved, stored as its ``mentioned`` people; nobody outside the city is ever named."""

from __future__ import annotations

from typing import Any

import pytest

from tests.notify.factories import make_cities, person
from vertebra.assessments.evidence import add_comment
from vertebra.assessments.mentions import find_mentions

pytestmark = pytest.mark.django_db


def emails(users) -> list[str]:  # type: ignore[no-untyped-def]
    return [u.email for u in users]


def test_a_comment_stores_the_members_it_names_by_name_or_email() -> None:
    c = make_cities()
    comment = add_comment(
        answer=c.answer(c.porto_draft),
        user=c.ana,
        text="@bruno@porto.example please check with @Carla Dias.",
    )
    assert sorted(emails(comment.mentioned.all())) == ["bruno@porto.example", "carla@both.example"]


def test_a_person_of_another_city_is_never_mentioned() -> None:
    c = make_cities()
    comment = add_comment(
        answer=c.answer(c.porto_draft), user=c.ana, text="Ask @Dmitri or @dmitri@riga.example"
    )
    assert list(comment.mentioned.all()) == []


def test_someone_outside_the_app_is_never_mentioned() -> None:
    c = make_cities()
    comment = add_comment(
        answer=c.answer(c.porto_draft), user=c.ana, text="Ask @nobody@porto.example"
    )
    assert list(comment.mentioned.all()) == []


def test_the_longest_handle_at_an_at_sign_wins() -> None:
    c = make_cities()
    ana_short = person("ana2@porto.example", "Ana")
    found = find_mentions("Thanks @Ana Lopes!", [ana_short, c.ana])
    assert emails(found) == ["ana@porto.example"]
    assert emails(find_mentions("Thanks @ana, and @ANA LOPES.", [ana_short, c.ana])) == [
        "ana2@porto.example",
        "ana@porto.example",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "write to bruno@porto.example",  # a plain address is no mention
        "@Brunos idea",  # a handle must end where a word ends
        "@bruno@porto.example.pt is another address",
        "@bruno_x",
        "@ Bruno",
    ],
)
def test_text_that_only_looks_like_a_mention_names_nobody(text: str) -> None:
    c = make_cities()
    assert find_mentions(text, [c.bruno]) == []


@pytest.mark.parametrize(
    "text", ["@Bruno", "(@bruno)", "@bruno, hi", "see @bruno@porto.example.", "cc:@Bruno"]
)
def test_a_mention_may_stand_anywhere_a_word_can(text: str) -> None:
    c = make_cities()
    assert emails(find_mentions(text, [c.bruno])) == ["bruno@porto.example"]


def test_many_at_signs_are_read_in_bounded_time() -> None:
    import time

    c = make_cities()
    members = [person(f"p{i}@porto.example", f"Person {i}") for i in range(200)]
    started = time.monotonic()
    assert find_mentions("@" * 5000, [*members, c.bruno]) == []
    assert find_mentions("@Person 1 " * 500, members) == [members[1]]
    assert time.monotonic() - started < 2


def test_a_backup_keeps_who_was_mentioned(settings: Any, tmp_path: Any) -> None:
    import io

    from vertebra.assessments.models import Comment
    from vertebra.reports.backup import restore_backup, write_backup

    settings.MEDIA_ROOT = tmp_path / "uploads"
    c = make_cities()
    add_comment(answer=c.answer(c.porto_draft), user=c.ana, text="@Bruno and @Carla Dias")
    out = io.BytesIO()
    write_backup(out)
    Comment.objects.all().delete()
    restore_backup(io.BytesIO(out.getvalue()), force=True)
    comment = Comment.objects.get()
    assert sorted(emails(comment.mentioned.all())) == ["bruno@porto.example", "carla@both.example"]


def test_a_comment_through_the_api_stores_its_mentions_too() -> None:
    from django.test import Client

    from vertebra.api.tokens import create_token

    c = make_cities()
    _token, key = create_token(user=c.ana, name="test")
    response = Client().post(
        f"/api/v1/cities/porto/assessments/{c.porto_draft.uuid}/answers/L1S1/comments",
        {"text": "@bruno@porto.example please"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201, response.content
    from vertebra.assessments.models import Comment

    assert emails(Comment.objects.get().mentioned.all()) == ["bruno@porto.example"]
