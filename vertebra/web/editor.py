"""The objective-by-objective editor: one page per policy, one form per objective.

Each form posts on its own. With htmx the response is the objective's fragment plus
out-of-band updates of the policy's stage and the assessment's figures; without JavaScript
the same POST redirects back to the objective with a message.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vertebra.access import Verb
from vertebra.assessments.domain import (
    ANSWER_FIELDS,
    AnswerConflictError,
    AnswerRevision,
    AnswerValidationError,
    answer_digest,
    answer_revisions,
    save_merged,
)
from vertebra.assessments.evidence import (
    ALLOWED_EXTENSIONS,
    EvidenceError,
    add_attachment,
    add_comment,
    link_attachment,
    remove_attachment,
)
from vertebra.assessments.models import (
    Answer,
    AnswerEvent,
    AnswerStatus,
    Attachment,
    Comment,
)
from vertebra.fragments import (
    CSRF_PLACEHOLDER,
    assessment_state,
    csrf_input,
    keep_many,
    kept,
    look_up_many,
    with_csrf,
)
from vertebra.maturity import profile
from vertebra.reviews.models import ReviewNote, ReviewReply
from vertebra.storage import file_response
from vertebra.web.cards import CARD_HISTORY, ConflictRow, ObjectiveItem, ObjectiveLinks
from vertebra.web.forms import FIELD_LABELS, AnswerForm, AttachmentForm, CommentForm
from vertebra.web.presenters import (
    coverage_percent,
    overall_view,
    policy_view,
    stages,
)
from vertebra.web.scope import AssessmentScope, load_scope, user_of
from vertebra.workshops.records import agreed_in

# One objective's card; the page places it in ``web/_policy_body.html``, an htmx answer in
# ``web/_objective_response.html``.
CARD = "web/_objective_card.html"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _evidence() -> list[Prefetch[Any]]:
    """What a card shows beside the answer and its history: files, comments and critical
    friends' notes with their answers."""
    replies = ReviewReply.objects.select_related("author")
    notes = ReviewNote.objects.select_related("author", "review__invitation").prefetch_related(
        Prefetch("replies", queryset=replies)
    )
    return [
        Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
        Prefetch("comments", queryset=Comment.objects.select_related("author")),
        Prefetch("review_notes", queryset=notes),
    ]


def _with_evidence(answers: QuerySet[Answer]) -> QuerySet[Answer]:
    """Answers with all their cards show: objective, files, comments and the latest changes
    (the card's history; the history page has them all)."""
    latest = Prefetch(
        "events",
        queryset=AnswerEvent.objects.select_related("user")[:CARD_HISTORY],
        to_attr="latest_events",
    )
    return answers.select_related("objective", "updated_by").prefetch_related(latest, *_evidence())


def _one_answer(scope: AssessmentScope, code: str, *, card: bool = True) -> Answer:
    """The answer to one objective of the scope's assessment; with ``card``, with everything
    its card shows."""
    answers = Answer.objects.filter(assessment=scope.assessment, objective__code=code)
    answer = (_with_evidence(answers) if card else answers.select_related("objective")).first()
    if answer is None:
        raise Http404(_("No such objective in this assessment."))
    answer.assessment = scope.assessment
    return answer


def _item(
    scope: AssessmentScope, answer: Answer, links: ObjectiveLinks | None = None, **extra: Any
) -> ObjectiveItem:
    code = answer.objective.code
    form = extra.pop("form", None)
    if form is None and scope.can_edit:
        form = AnswerForm.for_answer(answer)
    return ObjectiveItem(
        answer=answer,
        form=form if scope.can_edit else None,
        comment_form=extra.pop("comment_form", None)
        or (CommentForm(prefix_code=code) if scope.can_comment else None),
        attachment_form=AttachmentForm(prefix_code=code) if scope.can_upload else None,
        links=links or ObjectiveLinks(scope.city.slug, scope.assessment),
        may_answer_reviews=scope.can(Verb.ANSWER_REVIEWS),
        may_open_workshops=scope.can_facilitate,
        **extra,
    )


def _summary_context(scope: AssessmentScope, policy_code: str) -> dict[str, Any]:
    """The policy's result and the assessment's figures (one query for all statuses)."""
    shape = scope.shape
    statuses = dict(
        Answer.objects.filter(assessment=scope.assessment)
        .exclude(status=AnswerStatus.NOT_STARTED)
        .values_list("objective__code", "status")
        .order_by()
    )
    prof = profile(shape, statuses)
    return {
        "policy": policy_view(shape, prof.policies[policy_code]),
        "overall": overall_view(shape, prof),
        "profile": prof,
        "coverage": coverage_percent(prof),
        "stages": stages(shape),
    }


def _cards(
    scope: AssessmentScope, policy_code: str, override: ObjectiveItem | None
) -> list[tuple[AnswerRevision, str]]:
    """Each objective of the policy with its card's HTML, in the model's order.

    A card is kept per revision of its answer and what the person may do (see
    vertebra.fragments), so that a change to one answer renders one card again, not the
    page's dozen. Only the cards not kept are read with their files, comments and history.
    The CSRF field is the placeholder: the page puts in the request's own.
    """
    assessment = scope.assessment
    fv = assessment.framework_version
    allowed = ", ".join(ALLOWED_EXTENSIONS)
    revisions = answer_revisions(assessment, policy_code)

    def key(r: AnswerRevision) -> tuple[Hashable, ...]:
        return (
            r.pk,
            r.revision,
            assessment.uuid,
            assessment.status,
            scope.city.slug,
            fv.pk,
            fv.digest,
            scope.can_edit,
            scope.can_comment,
            scope.can_upload,
            scope.can_facilitate,
        )

    def plain(code: str) -> bool:
        """Not the card that shows one person's pending input, errors or conflict."""
        return override is None or code != override.code

    # Stands for this request's CSRF field (see vertebra.fragments): a constant, not input.
    context = {"csrf_input": SafeString(CSRF_PLACEHOLDER), "allowed_types": allowed}
    found = look_up_many("card", [key(r) for r in revisions if plain(r.code)])
    html: dict[int, str] = {
        r.pk: found[key(r)] for r in revisions if plain(r.code) and key(r) in found
    }
    missing = [r for r in revisions if r.pk not in html]
    if missing:
        links = ObjectiveLinks(scope.city.slug, assessment)
        # Where each answer was agreed: one query for every card to render.
        agreed = agreed_in(assessment=assessment, codes=[r.code for r in missing])
        for answer in _with_evidence(Answer.objects.filter(pk__in=[r.pk for r in missing])):
            answer.assessment = assessment
            item = _item(scope, answer, links) if plain(answer.objective.code) else override
            assert item is not None
            if item.agreed is None:
                item.agreed = agreed.get(item.code, [])
            html[answer.pk] = render_to_string(CARD, {**context, "item": item})
        keep_many("card", {key(r): html[r.pk] for r in missing if plain(r.code)})
    return [(r, html[r.pk]) for r in revisions]


def _page_context(
    scope: AssessmentScope, policy_code: str, override: ObjectiveItem | None = None
) -> dict[str, Any]:
    shape = scope.shape
    context = _summary_context(scope, policy_code)
    cards = _cards(scope, policy_code, override)
    groups = []
    for index, stage_code in enumerate(shape.stage_codes):
        groups.append(
            {
                "code": stage_code,
                "name": shape.stage_names[stage_code],
                # Rendered by the card's template (kept, hence a plain string).
                "cards": [SafeString(html) for r, html in cards if r.stage_code == stage_code],
                "cell": context["policy"].cells[index],
            }
        )
    position = shape.policy_codes.index(policy_code)
    codes = shape.policy_codes
    context.update(
        {
            "scope": scope,
            "city": scope.city,
            "assessment": scope.assessment,
            "policy_code": policy_code,
            "policy_name": shape.policy_name[policy_code],
            "dimension_name": shape.dimension_name[shape.policy_dimension[policy_code]],
            "groups": groups,
            "all_policies": [(c, shape.policy_name[c]) for c in codes],
            "previous_policy": codes[position - 1] if position > 0 else None,
            "next_policy": codes[position + 1] if position + 1 < len(codes) else None,
        }
    )
    return context


def _policy_body(
    request: HttpRequest,
    scope: AssessmentScope,
    policy_code: str,
    override: ObjectiveItem | None = None,
) -> SafeString:
    """The page's content: figures, the policy's result and every objective's card.

    As people see it, without pending input, it is kept per revision of the assessment and
    what the person may do (see vertebra.fragments); a page with one objective's errors
    or conflict is rendered afresh.
    """
    body: str
    if override is not None:
        body = render_to_string(
            "web/_policy_body.html", _page_context(scope, policy_code, override)
        )
    else:
        key = (assessment_state(scope.assessment), policy_code, tuple(scope.may.values()))
        body = kept(
            "policy",
            key,
            lambda: render_to_string("web/_policy_body.html", _page_context(scope, policy_code)),
        )
    # Rendered by templates (kept, hence a plain string).
    return SafeString(with_csrf(body, csrf_input(request)))


def _policy_page(
    request: HttpRequest,
    scope: AssessmentScope,
    policy_code: str,
    override: ObjectiveItem | None = None,
    status: int = 200,
) -> HttpResponse:
    if policy_code not in scope.shape.policy_name:
        raise Http404(_("No such policy."))
    context = {
        "scope": scope,
        "city": scope.city,
        "assessment": scope.assessment,
        "policy_code": policy_code,
        "body": _policy_body(request, scope, policy_code, override),
        # Only the objectives still open (not achieved, not applicable): a long page's work.
        "open_only": request.GET.get("show") == "open",
    }
    return render(request, "web/policy.html", context, status=status)


@login_required
@require_GET
def policy_page(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, policy_code: str
) -> HttpResponse:
    scope = load_scope(request, city_slug, assessment_uuid)
    return _policy_page(request, scope, policy_code)


def _objective_url(scope: AssessmentScope, answer: Answer) -> str:
    url = reverse(
        "web:policy",
        args=[scope.city.slug, scope.assessment.uuid, answer.objective.policy_code],
    )
    return f"{url}#objective-{answer.objective.code}"


@login_required
@require_GET
def objective_redirect(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, code: str
) -> HttpResponse:
    scope = load_scope(request, city_slug, assessment_uuid)
    return redirect(_objective_url(scope, _one_answer(scope, code)))


def _respond(
    request: HttpRequest,
    scope: AssessmentScope,
    item: ObjectiveItem,
    *,
    status: int = 200,
    message: str = "",
) -> HttpResponse:
    """The objective fragment (htmx) or, without JavaScript, the page or a redirect."""
    policy_code = item.answer.objective.policy_code
    if _is_htmx(request):
        context = _summary_context(scope, policy_code)
        context.update(
            {
                "scope": scope,
                "item": item,
                "city": scope.city,
                "oob": True,
                "allowed_types": ", ".join(ALLOWED_EXTENSIONS),
                "csrf_input": SafeString(csrf_input(request)),  # made by format_html
            }
        )
        context["assessment"] = scope.assessment
        context["stage_groups"] = [
            {"code": cell.cell.stage, "cell": cell} for cell in context["policy"].cells
        ]
        # The status is honest for htmx too (400 invalid, 409 conflict); app.js swaps these.
        response = render(request, "web/_objective_response.html", context, status=status)
        if status != 200:
            # Bring the message (error or conflict) at the top of the objective into view.
            response["HX-Reswap"] = "outerHTML show:top"
        return response
    if status == 200:
        if message:
            messages.success(request, message)
        return redirect(_objective_url(scope, item.answer))
    return _policy_page(request, scope, policy_code, override=item, status=status)


def _display(answer_or_value: Any, name: str) -> str:
    if name == "status":
        return str(AnswerStatus(answer_or_value).label) if answer_or_value else ""
    if answer_or_value is None:
        return ""
    return str(answer_or_value)


@login_required
@require_POST
def save_objective(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, code: str
) -> HttpResponse:
    scope = load_scope(request, city_slug, assessment_uuid)
    scope.require(Verb.EDIT_ANSWERS)
    answer = _one_answer(scope, code, card=False)  # the card is read once, for the answer
    form = AnswerForm(request.POST, prefix_code=code)
    if not form.is_valid():
        item = _item(
            scope, _one_answer(scope, code), form=form, errors=[_("Check the fields marked below.")]
        )
        return _respond(request, scope, item, status=400)
    changes = form.changes()
    try:
        result = save_merged(
            answer=answer,
            user=user_of(request),
            changes=changes,
            loaded=form.cleaned_data["loaded"],
            expected_version=form.cleaned_data["version"],
            keep_theirs=[n for n in ANSWER_FIELDS if request.POST.get(f"keep_{n}") == "theirs"],
        )
    except AnswerValidationError as error:
        form.add_errors(error.errors)
        item = _item(
            scope, _one_answer(scope, code), form=form, errors=[_("Check the fields marked below.")]
        )
        return _respond(request, scope, item, status=400)
    except AnswerConflictError as conflict:
        return _respond(
            request, scope, _conflict_item(request, scope, code, changes, conflict), status=409
        )
    # The saved answer as stored; only what its card shows beside it is read (its latest
    # changes by the card itself: one LIMIT query, cheaper than a prefetch of one answer's).
    fresh = result.answer
    prefetch_related_objects([fresh], *_evidence())
    notice = (
        _("Saved.") if result.changed else _("Nothing to save: the answer was already like this.")
    )
    item = _item(scope, fresh, notice=notice)
    return _respond(request, scope, item, message=_("%(code)s saved.") % {"code": code})


def _conflict_item(
    request: HttpRequest,
    scope: AssessmentScope,
    code: str,
    changes: dict[str, Any],
    conflict: AnswerConflictError,
) -> ObjectiveItem:
    """The card after a save met someone else's: the saved answer, the fields both changed
    with a choice for each, and a form that holds the person's input where they changed
    something and the saved values elsewhere, loaded anew."""
    current = _one_answer(scope, code)
    both = conflict.fields
    if both is None:  # a form without what it loaded: every field that differs
        both = [name for name in ANSWER_FIELDS if getattr(current, name) != changes[name]]
    mine = conflict.mine if conflict.mine is not None else list(ANSWER_FIELDS)
    rows = [
        ConflictRow(
            str(FIELD_LABELS[name]),
            _display(getattr(current, name), name),
            _display(changes[name], name),
            name,
        )
        for name in both
    ]
    data = request.POST.copy()
    for name in ANSWER_FIELDS:
        if name not in mine:
            value = getattr(current, name)
            data[name] = "" if value is None else str(value)
    data["version"] = str(current.version)
    data["loaded"] = answer_digest(current)
    for name in ANSWER_FIELDS:
        data.pop(f"keep_{name}", None)
    kept = AnswerForm(data, prefix_code=code)
    kept.is_valid()
    return _item(
        scope,
        current,
        form=kept,
        conflict=rows,
        conflict_by=str(current.updated_by or _("someone else")),
    )


@login_required
@require_POST
def upload_attachment(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, code: str
) -> HttpResponse:
    scope = load_scope(request, city_slug, assessment_uuid)
    scope.require(Verb.UPLOAD)
    answer = _one_answer(scope, code)
    form = AttachmentForm(request.POST, request.FILES, prefix_code=code)
    if not form.is_valid():
        item = _item(
            scope, answer, evidence_error=" ".join(str(e) for e in form.errors.get("file", []))
        )
        return _respond(request, scope, item, status=400)
    try:
        attachment = add_attachment(
            answer=answer, user=user_of(request), upload=form.cleaned_data["file"]
        )
    except EvidenceError as error:
        item = _item(scope, answer, evidence_error=str(error))
        return _respond(request, scope, item, status=400)
    notice = _("%(name)s attached.") % {"name": attachment.original_name}
    item = _item(scope, _one_answer(scope, code), notice=notice)
    return _respond(request, scope, item, message=notice)


def _attachment(
    scope: AssessmentScope, attachment_uuid: uuid.UUID, *, answer: Answer | None = None
) -> Attachment:
    """A file of the scope's assessment (with ``answer``: one that supports that answer)."""
    files = Attachment.objects.filter(answers__assessment=scope.assessment, uuid=attachment_uuid)
    if answer is not None:
        files = files.filter(answers=answer)
    attachment = files.first()
    if attachment is None:
        raise Http404(_("No such file."))
    return attachment


@login_required
@require_POST
def delete_attachment(
    request: HttpRequest,
    city_slug: str,
    assessment_uuid: uuid.UUID,
    code: str,
    attachment_uuid: uuid.UUID,
) -> HttpResponse:
    scope = load_scope(request, city_slug, assessment_uuid)
    scope.require(Verb.UPLOAD)
    answer = _one_answer(scope, code, card=False)
    attachment = _attachment(scope, attachment_uuid, answer=answer)
    name = attachment.original_name
    remove_attachment(attachment=attachment, answer=answer, user=user_of(request))
    notice = _("%(name)s removed.") % {"name": name}
    item = _item(scope, _one_answer(scope, code), notice=notice)
    return _respond(request, scope, item, message=notice)


@login_required
@require_http_methods(["GET", "POST"])
def link_attachment_page(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, code: str
) -> HttpResponse:
    """Choose a file of this assessment to support this objective too (the same file)."""
    scope = load_scope(request, city_slug, assessment_uuid)
    scope.require(Verb.UPLOAD)
    answer = _one_answer(scope, code, card=False)
    files = list(
        Attachment.objects.filter(answers__assessment=scope.assessment)
        .exclude(answers=answer)
        .select_related("uploaded_by")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.filter(assessment=scope.assessment)
                .select_related("objective")
                .order_by("objective__position"),
                to_attr="here",
            )
        )
        .distinct()
        .order_by("original_name", "id")
    )
    error = ""
    if request.method == "POST":
        chosen = next((f for f in files if str(f.uuid) == request.POST.get("file")), None)
        if chosen is None:
            error = _("Choose one of the files below.")
        else:
            try:
                link_attachment(attachment=chosen, answer=answer, user=user_of(request))
            except EvidenceError as refused:
                error = str(refused)
            else:
                messages.success(
                    request,
                    _("%(name)s now supports %(code)s too.")
                    % {"name": chosen.original_name, "code": code},
                )
                return redirect(_objective_url(scope, answer))
    return render(
        request,
        "web/attachment_link.html",
        {
            "scope": scope,
            "city": scope.city,
            "assessment": scope.assessment,
            "answer": answer,
            "files": [(f, ", ".join(a.objective.code for a in f.here)) for f in files],
            "error": error,
            "back": _objective_url(scope, answer),
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def download_attachment(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, attachment_uuid: uuid.UUID
) -> FileResponse:
    scope = load_scope(request, city_slug, assessment_uuid)
    attachment = _attachment(scope, attachment_uuid)
    try:
        response = file_response(
            attachment.file.name,
            storage=attachment.file.storage,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def comment_objective(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, code: str
) -> HttpResponse:
    scope = load_scope(request, city_slug, assessment_uuid)
    scope.require(Verb.COMMENT)
    answer = _one_answer(scope, code)
    form = CommentForm(request.POST, prefix_code=code)
    if form.is_valid():
        try:
            add_comment(answer=answer, user=user_of(request), text=form.cleaned_data["text"])
        except EvidenceError as error:
            form.add_error("text", str(error))
    if not form.is_valid():
        item = _item(scope, answer, comment_form=form)
        return _respond(request, scope, item, status=400)
    notice = _("Comment added.")
    item = _item(scope, _one_answer(scope, code), notice=notice)
    return _respond(request, scope, item, message=notice)
