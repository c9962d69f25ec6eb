"""What people do on the portal, end to end in a real browser.

Data that is not the point of a journey is set up on the server side with the
factories; everything the person does goes through the page, found by role and
label as a person would find it.
"""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from companies.tests.factories import CompanyFactory
from complaints.models import Complaint
from complaints.tests.factories import UserFactory, make_published

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-journey-password-42"
ASKED_TO_CONFIRM = re.compile(r"(verify|confirm).*e-?mail", re.IGNORECASE)


def label(*texts):
    """A label that reads one of the texts, with or without a trailing colon or required-field "*"."""
    alternatives = "|".join(re.escape(text) for text in texts)
    return re.compile(rf"^({alternatives})[\s:*]*$", re.IGNORECASE)


def png(path, *, size=(64, 48)):
    Image.new("RGB", size, (200, 40, 40)).save(path, format="PNG")
    return path


def sign_up(page, email):
    page.goto("/")
    page.get_by_role("link", name="Sign Up", exact=True).click()
    page.get_by_label(label("Email", "E-mail")).fill(email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_label(label("Password (again)")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign up", re.IGNORECASE)).click()
    expect(page.get_by_role("heading", name=ASKED_TO_CONFIRM)).to_be_visible()


def fill_complaint(page, *, company, title, story, outcome="Refund"):
    page.get_by_label(label("Company")).fill(company)
    page.get_by_label(label("Title")).fill(title)
    page.get_by_label(label("What happened")).fill(story)
    page.get_by_label(label("What you want")).select_option(label=outcome)


def test_newcomer_signs_up_confirms_and_files_a_complaint_with_a_photo(page, link_from_mail, tmp_path):
    company = CompanyFactory(name="2KOM", website="https://2kom.ru")
    photo = png(tmp_path / "photo.png")

    sign_up(page, "newcomer@example.com")
    page.goto(link_from_mail("newcomer@example.com", "/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()
    # Signed in: a member's own pages and "Sign Out" are in the header's menu.
    page.get_by_role("navigation", name="Main").get_by_text("Menu").click()
    expect(page.get_by_role("button", name="Sign Out")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="File a complaint").click()
    fill_complaint(
        page,
        company="2KOM",
        title="Internet down for two weeks",
        story="The line went dead on 3 March.\n\nSupport promised a technician three times; nobody came.",
    )
    page.get_by_label(label("Evidence")).set_input_files(photo)
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Internet down for two weeks")
    expect(page.get_by_role("img", name="photo.png")).to_be_visible()
    page.get_by_role("button", name="Publish complaint").click()

    expect(page.get_by_role("status")).to_contain_text("published")
    expect(page.get_by_text("Published", exact=True).first).to_be_visible()
    image = page.get_by_role("img", name="photo.png")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") == 64

    page.get_by_role("main").get_by_role("link", name="2KOM", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(company.get_absolute_url()) + "$"))
    expect(page.get_by_role("link", name="Internet down for two weeks")).to_be_visible()


def test_script_in_a_russian_complaint_is_shown_as_text_and_never_runs(page, log_in):
    log_in(UserFactory(email="ivan@example.com"))
    CompanyFactory(name="2KOM", website="https://2kom.ru")
    title = "<script>window.__pwned=1</script> Интернет не работает"
    story = (
        "Интернет не работает с 3 марта. <img src=x onerror=window.__pwned=1>\n\n"
        "Служба поддержки обещала прислать мастера, но никто не пришёл."
    )

    page.goto("/complaints/new/")
    fill_complaint(page, company="2KOM", title=title, story=story, outcome="Compensation")
    page.get_by_label(label("Language of the complaint")).select_option("ru")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Publish complaint").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("<img src=x onerror=window.__pwned=1>")).to_be_visible()
    expect(page.locator("main script, main img[src='x']")).to_have_count(0)
    assert page.evaluate("window.__pwned") is None

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Complaints", exact=True).click()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    assert page.evaluate("window.__pwned") is None


def test_visitor_finds_a_company_and_reads_its_complaint(page):
    rostelecom = CompanyFactory(name="Rostelecom")
    CompanyFactory(name="Beeline")
    make_published(company=rostelecom, title="Router replaced twice, still drops the line")
    make_published(company=CompanyFactory(name="MTS"), title="Roaming bill after the trip")

    page.goto("/")
    page.get_by_role("link", name="Companies", exact=True).click()
    page.get_by_label(label("Name")).fill("rostel")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"[?&]q=rostel"))

    expect(page.get_by_role("link", name="Beeline")).to_have_count(0)
    page.get_by_role("link", name="Rostelecom").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rostelecom")
    expect(page.get_by_role("link", name="Roaming bill after the trip")).to_have_count(0)

    page.get_by_role("link", name="Router replaced twice, still drops the line").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Router replaced twice, still drops the line")
    expect(page.get_by_role("link", name="Rostelecom")).to_be_visible()


def test_unconfirmed_member_is_asked_to_confirm_before_filing(page):
    sign_up(page, "unsure@example.com")

    page.goto("/complaints/new/")
    # Until the address is confirmed the member is not signed in, so the form
    # asks them to sign in first, and signing in asks for the confirmation.
    page.get_by_label(label("Email", "E-mail")).fill("unsure@example.com")
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in|log in", re.IGNORECASE)).click()

    expect(page.get_by_role("heading", name=ASKED_TO_CONFIRM)).to_be_visible()
    expect(page.get_by_label(label("Title"))).to_have_count(0)
    expect(page.get_by_role("button", name="Sign Out")).to_have_count(0)


def test_empty_title_and_fake_image_are_refused_next_to_their_fields(page, log_in, tmp_path):
    log_in(UserFactory(email="member@example.com"))
    CompanyFactory(name="2KOM", website="https://2kom.ru")
    fake = tmp_path / "photo.jpg"
    fake.write_text("<html><body><script>alert(1)</script></body></html>")

    page.goto("/complaints/new/")
    fill_complaint(page, company="2KOM", title="", story="The line went dead on 3 March.")
    page.get_by_label(label("Evidence")).set_input_files(fake)
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields marked below.")
    title = page.get_by_label(label("Title"))
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_accessible_description(re.compile("This field is required"))
    expect(page.get_by_label(label("Evidence"))).to_have_accessible_description(
        re.compile("“photo.jpg” is not a JPEG, PNG, WebP or PDF file")
    )
    expect(page.get_by_label(label("What happened"))).to_have_value("The line went dead on 3 March.")
    assert Complaint.objects.count() == 0


def test_visitor_switches_the_site_to_russian(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("contentinfo").get_by_label("Language").select_option(label="Русский")
    page.get_by_role("contentinfo").get_by_role("button", name="Change").click()

    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("contentinfo").get_by_label(re.compile("Language|Язык"))).to_have_value("ru")
