"""Hostile input from public lists, sent the way an attacker would send it.

The lists live in /work/shared/data/payloads/ next to the checkout (see
SOURCES.md there): the Big List of Naughty Strings, IntrudersXSS and
Generic_ErrorBased SQL injection. One test per payload would take minutes, so
each test loops and collects every failure into one assertion message.
"""

import json
import os
import random
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from companies.filters import CompanyFilter
from companies.models import Company
from companies.tests.factories import CompanyFactory
from complaints.evidence import inspect_upload
from complaints.models import Attachment, Complaint, StatusChange
from complaints.tests.factories import complaint_fields, make_draft, make_published
from complaints.tests.test_evidence import png_bytes, upload

pytestmark = pytest.mark.django_db

PAYLOADS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "payloads"


@dataclass(frozen=True)
class Payloads:
    naughty: list[str]
    xss: list[str]
    sqli: list[str]


def _lines(path: Path) -> list[str]:
    # One payload per line; leading and trailing spaces are part of some payloads.
    return [line for line in path.read_text(encoding="utf-8").split("\n") if line]


@pytest.fixture(scope="session")
def payloads() -> Payloads:
    if not PAYLOADS.is_dir():
        message = f"The hostile-input lists are missing: {PAYLOADS} (a checkout of /work/shared beside the project)."
        if os.environ.get("CI"):
            pytest.fail(message + " CI must run these tests.")
        pytest.skip(message)
    loaded = Payloads(
        naughty=json.loads((PAYLOADS / "blns.json").read_text(encoding="utf-8")),
        xss=_lines(PAYLOADS / "xss-IntrudersXSS.txt"),
        sqli=_lines(PAYLOADS / "sqli-Generic_ErrorBased.txt"),
    )
    # Guards against an empty or truncated copy silently passing every test.
    assert len(loaded.naughty) > 500 and len(loaded.xss) > 150 and len(loaded.sqli) > 150
    return loaded


# What a page's markup looks like, to compare a hostile page with a harmless one.

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "background", "poster"}


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = Counter()
        self.handlers = 0  # onerror=, onload=, ...
        self.script_urls = 0  # javascript:, vbscript:, data:text/html

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers += 1
            squashed = "".join((value or "").split()).lower()
            if name in URL_ATTRIBUTES and squashed.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.script_urls += 1

    handle_startendtag = handle_starttag


def markup(content: bytes, *, ignore=("p", "br")) -> dict:
    """Start tags by name, event-handler attributes and script URLs in a page.

    Paragraphs and line breaks are left out: linebreaks turns a story's
    newlines into them, which is markup we make, not markup a story makes.
    """
    parser = _Markup()
    parser.feed(content.decode())
    parser.close()
    tags = Counter({tag: n for tag, n in parser.tags.items() if tag not in ignore})
    return {"tags": tags, "event handlers": parser.handlers, "script URLs": parser.script_urls}


def difference(hostile: dict, harmless: dict) -> str:
    changed = {
        tag: f"{harmless['tags'][tag]}→{hostile['tags'][tag]}"
        for tag in set(hostile["tags"]) | set(harmless["tags"])
        if hostile["tags"][tag] != harmless["tags"][tag]
    }
    for key in ("event handlers", "script URLs"):
        if hostile[key] != harmless[key]:
            changed[key] = f"{harmless[key]}→{hostile[key]}"
    return ", ".join(f"{key} {value}" for key, value in sorted(changed.items()))


def client_for(user=None) -> Client:
    """A client that reports a server error as a 500 instead of raising it, so a loop can go on."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def short(value, limit=80) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


# (a) Stored XSS: hostile complaints render as text ------------------------------------


def test_xss_payloads_in_a_complaint_render_as_text(member, company, payloads):
    """Each XSS payload is a title (and every other text field); the naughty strings fill the stories."""
    spread = len(payloads.xss)
    hostile = []
    for n, payload in enumerate(payloads.xss):
        naughty = payloads.naughty[n::spread]
        hostile.append(make_published(
            author=member, company=company,
            title=payload[:150], story="\n\n".join([payload, *naughty]), display_name=payload[:60],
            account_number=payload[:60], phone=payload[:40], reachable_times=payload[:200],
        ))
    harmless = make_published(author=member, company=company, title="Harmless title", story="Harmless story.")
    client = client_for(member)  # the author sees the private fields too
    expected = markup(client.get(harmless.get_absolute_url()).content)

    failures = []
    for complaint in hostile:
        response = client.get(complaint.get_absolute_url())
        if response.status_code != 200:
            failures.append(f"{short(complaint.title)}: status {response.status_code}")
        elif (found := markup(response.content)) != expected:
            failures.append(f"{short(complaint.title)}: {difference(found, expected)}")
    assert not failures, f"{len(failures)} of {len(hostile)} complaint pages changed:\n" + "\n".join(failures)


def test_xss_payloads_render_as_text_in_lists(member, industry, payloads):
    """Lists show titles, excerpts and company names; compare them with the same rows made harmless."""
    companies = [
        CompanyFactory(name=f"{payload[:180]} {n}", slug=f"hostile-{n}", description=payload[:2000], industry=industry)
        for n, payload in enumerate(payloads.xss[:40])
    ]
    for n, payload in enumerate(payloads.xss):
        make_published(author=member, company=companies[n % len(companies)], title=payload[:150],
                       story=f"{payload}\n\n{payload}")
    client = client_for(member)
    pages = [reverse("home"), reverse("complaints:mine"), reverse("complaints:new")]
    pages += [f"{reverse('complaints:list')}?page={n}" for n in range(1, 11)]
    pages += [f"{reverse('companies:list')}?page={n}" for n in range(1, 4)]
    pages += [company.get_absolute_url() for company in companies[:3]]

    def render_all():
        return {url: markup(client.get(url).content) for url in pages}

    hostile = render_all()
    Complaint.objects.update(title="Harmless title", story="Harmless story.")
    for company in companies:
        Company.objects.filter(pk=company.pk).update(name=f"Harmless {company.pk}", description="Harmless.")
    harmless = render_all()

    failures = [f"{url}: {difference(hostile[url], harmless[url])}" for url in pages if hostile[url] != harmless[url]]
    assert not failures, "\n".join(failures)


# (b) Search, filter, sort and page parameters --------------------------------------------

LIST_PARAMETERS = ["q", "industry", "country", "sort", "page"]
# Markup that legitimately varies with the number of results and error messages;
# a payload injecting one of these still shows up as a handler or script URL.
# Result markup, and <mark>: the highlighted words of a search.
LIST_MARKUP = ("p", "br", "a", "li", "ul", "ol", "h2", "h3", "article", "time", "span", "nav", "div", "mark")


def list_values(payloads) -> list[str]:
    return payloads.naughty + payloads.sqli + payloads.xss + ["\x00", "a\x00b", "-1", "0", "9" * 30, "1e308"]


class NulWatch:
    """Notes any SQL parameter with a NUL byte in it.

    PostgreSQL refuses NUL in text with an error (a 500); SQLite stores it.
    Watching the parameters makes the SQLite run fail the same way.
    """

    def __init__(self):
        self.seen = False

    def __call__(self, execute, sql, params, many, context):
        rows = params if many else [params]
        for row in rows or ():
            values = row.values() if isinstance(row, dict) else row or ()
            if any(isinstance(value, str) and "\x00" in value for value in values):
                self.seen = True
        return execute(sql, params, many, context)


@contextmanager
def nul_watch():
    watch = NulWatch()
    with connection.execute_wrapper(watch):
        yield watch


def test_hostile_list_parameters_never_give_an_error_page(member, company, payloads):
    """Every payload of every list in the list pages' parameters: 200, the same markup, nothing odd sent to SQL."""
    make_published(author=member, company=company)
    CompanyFactory(name="Telia", industry=company.industry)
    client = client_for()
    values = list_values(payloads)
    requests = []
    # The company list takes about 60 ms to render (its 250-country select), so
    # there each payload fills one parameter, the five taking turns; the
    # filter itself gets every payload in every parameter in the next test.
    for start in range(0, len(values), len(LIST_PARAMETERS)):
        group = {name: values[(start + n) % len(values)] for n, name in enumerate(LIST_PARAMETERS)}
        requests += [(reverse("companies:list"), group), (reverse("home"), group)]
    # The complaint list reads q and page: every payload goes into both.
    requests += [
        (reverse("complaints:list"), {"q": value, "page": values[(n + 1) % len(values)]})
        for n, value in enumerate(values)
    ]
    harmless = {url: markup(client.get(url, {"q": "zz"}).content, ignore=LIST_MARKUP) for url in dict(requests)}

    failures = requests_gone_wrong(client, requests, harmless)
    assert not failures, f"{len(failures)} of {len(requests)} requests went wrong:\n" + "\n".join(failures[:40])


def requests_gone_wrong(client, requests, harmless: dict) -> list[str]:
    """For each (url, params): not a 200, a NUL byte sent to the database, or markup the page at
    `harmless[url]` (the same page for a harmless value) does not have."""
    failures = []
    for url, params in requests:
        with nul_watch() as watch:
            response = client.get(url, params)
        if response.status_code != 200:
            failures.append(f"{url} {params!r}: status {response.status_code}")
            continue
        if watch.seen:
            failures.append(f"{url} {params!r}: a NUL byte reached the database")
        if (found := markup(response.content, ignore=LIST_MARKUP)) != harmless[url]:
            failures.append(f"{url} {params!r}: {difference(found, harmless[url])}")
    return failures


COMPLAINT_LIST_PARAMETERS = (
    "q", "company", "industry", "status", "language", "published_from", "published_to", "has_offer", "resolved",
    "amount_min", "amount_max", "sort", "after", "before", "page",
)


def test_every_payload_in_every_complaint_list_parameter_gives_results_or_a_message(member, company, payloads):
    """Each payload fills every search, filter, sort and paging parameter at once, then each one alone."""
    make_published(author=member, company=company, title="Router", story="The router died.")
    client = client_for()
    values = list_values(payloads)
    url = reverse("complaints:list")
    requests = [{name: value for name in COMPLAINT_LIST_PARAMETERS} for value in values]
    requests += [
        {COMPLAINT_LIST_PARAMETERS[n % len(COMPLAINT_LIST_PARAMETERS)]: value, "q": "router"}
        for n, value in enumerate(values)
    ]
    harmless = markup(client.get(url, {name: "zz" for name in COMPLAINT_LIST_PARAMETERS}).content, ignore=LIST_MARKUP)
    failures = requests_gone_wrong(client, [(url, params) for params in requests], {url: harmless})
    assert not failures, f"{len(failures)} of {len(requests)} requests went wrong:\n" + "\n".join(failures[:40])


def test_every_payload_in_every_company_filter_gives_results_or_an_error(company, payloads):
    """The same payloads through the FilterSet alone, each in every filter parameter at once.

    Each parameter is validated on its own and every valid one is applied, so
    putting the same value in all of them hides none.
    """
    queryset = Company.objects.listed().select_related("industry").with_complaint_counts().order_by("name")
    failures = []
    for value in list_values(payloads):
        filterset = CompanyFilter(dict.fromkeys(["q", "industry", "country", "sort"], value), queryset=queryset)
        try:
            with nul_watch() as watch:
                filterset.is_valid()
                list(filterset.qs)
        except Exception as error:
            failures.append(f"{short(value)}: {error!r}")
            continue
        if watch.seen:
            failures.append(f"{short(value)}: a NUL byte reached the database")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:40])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"industry": "' OR 1=1--"}, "industry"),
        ({"country": "<script>alert(1)</script>"}, "country"),
        ({"sort": "-password"}, "sort"),
        ({"sort": "name; DROP TABLE companies_company"}, "sort"),
        ({"q": "x" * 101}, "q"),
        ({"q": "a\x00b"}, "q"),
    ],
)
def test_an_invalid_company_filter_gives_a_message_and_the_list(client, company, params, field):
    response = client.get(reverse("companies:list"), params)

    assert response.status_code == 200
    assert f'id="id_{field}_error"'.encode() in response.content
    assert company.name.encode() in response.content


def test_sorting_uses_only_the_allow_list(client, company):
    CompanyFactory(name="Aardvark Telecom", industry=company.industry)
    names = []
    for sort in ["name", "-name", "name_key", "created_by__password", "pk"]:
        page = client.get(reverse("companies:list"), {"sort": sort})
        assert page.status_code == 200
        names.append([c.name for c in page.context["page"]])
    assert names[0] == ["2KOM", "Aardvark Telecom"]
    assert all(listed == names[0] for listed in names[1:])


# (c) Hostile form posts ------------------------------------------------------------------

FORM_FIELDS = [
    "company_name", "company_website", "title", "story", "desired_outcome", "amount", "currency", "happened_on",
    "language", "display_name", "is_anonymous", "account_number", "phone", "reachable_times", "submission_token",
]


def valid_post(company) -> dict:
    fields = complaint_fields(title="Router broken", story="It broke on 2 May.")
    data = {name: value for name, value in fields.items() if value not in (None, "", False)}
    return {**data, "company_name": company.name, "submission_token": str(uuid.uuid4())}


def random_unicode(rng, length) -> str:
    # Anything except surrogates, which cannot be sent as UTF-8 at all.
    chars = []
    while len(chars) < length:
        code = rng.choice([rng.randrange(0x20, 0x7F), rng.randrange(0x80, 0x3000), rng.randrange(0x10000, 0x110000),
                           rng.randrange(0, 0x20), rng.randrange(0xE000, 0x10000)])
        if not 0xD800 <= code <= 0xDFFF:
            chars.append(chr(code))
    return "".join(chars)


def snapshot() -> tuple:
    return (Complaint.objects.count(), Attachment.objects.count(), StatusChange.objects.count(), Company.objects.count())


@pytest.mark.usefixtures("no_rate_limits")
def test_hostile_values_in_the_complaint_form_give_a_form_error_never_a_500(member, company, settings):
    """NUL bytes, 10,001-character strings and random Unicode, in each field and in all fields at once."""
    rng = random.Random(20240601)
    hostile = {
        "NUL": "Router\x00broken",
        "only NUL": "\x00",
        "10,001 characters": "x" * 10_001,
        "10,001 characters of Cyrillic": "ж" * 10_001,
    }
    for n in range(3):
        hostile[f"random Unicode {n}"] = random_unicode(rng, rng.choice([1, 50, 400]))
    member_client = client_for(member)
    before = snapshot()
    failures = []
    # A checkbox is on for any value, so it is hostile only together with the
    # others; the hidden submission token has a test of its own below.
    cases = [(label, {field: value}) for label, value in hostile.items() for field in FORM_FIELDS
             if field not in ("is_anonymous", "submission_token")]
    cases += [(f"{label} everywhere", dict.fromkeys(FORM_FIELDS, value)) for label, value in hostile.items()]
    for label, override in cases:
        data = {**valid_post(company), **override}
        with nul_watch() as watch:
            response = member_client.post(reverse("complaints:new"), data)
        where = f"{label} in {', '.join(override) if len(override) == 1 else 'every field'}"
        if response.status_code == 302:
            # Random Unicode may be a perfectly good title or name; text must then come back unchanged.
            complaint = Complaint.objects.filter(submission_token=data["submission_token"]).first()
            field, value = next(iter(override.items()))
            stored = getattr(complaint, field, None)
            if not label.startswith("random") or len(override) != 1:
                failures.append(f"{where}: accepted")
            elif isinstance(stored, str) and stored != value.strip():
                failures.append(f"{where}: stored as {short(stored)}")
            Complaint.objects.filter(submission_token=data["submission_token"]).delete()
        elif response.status_code not in (200, 400):
            failures.append(f"{where}: status {response.status_code}")
        elif response.status_code == 200 and b'class="errorlist' not in response.content:
            failures.append(f"{where}: no error shown")
        if watch.seen:
            failures.append(f"{where}: a NUL byte reached the database")
    assert not failures, "\n".join(failures)
    assert snapshot() == before
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


@pytest.mark.parametrize("token", ["\x00", "not-a-uuid", "x" * 10_001, "' OR 1=1--"])
def test_a_tampered_submission_token_does_not_leave_the_form_stuck(member_client, company, token):
    """The token is hidden, so an error on it would be one nobody can see or correct."""
    data = {**valid_post(company), "submission_token": token}

    response = member_client.post(reverse("complaints:new"), data)

    if response.status_code == 200:
        says_why = b'id="id_submission_token_error"' in response.content or b"errorlist nonfield" in response.content
        sends_it_back = escape(token).encode() in response.content
        assert says_why, "the form is refused without saying why"
        assert not sends_it_back, "the bad token is sent back: the form can never be sent"
        assert Complaint.objects.count() == 0
    else:
        assert response.status_code == 302
        assert Complaint.objects.get().submission_token != token


@pytest.mark.usefixtures("no_rate_limits")
def test_a_hostile_file_name_never_gives_a_500(member, company):
    member_client = client_for(member)
    names = ["a\x00.png", "\x00", "../" * 50 + "x.png", "x" * 5000 + ".png", "\u202e\u200b.png", "%00.png", "con.png"]
    failures = []
    for name in names:
        data = {**valid_post(company), "evidence": [upload(name, png_bytes())]}
        response = member_client.post(reverse("complaints:new"), data)
        if response.status_code not in (200, 302, 400):
            failures.append(f"{short(name)}: status {response.status_code}")
    assert not failures, "\n".join(failures)
    for attachment in Attachment.objects.all():
        assert "/" not in attachment.original_name and "\x00" not in attachment.original_name
        assert len(attachment.original_name) <= 100


def test_1001_form_fields_get_400_and_create_nothing(member_client, company):
    data = valid_post(company)
    data.update({f"extra{n}": "x" for n in range(1001 - len(data))})
    assert len(data) == 1001

    response = member_client.post(reverse("complaints:new"), data)

    assert response.status_code == 400
    assert Complaint.objects.count() == 0


def test_1000_form_fields_are_still_a_normal_form(member_client, company):
    data = valid_post(company)
    data.update({f"extra{n}": "x" for n in range(1000 - len(data))})

    response = member_client.post(reverse("complaints:new"), data)

    assert response.status_code == 302
    assert Complaint.objects.count() == 1


def test_an_oversized_body_gets_400_and_creates_nothing(member_client, company, settings):
    data = {**valid_post(company), "story": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}

    response = member_client.post(reverse("complaints:new"), data)

    assert response.status_code == 400
    assert Complaint.objects.count() == 0


def test_invalid_utf8_in_the_body_never_gives_a_500(member_client, company):
    body = f"company_name={company.name}&title=%FF%FE%00%C0%AF&story=%ED%A0%80&desired_outcome=refund&language=en"

    response = member_client.post(
        reverse("complaints:new"), body.encode(), content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code in (200, 400)
    assert Complaint.objects.count() == 0


# (d) Extra POST fields are ignored ------------------------------------------------------------


def test_extra_post_fields_cannot_set_status_author_company_or_dates(member_client, member, other_member, company):
    other_company = CompanyFactory(name="Other Company")
    data = {
        **valid_post(company),
        "status": Complaint.Status.PUBLISHED, "author": other_member.pk, "author_id": other_member.pk,
        "company": other_company.pk, "company_id": other_company.pk, "published_at": "2020-01-01 00:00",
        "created_at": "2000-01-01 00:00", "is_hidden": "on", "rating": "5", "id": "1", "pk": "1",
    }

    response = member_client.post(reverse("complaints:new"), data)

    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.status == Complaint.Status.DRAFT
    assert complaint.author == member
    assert complaint.company == company
    assert complaint.published_at is None
    assert complaint.created_at.year > 2020
    assert not StatusChange.objects.exists()


def test_extra_post_fields_are_ignored_when_editing(member_client, member, other_member, company):
    draft = make_draft(author=member, company=company)
    data = {**valid_post(company), "status": "published", "author": other_member.pk, "published_at": "2020-01-01"}

    member_client.post(reverse("complaints:edit", kwargs={"pk": draft.pk}), data)

    draft.refresh_from_db()
    assert draft.status == Complaint.Status.DRAFT
    assert draft.author == member
    assert draft.published_at is None


# (e) CSRF ---------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    return client


def state(complaint) -> tuple:
    complaint.refresh_from_db()
    return (complaint.status, complaint.title, complaint.updated_at, Complaint.objects.count(),
            StatusChange.objects.count())


def test_state_changes_without_a_csrf_token_get_403_and_change_nothing(csrf_client, member, company):
    draft = make_draft(author=member, company=company)
    before = state(draft)
    requests = [
        (reverse("complaints:new"), {**valid_post(company), "evidence": [upload("a.png", png_bytes())]}),
        (reverse("complaints:edit", kwargs={"pk": draft.pk}), {**valid_post(company), "title": "Changed"}),
        (reverse("complaints:submit", kwargs={"pk": draft.pk}), {}),
    ]
    for url, data in requests:
        for token in (None, "forged-token-forged-token-forged-token-forged-token-forged1234"):
            payload = {**data, "csrfmiddlewaretoken": token} if token else data
            response = csrf_client.post(url, payload)
            assert response.status_code == 403, (url, token)
            assert state(draft) == before, (url, token)
    assert Attachment.objects.count() == 0


def test_state_changes_with_the_csrf_token_work(csrf_client, member, company):
    """The other half of the test above: the 403 comes from the missing token, not from the request."""
    form_page = csrf_client.get(reverse("complaints:new"))
    token = form_page.context["csrf_token"]

    response = csrf_client.post(reverse("complaints:new"), {**valid_post(company), "csrfmiddlewaretoken": str(token)})

    assert response.status_code == 302
    assert Complaint.objects.count() == 1


def test_a_get_to_submit_changes_nothing(member_client, member, company):
    draft = make_draft(author=member, company=company)
    before = state(draft)

    response = member_client.get(reverse("complaints:submit", kwargs={"pk": draft.pk}))

    assert response.status_code == 405
    assert state(draft) == before


# (f) Who may see and change what -------------------------------------------------------------


@pytest.fixture
def personas(member, other_member, unconfirmed_member, moderator):
    return {"visitor": None, "unconfirmed member": unconfirmed_member, "other member": other_member,
            "moderator": moderator, "author": member}


def test_only_the_author_can_see_edit_and_submit_a_draft(member, company, personas):
    draft = make_draft(author=member, company=company, title="Secret draft title")
    login = reverse("account_login")
    edit_data = {**valid_post(company), "title": "Changed by someone else"}
    actions = [
        ("preview", "get", reverse("complaints:preview", kwargs={"pk": draft.pk}), None),
        ("redirect", "get", reverse("complaints:redirect", kwargs={"pk": draft.pk}), None),
        ("detail", "get", draft.get_absolute_url(), None),
        ("edit form", "get", reverse("complaints:edit", kwargs={"pk": draft.pk}), None),
        ("edit", "post", reverse("complaints:edit", kwargs={"pk": draft.pk}), edit_data),
        ("submit", "post", reverse("complaints:submit", kwargs={"pk": draft.pk}), {}),
    ]
    failures = []
    for persona, user in personas.items():
        if persona in ("author", "moderator"):  # the moderator has a test of their own below
            continue
        client = client_for(user)
        for action, method, url, data in actions:
            response = getattr(client, method)(url, data)
            allowed = (
                (persona == "visitor" and response.status_code == 302 and response.url.startswith(login))
                or response.status_code == 404
                # allauth answers an unconfirmed member with "confirm your address first" (200).
                or (persona == "unconfirmed member" and response.status_code == 200
                    and "account/verified_email_required.html" in [t.name for t in response.templates])
            )
            if not allowed:
                failures.append(f"{persona} {action}: {response.status_code}")
            elif b"Secret draft title" in response.content:
                failures.append(f"{persona} {action}: the draft's title is in the page")
    draft.refresh_from_db()
    assert not failures, "\n".join(failures)
    assert (draft.status, draft.title) == (Complaint.Status.DRAFT, "Secret draft title")

    author = client_for(member)
    assert author.get(actions[0][2]).status_code == 200
    assert author.get(actions[3][2]).status_code == 200
    assert author.post(actions[4][2], {**edit_data, "title": "Better title"}).status_code == 302
    assert author.post(actions[5][2]).status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.title) == (Complaint.Status.PUBLISHED, "Better title")


def test_private_fields_are_shown_only_to_the_author_and_moderators(member, company, personas):
    complaint = make_published(
        author=member, company=company, account_number="ACC-98765-SECRET", phone="+46 70 123 45 67",
        reachable_times="Tuesdays after 17:00 only",
    )
    private = [b"ACC-98765-SECRET", b"+46 70 123 45 67", b"Tuesdays after 17:00 only"]
    public_pages = [reverse("home"), reverse("complaints:list"), company.get_absolute_url(),
                    f"{reverse('complaints:list')}?q=ACC-98765", reverse("companies:list")]

    failures = []
    for persona, user in personas.items():
        client = client_for(user)
        page = client.get(complaint.get_absolute_url())
        assert page.status_code == 200, persona
        shown = [value for value in private if value in page.content]
        expected = private if persona in ("author", "moderator") else []
        if shown != expected:
            failures.append(f"{persona} sees {shown} on the complaint page")
        for url in public_pages:
            if leaked := [value for value in private if value in client.get(url).content]:
                failures.append(f"{persona} sees {leaked} on {url}")
    assert not failures, "\n".join(failures)


def test_a_moderator_cannot_open_a_draft_or_its_evidence(member, moderator, company):
    """A draft is the author's own until it is submitted ("nobody else can see it", says the preview)."""
    draft = make_draft(author=member, company=company, title="Secret draft title",
                       evidence=[inspect_upload(upload("a.png", png_bytes()))])
    client = client_for(moderator)
    urls = [
        reverse("complaints:preview", kwargs={"pk": draft.pk}),
        reverse("complaints:redirect", kwargs={"pk": draft.pk}),
        draft.get_absolute_url(),
        draft.attachments.get().get_absolute_url(),
    ]

    answers = {url: client.get(url) for url in urls}

    for response in answers.values():
        response.close()
    assert {url: response.status_code for url, response in answers.items()} == dict.fromkeys(urls, 404)
