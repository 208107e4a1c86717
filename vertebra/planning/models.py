"""Targets per policy and the action plan that closes the gaps toward them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vertebra.assessments.models import Assessment
from vertebra.cities.models import City
from vertebra.fields import CleanCharField, CleanTextField
from vertebra.frameworks.models import Objective


class Target(models.Model):
    """The stage a city aims for in one policy, set on an assessment cycle."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="targets")
    policy_code = models.CharField(max_length=32)
    stage_code = models.CharField(max_length=32)
    target_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "policy_code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "policy_code"], name="target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.policy_code} -> {self.stage_code}"


class ActionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Action(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="actions")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="actions")
    title = CleanCharField(_("title"), max_length=200)
    description = CleanTextField(_("description"), blank=True)
    objectives = models.ManyToManyField(Objective, related_name="actions", blank=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_actions",
    )
    owner_department = CleanCharField(_("owning department"), max_length=200, blank=True)
    stakeholder_types = models.JSONField(default=list, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    cost = models.DecimalField(
        _("estimated cost"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.PROPOSED
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cost__isnull=True) | models.Q(cost__gte=0),
                name="action_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True)
                | models.Q(due_date__isnull=True)
                | models.Q(start_date__lte=models.F("due_date")),
                name="action_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ActionNote(models.Model):
    """A dated progress note on an action."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="notes")
    date = models.DateField()
    text = CleanTextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date}: {self.text[:40]}"


class ActionEvent(models.Model):
    """One changed field of one action: append-only, like answer history.

    Events outlive their action: deleting or merging an action keeps its trail (the action
    link becomes empty, the city, uuid and title stay).
    """

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="action_events")
    action = models.ForeignKey(
        Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    action_uuid = models.UUIDField(null=True, blank=True)
    action_title = models.CharField(max_length=200, blank=True)
    field = models.CharField(max_length=32)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=16, default="web")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value!r} -> {self.new_value!r}"
