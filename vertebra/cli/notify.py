"""``vertebra notify``: each person's digest email of what happened since their last one."""

from __future__ import annotations

import argparse
from typing import Any

from vertebra.cli.base import CliError, _, setup_database


def register(subparsers: Any) -> None:
    notify = subparsers.add_parser(
        "notify",
        help=_("email each person a digest of what happened since their last one"),
        description=(
            _(
                "Email each person who has something new a digest, grouped by city: new comments "
                "on the objectives they are responsible for, comments that mention them, their "
                "actions that became due within 14 days or overdue (or changed), and new "
                "invitations. A person is marked as told only when their email left, so running "
                "it twice sends nothing twice and a mail server that is down loses nothing. People "
                "who turned digests off get none. Run it daily (docs/NOTIFICATIONS.md). Exit "
                "status 1 when a digest could not be sent."
            )
        ),
    )
    notify.set_defaults(handler=run_notify)


def run_notify(args: argparse.Namespace) -> int:
    setup_database()
    from django.utils import timezone

    from vertebra.accounts.models import User
    from vertebra.mail import MailNotSent, send
    from vertebra.work import digest_of, digest_since, news_of

    now = timezone.now()
    told = quiet = 0
    failures: list[str] = []
    for user in User.objects.filter(is_active=True, digest_emails=True).order_by("email"):
        news = news_of(user, now=now)
        if not news.is_empty:
            digest = digest_of(user, news, since=digest_since(user, now))
            try:
                send(to=[user.email], subject=digest.subject, body=digest.body, html=digest.html)
            except MailNotSent as exc:
                failures.append(
                    _("the digest to %(email)s was not sent: %(error)s")
                    % {"email": user.email, "error": exc}
                )
                continue
            told += 1
        else:
            quiet += 1
        # Told up to now (or nothing to tell): the next digest starts here.
        User.objects.filter(pk=user.pk).update(digest_sent_at=now)
    print(
        _("Sent %(told)s digests; %(quiet)s people had nothing new.")
        % {"told": told, "quiet": quiet}
    )
    if failures:
        raise CliError(
            *failures,
            _("%(count)s people were not told; they will be at the next run.")
            % {"count": len(failures)},
            exit_code=1,
        )
    return 0
