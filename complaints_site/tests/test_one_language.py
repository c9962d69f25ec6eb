"""One language per page and per mail (issue 11): data, language names, blank choices,
each member's own language for e-mail, and German's one form of address."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from companies.models import Industry
from companies.tests.factories import CompanyFactory
from complaints.models import MemberPreferences
from complaints.services.moderation import moderation_hide, moderation_reject
from complaints.services.notifications import notify
from complaints.services.participation import member_language_set
from complaints.tests.factories import PASSWORD, UserFactory, make_published
from complaints_site.allauth_messages import ALLAUTH_MESSAGES
from complaints_site.tests.language_client import in_language
from complaints_site.tests.test_translations import entries, unquote

LOCALE = Path(__file__).resolve().parents[2] / "locale"
INFORMAL_GERMAN = re.compile(r"\b(du|dein\w*|dich|dir)\b", re.IGNORECASE)
TELECOMS = {"en": "Telecoms and mobile", "ru": "Связь и мобильные операторы",
            "de": "Telekommunikation und Mobilfunk", "sv": "Tele och mobil"}


@pytest.fixture
def telecoms(db):
    return Industry.objects.create(
        slug="telecoms", name=TELECOMS["en"], name_ru=TELECOMS["ru"], name_de=TELECOMS["de"], name_sv=TELECOMS["sv"],
        description="Phone lines.", description_ru="Телефонные линии.", description_de="Telefonanschlüsse.",
        description_sv="Telefonlinjer.",
    )


@pytest.mark.parametrize("language", ["en", "ru", "de", "sv"])
def test_industry_names_are_shown_in_the_page_language(client, telecoms, language):
    company = CompanyFactory(name="Fjällnet", slug="fjallnet", industry=telecoms)
    client = in_language(client, language)
    others = [name for code, name in TELECOMS.items() if code != language]
    for url in ["/", "/companies/", "/complaints/", company.get_absolute_url(), telecoms.get_absolute_url()]:
        page = client.get(url).content.decode()
        assert TELECOMS[language] in page, url
        assert not any(name in page for name in others), url
    industry_page = client.get(telecoms.get_absolute_url()).content.decode()
    assert {"en": "Phone lines.", "ru": "Телефонные линии.", "de": "Telefonanschlüsse.",
            "sv": "Telefonlinjer."}[language] in industry_page


def test_an_industry_without_a_translation_shows_its_default_name(db):
    industry = Industry.objects.create(slug="pets", name="Pet shops", name_de="Zoohandlungen")
    with translation.override("sv"):
        assert industry.display_name == str(industry) == "Pet shops"
    with translation.override("de"):
        assert industry.display_name == "Zoohandlungen"


def test_industries_in_filters_are_sorted_by_the_displayed_name(db):
    Industry.objects.create(slug="a", name="Airlines", name_sv="Flygbolag")
    Industry.objects.create(slug="b", name="Banks", name_sv="Banker")
    with translation.override("sv"):
        assert [str(i) for i in Industry.objects.in_display_order()] == ["Banker", "Flygbolag"]
    with translation.override("en"):
        assert [str(i) for i in Industry.objects.in_display_order()] == ["Airlines", "Banks"]


@pytest.mark.parametrize(("language", "russian", "english"), [
    ("en", "Russian", "English"), ("ru", "Русский", "Английский"), ("de", "Russisch", "Englisch"),
    ("sv", "Ryska", "Engelska"),
])
def test_language_names_are_translated_on_the_complaint_page_and_in_the_filter(
    client, company, language, russian, english
):
    complaint = make_published(company=company, language="ru")
    client = in_language(client, language)
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert f"<dd>{russian}</dd>" in page
    listing = client.get("/complaints/").content.decode()
    assert f'value="ru">{russian}</option>' in listing
    assert f'value="en">{english}</option>' in listing


@pytest.mark.parametrize(("language", "russian", "blank"), [
    ("en", "Russian", "- Select an option -"), ("ru", "Русский", "- Выберите вариант -"),
    ("de", "Russisch", "- Bitte auswählen -"), ("sv", "Ryska", "- Välj ett alternativ -"),
])
def test_the_complaint_form_names_languages_and_its_blank_choice_in_the_page_language(
    member_client, language, russian, blank
):
    member_client = in_language(member_client, language)
    page = member_client.get(reverse("complaints:new")).content.decode()
    assert re.search(f'value="ru"( selected)?>{russian}</option>', page)
    assert f'value="">{blank}</option>' in page
    if language != "en":
        assert "- Select an option -" not in page


def test_a_german_complaint_page_has_no_english_or_russian_sentences_outside_the_complaint(client, telecoms):
    company = CompanyFactory(name="2KOM", slug="2kom", industry=telecoms)
    complaint = make_published(company=company, language="ru", title="Интернет не работает", story="Нет связи.")
    client = in_language(client, "de")
    page = client.get(complaint.get_absolute_url()).content.decode()
    page = page.replace("Интернет не работает", "").replace("Нет связи.", "")
    assert "Russisch" in page
    # (The language switcher names each language in itself, "Русский" included, on purpose.)
    for foreign in ["Russian", "Language", "Industry", "Select an option", "Complaints", "Sign in", "Status"]:
        assert foreign not in page, foreign


# A member's own language.

@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "de", "sv"])
def test_signing_up_keeps_the_language_of_the_page_and_confirms_in_it(client, mailoutbox, language):
    client = in_language(client, language)
    response = client.post(reverse("account_signup"), {
        "email": "new@example.com", "password1": "a-long-new-password-1", "password2": "a-long-new-password-1",
    })
    assert response.status_code == 302
    user = get_user_model().objects.get(email="new@example.com")
    assert user.preferences.language == language
    [mail] = mailoutbox
    with translation.override(language):
        assert translation.gettext("Please Confirm Your Email Address") in mail.subject
        assert "Please Confirm Your Email Address" not in mail.subject


@pytest.mark.django_db
def test_a_password_reset_mail_follows_the_members_language_not_the_page(client, mailoutbox):
    user = UserFactory(email="maja@example.com")
    member_language_set(user=user, language="sv")
    client = in_language(client, "de")
    client.post(reverse("account_reset_password"), {"email": "maja@example.com"})
    [mail] = mailoutbox
    assert "Återställning av lösenord" in mail.subject
    assert "Passwort" not in mail.subject + mail.body


def test_switching_language_updates_a_signed_in_members_language(member_client, member):
    member_client.get(reverse("choose_language"), {"language": "de", "next": "/"})
    assert member.preferences.language == "de"
    member_client.get(reverse("choose_language"), {"language": "sv", "next": "/"})
    member.preferences.refresh_from_db()
    assert member.preferences.language == "sv"
    member_client.get(reverse("choose_language"), {"language": "xx", "next": "/"})
    member.preferences.refresh_from_db()
    assert member.preferences.language == "sv"


def test_signing_in_switches_the_interface_to_the_members_language(client, member):
    member_language_set(user=member, language="sv")
    client = in_language(client, "de")
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain and response.redirect_chain[0][1] == 302
    assert client.cookies["django_language"].value == "sv"
    page = response.content.decode()
    assert '<html lang="sv"' in page
    assert "Du har loggat in som" in page  # the message from the sign-in itself
    assert "Erfolgreich als" not in page


def test_signing_in_without_a_chosen_language_keeps_the_page_language(client, member):
    client = in_language(client, "de")
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302 and "django_language" not in response.cookies
    assert client.cookies["django_language"].value == "de"
    assert not MemberPreferences.objects.filter(user=member).exists()


def test_switching_language_as_a_visitor_stores_nothing(client, db):
    response = client.get(reverse("choose_language"), {"language": "de", "next": "/"})
    assert response.status_code == 302
    assert not MemberPreferences.objects.exists()


def test_a_notification_goes_out_in_each_recipients_language(
    company, member, other_member, django_capture_on_commit_callbacks, mailoutbox
):
    complaint = make_published(company=company, language="ru", title="Нет интернета")
    member_language_set(user=member, language="sv")  # other_member chose nothing: the site default
    with django_capture_on_commit_callbacks(execute=True):
        notify(template="moderation_approved", users=[member, other_member], complaint=complaint)
    by_address = {mail.to[0]: mail for mail in mailoutbox}
    swedish, default = by_address["member@example.com"], by_address["other@example.com"]
    assert "Ditt klagomål är publicerat: Нет интернета" in swedish.subject
    assert "publicerade det" in swedish.body or "publicerat" in swedish.body
    assert "A moderator checked your complaint" not in swedish.body
    assert "Your complaint is published: Нет интернета" in default.subject
    assert "опубликован" not in swedish.subject + default.subject


def test_a_hidden_complaints_reason_is_mailed_in_the_authors_language_not_the_moderators(
    company, member, moderator, django_capture_on_commit_callbacks, mailoutbox
):
    complaint = make_published(author=member, company=company, title="Ingen fiber")
    member_language_set(user=member, language="sv")
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        moderation_hide(item=complaint, moderator=moderator, reason="spam", note="")
    [mail] = mailoutbox
    assert "Motivering: Spam eller reklam" in mail.body
    assert "Spam oder Werbung" not in mail.body and "Begründung" not in mail.body


def test_a_rejection_reason_is_mailed_in_the_authors_language_not_the_moderators(
    settings, company, member, moderator, django_capture_on_commit_callbacks, mailoutbox
):
    settings.PREMODERATION = {"all"}
    complaint = make_published(author=member, company=company, title="Ingen fiber")
    member_language_set(user=member, language="ru")
    with translation.override("sv"), django_capture_on_commit_callbacks(execute=True):
        moderation_reject(complaint=complaint, moderator=moderator, reason="abuse", note="")
    [mail] = mailoutbox
    assert "Причина: Оскорбления или разжигание ненависти" in mail.body
    assert "Kränkningar" not in mail.body


# One word per concept: the header says what the pages it leads to say.

NAV = {
    "en": (["Companies", "Complaints", "File a complaint"], ["Sign In", "Sign Up"],
           ["Notifications", "My complaints", "Business", "Account", "Sign Out"]),
    "ru": (["Компании", "Жалобы", "Подать жалобу"], ["Войти", "Регистрация"],
           ["Уведомления", "Мои жалобы", "Для бизнеса", "Аккаунт", "Выйти"]),
    "de": (["Unternehmen", "Beschwerden", "Beschwerde einreichen"], ["Anmelden", "Registrieren"],
           ["Benachrichtigungen", "Meine Beschwerden", "Für Unternehmen", "Konto", "Abmelden"]),
    "sv": (["Företag", "Klagomål", "Lämna ett klagomål"], ["Logga in", "Skapa konto"],
           ["Aviseringar", "Mina klagomål", "För företag", "Konto", "Logga ut"]),
}

MODERATION = {"en": "Moderation", "ru": "Модерация", "de": "Moderation", "sv": "Moderering"}


def nav_labels(page: str) -> list[str]:
    """The header's links in the menu's order (it holds them all; a wide screen shows some of them in a row),
    with the call to action third, as in NAV."""
    nav = re.search(r'<nav class="main-nav".*?</nav>', page, re.S).group(0)
    menu = re.search(r"</summary>(.*?)</details>", nav, re.S).group(1)
    cta = re.search(r'class="button button-primary nav-cta"[^>]*>([^<]*)<', nav).group(1)
    labels = [text.strip() for text in re.sub(r"<[^>]+>", "\n", menu).splitlines() if text.strip()]
    return [*labels[:2], cta.strip(), *labels[2:]]


def heading(page: str) -> str:
    return " ".join(re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1).split())


@pytest.mark.django_db
@pytest.mark.parametrize("language", NAV)
def test_a_visitor_reads_the_same_sign_in_words_in_the_header_and_on_the_pages(client, language):
    common, (sign_in, sign_up), _member = NAV[language]
    client = in_language(client, language)
    login = client.get(reverse("account_login")).content.decode()
    assert nav_labels(login) == [*common, sign_in, sign_up]
    assert heading(login) == sign_in
    assert heading(client.get(reverse("account_signup")).content.decode()) == sign_up


@pytest.mark.parametrize("language", NAV)
def test_a_member_and_a_moderator_read_the_same_header_words(member_client, moderator, language):
    common, _visitor, member_labels = NAV[language]
    member_client = in_language(member_client, language)
    assert nav_labels(member_client.get("/").content.decode()) == [*common, *member_labels]
    member_client.force_login(moderator)
    page = member_client.get(reverse("complaints:list")).content.decode()
    # A moderator's header also leads to the queue, with the number waiting (none here).
    assert nav_labels(page) == [*common, *member_labels[:3], MODERATION[language], "0", *member_labels[3:]]
    assert heading(member_client.get(reverse("account_logout")).content.decode()) == member_labels[-1]


def test_the_swedish_sign_up_hint_asks_to_create_an_account():
    with translation.override("sv"):
        hint = translation.gettext(
            "If you have not created an account yet, then please %(link)ssign up%(end_link)s first.")
    assert "Skapa ett konto" in hint and "redan" not in hint


# German: "Sie" everywhere.

def test_our_german_catalogue_never_says_du():
    informal = [msgid for msgid, msgstrs, _fuzzy in entries(LOCALE / "de" / "LC_MESSAGES" / "django.po")
                if any(INFORMAL_GERMAN.search(unquote(text)) for text in msgstrs)]
    assert not informal, informal[:5]


def test_allauths_german_du_forms_are_overridden_with_sie():
    with translation.override("de"):
        shown = {msgid: translation.gettext(msgid) for msgid in ALLAUTH_MESSAGES}
    informal = {msgid: text for msgid, text in shown.items() if INFORMAL_GERMAN.search(text) or text == msgid}
    assert not informal, list(informal.items())[:3]
    assert shown["Are you sure you want to sign out?"] == "Möchten Sie sich wirklich abmelden?"
