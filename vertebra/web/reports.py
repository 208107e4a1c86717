"""Downloads of reports, the import form and the comparison of cycles.

Every view reaches the city through ``vertebra.access``: an outsider gets 404, and
only the roles the access table lets import may import.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vertebra import access
from vertebra.access import Load, Verb
from vertebra.accounts.models import User
from vertebra.assessments.domain import AssessmentLockedError
from vertebra.languages import LanguageNotOffered, chosen_language
from vertebra.reports.compare import DifferentModelsError, compare, present, trend
from vertebra.reports.forms import ImportForm
from vertebra.reports.imports import ImportFileError, import_answers

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "ratings.csv": "text/csv; charset=utf-8",
    "decisions.csv": "text/csv; charset=utf-8",
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def download(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, fmt: str
) -> HttpResponse:
    from vertebra.reports.rendering import render_report

    if fmt not in CONTENT_TYPES:
        raise Http404(_("No such format."))
    found = access.assessment_for(
        _user(request), city_slug, assessment_uuid, verb=Verb.EXPORT, load=Load.REPORT
    )
    membership, assessment = found.membership, found.assessment
    # ?lang=es: the report in another of the instance's languages than the person's own.
    try:
        language = chosen_language(request.GET["lang"]) if "lang" in request.GET else None
    except LanguageNotOffered as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    with translation.override(language or translation.get_language()):
        data = render_report(assessment, fmt)
    name = f"{slugify(membership.city.slug)}-{slugify(assessment.title) or 'assessment'}.{fmt}"
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["Content-Language"] = language or translation.get_language()
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID) -> HttpResponse:
    found = access.assessment_for(
        _user(request), city_slug, assessment_uuid, verb=Verb.IMPORT, load=Load.REPORT
    )
    membership, assessment = found.membership, found.assessment
    errors: list[str] = []
    locked = False
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and not assessment.is_final and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = import_answers(
                assessment=assessment,
                user=_user(request),
                data=upload.read(),
                filename=upload.name,
            )
        except ImportFileError as exc:
            errors = exc.errors
        except AssessmentLockedError as exc:
            errors = [str(exc)]
            locked = True
        else:
            messages.success(
                request,
                _(
                    "Imported %(file)s: %(new)d new, %(changed)d changed and %(unchanged)d "
                    "unchanged answers."
                )
                % {
                    "file": upload.name,
                    "new": len(summary.new),
                    "changed": len(summary.changed),
                    "unchanged": len(summary.unchanged),
                },
            )
            return redirect("web:assessment", city_slug, assessment.uuid)
    # A final assessment takes no import: a conflict with its state, as in the API (409).
    if request.method == "POST" and assessment.is_final:
        locked = True
    status = 409 if locked else 400 if errors or form.errors else 200
    return render(
        request,
        "reports/import.html",
        {
            "city": membership.city,
            "assessment": assessment,
            "form": form,
            "import_errors": errors,
            "scope": membership,
        },
        status=status,
    )


@login_required
def compare_view(request: HttpRequest, city_slug: str) -> HttpResponse:
    from vertebra.reports.charts import stage_trend_svg

    membership = access.membership_in(_user(request), city_slug)
    city = membership.city
    points = trend(city)
    assessments = [p.assessment for p in points]
    by_id = {str(a.uuid): a for a in assessments}
    newer = by_id.get(request.GET.get("newer", "")) or (assessments[-1] if assessments else None)
    older = by_id.get(request.GET.get("older", ""))
    if older is None and newer is not None:
        model = newer.framework_version.framework_id
        earlier = [
            a
            for a in assessments
            if (a.date < newer.date and a.framework_version.framework_id == model)
            or a.pk == newer.previous_id
        ]
        older = newer.previous if newer.previous_id else (earlier[-1] if earlier else None)
        if older is not None:
            older = by_id.get(str(older.uuid))
    comparison = None
    refusal = ""
    if older is not None and newer is not None and older.pk != newer.pk:
        try:
            comparison = present(compare(older=older, newer=newer))
        except DifferentModelsError as exc:
            refusal = str(exc)
    # The stages over the cycles of one model: the later assessment's.
    model = newer.framework_version.framework_id if newer is not None else ""
    same_model = [p for p in points if p.assessment.framework_version.framework_id == model]
    chart = stage_trend_svg(same_model) if same_model else ""
    return render(
        request,
        "reports/compare.html",
        {
            "city": city,
            "assessments": list(reversed(assessments)),
            "older": older,
            "newer": newer,
            "comparison": comparison,
            "refusal": refusal,
            "chart": mark_safe(chart),  # noqa: S308 - built from escaped text by charts.py
            "scope": membership,
        },
    )
