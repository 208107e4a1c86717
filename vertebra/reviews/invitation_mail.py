"""A review's invitation email: the city, the assessment, who invites, until when, the link.

Sent after the review is written, like a city's invitation (``cities.invitation_mail``): a
mail server that is down loses nothing, the invitation stays "not sent" and can be sent again.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from vertebra.cities import team
from vertebra.mail import MailNotSent, send
from vertebra.reviews.models import Review


def review_invitation_text(*, review: Review, link: str) -> tuple[str, str]:
    """The message's subject and plain-text body."""
    invitation = review.invitation
    city = review.assessment.city.name
    inviter = review.invited_by
    expires = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M %Z")
    values = {
        "person": inviter.display_name if inviter is not None else "",
        "city": city,
        "assessment": review.assessment.title,
        "until": review.until.isoformat(),
    }
    subject = _("You are invited to review the assessment of %(city)s in Vertebra") % values
    lines = [
        _("Hello,"),
        "",
        (
            _(
                "%(person)s invites you to review %(city)s's assessment %(assessment)s in "
                "Vertebra, as a critical friend, until %(until)s."
            )
            if inviter is not None
            else _(
                "You are invited to review %(city)s's assessment %(assessment)s in Vertebra, "
                "as a critical friend, until %(until)s."
            )
        )
        % values,
        _(
            "You will read this assessment only (its answers, evidence, files and plan) and "
            "leave notes on its objectives; the city's team answers them."
        ),
        "",
        _("Follow this link to accept:"),
        link,
        "",
        _("The link works once, until %(expires)s.") % {"expires": expires},
        _("If you did not expect this invitation, you can ignore this email."),
    ]
    return subject, "\n".join(lines) + "\n"


def send_review_invitation(*, review: Review, link: str) -> str | None:
    """Send the invitation; ``None`` when it left, else why not (it stays "not sent")."""
    subject, body = review_invitation_text(review=review, link=link)
    try:
        send(to=[review.invitation.email], subject=subject, body=body)
    except MailNotSent as error:
        return _(
            "The review's invitation to %(email)s is kept but its email could not be sent: "
            "%(reason)s Send it again from the assessment's reviews."
        ) % {"email": review.invitation.email, "reason": str(error)}
    team.mark_sent(review.invitation)
    return None
