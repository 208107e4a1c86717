"""Critical-friend review: a person from outside the city reviews one assessment until a date.

A ``Review`` is made with an invitation of the instance (``cities.Invitation`` of kind
``review``: the same email, link and accept flow as joining a city, without a membership);
the person who accepts it is the reviewer. Until the review ends (closed by an admin, or the
day after ``until``) the reviewer reads that assessment and leaves ``ReviewNote`` rows, one
per remark on an objective, each marked agree, challenge or suggest; the city's team answers
each note with ``ReviewReply`` rows. Notes and replies stay with the assessment after the end.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vertebra.assessments.models import Answer, Assessment
from vertebra.cities.models import Invitation
from vertebra.fields import CleanTextField


class Mark(models.TextChoices):
    AGREE = "agree", _("Agree")
    CHALLENGE = "challenge", _("Challenge")
    SUGGEST = "suggest", _("Suggest")


class Review(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reviews")
    # The invitation that brought the reviewer: its address, and who accepted it (the reviewer).
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="review")
    # The last day of the review (in the instance's time zone); access ends after it.
    until = models.DateField(_("until"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"review of {self.assessment_id} by {self.invitation.email}"


class ReviewNote(models.Model):
    """One remark of the reviewer on one objective's answer."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="notes")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="review_notes")
    mark = models.CharField(max_length=16, choices=Mark.choices)
    text = CleanTextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mark__in=[m.value for m in Mark]), name="review_note_mark_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mark}: {self.text[:40]}"


class ReviewReply(models.Model):
    """The city team's answer to a note."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    note = models.ForeignKey(ReviewNote, on_delete=models.CASCADE, related_name="replies")
    text = CleanTextField(_("answer"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]
