"""Maturity models stored in the database, one row per loaded version.

The model text lives in the data file; the rows here are a faithful copy so that
answers can point at objectives and every assessment stays pinned to its version.
"""

from __future__ import annotations

from django.db import models

from vertebra.fields import CleanCharField, CleanTextField


class FrameworkVersion(models.Model):
    framework_id = models.SlugField(max_length=64)
    version = models.PositiveIntegerField()
    name = CleanCharField(max_length=200)
    digest = models.CharField(max_length=64)
    definition = models.JSONField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["framework_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework_id", "version"], name="framework_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.framework_id} v{self.version}"

    @property
    def label(self) -> str:
        """The model's name in the active language (where it has a translation) and version."""
        from vertebra.frameworks.domain import model_texts, own_language_active

        name = self.name if own_language_active() else model_texts(self).name
        return f"{name} (v{self.version})"


class Objective(models.Model):
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="objectives"
    )
    code = models.CharField(max_length=32)
    dimension_code = models.CharField(max_length=32)
    policy_code = models.CharField(max_length=32)
    stage_code = models.CharField(max_length=32)
    position = models.PositiveIntegerField()
    text = CleanTextField()

    class Meta:
        ordering = ["framework_version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework_version", "code"], name="objective_code_unique_per_version"
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def shown_text(self) -> str:
        """The text in the active language: the model's translation where it has one
        (``vertebra.frameworks.domain.objective_text``), else the model's own ``text``."""
        from vertebra.frameworks.domain import objective_text

        return objective_text(self)

    @property
    def is_translated(self) -> bool:
        return self.shown_text != self.text
