"""Cities are the tenants; people take part in a city through a membership with one role."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vertebra.fields import CleanCharField

DEFAULT_STAKEHOLDER_TYPES = [
    "Local government departments",
    "Emergency services",
    "Critical infrastructure providers",
    "Public and private companies",
    "Citizens and volunteers",
    "NGOs and civil society",
    "Academic and scientific entities",
    "Regional government",
    "National government",
    "European and international bodies",
    "Media",
    "Other cities",
]


def default_stakeholder_types() -> list[str]:
    return list(DEFAULT_STAKEHOLDER_TYPES)


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    EDITOR = "editor", _("Editor")
    CONTRIBUTOR = "contributor", _("Contributor")
    VIEWER = "viewer", _("Viewer")


# What each role may do is written once, in vertebra.access.ROLE_VERBS.


class City(models.Model):
    slug = models.SlugField(_("short name"), max_length=64, unique=True)
    name = CleanCharField(_("name"), max_length=200)
    country = CleanCharField(_("country"), max_length=100, blank=True)
    currency = models.CharField(_("default currency"), max_length=3, default="EUR")
    stakeholder_types = models.JSONField(_("stakeholder types"), default=default_stakeholder_types)
    # Reserved for opt-in benchmarking against peer cities.
    share_for_benchmarking = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("cities")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    # The member's stable id in addresses (the people page, the API's members).
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["city__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["city", "user"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.city} ({self.role})"


class InvitationKind(models.TextChoices):
    # Joining the city as a member with the invitation's role.
    MEMBER = "member", _("Member")
    # Critical-friend review of one assessment (vertebra.reviews): no membership, no role.
    REVIEW = "review", _("Review")


class Invitation(models.Model):
    """An email inviting a person to a city with a role; its link works once, for 7 days.

    Only a digest of the link's secret is stored: the secret itself is in the email alone.
    A ``REVIEW`` invitation gives access to one assessment's review instead of a membership
    (``vertebra.reviews``); its ``role`` is then the viewer's, and unused."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    token_digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # When the email last left for the mail server; empty while it could not be sent.
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(
        max_length=8, choices=InvitationKind.choices, default=InvitationKind.MEMBER
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invitation to join per address and city: a second invite resends the
            # first. A review's invitations are one per review (vertebra.reviews).
            models.UniqueConstraint(
                fields=["city", "email"],
                condition=models.Q(
                    accepted_at__isnull=True, withdrawn_at__isnull=True, kind="member"
                ),
                name="invitation_open_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="invitation_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.city} ({self.role})"

    @property
    def is_open(self) -> bool:
        """Neither accepted nor withdrawn (it may still have expired)."""
        return self.accepted_at is None and self.withdrawn_at is None

    def has_expired(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class MembershipEvent(models.Model):
    """What changed in a city's team, by whom and when: append-only, kept in backups."""

    class Kind(models.TextChoices):
        INVITED = "invited", _("Invited")
        INVITATION_RESENT = "invitation_resent", _("Invitation resent")
        INVITATION_WITHDRAWN = "invitation_withdrawn", _("Invitation withdrawn")
        JOINED = "joined", _("Joined")
        ROLE_CHANGED = "role_changed", _("Role changed")
        REMOVED = "removed", _("Removed")

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="membership_events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # The person concerned, by email: the row outlives their membership and account.
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, blank=True)
    previous_role = models.CharField(max_length=16, choices=Role.choices, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who did it, by email, for when their account is gone (or the command line did it: "").
    by_email = models.EmailField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["city", "-at"], name="membership_event_city_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.email} in {self.city}"
