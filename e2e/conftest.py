"""Browser journeys: Debian's headless Chromium driven by Playwright against pytest-django's live server."""

import os
import re
import shutil

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from playwright.sync_api import expect, sync_playwright

DEBIAN_CHROMIUM = "/usr/bin/chromium"
TIMEOUT_MS = 10_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium_path() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return DEBIAN_CHROMIUM if os.access(DEBIAN_CHROMIUM, os.X_OK) else None


# One browser for all the journeys, closed when the last one has run (package
# scope rather than session scope: see the note on DJANGO_ALLOW_ASYNC_UNSAFE).
@pytest.fixture(scope="package")
def browser():
    executable = _chromium_path()
    if executable is None:
        # In CI a skipped journey would look like a pass; there it is a failure.
        if os.environ.get("CI"):
            pytest.fail("Chromium not found: CI must install Debian's chromium package (make chromium)")
        pytest.skip("Chromium not found: install Debian's chromium package (make chromium) to run the browser journeys")

    expect.set_options(timeout=TIMEOUT_MS)
    # Playwright's sync API keeps an event loop marked as running in the test
    # thread, and Django refuses ORM calls from such a thread; the journeys set
    # up data and read the outbox from it, so the check is off while the browser
    # lives. Only then: in the process environment it would also reach the
    # subprocesses other tests start (`check --deploy` rejects it, async.E001).
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as p:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _links_in_mail_lead_to_the_live_server(settings, live_server):
    # Every link in mail starts with SITE_URL, as in production.
    settings.SITE_URL = live_server.url


@pytest.fixture
def context(browser, live_server, transactional_db):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def log_in(context, live_server):
    """Sign a user in by giving the browser a session cookie made on the server side."""

    def log_in(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    return log_in


@pytest.fixture
def link_from_mail():
    """The first link in the newest message sent to an address whose path contains ``part``."""

    def link_from_mail(to: str, part: str) -> str:
        messages = [m for m in mail.outbox if to in m.to]
        assert messages, f"no mail sent to {to}; outbox has {[m.to for m in mail.outbox]}"
        body = messages[-1].body
        links = [link for link in re.findall(r"https?://\S+", body) if part in link]
        assert links, f"no link containing {part!r} in the mail:\n{body}"
        return links[0]

    return link_from_mail


@pytest.fixture
def person(browser, live_server, transactional_db):
    """A page in a browser context of its own, signed in as the given user (or a visitor for None)."""

    def person(user=None):
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(error))
        return page

    contexts, errors = [], []
    yield person
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
