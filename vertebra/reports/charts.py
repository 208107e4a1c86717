"""Server-side SVG chart of the policies' stages, shared by the web pages and the PDF report.

Plain SVG with presentation attributes only: no script, no style element, no outside
request, so it is safe to inline under a strict Content-Security-Policy. It reads in black and
white: every bar carries its stage name as text, and progress toward the next stage is a
hatched (not just lighter) segment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from vertebra.l10n import day
from vertebra.maturity import Profile, Shape

WIDTH = 760
LABEL_WIDTH = 300
RIGHT_PAD = 20
TOP_PAD = 12
TITLE_HEIGHT = 30
HEAD_HEIGHT = 28
ROW_HEIGHT = 30
GROUP_HEIGHT = 24
LEGEND_HEIGHT = 62  # the legend's two lines, one under the other
BAR_HEIGHT = 18
FONT = "Vertebra Sans, DejaVu Sans, Verdana, Arial, sans-serif"
INK = "#1b2430"
BAR = "#0b5c8c"
GRID = "#9aa5b1"
MAX_LABEL = 40


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def policy_stages_svg(profile: Profile, shape: Shape, *, title: str = "") -> str:
    """A horizontal bar per policy, grouped by dimension; the bar ends at the policy's stage."""
    stages = shape.stage_codes
    column = (WIDTH - LABEL_WIDTH - RIGHT_PAD) / len(stages)
    rows = len(shape.policy_codes)
    groups = len(shape.dimension_codes)
    title_height = TITLE_HEIGHT if title else 0
    top = TOP_PAD + title_height + HEAD_HEIGHT
    height = top + rows * ROW_HEIGHT + groups * GROUP_HEIGHT + LEGEND_HEIGHT
    accessible_title = title or _("Stage of each policy")
    key = hashlib.sha1(  # noqa: S324 - an id for the pattern, not security
        repr(
            (
                accessible_title,
                [(p, r.stage, r.next_stage_progress) for p, r in profile.policies.items()],
            )
        ).encode()
    ).hexdigest()[:10]
    hatch = f"vt-hatch-{key}"
    title_id = f"vt-chart-title-{key}"
    desc_id = f"vt-chart-desc-{key}"

    descriptions = []
    for code in shape.policy_codes:
        result = profile.policies[code]
        stage = shape.stage_names[result.stage] if result.stage else _("no stage yet")
        descriptions.append(f"{code}: {stage}")
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" aria-labelledby="{title_id} {desc_id}" '
        f'font-family="{_attr(FONT)}" font-size="12" fill="{INK}">',
        f'<title id="{title_id}">{escape(accessible_title)}</title>',
        f'<desc id="{desc_id}">{escape("; ".join(descriptions))}</desc>',
        "<defs>",
        f'<pattern id="{hatch}" patternUnits="userSpaceOnUse" width="6" height="6" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{INK}" stroke-width="2"/></pattern>',
        "</defs>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    if title:
        out.append(
            f'<text x="0" y="{TOP_PAD + 18}" font-size="16" font-weight="bold">{escape(title)}</text>'
        )
    # Stage columns: names on top, a grid line at each boundary.
    body_top = top
    body_bottom = height - LEGEND_HEIGHT
    for index, code in enumerate(stages):
        x = LABEL_WIDTH + index * column
        out.append(
            f'<text x="{x + column / 2:.1f}" y="{top - 10}" text-anchor="middle" '
            f'font-weight="bold">{escape(shape.stage_names[code])}</text>'
        )
    for index in range(len(stages) + 1):
        x = LABEL_WIDTH + index * column
        out.append(
            f'<line x1="{x:.1f}" y1="{body_top - 4}" x2="{x:.1f}" y2="{body_bottom}" '
            f'stroke="{GRID}" stroke-width="1" stroke-dasharray="3 3"/>'
        )
    y = body_top
    for dimension in shape.dimension_codes:
        out.append(
            f'<text x="0" y="{y + 16}" font-weight="bold" font-size="12.5">'
            f"{escape(shape.dimension_name[dimension])}</text>"
        )
        y += GROUP_HEIGHT
        for code in shape.dimension_policies[dimension]:
            result = profile.policies[code]
            mid = y + ROW_HEIGHT / 2
            label = f"{code} {result.name}"
            out.append(
                f'<text x="10" y="{mid + 4:.1f}"><title>{escape(label)}</title>'
                f"{escape(_short(label))}</text>"
            )
            bar_top = mid - BAR_HEIGHT / 2
            level = -1 if result.stage is None else shape.stage_index[result.stage]
            bar_width = (level + 1) * column
            if bar_width:
                out.append(
                    f'<rect x="{LABEL_WIDTH}" y="{bar_top:.1f}" width="{bar_width:.1f}" '
                    f'height="{BAR_HEIGHT}" fill="{BAR}" stroke="{INK}" stroke-width="1"/>'
                )
                out.append(
                    f'<text x="{LABEL_WIDTH + bar_width - 6:.1f}" y="{mid + 4:.1f}" '
                    f'text-anchor="end" fill="#ffffff" font-weight="bold">'
                    f"{escape(shape.stage_names[result.stage or ''])}</text>"
                )
            progress = result.next_stage_progress or 0.0
            if result.next_stage is not None and progress > 0:
                part = progress * column
                out.append(
                    f'<rect x="{LABEL_WIDTH + bar_width:.1f}" y="{bar_top:.1f}" '
                    f'width="{part:.1f}" height="{BAR_HEIGHT}" fill="url(#{hatch})" '
                    f'stroke="{INK}" stroke-width="1"/>'
                )
            if result.stage is None:
                text_x = LABEL_WIDTH + (progress * column if result.next_stage else 0) + 6
                none_yet = escape(_("No stage yet"))
                out.append(
                    f'<text x="{text_x:.1f}" y="{mid + 4:.1f}" font-style="italic">'
                    f"{none_yet}</text>"
                )
            y += ROW_HEIGHT
    # Legend: one item per line, so that no language's words run past the chart's edge.
    legend_y = body_bottom + 16
    reached, toward = escape(_("Stage reached")), escape(_("Progress toward the next stage"))
    out.append(
        f'<rect x="{LABEL_WIDTH}" y="{legend_y}" width="24" height="12" fill="{BAR}" '
        f'stroke="{INK}" stroke-width="1"/>'
        f'<text x="{LABEL_WIDTH + 30}" y="{legend_y + 10}">{reached}</text>'
        f'<rect x="{LABEL_WIDTH}" y="{legend_y + 20}" width="24" height="12" '
        f'fill="url(#{hatch})" stroke="{INK}" stroke-width="1"/>'
        f'<text x="{LABEL_WIDTH + 30}" y="{legend_y + 30}">'
        f"{toward}</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


# Line styles that stay apart in black and white: dash pattern and marker differ per series.
TREND_STYLES = (
    ("", "circle", 3.0),
    ("8 4", "square", 2.0),
    ("2 3", "diamond", 2.0),
    ("10 3 2 3", "triangle", 2.0),
    ("4 2", "circle", 1.5),
)


def _marker(kind: str, x: float, y: float) -> str:
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="#ffffff" stroke="{INK}" stroke-width="1.5"/>'
    if kind == "diamond":
        return f'<path d="M{x:.1f} {y - 5:.1f} L{x + 5:.1f} {y:.1f} L{x:.1f} {y + 5:.1f} L{x - 5:.1f} {y:.1f} Z" fill="{INK}"/>'
    if kind == "triangle":
        return f'<path d="M{x:.1f} {y - 5:.1f} L{x + 5:.1f} {y + 4:.1f} L{x - 5:.1f} {y + 4:.1f} Z" fill="#ffffff" stroke="{INK}" stroke-width="1.5"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{INK}"/>'


def stage_trend_svg(points: Sequence[Any], *, title: str = "") -> str:
    """Stages of the city and of each dimension over assessment cycles (oldest first).

    ``points`` have ``.assessment`` (title, date), ``.shape`` and ``.profile``; the newest
    cycle's model names the stages and dimensions.
    """
    if not points:
        return ""
    shape = points[-1].shape
    stages = shape.stage_codes
    label_w, right, top_pad = 110, 90, 16 + (TITLE_HEIGHT if title else 0)
    row = 40
    plot_h = row * len(stages)
    legend_top = top_pad + plot_h + 62  # below the cycles' names: whole names, one per line
    height = legend_top + 22 * (1 + len(shape.dimension_codes)) + 8
    plot_w = WIDTH - label_w - right
    step = plot_w / max(len(points) - 1, 1)
    series: list[tuple[str, list[int]]] = [(_("The city overall"), [])]
    series += [(shape.dimension_name[d], []) for d in shape.dimension_codes]
    for point in points:
        levels = [point.profile.overall.stage]
        levels += [
            point.profile.dimensions[d].stage if d in point.profile.dimensions else None
            for d in shape.dimension_codes
        ]
        for (_name, values), stage in zip(series, levels, strict=True):
            values.append(
                -1 if stage is None or stage not in shape.stage_index else shape.stage_index[stage]
            )

    accessible = title or _("Stages over the assessment cycles")
    none_yet = _("no stage yet")
    desc = "; ".join(
        f"{p.assessment.title}: {shape.stage_names.get(p.profile.overall.stage or '', none_yet)}"
        for p in points
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" font-family="{_attr(FONT)}" font-size="12" fill="{INK}">',
        f"<title>{escape(accessible)}</title><desc>{escape(desc)}</desc>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    if title:
        out.append(f'<text x="0" y="{18}" font-size="16" font-weight="bold">{escape(title)}</text>')
    for level in range(-1, len(stages)):
        y = top_pad + plot_h - (level + 1) * row
        name = shape.stage_names[stages[level]] if level >= 0 else _("No stage yet")
        out.append(
            f'<line x1="{label_w}" y1="{y:.1f}" x2="{label_w + plot_w}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-dasharray="3 3"/>'
            f'<text x="{label_w - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(name)}</text>'
        )
    for index, point in enumerate(points):
        x = label_w + index * step if len(points) > 1 else label_w + plot_w / 2
        a = point.assessment
        out.append(
            f'<text x="{x:.1f}" y="{top_pad + plot_h + 22}" text-anchor="middle">'
            f"{escape(_short(a.title, 22))}</text>"
            f'<text x="{x:.1f}" y="{top_pad + plot_h + 38}" text-anchor="middle" fill="#444">'
            f"{escape(day(a.date))}</text>"
        )
    for number, (name, values) in enumerate(series):
        dash, marker, width = TREND_STYLES[number % len(TREND_STYLES)]
        offset = (number - len(series) / 2) * 3  # keep equal lines from hiding each other
        coords = [
            (
                label_w + i * step if len(points) > 1 else label_w + plot_w / 2,
                top_pad + plot_h - (v + 1) * row + offset,
            )
            for i, v in enumerate(values)
        ]
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x:.1f} {y:.1f}" for i, (x, y) in enumerate(coords)
        )
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<path d="{path}" fill="none" stroke="{INK}" stroke-width="{width}"{dash_attr}/>'
        )
        out.extend(_marker(marker, x, y) for x, y in coords)
        legend_y = legend_top + number * 22
        lx = label_w
        out.append(
            f'<line x1="{lx}" y1="{legend_y}" x2="{lx + 30}" y2="{legend_y}" stroke="{INK}" '
            f'stroke-width="{width}"{dash_attr}/>'
            + _marker(marker, lx + 15, legend_y)
            + f'<text x="{lx + 38}" y="{legend_y + 4}">{escape(name)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
