"""Workshops: stakeholders rate the objectives on their own, then the city agrees one answer.

A ``Workshop`` belongs to a draft assessment; its ``Participant`` rows join with the short
``join_code`` (no account needed) and hold only a digest of their credential; each gives one
``Rating`` per objective of the covered policies. The agreed answers are saved through
``assessments.domain.save_answers`` (source ``workshop``, with a note naming the workshop and
the number of ratings); each ``Decision`` keeps what was agreed, from how many ratings and with
what agreement. ``JoinAttempt`` rows count recent joins for the rate limit.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from vertebra.assessments.models import AnswerStatus, Assessment
from vertebra.fields import CleanCharField, CleanTextField


class WorkshopStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REVEALED = "revealed", _("Revealed")
    CLOSED = "closed", _("Closed")


class RatingStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    UNKNOWN = "unknown", _("Don't know")


class Workshop(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="workshops")
    title = CleanCharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    # Policy codes of the assessment's model version, in the model's order.
    policies = models.JSONField(_("policies"))
    # Stakeholder types (from the city's list) expected in the room.
    stakeholder_types = models.JSONField(_("stakeholder types"))
    anonymous = models.BooleanField(_("anonymous"), default=False)
    status = models.CharField(
        max_length=8, choices=WorkshopStatus.choices, default=WorkshopStatus.OPEN
    )
    # Unique among the workshops that are not closed: a closed workshop's code may be reused.
    join_code = models.CharField(max_length=8)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revealed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["join_code"],
                condition=~models.Q(status="closed"),
                name="workshop_join_code_open_unique",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status == WorkshopStatus.CLOSED


class Participant(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    name = CleanCharField(_("display name"), max_length=100)
    stakeholder_type = CleanCharField(_("stakeholder type"), max_length=100)
    # A city member who joined with their account; the name stays what they gave.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # SHA-256 of the participant's credential; the credential itself is never stored.
    token_digest = models.CharField(max_length=64, unique=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "id"]

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="ratings")
    objective_code = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=RatingStatus.choices)
    progress = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    comment = CleanTextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["participant", "objective_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "objective_code"], name="rating_one_per_objective"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__isnull=True)
                | models.Q(status="in_progress", progress__lte=100),
                name="rating_progress_in_progress_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objective_code}: {self.status}"


class Decision(models.Model):
    """An answer agreed in a workshop: what, from how many ratings, with what agreement."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="decisions")
    objective_code = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=AnswerStatus.choices)
    progress = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    note = CleanTextField(blank=True)
    ratings = models.PositiveIntegerField()
    agreement = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.objective_code}: {self.status}"


class JoinAttempt(models.Model):
    """One attempt to join (any code), kept for the rate limit's window only."""

    address = models.CharField(max_length=64, db_index=True)
    workshop = models.ForeignKey(
        Workshop, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.address} {self.at:%Y-%m-%d %H:%M}"
