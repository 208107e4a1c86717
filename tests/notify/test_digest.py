"""`vertebra notify`: a digest email per person with news, through a real SMTP server; never
the same news twice, none for people who turned digests off, nothing lost when mail is down."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.notify.factories import action, invite, make_cities, own
from tests.smtp import body_of, free_port
from vertebra.accounts.models import User
from vertebra.assessments.evidence import add_comment
from vertebra.cli import main
from vertebra.mail import email_settings

pytestmark = pytest.mark.django_db


def notify(capsys: Any) -> tuple[int, str, str]:
    code = main(["notify"])
    out, err = capsys.readouterr()
    return code, out, err


def told_at(user: User) -> dt.datetime | None:
    return User.objects.get(pk=user.pk).digest_sent_at


def by_recipient(messages: list) -> dict[str, Any]:  # type: ignore[type-arg]
    return {str(m["To"]): m for m in messages}


def test_each_person_with_news_gets_one_digest_grouped_by_city(
    mail_server: Any, capsys: Any, settings: Any
) -> None:
    settings.BASE_URL = "https://vertebra.city.example"
    c = make_cities()
    today = timezone.localdate()
    own(c, c.porto_draft, "L1S1", "Carla Dias")
    add_comment(answer=c.answer(c.porto_draft, "L1S1"), user=c.ana, text="Survey is done.")
    add_comment(answer=c.answer(c.riga_draft, "L1S2"), user=c.dmitri, text="@Carla Dias see")
    late = action(c.riga_draft, c.carla, "Flood map", today - dt.timedelta(days=2))
    invite(c.porto, "bruno.new@porto.example")  # nobody's account: nobody to tell

    code, out, err = notify(capsys)

    assert (code, err) == (0, "")
    assert out == "Sent 1 digests; 3 people had nothing new.\n"
    messages = mail_server.wait_for(1)
    assert [str(m["To"]) for m in messages] == ["carla@both.example"]
    body = body_of(messages[0]).replace("\r\n", "\n")
    porto = f"https://vertebra.city.example/cities/porto/assessments/{c.porto_draft.uuid}"
    riga = f"https://vertebra.city.example/cities/riga/assessments/{c.riga_draft.uuid}"
    assert body.index("== Porto ==") < body.index("== Riga ==")
    assert 'Ana Lopes commented on your objective L1S1: "Survey is done."' in body
    assert f"  {porto}/objectives/L1S1/\n" in body
    assert 'Dmitri mentioned you on L1S2: "@Carla Dias see"' in body
    assert f"  {riga}/objectives/L1S2/\n" in body
    was_due = today - dt.timedelta(days=2)
    due = f"{was_due.day} {was_due:%b %Y}"  # as English writes a date
    assert f'Your action "Flood map" is overdue: it was due {due}.' in body
    assert f"https://vertebra.city.example/cities/riga/actions/{late.uuid}/" in body
    assert "https://vertebra.city.example/work/" in body
    html = messages[0].get_body(preferencelist=("html",)).get_content()
    assert f'<a href="{porto}/objectives/L1S1/">' in html
    # Everyone is now told up to this run, with or without news.
    assert {u.email: told_at(u) is not None for u in User.objects.all()} == {
        "ana@porto.example": True,
        "bruno@porto.example": True,
        "carla@both.example": True,
        "dmitri@riga.example": True,
    }


def test_running_twice_sends_nothing_twice(mail_server: Any, capsys: Any) -> None:
    c = make_cities()
    add_comment(answer=c.answer(c.porto_draft), user=c.ana, text="@Bruno first")
    assert notify(capsys)[0] == 0
    assert len(mail_server.wait_for(1)) == 1

    assert notify(capsys) == (0, "Sent 0 digests; 4 people had nothing new.\n", "")
    assert len(mail_server.messages) == 1

    add_comment(answer=c.answer(c.porto_draft), user=c.ana, text="@Bruno second")
    assert notify(capsys)[0] == 0
    messages = mail_server.wait_for(2)
    assert len(messages) == 2
    assert "@Bruno second" in body_of(messages[1])
    assert "@Bruno first" not in body_of(messages[1])


def test_people_who_turned_digests_off_get_none(mail_server: Any, capsys: Any) -> None:
    c = make_cities()
    User.objects.filter(pk=c.bruno.pk).update(digest_emails=False)
    add_comment(answer=c.answer(c.porto_draft), user=c.ana, text="@Bruno and @Carla Dias")
    assert notify(capsys)[:2] == (0, "Sent 1 digests; 2 people had nothing new.\n")
    assert [str(m["To"]) for m in mail_server.wait_for(1)] == ["carla@both.example"]
    assert told_at(c.bruno) is None


def test_a_mail_server_that_is_down_loses_nothing_and_fails_the_run(
    mail_server: Any, capsys: Any, settings: Any
) -> None:
    c = make_cities()
    add_comment(answer=c.answer(c.porto_draft), user=c.ana, text="@Bruno look")
    for name, value in email_settings(f"smtp://127.0.0.1:{free_port()}").items():
        setattr(settings, name, value)

    code, out, err = notify(capsys)

    assert code == 1
    assert out == "Sent 0 digests; 3 people had nothing new.\n"
    lines = err.splitlines()
    assert lines[0].startswith(
        "vertebra: the digest to bruno@porto.example was not sent: The mail server could not "
        "send the message (ConnectionRefusedError"
    )
    assert lines[1:] == ["vertebra: 1 people were not told; they will be at the next run."]
    assert told_at(c.bruno) is None

    # The server is back: the same news is sent.
    for name, value in email_settings(mail_server.url).items():
        setattr(settings, name, value)
    assert notify(capsys)[:2] == (0, "Sent 1 digests; 3 people had nothing new.\n")
    assert "@Bruno look" in body_of(mail_server.wait_for(1)[0])
    assert told_at(c.bruno) is not None


def test_a_digest_tells_only_the_persons_own_cities(mail_server: Any, capsys: Any) -> None:
    c = make_cities()
    # Porto's text names Riga's Dmitri every way it could; Riga's names Porto's Ana.
    own(c, c.porto_draft, "L1S1", "Dmitri")
    add_comment(answer=c.answer(c.porto_draft, "L1S1"), user=c.ana, text="@Dmitri secret porto")
    own(c, c.riga_draft, "L1S1", "ana@porto.example")
    add_comment(answer=c.answer(c.riga_draft, "L1S1"), user=c.dmitri, text="@Ana Lopes riga")
    assert notify(capsys)[:2] == (0, "Sent 0 digests; 4 people had nothing new.\n")
    assert mail_server.messages == []


def test_an_action_is_told_when_it_becomes_due_soon_and_again_when_overdue(
    mail_server: Any, capsys: Any
) -> None:
    c = make_cities()
    today = timezone.localdate()
    soon = action(c.porto_draft, c.ana, "Sirens", today + dt.timedelta(days=15))
    long_ago = timezone.now() - dt.timedelta(days=30)
    type(soon).objects.filter(pk=soon.pk).update(updated_at=long_ago)
    User.objects.update(digest_sent_at=long_ago)
    assert notify(capsys)[:2] == (0, "Sent 0 digests; 4 people had nothing new.\n")

    # A day later it is due within 14 days: told once.
    type(soon).objects.filter(pk=soon.pk).update(due_date=today + dt.timedelta(days=14))
    type(soon).objects.filter(pk=soon.pk).update(updated_at=long_ago)
    User.objects.update(digest_sent_at=timezone.now() - dt.timedelta(days=1))
    assert notify(capsys)[:2] == (0, "Sent 1 digests; 3 people had nothing new.\n")
    assert 'Your action "Sirens" is due' in body_of(mail_server.wait_for(1)[0])
    assert notify(capsys)[:2] == (0, "Sent 0 digests; 4 people had nothing new.\n")

    # The day after its due date it is overdue: told once more.
    type(soon).objects.filter(pk=soon.pk).update(due_date=today - dt.timedelta(days=1))
    type(soon).objects.filter(pk=soon.pk).update(updated_at=long_ago)
    User.objects.update(digest_sent_at=timezone.now() - dt.timedelta(days=1))
    assert notify(capsys)[:2] == (0, "Sent 1 digests; 3 people had nothing new.\n")
    assert 'Your action "Sirens" is overdue' in body_of(mail_server.wait_for(2)[1])


def test_a_new_invitation_is_told_to_the_person_with_that_email(
    mail_server: Any, capsys: Any
) -> None:
    c = make_cities()
    invite(c.riga, "ANA@porto.example", by=c.dmitri)
    assert notify(capsys)[0] == 0
    body = body_of(mail_server.wait_for(1)[0])
    assert "== Riga ==" in body
    assert "You are invited to join as Editor" in body
    assert notify(capsys)[:2] == (0, "Sent 0 digests; 4 people had nothing new.\n")


def test_a_person_whose_language_is_not_offered_gets_the_default_one(
    mail_server: Any, capsys: Any
) -> None:
    c = make_cities()
    User.objects.filter(pk=c.bruno.pk).update(language="xx")
    add_comment(answer=c.answer(c.porto_draft), user=c.ana, text="@Bruno hi")
    assert notify(capsys)[0] == 0
    assert body_of(mail_server.wait_for(1)[0]).startswith("Hello Bruno,")


@pytest.mark.parametrize("value", ["vertebra.city.example", "ftp://x.example", "https://"])
def test_a_base_url_that_is_no_web_address_is_named_in_the_error(value: str, tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "VERTEBRA_DATA_DIR": str(tmp_path), "VERTEBRA_BASE_URL": value}
    result = subprocess.run(
        [sys.executable, "-c", "import vertebra.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        "django.core.exceptions.ImproperlyConfigured: VERTEBRA_BASE_URL must be an address "
        f"such as https://vertebra.city.example, not {value!r}."
    )
