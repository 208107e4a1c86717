"""The editor's short rendering paths give exactly what Django's own form rendering gives."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils.safestring import SafeString

from vertebra.web import widgets
from vertebra.web.cards import _bound_field_view, field_view
from vertebra.web.forms import AnswerForm, AttachmentForm, CommentForm

ANSWER = {
    "status": "in_progress",
    "progress": 40,
    "evidence": 'Plan "A" <approved> & published',
    "links": "https://example.org/a?b=1&c=2",
    "notes": "",
    "owner": "Civil Protection",
    "na_justification": "",
    "version": 3,
}


@pytest.mark.parametrize("name", list(AnswerForm.base_fields))
@pytest.mark.parametrize("initial", [ANSWER, {"status": "not_started", "version": 1}])
def test_unbound_answer_field_renders_as_django_does(name: str, initial: dict[str, Any]) -> None:
    form = AnswerForm(initial=initial, prefix_code="L1S1")
    assert field_view(form, name) == _bound_field_view(form, name)


@pytest.mark.parametrize(
    "form", [CommentForm(prefix_code="L1S1"), AttachmentForm(prefix_code="L1S1")]
)
def test_unbound_comment_and_upload_fields_render_as_django_does(form: forms.Form) -> None:
    for name in form.fields:
        assert field_view(form, name) == _bound_field_view(form, name)


def test_radio_choices_mark_the_saved_status_and_number_their_ids() -> None:
    html = field_view(AnswerForm(initial=ANSWER, prefix_code="L1S1"), "status").html
    assert isinstance(html, SafeString)
    assert (
        '<label class="choice" for="id_L1S1_status_1"><input type="radio" name="status" '
        'value="in_progress" id="id_L1S1_status_1" required checked> In progress</label>'
    ) in html
    assert html.count(" checked") == 1


def test_values_are_escaped_in_inputs() -> None:
    html = field_view(AnswerForm(initial=ANSWER, prefix_code="L1S1"), "evidence").html
    assert ">\nPlan &quot;A&quot; &lt;approved&gt; &amp; published</textarea>" in html


def test_forms_share_fields_but_keep_their_own_errors() -> None:
    first = AnswerForm({"status": "bogus", "version": "1"}, prefix_code="L1S1")
    second = AnswerForm({"status": "achieved", "version": "1"}, prefix_code="L1S2")
    assert first.fields["status"] is second.fields["status"]
    assert not first.is_valid()
    assert second.is_valid()
    assert "status" in first.errors
    assert not second.errors


@pytest.mark.parametrize(
    ("ours", "django_own", "value"),
    [
        (widgets.TextInput(), forms.TextInput(), 'Fire "Service" <HQ> & co'),
        (widgets.NumberInput(), forms.NumberInput(), 40),
        (widgets.HiddenInput(), forms.HiddenInput(), 3),
        (widgets.Textarea(attrs={"rows": 2}), forms.Textarea(attrs={"rows": 2}), "a\n<b>"),
        (widgets.TextInput(), forms.TextInput(), None),
        (widgets.FileInput(), forms.ClearableFileInput(), None),
    ],
)
def test_editor_widgets_write_the_markup_of_djangos_own_templates(
    ours: forms.Widget, django_own: forms.Widget, value: Any
) -> None:
    attrs = {"required": True, "disabled": False, "aria-describedby": "x_helptext", "id": 'i"d'}
    assert ours.render("field", value, attrs) == django_own.render("field", value, attrs)
