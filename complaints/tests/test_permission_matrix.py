"""Who may do what (SECURITY.md, items 18–20), through the test client.

One world, six personas: a visitor, a verified member with no tie to the complaint, its author,
a representative of the complaint's company, a representative of another company and a
moderator. Every state-changing URL and every private read is a row of data; the test runs
each row for each persona inside a savepoint that is rolled back afterwards, so the cells do not
disturb each other, and compares a snapshot of the database before and after the request.
"""

import io
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from companies.models import ReplyTemplate, RepresentationClaim, Representative
from companies.services import claim_submit, reply_template_save
from companies.tests.factories import CompanyFactory
from complaints.evidence import Evidence
from complaints.models import (
    Attachment,
    Comment,
    Complaint,
    Evaluation,
    Follow,
    Message,
    MeToo,
    Offer,
    StatusChange,
)
from complaints.services.thread import complaint_evaluate, message_post, offer_mark_delivered, offer_respond
from complaints.tests.factories import UserFactory, make_draft, make_published, sign_in

PERSONAS = ("visitor", "member", "author", "rep", "other_rep", "moderator")
MEMBERS = frozenset(PERSONAS) - {"visitor"}

# Unique strings that only private data carries: a search of the response bytes finds them or not.
PRIVATE_ACCOUNT = "ACC-PRIV-5531"
PRIVATE_PHONE = "+46 70 PRIV 9921"
PRIVATE_TIMES = "REACH-PRIV-after-six"
PRIVATE_COMPANY_MESSAGE = "COMPANY-PRIV-MSG-7f3a"
PRIVATE_AUTHOR_MESSAGE = "AUTHOR-PRIV-MSG-42c9"
PRIVATE_MARKERS = (PRIVATE_ACCOUNT, PRIVATE_PHONE, PRIVATE_TIMES, PRIVATE_COMPANY_MESSAGE, PRIVATE_AUTHOR_MESSAGE)
DRAFT_TITLE = "DRAFT-PRIV-title-0b1d"
TEMPLATE_BODY = "TEMPLATE-PRIV-body-c3e8"
CLAIM_EVIDENCE = "CLAIM-PRIV-evidence-91aa"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), "red").save(out, format="PNG")
    return out.getvalue()


def offer_details(**overrides) -> dict:
    details = {"kind": "refund", "amount": Decimal("25.00"), "currency": "EUR", "days": None,
               "description": "One month back", "expires_on": timezone.localdate() + timedelta(days=14)}
    details.update(overrides)
    return details


@pytest.fixture
def world(db):
    """Everything the matrix needs, reached through the services as people would reach it."""
    w = SimpleNamespace()
    w.users = {
        "member": UserFactory(email="member@example.com"),
        "author": UserFactory(email="author@example.com"),
        "rep": UserFactory(email="rep@company-x.example"),
        "other_rep": UserFactory(email="rep@company-y.example"),
        "moderator": UserFactory(email="moderator@example.com"),
    }
    w.users["moderator"].groups.add(Group.objects.get_or_create(name="moderators")[0])
    w.colleague = UserFactory(email="colleague@company-x.example")
    w.x = CompanyFactory(name="Company X Telecom")
    w.y = CompanyFactory(name="Company Y Telecom")
    rep, other_rep, author = w.users["rep"], w.users["other_rep"], w.users["author"]
    w.rep_x = Representative.objects.create(user=rep, company=w.x, role="owner", verified_by="domain")
    w.colleague_x = Representative.objects.create(user=w.colleague, company=w.x, role="member", verified_by="domain")
    w.rep_y = Representative.objects.create(user=other_rep, company=w.y, role="owner", verified_by="domain")

    # An answered complaint with private details, private messages both ways and three offers:
    # one open, one accepted (for "delivered"), one delivered (for "received"/"not received").
    w.complaint = make_published(
        author=author, company=w.x, title="Router dead since March",
        account_number=PRIVATE_ACCOUNT, phone=PRIVATE_PHONE, reachable_times=PRIVATE_TIMES,
    )
    message_post(complaint=w.complaint, user=rep, kind=Message.Kind.ANSWER, body="We are looking into it.")
    message_post(complaint=w.complaint, user=rep, kind=Message.Kind.DETAILS, body=PRIVATE_COMPANY_MESSAGE,
                 is_private=True)
    message_post(complaint=w.complaint, user=author, kind=Message.Kind.REPLY, body=PRIVATE_AUTHOR_MESSAGE,
                 is_private=True)
    w.offers = {}
    for name in ("open", "accepted", "delivered"):
        message = message_post(complaint=w.complaint, user=rep, kind=Message.Kind.OFFER, body=f"Offer {name}",
                               offer=offer_details())
        w.offers[name] = message.offer
    offer_respond(offer=w.offers["accepted"], user=author, accept=True)
    offer_respond(offer=w.offers["delivered"], user=author, accept=True)
    offer_mark_delivered(offer=w.offers["delivered"], user=rep)
    w.complaint.refresh_from_db()

    w.resolved = make_published(author=author, company=w.x, title="Charged twice")
    message_post(complaint=w.resolved, user=rep, kind=Message.Kind.ANSWER, body="Refunded.")
    complaint_evaluate(complaint=w.resolved, user=author, data={"resolved": True, "rating": 5, "would_return": True})

    w.draft = make_draft(author=author, company=w.x, title=DRAFT_TITLE, evidence=[
        Evidence(content=png_bytes(), content_type="image/png", original_name="receipt.png", width=8, height=6),
    ])
    w.attachment = w.draft.attachments.get()

    w.template_x = reply_template_save(company=w.x, user=rep, title="Apology", body=TEMPLATE_BODY)
    w.template_y = reply_template_save(company=w.y, user=other_rep, title="Y greeting", body="Y-ONLY-template")
    # The member has asked to represent Y: a moderator decides it, only the member withdraws it.
    w.claim = claim_submit(user=w.users["member"], company=w.y, work_email="", job_title="Support lead",
                           evidence=CLAIM_EVIDENCE)

    w.clients = {"visitor": Client()}
    for persona, user in w.users.items():
        w.clients[persona] = sign_in(Client(), user)  # as if the password was just typed (representation asks)
    return w


def snapshot() -> dict:
    """Row counts and the state columns that any action could change."""
    state = {model.__name__: model.objects.count() for model in (Message, MeToo, Follow, Comment, StatusChange,
                                                                  Attachment)}
    state["complaints"] = list(Complaint.objects.order_by("pk").values_list(
        "pk", "status", "title", "waiting_on", "reopened_at", "first_answered_at"))
    state["offers"] = list(Offer.objects.order_by("pk").values_list("pk", "status"))
    state["evaluations"] = list(Evaluation.objects.order_by("pk").values_list("pk", "resolved", "rating",
                                                                               "change_count"))
    state["claims"] = list(RepresentationClaim.objects.order_by("pk").values_list("pk", "user_id", "status"))
    state["representatives"] = list(Representative.objects.order_by("pk").values_list(
        "pk", "user_id", "company_id", "role"))
    state["templates"] = list(ReplyTemplate.objects.order_by("pk").values_list("pk", "company_id", "title", "body"))
    return state


def changed_keys(before: dict, after: dict) -> list[str]:
    return [key for key in before if before[key] != after[key]]


# The matrix as data.

@dataclass
class Case:
    name: str
    url: object  # world -> str
    allowed: frozenset
    data: object = None  # world -> dict, for POSTs
    changes: tuple = ()  # snapshot keys an allowed request must change
    # Personas whose request reaches the service and is refused by a business rule (the person
    # is told why and sent back); nothing may change for them either.
    by_rule: frozenset = frozenset()


@dataclass
class Read:
    name: str
    url: object  # world -> str
    allowed: frozenset
    markers: object  # world -> list of str that only the allowed may see
    # True when the page itself is public (or personal) and only its private parts are guarded:
    # then the others may get 200, without the markers.
    public_page: bool = False


def token() -> str:
    return str(uuid.uuid4())


def draft_form(w) -> dict:
    return {
        "company_name": w.x.name, "company_website": "", "title": "An edited title",
        "story": "Edited story.", "desired_outcome": "refund", "amount": "", "currency": "", "happened_on": "",
        "language": "en", "display_name": "", "account_number": "", "phone": "", "reachable_times": "",
    }


def company_answer(w) -> dict:
    # Hidden fields a crafted request might add are ignored (SECURITY.md item 12, 19).
    return {"as": "company", "kind": "answer", "body": "We have refunded you.", "submission_token": token(),
            "company": w.y.pk, "author": w.users["other_rep"].pk, "status": "resolved"}


def company_offer(w) -> dict:
    return {"as": "company", "kind": "offer", "body": "Our offer.", "submission_token": token(),
            "offer_kind": "refund", "offer_amount": "30.00", "offer_currency": "EUR",
            "offer_description": "A month's fee back",
            "offer_expires_on": (timezone.localdate() + timedelta(days=10)).isoformat()}


def url(name, *args):
    return lambda w: reverse(name, args=[arg(w) if callable(arg) else arg for arg in args])


def pk(attribute, *path):
    def get(w):
        obj = getattr(w, attribute)
        for key in path:
            obj = obj[key]
        return obj.pk
    return get


def slug(attribute):
    return lambda w: getattr(w, attribute).slug


AUTHOR = frozenset({"author"})
REP = frozenset({"rep"})
NOBODY = frozenset()

WRITES = [
    Case("message as author", url("complaints:message", pk("complaint")), AUTHOR,
         lambda w: {"as": "author", "body": "Any news?", "submission_token": token()}, ("Message",)),
    Case("message as company", url("complaints:message", pk("complaint")), REP, company_answer, ("Message",)),
    Case("offer as company", url("complaints:message", pk("complaint")), REP, company_offer, ("Message", "offers")),
    Case("offer accept", url("complaints:offer_accept", pk("offers", "open")), AUTHOR, lambda w: {}, ("offers",)),
    Case("offer decline", url("complaints:offer_decline", pk("offers", "open")), AUTHOR,
         lambda w: {"reason": "Too little"}, ("offers",)),
    Case("offer delivered", url("complaints:offer_delivered", pk("offers", "accepted")), REP, lambda w: {},
         ("offers",)),
    Case("offer received", url("complaints:offer_received", pk("offers", "delivered")), AUTHOR, lambda w: {},
         ("offers",)),
    Case("offer not received", url("complaints:offer_not_received", pk("offers", "delivered")), AUTHOR,
         lambda w: {"reason": "Nothing arrived"}, ("offers",)),
    Case("evaluate", url("complaints:evaluate", pk("complaint")), AUTHOR,
         lambda w: {"resolved": "yes", "rating": "4", "would_return": "yes", "comment": "Fine in the end."},
         ("evaluations", "complaints")),
    Case("reopen", url("complaints:reopen", pk("resolved")), AUTHOR, lambda w: {}, ("complaints", "StatusChange")),
    Case("withdraw", url("complaints:withdraw", pk("complaint")), AUTHOR, lambda w: {"reason": "Sorted by phone"},
         ("complaints", "StatusChange")),
    # The author and the company's own representatives are refused by rule (nothing changes).
    Case("me too", url("complaints:me_too", pk("complaint")), MEMBERS - AUTHOR - REP, lambda w: {}, ("MeToo",),
         by_rule=AUTHOR | REP),
    Case("follow", url("complaints:follow", pk("complaint")), MEMBERS, lambda w: {}, ("Follow",)),
    Case("comment", url("complaints:comment", pk("complaint")), MEMBERS,
         lambda w: {"body": "Same here.", "submission_token": token()}, ("Comment",)),
    Case("edit draft", url("complaints:edit", pk("draft")), AUTHOR, draft_form, ("complaints",)),
    Case("submit draft", url("complaints:submit", pk("draft")), AUTHOR, lambda w: {},
         ("complaints", "StatusChange")),
    Case("represent X", url("companies:represent", slug("x")), MEMBERS - REP,
         lambda w: {"work_email": "", "job_title": "Support", "evidence": "Ask Anna"}, ("claims",), by_rule=REP),
    Case("remove X colleague", url("companies:remove_representative", slug("x"), pk("colleague_x")), REP,
         lambda w: {}, ("representatives",)),
    Case("template create", url("companies:templates", slug("x")), REP,
         lambda w: {"title": "Refund done", "body": "We refunded you."}, ("templates",)),
    Case("template edit", url("companies:template_edit", slug("x"), pk("template_x")), REP,
         lambda w: {"title": "Apology", "body": "A better apology."}, ("templates",)),
    Case("template delete", url("companies:template_delete", slug("x"), pk("template_x")), REP, lambda w: {},
         ("templates",)),
    Case("claim decide", url("companies:claim_decide", pk("claim")), frozenset({"moderator"}),
         lambda w: {"decision": "approve", "reason": ""}, ("claims", "representatives")),
    Case("claim withdraw", url("companies:claim_withdraw", pk("claim")), frozenset({"member"}), lambda w: {},
         ("claims",)),
    # Crafted addresses that mix one company's slug with another company's ids.
    Case("edit X template via Y", url("companies:template_edit", slug("y"), pk("template_x")), NOBODY,
         lambda w: {"title": "Hijacked", "body": "Hijacked"}),
    Case("delete X template via Y", url("companies:template_delete", slug("y"), pk("template_x")), NOBODY,
         lambda w: {}),
    Case("remove Y rep via X", url("companies:remove_representative", slug("x"), pk("rep_y")), NOBODY,
         lambda w: {}),
]

READS = [
    Read("complaint page: private fields and messages", lambda w: w.complaint.get_absolute_url(),
         frozenset({"author", "rep", "moderator"}), lambda w: PRIVATE_MARKERS, public_page=True),
    Read("draft preview", url("complaints:preview", pk("draft")), AUTHOR, lambda w: [DRAFT_TITLE]),
    Read("draft page by address", lambda w: reverse("complaints:detail", args=[w.draft.pk, w.draft.slug]), AUTHOR,
         lambda w: [DRAFT_TITLE]),
    Read("draft edit form", url("complaints:edit", pk("draft")), AUTHOR, lambda w: [DRAFT_TITLE]),
    Read("draft evidence", lambda w: w.attachment.get_absolute_url(), AUTHOR, lambda w: ["IHDR"]),
    Read("business inbox of X", lambda w: reverse("complaints:business") + f"?company={w.x.slug}", REP,
         lambda w: [reverse("companies:team", args=[w.x.slug])], public_page=True),
    Read("team page of X", url("companies:team", slug("x")), REP, lambda w: [w.colleague.email]),
    Read("templates page of X", url("companies:templates", slug("x")), REP, lambda w: [TEMPLATE_BODY]),
    Read("template edit form of X", url("companies:template_edit", slug("x"), pk("template_x")), REP,
         lambda w: [TEMPLATE_BODY]),
    Read("X template via Y address", url("companies:template_edit", slug("y"), pk("template_x")), NOBODY,
         lambda w: [TEMPLATE_BODY]),
    Read("moderation claim queue", url("companies:claims"), frozenset({"moderator"}), lambda w: [CLAIM_EVIDENCE]),
]


def sent_to_login(response) -> bool:
    chain = getattr(response, "redirect_chain", None)
    target = chain[0][0] if chain else response.get("Location", "")
    return response.status_code in (200, 302) and urlsplit(target).path == reverse("account_login")


def denied(response) -> bool:
    return response.status_code in (403, 404) or sent_to_login(response)


def describe(response) -> str:
    if sent_to_login(response):
        return "login"
    if response.status_code in (301, 302):
        return f"{response.status_code} to {response['Location']}"
    return str(response.status_code)


def body_of(response) -> str:
    # The test client closes the response itself (a FileResponse once its content is read). Closing
    # it again here would fire request_finished, whose handler closes the PostgreSQL connection
    # because the test runs inside a transaction.
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


def run_in_savepoint(send, address, *args, **kwargs):
    """Make one request between two snapshots, then roll the database back to where it was."""
    with transaction.atomic():
        before = snapshot()
        response = send(address, *args, **kwargs)
        after = snapshot()
        body = body_of(response)
        transaction.set_rollback(True)
    return response, body, before, after


def check_write(case, persona, response, before, after) -> str | None:
    changed = changed_keys(before, after)
    if persona in case.allowed:
        if denied(response) or response.status_code >= 400:
            return f"refused ({describe(response)}) but should succeed"
        missing = [key for key in case.changes if key not in changed]
        if missing:
            return f"answered {describe(response)} but did not change {missing}"
        return None
    if changed:
        return f"changed {changed} ({describe(response)})"
    if persona in case.by_rule:
        if response.status_code != 302 or sent_to_login(response):
            return f"expected a redirect with a message, got {describe(response)}"
        return None
    if not denied(response):
        return f"expected 403/404/login, got {describe(response)}"
    return None


def check_read(case, persona, markers, response, body, before, after) -> str | None:
    if changed_keys(before, after):
        return f"a read changed {changed_keys(before, after)}"
    shown = [marker for marker in markers if marker in body]
    if persona in case.allowed:
        if response.status_code != 200 or len(shown) != len(markers):
            return f"got {describe(response)}, missing {sorted(set(markers) - set(shown))}"
        return None
    if shown:
        return f"leaks {shown}"
    if not (denied(response) or (case.public_page and response.status_code == 200)):
        return f"expected 403/404/login, got {describe(response)}"
    return None


def test_every_action_and_private_read_is_allowed_only_to_its_personas(world):
    failures = []
    for case in WRITES:
        for persona in PERSONAS:
            send = world.clients[persona].post
            try:
                response, _body, before, after = run_in_savepoint(send, case.url(world), case.data(world))
            except Exception as error:  # a 500: a failed cell, reported with the others
                failures.append(f"{case.name} / {persona}: raised {error!r}")
                continue
            problem = check_write(case, persona, response, before, after)
            if problem:
                failures.append(f"{case.name} / {persona}: {problem}")
    for case in READS:
        markers = list(case.markers(world))
        for persona in PERSONAS:
            send = world.clients[persona].get
            try:
                response, body, before, after = run_in_savepoint(send, case.url(world), follow=True)
            except Exception as error:
                failures.append(f"{case.name} / {persona}: raised {error!r}")
                continue
            problem = check_read(case, persona, markers, response, body, before, after)
            if problem:
                failures.append(f"{case.name} / {persona}: {problem}")
    assert not failures, "Wrong cells:\n" + "\n".join(failures)


def test_a_get_to_an_action_changes_nothing(world):
    """SECURITY.md item 6: only POST changes state, even for the person allowed to make the change."""
    failures = []
    for case in WRITES:
        for persona in sorted(case.allowed):
            response, _body, before, after = run_in_savepoint(world.clients[persona].get, case.url(world))
            if changed_keys(before, after) or response.status_code >= 500:
                failures.append(f"GET {case.name} / {persona}: {describe(response)}, "
                                f"changed {changed_keys(before, after)}")
    assert not failures, "\n".join(failures)


# Item 19: a representative of Y never acts on X's complaint, whatever the request carries.

def test_other_company_rep_cannot_answer_or_touch_offers_of_another_company(world):
    client, before = world.clients["other_rep"], snapshot()
    crafted = {**company_offer(world), "company": world.y.pk, "complaint": world.complaint.pk,
               "author": world.users["rep"].pk, "is_private": ""}
    assert client.post(reverse("complaints:message", args=[world.complaint.pk]), crafted).status_code == 403
    assert client.post(reverse("complaints:message", args=[world.complaint.pk]),
                       {**company_answer(world), "as": "author"}).status_code == 403
    for action, offer in [("offer_accept", "open"), ("offer_decline", "open"), ("offer_delivered", "accepted"),
                          ("offer_received", "delivered"), ("offer_not_received", "delivered")]:
        response = client.post(reverse(f"complaints:{action}", args=[world.offers[offer].pk]),
                               {"reason": "x", "company": world.y.pk})
        assert response.status_code == 403, action
    assert snapshot() == before


def test_hidden_company_fields_cannot_redirect_a_message_to_another_company(world):
    own = make_published(company=world.y, title="A complaint about Y")
    response = world.clients["other_rep"].post(reverse("complaints:message", args=[own.pk]),
                                               {**company_answer(world), "company": world.x.pk})
    assert response.status_code == 302
    message = Message.objects.get(complaint=own)
    assert (message.company, message.author, message.complaint.status) == (
        world.y, world.users["other_rep"], Complaint.Status.ANSWERED)


def test_a_template_of_another_company_is_never_prefilled(world):
    response = world.clients["rep"].get(world.complaint.get_absolute_url(), {"template": world.template_y.pk})
    assert response.context["company_form"].initial.get("body") is None
    assert b"Y-ONLY-template" not in response.content
    response = world.clients["other_rep"].get(world.complaint.get_absolute_url(), {"template": world.template_x.pk})
    assert "company_form" not in response.context
    assert TEMPLATE_BODY.encode() not in response.content


def test_a_removed_representative_loses_access_on_their_next_request(world):
    colleague = Client()
    colleague.force_login(world.colleague)
    page = world.complaint.get_absolute_url()
    assert "company_form" in colleague.get(page).context

    response = world.clients["rep"].post(
        reverse("companies:remove_representative", args=[world.x.slug, world.colleague_x.pk]))
    assert response.status_code == 302
    assert not Representative.objects.filter(user=world.colleague).exists()

    # The same session, next request: no company form, no private details, no inbox, no team page.
    response = colleague.get(page)
    assert "company_form" not in response.context
    assert PRIVATE_COMPANY_MESSAGE.encode() not in response.content
    assert PRIVATE_ACCOUNT.encode() not in response.content
    messages_before = Message.objects.count()
    response = colleague.post(reverse("complaints:message", args=[world.complaint.pk]), company_answer(world))
    assert response.status_code == 403
    assert Message.objects.count() == messages_before
    response = colleague.post(reverse("complaints:offer_delivered", args=[world.offers["accepted"].pk]))
    assert response.status_code == 403
    assert colleague.get(reverse("companies:team", args=[world.x.slug])).status_code == 404
    assert colleague.get(reverse("companies:templates", args=[world.x.slug])).status_code == 404
    inbox = colleague.get(reverse("complaints:business"), {"company": world.x.slug})
    assert inbox.context["companies"] == []
    assert reverse("companies:team", args=[world.x.slug]).encode() not in inbox.content


# Item 20: private messages and private fields appear on no page but the complaint's own, and
# there only for the author, the company's representatives and moderators.

def test_private_details_appear_on_no_page_for_those_not_party_to_the_complaint(world):
    leaks = []
    public_pages = [reverse("home"), reverse("complaints:list"), reverse("companies:list"), world.x.get_absolute_url()]
    for persona in PERSONAS:
        client = world.clients[persona]
        pages = public_pages + ([world.complaint.get_absolute_url()]
                                if persona in ("visitor", "member", "other_rep") else [])
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, (persona, page)
            leaks += [f"{persona} on {page}: {marker}" for marker in PRIVATE_MARKERS
                      if marker.encode() in response.content]
        # Search echoes the query, so here the proof is an empty result, not an absent string.
        for marker in (PRIVATE_COMPANY_MESSAGE, PRIVATE_ACCOUNT, DRAFT_TITLE):
            if list(client.get(reverse("complaints:list"), {"q": marker}).context["page"]):
                leaks.append(f"{persona}: searching {marker} finds the complaint")
    assert not leaks, "\n".join(leaks)


def test_private_messages_are_shown_to_the_parties_and_marked_private(world):
    for persona in ("author", "rep", "moderator"):
        response = world.clients[persona].get(world.complaint.get_absolute_url())
        private = [m for m in response.context["thread"] if m.is_private]
        assert {m.body for m in private} == {PRIVATE_COMPANY_MESSAGE, PRIVATE_AUTHOR_MESSAGE}, persona
        assert response.content.count(b"message-item from-") == len(response.context["thread"])
    public = world.clients["member"].get(world.complaint.get_absolute_url())
    assert not [m for m in public.context["thread"] if m.is_private]
