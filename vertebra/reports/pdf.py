"""The PDF report of an assessment: HTML templates rendered by WeasyPrint.

Fonts are the application's own (``fonts/``, DejaVu: every interface language's letters) and
nothing is fetched from outside: the URL fetcher refuses every
address that is not a local file or inline data. The chart is the same SVG the web pages show.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vertebra.assessments.models import Answer, AnswerStatus, Assessment
from vertebra.maturity import PolicyResult, Profile, Shape
from vertebra.planning.models import ActionStatus
from vertebra.reports.compare import (
    Comparison,
    DifferentModelsError,
    compare_statuses,
    present,
)
from vertebra.reports.data import ReportData, report_data
from vertebra.reports.references import reference_reports
from vertebra.reviews.domain import reviews_for_report

TEMPLATES = Path(__file__).resolve().parent / "templates" / "reports"
EVIDENCE_SUMMARY_CHARS = 280

# Symbols beside every status and cell state, so that the report reads in black and white.
STATUS_SYMBOLS = {
    AnswerStatus.ACHIEVED.value: "✔",
    AnswerStatus.IN_PROGRESS.value: "◐",
    AnswerStatus.NOT_STARTED.value: "○",
    AnswerStatus.NOT_APPLICABLE.value: "–",
}
CELL_SYMBOLS = {"met": "✔", "partly": "◐", "open": "○", "none": ""}


class ExternalResourceRefused(ValueError):
    pass


def _local_fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    class LocalURLFetcher(URLFetcher):  # type: ignore[misc]
        """Serve only local files and inline data to WeasyPrint; never reach the network."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.lower().startswith(("file:", "data:")):
                raise ExternalResourceRefused(
                    f"Refused to fetch {url!r}: reports use local resources only."
                )
            return super().fetch(url, headers)

    return LocalURLFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)


def local_url_fetcher() -> Any:
    """A fresh fetcher for one rendering (WeasyPrint keeps request state on it)."""
    return _local_fetcher()


def stage_name(shape: Shape, code: str | None) -> str:
    return _("no stage yet") if code is None else shape.stage_names[code]


def _summary(text: str, limit: int = EVIDENCE_SUMMARY_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _join(items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def _rank(shape: Shape, p: PolicyResult) -> tuple[int, float]:
    level = -1 if p.stage is None else shape.stage_index[p.stage]
    return level, p.next_stage_progress if p.next_stage_progress is not None else 1.0


def executive_summary(data: ReportData) -> list[str]:
    """The summary in plain sentences: overall stage, strongest and weakest policies, next step."""
    shape, result = data.shape, data.profile
    city = data.city.name
    sentences: list[str] = []
    if result.overall.stage is None:
        sentences.append(
            _("%(city)s has not yet reached the first stage, %(stage)s, as a whole.")
            % {"city": city, "stage": shape.stage_names[shape.stage_codes[0]]}
        )
    else:
        sentences.append(
            _("%(city)s stands at the %(stage)s stage overall.")
            % {"city": city, "stage": stage_name(shape, result.overall.stage)}
        )
    achieved = sum(1 for a in data.answers if a.status == AnswerStatus.ACHIEVED)
    in_progress = sum(1 for a in data.answers if a.status == AnswerStatus.IN_PROGRESS)
    sentences.append(
        ngettext(
            "Of %(total)d objectives, %(achieved)d is achieved and %(progress)d in progress.",
            "Of %(total)d objectives, %(achieved)d are achieved and %(progress)d in progress.",
            achieved,
        )
        % {"total": result.total, "achieved": achieved, "progress": in_progress}
    )
    ranked = sorted(result.policies.values(), key=lambda p: _rank(shape, p))
    top = _rank(shape, ranked[-1])
    bottom = _rank(shape, ranked[0])
    if top != bottom:
        strongest = [p for p in ranked if _rank(shape, p) == top]
        weakest = [p for p in ranked if _rank(shape, p) == bottom]
        sentences.append(
            _("Strongest: %(policies)s, at %(stage)s.")
            % {
                "policies": _join([f"{p.name} ({p.code})" for p in reversed(strongest)]),
                "stage": stage_name(shape, strongest[0].stage),
            }
        )
        sentences.append(
            _("Weakest: %(policies)s, at %(stage)s.")
            % {
                "policies": _join([f"{p.name} ({p.code})" for p in weakest]),
                "stage": stage_name(shape, weakest[0].stage),
            }
        )
    else:
        sentences.append(_("All policies stand level with each other."))
    o = result.overall
    if o.next_stage is not None:
        sentences.append(
            ngettext(
                "To reach %(stage)s, the city needs %(count)d more objective: %(codes)s.",
                "To reach %(stage)s, the city needs %(count)d more objectives: %(codes)s.",
                len(o.gaps),
            )
            % {
                "stage": shape.stage_names[o.next_stage],
                "count": len(o.gaps),
                "codes": _join(list(o.gaps)),
            }
        )
    return sentences


@dataclass(frozen=True)
class MatrixRow:
    code: str
    name: str
    stage: str
    cells: list[dict[str, Any]]


def matrix(shape: Shape, result: Profile) -> list[dict[str, Any]]:
    groups = []
    for dim_code in shape.dimension_codes:
        rows = []
        for p in result.policies.values():
            if p.dimension != dim_code:
                continue
            cells = [
                {
                    "state": c.state,
                    "symbol": CELL_SYMBOLS[c.state],
                    "text": "" if c.total == 0 else f"{c.achieved + c.not_applicable}/{c.total}",
                    "reached": p.stage is not None
                    and shape.stage_index[c.stage] <= shape.stage_index[p.stage],
                }
                for c in p.cells
            ]
            rows.append(
                MatrixRow(code=p.code, name=p.name, stage=stage_name(shape, p.stage), cells=cells)
            )
        groups.append(
            {
                "code": dim_code,
                "name": shape.dimension_name[dim_code],
                "stage": stage_name(shape, result.dimensions[dim_code].stage),
                "rows": rows,
            }
        )
    return groups


def _details(a: Answer) -> str:
    """The evidence, reason for not applicable, notes, owner, links and attached files in one
    labelled run of text, whole (a council reads all of it).

    One plain run of text rather than a paragraph per item: the report stays compact and
    quick to lay out.
    """
    parts = [
        (_("Evidence:"), _whole(a.evidence)),
        (_("Why not applicable:"), _whole(a.na_justification)),
        (_("Notes:"), _whole(a.notes)),
        (_("Owner:"), _whole(a.owner)),
        (_("Links:"), " ".join(line.strip() for line in a.links.splitlines() if line.strip())),
        (_("Files:"), ", ".join(f.original_name for f in a.attachments.all())),
    ]
    return " · ".join(f"{label} {text}" for label, text in parts if text)


def _whole(text: str) -> str:
    return " ".join(text.split())


def dimension_sections(data: ReportData) -> list[dict[str, Any]]:
    shape, result = data.shape, data.profile
    by_policy: dict[str, list[dict[str, Any]]] = {code: [] for code in shape.policy_codes}
    for a in data.answers:
        o = a.objective
        by_policy.setdefault(o.policy_code, []).append(
            {
                "code": o.code,
                "text": o.shown_text,
                "stage": shape.stage_names.get(o.stage_code, o.stage_code),
                "status": a.status,
                "status_label": a.get_status_display(),
                "symbol": STATUS_SYMBOLS[a.status],
                "progress": a.progress,
                "evidence": _summary(a.evidence),
                "notes": _summary(a.notes),
                "owner": a.owner,
                "na_justification": _summary(a.na_justification),
                "details": _details(a),
            }
        )
    sections = []
    for dim_code in shape.dimension_codes:
        policies = []
        for p in result.policies.values():
            if p.dimension != dim_code:
                continue
            policies.append(
                {
                    "code": p.code,
                    "name": p.name,
                    "stage": stage_name(shape, p.stage),
                    "next": shape.stage_names[p.next_stage] if p.next_stage else None,
                    "gaps": _join(list(p.gaps)),
                    "objectives": by_policy.get(p.code, []),
                }
            )
        sections.append(
            {
                "code": dim_code,
                "name": shape.dimension_name[dim_code],
                "stage": stage_name(shape, result.dimensions[dim_code].stage),
                "policies": policies,
            }
        )
    return sections


def target_gaps(data: ReportData) -> list[dict[str, Any]]:
    shape = data.shape
    dates = {t.policy_code: t.target_date for t in data.targets}
    answers = data.answers_by_code
    rows = []
    for p in data.profile.policies.values():
        if p.target is None:
            continue
        rows.append(
            {
                "code": p.code,
                "name": p.name,
                "stage": stage_name(shape, p.stage),
                "target": shape.stage_names[p.target],
                "date": dates.get(p.code),
                "met": not p.to_target,
                "objectives": [
                    {
                        "code": code,
                        "text": answers[code].objective.shown_text if code in answers else "",
                        "status_label": answers[code].get_status_display()
                        if code in answers
                        else "",
                        "symbol": STATUS_SYMBOLS[answers[code].status] if code in answers else "",
                    }
                    for code in p.to_target
                ],
            }
        )
    return rows


def action_plan(data: ReportData) -> dict[str, Any]:
    summary = data.action_summary
    labels = dict(ActionStatus.choices)
    return {
        "total": summary.total,
        "by_status": [
            {"label": labels[code], "count": count} for code, count in summary.by_status.items()
        ],
        "costs": [{"currency": c, "amount": amount} for c, amount in summary.costs.items()],
        "overdue": summary.overdue,
        "actions": data.actions,
    }


def change_since_previous(data: ReportData) -> Comparison | None:
    if data.previous is None or data.previous_statuses is None:
        return None
    try:
        return compare_statuses(
            older=data.previous,
            newer=data.assessment,
            shape=data.shape,
            older_statuses=data.previous_statuses,
            newer_statuses=data.statuses,
            objective_texts={a.objective.code: a.objective.shown_text for a in data.answers},
        )
    except DifferentModelsError:  # only another model's cycle came before: nothing to compare
        return None


def reference_sections(data: ReportData) -> list[dict[str, Any]]:
    """The assessment through each crosswalk of its model (such as the UNDRR Ten Essentials)."""
    labels = dict(AnswerStatus.choices)
    return [
        {
            "crosswalk": report.crosswalk,
            "items": [
                {
                    "code": item.code,
                    "name": item.name,
                    "achieved": item.achieved,
                    "linked": item.linked,
                    "not_applicable": item.not_applicable,
                    "percent": item.percent,
                    "objectives": [
                        {
                            "code": o.code,
                            "text": o.text,
                            "note": o.note,
                            "symbol": STATUS_SYMBOLS[o.status],
                            "label": labels[o.status],
                        }
                        for o in item.objectives
                    ],
                }
                for item in report.items
            ],
        }
        for report in reference_reports(data.assessment, statuses=data.statuses)
    ]


def _distribution(counts: dict[str, int], labels: dict[str, str]) -> str:
    return ", ".join(f"{labels[status]} {count}" for status, count in counts.items() if count)


def workshop_annex(data: ReportData) -> dict[str, Any] | None:
    """The annex of the assessment's workshops, the earliest first: per workshop its title,
    date, policies, participation per stakeholder type and, per covered objective, the
    ratings, their distribution, the agreement, the flag and the agreed answer with its note.
    Never a participant's name. None when the assessment had no workshop."""
    from vertebra.workshops.models import RatingStatus

    records = data.workshops
    if not records:
        return None
    shape = data.shape
    rating_labels = {value: str(label) for value, label in RatingStatus.choices}
    answer_labels = dict(AnswerStatus.choices)
    titles = {a.objective.code: a.objective.text for a in data.answers}
    workshops = []
    for index, record in enumerate(records, start=1):
        w = record.workshop
        expected = list(w.stakeholder_types)
        kinds = expected + [k for k in record.participation if k not in expected]
        objectives = []
        for o in record.objectives:
            d = o.decision
            agreed = ""
            if d is not None:
                agreed = f"{STATUS_SYMBOLS[d.status]} {answer_labels[d.status]}"
                if d.status == AnswerStatus.IN_PROGRESS and d.progress is not None:
                    agreed += f" · {d.progress} %"
            objectives.append(
                {
                    "code": o.result.code,
                    "text": titles.get(o.result.code, ""),
                    "ratings": o.result.ratings,
                    "distribution": _distribution(o.result.distribution, rating_labels),
                    "share": o.share,
                    "flagged": o.result.flagged,
                    "agreed": agreed,
                    "note": d.note if d is not None else "",
                }
            )
        workshops.append(
            {
                "id": f"workshop-{index}",
                "title": w.title,
                "date": w.date,
                "status": w.get_status_display(),
                "anonymous": w.anonymous,
                "policies": [f"{code} {shape.policy_name.get(code, '')}" for code in w.policies],
                "participants": record.participants,
                "participation": [(k, record.participation.get(k, 0)) for k in kinds],
                "objectives": objectives,
            }
        )
    taking_part = data.participation
    return {
        "workshops": workshops,
        "engaged": taking_part.engaged,
        "city_types": len(taking_part.city_types),
        "missing": taking_part.missing,
    }


def report_context(data: ReportData) -> dict[str, Any]:
    from vertebra.reports.charts import policy_stages_svg

    a = data.assessment
    fv = a.framework_version
    chart = policy_stages_svg(data.profile, data.shape)
    comparison = change_since_previous(data)
    status_labels = dict(AnswerStatus.choices)
    sections = dimension_sections(data)
    references = reference_sections(data)
    contents = [
        ("#summary", _("Executive summary")),
        ("#chart", _("Stage of each policy")),
        ("#matrix", _("Maturity matrix")),
        *((f"#dimension-{s['code']}", s["name"]) for s in sections),
        ("#targets", _("Gaps to the targets")),
        ("#actions", _("Action plan")),
        ("#change", _("Change since the previous cycle")),
        *((f"#reference-{r['crosswalk'].id}", r["crosswalk"].reference.name) for r in references),
        ("#peer-review", _("Peer review")),
    ]
    annex = workshop_annex(data)
    if annex is not None:
        contents.append(("#workshops", _("Annex: the workshops")))
        contents.extend(
            (f"#{w['id']}", _("Workshop %(title)s") % {"title": w["title"]})
            for w in annex["workshops"]
        )
    return {
        "assessment": a,
        "city": data.city,
        "framework": fv,
        "generated": timezone.localdate(),
        "shape": data.shape,
        "stages": [(code, data.shape.stage_names[code]) for code in data.shape.stage_codes],
        "overall_stage": stage_name(data.shape, data.profile.overall.stage),
        "summary": executive_summary(data),
        "matrix": matrix(data.shape, data.profile),
        "chart": mark_safe(chart),  # noqa: S308 - our own SVG, its texts escaped by the chart code
        "sections": sections,
        "contents": contents,
        "targets": target_gaps(data),
        "plan": action_plan(data),
        "comparison": present(comparison) if comparison is not None else None,
        "annex": annex,
        "references": references,
        "peer_reviews": reviews_for_report(a),
        "legend": [
            {"symbol": STATUS_SYMBOLS[code], "label": label}
            for code, label in status_labels.items()
        ],
    }


def render_html(assessment: Assessment, *, data: ReportData | None = None) -> str:
    data = data or report_data(assessment)
    return render_to_string("reports/report.html", report_context(data))


def render_pdf(assessment: Assessment, *, data: ReportData | None = None) -> bytes:
    from weasyprint import CSS, HTML

    html = render_html(assessment, data=data)
    fetcher = local_url_fetcher()
    stylesheet = CSS(filename=str(TEMPLATES / "report.css"), url_fetcher=fetcher)
    document = HTML(string=html, base_url=str(TEMPLATES), url_fetcher=fetcher)
    # Tagged, with its title and language: PDF/UA-1, as public bodies must publish.
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/ua-1")
    return pdf
