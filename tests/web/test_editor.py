"""The objective editor: htmx fragments, plain posts, validation, conflicts, evidence, history."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.web.conftest import World
from vertebra.assessments.domain import finalize, save_answer
from vertebra.assessments.evidence import add_attachment, add_comment
from vertebra.assessments.models import Answer, AnswerEvent, AnswerStatus, Attachment

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _answer(world: World, code: str) -> Answer:
    return Answer.objects.select_related("assessment", "objective").get(
        assessment=world.assessment, objective__code=code
    )


def test_htmx_save_returns_fragment_with_policy_stage_and_figures_out_of_band(
    world: World,
) -> None:
    client = world.client("editor")
    first = client.post(
        world.url("objectives/L1S1/save/"), {"status": "achieved", "version": "1"}, **HTMX
    )
    assert first.status_code == 200
    html = first.content.decode()
    assert html.lstrip().startswith(
        '<article id="objective-L1S1" class="objective objective--achieved"'
    )
    assert '<p class="message message--success" role="status">Saved.</p>' in html
    assert '<section id="policy-summary" class="card"' in html
    assert 'hx-swap-oob="true"' in html
    assert '<section id="assessment-figures"' in html
    assert '<span class="figure__value">1 / 96</span>' in html
    assert "L1 has not reached Starting yet; Starting needs L1S2." in html
    assert "<html" not in html

    second = client.post(
        world.url("objectives/L1S2/save/"), {"status": "achieved", "version": "1"}, **HTMX
    )
    html = second.content.decode()
    assert '<span class="figure__value">Starting</span>' in html
    assert "L1 stands at Starting; Moderate needs L1M1, L1M2, L1M3, L1M4 and L1M5." in html
    assert (
        '<span class="stage-summary" id="stage-summary-S" hx-swap-oob="true">2 of 2 done (met)</span>'
        in html
    )


def test_htmx_save_reads_the_answer_once_and_shows_the_new_change(
    world: World, django_assert_num_queries: object
) -> None:
    """Session, person, membership, assessment, answer; count the change, UPDATE, history
    (in the test's transaction: SAVEPOINT and RELEASE); the card's files, comments, review
    notes and latest changes and the workshops its answer was agreed in; the assessment's
    statuses for its figures."""
    client = world.client("editor")
    client.get(world.url())
    with django_assert_num_queries(16):  # type: ignore[operator]
        response = client.post(
            world.url("objectives/L1S1/save/"),
            {"status": "in_progress", "progress": "30", "notes": "Draft plan", "version": "1"},
            **HTMX,
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="version" value="2"' in html
    assert "Draft plan" in html
    new_values = re.findall(r'<span class="new">([^<]*)</span>', html)
    assert sorted(new_values) == ["30%", "Draft plan", "In progress"]
    assert _answer(world, "L1S1").notes == "Draft plan"


def test_plain_post_saves_and_redirects_back_to_the_objective_with_a_message(
    world: World,
) -> None:
    client = world.client("admin")
    response = client.post(
        world.url("objectives/L1S1/save/"),
        {
            "status": "in_progress",
            "progress": "40",
            "evidence": "Council decision 12/2026",
            "links": "https://example.org/decision\n\nhttp://example.org/minutes",
            "notes": "Team meets monthly",
            "owner": "Civil Protection",
            "na_justification": "",
            "version": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == world.url("policies/L1/#objective-L1S1")
    answer = _answer(world, "L1S1")
    assert (answer.status, answer.progress, answer.owner, answer.version) == (
        AnswerStatus.IN_PROGRESS,
        40,
        "Civil Protection",
        2,
    )
    assert answer.links == "https://example.org/decision\nhttp://example.org/minutes"
    page = client.get(response["Location"]).content.decode()
    assert '<p class="message message--success" role="status">L1S1 saved.</p>' in page


def test_progress_is_dropped_when_the_status_is_not_in_progress(world: World) -> None:
    world.client("editor").post(
        world.url("objectives/L1S1/save/"),
        {"status": "achieved", "progress": "40", "version": "1"},
    )
    assert _answer(world, "L1S1").progress is None


def test_not_applicable_without_justification_is_refused_with_a_message(world: World) -> None:
    response = world.client("editor").post(
        world.url("objectives/L1S1/save/"),
        {"status": "not_applicable", "na_justification": "  ", "version": "1"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Check the fields marked below." in html
    assert (
        '<p class="field__error" id="id_L1S1_na_justification_error">'
        "Say why this objective does not apply to the city.</p>"
    ) in html
    assert _answer(world, "L1S1").status == AnswerStatus.NOT_STARTED


def test_not_applicable_with_justification_is_saved(world: World) -> None:
    world.client("editor").post(
        world.url("objectives/L1S1/save/"),
        {"status": "not_applicable", "na_justification": "No port in the city", "version": "1"},
    )
    answer = _answer(world, "L1S1")
    assert (answer.status, answer.na_justification) == (
        AnswerStatus.NOT_APPLICABLE,
        "No port in the city",
    )


def test_plain_post_with_invalid_input_shows_the_page_again_with_the_input_kept(
    world: World,
) -> None:
    response = world.client("editor").post(
        world.url("objectives/L1S1/save/"),
        {
            "status": "achieved",
            "links": "https://ok.example\nftp://files.example/x\nnot a link",
            "evidence": "Kept text",
            "version": "1",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        "Each line must be one web address starting with http:// or https://; "
        "not valid: ftp://files.example/x, not a link"
    ) in html
    assert ">\nKept text</textarea>" in html
    assert _answer(world, "L1S1").version == 1


def test_progress_out_of_range_is_refused(world: World) -> None:
    response = world.client("editor").post(
        world.url("objectives/L1S1/save/"),
        {"status": "in_progress", "progress": "140", "version": "1"},
        **HTMX,
    )
    assert "Progress is a whole number from 0 to 100." in response.content.decode()
    assert _answer(world, "L1S1").status == AnswerStatus.NOT_STARTED


def test_stale_htmx_save_shows_conflict_with_both_values_and_loses_nothing(world: World) -> None:
    answer = _answer(world, "L1S1")
    save_answer(
        answer=answer,
        user=world.people["admin"],
        changes={"status": "achieved", "evidence": "Admin's evidence"},
        expected_version=1,
    )
    response = world.client("editor").post(
        world.url("objectives/L1S1/save/"),
        {
            "status": "in_progress",
            "progress": "30",
            "evidence": "Editor's evidence",
            "version": "1",
        },
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert html.lstrip().startswith('<article id="objective-L1S1"')
    assert "admin@porto.example saved this objective while you were editing it." in html
    assert '<tr><th scope="row">Status</th><td>Achieved</td><td>In progress</td><td>' in html
    assert (
        '<tr><th scope="row">Evidence</th><td>Admin&#x27;s evidence</td>'
        "<td>Editor&#x27;s evidence</td><td>"
    ) in html
    assert ">\nEditor&#x27;s evidence</textarea>" in html
    assert '<input type="hidden" name="version" value="2"' in html
    current = _answer(world, "L1S1")
    assert (current.status, current.evidence, current.version) == (
        AnswerStatus.ACHIEVED,
        "Admin's evidence",
        2,
    )


def test_stale_plain_post_answers_409_with_the_conflict_on_the_page(world: World) -> None:
    save_answer(
        answer=_answer(world, "L1S1"),
        user=world.people["admin"],
        changes={"owner": "Water Utility"},
        expected_version=1,
    )
    response = world.client("editor").post(
        world.url("objectives/L1S1/save/"),
        {"status": "not_started", "owner": "Fire Service", "version": "1"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert (
        '<tr><th scope="row">Responsible department or stakeholder</th>'
        "<td>Water Utility</td><td>Fire Service</td><td>"
    ) in html
    assert _answer(world, "L1S1").owner == "Water Utility"


def _loaded_form(client: Client, world: World, code: str) -> dict[str, str]:
    """The objective's form as the policy page shows it: its hidden fields and values."""
    html = client.get(world.url(f"policies/{code[:2]}/")).content.decode()
    form = html[html.index(f'id="objective-form-{code}"') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="(version|loaded)" value="([^"]*)"', form))
    assert set(fields) == {"version", "loaded"}
    return fields


def test_a_save_from_an_older_version_keeps_the_fields_only_the_other_person_changed(
    world: World,
) -> None:
    editor = world.client("editor")
    loaded = _loaded_form(editor, world, "L1S1")
    save_answer(  # meanwhile, the admin adds evidence and an owner
        answer=_answer(world, "L1S1"),
        user=world.people["admin"],
        changes={"evidence": "Council decision 4/2026", "owner": "Water Utility"},
    )
    # The editor's form still holds the empty evidence and owner it loaded.
    response = editor.post(
        world.url("objectives/L1S1/save/"),
        {"status": "in_progress", "progress": "40", "notes": "Draft ready", **loaded},
        **HTMX,
    )
    assert response.status_code == 200
    current = _answer(world, "L1S1")
    assert (
        current.status,
        current.progress,
        current.notes,
        current.evidence,
        current.owner,
        current.version,
    ) == ("in_progress", 40, "Draft ready", "Council decision 4/2026", "Water Utility", 3)
    history = list(
        AnswerEvent.objects.filter(answer=current)
        .order_by("id")
        .values_list("user__email", "field", "new_value")
    )
    assert history == [
        ("admin@porto.example", "evidence", "Council decision 4/2026"),
        ("admin@porto.example", "owner", "Water Utility"),
        ("editor@porto.example", "status", "in_progress"),
        ("editor@porto.example", "progress", "40"),
        ("editor@porto.example", "notes", "Draft ready"),
    ]


def test_only_fields_both_changed_are_a_conflict_and_each_is_settled_by_choice(
    world: World,
) -> None:
    editor = world.client("editor")
    loaded = _loaded_form(editor, world, "L1S1")
    save_answer(
        answer=_answer(world, "L1S1"),
        user=world.people["admin"],
        changes={"evidence": "Admin's evidence", "owner": "Water Utility", "notes": "Admin"},
    )
    mine = {
        "status": "in_progress",
        "progress": "20",
        "evidence": "Editor's evidence",
        "notes": "Editor",
    }
    response = editor.post(world.url("objectives/L1S1/save/"), {**mine, **loaded}, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>', html)
    assert rows == ["Evidence", "Notes"]  # not Owner: only the admin changed it
    assert 'name="keep_evidence" value="theirs" form="objective-form-L1S1"' in html
    assert _answer(world, "L1S1").version == 2  # nothing written
    # The form now holds the owner as saved and the editor's own input elsewhere.
    assert 'value="Water Utility"' in html
    assert ">\nEditor&#x27;s evidence</textarea>" in html
    again = dict(re.findall(r'<input type="hidden" name="(version|loaded)" value="([^"]*)"', html))
    assert again["version"] == "2"

    # Keep the admin's evidence, the editor's notes; the owner stays as the admin saved it.
    form = {**mine, "owner": "Water Utility", **again, "keep_evidence": "theirs"}
    response = editor.post(world.url("objectives/L1S1/save/"), form, **HTMX)
    assert response.status_code == 200
    current = _answer(world, "L1S1")
    assert (current.evidence, current.notes, current.owner, current.status, current.version) == (
        "Admin's evidence",
        "Editor",
        "Water Utility",
        "in_progress",
        3,
    )


def test_saving_again_after_a_conflict_keeps_the_second_persons_input(world: World) -> None:
    save_answer(
        answer=_answer(world, "L1S1"),
        user=world.people["admin"],
        changes={"owner": "Water Utility"},
        expected_version=1,
    )
    world.client("editor").post(
        world.url("objectives/L1S1/save/"),
        {"status": "not_started", "owner": "Fire Service", "version": "2"},
    )
    assert _answer(world, "L1S1").owner == "Fire Service"


def test_every_change_is_in_the_objective_and_assessment_history(world: World) -> None:
    client = world.client("editor")
    client.post(
        world.url("objectives/L1S1/save/"),
        {"status": "in_progress", "progress": "20", "owner": "Civil Protection", "version": "1"},
    )
    client.post(
        world.url("objectives/L1S1/save/"),
        {"status": "achieved", "owner": "Civil Protection", "version": "2"},
    )
    fields = list(
        AnswerEvent.objects.filter(answer__objective__code="L1S1")
        .order_by("id")
        .values_list("field", "old_value", "new_value")
    )
    assert fields == [
        ("status", "not_started", "in_progress"),
        ("progress", "", "20"),
        ("owner", "", "Civil Protection"),
        ("status", "in_progress", "achieved"),
        ("progress", "20", ""),
    ]
    policy = client.get(world.url("policies/L1/")).content.decode()
    assert "History (5 changes)" in policy
    history = client.get(world.url("history/")).content.decode()
    assert (
        '<td><a href="' + world.url("objectives/L1S1/") + '">L1S1</a></td>\n'
        "      <td>Status</td>\n"
        '      <td><span class="old">In progress</span></td>\n'
        '      <td><span class="new">Achieved</span></td>'
    ) in history
    assert history.index("Achieved</span>") < history.index('<span class="new">Civil Protection')


def test_assessment_history_is_paginated_newest_first(world: World) -> None:
    answer = _answer(world, "L1S1")
    for n in range(55):
        answer = save_answer(
            answer=answer, user=world.people["editor"], changes={"notes": f"note {n}"}
        ).answer
    client = world.client("viewer")
    first = client.get(world.url("history/")).content.decode()
    assert "Page 1 of 2" in first
    assert first.count('<span class="new">note') == 50
    assert '<span class="new">note 54</span>' in first
    assert '<span class="new">note 4</span>' not in first
    second = client.get(world.url("history/?page=2")).content.decode()
    assert second.count('<span class="new">note') == 5
    assert '<span class="new">note 0</span>' in second


def test_objective_link_leads_to_its_policy_page(world: World) -> None:
    response = world.client("viewer").get(world.url("objectives/P2A1/"))
    assert response["Location"] == world.url("policies/P2/#objective-P2A1")
    assert world.client("viewer").get(world.url("objectives/NOPE/")).status_code == 404
    assert world.client("viewer").get(world.url("policies/X9/")).status_code == 404


# Evidence files -------------------------------------------------------------------------------


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def _ods() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("plan.pdf", b"%PDF-1.7\n%..."),
        ("map.png", b"\x89PNG\r\n\x1a\n0000"),
        ("photo.jpg", b"\xff\xd8\xff\xe0rest"),
        ("minutes.docx", _docx()),
        ("budget.ods", _ods()),
        ("list.csv", "name;dept\nAna;Água\n".encode()),
    ],
)
def test_allowed_evidence_files_are_stored_and_listed(
    world: World, name: str, content: bytes
) -> None:
    response = world.client("editor").post(
        world.url("objectives/L1S1/attachments/"),
        {"file": SimpleUploadedFile(name, content)},
        **HTMX,
    )
    html = response.content.decode()
    attachment = Attachment.objects.get()
    assert attachment.original_name == name
    assert attachment.size == len(content)
    assert f'<a href="{world.url(f"attachments/{attachment.uuid}/")}">{name}</a>' in html
    assert f"{name} attached." in html
    assert "/media/" not in html
    event = AnswerEvent.objects.get(field="attachments")
    assert (event.old_value, event.new_value) == ("", name)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "tool.exe",
            b"MZ\x90\x00",
            "tool.exe is not an allowed type. Allowed: pdf, png, jpg, docx, xlsx, odt, ods, txt, csv.",
        ),
        (
            "fake.pdf",
            b"<html>not a pdf</html>",
            "fake.pdf does not look like a .pdf file; its content does not match its name.",
        ),
        (
            "fake.docx",
            b"PK\x03\x04garbage",
            "fake.docx does not look like a .docx file; its content does not match its name.",
        ),
        (
            "binary.txt",
            b"abc\x00\x01\x02",
            "binary.txt does not look like a .txt file; its content does not match its name.",
        ),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)
def test_evidence_files_of_the_wrong_type_are_refused(
    world: World, name: str, content: bytes, message: str
) -> None:
    response = world.client("editor").post(
        world.url("objectives/L1S1/attachments/"),
        {"file": SimpleUploadedFile(name, content)},
        **HTMX,
    )
    assert message in response.content.decode()
    assert Attachment.objects.count() == 0


def test_evidence_files_over_the_size_limit_are_refused(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MAX_ATTACHMENT_BYTES = 1024
    response = world.client("editor").post(
        world.url("objectives/L1S1/attachments/"),
        {"file": SimpleUploadedFile("big.txt", b"x" * 1025)},
    )
    assert response.status_code == 400
    assert "big.txt is too large: files can be at most 1.0\xa0KB." in response.content.decode()
    assert Attachment.objects.count() == 0


def test_evidence_of_another_assessment_cannot_be_downloaded_through_this_one(
    world: World,
) -> None:
    import datetime as dt

    from vertebra.assessments.domain import create_assessment
    from vertebra.assessments.evidence import add_attachment

    theirs = create_assessment(
        city=world.other_city, user=None, title="Riga", date=dt.date(2026, 1, 1)
    )
    answer = theirs.answers.select_related("assessment", "objective").first()
    assert answer is not None
    secret = add_attachment(
        answer=answer, user=None, upload=SimpleUploadedFile("secret.txt", b"secret")
    )
    response = world.client("admin").get(world.url(f"attachments/{secret.uuid}/"))
    assert response.status_code == 404


def test_uploads_are_not_served_under_a_public_media_url(world: World) -> None:
    from vertebra.assessments.evidence import add_attachment

    attachment = add_attachment(
        answer=_answer(world, "L1S1"),
        user=None,
        upload=SimpleUploadedFile("minutes.txt", b"minutes"),
    )
    response = world.client("admin").get(f"/media/{attachment.file.name}")
    assert response.status_code == 404


# Comments -------------------------------------------------------------------------------------


def test_contributor_comment_appears_in_the_thread(world: World) -> None:
    response = world.client("contributor").post(
        world.url("objectives/L1S1/comments/"), {"text": "Minutes are in the archive."}, **HTMX
    )
    html = response.content.decode()
    assert "Comments (1)" in html
    assert '<p class="comment__text">Minutes are in the archive.</p>' in html
    assert "contributor@porto.example" in html


def test_empty_comment_is_refused_with_a_message(world: World) -> None:
    response = world.client("contributor").post(
        world.url("objectives/L1S1/comments/"), {"text": "   "}, **HTMX
    )
    assert "Write a comment before sending it." in response.content.decode()
    assert _answer(world, "L1S1").comments.count() == 0


# Final assessments ----------------------------------------------------------------------------


def test_final_assessment_is_read_only_everywhere(world: World) -> None:
    finalize(assessment=world.assessment, user=world.people["admin"])
    client = world.client("admin")
    page = client.get(world.url("policies/L1/")).content.decode()
    assert "This assessment is final and can no longer be changed." in page
    assert "/save/" not in page
    assert "/comments/" not in page
    assert "/attachments/" not in page
    refused = client.post(
        world.url("objectives/L1S1/save/"), {"status": "achieved", "version": "1"}
    )
    assert refused.status_code == 403
    assert "This assessment is final and can no longer be changed." in refused.content.decode()
    assert client.post(world.url("objectives/L1S1/comments/"), {"text": "x"}).status_code == 403
    upload = SimpleUploadedFile("a.txt", b"a")
    assert (
        client.post(world.url("objectives/L1S1/attachments/"), {"file": upload}).status_code == 403
    )
    assert _answer(world, "L1S1").status == AnswerStatus.NOT_STARTED


def test_htmx_conflict_asks_the_browser_to_show_the_message(world: World) -> None:
    save_answer(
        answer=_answer(world, "L1S1"),
        user=world.people["admin"],
        changes={"owner": "Water Utility"},
        expected_version=1,
    )
    response = world.client("editor").post(
        world.url("objectives/L1S1/save/"),
        {"status": "not_started", "owner": "Fire Service", "version": "1"},
        **HTMX,
    )
    assert response["HX-Reswap"] == "outerHTML show:top"


def test_cards_escape_what_people_typed_for_readers_and_editors(world: World) -> None:
    editor = world.people["editor"]
    answer = save_answer(
        answer=_answer(world, "L1S1"),
        user=editor,
        changes={
            "status": "achieved",
            "evidence": '<script>alert("x")</script>\nsecond line',
            "links": "https://example.org/?a=1&b=<2>",
        },
    ).answer
    add_comment(answer=answer, user=editor, text="<b>bold</b> & 'quoted'")
    add_attachment(answer=answer, user=editor, upload=SimpleUploadedFile('a"<b>.txt', b"x"))

    reader = world.client("viewer").get(world.url("policies/L1/")).content.decode()
    writer = world.client("editor").get(world.url("policies/L1/")).content.decode()

    for html in (reader, writer):
        assert "<script>alert" not in html
        assert "<b>bold</b>" not in html
        assert (
            '<p class="comment__text">&lt;b&gt;bold&lt;/b&gt; &amp; &#x27;quoted&#x27;</p>'
        ) in html
        assert ">a&quot;&lt;b&gt;.txt</a>" in html
    assert (
        "<dt>Evidence</dt><dd>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\nsecond line</dd>"
    ) in reader
    assert (
        '<a href="https://example.org/?a=1&amp;b=&lt;2&gt;" rel="noopener noreferrer">'
        "https://example.org/?a=1&amp;b=&lt;2&gt;</a>"
    ) in reader
    assert 'hx-confirm="Remove a&quot;&lt;b&gt;.txt?"' in writer
    assert (
        ">\n&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\nsecond line</textarea>"
    ) in writer


def test_a_card_shows_the_latest_ten_changes_and_links_to_all_of_them(world: World) -> None:
    answer = _answer(world, "L1S1")
    for n in range(1, 13):
        answer = save_answer(
            answer=answer, user=world.people["editor"], changes={"notes": f"Round {n}"}
        ).answer
    save_answer(answer=_answer(world, "L1S2"), user=None, changes={"notes": "Elsewhere"})

    html = world.client("viewer").get(world.url("policies/L1/")).content.decode()
    card = html[html.index('id="objective-L1S1"') : html.index('id="objective-L1S2"')]
    assert "History (12 changes)" in card
    news = re.findall(r'<span class="new">Round (\d+)</span>', card)
    assert news == [str(n) for n in range(12, 2, -1)]  # the latest ten, newest first
    all_changes = world.url("history/") + "?objective=L1S1"
    assert f'<a href="{all_changes}">See all 12 changes</a>' in card

    page = world.client("viewer").get(all_changes).content.decode()
    news = re.findall(r'<span class="new">Round (\d+)</span>', page)
    assert news == [str(n) for n in range(12, 0, -1)]
    assert "Elsewhere" not in page  # another objective's change
    assert "Every change to the answer of objective" in page


def test_a_signed_in_persons_pages_are_never_stored_so_back_shows_them_as_saved(
    world: World,
) -> None:
    editor = world.client("editor")
    for url in (world.url(), world.url("policies/L1/"), world.url("history/")):
        response = editor.get(url)
        assert response.status_code == 200
        assert sorted(response["Cache-Control"].split(", ")) == ["no-store", "private"], url
    saved = editor.post(
        world.url("objectives/L1S1/save/"), {"status": "achieved", "version": "1"}, **HTMX
    )
    assert sorted(saved["Cache-Control"].split(", ")) == ["no-store", "private"]


def test_answered_objectives_fold_to_one_line_and_the_page_can_show_only_open_ones(
    world: World,
) -> None:
    save_answer(
        answer=_answer(world, "L1S1"),
        user=world.people["admin"],
        changes={
            "status": "achieved",
            "evidence": "Council decision 4/2026\nand its annex",
            "links": "https://example.org/decision",
        },
    )
    Answer.objects.filter(assessment=world.assessment, objective__code="L1S2").update(
        links="javascript:alert(1)\nhttps://example.org/plan"
    )
    editor = world.client("editor")
    html = editor.get(world.url("policies/L1/")).content.decode()
    card = html[html.index('id="objective-L1S1"') : html.index('id="objective-L1S2"')]
    assert (
        '<details class="objective__work">\n  <summary class="objective__summary">'
        "Council decision 4/2026</summary>"
    ) in card
    assert (
        '<a href="https://example.org/decision" rel="noopener noreferrer" target="_blank">'
        "https://example.org/decision</a>"
    ) in card
    other = html[html.index('id="objective-L1S2"') :]
    other = other[: other.index("</article>")]
    assert '<details class="objective__work" open>' in other
    assert 'href="https://example.org/plan"' in other
    assert "javascript:" not in other.split("<textarea", 1)[0] + other.split("</textarea>")[-1]
    assert '<div class="field field--na_justification">' in other
    assert '<div class="policy-page">' in html
    assert '<a href="?show=open" id="show-open">Show only the open objectives</a>' in html
    open_only = editor.get(world.url("policies/L1/?show=open")).content.decode()
    assert '<div class="policy-page policy-page--open-only">' in open_only
    assert '<a href="?" id="show-all">Show every objective</a>' in open_only


def test_answer_form_shows_a_bad_progress_and_bad_links_and_a_missing_reason_at_once(
    world: World,
) -> None:
    response = world.client("editor").post(
        world.url("objectives/L1S1/save/"),
        {"status": "not_applicable", "progress": "lots", "links": "not a link", "version": "1"},
        **HTMX,
    )
    assert response.status_code == 400
    errors = re.findall(r'id="id_L1S1_(\w+)_error"[^>]*>([^<]*)<', response.content.decode())
    assert errors == [
        ("progress", "Progress is a whole number from 0 to 100."),
        ("na_justification", "Say why this objective does not apply to the city."),
        (
            "links",
            "Each line must be one web address starting with http:// or https://; "
            "not valid: not a link",
        ),
    ]
    assert (_answer(world, "L1S1").status, _answer(world, "L1S1").version) == (
        AnswerStatus.NOT_STARTED,
        1,
    )


def test_the_history_says_which_workshop_an_answer_was_agreed_in(world: World) -> None:
    import datetime as dt

    from vertebra.workshops.domain import AgreedAnswer, create_workshop, record_consensus

    workshop = create_workshop(
        assessment=world.assessment,
        user=world.people["editor"],
        data={
            "title": "Leadership",
            "date": dt.date(2026, 5, 4),
            "policies": ["L1"],
            "stakeholder_types": ["Media"],
        },
    )
    record_consensus(
        workshop=workshop,
        user=world.people["editor"],
        answers=[AgreedAnswer("L1S1", "achieved", None, "Charter signed")],
    )
    history = world.client("viewer").get(world.url("history/")).content.decode()
    assert (
        '<span class="small muted">(workshop)</span><br><span class="small muted">Agreed in '
        "workshop Leadership on 2026-05-04: 0 ratings, agreement -</span></td>"
    ) in history
