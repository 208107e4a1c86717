"""The PDF report: all sections present, page numbers, no outside requests."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from tests.reports.factories import answer, filled_assessment, make_assessment, make_city
from tests.workshops.factories import two_workshops
from vertebra.assessments.domain import finalize
from vertebra.reports.data import report_data
from vertebra.reports.pdf import (
    ExternalResourceRefused,
    executive_summary,
    local_url_fetcher,
    render_html,
    render_pdf,
)

pytestmark = pytest.mark.django_db


def test_pdf_report_is_a_pdf_with_every_section():
    a = filled_assessment(make_city())
    html = render_html(a)
    for heading in (
        "Contents",
        "Executive summary",
        "Maturity matrix",
        "Stage of each policy",
        "Leadership &amp; Governance",
        "Preparedness",
        "Infrastructure &amp; Resources",
        "Cooperation",
        "Gaps to the targets",
        "Action plan",
        "Change since the previous cycle",
    ):
        assert f">{heading}<" in html, heading
    assert "target-counter" not in html  # the page numbers live in the stylesheet
    assert "<svg" in html
    assert "Council minutes for L1S1" in html
    assert "A small city: no European role for now." in html
    assert "Set up the resilience board" in html  # overdue action
    assert render_pdf(a).startswith(b"%PDF-")


def test_pdf_change_section_compares_with_previous_cycle():
    city = make_city()
    first = make_assessment(city, title="Baseline 2025", date=dt.date(2025, 3, 1))
    answer(first, "L1S1", status="achieved")
    finalize(assessment=first, user=None)
    second = make_assessment(city, title="Review 2026", copy_from=first)
    answer(second, "L1S2", status="achieved")
    html = render_html(second)
    assert "Compared with Baseline 2025 (1 March 2025)." in html
    assert "1 objective changed status" in html


def test_executive_summary_names_overall_stage_strongest_and_weakest():
    a = make_assessment(make_city())
    for code in ("L4S1", "L4M1"):
        answer(a, code, status="achieved")
    sentences = executive_summary(report_data(a))
    assert sentences[0] == "Rivertown has not yet reached the first stage, Starting, as a whole."
    assert sentences[1] == "Of 96 objectives, 2 are achieved and 0 in progress."
    assert sentences[2] == "Strongest: Resilience action plan development (L4), at Moderate."
    assert sentences[3].startswith("Weakest: ")


def test_pdf_url_fetcher_refuses_outside_addresses():
    fetcher = local_url_fetcher()
    with pytest.raises(ExternalResourceRefused):
        fetcher("https://fonts.example.com/font.woff2")
    with pytest.raises(ExternalResourceRefused):
        fetcher("http://169.254.169.254/")
    assert fetcher("data:text/plain,hello").read() == b"hello"


def test_a_final_cycles_report_says_when_answers_and_actions_stood(settings):
    from django.utils import timezone

    a = filled_assessment(make_city())
    draft = render_html(a)
    assert "answers may still change" in draft
    assert "as finalized on" not in draft
    finalize(assessment=a, user=None)
    a.refresh_from_db()
    html = render_html(a)
    finalized = a.finalized_at.astimezone(timezone.get_current_timezone())
    today = timezone.localdate()
    assert (
        f"answers and targets as finalized on {finalized.day} {finalized:%B %Y}; "
        f"actions as of {today.day} {today:%B %Y}"
    ) in html
    assert (
        f"The actions as they stand on {today.day} {today:%B %Y}: they go on being carried "
        "out after the assessment was finalized."
    ) in html


def test_the_council_reads_whole_evidence_links_files_and_the_action_plans_owners_and_dates(
    tmp_path, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vertebra.assessments.evidence import add_attachment

    settings.MEDIA_ROOT = tmp_path
    a = filled_assessment(make_city())
    long_evidence = "Council decision 12/2026. " + "The plan covers every district. " * 20
    target = answer(
        a,
        "L1M1",
        status="achieved",
        evidence=long_evidence,
        links="https://example.org/decision\nhttps://example.org/annex",
    )
    target.assessment = a
    add_attachment(
        answer=target,
        user=None,
        upload=SimpleUploadedFile("minutes.txt", b"Minutes of the council", "text/plain"),
    )
    html = render_html(a)
    assert f"Evidence: {' '.join(long_evidence.split())} · Notes: " in html
    assert (
        " · Links: https://example.org/decision https://example.org/annex · Files: minutes.txt</p>"
    ) in html
    assert '<th scope="col">Owner</th><th scope="col" class="objectives__when">Start</th>' in html


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated, to read its metadata and structure."""
    import re
    import zlib

    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_the_pdf_is_tagged_pdf_ua_with_its_title_and_language():
    pdf = _inflated(render_pdf(filled_assessment(make_city())))
    assert b'pdfuaid:part="1"' in pdf
    assert b"/StructTreeRoot" in pdf
    assert b"/MarkInfo" in pdf
    assert b"/Lang (en)" in pdf
    assert b'<rdf:li xml:lang="x-default">Rivertown: Review 2026</rdf:li>' in pdf


def _structure(node, found):  # type: ignore[no-untyped-def]
    """Every structure element below ``node``, in reading order."""
    import pikepdf

    if isinstance(node, pikepdf.Dictionary):
        if node.get("/S") is not None:
            found.append(node)
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            _structure(kid, found)
    return found


def test_the_pdf_keeps_the_machine_checkable_rules_of_pdf_ua_1():
    """What a PDF/UA-1 validator checks by machine, read from the file's own structure."""
    import io

    import pikepdf

    assessment = filled_assessment(make_city())
    reviewed(assessment)  # the peer review section has its table too
    two_workshops(assessment, None)  # the annex's headings and tables too
    pdf = pikepdf.open(io.BytesIO(render_pdf(assessment)))
    root = pdf.Root
    # Tagged, marked, in a language, with a title the viewer shows (ISO 14289-1 6.2, 7.1).
    assert root.MarkInfo.Marked is True
    assert str(root.Lang) == "en"
    assert root.ViewerPreferences.DisplayDocTitle is True
    with pdf.open_metadata() as xmp:
        assert xmp["dc:title"] == "Rivertown: Review 2026"
        assert xmp["pdfuaid:part"] == "1"
    elements = _structure(root.StructTreeRoot, [])
    kinds = [str(e.S) for e in elements]
    assert kinds[0] == "/Document" and {"/H1", "/H2", "/Table", "/Figure", "/Link"} <= set(kinds)
    # Headings never skip a level (7.4.2).
    levels = [int(k[2:]) for k in kinds if k in ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6")]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    # Every figure says what it shows (7.3).
    figures = [e for e in elements if e.S == "/Figure"]
    assert figures and all(str(f.get("/Alt", "")).strip() for f in figures)
    # Every data cell names its header cells, and they exist (7.5).
    ids = {str(e.ID) for e in elements if e.S == "/TH" and "/ID" in e}
    cells = [e for e in elements if e.S == "/TD"]
    assert cells
    for cell in cells:
        headers = [str(h) for h in cell.A.Headers]
        assert headers and set(headers) <= ids, headers
    # Every font is embedded (7.21.4.1); every link has a description and is tagged (7.18).
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
        links = [a for a in page.get("/Annots", []) if a.Subtype == "/Link"]
        for link in links:
            assert str(link.Contents).strip() and "/StructParent" in link
        if links:
            assert page.Tabs == "/S"


def test_the_pdf_has_a_section_per_crosswalk_with_the_essentials_figures():
    a = filled_assessment(make_city())
    html = render_html(a)
    start = html.index('<section id="reference-smr-rmm-undrr-ten-essentials"')
    section = html[start : html.index("</section>", start)]
    assert "<h2>UNDRR Ten Essentials for Making Cities Resilient</h2>" in section
    assert "own reading" in section
    assert section.count('<th scope="row"><span class="code">E') == 10
    assert (
        '<a href="#reference-smr-rmm-undrr-ten-essentials">'
        "UNDRR Ten Essentials for Making Cities Resilient</a>"
    ) in html


def reviewed(assessment):  # type: ignore[no-untyped-def]
    """A critical friend of another city reviewed the assessment: a note, and an answer."""
    from tests.reports.factories import make_person
    from vertebra.cities import team
    from vertebra.cities.models import City
    from vertebra.reviews import domain as reviews
    from vertebra.reviews.models import Review

    harbour = City.objects.create(slug="harbour", name="Harbour")
    friend = make_person("friend@harbour.example", harbour, "admin")
    friend.name = "Fran Friend"
    friend.save()
    until = dt.date.today() + dt.timedelta(days=5)
    review, _token = reviews.invite(assessment=assessment, email=friend.email, until=until, by=None)
    team.accept(invitation=review.invitation, user=friend)
    review = Review.objects.select_related("invitation").get()
    note = reviews.add_note(
        review=review, objective="L1S1", mark="challenge", text="Which minutes?", by=friend
    )
    lead = make_person("lead@rivertown.example", assessment.city, "admin")
    lead.name = "Lea Lead"
    lead.save()
    reviews.reply(note=note, text="Those of May 2026.", by=lead)
    return review


def test_the_peer_review_section_names_the_reviewer_their_city_dates_notes_and_answers():
    from vertebra.l10n import day

    assessment = filled_assessment(make_city())
    assert "No critical friend has reviewed this assessment." in render_html(assessment)
    review = reviewed(assessment)
    html = render_html(assessment)
    section = html[html.index('id="peer-review"') :]
    assert ">Peer review<" in section
    assert "Fran Friend, Harbour" in section
    start = day(timezone.localdate(review.invitation.accepted_at))
    assert f"from {start} to {day(review.until)}." in section
    assert "Challenge" in section and "Which minutes?" in section
    assert "Lea Lead: Those of May 2026." in section
    assert "No critical friend" not in section
