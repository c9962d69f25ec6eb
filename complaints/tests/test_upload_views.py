"""Evidence through the browser's path: the form, the stored file and how it is served."""

import html
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from complaints.models import Attachment, Complaint
from complaints.services.lifecycle import complaint_submit
from complaints.tests.factories import UserFactory
from complaints.tests.test_evidence import (
    REFUSED,
    SCRIPT,
    jpeg_bytes,
    pdf_bytes,
    png_bytes,
    upload,
    webp_bytes,
)

pytestmark = pytest.mark.django_db


def form_data(company, **overrides) -> dict:
    data = {
        "company_name": company.name,
        "title": "Router broken after the update",
        "story": "The router stopped working on 2 May. Support hung up twice.",
        "desired_outcome": Complaint.Outcome.REPAIR,
        "language": "en",
        "submission_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def post_new(client, company, files, **overrides):
    return client.post(reverse("complaints:new"), {**form_data(company, **overrides), "evidence": files})


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


class _ErrorList(HTMLParser):
    """Collects the text of the element with the given id (a field's errorlist)."""

    def __init__(self, element_id):
        super().__init__()
        self.element_id, self.depth, self.text = element_id, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif dict(attrs).get("id") == self.element_id:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def field_errors(response, field) -> str:
    parser = _ErrorList(f"id_{field}_error")
    parser.feed(response.content.decode())
    return html.unescape(" ".join(parser.text))


def served(response) -> bytes:
    try:
        return b"".join(response.streaming_content)
    finally:
        response.close()


# A valid upload ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "content_type"),
    [
        ("photo.jpg", jpeg_bytes, "image/jpeg"),
        ("screenshot.png", png_bytes, "image/png"),
        ("picture.webp", webp_bytes, "image/webp"),
        ("contract.pdf", pdf_bytes, "application/pdf"),
    ],
)
def test_a_valid_upload_creates_one_draft_with_its_evidence(member_client, member, company, settings, name, make,
                                                            content_type):
    response = post_new(member_client, company, [upload(name, make())])

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("complaints:preview", kwargs={"pk": complaint.pk})
    assert complaint.status == Complaint.Status.DRAFT
    assert complaint.author == member
    attachment = complaint.attachments.get()
    assert attachment.content_type == content_type
    assert attachment.original_name == name
    assert len(stored_files(settings)) == 1


def test_the_stored_name_is_generated_not_the_one_sent(member_client, company, settings):
    post_new(member_client, company, [upload("my holiday photo.png", png_bytes())])

    attachment = Attachment.objects.get()
    assert attachment.file.name == f"evidence/{attachment.pk.hex[:2]}/{attachment.pk.hex}.png"
    assert "holiday" not in attachment.file.name
    assert [path.name for path in stored_files(settings)] == [f"{attachment.pk.hex}.png"]


def test_a_hostile_file_name_is_kept_only_as_cleaned_text(member_client, company):
    post_new(member_client, company, [upload('..\\..\\<img src=x onerror=alert(1)>\u202e.png', png_bytes())])

    attachment = Attachment.objects.get()
    assert attachment.original_name == "<img src=x onerror=alert(1)>.png"
    preview = member_client.get(reverse("complaints:preview", kwargs={"pk": attachment.complaint_id}))
    assert b"<img src=x onerror" not in preview.content
    assert b"&lt;img src=x onerror=alert(1)&gt;.png" in preview.content


def test_the_preview_shows_the_reencoded_image_and_not_what_was_appended(member_client, company):
    post_new(member_client, company, [upload("photo.jpg", jpeg_bytes() + SCRIPT)])

    attachment = Attachment.objects.get()
    body = served(member_client.get(attachment.get_absolute_url()))
    assert body.startswith(b"\xff\xd8\xff")
    assert b"<script" not in body
    assert attachment.size == len(body)


def test_five_files_are_accepted(member_client, company, settings):
    files = [upload(f"photo-{n}.png", png_bytes()) for n in range(5)]

    response = post_new(member_client, company, files)

    assert response.status_code == 302
    assert Attachment.objects.count() == 5
    assert len(stored_files(settings)) == 5


# Refused uploads -------------------------------------------------------------------


def assert_refused_and_nothing_kept(response, settings, phrase):
    assert response.status_code == 200
    errors = field_errors(response, "evidence")
    assert errors, "the refusal must be shown in the Evidence field's error list"
    if phrase:
        assert phrase in errors
    assert Complaint.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.parametrize("kind", list(REFUSED))
def test_a_bad_file_reshows_the_form_with_the_message_at_the_evidence_field(member_client, company, settings, kind):
    name, make, phrase = REFUSED[kind]

    response = post_new(member_client, company, [upload(name, make())])

    assert_refused_and_nothing_kept(response, settings, phrase)
    assert name in field_errors(response, "evidence") or kind == "empty"


def test_an_empty_file_is_refused_with_a_message(member_client, company, settings):
    response = post_new(member_client, company, [upload("empty.png", b"")])

    assert_refused_and_nothing_kept(response, settings, "empty")


def test_a_file_over_the_size_limit_is_refused(member_client, company, settings):
    settings.EVIDENCE_MAX_BYTES = 50_000  # the same check as 10 MB, without sending 10 MB
    big = png_bytes() + b"\0" * 50_000

    response = post_new(member_client, company, [upload("big.png", big)])

    assert_refused_and_nothing_kept(response, settings, "the limit is 48.8\xa0KB per file")


def test_one_bad_file_among_good_ones_keeps_none_of_them(member_client, company, settings):
    files = [upload("good.png", png_bytes()), upload("bad.jpg", SCRIPT), upload("good.pdf", pdf_bytes())]

    response = post_new(member_client, company, files)

    assert_refused_and_nothing_kept(response, settings, "bad.jpg")
    assert "good.png" not in field_errors(response, "evidence")


def test_six_files_are_refused(member_client, company, settings):
    files = [upload(f"photo-{n}.png", png_bytes()) for n in range(6)]

    response = post_new(member_client, company, files)

    assert_refused_and_nothing_kept(response, settings, "at most 5 files")


def test_a_failure_half_way_through_saving_leaves_no_file_behind(member, company, settings, monkeypatch):
    saved = []
    original_save = Attachment.save

    def save_then_fail(self, *args, **kwargs):
        if saved:
            raise DatabaseError("the database went away")
        saved.append(self)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", save_then_fail)
    client = Client(raise_request_exception=False)
    client.force_login(member)

    response = post_new(client, company, [upload("one.png", png_bytes()), upload("two.png", png_bytes())])

    assert response.status_code == 500
    assert saved, "the first file must have been written for this test to mean anything"
    assert Complaint.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert stored_files(settings) == []


def test_a_draft_cannot_grow_past_five_files_by_editing(member_client, member, company, settings):
    post_new(member_client, company, [upload(f"photo-{n}.png", png_bytes()) for n in range(5)])
    complaint = Complaint.objects.get()
    edit_url = reverse("complaints:edit", kwargs={"pk": complaint.pk})

    response = member_client.post(edit_url, {**form_data(company), "evidence": [upload("sixth.png", png_bytes())]})

    assert response.status_code == 200
    assert "at most 5" in field_errors(response, "evidence")
    assert complaint.attachments.count() == 5
    assert len(stored_files(settings)) == 5


def test_removing_evidence_deletes_its_file(member_client, company, settings, django_capture_on_commit_callbacks):
    post_new(member_client, company, [upload("photo.png", png_bytes())])
    attachment = Attachment.objects.get()
    edit_url = reverse("complaints:edit", kwargs={"pk": attachment.complaint_id})

    # The file goes once the removal is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(edit_url, {**form_data(company), "remove_evidence": [str(attachment.pk)]})

    assert response.status_code == 302
    assert Attachment.objects.count() == 0
    assert stored_files(settings) == []


# Serving evidence --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "content_type"),
    [
        ("photo.jpg", jpeg_bytes, "image/jpeg"),
        ("screenshot.png", png_bytes, "image/png"),
        ("picture.webp", webp_bytes, "image/webp"),
        ("contract.pdf", pdf_bytes, "application/pdf"),
    ],
)
def test_served_evidence_has_safe_headers(member_client, company, name, make, content_type):
    post_new(member_client, company, [upload(name, make(), content_type="text/html")])
    attachment = Attachment.objects.get()

    response = member_client.get(reverse("complaints:evidence", kwargs={"pk": attachment.pk}))
    served(response)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in [directive.strip().split(" ")[0] for directive in response["Content-Security-Policy"].split(";")]
    disposition = response.get("Content-Disposition", "")
    if content_type == "application/pdf":
        assert disposition.startswith("attachment")
    else:
        assert not disposition.startswith("attachment")


def test_a_draft_s_evidence_is_only_for_its_author(client, member, other_member, unconfirmed_member, company):
    member_client = Client()
    member_client.force_login(member)
    post_new(member_client, company, [upload("photo.png", png_bytes())])
    attachment = Attachment.objects.get()
    url = reverse("complaints:evidence", kwargs={"pk": attachment.pk})

    assert client.get(url).status_code == 404
    for outsider in (other_member, unconfirmed_member):
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider.email
    author_response = member_client.get(url)
    served(author_response)
    assert author_response.status_code == 200
    assert author_response["Cache-Control"] == "private, no-store"


def test_published_evidence_is_public(client, member, company):
    member_client = Client()
    member_client.force_login(member)
    post_new(member_client, company, [upload("photo.png", png_bytes())])
    attachment = Attachment.objects.get()
    complaint_submit(complaint=attachment.complaint, user=member)

    response = client.get(reverse("complaints:evidence", kwargs={"pk": attachment.pk}))
    served(response)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_published_evidence_is_never_kept_by_shared_caches_and_goes_once_hidden(client, member, moderator, company):
    from complaints.services.moderation import moderation_hide

    member_client = Client()
    member_client.force_login(member)
    post_new(member_client, company, [upload("photo.png", png_bytes())])
    attachment = Attachment.objects.get()
    complaint_submit(complaint=attachment.complaint, user=member)
    url = reverse("complaints:evidence", kwargs={"pk": attachment.pk})

    response = client.get(url)
    cache_control = [part.strip() for part in response["Cache-Control"].split(",")]
    assert "public" not in cache_control
    assert "private" in cache_control

    moderation_hide(item=Complaint.objects.get(), moderator=moderator, reason="abuse")
    assert client.get(url).status_code == 404
    # Closed last: closing a file response ends the request, which on PostgreSQL closes the test's connection.
    served(response)


def test_evidence_ids_are_random_uuids(member_client, company):
    post_new(member_client, company, [upload(f"photo-{n}.png", png_bytes()) for n in range(2)])

    first, second = Attachment.objects.all()
    for attachment in (first, second):
        assert isinstance(attachment.pk, uuid.UUID)
        assert attachment.pk.version == 4
        assert str(attachment.pk) in attachment.get_absolute_url()
    assert abs(first.pk.int - second.pk.int) > 1_000_000
    assert member_client.get("/evidence/1/").status_code == 404


def test_unknown_evidence_is_404(client):
    assert client.get(reverse("complaints:evidence", kwargs={"pk": uuid.uuid4()})).status_code == 404


def test_a_verified_member_is_needed_to_upload(client, company, settings):
    unconfirmed = UserFactory(verified=False)
    client.force_login(unconfirmed)

    post_new(client, company, [upload("photo.png", png_bytes())])

    assert Complaint.objects.count() == 0
    assert stored_files(settings) == []
