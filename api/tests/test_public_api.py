"""The public API: only public content, paged by cursor, conditional, limited, open to other sites."""

import json

import pytest

from api.tests.conftest import SECRETS
from companies.tests.factories import CompanyFactory
from complaints.models import Incident
from complaints.tests.factories import make_published

API = "/api/v1"


def _json(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_complaints_list_only_public_ones(client, record):
    body = client.get(f"{API}/complaints", {"limit": 100})
    data = _json(body)
    assert {item["id"] for item in data["items"]} == {record.answered.pk, record.anonymous.pk, record.held.pk}
    text = body.content.decode()
    for secret in SECRETS:
        assert secret not in text
    anonymous = next(item for item in data["items"] if item["id"] == record.anonymous.pk)
    assert anonymous["author_name"] is None
    held = next(item for item in data["items"] if item["id"] == record.held.pk)
    assert held["story"] is None and held["story_held"] is True


@pytest.mark.parametrize("which", ["pending", "hidden", "withdrawn"])
def test_a_complaint_out_of_public_view_is_404(client, record, which):
    assert _json(client.get(f"{API}/complaints/{getattr(record, which).pk}"), 404) == {"detail": "Not Found"}


def test_a_complaint_with_its_public_thread_and_timeline(client, record):
    data = _json(client.get(f"{API}/complaints/{record.answered.pk}"))
    assert [message["kind"] for message in data["thread"]] == ["answer", "offer"]  # the private reply is left out
    assert "PRIVATE-MESSAGE-TEXT" not in json.dumps(data)
    offer = data["thread"][1]["offer"]
    assert offer["kind"] == "free_days" and offer["days"] == 3 and offer["status"] == "accepted"
    events = [entry["event"] for entry in data["timeline"]]
    assert "offer_accepted" in events and "evaluated_resolved" in events
    assert data["rating"] == 4


def test_timeline_speaks_the_language_asked_for(client, record):
    data = _json(client.get(f"{API}/complaints/{record.answered.pk}", HTTP_ACCEPT_LANGUAGE="sv"))
    texts = [entry["text"] for entry in data["timeline"]]
    assert "The company answered." not in texts
    english = _json(client.get(f"{API}/complaints/{record.answered.pk}", HTTP_ACCEPT_LANGUAGE="en"))
    assert "The company answered." in [entry["text"] for entry in english["timeline"]]


def test_filters_and_search_are_the_lists(client, record):
    assert [item["id"] for item in _json(client.get(f"{API}/complaints", {"status": "resolved"}))["items"]] == [
        record.answered.pk]
    assert [item["id"] for item in _json(client.get(f"{API}/complaints", {"q": "billed twice"}))["items"]] == [
        record.anonymous.pk]


def test_bad_filters_get_422_with_the_pages_message(client, record):
    data = _json(client.get(f"{API}/complaints", {"published_from": "yesterday", "company": "nobody"}), 422)
    messages = {tuple(error["loc"]): error["msg"] for error in data["detail"]}
    assert messages[("query", "published_from")] == "Enter a valid date."
    assert messages[("query", "company")] == "No company by this name is listed here."
    assert _json(client.get(f"{API}/complaints", {"limit": 0}), 422)["detail"]
    assert _json(client.get(f"{API}/complaints", {"sort": "worst"}), 422)["detail"]


def test_cursor_paging_walks_every_complaint_once(client, company):
    made = {make_published(company=company, title=f"Complaint number {n}").pk for n in range(7)}
    seen, url, pages = [], f"{API}/complaints?limit=3", 0
    while url:
        data = _json(client.get(url))
        seen += [item["id"] for item in data["items"]]
        url = data["next"]
        pages += 1
    assert pages == 3 and sorted(seen) == sorted(made) and len(seen) == len(set(seen))


def test_a_tampered_cursor_is_400(client, record):
    assert "cursor is not valid" in _json(client.get(f"{API}/complaints", {"cursor": "!!"}), 400)["detail"]
    assert "cursor is not valid" in _json(client.get(f"{API}/companies", {"cursor": "zz.zz"}), 400)["detail"]


def test_companies_with_their_scorecards(client, record):
    data = _json(client.get(f"{API}/companies/2kom"))
    assert data["verified"] is True
    assert data["scorecards"]["12m"]["complaints"] == 3 and data["scorecards"]["12m"]["score"] is None
    listed = _json(client.get(f"{API}/companies", {"industry": "internet-providers"}))
    assert [item["slug"] for item in listed["items"]] == ["2kom"]
    assert _json(client.get(f"{API}/companies/nobody"), 404)


def test_an_unlisted_company_is_not_there(client, db):
    CompanyFactory(name="Proposed Ltd", slug="proposed", is_listed=False)
    assert _json(client.get(f"{API}/companies/proposed"), 404)
    assert _json(client.get(f"{API}/companies"))["items"] == []


def test_industries_and_rankings(client, record):
    industries = _json(client.get(f"{API}/industries"))
    assert [industry["slug"] for industry in industries] == ["internet-providers"]
    ranking = _json(client.get(f"{API}/industries/internet-providers", {"window": "all"}))
    assert ranking["most_complaints"][0]["slug"] == "2kom" and ranking["best"] == []


def test_incidents(client, record, rep):
    from complaints.services.incidents import incident_open

    incident = incident_open(company=record.company, user=rep, title="Outage in Malmö", affected="Internet",
                             area="Malmö", started_at=record.answered.published_at, body="We are looking into it.")
    assert isinstance(incident, Incident)
    listed = _json(client.get(f"{API}/incidents", {"company": "2kom"}))
    assert [item["id"] for item in listed["items"]] == [incident.pk]
    detail = _json(client.get(f"{API}/incidents/{incident.pk}"))
    assert detail["updates"][0]["body"] == "We are looking into it."


def test_etag_gives_304_and_last_modified_is_set(client, record):
    first = client.get(f"{API}/complaints/{record.answered.pk}")
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(f"{API}/complaints/{record.answered.pk}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    listed = client.get(f"{API}/complaints")
    assert client.get(f"{API}/complaints", HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 304


def test_reads_are_open_to_other_sites_but_the_company_api_is_not(client, record):
    response = client.get(f"{API}/complaints", HTTP_ORIGIN="https://newsroom.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    company = client.get(f"{API}/company/inbox", HTTP_ORIGIN="https://newsroom.example")
    assert "Access-Control-Allow-Origin" not in company


def test_reads_are_rate_limited_per_address(client, record, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "api_read": "3/m/ip"}
    for _ in range(3):
        assert client.get(f"{API}/industries").status_code == 200
    refused = client.get(f"{API}/industries")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert client.get(f"{API}/industries", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_the_description_and_its_page(client, db):
    schema = _json(client.get(f"{API}/openapi.json"))
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/complaints", "/api/v1/complaints/{pk}", "/api/v1/companies/{slug}", "/api/v1/company/inbox",
            "/api/v1/company/complaints/{pk}/messages"} <= set(schema["paths"])
    page = client.get(f"{API}/docs")
    assert page.status_code == 200 and b"swagger-ui" in page.content


@pytest.mark.parametrize("path", ["/complaints?limit=100", "/companies?limit=100", "/company/inbox?limit=100"])
def test_list_queries_do_not_grow_with_the_page(client, record, django_assert_max_num_queries, path):
    from api.services import token_create

    _token, key = token_create(company=record.company, user=record.rep, name="Count", scope="read", days=30)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    for n in range(20):
        make_published(company=record.company, title=f"More complaint {n}")
    # The token (2: its row, its representation; 3 with last-use), the page, and the records' counts.
    with django_assert_max_num_queries(8):
        assert client.get(f"{API}{path}", **auth).status_code == 200


def test_a_complaint_costs_a_few_queries(client, record, django_assert_max_num_queries):
    # The complaint, its counts (2), its thread, its offers and its timeline.
    with django_assert_max_num_queries(6):
        assert client.get(f"{API}/complaints/{record.answered.pk}").status_code == 200
