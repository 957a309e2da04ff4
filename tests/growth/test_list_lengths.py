"""An over-long list is refused before its items are validated, and a 422 stays small (issue #8, item 3a)."""

import json

from api.flows import field_errors, usable_ip
from support.people import personal_payload


def test_two_hundred_thousand_websites_get_a_small_422_naming_the_length(sandbox):
    payload = personal_payload(usable_ip(sandbox))
    payload["websites"] = [{}] * 200_000  # ~600 KB of JSON, under the 1 MiB body limit
    resp = sandbox.post("~/applications", json={"kind": "first_filing", "payload": payload})
    errors = field_errors(resp, "payload.websites")
    assert len(resp.get_data()) < 2000, len(resp.get_data())
    assert "1 到 10" in errors["payload.websites"][0] or "网站" in errors["payload.websites"][0]
    assert not any(k.startswith("payload.websites.") for k in errors)  # no item was looked at


def test_a_list_without_its_own_maximum_is_capped_too(sandbox):
    from api.flows import CONTROL

    resp = sandbox.post("~/faults", json={"effect": "reject", "codes": ["X"] * 5000}, token=CONTROL)
    field_errors(resp, "codes")  # a 422 naming the list
    assert len(resp.get_data()) < 2000


def test_a_422_reports_at_most_fifty_fields_and_says_so(sandbox):
    """Ten websites with every field wrong: more than fifty messages, fifty shown, `truncated`."""
    payload = personal_payload(usable_ip(sandbox))
    payload["entity"]["type"] = "enterprise"  # ten websites need an organisation
    bad = {"name": 1, "domain": 2, "service_content": 3, "nat_ip": 4, "extra1": 5, "extra2": 6}
    payload["websites"] = [dict(bad) for _ in range(10)]
    resp = sandbox.post("~/applications", json={"kind": "first_filing", "payload": payload})
    assert resp.status_code == 422
    body = resp.get_json()
    assert len(body["errors"]) == 50 and body["truncated"] is True and body["errors_total"] > 50


def test_a_small_422_is_not_marked_truncated(sandbox):
    resp = sandbox.post("~/applications", json={"kind": "first_filing", "payload": {"websites": []}})
    body = resp.get_json()
    assert resp.status_code == 422 and "truncated" not in body, json.dumps(body, ensure_ascii=False)
