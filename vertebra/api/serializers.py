"""Objects to JSON-ready dicts (fast: plain dicts, validated once by the response schemas)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.http import HttpRequest

from vertebra import access
from vertebra.access import Verb
from vertebra.api.auth import caller, checked_membership
from vertebra.api.links import api_url, assessment_url, city_url
from vertebra.assessments.models import Answer, AnswerEvent, Assessment, Attachment, Comment
from vertebra.cities.models import Membership
from vertebra.frameworks.domain import model_texts, own_language_active
from vertebra.frameworks.models import FrameworkVersion
from vertebra.maturity import Profile
from vertebra.workshops.records import Agreed, agreed_in

EXPORT_FORMATS = ("json", "csv", "xlsx", "pdf", "ratings.csv", "decisions.csv")
PLAN_ANALYSES = ("gaps", "warnings", "projection", "totals")


def framework_json(request: HttpRequest, fv: FrameworkVersion, objectives: int) -> dict[str, Any]:
    return {
        "url": api_url(request, "frameworks", fv.framework_id, fv.version),
        "id": fv.framework_id,
        "version": fv.version,
        "name": fv.name,
        "objectives": objectives,
        "loaded_at": fv.loaded_at,
    }


# What of a membership and its city the API shows, as ``values`` names: a list of the caller's
# cities reads them as plain values, without building a membership and a city for each row.
CITY_FIELDS = (
    "role",
    "city__slug",
    "city__name",
    "city__country",
    "city__currency",
    "city__stakeholder_types",
)


def city_json(request: HttpRequest, membership: Membership) -> dict[str, Any]:
    city = membership.city
    return city_values_json(
        request,
        {
            "role": membership.role,
            "city__slug": city.slug,
            "city__name": city.name,
            "city__country": city.country,
            "city__currency": city.currency,
            "city__stakeholder_types": city.stakeholder_types,
        },
    )


def city_values_json(request: HttpRequest, row: dict[str, Any]) -> dict[str, Any]:
    """One of the caller's cities with their role in it, from its :data:`CITY_FIELDS`."""
    slug = row["city__slug"]
    url = city_url(request, slug)
    return {
        "url": url,
        "slug": slug,
        "name": row["city__name"],
        "country": row["city__country"],
        "currency": row["city__currency"],
        "stakeholder_types": list(row["city__stakeholder_types"]),
        "role": row["role"],
        "can_write": access.role_allows(row["role"], Verb.EDIT_ANSWERS),
        "assessments_url": f"{url}/assessments",
        "stakeholder_types_url": f"{url}/stakeholder-types",
    }


def _email(user: Any) -> str | None:
    return None if user is None else str(user.email)


def assessment_json(
    request: HttpRequest,
    assessment: Assessment,
    *,
    overall_stage: str | None,
    answered: int,
    total: int,
) -> dict[str, Any]:
    slug = assessment.city.slug
    fv = assessment.framework_version
    previous = assessment.previous
    return {
        "url": assessment_url(request, slug, assessment.uuid),
        "id": assessment.uuid,
        "city": slug,
        "title": assessment.title,
        "date": assessment.date,
        "status": assessment.status,
        "framework": {
            "url": api_url(request, "frameworks", fv.framework_id, fv.version),
            "id": fv.framework_id,
            "version": fv.version,
        },
        "previous": None if previous is None else assessment_url(request, slug, previous.uuid),
        "overall_stage": overall_stage,
        "answered": answered,
        "total": total,
        "created_at": assessment.created_at,
        "created_by": _email(assessment.created_by),
        "finalized_at": assessment.finalized_at,
        "finalized_by": _email(assessment.finalized_by),
        "answers_url": assessment_url(request, slug, assessment.uuid, "answers"),
        "profile_url": assessment_url(request, slug, assessment.uuid, "profile"),
        "targets_url": assessment_url(request, slug, assessment.uuid, "targets"),
        "actions_url": assessment_url(request, slug, assessment.uuid, "actions"),
        "history_url": assessment_url(request, slug, assessment.uuid, "history"),
        "comparison_url": assessment_url(request, slug, assessment.uuid, "comparison"),
        "plan": {
            name: assessment_url(request, slug, assessment.uuid, "plan", name)
            for name in PLAN_ANALYSES
        },
        "exports": {
            fmt: assessment_url(request, slug, assessment.uuid, "exports", fmt)
            for fmt in EXPORT_FORMATS
        },
    }


# The columns of an answer as the API shows it, read without building model instances.
ANSWER_COLUMNS = (
    "objective__code",
    "objective__dimension_code",
    "objective__policy_code",
    "objective__stage_code",
    "objective__text",
    "status",
    "progress",
    "evidence",
    "links",
    "notes",
    "owner",
    "na_justification",
    "version",
    "updated_at",
    "updated_by__email",
)


def _agreed_json(
    request: HttpRequest, assessment: Assessment, agreed: Agreed, *, may_open: bool
) -> dict[str, Any]:
    url = (
        assessment_url(request, assessment.city.slug, assessment.uuid, "workshops", agreed.workshop)
        if may_open
        else None
    )
    return {
        "workshop": {"id": agreed.workshop, "title": agreed.title, "date": agreed.date, "url": url},
        "status": agreed.status,
        "progress": agreed.progress,
        "note": agreed.note,
        "ratings": agreed.ratings,
        "agreement": agreed.agreement,
        "decided_at": agreed.decided_at,
    }


def agreements_json(
    request: HttpRequest,
    assessment: Assessment,
    *,
    member: Membership | None = None,
    codes: Iterable[str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Objective code to the workshops its answer was agreed in, the latest first (one query;
    ``records.agreed_in``). The workshop's ``url`` only for those who may open it (whoever may
    edit answers); ``member`` is the caller's, looked up when not given."""
    if member is None:
        slug = assessment.city.slug
        member = checked_membership(request, slug) or access.membership_in(caller(request), slug)
    may_open = access.can(member, Verb.EDIT_ANSWERS)
    found = agreed_in(assessment=assessment, codes=None if codes is None else list(codes))
    return {
        code: [_agreed_json(request, assessment, a, may_open=may_open) for a in items]
        for code, items in found.items()
    }


def answer_row_json(
    request: HttpRequest,
    assessment: Assessment,
    row: Sequence[Any],
    agreed: Mapping[str, list[dict[str, Any]]],
) -> dict[str, Any]:
    """One row of ``ANSWER_COLUMNS`` values as the API shows an answer; ``agreed`` comes from
    ``agreements_json``."""
    (
        code,
        dimension,
        policy,
        stage,
        text,
        status,
        progress,
        evidence,
        links,
        notes,
        owner,
        justification,
        version,
        updated_at,
        updated_by,
    ) = row
    base = assessment_url(request, assessment.city.slug, assessment.uuid, "answers", code)
    if not own_language_active():  # Accept-Language asked for a translation of the model
        text = model_texts(assessment.framework_version).objectives.get(code, text)
    return {
        "url": base,
        "code": code,
        "objective": {
            "code": code,
            "dimension": dimension,
            "policy": policy,
            "stage": stage,
            "text": text,
        },
        "status": status,
        "progress": progress,
        "evidence": evidence,
        "links": links,
        "notes": notes,
        "owner": owner,
        "na_justification": justification,
        "version": version,
        "updated_at": updated_at,
        "updated_by": updated_by,
        "agreed": agreed.get(code, []),
        "history_url": base + "/history",
        "comments_url": base + "/comments",
        "attachments_url": base + "/attachments",
    }


def answer_json(
    request: HttpRequest,
    assessment: Assessment,
    answer: Answer,
    agreed: Mapping[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """One answer as the API shows it; without ``agreed`` (``agreements_json`` of many
    answers), its own agreements are read."""
    o = answer.objective
    if agreed is None:
        agreed = agreements_json(request, assessment, codes=[o.code])
    row = (
        o.code,
        o.dimension_code,
        o.policy_code,
        o.stage_code,
        o.shown_text,
        answer.status,
        answer.progress,
        answer.evidence,
        answer.links,
        answer.notes,
        answer.owner,
        answer.na_justification,
        answer.version,
        answer.updated_at,
        _email(answer.updated_by),
    )
    return answer_row_json(request, assessment, row, agreed)


def event_json(event: AnswerEvent) -> dict[str, Any]:
    return {
        "field": event.field,
        "old_value": event.old_value,
        "new_value": event.new_value,
        "user": _email(event.user),
        "source": event.source,
        "note": event.note,
        "at": event.at,
    }


def assessment_event_json(
    request: HttpRequest, assessment: Assessment, event: AnswerEvent
) -> dict[str, Any]:
    """A change of any answer of the assessment, with the answer's address."""
    data = event_json(event)
    data["code"] = event.objective_code
    data["answer"] = assessment_url(
        request, assessment.city.slug, assessment.uuid, "answers", event.objective_code
    )
    return data


def comment_json(request: HttpRequest, answer_url: str, comment: Comment) -> dict[str, Any]:
    return {
        "url": f"{answer_url}/comments/{comment.uuid}",
        "id": comment.uuid,
        "answer": answer_url,
        "text": comment.text,
        "author": _email(comment.author),
        "created_at": comment.created_at,
    }


def attachment_json(
    request: HttpRequest, answer_url: str, attachment: Attachment
) -> dict[str, Any]:
    url = f"{answer_url}/attachments/{attachment.uuid}"
    return {
        "url": url,
        "id": attachment.uuid,
        "answer": answer_url,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "uploaded_by": _email(attachment.uploaded_by),
        "uploaded_at": attachment.uploaded_at,
        "download_url": url + "/download",
    }


def profile_json(request: HttpRequest, assessment: Assessment, profile: Profile) -> dict[str, Any]:
    fv = assessment.framework_version
    data: dict[str, Any] = profile.to_json(framework=fv.framework_id, version=fv.version)
    data["url"] = assessment_url(request, assessment.city.slug, assessment.uuid, "profile")
    data["answered"] = profile.answered
    data["total"] = profile.total
    return data


def targets_json(
    request: HttpRequest, assessment: Assessment, targets: Iterable[Any]
) -> dict[str, Any]:
    return {
        "url": assessment_url(request, assessment.city.slug, assessment.uuid, "targets"),
        "targets": [
            {"policy": t.policy_code, "stage": t.stage_code, "target_date": t.target_date}
            for t in targets
        ],
    }


def stage_map(targets: Iterable[Any]) -> Mapping[str, str]:
    return {t.policy_code: t.stage_code for t in targets}


def action_json(request: HttpRequest, assessment: Assessment, action: Any) -> dict[str, Any]:
    """An action loaded through ``actions_of`` (objectives and owner prefetched)."""
    base = assessment_url(request, assessment.city.slug, assessment.uuid, "actions", action.uuid)
    objectives = list(action.objectives.all())
    return {
        "url": base,
        "id": action.uuid,
        "assessment": assessment_url(request, assessment.city.slug, assessment.uuid),
        "title": action.title,
        "description": action.description,
        "objectives": [o.code for o in objectives],
        "policies": list(dict.fromkeys(o.policy_code for o in objectives)),
        "owner": _email(action.owner_user),
        "owner_department": action.owner_department,
        "stakeholder_types": list(action.stakeholder_types or []),
        "start_date": action.start_date,
        "due_date": action.due_date,
        "cost": None if action.cost is None else f"{action.cost:.2f}",
        "currency": action.currency,
        "status": action.status,
        "version": action.version,
        "created_at": action.created_at,
        "updated_at": action.updated_at,
        "created_by": _email(action.created_by),
        "notes": [
            {
                "url": f"{base}/notes/{n.uuid}",
                "id": n.uuid,
                "date": n.date,
                "text": n.text,
                "author": _email(n.author),
            }
            for n in action.notes.all()
        ],
        "notes_url": base + "/notes",
        "history_url": base + "/history",
    }


def action_note_json(request: HttpRequest, action_url: str, note: Any) -> dict[str, Any]:
    return {
        "url": f"{action_url}/notes/{note.uuid}",
        "id": note.uuid,
        "action": action_url,
        "date": note.date,
        "text": note.text,
        "author": _email(note.author),
        "created_at": note.created_at,
    }


def action_event_json(event: Any) -> dict[str, Any]:
    return {
        "field": event.field,
        "old_value": event.old_value,
        "new_value": event.new_value,
        "user": _email(event.user),
        "source": event.source,
        "at": event.at,
    }
