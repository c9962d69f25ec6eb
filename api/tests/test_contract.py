"""The OpenAPI description against the API itself: the document is valid OpenAPI, and every
operation answers as it says, with a status it lists and a body its schema accepts. Then the
hostile-input lists go into every parameter and body field: 4xx with a message, never a 500."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_spec

from api.services import token_create
from complaints.services.incidents import incident_open
from complaints.tests.test_hostile_input import payloads  # noqa: F401 (the fixture)

API = "/api/v1"


@pytest.fixture
def spec(client, db):
    return client.get(f"{API}/openapi.json").json()


@pytest.fixture
def auth(record):
    _token, key = token_create(company=record.company, user=record.rep, name="Contract", scope="answer", days=30)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def values(record):
    incident = incident_open(company=record.company, user=record.rep, title="Outage", affected="Internet", area="",
                             started_at=timezone.now() - timedelta(hours=1), body="Looking into it.")
    return {"slug": "2kom", "pk": record.answered.pk, "industry": "internet-providers", "incident": incident.pk,
            "offer": record.offer.pk}


def _path(template: str, values: dict) -> str:
    if "/incidents/{pk}" in template:
        return template.replace("{pk}", str(values["incident"]))
    if "/offers/{pk}" in template:
        return template.replace("{pk}", str(values["offer"]))
    if "/industries/{slug}" in template:
        return template.replace("{slug}", values["industry"])
    return template.replace("{pk}", str(values["pk"])).replace("{slug}", values["slug"])


def _check(spec, operation, response):
    statuses = operation["responses"]
    assert str(response.status_code) in statuses, (response.status_code, response.content[:300])
    content = statuses[str(response.status_code)].get("content", {}).get("application/json")
    if content:
        schema = {**content["schema"], "components": spec["components"]}
        OAS31Validator(schema).validate(response.json())


def test_the_description_is_valid_openapi(spec):
    validate_spec(spec)
    assert len(spec["paths"]) >= 12


def test_every_operation_answers_as_described(client, spec, values, auth):
    checked = 0
    bodies = {"/api/v1/company/complaints/{pk}/messages": {"kind": "answer", "body": "We are looking into it."}}
    for template, operations in spec["paths"].items():
        for method, operation in operations.items():
            path = _path(template, values)
            if method == "get":
                response = client.get(path, **auth)
            else:
                response = client.post(path, bodies.get(template, {}), content_type="application/json", **auth)
            assert response.status_code < 300, (template, response.status_code, response.content[:300])
            _check(spec, operation, response)
            checked += 1
    assert checked == sum(len(operations) for operations in spec["paths"].values()) >= 13


def test_documented_errors_have_their_shape(client, spec, values, auth):
    operation = spec["paths"]["/api/v1/complaints"]["get"]
    _check(spec, operation, client.get(f"{API}/complaints", {"published_from": "x"}))
    _check(spec, operation, client.get(f"{API}/complaints", {"cursor": "???"}))
    _check(spec, spec["paths"]["/api/v1/complaints/{pk}"]["get"], client.get(f"{API}/complaints/999999"))


def test_hostile_input_in_every_parameter_gets_a_4xx_never_a_500(client, spec, values, auth, payloads,  # noqa: F811
                                                                 no_rate_limits):
    hostile = payloads.sqli[:40] + payloads.xss[:40] + payloads.naughty[:120]
    for template, operations in spec["paths"].items():
        for method, operation in operations.items():
            path = _path(template, values)
            names = [parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "query"]
            for text in hostile:
                if method == "get":
                    for name in names:
                        response = client.get(path, {name: text}, **auth)
                        assert response.status_code in (200, 400, 404, 422), (template, name, text, response.content)
                        _check(spec, operation, response)
                else:
                    body = {"kind": "answer", "body": text, "offer_amount": text, "idempotency_key": text}
                    response = client.post(path, json.dumps(body), content_type="application/json", **auth)
                    assert response.status_code in (200, 201, 400, 404, 422), (template, text, response.content)
            # Hostile path segments too.
            for text in hostile[:30]:
                response = client.get(f"{API}/companies/{text.replace('/', '').replace('?', '').replace('#', '')}")
                assert response.status_code in (200, 400, 404, 422)
