"""The roadmap timeline as server-rendered SVG: one band per policy, one bar per action.

Each band shows the policy's actions from start to due date, its target date (dashed line) and
the dates its projected stage rises (diamonds with the stage code). Colours come from classes in
web/static/planning/planning.css; every mark also has text (a label or a tooltip title), so colour is never the only
signal. Reports can reuse the markup as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from vertebra.l10n import day
from vertebra.maturity import Shape
from vertebra.planning.models import Action, ActionStatus
from vertebra.planning.roadmap import PolicyProjection

WIDTH = 1000
LABEL = 190
HEAD = 30
ROW = 22
AXIS = 28


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_timeline(
    *,
    shape: Shape,
    rows: Sequence[tuple[str, PolicyProjection, Sequence[Action]]],
    today: dt.date,
    start: dt.date,
) -> SafeString:
    dates = [start, today]
    for _code, projection, actions in rows:
        if projection.target_date:
            dates.append(projection.target_date)
        for action in actions:
            dates.extend(d for d in (action.start_date, action.due_date) if d)
    first = _month_start(min(dates))
    last = _next_month(max(dates))
    if (last - first).days < 365:
        last = dt.date(first.year + 1, first.month, 1)
    span = (last - first).days
    usable = WIDTH - LABEL - 10

    def x(day: dt.date) -> float:
        return round(LABEL + usable * (day - first).days / span, 1)

    height = AXIS + sum(HEAD + ROW * max(len(actions), 0) + 6 for _, _, actions in rows) + 10
    title = escape(_("Roadmap timeline by policy"))
    description = escape(
        _(
            "Bars are actions from start to due date; dashed lines are target dates; diamonds "
            "mark the dates the projected stage rises. The same information is in the tables "
            "below."
        )
    )
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="timeline" role="img" aria-labelledby="timeline-title timeline-desc">',
        f'<title id="timeline-title">{title}</title>',
        f'<desc id="timeline-desc">{description}</desc>',
    ]
    # Year lines and labels.
    year = first.year if first.month == 1 else first.year + 1
    while dt.date(year, 1, 1) < last:
        pos = x(dt.date(year, 1, 1))
        parts.append(f'<line class="tl-year" x1="{pos}" y1="{AXIS - 8}" x2="{pos}" y2="{height}"/>')
        parts.append(f'<text class="tl-axis" x="{pos + 3}" y="{AXIS - 12}">{year}</text>')
        year += 1
    y = AXIS
    for code, projection, actions in rows:
        band = HEAD + ROW * len(actions)
        parts.append(f'<rect class="tl-band" x="0" y="{y}" width="{WIDTH}" height="{band + 2}"/>')
        now = projection.stage or "–"
        then = projection.final_stage or "–"
        parts.append(
            f'<text class="tl-policy" x="6" y="{y + 19}">{escape(code)} '
            f'<tspan class="tl-stage">{escape(now)} → {escape(then)}</tspan></text>'
        )
        if projection.target_date and projection.target:
            pos = x(projection.target_date)
            label = _("Target %(stage)s") % {"stage": projection.target}
            parts.append(
                f'<line class="tl-target" x1="{pos}" y1="{y + 2}" x2="{pos}" y2="{y + band}">'
                f"<title>{escape(label)}: {escape(day(projection.target_date))}</title></line>"
            )
            parts.append(
                f'<text class="tl-target-label" x="{pos - 4}" y="{y + 12}" text-anchor="end">'
                f"{escape(label)}</text>"
            )
        for step in projection.steps:
            pos = x(step.date)
            stage = step.stage or "–"
            tip = _("Projected stage %(stage)s from %(date)s") % {
                "stage": shape.stage_names.get(stage, stage),
                "date": day(step.date),
            }
            parts.append(
                f'<g class="tl-step"><title>{escape(tip)}</title>'
                f'<path d="M{pos} {y + 13} l7 7 l-7 7 l-7 -7 z"/>'
                f'<text x="{pos + 9}" y="{y + 25}">{escape(stage)}</text></g>'
            )
        row_y = y + HEAD
        for action in actions:
            status_label = str(ActionStatus(action.status).label)
            if action.due_date:
                begin = action.start_date or (action.due_date - dt.timedelta(days=30))
                x1, x2 = x(max(begin, first)), x(action.due_date)
                overdue = action.due_date < today and action.status in (
                    ActionStatus.PROPOSED,
                    ActionStatus.PLANNED,
                    ActionStatus.IN_PROGRESS,
                )
                classes = f"tl-bar tl-bar--{action.status}" + (
                    " tl-bar--overdue" if overdue else ""
                )
                due = _("due %(date)s") % {"date": day(action.due_date)}
                tip = f"{action.title} ({status_label}, {due})"
                parts.append(
                    f'<g class="{classes}"><title>{escape(tip)}</title>'
                    f'<rect x="{x1}" y="{row_y + 3}" width="{max(x2 - x1, 4)}" height="{ROW - 6}" rx="3"/>'
                    f"</g>"
                )
                text_x, anchor = (x2 + 4, "start") if x2 < WIDTH - 260 else (x1 - 4, "end")
            else:
                text_x, anchor = LABEL + 4, "start"
            suffix = "" if action.due_date else " · " + _("no due date")
            parts.append(
                f'<text class="tl-label" x="{max(text_x, LABEL + 4)}" y="{row_y + 15}" '
                f'text-anchor="{anchor}">{escape(_short(action.title) + suffix)}</text>'
            )
            row_y += ROW
        y += band + 6
    pos = x(today)
    today_label = escape(_("Today"))
    parts.append(
        f'<line class="tl-today" x1="{pos}" y1="{AXIS - 8}" x2="{pos}" y2="{height}">'
        f"<title>{today_label}</title></line>"
    )
    parts.append(f'<text class="tl-today-label" x="{pos + 3}" y="{AXIS - 2}">{today_label}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
