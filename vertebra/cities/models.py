"""Cities are the tenants; people take part in a city through a membership with one role."""

from __future__ import annotations

from django.conf import settings
from django.db import models
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
