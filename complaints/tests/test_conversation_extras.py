"""A richer conversation: files on messages (checked like evidence, private with a private message),
the author's answer to a proposed call-back time, and reply templates that fill in an offer."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from companies.forms import ReplyTemplateForm
from companies.models import ReplyTemplate
from companies.tests.factories import CompanyFactory
from complaints.evidence import inspect_upload
from complaints.models import Attachment, CallbackAnswer, Message, StatusChange
from complaints.services.lifecycle import ComplaintError
from complaints.services.thread import callback_respond, message_post
from complaints.tests.factories import UserFactory, make_published, make_representative
from complaints.tests.test_evidence import REFUSED, jpeg_bytes, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db

TITLE = "Internet down for two weeks, nobody answers"


@pytest.fixture
def complaint(member, company, rep):
    return make_published(author=member, company=company)


def post_message(client, complaint, *, as_company, files=(), **fields):
    data = {"as": "company" if as_company else "author", "body": "Here is the receipt.", **fields}
    if as_company:
        data.setdefault("kind", "answer")
    data["files"] = list(files)
    return client.post(reverse("complaints:message", kwargs={"pk": complaint.pk}), data)


# ---- Files on messages ---------------------------------------------------------------------

@pytest.mark.parametrize("as_company", [False, True])
def test_both_sides_attach_up_to_three_files_checked_like_evidence(client, complaint, member, rep, as_company):
    client.force_login(rep if as_company else member)
    files = [upload("a.png", png_bytes()), upload("b.jpg", jpeg_bytes()), upload("c.pdf", pdf_bytes())]
    response = post_message(client, complaint, as_company=as_company, files=files)
    assert response.status_code == 302
    message = Message.objects.get()
    assert sorted(a.original_name for a in message.files.all()) == ["a.png", "b.jpg", "c.pdf"]
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert page.count('class="gallery-thumb"') == 2 and page.count('class="file-card"') == 1
    # Message files are not the complaint's evidence.
    assert 'id="evidence-heading"' not in page


def test_a_fourth_file_is_refused_next_to_the_field_and_nothing_is_posted(client, complaint, member):
    client.force_login(member)
    files = [upload(f"{n}.png", png_bytes()) for n in range(4)]
    response = post_message(client, complaint, as_company=False, files=files)
    assert response.status_code == 200
    assert "Choose at most 3 files." in response.content.decode()
    assert not Message.objects.exists() and not Attachment.objects.exists()


@pytest.mark.parametrize("kind", list(REFUSED))
def test_a_hostile_file_is_refused_and_nothing_is_posted(client, complaint, member, kind):
    name, make, phrase = REFUSED[kind]
    client.force_login(member)
    response = post_message(client, complaint, as_company=False, files=[upload(name, make())])
    assert response.status_code == 200
    if phrase:
        assert phrase in response.content.decode()
    assert not Message.objects.exists() and not Attachment.objects.exists()


def test_files_written_before_a_failure_are_removed_with_the_rows(complaint, rep, settings):
    checked = [inspect_upload(upload("a.png", png_bytes()))]
    broken_offer = {"kind": "refund", "no_such_field": 1}  # fails after the files are written
    with pytest.raises(TypeError):
        message_post(complaint=complaint, user=rep, kind=Message.Kind.OFFER, body="Refund", files=checked,
                     offer=broken_offer)
    assert not Attachment.objects.exists()
    stored = [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]
    assert stored == []


@pytest.fixture
def private_file(complaint, rep):
    message = message_post(complaint=complaint, user=rep, kind=Message.Kind.DETAILS, body="Your contract",
                           is_private=True, files=[inspect_upload(upload("contract.pdf", pdf_bytes()))])
    return message.files.get()


@pytest.mark.parametrize("who, status", [
    ("visitor", 404), ("member", 404), ("other company's rep", 404),
    ("author", 200), ("representative", 200), ("moderator", 200),
])
def test_a_private_messages_file_is_served_only_to_the_parties_and_moderators(
        client, private_file, member, rep, moderator, company, who, status):
    users = {
        "visitor": None, "member": UserFactory(), "author": member, "representative": rep, "moderator": moderator,
        "other company's rep": make_representative(CompanyFactory(name="Deltacom", slug="deltacom")),
    }
    if users[who]:
        client.force_login(users[who])
    response = client.get(private_file.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        assert response["Cache-Control"] == "private, no-store"
    page = client.get(private_file.complaint.get_absolute_url()).content.decode()
    assert (private_file.get_absolute_url() in page) == (status == 200)


def test_a_hidden_messages_file_is_for_moderators_only(client, complaint, member, moderator):
    message = message_post(complaint=complaint, user=member, kind=Message.Kind.REPLY, body="Receipt",
                           files=[inspect_upload(upload("r.png", png_bytes()))])
    Message.objects.filter(pk=message.pk).update(is_hidden=True)
    attachment = message.files.get()
    client.force_login(UserFactory())
    assert client.get(attachment.get_absolute_url()).status_code == 404
    client.force_login(moderator)
    assert client.get(attachment.get_absolute_url()).status_code == 200


def test_a_public_messages_file_is_served_to_visitors(client, complaint, member):
    message = message_post(complaint=complaint, user=member, kind=Message.Kind.REPLY, body="Receipt",
                           files=[inspect_upload(upload("r.png", png_bytes()))])
    response = client.get(message.files.get().get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_the_complaint_page_reads_message_files_in_one_query(client, complaint, member):
    for n in range(3):
        message_post(complaint=complaint, user=member, kind=Message.Kind.REPLY, body=f"Receipt {n}",
                     files=[inspect_upload(upload(f"r{n}.png", png_bytes()))])
    with CaptureQueriesContext(connection) as queries:
        client.get(complaint.get_absolute_url())
    file_queries = [q for q in queries.captured_queries if 'FROM "complaints_attachment"' in q["sql"]
                    and '"message_id" IN' in q["sql"]]
    assert len(file_queries) == 1


# ---- A proposed call-back time ------------------------------------------------------------

@pytest.fixture
def callback_message(complaint, rep):
    return message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="We will call you.",
                        callback_at=timezone.now() + timedelta(days=1))


@pytest.mark.parametrize("answer, accepted", [("accept", True), ("decline", False)])
def test_the_author_answers_a_call_back_time_and_the_company_hears_it(
        client, callback_message, member, committed, sent, answer, accepted, mailoutbox):
    client.force_login(member)
    mailoutbox.clear()
    with committed():
        response = client.post(reverse("complaints:callback_answer", kwargs={"pk": callback_message.pk,
                                                                             "answer": answer}))
    assert response.status_code == 302
    assert CallbackAnswer.objects.get(message=callback_message).accepted is accepted
    word = "accepted" if accepted else "declined"
    assert sent() == [("anna@2kom.ru", f"Call-back {word}: {TITLE}")]
    last = StatusChange.objects.filter(complaint=callback_message.complaint).last()
    assert last.event == (StatusChange.Event.CALLBACK_ACCEPTED if accepted else StatusChange.Event.CALLBACK_DECLINED)
    page = client.get(callback_message.complaint.get_absolute_url()).content.decode()
    assert f"The author {word} this time." in page
    assert f"The author {word} the call-back time the company proposed." in page  # the timeline


@pytest.mark.parametrize("who, status", [("visitor", 302), ("member", 403), ("representative", 403)])
def test_only_the_author_answers_a_call_back_time(client, callback_message, rep, who, status):
    if who != "visitor":
        client.force_login(rep if who == "representative" else UserFactory())
    url = reverse("complaints:callback_answer", kwargs={"pk": callback_message.pk, "answer": "accept"})
    assert client.post(url).status_code == status
    assert not CallbackAnswer.objects.exists()


def test_a_call_back_time_is_answered_once_and_not_after_it_passed(callback_message, member, complaint, rep):
    callback_respond(message=callback_message, user=member, accept=True)
    with pytest.raises(ComplaintError, match="already answered"):
        callback_respond(message=callback_message, user=member, accept=False)
    later = message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="Or tomorrow?",
                         callback_at=timezone.now() + timedelta(hours=1))
    Message.objects.filter(pk=later.pk).update(callback_at=timezone.now() - timedelta(minutes=1))
    later.refresh_from_db()
    with pytest.raises(ComplaintError, match="has passed"):
        callback_respond(message=later, user=member, accept=True)
    plain = message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="No call")
    with pytest.raises(ComplaintError, match="proposes no call-back"):
        callback_respond(message=plain, user=member, accept=True)


def test_an_unknown_answer_is_not_found(client, callback_message, member):
    client.force_login(member)
    url = reverse("complaints:callback_answer", kwargs={"pk": callback_message.pk, "answer": "maybe"})
    assert client.post(url).status_code == 404


# ---- Reply templates that fill in an offer ------------------------------------------------

def test_a_template_with_an_offer_fills_in_the_answer_forms_offer(client, complaint, rep, company):
    template = ReplyTemplate.objects.create(
        company=company, title="Three free days", body="Sorry for the outage.", offer_kind="free_days",
        offer_days=3, offer_description="Three days free on your next bill")
    client.force_login(rep)
    page = client.get(complaint.get_absolute_url(), {"template": template.pk}).content.decode()
    form = page[page.index('id="company-reply"'):]
    assert '<option value="offer" selected>' in form
    assert '<option value="free_days" selected>' in form
    assert 'name="offer_days" value="3"' in form
    assert 'value="Three days free on your next bill"' in form


@pytest.mark.parametrize("data, field, message", [
    ({"offer_kind": "refund", "offer_description": "Money back"}, "offer_amount", "Give the amount."),
    ({"offer_kind": "refund", "offer_amount": "10", "offer_description": "Back"}, "offer_currency", "Choose the currency."),
    ({"offer_kind": "free_days", "offer_description": "Free"}, "offer_days", "Give the number of days."),
    ({"offer_kind": "replacement", "offer_amount": "5", "offer_description": "New"}, "offer_amount", "no amount"),
    ({"offer_days": "3"}, "offer_days", "with an offer only"),
    ({"offer_kind": "credit", "offer_amount": "5", "offer_currency": "EUR"}, "offer_description", "Describe the offer"),
])
def test_a_templates_offer_is_checked_like_an_offer(data, field, message):
    form = ReplyTemplateForm({"title": "T", "body": "B", **data})
    assert not form.is_valid()
    assert any(message in error for error in form.errors[field])


def test_the_templates_page_saves_an_offer(client, company, rep):
    client.force_login(rep)
    response = client.post(reverse("companies:templates", kwargs={"slug": company.slug}), {
        "title": "Refund", "body": "We refund you.", "offer_kind": "refund", "offer_amount": "25.00",
        "offer_currency": "EUR", "offer_description": "Refund of March",
    })
    assert response.status_code == 302
    template = ReplyTemplate.objects.get()
    assert (template.offer_kind, str(template.offer_amount), template.offer_currency) == ("refund", "25.00", "EUR")
    assert "Fills in an offer:" in client.get(reverse("companies:templates", kwargs={"slug": company.slug})).content.decode()
