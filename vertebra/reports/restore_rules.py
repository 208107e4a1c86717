"""The rules every row of a backup must pass before a restore writes anything.

A backup file can be edited by hand, so a restore trusts none of its rows: each is checked
with its model's field validators (lengths, choices, e-mail addresses, numbers) and with the
rules of the domain function that writes that kind of row (``clean_changes`` for an answer,
``clean_action`` for an action, the model file's schema for a maturity model version, ...).
There is one check per model, in ``RULES``; a model without one fails the suite.

The rows are checked in memory, before the restore's transaction: the database holds none of
them yet, so every reference between rows (an answer's assessment, an action's objectives) is
looked up among the backup's own rows, and a reference to a row that is not in the backup is
a problem of its own.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pydantic
from django.core.exceptions import ValidationError
from django.db import models

from vertebra.assessments.domain import ANSWER_FIELDS, AnswerValidationError, clean_changes
from vertebra.assessments.evidence import EvidenceError, clean_comment, kind_of
from vertebra.assessments.models import Answer
from vertebra.cities.domain import city_problems
from vertebra.frameworks.domain import objective_rows
from vertebra.frameworks.files import content_digest, to_shape
from vertebra.frameworks.models import Objective
from vertebra.frameworks.schema import Framework
from vertebra.maturity import Shape
from vertebra.planning.domain import (
    PlanningValidationError,
    clean_note_text,
    clean_stakeholder_types,
    target_problems,
)
from vertebra.planning.validation import ACTION_FIELDS, clean_action
from vertebra.reviews.domain import TEXT_MAX as REVIEW_TEXT_MAX
from vertebra.workshops.domain import (
    CODE_ALPHABET,
    CODE_LENGTH,
    WorkshopValidationError,
    clean_participant,
    clean_rating,
    clean_workshop,
    covered_in,
)

# The problems listed at most; the rest are counted, so a hostile file gives a short answer.
MAX_LISTED = 20
# History rows name a changed field of an answer, or the files added and removed.
ANSWER_EVENT_FIELDS = frozenset({*ANSWER_FIELDS, "attachments"})


@dataclass
class Rows:
    """Every row of the backup, by model and id, with what the checks learn on the way."""

    by_model: dict[type[models.Model], dict[Any, models.Model]]
    # Rows that failed a check: rows that refer to them are not checked further.
    refused: set[tuple[type[models.Model], Any]] = field(default_factory=set)
    # What each model version's definition holds, once the version has passed its check.
    shapes: dict[Any, Shape] = field(default_factory=dict)
    objectives: dict[Any, dict[str, Objective]] = field(default_factory=dict)

    def get(self, model: type[models.Model], pk: Any) -> Any:
        return self.by_model.get(model, {}).get(pk)


Problems = dict[str, str]
Rule = Callable[[Any, "Mapping[str, list[Any]]", Rows], Problems]


def check_rows(objects: Mapping[type[models.Model], list[Any]]) -> list[str]:
    """Every problem of the backup's rows, one line each naming model, row id and field.

    ``objects`` holds the deserialized rows of each model (Django's DeserializedObject);
    their relations are linked to one another on the way, so no check queries the database.
    """
    rows = Rows(by_model={})
    lines: list[str] = []
    hidden = 0

    def report(model: type[models.Model], pk: Any, problems: Problems) -> None:
        nonlocal hidden
        for name, message in problems.items():
            if len(lines) < MAX_LISTED:
                where = f"{model._meta.label_lower}, row with id {pk}"
                lines.append(f"{where}, field {name}: {message}")
            else:
                hidden += 1

    for model, found in objects.items():
        index: dict[Any, models.Model] = {}
        for obj in found:
            pk = obj.object.pk
            if pk in index:
                report(model, pk, {"id": "two rows have this id"})
            index[pk] = obj.object
        rows.by_model[model] = index
    for model, found in objects.items():
        rule = RULES[model._meta.label_lower]
        for obj in found:
            instance = obj.object
            problems, linked = _link(instance, rows)
            for name, message in _field_problems(instance).items():
                problems.setdefault(name, message)
            if linked and not problems:
                problems = rule(instance, obj.m2m_data or {}, rows)
            if problems or not linked:
                rows.refused.add((model, instance.pk))
            report(model, instance.pk, problems)
    if hidden:
        lines.append(f"and {hidden} more problems in other rows")
    return lines


def _link(instance: models.Model, rows: Rows) -> tuple[Problems, bool]:
    """Point each reference at the backup's row; a missing row is a problem of the field.

    Also says whether every row referred to passed its own checks (a row is checked after
    the rows it refers to: models come in dependency order): the rules of a row that refers
    to a refused one are not applied, its problem is reported already."""
    problems: Problems = {}
    linked = True
    for f in instance._meta.concrete_fields:
        if not isinstance(f, models.ForeignKey):
            continue
        target_model = f.related_model
        assert isinstance(target_model, type) and issubclass(target_model, models.Model)
        if target_model not in rows.by_model:
            continue
        pk = getattr(instance, f.attname)
        if pk is None:
            if not f.null:
                problems[f.name] = "a required reference is empty"
            continue
        target = rows.get(target_model, pk)
        if target is None:
            label = target_model._meta.label_lower
            problems[f.name] = f"no {label} with id {pk} in the backup"
            continue
        f.set_cached_value(instance, target)
        if (target_model, pk) in rows.refused:
            linked = False
    return problems, linked


def _field_problems(instance: models.Model) -> Problems:
    """The model's own field validators (lengths, choices, numbers, e-mail addresses).

    References are checked by ``_link`` (the field's validator would query the database)
    and attachment names by the backup's file list."""
    try:
        instance.clean_fields(exclude=_checked_elsewhere(type(instance)))
    except ValidationError as exc:
        return {name: " ".join(messages) for name, messages in exc.message_dict.items()}
    return {}


@functools.cache
def _checked_elsewhere(model: type[models.Model]) -> frozenset[str]:
    return frozenset(
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation or isinstance(f, models.FileField)
    )


def _none(instance: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    """Rows whose every rule is a field validator (people, groups, tokens, history)."""
    return {}


def _framework_version(fv: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    """The definition is a valid model file, and the row says what the file says."""
    try:
        framework = Framework.model_validate_json(json.dumps(fv.definition))
    except pydantic.ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "(document)"
        return {"definition": f"not a valid maturity model: {where}: {first['msg']}"}
    except (RecursionError, TypeError, ValueError):
        return {"definition": "not a valid maturity model"}
    stated = {
        "framework_id": framework.id,
        "version": framework.version,
        "name": framework.name,
        "digest": content_digest(framework),
    }
    problems = {
        name: f"does not match the definition ({value!r})"
        for name, value in stated.items()
        if getattr(fv, name) != value
    }
    if not problems:
        rows.shapes[fv.pk] = to_shape(framework)
        rows.objectives[fv.pk] = {
            row.code: row for row in objective_rows(framework, framework_version=fv)
        }
    return problems


def _objective(objective: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    """The objective is the one its model version's file has under its code."""
    expected = rows.objectives[objective.framework_version_id].get(objective.code)
    if expected is None:
        return {"code": f"{objective.code} is not an objective of {objective.framework_version}"}
    return {
        name: f"differs from the model file ({getattr(expected, name)!r})"
        for name in ("dimension_code", "policy_code", "stage_code", "position", "text")
        if getattr(objective, name) != getattr(expected, name)
    }


def _city(city: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    problems = city_problems(slug=city.slug, name=city.name)
    try:
        clean_stakeholder_types(city.stakeholder_types)
    except PlanningValidationError as exc:
        problems.update(exc.errors)
    return problems


def _assessment(assessment: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    problems: Problems = {}
    previous = assessment.previous
    if previous is not None and previous.city_id != assessment.city_id:
        problems["previous"] = "the previous cycle belongs to another city"
    return problems


def _answer(answer: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    """The rules of ``save_answer``, and an objective of the assessment's model version."""
    assessment = answer.assessment
    if answer.objective.framework_version_id != assessment.framework_version_id:
        return {
            "objective": f"{answer.objective.code} is not an objective of the assessment's "
            f"model version ({assessment.framework_version})"
        }
    try:
        clean_changes(answer, {name: getattr(answer, name) for name in ANSWER_FIELDS})
    except AnswerValidationError as exc:
        return exc.errors
    return {}


def _answer_event(event: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    problems: Problems = {}
    if event.answer.assessment_id != event.assessment_id:
        problems["answer"] = "the answer belongs to another assessment"
    if event.objective_code != event.answer.objective.code:
        problems["objective_code"] = f"the answer is of objective {event.answer.objective.code}"
    if event.field not in ANSWER_EVENT_FIELDS:
        problems["field"] = f"{event.field!r} is not a field of an answer"
    return problems


def _attachment(attachment: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    """An evidence file of an allowed kind, with the content type of that kind, supporting
    one or more answers of one city (a file is deleted with its last answer)."""
    kind = kind_of(attachment.original_name)
    if kind is None:
        return {"original_name": f"{attachment.original_name!r} is not an allowed kind of file"}
    if attachment.content_type != kind.content_type:
        return {"content_type": f"a .{kind.extension} file is {kind.content_type}"}
    cities = set()
    for pk in m2m.get("answers", []):
        answer = rows.get(Answer, pk)
        if answer is None:
            return {"answers": f"no assessments.answer with id {pk} in the backup"}
        if (Answer, pk) in rows.refused:
            return {}  # the answer's own problem is reported; this row adds no noise
        cities.add(answer.assessment.city_id)
    if not cities:
        return {"answers": "the file supports no answer"}
    if len(cities) > 1:
        return {"answers": "the file supports answers of several cities"}
    return {}


def _comment(comment: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    try:
        clean_comment(comment.text)
    except EvidenceError as exc:
        return {"text": str(exc)}
    user_model = type(comment)._meta.get_field("mentioned").related_model
    for pk in m2m.get("mentioned", []):
        if rows.get(user_model, pk) is None:
            return {"mentioned": f"no accounts.user with id {pk} in the backup"}
    return {}


def _target(target: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    shape = rows.shapes[target.assessment.framework_version_id]
    return target_problems(shape, policy=target.policy_code, stage=target.stage_code)


def _action(action: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    """The rules of ``create_action``, with the action's objectives from the backup.

    The owner is not asked to be a member still: a person may leave the city and keep the
    actions they owned."""
    assessment = action.assessment
    if action.city_id != assessment.city_id:
        return {"city": "the action's assessment belongs to another city"}
    objectives = []
    for pk in m2m.get("objectives", []):
        objective = rows.get(Objective, pk)
        if objective is None:
            return {"objectives": f"no frameworks.objective with id {pk} in the backup"}
        objectives.append(objective)
    data = {
        name: objectives if name == "objectives" else getattr(action, name)
        for name in ACTION_FIELDS
        if name != "owner_user"
    }
    try:
        clean_action(assessment=assessment, data=data)
    except PlanningValidationError as exc:
        return exc.errors
    return {}


def _action_note(note: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    problems: Problems = {}
    clean_note_text(note.text, problems)
    return problems


def _action_event(event: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    if event.action is not None and event.action.city_id != event.city_id:
        return {"action": "the action belongs to another city"}
    return {}


def _covered(workshop: Any, rows: Rows) -> list[str]:
    shape = rows.shapes[workshop.assessment.framework_version_id]
    return covered_in(shape, workshop.policies)


def _workshop(workshop: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    """The rules of ``create_workshop``, against the assessment's model and city."""
    assessment = workshop.assessment
    data = {
        name: getattr(workshop, name)
        for name in ("title", "date", "policies", "stakeholder_types", "anonymous")
    }
    try:
        clean_workshop(
            shape=rows.shapes[assessment.framework_version_id],
            city_types=list(assessment.city.stakeholder_types),
            data=data,
        )
    except WorkshopValidationError as exc:
        return exc.errors
    code = workshop.join_code
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return {"join_code": f"{CODE_LENGTH} characters of {CODE_ALPHABET}"}
    return {}


def _participant(participant: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    """The rules of ``join``; the credential's digest is a SHA-256."""
    try:
        clean_participant(
            workshop=participant.workshop,
            data={"name": participant.name, "stakeholder_type": participant.stakeholder_type},
        )
    except WorkshopValidationError as exc:
        return exc.errors
    digest = participant.token_digest
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        return {"token_digest": "not a SHA-256 digest"}
    return {}


def _rating(rating: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    """The rules of ``rate``: an objective of the workshop, a status, a progress, a comment."""
    data = {"status": rating.status, "progress": rating.progress, "comment": rating.comment}
    try:
        clean_rating(
            covered=_covered(rating.participant.workshop, rows),
            code=rating.objective_code,
            data=data,
        )
    except WorkshopValidationError as exc:
        return exc.errors
    return {}


def _decision(decision: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    """An agreed answer (its status, progress and agreement are checked by their fields) of
    an objective the workshop covers."""
    if decision.objective_code not in _covered(decision.workshop, rows):
        return {"objective_code": f"{decision.objective_code} is not covered by the workshop"}
    return {}


# --- critical-friend review ---


def _review(review: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    """A review's invitation is a review invitation of the assessment's city."""
    invitation = review.invitation
    if invitation.kind != "review":
        return {"invitation": "the invitation is not a review's"}
    if invitation.city_id != review.assessment.city_id:
        return {"invitation": "the invitation is of another city than the assessment"}
    return {}


def _review_text(text: str) -> Problems:
    if not text.strip():
        return {"text": "the text is empty"}
    if len(text) > REVIEW_TEXT_MAX:
        return {"text": f"at most {REVIEW_TEXT_MAX} characters"}
    return {}


def _review_note(note: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    """The rules of ``add_note``: an objective of the reviewed assessment, a text."""
    if note.answer.assessment_id != note.review.assessment_id:
        return {"answer": "the answer is of another assessment than the review's"}
    return _review_text(note.text)


def _review_reply(reply: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    """The rules of ``reply``: a text."""
    return _review_text(reply.text)


def _publication(publication: Any, m2m: Mapping[str, list[Any]], rows: Rows) -> Problems:
    """Only a final assessment of the same city is published (sharing.public.publish)."""
    assessment = publication.assessment
    if assessment.status != "final":
        return {"assessment": "only a final assessment can be published"}
    if assessment.city_id != publication.city_id:
        return {"assessment": "the assessment is of another city"}
    return {}


RULES: dict[str, Rule] = {
    "auth.group": _none,
    "accounts.user": _none,
    "frameworks.frameworkversion": _framework_version,
    "frameworks.objective": _objective,
    "cities.city": _city,
    "cities.membership": _none,
    "cities.invitation": _none,
    "cities.membershipevent": _none,
    "assessments.assessment": _assessment,
    "assessments.answer": _answer,
    "assessments.answerevent": _answer_event,
    "assessments.attachment": _attachment,
    "assessments.comment": _comment,
    "planning.target": _target,
    "planning.action": _action,
    "planning.actionnote": _action_note,
    "planning.actionevent": _action_event,
    "workshops.workshop": _workshop,
    "workshops.participant": _participant,
    "workshops.rating": _rating,
    "workshops.decision": _decision,
    "workshops.joinattempt": _none,
    "api.apitoken": _none,
    "reviews.review": _review,
    "reviews.reviewnote": _review_note,
    "reviews.reviewreply": _review_reply,
    # Benchmarking and the public page (vertebra.sharing); benchmark rows are counted again.
    "sharing.sharingevent": _none,
    "sharing.benchmarkentry": _none,
    "sharing.benchmarkfigures": _none,
    "sharing.publicprofile": _none,
    "sharing.publication": _publication,
}
