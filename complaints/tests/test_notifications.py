"""Notifications: one per event and person on the site, e-mail at once, in a daily digest or not
at all by choice, in the reader's language, with one-click unsubscribe; the bell in the header."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaints.models import Delivery, MemberPreferences, Message, Notification, Topic
from complaints.services.moderation import moderation_hide
from complaints.services.notifications import (
    DIGEST,
    UNSUBSCRIBE_SALT,
    delivery_set,
    send_digests,
    unsubscribe_token,
)
from complaints.services.participation import follow_toggle
from complaints.services.thread import message_post
from complaints.tests.factories import UserFactory, make_published
from complaints_site.tests.language_client import LanguageClient

pytestmark = pytest.mark.django_db
NOTIFICATIONS = reverse("complaints:notifications")
SETTINGS = reverse("complaints:notification_settings")


@pytest.fixture
def complaint(member, company):
    return make_published(author=member, company=company, title="Internet down for two weeks")


@pytest.fixture
def answer(complaint, rep, django_capture_on_commit_callbacks):
    """The company answers in public; returns a function that does it again."""
    def post(body="We are on it."):
        with django_capture_on_commit_callbacks(execute=True):
            return message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body=body)
    return post


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def mails_to(mailoutbox, user):
    return [mail for mail in mailoutbox if mail.to == [user.email]]


# Who is told, and how.

def test_an_answer_is_one_notification_for_the_author_and_an_e_mail_at_once(member, rep, answer, mailoutbox):
    answer()
    [notification] = Notification.objects.filter(user=member)
    assert (notification.kind, notification.topic, notification.delivery) == (
        "company_message", Topic.MY_COMPLAINTS, Delivery.AT_ONCE)
    assert notification.mailed_at is not None and notification.read_at is None
    assert not Notification.objects.filter(user=rep).exists()  # never told of one's own act
    [mail] = mails_to(mailoutbox, member)
    assert mail.subject.endswith("2KOM answered your complaint")
    html, mimetype = mail.alternatives[0]
    assert mimetype == "text/html" and "2KOM answered your complaint" in html and "<a href=" in html
    assert "Internet down for two weeks" in mail.body and settings.SITE_URL in mail.body
    # One click in the mail program stops this topic (RFC 8058).
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.fullmatch(r"<(.+)>", mail.extra_headers["List-Unsubscribe"]).group(1)
    assert link.startswith(settings.SITE_URL + "/unsubscribe/") and link in mail.body and link in html


def test_the_mail_is_in_the_readers_language_not_the_complaints(member, answer, mailoutbox):
    MemberPreferences.objects.update_or_create(user=member, defaults={"language": "de"})
    answer()
    [mail] = mails_to(mailoutbox, member)
    assert "2KOM hat auf Ihre Beschwerde geantwortet" in mail.subject
    assert "Diese E-Mails abbestellen" in mail.body and "Diese E-Mails abbestellen" in mail.alternatives[0][0]
    assert 'lang="de"' in mail.alternatives[0][0]


def test_a_follower_gets_the_daily_digest_by_default_once(member, other_member, complaint, answer, mailoutbox):
    follow_toggle(complaint=complaint, user=other_member)
    answer("First answer.")
    answer("Second answer.")
    assert mails_to(mailoutbox, other_member) == []
    assert Notification.objects.filter(user=other_member, delivery=Delivery.DIGEST).count() == 2

    assert send_digests.call() == 1
    [digest] = mails_to(mailoutbox, other_member)
    assert "2 new notifications" in digest.subject
    assert digest.body.count("New message on a complaint you follow") == 2
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert send_digests.call() == 0  # the next run sends nothing again
    assert len(mails_to(mailoutbox, other_member)) == 1


def test_the_digest_leaves_out_what_was_read_on_the_site(other_member, complaint, answer, mailoutbox):
    follow_toggle(complaint=complaint, user=other_member)
    answer()
    client_for(other_member).post(reverse("complaints:notifications_read_all"))
    assert send_digests.call() == 0
    assert mails_to(mailoutbox, other_member) == []


def test_on_the_site_only_means_no_mail(member, answer, mailoutbox):
    delivery_set(member, Topic.MY_COMPLAINTS, Delivery.SITE)
    answer()
    assert mails_to(mailoutbox, member) == []
    assert Notification.objects.get(user=member).delivery == Delivery.SITE
    assert send_digests.call() == 0


def test_a_hidden_complaint_is_named_only_to_its_author(member, other_member, moderator, complaint, answer,
                                                        mailoutbox, django_capture_on_commit_callbacks):
    follow_toggle(complaint=complaint, user=other_member)
    answer()
    with django_capture_on_commit_callbacks(execute=True):
        moderation_hide(item=complaint, moderator=moderator, reason="abuse")
    follower_page = client_for(other_member).get(NOTIFICATIONS).content.decode()
    assert "A complaint that is no longer public." in follower_page
    assert "Internet down" not in follower_page
    assert send_digests.call() == 0  # nor in the digest
    notification = Notification.objects.get(user=other_member)
    opened = client_for(other_member).get(reverse("complaints:notification_open", args=[notification.pk]))
    assert opened.url == NOTIFICATIONS
    assert "Internet down" in client_for(member).get(NOTIFICATIONS).content.decode()


# The page and the bell.

def test_the_bell_counts_unread_and_reading_clears_it(member, answer):
    answer()
    answer("And again.")
    client = client_for(member)
    header = client.get("/").content.decode()
    assert re.search(r'Notifications<!--unread--> <span class="count-badge">2<span class="visually-hidden"> unread',
                     header)
    page = client.get(NOTIFICATIONS)
    assert [n.kind for n in page.context["page"]] == ["company_message", "company_message"]
    first = page.context["page"].items[0]
    opened = client.get(reverse("complaints:notification_open", args=[first.pk]))
    assert opened.status_code == 302 and opened.url.startswith("/complaints/")
    assert '<span class="count-badge">1<' in client.get("/").content.decode()
    client.post(reverse("complaints:notifications_read_all"))
    assert "count-badge" not in client.get("/").content.decode().split("<!--unread-->")[1].split("<!--/unread-->")[0]


def test_each_member_sees_their_own_count_on_a_kept_page(settings, member, other_member, answer):
    settings.VISITOR_CACHE_SECONDS = 60
    answer()
    quiet = client_for(other_member).get("/complaints/").content.decode()  # kept for members from here on
    assert "<!--unread--><!--/unread-->" in quiet
    told = client_for(member).get("/complaints/").content.decode()
    assert '<!--unread--> <span class="count-badge">1<' in told


def test_nobody_reads_or_marks_anothers_notifications(member, other_member, answer, client):
    answer()
    notification = Notification.objects.get(user=member)
    intruder = client_for(other_member)
    assert intruder.get(reverse("complaints:notification_open", args=[notification.pk])).status_code == 404
    assert intruder.post(reverse("complaints:notification_read", args=[notification.pk])).status_code == 404
    intruder.post(reverse("complaints:notifications_read_all"))
    notification.refresh_from_db()
    assert notification.read_at is None
    assert "Internet down" not in intruder.get(NOTIFICATIONS).content.decode()
    for url in (NOTIFICATIONS, SETTINGS, reverse("complaints:notification_open", args=[notification.pk])):
        assert client.get(url).status_code == 302  # a visitor is sent to sign in
    assert client.post(reverse("complaints:notifications_read_all")).status_code == 302
    assert client.get(reverse("complaints:notification_read", args=[notification.pk])).status_code in (302, 405)


def test_a_notification_leads_only_to_this_site(member, complaint):
    notification = Notification.objects.create(user=member, event="e1", kind="company_message",
                                               topic=Topic.MY_COMPLAINTS, delivery=Delivery.SITE, complaint=complaint,
                                               values={"url": "https://evil.example/phish", "company": "X", "title": "T"})
    response = client_for(member).get(reverse("complaints:notification_open", args=[notification.pk]))
    assert response.url == NOTIFICATIONS


def test_the_list_pages_by_key_in_the_same_queries_first_or_deep(member, complaint, django_assert_num_queries):
    now = timezone.now()
    Notification.objects.bulk_create([
        Notification(user=member, event=f"e{n}", kind="company_message", topic=Topic.MY_COMPLAINTS,
                     delivery=Delivery.SITE, complaint=complaint, created_at=now - timedelta(minutes=n),
                     values={"company": "2KOM", "title": f"Title {n}", "url": "x"})
        for n in range(75)
    ])
    client = client_for(member)
    client.get(NOTIFICATIONS)  # warm: session, the bell's count
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        response = client.get(NOTIFICATIONS)
    seen = [n.pk for n in response.context["page"]]
    while response.context["page"].has_next:
        with django_assert_num_queries(len(first.captured_queries)):
            response = client.get(NOTIFICATIONS, {"after": response.context["page"].next_cursor})
        seen += [n.pk for n in response.context["page"]]
    assert len(seen) == 75 == len(set(seen))
    assert not any("OFFSET" in query["sql"] for query in first.captured_queries)
    assert client.get(NOTIFICATIONS, {"after": "nonsense"}).context["bad_cursor"]


# Choices and unsubscribing.

def test_settings_save_a_choice_and_refuse_a_made_up_one(member):
    client = client_for(member)
    page = client.get(SETTINGS).content.decode()
    assert "Complaints and companies I follow" in page and "One e-mail a day" in page
    form = {topic: Delivery.AT_ONCE for topic in Topic.values}
    bad = client.post(SETTINGS, {**form, Topic.FOLLOWING: "sms"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
    assert not MemberPreferences.objects.filter(user=member).exists()
    assert client.post(SETTINGS, {**form, Topic.FOLLOWING: Delivery.SITE}).status_code == 302
    assert MemberPreferences.objects.get(user=member).delivery == {Topic.FOLLOWING: Delivery.SITE}


@pytest.mark.parametrize("language, text", [("ru", "Настройки уведомлений"), ("de", "Benachrichtigungseinstellungen"),
                                            ("sv", "Aviseringsinställningar")])
def test_the_pages_are_in_every_language(member, language, text):
    client = client_for(member)
    client = LanguageClient(client, language)
    assert text in client.get(SETTINGS).content.decode()
    assert text in client.get(NOTIFICATIONS).content.decode()


def test_one_click_unsubscribe_works_without_signing_in_and_only_for_its_topic(client, member):
    url = reverse("complaints:unsubscribe", args=[unsubscribe_token(member.pk, Topic.MY_COMPLAINTS)])
    page = client.get(url)
    assert page.status_code == 200 and "Answers and offers on my complaints" in page.content.decode()
    assert not MemberPreferences.objects.filter(user=member).exists()  # a link scanner's GET changes nothing
    csrf_checking = Client(enforce_csrf_checks=True)  # as a mail program posts it: no form token
    done = csrf_checking.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "E-mails stopped" in done.content.decode()
    assert MemberPreferences.objects.get(user=member).delivery == {Topic.MY_COMPLAINTS: Delivery.SITE}


def test_the_digest_link_stops_the_digest(client, member):
    delivery_set(member, Topic.MY_COMPANIES, Delivery.DIGEST)
    client.post(reverse("complaints:unsubscribe", args=[unsubscribe_token(member.pk, DIGEST)]))
    chosen = MemberPreferences.objects.get(user=member).delivery
    assert chosen[Topic.MY_COMPANIES] == chosen[Topic.FOLLOWING] == Delivery.SITE
    assert Topic.MY_COMPLAINTS not in chosen


def test_an_unsubscribe_link_cannot_be_forged_or_turned_on_someone_else(client, member, other_member):
    forged = [
        "nonsense",
        signing.dumps({"u": other_member.pk, "t": Topic.FOLLOWING}, salt="another purpose"),
        signing.dumps({"u": str(other_member.pk), "t": Topic.FOLLOWING}, salt=UNSUBSCRIBE_SALT),
        signing.dumps({"u": other_member.pk, "t": "everything"}, salt=UNSUBSCRIBE_SALT),
        unsubscribe_token(member.pk, Topic.FOLLOWING)[:-2] + "xx",
    ]
    forged.append(signing.dumps({"u": other_member.pk, "t": Topic.FOLLOWING}, salt=UNSUBSCRIBE_SALT,
                                key="not-our-secret"))
    for token in forged:
        assert client.post(reverse("complaints:unsubscribe", args=[token])).status_code == 404, token
    assert not MemberPreferences.objects.exists()
    gone = UserFactory()
    token = unsubscribe_token(gone.pk, Topic.FOLLOWING)
    gone.delete()
    assert client.post(reverse("complaints:unsubscribe", args=[token])).status_code == 404


def test_the_kept_notifications_page_is_the_members_own_and_changes_at_once(settings, member, other_member, answer):
    settings.VISITOR_CACHE_SECONDS = 60
    client, other = client_for(member), client_for(other_member)
    assert "Nothing yet." in client.get(NOTIFICATIONS).content.decode()  # kept from here on
    assert "Nothing yet." in client.get(NOTIFICATIONS).content.decode()
    answer()
    page = client.get(NOTIFICATIONS).content.decode()
    assert "2KOM answered your complaint" in page and "Mark all as read" in page  # a new one shows at once
    assert "2KOM answered your complaint" not in other.get(NOTIFICATIONS).content.decode()
    Notification.objects.filter(user=member).update(read_at=timezone.now())  # read elsewhere: a stale copy...
    assert "Mark all as read" in client.get(NOTIFICATIONS).content.decode()  # ...is what "kept" means
    client.post(reverse("complaints:notifications_read_all"))
    assert "Mark all as read" not in client.get(NOTIFICATIONS).content.decode()
