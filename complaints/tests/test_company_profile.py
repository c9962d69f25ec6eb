"""Company profiles: who may edit them, the logo's checks, the change log and a moderator's revert,
and what the public page shows."""

import pytest
from django.urls import reverse

from companies.models import CompanyProfile, ProfileChange, Representative
from companies.tests.factories import CompanyFactory
from complaints.evidence import inspect_upload
from complaints.services.company_profile import ProfileError, revert_change, update_profile
from complaints.tests.factories import UserFactory
from complaints.tests.test_evidence import REFUSED, gif_bytes, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db

FILLED = {
    "description": "Mobile and broadband in the north.",
    "support_phone": "+46 8 123 45 67",
    "support_email": "help@2kom.example",
    "support_url": "https://2kom.example/support",
    "opening_hours": "Mon–Fri 8–18",
    "answering_hours": "Weekdays 9–17",
}


def edit_url(company):
    return reverse("complaints:company_profile", kwargs={"slug": company.slug})


def post_profile(client, company, **changes):
    return client.post(edit_url(company), {**FILLED, **changes})


# ---- Who may edit: the permission matrix -----------------------------------------------

@pytest.mark.parametrize("who, status", [
    ("visitor", 302),            # to the sign-in page
    ("member", 404),             # any member: the business pages do not say which companies exist
    ("other company's rep", 404),
    ("moderator", 404),          # moderators revert changes; they do not write the company's words
    ("representative", 200),
])
def test_only_the_companys_representatives_open_its_profile_form(client, company, rep, moderator, who, status):
    users = {
        "visitor": None,
        "member": UserFactory(),
        "other company's rep": _rep_of(CompanyFactory(name="Other Co", slug="other-co")),
        "moderator": moderator,
        "representative": rep,
    }
    if users[who]:
        client.force_login(users[who])
    assert client.get(edit_url(company)).status_code == status
    response = post_profile(client, company)
    assert response.status_code == (302 if who in ("visitor", "representative") else status)
    saved = CompanyProfile.objects.filter(company=company).first()
    if who == "representative":
        assert saved.support_phone == FILLED["support_phone"]
    else:
        assert saved is None and not ProfileChange.objects.exists()


def _rep_of(company):
    user = UserFactory()
    Representative.objects.create(user=user, company=company, verified_by="moderator")
    return user


def test_the_service_refuses_anyone_but_a_representative(company, member):
    with pytest.raises(ProfileError):
        update_profile(company, member, FILLED)
    assert not CompanyProfile.objects.exists()


# ---- Saving, the change log, the public page -------------------------------------------

def test_a_representative_saves_the_profile_and_each_changed_field_is_logged(client, company, rep):
    client.force_login(rep)
    response = post_profile(client, company)
    assert response.status_code == 302
    logged = {change.field: (change.old_value, change.new_value, change.changed_by) for change in ProfileChange.objects.all()}
    assert logged["support_phone"] == ("", "+46 8 123 45 67", rep)
    assert set(logged) == set(FILLED)
    # The same form again changes nothing and logs nothing.
    post_profile(client, company)
    assert ProfileChange.objects.count() == len(FILLED)

    page = client.get(company.get_absolute_url()).content.decode()
    assert 'href="tel:+468123 4567"' not in page
    assert 'href="tel:+4681234567"' in page
    assert 'href="mailto:help@2kom.example"' in page
    assert "Weekdays 9–17" in page and "Mon–Fri 8–18" in page

    # The log names each field in words, whether it is the company's or its profile's.
    log = client.get(edit_url(company)).content.decode()
    for label in ("Support phone", "Opening hours", "When we answer complaints", "Short description"):
        assert f'<td data-label="Field">{label}</td>' in log


@pytest.mark.parametrize("field, value, message", [
    ("support_phone", "call me maybe", "Enter a phone number"),
    ("support_email", "not-an-address", "valid email"),
    ("support_url", "javascript:alert(1)", "valid URL"),
    ("description", "x" * 1001, "at most 1000"),
])
def test_bad_input_is_explained_next_to_its_field_and_changes_nothing(client, company, rep, field, value, message):
    client.force_login(rep)
    response = post_profile(client, company, **{field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProfileChange.objects.exists()
    assert not CompanyProfile.objects.exists()


def test_hostile_text_is_escaped_on_the_public_page(client, company, rep):
    client.force_login(rep)
    post_profile(client, company, opening_hours='<script>alert("x")</script>', description="<img src=x onerror=alert(1)>")
    page = client.get(company.get_absolute_url()).content.decode()
    assert '<script>alert("x")' not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


# ---- The logo --------------------------------------------------------------------------

def test_a_logo_is_reencoded_made_small_and_served_as_an_image(client, company, rep):
    client.force_login(rep)
    response = post_profile(client, company, logo_upload=upload("logo.png", png_bytes(size=(1200, 800))))
    assert response.status_code == 302
    profile = CompanyProfile.objects.get(company=company)
    assert (profile.logo_width, profile.logo_height) == (400, 267)
    served = client.get(profile.logo_url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]
    assert profile.logo_url in client.get(company.get_absolute_url()).content.decode()


@pytest.mark.parametrize("kind", list(REFUSED))
def test_a_logo_is_refused_like_hostile_evidence(client, company, rep, kind):
    name, make, phrase = REFUSED[kind]
    client.force_login(rep)
    response = post_profile(client, company, logo_upload=upload(name, make()))
    assert response.status_code == 200
    if phrase:
        assert phrase in response.content.decode()
    assert not CompanyProfile.objects.exists()


@pytest.mark.parametrize("name, make", [("brochure.pdf", pdf_bytes), ("anim.gif", gif_bytes)])
def test_a_logo_must_be_a_raster_image_not_a_pdf(client, company, rep, name, make):
    client.force_login(rep)
    response = post_profile(client, company, logo_upload=upload(name, make()))
    assert response.status_code == 200
    assert not CompanyProfile.objects.exists()


def test_without_a_logo_the_page_shows_initials_and_no_image(client, company):
    page = client.get(company.get_absolute_url()).content.decode()
    assert 'class="avatar avatar-initials' in page and ">2K</span>" in page
    assert reverse("complaints:company_logo", kwargs={"slug": company.slug}) not in page
    assert client.get(reverse("complaints:company_logo", kwargs={"slug": company.slug})).status_code == 404


# ---- A moderator reverts a change --------------------------------------------------------

def test_a_moderator_reverts_a_change_and_the_revert_is_logged(client, company, rep, moderator):
    update_profile(company, rep, {**FILLED, "description": ""})
    update_profile(company, rep, {**FILLED, "description": "Buy followers cheap at spam.example"})
    spam = ProfileChange.objects.get(field="description", new_value__startswith="Buy")
    client.force_login(moderator)
    response = client.post(reverse("complaints:profile_change_revert", kwargs={"pk": spam.pk}))
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.description == ""
    spam.refresh_from_db()
    assert spam.reverted_by == moderator and spam.reverted_at
    assert ProfileChange.objects.filter(field="description", changed_by=moderator, new_value="", is_revert=True).exists()
    # The representatives see that a moderator put it back, not which moderator.
    client.force_login(rep)
    log = client.get(reverse("complaints:company_profile", kwargs={"slug": company.slug})).content.decode()
    assert "A moderator (revert)" in log and moderator.email not in log


def test_a_revert_is_refused_when_the_field_changed_again_since(company, rep, moderator):
    update_profile(company, rep, {**FILLED, "opening_hours": "A"})
    first = ProfileChange.objects.get(field="opening_hours")
    update_profile(company, rep, {**FILLED, "opening_hours": "B"})
    with pytest.raises(ProfileError, match="changed since"):
        revert_change(first, moderator)
    assert CompanyProfile.objects.get(company=company).opening_hours == "B"


def test_a_reverted_logo_comes_back(company, rep, moderator):
    update_profile(company, rep, FILLED, logo=inspect_upload(upload("a.png", png_bytes(size=(50, 40)))))
    first = CompanyProfile.objects.get(company=company).logo.name
    update_profile(company, rep, FILLED, logo=inspect_upload(upload("b.png", png_bytes(size=(30, 30)))))
    second = ProfileChange.objects.filter(field="logo").order_by("-pk").first()
    revert_change(second, moderator)
    profile = CompanyProfile.objects.get(company=company)
    assert profile.logo.name == first and (profile.logo_width, profile.logo_height) == (50, 40)


@pytest.mark.parametrize("who", ["visitor", "member", "representative"])
def test_only_moderators_revert(client, company, rep, who):
    update_profile(company, rep, FILLED)
    change = ProfileChange.objects.first()
    if who != "visitor":
        client.force_login(rep if who == "representative" else UserFactory())
    response = client.post(reverse("complaints:profile_change_revert", kwargs={"pk": change.pk}))
    assert response.status_code in (302, 403)
    if who == "visitor":
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403
    change.refresh_from_db()
    assert change.reverted_at is None
