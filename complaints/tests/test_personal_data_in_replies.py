"""Personal data in comments, public messages and edits: warned at the text, held when sent anyway.

The same rule as for the story (issue 11, item 4): public words that seem to hold a phone
number, an address, a card or an account number are refused with a warning that names what
was found; with "send anyway" they are saved, only their writer and the moderators read them,
and nobody is told about a held message until a moderator lets it be read.
"""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from complaints.models import Comment, Complaint, Delivery, Follow, Message, ModerationAction, Topic
from complaints.services.lifecycle import ComplaintError, PersonalDataError
from complaints.services.moderation import (
    complaint_edit,
    held_without_reports,
    message_edit,
    moderation_dismiss_flags,
    moderation_hide,
    moderation_redact,
    moderation_restore,
    queue_counts,
)
from complaints.services.notifications import delivery_set
from complaints.services.participation import comment_post
from complaints.services.thread import message_post
from complaints.tests.factories import UserFactory, make_published
from complaints_site.tests.language_client import LanguageClient

PHONE = "+7 999 555-11-22"
EMAIL = "ivan.petrov@mail.example"
HELD_MESSAGE = "Held for review: a moderator is checking this message for personal data."
HELD_COMMENT = "Held for review: a moderator is checking this comment for personal data."
ONLY_YOU = "Only you and the moderators can read this until a moderator has checked it for personal data."


@pytest.fixture
def moderator(db):
    user = UserFactory(email="mod@example.com")
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    return user


@pytest.fixture
def published(member, company):
    return make_published(author=member, company=company, title="Internet down for two weeks")


@pytest.fixture
def follower(published):
    user = UserFactory(email="follower@example.com")
    Follow.objects.create(complaint=published, user=user)
    delivery_set(user, Topic.FOLLOWING, Delivery.AT_ONCE)  # not the daily digest: each mail is seen at once
    return user


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page_of(complaint, user=None) -> str:
    return client_for(user).get(complaint.get_absolute_url()).content.decode()


def mails_to(mailoutbox, user):
    return [mail for mail in mailoutbox if mail.to == [user.email]]


# The rule, at the service.

@pytest.mark.parametrize("words", [f"Same here, ring me on {PHONE}", f"Write to {EMAIL}", "Card 4111 1111 1111 1111"])
def test_a_comment_with_personal_data_is_refused_with_what_was_found_and_saves_nothing(published, other_member,
                                                                                         words):
    with pytest.raises(PersonalDataError) as refused:
        comment_post(complaint=published, user=other_member, body=words)
    assert refused.value.findings and refused.value.findings[0].text in words
    assert refused.value.findings[0].text in str(refused.value)
    assert not Comment.objects.exists()


def test_a_comment_sent_anyway_is_held(published, other_member):
    comment = comment_post(complaint=published, user=other_member, body=f"Ring {PHONE}", send_anyway=True)
    assert comment.text_held
    assert list(held_without_reports()["comment"]) == [comment]
    assert queue_counts()["held"] == 1


def test_a_comment_without_personal_data_is_never_held(published, other_member):
    comment = comment_post(complaint=published, user=other_member, body="Same for me since May, order 2024/17.")
    assert not comment.text_held
    assert queue_counts()["held"] == 0


@pytest.mark.parametrize("writer", ["rep", "author"])
def test_a_public_message_with_personal_data_is_refused(published, rep, writer):
    user, kind = (rep, Message.Kind.ANSWER) if writer == "rep" else (published.author, Message.Kind.REPLY)
    with pytest.raises(PersonalDataError):
        message_post(complaint=published, user=user, kind=kind, body=f"Call {PHONE}.")
    assert not Message.objects.exists()
    published.refresh_from_db()
    assert published.status == Complaint.Status.PUBLISHED and published.first_answered_at is None


@pytest.mark.parametrize("writer", ["rep", "author"])
def test_a_private_message_may_hold_personal_data_as_it_is_meant_to(published, rep, writer):
    user, kind = (rep, Message.Kind.DETAILS) if writer == "rep" else (published.author, Message.Kind.REPLY)
    message = message_post(complaint=published, user=user, kind=kind, body=f"Call {PHONE}.", is_private=True)
    assert not message.text_held and message.announced


def test_a_held_message_tells_nobody_until_a_moderator_lets_it_be_read(
    published, rep, follower, moderator, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_post(complaint=published, user=rep, kind=Message.Kind.ANSWER,
                               body=f"Our engineer is on {PHONE}.", send_anyway=True)
    assert message.text_held and not message.announced
    assert mailoutbox == []
    published.refresh_from_db()
    assert published.status == Complaint.Status.ANSWERED  # the company did answer; only its words wait

    with django_capture_on_commit_callbacks(execute=True):
        assert moderation_dismiss_flags(item=message, moderator=moderator, note="A company hotline") == 0
    message.refresh_from_db()
    assert not message.text_held and message.announced
    assert len(mails_to(mailoutbox, published.author)) == 1
    assert len(mails_to(mailoutbox, follower)) == 1
    action = ModerationAction.objects.get()
    assert (action.action, action.message, action.note) == ("release", message, "A company hotline")
    assert queue_counts()["held"] == 0

    # Decided once: a second moderator is told, and nobody is told twice.
    with pytest.raises(ComplaintError, match="no open reports"):
        moderation_dismiss_flags(item=message, moderator=moderator)
    assert len(mailoutbox) == 2


def test_redacting_a_held_message_lets_it_be_read_and_announces_it_once(
    published, rep, moderator, django_capture_on_commit_callbacks, mailoutbox
):
    message = message_post(complaint=published, user=rep, kind=Message.Kind.ANSWER,
                           body=f"Our engineer is on {PHONE}.", send_anyway=True)
    with django_capture_on_commit_callbacks(execute=True):
        moderation_redact(item=message, field="body", selection=PHONE, moderator=moderator)
    message.refresh_from_db()
    assert PHONE not in message.body and not message.text_held and message.announced
    assert len(mails_to(mailoutbox, published.author)) == 1


def test_a_held_message_hidden_then_restored_is_announced_only_then(
    published, rep, moderator, django_capture_on_commit_callbacks, mailoutbox
):
    message = message_post(complaint=published, user=rep, kind=Message.Kind.ANSWER,
                           body=f"Ring {PHONE}", send_anyway=True)
    with django_capture_on_commit_callbacks(execute=True):
        moderation_hide(item=message, moderator=moderator, reason="personal_data")
    assert mailoutbox == []
    assert queue_counts()["held"] == 0  # decided: hidden is not waiting
    with django_capture_on_commit_callbacks(execute=True):
        moderation_restore(item=message, moderator=moderator)
    message.refresh_from_db()
    assert not (message.is_hidden or message.text_held) and message.announced
    assert len(mails_to(mailoutbox, published.author)) == 1


def test_the_writer_taking_the_data_out_lets_the_message_be_read(
    published, rep, django_capture_on_commit_callbacks, mailoutbox
):
    message = message_post(complaint=published, user=rep, kind=Message.Kind.ANSWER,
                           body=f"Ring {PHONE}", send_anyway=True)
    with django_capture_on_commit_callbacks(execute=True):
        message_edit(message=message, user=rep, body="Ring our hotline, the number is on the website.")
    message.refresh_from_db()
    assert not message.text_held and message.announced
    assert len(mails_to(mailoutbox, published.author)) == 1


def test_an_edit_adding_personal_data_is_refused_or_held(published, rep):
    message = message_post(complaint=published, user=rep, kind=Message.Kind.ANSWER, body="We are looking into it.")
    with pytest.raises(PersonalDataError):
        message_edit(message=message, user=rep, body=f"Ring {PHONE}")
    message.refresh_from_db()
    assert message.body == "We are looking into it." and not message.text_held

    message_edit(message=message, user=rep, body=f"Ring {PHONE}", send_anyway=True)
    message.refresh_from_db()
    assert message.body == f"Ring {PHONE}" and message.text_held


def test_data_a_moderator_let_stand_does_not_count_again_in_an_edit(published, rep, moderator):
    message = message_post(complaint=published, user=rep, kind=Message.Kind.ANSWER, body=f"Hotline {PHONE}",
                           send_anyway=True)
    moderation_dismiss_flags(item=message, moderator=moderator)
    message_edit(message=message, user=rep, body=f"Hotline {PHONE}, open from 8 to 20.")
    message.refresh_from_db()
    assert not message.text_held


def test_the_author_editing_the_story_is_held_only_when_sent_anyway(published):
    with pytest.raises(PersonalDataError):
        complaint_edit(complaint=published, user=published.author, title=published.title,
                       story=f"{published.story}\nCall me on {PHONE}.")
    published.refresh_from_db()
    assert PHONE not in published.story and not published.text_held

    complaint_edit(complaint=published, user=published.author, title=published.title,
                   story=f"{published.story}\nCall me on {PHONE}.", send_anyway=True)
    published.refresh_from_db()
    assert PHONE in published.story and published.text_held
    assert list(held_without_reports()["complaint"]) == [published]


def test_a_title_never_takes_personal_data_even_sent_anyway(published):
    with pytest.raises(ComplaintError, match="title is shown in every list"):
        complaint_edit(complaint=published, user=published.author, title=f"Call {PHONE}", story=published.story,
                       send_anyway=True)
    published.refresh_from_db()
    assert PHONE not in published.title and not published.text_held


def test_a_moderators_edit_is_not_held(published, moderator):
    complaint_edit(complaint=published, user=moderator, title=published.title,
                   story=f"{published.story}\nThe company hotline is {PHONE}.")
    published.refresh_from_db()
    assert not published.text_held


# Through the pages.

def test_the_comment_form_warns_at_the_text_keeps_it_and_offers_send_anyway(published, other_member):
    client = client_for(other_member)
    url = reverse("complaints:comment", args=[published.pk])
    words = f"Same here. Ring me: {PHONE}"
    response = client.post(url, {"body": words})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_comment_body_error"' in html and "seems to contain personal data" in html
    assert PHONE in html.split('id="id_comment_body_error"')[1].split("</ul>")[0]
    assert f"{words}</textarea>" in html  # kept as typed
    assert 'name="send_anyway"' in html
    assert not Comment.objects.exists()

    response = client.post(url, {"body": words, "send_anyway": "on"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.text_held

    # Its writer reads it, with a word on why nobody else does yet; the others see the hold.
    own = page_of(published, other_member)
    assert PHONE in own and ONLY_YOU in own
    for viewer in (None, published.author):
        shown = page_of(published, viewer)
        assert PHONE not in shown and HELD_COMMENT in shown


def test_without_personal_data_the_comment_form_shows_no_send_anyway_box(published, other_member):
    html = page_of(published, other_member)
    assert 'name="send_anyway"' not in html


def test_the_companys_answer_is_warned_then_held_and_the_author_sees_the_hold(published, rep):
    client = client_for(rep)
    url = reverse("complaints:message", args=[published.pk])
    data = {"as": "company", "kind": Message.Kind.ANSWER, "body": f"Please call {PHONE}."}
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_company_body_error"' in html and 'id="id_company_send_anyway"' in html
    assert not Message.objects.exists()

    assert client.post(url, {**data, "send_anyway": "on"}).status_code == 302
    assert Message.objects.get().text_held
    shown = page_of(published, published.author)
    assert PHONE not in shown and HELD_MESSAGE in shown
    assert PHONE in page_of(published, rep)


def test_a_private_reply_with_personal_data_goes_through_at_once(published):
    client = client_for(published.author)
    response = client.post(reverse("complaints:message", args=[published.pk]),
                           {"as": "author", "body": f"My contract number is on file; ring {PHONE}.",
                            "is_private": "on"})
    assert response.status_code == 302
    assert not Message.objects.get().text_held


def test_a_held_text_has_no_report_link(published, rep, other_member):
    message_post(complaint=published, user=rep, kind=Message.Kind.ANSWER, body=f"Ring {PHONE}", send_anyway=True)
    assert "/report/" not in page_of(published, other_member).split('id="thread"')[1].split('id="comments"')[0]


def test_the_moderator_finds_the_held_comment_in_the_queue_and_lets_it_be_read(published, other_member, moderator):
    comment = comment_post(complaint=published, user=other_member, body=f"Ring {PHONE}", send_anyway=True)
    moderating = client_for(moderator)
    queue = moderating.get(reverse("complaints:moderation_queue"), {"show": "held"}).content.decode()
    held_section = queue.split('id="held"')[1].split("</section>")[0]
    item_url = reverse("complaints:moderation_item", args=["comment", comment.pk])
    assert item_url in held_section
    page = moderating.get(item_url).content.decode()
    assert "Text is fine" in page and f"<mark>{PHONE}</mark>" in page

    response = moderating.post(reverse("complaints:moderation_dismiss", args=["comment", comment.pk]),
                               {"reason": "ok", "note": ""})
    assert response.status_code == 302
    assert PHONE in page_of(published)
    queue = moderating.get(reverse("complaints:moderation_queue"), {"show": "held"}).content.decode()
    assert item_url not in queue


def test_editing_the_story_warns_at_the_story_and_a_title_at_the_title(published):
    client = client_for(published.author)
    url = reverse("complaints:change", args=[published.pk])
    response = client.post(url, {"title": published.title, "story": f"Call me on {PHONE}."})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="id_story_error"' in html and 'name="send_anyway"' in html
    response = client.post(url, {"title": f"Call {PHONE}", "story": published.story})
    html = response.content.decode()
    assert 'id="id_title_error"' in html and "title is shown in every list" in html
    published.refresh_from_db()
    assert PHONE not in published.title + published.story

    assert client.post(url, {"title": published.title, "story": f"Call me on {PHONE}.",
                             "send_anyway": "on"}).status_code == 302
    published.refresh_from_db()
    assert published.text_held
    assert PHONE not in page_of(published)
    assert PHONE in page_of(published, published.author)


@pytest.mark.parametrize("language, warning", [
    ("ru", "похоже, есть персональные данные"),
    ("de", "personenbezogene Daten"),
    ("sv", "personuppgifter"),
])
def test_the_warning_speaks_the_readers_language(published, other_member, language, warning):
    client = client_for(other_member)
    client = LanguageClient(client, language)
    response = client.post(reverse("complaints:comment", args=[published.pk]), {"body": f"Ring {PHONE}"})
    html = response.content.decode()
    assert warning in html and PHONE in html
    assert "Send anyway" not in html and "seems to contain" not in html


# Moderators' decisions that are refused keep what was typed.

def test_an_invalid_decision_comes_back_with_the_error_at_the_field_and_the_note_kept(published, moderator):
    client = client_for(moderator)
    note = "Insults the staff by name; second time this week"
    response = client.post(reverse("complaints:moderation_hide", args=["complaint", published.pk]),
                           {"reason": "no-such-reason", "note": note})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="hide-reason-error"' in html and f'value="{note}"' in html
    assert not ModerationAction.objects.exists()


def test_a_redaction_that_is_refused_keeps_the_selection_and_note(published, moderator):
    client = client_for(moderator)
    response = client.post(reverse("complaints:moderation_redact", args=["complaint", published.pk]),
                           {"field": "story", "selection": "words that are not there", "reason": "personal_data",
                            "note": "from the appeal"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "no longer in the item" in html
    assert ">words that are not there</textarea>" in html or 'value="words that are not there"' in html
    assert 'value="from the appeal"' in html


def test_a_selection_made_in_the_browser_finds_text_sent_with_windows_line_breaks(member, company, moderator):
    complaint = make_published(author=member, company=company, story=f"First line.\r\nCall me on\r\n{PHONE}.")
    moderation_redact(item=complaint, field="story", selection=f"Call me on\n{PHONE}", moderator=moderator)
    complaint.refresh_from_db()
    assert PHONE not in complaint.story and complaint.story.startswith("First line.\r\n[")
