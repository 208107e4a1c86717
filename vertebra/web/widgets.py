"""Form widgets that write their HTML directly instead of rendering a template each.

The editor page shows a dozen forms with eight fields each; rendering every input through
Django's form templates costs more than the rest of the page. These widgets produce the same
markup as Django's own templates (same attributes, in the same order, escaped the same way)
with plain string building. Anything unusual (for example a file input with an initial
file) falls back to the template.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# ``html.escape(str(value))`` is what the widget templates do: ``|stringformat:'s'``, then
# autoescaping, which is ``html.escape``; calling it directly skips the lazy-string checks.


def html_attrs(attrs: dict[str, Any]) -> str:
    """Like django/forms/widgets/attrs.html: in order, ``True`` as a bare name, skip ``False``."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {escape(str(name))}")
        else:
            parts.append(f' {escape(str(name))}="{escape(str(value))}"')
    return "".join(parts)


def _input(kind: str, name: str, value: Any, attrs: dict[str, Any]) -> str:
    shown = "" if value is None else f' value="{escape(str(value))}"'
    return f'<input type="{kind}" name="{escape(name)}"{shown}{html_attrs(attrs)}>'


class DirectInputMixin:
    """For widgets rendered by django/forms/widgets/input.html."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        return mark_safe(_input(widget["type"], widget["name"], widget["value"], widget["attrs"]))  # noqa: S308 - every part is escaped above


class TextInput(DirectInputMixin, forms.TextInput):
    pass


class NumberInput(DirectInputMixin, forms.NumberInput):
    pass


class HiddenInput(DirectInputMixin, forms.HiddenInput):
    pass


class Textarea(forms.Textarea):
    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        text = escape(str(widget["value"])) if widget["value"] else ""
        return mark_safe(  # noqa: S308 - every part is escaped
            f'<textarea name="{escape(widget["name"])}"'
            f"{html_attrs(widget['attrs'])}>\n{text}</textarea>"
        )


class FileInput(forms.ClearableFileInput):
    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        if widget["is_initial"]:
            return super().render(name, value, attrs, renderer)
        return mark_safe(_input(widget["type"], widget["name"], None, widget["attrs"]))  # noqa: S308 - escaped


class ChoiceLabels(forms.RadioSelect):
    """Radio buttons, each inside its own ``<label class="choice">``, without a wrapper.

    The page puts them in its own fieldset with a legend; every radio has a label of its own.
    Attributes as Django's radio options: the group's, with ``id`` numbered per option and
    ``checked`` on the selected one.
    """

    def _labels(self) -> list[tuple[str, str]]:
        """(value, label) of each choice, the labels translated once per language."""
        cache: dict[str | None, list[tuple[str, str]]] = self.__dict__.setdefault(
            "_labels_by_language", {}
        )
        language = get_language()
        labels = cache.get(language)
        if labels is None:
            labels = [(str(value), str(label)) for value, label in self.choices]
            cache[language] = labels
        return labels

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        if attrs and "id" in attrs:
            attrs = {"id": attrs["id"], **attrs}  # as Django's own radios: id first
        group = self.build_attrs(self.attrs, attrs)
        selected = set(self.format_value(value))
        parts = []
        for index, (choice, label) in enumerate(self._labels()):
            option = dict(group)
            if "id" in option:
                option["id"] = self.id_for_label(option["id"], str(index))
            if choice in selected:
                option["checked"] = True
            target = option.get("id")
            for_attr = f' for="{escape(target)}"' if target else ""
            parts.append(
                f'<label class="choice"{for_attr}>{_input("radio", name, choice, option)} '
                f"{escape(label)}</label>"
            )
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped
