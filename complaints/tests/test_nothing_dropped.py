"""Nothing typed is dropped without a word, and no request ends in a 500.

Offer fields sent with another kind of message, a repeated or doubled submission, a NUL byte in a
query parameter, an invalid form posted where the page cannot take it: each gets a message at the
field (or the first request's result) and changes nothing.
"""

import queue
import re
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from companies.tests.factories import CompanyFactory
from complaints.models import Comment, Complaint, Evaluation, Message, Offer
from complaints.services.lifecycle import complaint_save_draft
from complaints.services.moderation import moderation_suspend
from complaints.services.participation import comment_post
from complaints.services.thread import complaint_evaluate, message_post
from complaints.tests.factories import UserFactory, complaint_fields, make_draft, make_published
from complaints.tests.test_hostile_input import nul_watch
from complaints.tests.test_thread_services import verdict
from complaints.tests.test_views import form_data


@pytest.fixture
def published(company, member):
    return make_published(author=member, company=company)


def company_post(**overrides):
    data = {"as": "company", "kind": "answer", "body": "We are sorry.", "submission_token": str(uuid.uuid4())}
    data.update(overrides)
    return data


def offer_fields(**overrides):
    fields = {
        "offer_kind": "refund", "offer_amount": "100", "offer_currency": "EUR", "offer_days": "",
        "offer_description": "A refund of the last bill",
        "offer_expires_on": (timezone.localdate() + timedelta(days=14)).isoformat(),
    }
    fields.update(overrides)
    return fields


def field_errors(response, field_id):
    """The error list tied to one field (by its id), as text."""
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', response.content.decode(), re.S)
    return match.group(1) if match else ""


# Offer fields go with the kind "Offer" only.

@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["answer", "apology", "details"])
@pytest.mark.parametrize("field, value", [
    ("offer_kind", "refund"), ("offer_amount", "100"), ("offer_currency", "EUR"), ("offer_days", "3"),
    ("offer_description", "A refund"), ("offer_expires_on", "2099-01-01"),
])
def test_offer_fields_filled_for_another_kind_are_an_error_and_nothing_is_posted(client, rep, published, kind,
                                                                                 field, value):
    client.force_login(rep)
    response = client.post(reverse("complaints:message", args=[published.pk]),
                           company_post(kind=kind, **{field: value}))
    assert response.status_code == 200
    assert "for an offer only" in field_errors(response, f"id_company_{field}")
    assert not Message.objects.exists()
    assert not Offer.objects.exists()


@pytest.mark.django_db
def test_the_reported_case_an_answer_with_a_refund_of_100_is_refused_at_the_amount(client, rep, published):
    client.force_login(rep)
    response = client.post(reverse("complaints:message", args=[published.pk]),
                           company_post(kind="answer", **offer_fields()))
    for field in ("offer_kind", "offer_amount", "offer_currency", "offer_description", "offer_expires_on"):
        assert "for an offer only" in field_errors(response, f"id_company_{field}")
    assert not Message.objects.exists()
    published.refresh_from_db()
    assert published.status == Complaint.Status.PUBLISHED


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["answer", "apology", "details"])
def test_other_kinds_without_offer_fields_are_posted(client, rep, published, kind):
    client.force_login(rep)
    response = client.post(reverse("complaints:message", args=[published.pk]), company_post(kind=kind))
    assert response.status_code == 302
    assert Message.objects.get().kind == kind


@pytest.mark.django_db
def test_an_offer_with_its_fields_is_posted(client, rep, published):
    client.force_login(rep)
    response = client.post(reverse("complaints:message", args=[published.pk]),
                           company_post(kind="offer", **offer_fields()))
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert (offer.kind, offer.amount, offer.currency) == ("refund", 100, "EUR")


@pytest.mark.django_db
@pytest.mark.parametrize("offer_kind, field, value", [
    ("free_days", "offer_amount", "100"),
    ("free_days", "offer_currency", "EUR"),
    ("replacement", "offer_amount", "100"),
    ("refund", "offer_days", "3"),
    ("credit", "offer_days", "3"),
    ("replacement", "offer_days", "3"),
    ("other", "offer_days", "3"),
])
def test_offer_fields_that_do_not_go_with_the_kind_of_offer_are_an_error(client, rep, published, offer_kind,
                                                                          field, value):
    data = offer_fields(offer_kind=offer_kind, offer_amount="", offer_currency="", offer_days="")
    if offer_kind in ("refund", "credit"):
        data.update(offer_amount="100", offer_currency="EUR")
    if offer_kind == "free_days":
        data["offer_days"] = "3"
    data[field] = value
    client.force_login(rep)
    response = client.post(reverse("complaints:message", args=[published.pk]), company_post(kind="offer", **data))
    assert response.status_code == 200
    assert field_errors(response, f"id_company_{field}")
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_a_currency_without_an_amount_on_another_offer_asks_for_the_amount(client, rep, published):
    client.force_login(rep)
    data = offer_fields(offer_kind="other", offer_amount="", offer_currency="EUR")
    response = client.post(reverse("complaints:message", args=[published.pk]), company_post(kind="offer", **data))
    assert "Give the amount" in field_errors(response, "id_company_offer_amount")
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_the_offer_fieldset_says_it_is_for_offers_only_and_loads_its_script(client, rep, published):
    client.force_login(rep)
    html = client.get(published.get_absolute_url()).content.decode()
    assert "only for the kind “Offer”" in html
    script = re.search(r'<script src="([^"]*offer-fields\.js)" nonce="([^"]+)" defer>', html)
    assert script, "the script that hides the offer fields is not loaded (with a nonce)"


# Invalid forms posted where the page cannot show them: a message, never a 500.

@pytest.mark.django_db
def test_an_invalid_comment_on_ones_own_draft_is_refused_with_a_message(member_client, member, company):
    draft = make_draft(author=member, company=company)
    response = member_client.post(reverse("complaints:comment", args=[draft.pk]), {"body": ""}, follow=True)
    assert response.status_code == 200
    assert "Only members can comment on a public complaint." in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_an_empty_comment_is_shown_again_with_the_error_at_the_field(client, other_member, published):
    client.force_login(other_member)
    response = client.post(reverse("complaints:comment", args=[published.pk]), {"body": ""})
    assert response.status_code == 200
    assert "This field is required." in field_errors(response, "id_comment_body")
    assert not Comment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["author", "company"])
def test_an_empty_message_is_shown_again_with_the_error_at_the_field(client, member, rep, published, who):
    client.force_login(member if who == "author" else rep)
    data = company_post(body="") if who == "company" else {"as": "author", "body": ""}
    response = client.post(reverse("complaints:message", args=[published.pk]), data)
    assert response.status_code == 200
    field_id = "id_company_body" if who == "company" else "id_reply_body"
    assert "This field is required." in field_errors(response, field_id)
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_an_empty_message_on_ones_own_draft_is_refused_with_a_message(member_client, member, company):
    draft = make_draft(author=member, company=company)
    response = member_client.post(reverse("complaints:message", args=[draft.pk]), {"as": "author", "body": ""},
                                  follow=True)
    assert response.status_code == 200
    assert "This complaint is closed for new messages." in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_an_empty_post_to_messages_is_not_a_500(member_client, published):
    response = member_client.post(reverse("complaints:message", args=[published.pk]), {})
    assert response.status_code == 200
    assert not Message.objects.exists()


# Query parameters on member pages: a NUL byte never reaches the database.

@pytest.mark.django_db
@pytest.mark.parametrize("value", ["\x00", "2kom\x00", "%00", "../2kom", "' OR 1=1--"])
def test_a_hostile_company_parameter_on_the_complaint_form_is_ignored(member_client, company, value):
    with nul_watch() as watch:
        response = member_client.get(reverse("complaints:new"), {"company": value})
    assert response.status_code == 200
    assert not watch.seen, "a NUL byte reached the database"
    assert response.context["form"]["company_name"].value() in (None, "")


@pytest.mark.django_db
def test_the_company_parameter_still_fills_in_the_company(member_client, company):
    response = member_client.get(reverse("complaints:new"), {"company": "2kom"})
    assert response.context["form"]["company_name"].value() == "2KOM"


@pytest.mark.django_db
@pytest.mark.parametrize("url_name, params", [
    ("complaints:business", {"company": "2kom\x00", "view": "\x00", "page": "\x00"}),
    ("complaints:mine", {"page": "\x00"}),
])
def test_nul_bytes_in_member_page_parameters_never_reach_the_database(client, rep, url_name, params):
    client.force_login(rep)
    with nul_watch() as watch:
        response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    assert not watch.seen


@pytest.mark.django_db
def test_a_nul_byte_in_the_reply_template_parameter_is_ignored(client, rep, published):
    client.force_login(rep)
    with nul_watch() as watch:
        response = client.get(published.get_absolute_url(), {"template": "1\x00"})
    assert response.status_code == 200
    assert not watch.seen


# Every form on the complaint page has ids of its own.

@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["author", "representative", "other member"])
def test_every_id_on_the_complaint_page_is_unique_and_every_label_points_at_its_own_field(
        client, member, other_member, rep, published, persona):
    for _ in range(2):  # two offers, each with its own decline form for the author
        message_post(complaint=published, user=rep, kind=Message.Kind.OFFER, body="Our offer.", offer={
            "kind": "free_days", "days": 3, "amount": None, "currency": "", "description": "Three free days",
            "expires_on": timezone.localdate() + timedelta(days=14)})
    client.force_login({"author": member, "representative": rep, "other member": other_member}[persona])
    html = client.get(published.get_absolute_url()).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    targets = re.findall(r'<label for="([^"]+)"', html)
    assert targets and set(targets) <= set(ids)
    assert 'for="id_comment_body"' in html
    if persona == "representative":
        assert 'for="id_company_body"' in html
    if persona == "author":
        assert 'for="id_reply_body"' in html


# A double-clicked evaluation is one evaluation, and does not use up the one allowed change.

@pytest.fixture
def answered(published, rep):
    message_post(complaint=published, user=rep, kind=Message.Kind.ANSWER, body="We are sorry.")
    return published


def evaluation_post(token, resolved="yes", rating="5"):
    return {"resolved": resolved, "rating": rating, "would_return": "yes", "comment": "", "submission_token": token}


@pytest.mark.django_db
def test_the_evaluation_form_carries_a_submission_token(member_client, answered):
    html = member_client.get(reverse("complaints:evaluate", args=[answered.pk])).content.decode()
    token = re.search(r'name="submission_token" value="([^"]+)"', html)
    assert token and uuid.UUID(token.group(1))


@pytest.mark.django_db
def test_a_double_clicked_first_evaluation_leaves_the_one_change_unused(member_client, answered):
    url, token = reverse("complaints:evaluate", args=[answered.pk]), str(uuid.uuid4())
    first = member_client.post(url, evaluation_post(token), follow=True)
    second = member_client.post(url, evaluation_post(token), follow=True)
    for response in (first, second):
        assert "Thank you. Your evaluation is published." in response.content.decode()
    evaluation = Evaluation.objects.get()
    assert evaluation.change_count == 0
    # The one change is still there.
    member_client.post(url, evaluation_post(str(uuid.uuid4()), resolved="no", rating="2"))
    evaluation.refresh_from_db()
    assert (evaluation.change_count, evaluation.resolved, evaluation.rating) == (1, False, 2)


@pytest.mark.django_db
def test_a_double_clicked_change_gets_the_first_ones_answer(member_client, answered):
    url = reverse("complaints:evaluate", args=[answered.pk])
    member_client.post(url, evaluation_post(str(uuid.uuid4())))
    token = str(uuid.uuid4())
    member_client.post(url, evaluation_post(token, resolved="no", rating="2"))
    repeat = member_client.post(url, evaluation_post(token, resolved="no", rating="2"), follow=True)
    assert "Thank you. Your evaluation is published." in repeat.content.decode()
    assert "cannot be evaluated now" not in repeat.content.decode()
    assert Evaluation.objects.get().change_count == 1


@pytest.mark.django_db
def test_a_second_change_with_a_new_form_is_still_refused(member_client, answered):
    url = reverse("complaints:evaluate", args=[answered.pk])
    member_client.post(url, evaluation_post(str(uuid.uuid4())))
    member_client.post(url, evaluation_post(str(uuid.uuid4()), resolved="no", rating="2"))
    response = member_client.post(url, evaluation_post(str(uuid.uuid4()), rating="4"), follow=True)
    assert "cannot be evaluated now" in response.content.decode()
    evaluation = Evaluation.objects.get()
    assert (evaluation.change_count, evaluation.rating) == (1, 2)


@pytest.mark.django_db
def test_the_same_token_from_the_service_is_not_a_change(answered, member):
    token = uuid.uuid4()
    first = complaint_evaluate(complaint=answered, user=member, data=verdict(), submission_token=token)
    again = complaint_evaluate(complaint=answered, user=member, data=verdict(), submission_token=token)
    assert again.pk == first.pk
    assert Evaluation.objects.get().change_count == 0


# The same form sent eight times at once (a double click, a retrying proxy): one row, and every
# request gets it. Real overlap needs PostgreSQL; SQLite serialises every write.

def all_at_once(action, times=8):
    """Run `action` on `times` connections at the same moment; return what each returned (or raised)
    and whether every call had started before the first one finished."""
    barrier = threading.Barrier(times)
    results, spans = [None] * times, [None] * times

    def run(index):
        try:
            barrier.wait(timeout=10)
            start = time.monotonic()
            try:
                results[index] = action()
            except Exception as error:  # shown in the assertion on the results
                results[index] = repr(error)
            spans[index] = (start, time.monotonic())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    overlapped = max(start for start, _end in spans) < min(end for _start, end in spans)
    return results, overlapped


def slow_insert(monkeypatch, model):
    """Each insert holds its transaction a moment, so the others arrive while it is still open."""
    save = model.save

    def slow_save(self, *args, **kwargs):
        save(self, *args, **kwargs)
        time.sleep(0.2)

    monkeypatch.setattr(model, "save", slow_save)


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises all writes, so the requests cannot overlap",
)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_eight_identical_drafts_at_once_make_one_draft_and_all_get_it(monkeypatch, company):
    author, token = UserFactory(), uuid.uuid4()
    fields = complaint_fields()
    slow_insert(monkeypatch, Complaint)

    results, overlapped = all_at_once(lambda: complaint_save_draft(
        author=author, fields=fields, company=company, submission_token=token).pk)

    assert overlapped
    draft = Complaint.objects.get()
    assert results == [draft.pk] * 8


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_eight_identical_comments_at_once_make_one_comment_and_all_get_it(monkeypatch, company):
    complaint = make_published(author=UserFactory(), company=company)
    commenter, token = UserFactory(), uuid.uuid4()
    slow_insert(monkeypatch, Comment)

    results, overlapped = all_at_once(lambda: comment_post(
        complaint=complaint, user=commenter, body="Same here.", submission_token=token).pk)

    assert overlapped
    comment = Comment.objects.get()
    assert results == [comment.pk] * 8


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_eight_identical_messages_at_once_make_one_message_and_all_get_it(monkeypatch, company):
    author, token = UserFactory(), uuid.uuid4()
    complaint = make_published(author=author, company=company)
    slow_insert(monkeypatch, Message)

    results, overlapped = all_at_once(lambda: message_post(
        complaint=complaint, user=author, kind=Message.Kind.REPLY, body="Any news?", submission_token=token).pk)

    assert overlapped
    message = Message.objects.get()
    assert results == [message.pk] * 8


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_eight_identical_evaluations_at_once_are_one_evaluation_and_no_change(monkeypatch, company, rep):
    author, token = UserFactory(), uuid.uuid4()
    complaint = make_published(author=author, company=company)
    message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="We are sorry.")
    slow_insert(monkeypatch, Evaluation)

    results, overlapped = all_at_once(lambda: complaint_evaluate(
        complaint=complaint, user=author, data=verdict(), submission_token=token).pk)

    assert overlapped
    evaluation = Evaluation.objects.get()
    assert results == [evaluation.pk] * 8
    assert evaluation.change_count == 0


# The complaint form: nothing typed is dropped there either.

@pytest.mark.django_db
@pytest.mark.parametrize("overrides, field, says", [
    ({"currency": "EUR", "amount": ""}, "amount", "Give the amount, or leave the currency empty."),
    ({"display_name": "Ivan", "is_anonymous": "on"}, "display_name", "clear the name, or untick the box"),
])
def test_a_complaint_field_that_would_be_ignored_is_an_error_at_the_field(member_client, company, overrides, field,
                                                                          says):
    response = member_client.post(reverse("complaints:new"), form_data(**overrides))
    assert response.status_code == 200
    assert says in field_errors(response, f"id_{field}")
    assert not Complaint.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("overrides", [
    {"currency": "EUR", "amount": "12.50"}, {"display_name": "", "is_anonymous": "on"}, {"display_name": "Ivan"},
])
def test_consistent_complaint_fields_are_saved(member_client, company, overrides):
    response = member_client.post(reverse("complaints:new"), form_data(**overrides))
    assert response.status_code == 302
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_call_back_time_is_shown_at_the_field_and_the_message_is_kept(client, rep, company, member):
    complaint = make_published(author=member, company=company, reachable_days="0")  # Mondays only
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() != 1:  # a Tuesday
        day += timedelta(days=1)
    client.force_login(rep)
    response = client.post(reverse("complaints:message", args=[complaint.pk]),
                           company_post(body="We can call you back.", callback_at=f"{day.isoformat()}T10:00"))
    assert response.status_code == 200
    assert "cannot be reached on that day" in field_errors(response, "id_company_callback_at")
    assert "We can call you back." in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_a_suspended_members_comment_is_refused_in_the_form_and_kept(client, other_member, published, moderator):
    moderation_suspend(member=other_member, moderator=moderator, reason="spam")
    client.force_login(other_member)
    response = client.post(reverse("complaints:comment", args=[published.pk]), {"body": "My typed comment"})
    assert response.status_code == 200
    assert "Your account is suspended" in response.content.decode()
    assert "My typed comment" in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["x" * 501, "Too late\x00"])
def test_an_offer_is_not_declined_without_the_reason_given(member_client, rep, published, reason):
    message = message_post(complaint=published, user=rep, kind=Message.Kind.OFFER, body="Our offer.", offer={
        "kind": "free_days", "days": 3, "amount": None, "currency": "", "description": "Three free days",
        "expires_on": timezone.localdate() + timedelta(days=14)})
    response = member_client.post(reverse("complaints:offer_decline", args=[message.offer.pk]), {"reason": reason},
                                  follow=True)
    assert response.status_code == 200
    assert "Reason (optional):" in response.content.decode()
    message.offer.refresh_from_db()
    assert message.offer.status == Offer.Status.OPEN


@pytest.mark.django_db
def test_a_repeated_comment_form_lands_on_the_same_comment(client, other_member, published):
    client.force_login(other_member)
    data = {"body": "Same here.", "submission_token": str(uuid.uuid4())}
    first = client.post(reverse("complaints:comment", args=[published.pk]), data)
    second = client.post(reverse("complaints:comment", args=[published.pk]), data)
    comment = Comment.objects.get()
    assert first["Location"] == second["Location"] == f"{published.get_absolute_url()}#comment-{comment.pk}"


@pytest.mark.django_db
def test_a_repeated_complaint_form_lands_on_the_same_draft(member_client, company):
    data = form_data()
    first = member_client.post(reverse("complaints:new"), data)
    second = member_client.post(reverse("complaints:new"), data)
    draft = Complaint.objects.get()
    assert first["Location"] == second["Location"] == reverse("complaints:preview", args=[draft.pk])


@needs_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("what", ["complaint", "comment"])
def test_eight_identical_posts_at_once_all_get_the_first_ones_page(monkeypatch, no_rate_limits, what):
    """The reported case, through the views: one row, and every request is redirected to it (no 500)."""
    company = CompanyFactory(name="2KOM", slug="2kom", website="https://2kom.ru")
    member = UserFactory()
    if what == "complaint":
        url, data, model = reverse("complaints:new"), form_data(), Complaint
    else:
        complaint = make_published(author=UserFactory(), company=company)
        url, data, model = reverse("complaints:comment", args=[complaint.pk]), {
            "body": "Same here.", "submission_token": str(uuid.uuid4())}, Comment
    clients = queue.SimpleQueue()  # one signed-in client per thread
    for _ in range(8):
        client = Client()
        client.force_login(member)
        clients.put(client)
    slow_insert(monkeypatch, model)

    def post():
        response = clients.get().post(url, data)
        return response.status_code, response.get("Location")

    results, overlapped = all_at_once(post)

    assert overlapped
    row = model.objects.get()
    where = reverse("complaints:preview", args=[row.pk]) if what == "complaint" else (
        f"{row.complaint.get_absolute_url()}#comment-{row.pk}")
    assert results == [(302, where)] * 8
