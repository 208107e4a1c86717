"""The invitation email: the city, the role, who invited, the link and until when it works.

Pages and the API send it alike, after the invitation is written (``vertebra.cities.team``):
a mail server that is down loses nothing, the invitation stays "not sent" and can be sent
again.
"""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vertebra.accounts.models import User
from vertebra.cities import team
from vertebra.cities.models import Invitation
from vertebra.l10n import moment
from vertebra.languages import available_language
from vertebra.mail import MailNotSent, send


def invitation_text(*, invitation: Invitation, link: str) -> tuple[str, str]:
    """The message's subject and plain-text body."""
    city = invitation.city.name
    inviter = invitation.invited_by
    expires = f"{moment(invitation.expires_at)} {timezone.get_current_timezone_name()}"
    subject = _("You are invited to %(city)s in Vertebra") % {"city": city}
    lines = [
        _("Hello,"),
        "",
        (
            _("%(person)s invites you to join %(city)s in Vertebra as %(role)s.")
            if inviter is not None
            else _("You are invited to join %(city)s in Vertebra as %(role)s.")
        )
        % {
            "person": inviter.display_name if inviter is not None else "",
            "city": city,
            "role": invitation.get_role_display(),
        },
        "",
        _("Follow this link to accept:"),
        link,
        "",
        _("The link works once, until %(expires)s.") % {"expires": expires},
        _("If you did not expect this invitation, you can ignore this email."),
    ]
    return subject, "\n".join(lines) + "\n"


def recipient_language(email: str) -> str:
    """The language an email to ``email`` is written in: the person's own when they have an
    account and chose one, else the sender's (the active language)."""
    chosen = User.objects.filter(email=email.lower()).values_list("language", flat=True).first()
    return available_language(chosen or "") or translation.get_language() or "en"


def send_invitation(*, invitation: Invitation, link: str) -> str | None:
    """Send the invitation, in the recipient's language; ``None`` when it left, else why not
    (it stays "not sent"), in the sender's."""
    with translation.override(recipient_language(invitation.email)):
        subject, body = invitation_text(invitation=invitation, link=link)
    try:
        send(to=[invitation.email], subject=subject, body=body)
    except MailNotSent as error:
        return _(
            "The invitation to %(email)s is kept but its email could not be sent: %(reason)s "
            "Send it again from the pending invitations."
        ) % {"email": invitation.email, "reason": str(error)}
    team.mark_sent(invitation)
    return None
