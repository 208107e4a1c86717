"""The one door to city data: a person reaches only their cities, and a role only its verbs."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from vertebra import access
from vertebra.access import CHANGES, ROLE_VERBS, Verb
from vertebra.accounts.models import User
from vertebra.assessments.domain import create_assessment, finalize
from vertebra.assessments.models import Assessment
from vertebra.cities.models import City, Membership, Role

ROLE_MESSAGE = "Your role in this city does not allow this."
FINAL_MESSAGE = "This assessment is final and can no longer be changed."


def _world() -> User:
    person = User.objects.create_user("lead@example.org", "a-long-password")
    for slug, name, role in (("riga", "Riga", "viewer"), ("bilbao", "Bilbao", "admin")):
        Membership.objects.create(
            city=City.objects.create(slug=slug, name=name), user=person, role=role
        )
    City.objects.create(slug="porto", name="Porto")
    return person


@pytest.mark.django_db
def test_memberships_are_the_persons_own_by_city_name() -> None:
    person = _world()
    assert [(m.city.name, m.role) for m in access.memberships(person)] == [
        ("Bilbao", "admin"),
        ("Riga", "viewer"),
    ]
    assert list(access.memberships(AnonymousUser())) == []


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["porto", "nowhere"])
def test_a_city_without_membership_is_not_found(slug: str) -> None:
    person = _world()
    assert access.menu_of(person, slug).membership is None
    with pytest.raises(Http404):
        access.membership_in(person, slug)


@pytest.mark.django_db
def test_anonymous_finds_no_city() -> None:
    _world()
    with pytest.raises(Http404):
        access.membership_in(AnonymousUser(), "riga")


@pytest.mark.django_db
def test_the_menu_and_the_door_give_the_same_membership() -> None:
    person = _world()
    assert access.menu_of(person, "riga").membership == access.membership_in(person, "riga")


@pytest.mark.django_db
def test_a_member_without_the_verb_is_refused_after_the_city_is_found() -> None:
    person = _world()
    with pytest.raises(PermissionDenied, match=ROLE_MESSAGE):
        access.membership_in(person, "riga", verb=Verb.MANAGE_CITY)
    assert access.membership_in(person, "bilbao", verb=Verb.MANAGE_CITY).city.slug == "bilbao"


@pytest.mark.django_db
def test_another_citys_assessment_is_not_found_through_ones_own_city() -> None:
    person = _world()
    theirs = create_assessment(
        city=City.objects.get(slug="porto"), user=None, title="Porto 2026", date=dt.date(2026, 1, 1)
    )
    with pytest.raises(Http404):
        access.assessment_for(person, "bilbao", theirs.uuid)
    with pytest.raises(Http404):
        access.assessment_for(person, "porto", theirs.uuid)


@pytest.mark.django_db
def test_an_assessment_comes_with_its_city_and_refuses_by_role() -> None:
    person = _world()
    riga = City.objects.get(slug="riga")
    ours = create_assessment(city=riga, user=None, title="Riga 2026", date=dt.date(2026, 1, 1))
    found = access.assessment_for(person, "riga", ours.uuid)
    assert (found.assessment.pk, found.city.slug, found.assessment.city.slug) == (
        ours.pk,
        "riga",
        "riga",
    )
    with pytest.raises(PermissionDenied, match=ROLE_MESSAGE):
        access.assessment_for(person, "riga", ours.uuid, verb=Verb.EDIT_ANSWERS)


def test_the_table_gives_every_role_every_verb_it_had() -> None:
    assert {role: sorted(ROLE_VERBS[role]) for role in Role} == {
        Role.ADMIN: sorted(Verb),
        Role.EDITOR: sorted(
            set(Verb)
            - {
                Verb.SET_TARGETS,
                Verb.FINALIZE,
                Verb.MANAGE_CITY,
                Verb.MANAGE_PEOPLE,
                Verb.MANAGE_REVIEWS,
            }
        ),
        Role.CONTRIBUTOR: sorted({Verb.VIEW, Verb.EXPORT, Verb.COMMENT}),
        Role.VIEWER: sorted({Verb.VIEW, Verb.EXPORT}),
    }


@pytest.mark.parametrize("verb", list(Verb))
@pytest.mark.parametrize("role", list(Role))
def test_can_follows_the_table_and_a_final_assessment_refuses_changes(
    role: Role, verb: Verb
) -> None:
    membership = Membership(role=role)
    draft, final = Assessment(status="draft"), Assessment(status="final")
    allowed = verb in ROLE_VERBS[role]
    assert access.can(membership, verb) is allowed
    assert access.can(membership, verb, assessment=draft) is allowed
    assert access.can(membership, verb, assessment=final) is (allowed and verb not in CHANGES)


@pytest.mark.parametrize(
    ("role", "status", "message"),
    [
        (Role.VIEWER, "draft", ROLE_MESSAGE),
        (Role.VIEWER, "final", ROLE_MESSAGE),
        (Role.EDITOR, "final", FINAL_MESSAGE),
    ],
)
def test_a_refusal_says_why(role: Role, status: str, message: str) -> None:
    with pytest.raises(PermissionDenied, match=message):
        access.require(
            Membership(role=role), Verb.EDIT_ANSWERS, assessment=Assessment(status=status)
        )


def test_an_editor_may_edit_a_draft() -> None:
    access.require(Membership(role=Role.EDITOR), Verb.EDIT_ANSWERS, assessment=Assessment())


@pytest.mark.django_db
def test_a_final_assessment_refuses_changes_through_the_scope() -> None:
    person = _world()
    bilbao = City.objects.get(slug="bilbao")
    ours = create_assessment(city=bilbao, user=None, title="Bilbao", date=dt.date(2026, 1, 1))
    finalize(assessment=ours, user=person)
    found = access.assessment_for(person, "bilbao", ours.uuid, verb=Verb.FINALIZE)
    assert {v for v in Verb if found.can(v)} == set(Verb) - CHANGES
    assert found.may["view"] is True
    assert found.may["edit_answers"] is False
    with pytest.raises(PermissionDenied, match=FINAL_MESSAGE):
        found.require(Verb.COMMENT)


# --- no other door -------------------------------------------------------------------------

VERTEBRA = Path(__file__).resolve().parent.parent / "vertebra"
# The models whose rows are found from a slug or an id given from outside; rows below them
# are read through a scoped parent (``assessment.answers``, ``filter(answer=answer)``).
ROOTS = ("City", "Membership", "Assessment", "Action")
INTERFACES = ("web", "api", "cli")
# Each entry: a file, the model, and why it may look the model up directly.
ALLOWED: dict[tuple[str, str], str] = {}
LOOKUP = re.compile(r"\b(" + "|".join(ROOTS) + r")\.objects\b")


def _interface_files() -> list[Path]:
    files: list[Path] = []
    for name in INTERFACES:
        path = VERTEBRA / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [f for f in files if "migrations" not in f.parts]


def test_interfaces_reach_city_data_only_through_the_access_module() -> None:
    found = {
        (str(path.relative_to(VERTEBRA)), match.group(1))
        for path in _interface_files()
        for match in LOOKUP.finditer(path.read_text())
    }
    assert found - set(ALLOWED) == set()


# Rows below an assessment or an action: looked up only with the scoped parent in the same call.
CHILDREN = ("Answer", "AnswerEvent", "Comment", "Attachment", "Target", "ActionEvent", "ActionNote")
CHILD_LOOKUP = re.compile(r"\b(" + "|".join(CHILDREN) + r")\.objects\b")
PARENT = re.compile(
    r"\b(assessment|assessment__in|answer|answers|answer__assessment|answers__assessment|action)="
)
# Each entry: a file and a model it may look up without naming the parent, and why.
UNPARENTED: dict[tuple[str, str], str] = {
    ("web/editor.py", "Answer"): "reloads answers by the keys of answers it read scoped",
}


def _query_at(text: str, start: int) -> str:
    """The chained query that starts at ``start``: up to the end of its call or statement."""
    depth, i = 0, start
    while i < len(text):
        char = text[i]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                break
        elif char == "\n" and depth == 0 and not text[i + 1 :].lstrip().startswith("."):
            break
        i += 1
    return text[start:i]


def test_rows_below_a_city_object_are_read_through_their_scoped_parent() -> None:
    found = set()
    for path in _interface_files():
        text = path.read_text()
        for match in CHILD_LOOKUP.finditer(text):
            if text[: match.start()].rstrip().endswith("queryset="):
                continue  # a prefetch: it follows the scoped rows it hangs from
            if not PARENT.search(_query_at(text, match.start())):
                found.add((str(path.relative_to(VERTEBRA)), match.group(1)))
    assert found - set(UNPARENTED) == set()


def test_the_role_rules_live_only_in_the_access_module() -> None:
    rules = re.compile(r"Role\.(ADMIN|EDITOR|CONTRIBUTOR|VIEWER)|require_role|WRITE_ROLES")
    offenders = [
        str(path.relative_to(VERTEBRA))
        for path in [*_interface_files(), VERTEBRA / "cities" / "models.py"]
        if rules.search(path.read_text())
    ]
    assert offenders == []
