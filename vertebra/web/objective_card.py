"""The HTML of one objective's card on the editor page.

The editor shows a dozen objectives at once, each with its answer form, files, comments and
history: some 150 values per card. Through the template language that cost most of the
page's time, so the card is written here directly: the fixed texts are translated once per
language, every changing value is escaped with ``escape`` on its way in, and the markup
(ids, labels, ARIA attributes) is the same as the rest of the application's forms. The
fragment is placed in pages by ``web/policy.html`` and ``web/_objective_response.html``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from vertebra.assessments.models import AnswerStatus
from vertebra.web.cards import FieldView, HistoryRow

if TYPE_CHECKING:
    from vertebra.web.editor import ObjectiveItem


@dataclass(frozen=True)
class Texts:
    """The card's fixed texts in one language."""

    saving: str
    attached_files: str
    no_files: str
    remove: str
    attach_a_file: str
    upload: str
    no_comments: str
    add_comment: str
    no_changes: str
    progress: str
    responsible: str
    why_not_applicable: str
    evidence: str
    links: str
    notes: str
    former_member: str
    conflict_note: str
    conflict_same: str
    field: str
    saved_now: str
    your_input: str
    when: str
    who: str
    objective: str
    before: str
    after: str


@lru_cache(maxsize=16)
def texts(language: str | None) -> Texts:
    """Translated once per language (the argument is only the cache key)."""
    del language
    return Texts(
        saving=_("Saving…"),
        attached_files=_("Attached files"),
        no_files=_("No files attached."),
        remove=_("Remove"),
        attach_a_file=_("Attach a file"),
        upload=_("Upload"),
        no_comments=_("No comments yet."),
        add_comment=_("Add comment"),
        no_changes=_("No changes yet."),
        progress=_("Progress"),
        responsible=_("Responsible"),
        why_not_applicable=_("Why it does not apply"),
        evidence=_("Evidence"),
        links=_("Links"),
        notes=_("Notes"),
        former_member=_("former member"),
        conflict_note=_(
            "Nothing was overwritten. Your input is still in the form below: compare it with "
            "the saved values, change what you need and save again to keep yours."
        ),
        conflict_same=_("The saved values are the same as your input."),
        field=_("Field"),
        saved_now=_("Saved now (by the other person)"),
        your_input=_("Your unsaved input"),
        when=_("When"),
        who=_("Who"),
        objective=_("Objective"),
        before=_("Before"),
        after=_("After"),
    )


def current_texts() -> Texts:
    return texts(get_language())


def _field(view: FieldView) -> str:
    invalid = " field--invalid" if view.errors else ""
    parts = [
        f'<div class="field{invalid}">\n',
        f'  <label for="{escape(view.id)}">{escape(view.label)}</label>\n',
    ]
    if view.help:
        parts.append(
            f'  <span class="field__help" id="{escape(view.id)}_helptext">{escape(view.help)}</span>\n'
        )
    parts.append(f"  {view.html}\n")
    for error in view.errors:
        parts.append(
            f'  <p class="field__error" id="{escape(view.id)}_error">{escape(error)}</p>\n'
        )
    parts.append("</div>\n")
    return "".join(parts)


def _or_dash(value: str) -> str:
    return escape(value) if value else "—"


def history_table(rows: Iterable[HistoryRow], *, show_objective: bool, t: Texts) -> SafeString:
    """The table of changes, for one objective's card or a whole assessment's history."""
    head = f'<th scope="col">{escape(t.objective)}</th>' if show_objective else ""
    out = [
        '<div class="table-wrap">\n<table class="history">\n  <thead>\n    <tr>'
        f'<th scope="col">{escape(t.when)}</th><th scope="col">{escape(t.who)}</th>{head}'
        f'<th scope="col">{escape(t.field)}</th><th scope="col">{escape(t.before)}</th>'
        f'<th scope="col">{escape(t.after)}</th></tr>\n  </thead>\n  <tbody>\n'
    ]
    for row in rows:
        source = f' <span class="small muted">({escape(row.source)})</span>' if row.source else ""
        objective = (
            f'      <td><a href="{escape(row.objective_url)}">{escape(row.objective_code)}</a></td>\n'
            if show_objective
            else ""
        )
        out.append(
            f"    <tr>\n      <td>{escape(row.when)}</td>\n"
            f"      <td>{escape(row.who)}{source}</td>\n{objective}"
            f"      <td>{escape(row.field)}</td>\n"
            f'      <td><span class="old">{escape(row.old)}</span></td>\n'
            f'      <td><span class="new">{escape(row.new)}</span></td>\n    </tr>\n'
        )
    out.append("  </tbody>\n</table>\n</div>")
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped above


def render(item: ObjectiveItem, *, csrf_input: str, allowed_types: str) -> SafeString:
    """The ``<article>`` of one objective, the target of its forms' htmx swaps."""
    t = current_texts()
    answer = item.answer
    code = escape(item.code)
    target = f'hx-target="#objective-{code}" hx-swap="outerHTML"'
    out = [
        f'<article id="objective-{code}" class="objective objective--{escape(answer.status)}" '
        f'aria-labelledby="objective-{code}-title">\n'
        '  <header class="objective__head">\n'
        f'    <h3 id="objective-{code}-title" class="objective__code">{code}</h3>\n'
        f'    <span class="status status--{escape(answer.status)}">{escape(item.status_text)}</span>\n'
        f'    <span class="objective__meta">{escape(item.changed_text)}</span>\n'
        "  </header>\n"
        f'  <p class="objective__text">{escape(answer.objective.text)}</p>\n'
    ]
    if item.notice:
        out.append(
            f'  <p class="message message--success" role="status">{escape(item.notice)}</p>\n'
        )
    if item.conflict is not None:
        out.append(_conflict(item, t))
    if item.errors:
        errors = "".join(f"<p>{escape(e)}</p>" for e in [*item.errors, *item.non_field_errors])
        out.append(f'  <div class="error-summary" role="alert">{errors}</div>\n')

    if item.form is not None:
        save = escape(item.save_url)
        status = item.status_field
        invalid = " field--invalid" if status.errors else ""
        out.append(
            f'  <form method="post" action="{save}" hx-post="{save}" {target} novalidate>\n'
            f"    {csrf_input}\n    {item.version_input}\n"
            f'    <fieldset class="field{invalid}">\n'
            f'      <legend>{escape(status.label)}<span class="visually-hidden"> — {code}</span></legend>\n'
            f'      <div class="choices">{status.html}</div>\n'
        )
        out.extend(f'      <p class="field__error">{escape(e)}</p>\n' for e in status.errors)
        out.append("    </fieldset>\n")
        for row in item.field_rows:
            fields = "".join(_field(view) for view in row.fields)
            out.append(f'<div class="form-row">\n{fields}</div>\n' if row.paired else fields)
        save_label = _("Save %(code)s") % {"code": item.code}
        out.append(
            '    <div class="actions">\n'
            f'      <button type="submit" class="button button--primary">{escape(save_label)}</button>\n'
            f'      <span class="htmx-indicator saving">{escape(t.saving)}</span>\n'
            "    </div>\n  </form>\n"
        )
    else:
        out.append(_read_only(item, t))

    out.append(f"  <h4>{escape(t.attached_files)}</h4>\n")
    if item.files:
        out.append('  <ul class="attachments">\n')
        for file in item.files:
            name = escape(file.name)
            out.append(
                f'    <li>\n      <a href="{escape(file.url)}">{name}</a>\n'
                f'      <span class="small muted">({escape(file.details)})</span>\n'
            )
            if item.form is not None:
                delete = escape(file.delete_url)
                confirm = escape(_("Remove %(name)s?") % {"name": file.name})
                out.append(
                    f'      <form method="post" action="{delete}" hx-post="{delete}" {target} '
                    f'hx-confirm="{confirm}" class="inline-form">\n        {csrf_input}'
                    '<button type="submit" class="button button--small button--quiet">'
                    f'{escape(t.remove)}<span class="visually-hidden"> {name}</span></button>\n'
                    "      </form>\n"
                )
            out.append("    </li>\n")
        out.append("  </ul>\n")
    else:
        out.append(f'  <p class="empty small">{escape(t.no_files)}</p>\n')
    if item.attachment_form is not None:
        upload = escape(item.upload_url)
        field = item.upload_field
        invalid = " field--invalid" if item.evidence_error else ""
        allowed = _("Allowed: %(types)s.") % {"types": allowed_types}
        error = (
            f'      <p class="field__error" role="alert">{escape(item.evidence_error)}</p>\n'
            if item.evidence_error
            else ""
        )
        out.append(
            f'  <form method="post" enctype="multipart/form-data" action="{upload}" '
            f'hx-post="{upload}" hx-encoding="multipart/form-data" {target}>\n'
            f"    {csrf_input}\n"
            f'    <div class="field{invalid}">\n'
            f'      <label for="{escape(field.id)}">{escape(t.attach_a_file)}'
            f'<span class="visually-hidden"> — {code}</span></label>\n'
            f'      <span class="field__help">{escape(allowed)}</span>\n'
            f"      {field.html}\n{error}    </div>\n"
            f'    <button type="submit" class="button button--small">{escape(t.upload)}</button>\n'
            "  </form>\n"
        )

    comments = item.comments
    count = len(comments)
    summary = ngettext("Comments (%(counter)s)", "Comments (%(counter)s)", count) % {
        "counter": count
    }
    opened = " open" if item.comments_open else ""
    out.append(f"  <details{opened}>\n    <summary>{escape(summary)}</summary>\n")
    if comments:
        out.append('    <ul class="comments">\n')
        out.extend(
            f'      <li><p class="comment__meta">{escape(c.who)} · {escape(c.when)}</p>'
            f'<p class="comment__text">{escape(c.text)}</p></li>\n'
            for c in comments
        )
        out.append("    </ul>\n")
    else:
        out.append(f'    <p class="empty small">{escape(t.no_comments)}</p>\n')
    if item.comment_form is not None:
        comment = escape(item.comment_url)
        out.append(
            f'    <form method="post" action="{comment}" hx-post="{comment}" {target} novalidate>\n'
            f"      {csrf_input}\n{_field(item.comment_field)}"
            f'      <button type="submit" class="button button--small">{escape(t.add_comment)}</button>\n'
            "    </form>\n"
        )
    out.append("  </details>\n")

    rows = item.history
    changes = ngettext(
        "History (%(counter)s change)", "History (%(counter)s changes)", len(rows)
    ) % {"counter": len(rows)}
    history = (
        history_table(rows, show_objective=False, t=t)
        if rows
        else f'<p class="empty small">{escape(t.no_changes)}</p>'
    )
    out.append(
        f"  <details>\n    <summary>{escape(changes)}</summary>\n    {history}\n  </details>\n"
        "</article>\n"
    )
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped above


def _conflict(item: ObjectiveItem, t: Texts) -> str:
    who = _("%(who)s saved this objective while you were editing it.") % {"who": item.conflict_by}
    out = [
        '  <div class="conflict" role="alert">\n'
        f"    <p><strong>{escape(who)}</strong>\n    {escape(t.conflict_note)}</p>\n"
    ]
    if item.conflict:
        out.append(
            "    <table>\n      <thead><tr>"
            f'<th scope="col">{escape(t.field)}</th><th scope="col">{escape(t.saved_now)}</th>'
            f'<th scope="col">{escape(t.your_input)}</th></tr></thead>\n      <tbody>'
        )
        for row in item.conflict:
            out.append(
                f'<tr><th scope="row">{escape(row.label)}</th><td>{_lines(row.theirs)}</td>'
                f"<td>{_lines(row.yours)}</td></tr>"
            )
        out.append("</tbody>\n    </table>\n")
    else:
        out.append(f"    <p>{escape(t.conflict_same)}</p>\n")
    out.append("  </div>\n")
    return "".join(out)


def _lines(value: str) -> str:
    """As ``|default:"—"|linebreaksbr``."""
    if not value:
        return "—"
    return escape(value).replace("\r\n", "\n").replace("\n", "<br>")


def _read_only(item: ObjectiveItem, t: Texts) -> str:
    answer = item.answer
    out = ["  <dl>\n"]
    if answer.status == AnswerStatus.IN_PROGRESS:
        progress = f"{answer.progress}%" if answer.progress is not None else "—"
        out.append(f"    <dt>{escape(t.progress)}</dt><dd>{progress}</dd>\n")
    out.append(f"    <dt>{escape(t.responsible)}</dt><dd>{_or_dash(answer.owner)}</dd>\n")
    if answer.status == AnswerStatus.NOT_APPLICABLE:
        out.append(
            f"    <dt>{escape(t.why_not_applicable)}</dt>"
            f"<dd>{_or_dash(answer.na_justification)}</dd>\n"
        )
    out.append(f"    <dt>{escape(t.evidence)}</dt><dd>{_or_dash(answer.evidence)}</dd>\n")
    links = "\n".join(
        f'<a href="{escape(link)}" rel="noopener noreferrer">{escape(link)}</a>'
        for link in item.link_list
    )
    out.append(f"    <dt>{escape(t.links)}</dt><dd>{links or '—'}</dd>\n")
    out.append(f"    <dt>{escape(t.notes)}</dt><dd>{_or_dash(answer.notes)}</dd>\n  </dl>\n")
    return "".join(out)
