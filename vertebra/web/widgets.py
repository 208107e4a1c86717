"""The editor's form widgets: Django's own, each drawn by one template of ``web/widgets/``.

The editor page shows a dozen forms with eight fields each. Django's widget templates include
one another (an input includes its attributes; a radio group its options, each option an
input); these templates write the same markup (same attributes, in the same order, escaped the
same way) in one template each.
"""

from __future__ import annotations

from typing import Any

from django import forms


class TextInput(forms.TextInput):
    template_name = "web/widgets/input.html"


class NumberInput(forms.NumberInput):
    template_name = "web/widgets/input.html"


class HiddenInput(forms.HiddenInput):
    template_name = "web/widgets/input.html"


class Textarea(forms.Textarea):
    template_name = "web/widgets/textarea.html"


class FileInput(forms.ClearableFileInput):
    """A plain file input; with an initial file, Django's own template (link and clear box)."""

    template_name = "web/widgets/file.html"


class ChoiceLabels(forms.RadioSelect):
    """Radio buttons, each inside its own ``<label class="choice">``, without a wrapper.

    The page puts them in its own fieldset with a legend; every radio has a label of its own.
    Attributes as Django's radio options: the group's, with ``id`` first and numbered per
    option, and ``checked`` on the selected one.
    """

    template_name = "web/widgets/choices.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        if attrs and "id" in attrs:
            attrs = {"id": attrs["id"], **attrs}  # as Django's own radios: id first
        return super().get_context(name, value, attrs)
