"""Every main page, for every role, through the Nu HTML checker: zero errors.

The checker is `vnu-jar` from the npm registry (package.json; `make test` installs it
with npm) run by Java. It starts slowly, so the pages are rendered first, written to
one folder, and checked in a single run. Without Java or the jar the test skips,
except in CI, where a skipped check would look like a pass.
"""

import io
import json
import os
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from companies.models import Representative
from companies.services import reply_template_save
from companies.tests.factories import CompanyFactory
from complaints.evidence import Evidence
from complaints.models import Message
from complaints.services.incidents import incident_link, incident_open, incident_update
from complaints.services.lifecycle import complaint_withdraw
from complaints.services.moderation import flag_create, moderation_set_contact
from complaints.services.participation import comment_post, company_follow_toggle
from complaints.services.thread import complaint_evaluate, message_post, offer_respond
from complaints.tests.factories import UserFactory, make_draft, make_published
from complaints.views.moderation import QUEUE_LISTS
from complaints_site.tests.language_client import LanguageClient

VNU_JAR = Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LANGUAGES = ("en", "ru", "de", "sv")


def _checker() -> list[str]:
    java = shutil.which("java")
    if java and VNU_JAR.exists():
        return [java, "-Xss4m", "-jar", str(VNU_JAR)]
    reason = "the Nu HTML checker needs java and node_modules/vnu-jar (make test installs it with npm)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), "red").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def world(db):
    """A company with a full record: a thread with offers, an evaluation, evidence, comments, a tombstone."""
    w = SimpleNamespace()
    moderators = Group.objects.get_or_create(name="moderators")[0]
    w.users = {
        "member": UserFactory(email="member@example.com"),
        "author": UserFactory(email="author@example.com"),
        "rep": UserFactory(email="rep@x.example"),
        "other_rep": UserFactory(email="rep@y.example"),
        "moderator": UserFactory(email="moderator@example.com"),
    }
    w.users["moderator"].groups.add(moderators)
    w.x = CompanyFactory(name="X Telecom")
    w.y = CompanyFactory(name="Y Telecom")
    Representative.objects.create(user=w.users["rep"], company=w.x, role="owner", verified_by="domain")
    Representative.objects.create(user=w.users["other_rep"], company=w.y, role="owner", verified_by="domain")
    author, rep = w.users["author"], w.users["rep"]

    evidence = [Evidence(content=_png(), content_type="image/png", original_name="receipt.png", width=8, height=6)]
    w.complaint = make_published(author=author, company=w.x, title="Router dead since March", evidence=evidence)
    message_post(complaint=w.complaint, user=rep, kind=Message.Kind.ANSWER, body="We are looking into it.")
    message_post(complaint=w.complaint, user=rep, kind=Message.Kind.DETAILS, body="Your contract number?",
                 is_private=True)
    offer = message_post(
        complaint=w.complaint, user=rep, kind=Message.Kind.OFFER, body="Three free days.",
        offer={"kind": "refund", "amount": Decimal("25.00"), "currency": "EUR", "days": None,
               "description": "One month back", "expires_on": timezone.localdate() + timedelta(days=14)},
    ).offer
    offer_respond(offer=offer, user=author, accept=True)
    comment_post(complaint=w.complaint, user=w.users["member"], body="Same here in Tallinn.")
    w.held_comment = comment_post(complaint=w.complaint, user=w.users["member"], body="Ring me: +7 999 555-11-22",
                                  send_anyway=True)
    flag_create(user=w.users["member"], item=w.complaint, reason="spam", text="Looks odd")

    w.resolved = make_published(author=author, company=w.x, title="Charged twice")
    message_post(complaint=w.resolved, user=rep, kind=Message.Kind.ANSWER, body="Refunded.")
    complaint_evaluate(complaint=w.resolved, user=author,
                       data={"resolved": True, "rating": 4, "would_return": True, "comment": "Fair in the end."})
    w.withdrawn = make_published(author=author, company=w.x, title="Mistake")
    complaint_withdraw(complaint=w.withdrawn, user=author, reason="Filed by mistake")
    w.draft = make_draft(author=author, company=w.x, title="A draft")
    reply_template_save(company=w.x, user=rep, title="Apology", body="We are sorry.")
    # An outage with the complaint linked, resolved, and notifications about it.
    w.incident = incident_open(company=w.x, user=rep, title="Lines down", affected="Internet", area="Tallinn",
                               started_at=timezone.now() - timedelta(hours=2), body="A cable was cut.")
    incident_link(incident=w.incident, complaint=w.complaint, user=rep)
    incident_update(incident=w.incident, user=rep, status="resolved", body="Repaired.")
    company_follow_toggle(company=w.x, user=w.users["member"])
    moderation_set_contact(company=w.y, moderator=w.users["moderator"], email="support@y.example")
    return w


def _pages(w) -> dict[str, list[str]]:
    """Which addresses each role looks at."""
    public = [
        "/", reverse("companies:list"), w.x.get_absolute_url(), w.x.industry.get_absolute_url(),
        reverse("complaints:list"), reverse("complaints:list") + "?q=router", w.complaint.get_absolute_url(),
        w.resolved.get_absolute_url(), w.withdrawn.get_absolute_url(), reverse("companies:about_scores"),
        reverse("complaints:transparency"), "/no-such-page/", w.incident.get_absolute_url(),
        reverse("api:open_data"),
    ]
    member = [reverse("complaints:new"), reverse("complaints:mine"), reverse("complaints:my_data"),
              reverse("complaints:delete_account"), reverse("companies:represent", args=[w.y.slug]),
              reverse("complaints:flag_form", args=["complaint", w.complaint.pk]),
              (reverse("complaints:comment", args=[w.complaint.pk]), {"body": "Mail me: ivan@mail.example"}),
              reverse("complaints:notifications"), reverse("complaints:notification_settings"),
              (reverse("complaints:notification_settings"), {"following": "sms"}),
              reverse("complaints:following")]
    return {
        "visitor": public + ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"],
        "member": public + member + ["/accounts/email/", "/accounts/password/change/"],
        "author": [w.complaint.get_absolute_url(), w.resolved.get_absolute_url(),
                   reverse("complaints:edit", args=[w.draft.pk]), reverse("complaints:preview", args=[w.draft.pk]),
                   reverse("complaints:evaluate", args=[w.complaint.pk]),
                   reverse("complaints:withdraw", args=[w.complaint.pk]), reverse("complaints:mine")],
        "rep": [w.incident.get_absolute_url(), reverse("complaints:incident_new", args=[w.x.slug]),
                (reverse("complaints:incident_new", args=[w.x.slug]), {"title": "", "started_at": "soon"}),
                w.complaint.get_absolute_url(), w.x.get_absolute_url(), reverse("complaints:business"),
                reverse("companies:team", args=[w.x.slug]), reverse("companies:templates", args=[w.x.slug]),
                reverse("api:tokens", args=[w.x.slug]), reverse("api:webhooks", args=[w.x.slug]),
                # A refused token and a refused address, with their reasons.
                (reverse("api:tokens", args=[w.x.slug]), {"name": "", "scope": "answer", "days": "7"}),
                (reverse("api:webhooks", args=[w.x.slug]), {"url": "https://127.0.0.1/"}),
                # Public words with personal data: the warning at the text, and the box to send anyway.
                (reverse("complaints:message", args=[w.complaint.pk]),
                 {"as": "company", "kind": "answer", "body": "Call +7 999 555-11-22"})],
        "other_rep": [w.complaint.get_absolute_url(), reverse("complaints:business")],
        "moderator": [w.complaint.get_absolute_url(), reverse("complaints:moderation_queue"),
                      *[reverse("complaints:moderation_queue") + f"?show={shown}" for shown in QUEUE_LISTS[1:]],
                      reverse("complaints:moderation_item", args=["complaint", w.complaint.pk]),
                      reverse("complaints:moderation_item", args=["comment", w.held_comment.pk]),
                      # A decision sent back with its error, and the note as typed.
                      (reverse("complaints:moderation_hide", args=["complaint", w.complaint.pk]),
                       {"reason": "nonsense", "note": "Kept <note>"}),
                      reverse("complaints:moderation_company", args=[w.x.slug]), reverse("companies:claims")],
    }


def _render_all(w, folder: Path, languages=("en",)) -> dict[str, str]:
    """Write each page's HTML to `folder`; returns file name -> what the page was."""
    written = {}
    for role, addresses in _pages(w).items():
        client = Client()
        if role != "visitor":
            client.force_login(w.users[role])
        for language in languages:
            reader = LanguageClient(client, language)
            for address in addresses:
                address, data = address if isinstance(address, tuple) else (address, None)
                if data is None:
                    response = reader.get(address)
                else:
                    response = reader.post(address, data)
                assert response.status_code in (200, 400, 404), f"{role} {address}: {response.status_code}"
                assert response["Content-Type"].startswith("text/html"), f"{role} {address}"
                name = f"{len(written):03d}.html"
                (folder / name).write_bytes(response.content)
                written[name] = f"{role} [{language}] {address}"
    return written


def _errors(folder: Path, written: dict[str, str]) -> list[str]:
    files = [str(folder / name) for name in sorted(written)]
    result = subprocess.run(  # noqa: S603 (our own checker over our own files)
        [*_checker(), "--errors-only", "--format", "json", *files],
        capture_output=True, text=True, timeout=300, check=False,
    )
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    errors = []
    for message in report["messages"]:
        page = written.get(Path(message.get("url", "")).name, message.get("url", "?"))
        errors.append(f"{page}, line {message.get('lastLine', '?')}: {message.get('message')}"
                      f" [{message.get('extract', '').strip()[:120]}]")
    return errors


def test_every_main_page_for_every_role_is_valid_html(world, tmp_path):
    _checker()
    written = _render_all(world, tmp_path, languages=LANGUAGES)
    assert len(written) > 150
    errors = _errors(tmp_path, written)
    assert errors == [], "\n".join(errors)


def test_the_checker_finds_errors(tmp_path):
    # The check above can fail: an invalid page is reported.
    _checker()
    page = tmp_path / "000.html"
    page.write_text('<!doctype html><html lang="en"><title>x</title><p><time datetime="2026-01-01T10:00:00.123456">'
                    'x</time><label for="a">A</label><input id="a"><input id="a"></p>')
    errors = _errors(tmp_path, {"000.html": "broken"})
    assert any("datetime" in error for error in errors)
    assert any("Duplicate ID" in error for error in errors)
