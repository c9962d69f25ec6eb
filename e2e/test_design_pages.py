"""Every main page at a phone's and a wide screen's width in all four languages: no sideways scrolling,
a header on one line with a working menu, touch-sized controls, and no serious accessibility fault.

Each page is screenshotted (full page) into SCREENSHOT_DIR, or into a folder of pytest's own when that is
not set, so the pages can be looked at after the run. The accessibility checker is axe-core from the npm
registry (package.json; `make test` installs it with npm). Its script is added to the page, which the site's
CSP forbids, so it runs in a browser context of its own with the CSP bypassed; the other checks see the
pages exactly as served. Without axe-core the checks skip, except in CI, where a skip would look like a pass.

Every test uses the live server's transactional database, which is emptied after each test, so the data
cannot be shared by a module; each test builds it once and goes through all its pages and widths.
"""

import io
import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image
from playwright.sync_api import expect

from companies.tests.factories import CompanyFactory, IndustryFactory
from complaints.evidence import Evidence
from complaints.models import Message
from complaints.services.scorecards import refreshes_deferred, scorecards_recompute_all
from complaints.services.thread import complaint_evaluate, message_post, offer_respond
from complaints.tests.factories import UserFactory, make_published, make_representative

pytestmark = pytest.mark.e2e

AXE_SCRIPT = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
LANGUAGES = ("en", "ru", "de", "sv")
BROWSER_LOCALES = {"en": "en-GB", "ru": "ru-RU", "de": "de-DE", "sv": "sv-SE"}
PHONE, WIDE = 375, 1280
SMALLEST_PHONE = 320  # checked for sideways scrolling too, without keeping a screenshot
VIEWPORT_HEIGHT = 800
# The header's one line: the tallest control (a 44 px touch target) and its padding, well under two lines.
ONE_LINE_HEADER_PX = 90
TOUCH_TARGET_PX = 44
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
# As the journeys' own contexts (e2e/conftest.py): a page that hangs fails soon.
TIMEOUT_MS = 10_000

# What sticks out past the right edge: the outermost boxes (where the layout gives way) and the innermost
# elements inside them (the content that pushes). Wide content inside a box that scrolls by itself (a wide
# table in its own scroll region) is left out: it does not move the page.
STICKING_OUT_JS = """width => {
    const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + [...el.classList].map(c => '.' + c).join('');
    const right = el => el.getBoundingClientRect().right;
    const describe = el => `${name(el.parentElement)} > ${name(el)} (right edge ${Math.round(right(el))}`
        + (el.children.length ? ')' : `: "${el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40)}")`);
    const scrollsByItself = el => {
        for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
            if (getComputedStyle(box).overflowX !== 'visible') return right(box) <= width + 0.5;
        }
        return false;
    };
    const out = [...document.body.querySelectorAll('*')]
        .filter(el => right(el) > width + 0.5 && !scrollsByItself(el));
    const outermost = out.filter(el => !out.includes(el.parentElement));
    const innermost = out.filter(el => !out.some(other => other !== el && el.contains(other)));
    return {outermost: outermost.slice(0, 3).map(describe), innermost: innermost.slice(0, 3).map(describe)};
}"""

# Every visible control matching the selector that is shorter than a fingertip.
SMALL_CONTROLS_JS = """([selector, minimum]) => [...document.querySelectorAll(selector)]
    .filter(el => el.checkVisibility())
    .map(el => ({el, height: el.getBoundingClientRect().height}))
    .filter(({height}) => height < minimum - 0.01)
    .map(({el, height}) => `${el.tagName.toLowerCase()}${[...el.classList].map(name => '.' + name).join('')}`
        + ` "${el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40)}" is ${height.toFixed(1)} px high`)"""

# axe-core's verdict, cut down to the serious and critical faults (the full result is large to send back).
AXE_RUN_JS = """async ([tags, impacts]) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
    return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(node => {
            const data = (node.any[0] || node.all[0] || node.none[0] || {}).data || {};
            return {target: node.target.join(' '), html: node.html.slice(0, 120),
                    colours: data.fgColor ? `${data.fgColor} on ${data.bgColor}, ratio ${data.contrastRatio}`
                        + ` (needs ${data.expectedContrastRatio})` : ''};
        }),
    }));
}"""


def in_language(path: str, language: str) -> str:
    """English pages live at the root, the others under their code: /sv/complaints/."""
    return path if language == "en" else f"/{language}{path}"


def _png(size=(1600, 900)) -> bytes:
    # Wider than any phone: the photo must shrink to the column, not push the page sideways.
    out = io.BytesIO()
    Image.new("RGB", size, (40, 90, 160)).save(out, format="PNG")
    return out.getvalue()


@refreshes_deferred()
def _build_world() -> SimpleNamespace:
    industry = IndustryFactory(name="Internet providers")
    company = CompanyFactory(name="Nordlys Fiber och Bredband", industry=industry, website="https://nordlys.example")
    CompanyFactory(name="Quiet Cable", industry=industry)
    representative = make_representative(company, email="care@nordlys.example")
    photo = Evidence(content=_png(), content_type="image/png", original_name="router-lights.png",
                     width=1600, height=900)
    complaint = make_published(
        company=company, title="Internet down for two weeks, three technicians promised and none came",
        story="The line went dead on 3 March. The status page "
              "(https://status.nordlys.example/outages/2026/03/03/region-north/fibre-cabinet-17) said all was well."
              "\n\nSupport promised a technician three times; nobody came.",
        evidence=[photo],
    )
    message_post(complaint=complaint, user=representative, kind=Message.Kind.ANSWER,
                 body="We are sorry. A cabinet in your street was damaged; a technician comes on Monday.")
    offer = message_post(
        complaint=complaint, user=representative, kind=Message.Kind.OFFER, body="A month back for the trouble.",
        offer={"kind": "refund", "amount": Decimal("39.00"), "currency": "EUR", "days": None,
               "description": "One month's fee back", "expires_on": timezone.localdate() + timedelta(days=14)},
    ).offer
    offer_respond(offer=offer, user=complaint.author, accept=True)
    complaint_evaluate(complaint=complaint, user=complaint.author, data={
        "resolved": True, "rating": 4, "would_return": True, "comment": "Slow, but they made it right in the end.",
    })
    for title in ("Charged twice for the same month", "Router replaced twice, still drops the line"):
        make_published(company=company, title=title)
    scorecards_recompute_all()
    return SimpleNamespace(company=company, industry=industry, complaint=complaint,
                           member=UserFactory(email="member@example.com"))


@pytest.fixture
def world(transactional_db):
    """A company with a full record: a complaint with a photo, an answer, an accepted offer and an evaluation."""
    return _build_world()


def visitor_pages(world) -> list[tuple[str, str]]:
    """(name, English address) of every main page a visitor sees."""
    return [
        ("home", "/"),
        ("complaints", reverse("complaints:list")),
        ("companies", reverse("companies:list")),
        ("company", world.company.get_absolute_url()),
        ("complaint", world.complaint.get_absolute_url()),
        ("industry", world.industry.get_absolute_url()),
        ("about-scores", reverse("companies:about_scores")),
        ("sign-in", reverse("account_login")),
    ]


def member_pages() -> list[tuple[str, str]]:
    """The main pages only a signed-in member sees."""
    return [("complaint-form", reverse("complaints:new"))]


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    chosen = os.environ.get("SCREENSHOT_DIR")
    if not chosen:
        return tmp_path_factory.mktemp("design-pages")
    folder = Path(chosen)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if AXE_SCRIPT.exists():
        return AXE_SCRIPT
    reason = "axe-core not found at node_modules/axe-core/axe.min.js (make test installs it with npm ci)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def checker_context(browser, live_server, axe_script):
    """A browser context for axe-core only: its script is injected, which the site's CSP rightly refuses."""
    contexts = []

    def checker_context(language: str, *, color_scheme: str = "light"):
        context = browser.new_context(bypass_csp=True, base_url=live_server.url, locale=BROWSER_LOCALES[language],
                                      color_scheme=color_scheme)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield checker_context
    for context in contexts:
        context.close()


def layout_problems(page, name: str, language: str, width: int, screenshot_dir: Path | None) -> list[str]:
    """Screenshot the page (when given a folder); what is wrong with it at this width: sideways scrolling,
    a header on two lines."""
    if screenshot_dir is not None:
        page.screenshot(path=screenshot_dir / f"{language}-{width}-{name}.png", full_page=True)
    where = f"{name} [{language}] at {width} px"
    problems = []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        sticking_out = page.evaluate(STICKING_OUT_JS, width)
        problems.append(f"{where} scrolls sideways: scroll width {scroll_width} px; boxes past the edge: "
                        f"{sticking_out['outermost']}, innermost: {sticking_out['innermost']}")
    header_height = page.locator(".site-header").bounding_box()["height"]
    if header_height >= ONE_LINE_HEADER_PX:
        problems.append(f"{where}: the header is {header_height:.0f} px high, more than one line")
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_main_page_fits_a_phone_and_a_wide_screen(language, world, page, log_in, screenshot_dir):
    problems = []

    def look_at(pages):
        for width in (SMALLEST_PHONE, PHONE, WIDE):
            page.set_viewport_size({"width": width, "height": VIEWPORT_HEIGHT})
            for name, path in pages:
                response = page.goto(in_language(path, language))
                assert response.ok, f"{name} [{language}]: {path} answered {response.status}"
                kept = screenshot_dir if width != SMALLEST_PHONE else None
                problems.extend(layout_problems(page, name, language, width, kept))

    look_at(visitor_pages(world))
    log_in(world.member)
    look_at(member_pages())
    assert not problems, "\n".join(problems)


def small_controls(page) -> list[str]:
    return page.evaluate(SMALL_CONTROLS_JS, [".site-header :is(a, button, summary), details.filters > summary",
                                             TOUCH_TARGET_PX])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_menu_opens_on_a_phone_and_is_a_row_of_links_on_a_wide_screen(language, page, log_in):
    with translation.override(language):
        companies, sign_out = gettext("Companies"), gettext("Sign Out")
    menu_button = page.locator(".nav-menu > summary")
    companies_in_menu = page.locator(".nav-menu").get_by_role("link", name=companies, exact=True)
    companies_in_row = page.locator(".nav-row").get_by_role("link", name=companies, exact=True)

    def on_a_phone(who: str):
        # The complaint list has both the header and the filters' toggle to tap.
        page.set_viewport_size({"width": PHONE, "height": VIEWPORT_HEIGHT})
        page.goto(in_language(reverse("complaints:list"), language))
        expect(menu_button).to_be_visible()
        expect(companies_in_row).to_be_hidden()
        expect(companies_in_menu).to_be_hidden()
        menu_button.click()
        expect(companies_in_menu).to_be_visible()
        expect(page.locator("details.filters > summary")).to_be_visible()
        small = small_controls(page)
        assert not small, f"[{language}] {who} at {PHONE} px, controls under {TOUCH_TARGET_PX} px: {small}"

    def on_a_wide_screen(member: bool):
        page.set_viewport_size({"width": WIDE, "height": VIEWPORT_HEIGHT})
        page.goto(in_language("/", language))
        expect(companies_in_row).to_be_visible()
        for item in page.locator(".nav-row li").all():
            expect(item).to_be_visible()
        # Nothing in the header is cut off: the name and every link keep their whole width.
        clipped = page.evaluate("""() => [...document.querySelectorAll('.site-header .brand, .nav-row a, .nav-cta')]
            .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim())""")
        assert not clipped, f"[{language}] cut off in the header at {WIDE} px: {clipped}"
        assert page.locator(".site-header").bounding_box()["height"] < ONE_LINE_HEADER_PX
        if member:  # a member's own pages open from the menu, as a dropdown
            expect(page.get_by_role("button", name=sign_out)).to_be_hidden()
            menu_button.click()
            expect(page.get_by_role("button", name=sign_out)).to_be_visible()
        else:  # a visitor's menu would hold nothing more than the row
            expect(menu_button).to_be_hidden()

    on_a_phone("a visitor")
    on_a_wide_screen(member=False)
    log_in(UserFactory(email="member@example.com"))
    on_a_phone("a member")
    on_a_wide_screen(member=True)


def axe_faults(page, name: str, language: str, width: int, scheme: str, axe_script: Path) -> list[str]:
    page.add_script_tag(path=str(axe_script))
    found = []
    for violation in page.evaluate(AXE_RUN_JS, [AXE_TAGS, sorted(BLOCKING_IMPACTS)]):
        nodes = "; ".join(f"{node['target']}{' — ' + node['colours'] if node['colours'] else ''}"
                          for node in violation["nodes"][:4])
        more = len(violation["nodes"]) - 4
        found.append(f"{name} [{language}, {width} px, {scheme}]: {violation['id']} ({violation['impact']}) "
                     f"{violation['help']} at {nodes}{f' and {more} more' if more > 0 else ''}")
    return found


# Every language at the wide width; one language at the phone's (German: the longest words); and the dark
# scheme, which has colours of its own, on the pages with the most kinds of text.
AXE_RUNS = [
    *[pytest.param(language, WIDE, "light", None, id=f"{language}-{WIDE}") for language in LANGUAGES],
    pytest.param("de", PHONE, "light", None, id=f"de-{PHONE}"),
    pytest.param("en", WIDE, "dark", ("home", "complaint"), id=f"en-{WIDE}-dark"),
]


@pytest.mark.parametrize("language,width,scheme,only", AXE_RUNS)
def test_axe_finds_no_serious_or_critical_violation(language, width, scheme, only, world, checker_context,
                                                    context, log_in, axe_script):
    checker = checker_context(language, color_scheme=scheme)
    page = checker.new_page()
    page.set_viewport_size({"width": width, "height": VIEWPORT_HEIGHT})
    faults = []

    def check(pages):
        for name, path in pages:
            if only is None or name in only:
                response = page.goto(in_language(path, language))
                assert response.ok, f"{name} [{language}]: {path} answered {response.status}"
                faults.extend(axe_faults(page, name, language, width, scheme, axe_script))

    check(visitor_pages(world))
    if only is None:
        # The member's session, made by log_in for the ordinary context, serves the checker's as well.
        log_in(world.member)
        checker.add_cookies(context.cookies())
        check(member_pages())
    assert not faults, "\n".join(faults)


def test_the_checker_finds_faults(checker_context, axe_script):
    # The check above can fail: faint text and a picture without words are reported, with the colours.
    page = checker_context("en").new_page()
    page.set_content('<!doctype html><html lang="en"><title>Planted</title><main>'
                     '<p style="color: #aaa; background: #fff">Faint words</p>'
                     '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></html>')
    faults = "\n".join(axe_faults(page, "planted", "en", WIDE, "light", axe_script))
    assert "color-contrast (serious)" in faults and "#aaaaaa on #ffffff, ratio 2.32" in faults, faults
    assert "image-alt (critical)" in faults, faults
