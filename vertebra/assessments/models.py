"""Assessments, their answers (one per objective), evidence and the append-only history.

Several stakeholders' ratings of the same objective are kept by vertebra.workshops; ``Answer``
stays the city's agreed answer, which a workshop's consensus saves like any other.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from vertebra.cities.models import City
from vertebra.fields import CleanCharField, CleanTextField
from vertebra.frameworks.models import FrameworkVersion, Objective


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")


class AnswerStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def with_framework(self) -> AssessmentQuerySet:
        """With the model version, but without the two large documents no page shows.

        The model's definition is read through vertebra.frameworks.domain (once per
        process) and the finalization snapshot is kept for the record only.
        """
        return self.select_related("framework_version").defer(
            "snapshot", "framework_version__definition"
        )


class Assessment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="assessments")
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    title = CleanCharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    status = models.CharField(
        max_length=8, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_cycles"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finalized_at = models.DateTimeField(null=True, blank=True)
    # The engine's profile at finalization: the immutable record of what was reported.
    snapshot = models.JSONField(null=True, blank=True)
    # One more for every saved change that its pages or its API read show (answers, files,
    # comments, targets, finalizing), in the change's transaction: it keys the kept page
    # parts (vertebra.fragments, assessments.domain.count_change). The database's default
    # serves rows written without it (by hand, or by the version before during an upgrade).
    revision = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_final(self) -> bool:
        return self.status == AssessmentStatus.FINAL


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="answers")
    status = models.CharField(
        max_length=16, choices=AnswerStatus.choices, default=AnswerStatus.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    evidence = CleanTextField(blank=True)
    links = CleanTextField(blank=True)
    notes = CleanTextField(blank=True)
    owner = CleanCharField(max_length=200, blank=True)
    na_justification = CleanTextField(blank=True)
    # Incremented on every change; a save from a stale page is refused as a conflict.
    version = models.PositiveIntegerField(default=1)
    # One more for every change its card shows: the version's changes, files and comments
    # (which leave the version alone, so that they never make a pending save conflict).
    revision = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "objective__position"]
        # "Your work" finds a person's answers by their owner, letter case aside, across all
        # their cities (vertebra.access.owned_answers): without reading every answer.
        indexes = [models.Index(Upper("owner"), name="answer_owner_upper")]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "objective"], name="answer_unique"),
            models.CheckConstraint(
                condition=models.Q(progress__isnull=True) | models.Q(progress__lte=100),
                name="answer_progress_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objective.code}: {self.status}"


class AnswerEvent(models.Model):
    """One changed field of one answer: append-only."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="events")
    objective_code = models.CharField(max_length=32)
    field = models.CharField(max_length=32)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=16, default="web")
    # Where the change came from, when its source says more (a workshop's name and ratings).
    note = models.CharField(max_length=300, blank=True, default="")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.objective_code}.{self.field}: {self.old_value!r} -> {self.new_value!r}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """A new folder per stored file, under the assessment it was first uploaded to."""
    return f"attachments/{instance.folder or 'files'}/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    """One stored evidence file and the answers it supports.

    A file can support several objectives, and a new cycle's answers refer to their previous
    answers' files: each is a link in ``answers``, never a copy of the bytes. The file is
    deleted with its row, when its last link is removed (``evidence.unlink_attachment``).
    """

    # Downloads are addressed by this id, through the city's scoping path only.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    answers = models.ManyToManyField(Answer, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = CleanCharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    # The folder a new file is stored in (the uploading assessment's id); not a column.
    folder = ""

    def __str__(self) -> str:
        return self.original_name


class Comment(models.Model):
    """A remark on one objective's answer; contributors, editors and admins write them."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = CleanTextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The city's members the text names as @name or @email, found once when it is saved
    # (vertebra.assessments.mentions), so that "Your work" and the digest read rows, not text.
    mentioned = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.answer.objective.code}: {self.text[:40]}"
