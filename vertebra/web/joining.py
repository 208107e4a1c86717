"""The participant's pages, without an account: entering the join code, joining with a
display name and a stakeholder type, and rating the objectives of each covered policy.

Joining gives a credential kept in the browser's session under the join code; it reaches
this workshop's pages and nothing else (``access.participant_for``). A signed-in member of
the workshop's city joins with their account (``access.member_joining``). Once the
facilitator reveals the results, each objective's card shows them. Joining and rating call
the same ``vertebra.workshops.domain`` functions as the API. A closed or unknown code gets
the same page.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from vertebra import access
from vertebra.frameworks.domain import objective_titles, shape_of
from vertebra.workshops import domain, rules
from vertebra.workshops.models import (
    Participant,
    Rating,
    RatingStatus,
    Workshop,
    WorkshopStatus,
)

SESSION_KEY = "workshop_credentials"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Join code"),
        max_length=domain.CODE_LENGTH * 3,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


def _refused(request: HttpRequest, message: str = "", status: int = 404) -> HttpResponse:
    """The one page for a closed or unknown code (and for a credential it no longer opens)."""
    text = message or str(domain.JoinRefusedError())
    return render(request, "workshops/join_refused.html", {"message": text}, status=status)


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _me(request: HttpRequest, code: str) -> Participant | None:
    """The participant this browser joined as in the workshop of ``code``, or None."""
    key = request.session.get(SESSION_KEY, {}).get(code)
    if not isinstance(key, str):
        return None
    return access.participant_for(code, domain.digest(key))


@require_http_methods(["GET", "POST"])
def enter_code(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = domain.normalized_code(form.cleaned_data["code"])
        return redirect("join_workshop", code or "-")
    status = 400 if form.errors else 200
    return render(request, "workshops/join_code.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def join_workshop(request: HttpRequest, code: str) -> HttpResponse:
    """A guest gives a display name and a stakeholder type; a signed-in member of the
    workshop's city joins under their account's name (still choosing a type), and a member
    who joined before gets their participant back, ratings and all."""
    code = domain.normalized_code(code)
    me = _me(request, code)
    if me is not None and not me.workshop.is_closed:
        return redirect("join_policy", code, me.workshop.policies[0])
    workshop = access.workshop_to_join(code)
    member = access.member_joining(request.user, workshop) if workshop is not None else None
    errors: dict[str, str] = {}
    data = {"name": "", "stakeholder_type": ""}
    if request.method == "POST":
        data = {
            "name": request.POST.get("name", ""),
            "stakeholder_type": request.POST.get("stakeholder_type", ""),
        }
        try:
            _participant, key = domain.join(
                workshop=workshop, data=data, address=_address(request), member=member
            )
        except domain.JoinRefusedError:
            return _refused(request)
        except domain.TooManyJoinsError as exc:
            return _refused(request, str(exc), status=429)
        except domain.WorkshopValidationError as exc:
            errors = exc.errors
        else:
            assert workshop is not None  # join refuses an unknown code
            credentials = dict(request.session.get(SESSION_KEY, {}))
            credentials[code] = key
            request.session[SESSION_KEY] = credentials
            return redirect("join_policy", code, workshop.policies[0])
    if workshop is None:
        return _refused(request)
    return render(
        request,
        "workshops/join.html",
        {
            "workshop": workshop,
            "data": data,
            "errors": errors,
            "member_name": domain.member_name(member) if member is not None else None,
            "earlier": (
                domain.joined_as(workshop=workshop, member=member) if member is not None else None
            ),
        },
        status=400 if errors else 200,
    )


def _workshop_for(request: HttpRequest, code: str) -> tuple[Participant, Workshop] | HttpResponse:
    me = _me(request, code)
    if me is None:
        return redirect("join_workshop", code)
    if me.workshop.is_closed:
        return _refused(request, str(domain.WorkshopClosedError()), status=403)
    return me, me.workshop


def _policy_page(
    request: HttpRequest,
    me: Participant,
    workshop: Workshop,
    policy: str,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    typed: dict[str, dict[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    if policy not in workshop.policies:
        raise Http404(_("This workshop does not cover this policy."))
    fv = workshop.assessment.framework_version
    shape = shape_of(fv)
    titles = objective_titles(fv)
    codes = list(shape.policy_objectives[policy])
    mine = {
        r.objective_code: r for r in Rating.objects.filter(participant=me, objective_code__in=codes)
    }
    objectives: list[dict[str, object]] = []
    for code in codes:
        rating = mine.get(code)
        shown = (typed or {}).get(code) or {
            "status": rating.status if rating else "",
            "progress": "" if rating is None or rating.progress is None else str(rating.progress),
            "comment": rating.comment if rating else "",
        }
        objectives.append(
            {
                "code": code,
                "text": titles.get(code, ""),
                "rating": rating,
                "shown": shown,
                "errors": (errors or {}).get(code, {}),
            }
        )
    index = workshop.policies.index(policy)
    revealed = workshop.status == WorkshopStatus.REVEALED
    if revealed:
        found = {r.code: r for r in domain.results_of(workshop).objectives}
        for item in objectives:
            item["result"] = revealed_result(found[str(item["code"])])
    return render(
        request,
        "workshops/rate.html",
        {
            "workshop": workshop,
            "me": me,
            "policy": policy,
            "policy_name": shape.policy_name[policy],
            "policies": [(p, shape.policy_name[p]) for p in workshop.policies],
            "previous": workshop.policies[index - 1] if index > 0 else None,
            "next": workshop.policies[index + 1] if index + 1 < len(workshop.policies) else None,
            "objectives": objectives,
            "statuses": RatingStatus.choices,
            "revealed": revealed,
        },
        status=status,
    )


def revealed_result(result: rules.ObjectiveResult) -> dict[str, object]:
    """One objective's results as a participant sees them once revealed: counts per status
    (with their labels), the agreement in percent and the flag; never anyone's name."""
    return {
        "ratings": result.ratings,
        "distribution": [
            (label, result.distribution.get(value, 0)) for value, label in RatingStatus.choices
        ],
        "share": None if result.agreement is None else round(result.agreement * 100),
        "flagged": result.flagged,
    }


def rate_policy(request: HttpRequest, code: str, policy: str) -> HttpResponse:
    found = _workshop_for(request, domain.normalized_code(code))
    if isinstance(found, HttpResponse):
        return found
    me, workshop = found
    return _policy_page(request, me, workshop, policy)


def rating_data(post: dict[str, str]) -> dict[str, object]:
    """A rating as the form sends it, in the shape the domain checks (as the API's)."""
    status = post.get("status") or None
    progress_text = (post.get("progress") or "").strip()
    progress: object = None
    if status == RatingStatus.IN_PROGRESS and progress_text:
        progress = (
            int(progress_text)
            if progress_text.isdigit() and len(progress_text) < 4
            else progress_text
        )
    return {"status": status, "progress": progress, "comment": post.get("comment", "")}


@require_POST
def rate_objective(request: HttpRequest, code: str, objective: str) -> HttpResponse:
    code = domain.normalized_code(code)
    found = _workshop_for(request, code)
    if isinstance(found, HttpResponse):
        return found
    me, workshop = found
    shape = shape_of(workshop.assessment.framework_version)
    policy = shape.objective_policy.get(objective)
    if policy is None or policy not in workshop.policies:
        raise Http404(_("This workshop does not cover this objective."))
    posted = {k: request.POST.get(k, "") for k in ("status", "progress", "comment")}
    try:
        domain.rate(participant=me, code=objective, data=rating_data(posted))
    except domain.WorkshopValidationError as exc:
        return _policy_page(
            request,
            me,
            workshop,
            policy,
            errors={objective: exc.errors},
            typed={objective: posted},
            status=400,
        )
    except domain.WorkshopClosedError as exc:
        return _refused(request, str(exc), status=403)
    return redirect(reverse("join_policy", args=[code, policy]) + f"#objective-{objective}")
