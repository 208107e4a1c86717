"""What a city shares beyond its team, and the record of who decided it and when.

Benchmarking: ``City.share_for_benchmarking`` is the city's consent as it is now; each opted-in
city's latest final assessment of a model version contributes a ``BenchmarkEntry`` (stage codes
only), and ``BenchmarkFigures`` keeps their counts per model version, recomputed in the
transaction that changes an entry, so serving the figures reads one row.

The public page: ``PublicProfile`` holds the city's choices (licence, whether costs show) and a
revision that keys the kept public pages; a ``Publication`` row per published assessment.
``SharingEvent`` is the append-only history of every opt-in, opt-out, publication and
withdrawal, with who and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vertebra.assessments.models import Assessment
from vertebra.cities.models import City
from vertebra.frameworks.models import FrameworkVersion


class Licence(models.TextChoices):
    CC_BY_4 = "CC-BY-4.0", _("Creative Commons Attribution 4.0 (CC BY 4.0)")
    CC0 = "CC0-1.0", _("Public domain dedication (CC0 1.0)")
    ODBL = "ODbL-1.0", _("Open Data Commons Open Database License (ODbL 1.0)")


LICENCE_URLS = {
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
}


class SharingEvent(models.Model):
    """Who opted the city in or out of benchmarking, or published or withdrew an assessment."""

    class Kind(models.TextChoices):
        OPTED_IN = "opted_in", _("Joined benchmarking")
        OPTED_OUT = "opted_out", _("Left benchmarking")
        PUBLISHED = "published", _("Published an assessment")
        UNPUBLISHED = "unpublished", _("Withdrew a published assessment")

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="sharing_events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The assessment published or withdrawn (kept by title when it is gone).
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The consent text the admin agreed to, as shown (opting in), or the licence (publishing).
    detail = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_email = models.EmailField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["city", "-at"], name="sharing_event_city_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.city}"


class BenchmarkEntry(models.Model):
    """One opted-in city's contribution to one model version: the stage codes of its latest
    final assessment of that version, and nothing else (``{"overall": s, "dimensions": {code:
    s}, "policies": {code: s}}``, a stage code or None). Never shown on its own."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="+"
    )
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    stages = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["city", "framework_version"], name="benchmark_entry_unique"
            )
        ]

    def __str__(self) -> str:
        return f"benchmark entry {self.pk}"


class BenchmarkFigures(models.Model):
    """The counts of a model version's entries: how many cities stand at each stage, overall,
    per dimension and per policy (``{"overall": {stage: n}, "dimensions": {code: {stage: n}},
    "policies": {...}}``, the stage key "" for no stage yet)."""

    framework_version = models.OneToOneField(
        FrameworkVersion, on_delete=models.CASCADE, related_name="+"
    )
    contributors = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"benchmark figures of model version {self.framework_version_id}"


class PublicProfile(models.Model):
    """The city's choices for its public page, and the revision its kept pages are keyed by."""

    city = models.OneToOneField(City, on_delete=models.CASCADE, related_name="public_profile")
    licence = models.CharField(
        _("licence"), max_length=16, choices=Licence.choices, default=Licence.CC_BY_4
    )
    include_costs = models.BooleanField(_("show the action plan's estimated costs"), default=False)
    # One more with every publication, withdrawal or change of the choices above.
    revision = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"public page of {self.city}"


class Publication(models.Model):
    """A final assessment the city shows on its public page."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="publications")
    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="publication"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["city", "published_at"]

    def __str__(self) -> str:
        return f"{self.assessment} of {self.city}, published"
