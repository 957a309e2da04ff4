"""Request bodies: the document says what the API does. A closed body (unknown fields refused)
is documented with additionalProperties: false; a JSON boolean is true or false, nothing else."""

import copy

import marshmallow
import pytest
from marshmallow import fields
from support.people import personal_payload

from api.flows import CONTROL, assert_error, create_app, field_errors, new_sandbox, ok, usable_ip
from backend.api import schema_base

# Request objects whose keys are data, not field names (documented as maps): the mobile and
# business registries (key: a mobile / a certificate number), the province overrides (key: a
# province code), a chat form (key: a field of the step's form, read by the conversation).
MAPS = {
    "MobileRegistry.mobile_registry",
    "Settings.mobile_registry",
    "Settings.business_registry",
    "Settings.orders_elsewhere",
    "Settings.province_overrides",
    "ConversationReply.form",
}


def _request_components(doc):
    comps = doc["components"]["schemas"]
    found = set()

    def refs(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref and ref.split("/")[-1] not in found:
                found.add(ref.split("/")[-1])
                refs(comps[ref.split("/")[-1]])
            for value in node.values():
                refs(value)
        elif isinstance(node, list):
            for value in node:
                refs(value)

    for ops in doc["paths"].values():
        for op in ops.values():
            if isinstance(op, dict) and "requestBody" in op:
                refs(op["requestBody"]["content"].get("application/json", {}))
    return {name: comps[name] for name in found}


def test_every_request_object_is_documented_closed_unless_it_is_a_map(app):
    doc = ok(app.test_client().get("/openapi.json"))
    components = _request_components(doc)
    assert "FirstFilingPayload" in components and "FirstFilingPayloadMergePatch" in components
    open_ones = []
    for name, schema in components.items():
        if "properties" in schema and schema.get("additionalProperties") is not False:
            open_ones.append(name)
        for prop, sub in schema.get("properties", {}).items():
            if sub.get("additionalProperties") not in (None, False) and f"{name}.{prop}" not in MAPS:
                open_ones.append(f"{name}.{prop}")
    assert not open_ones


def test_a_payload_is_one_of_the_kinds_closed_schemas_and_a_patch_requires_nothing(app):
    doc = ok(app.test_client().get("/openapi.json"))
    comps = doc["components"]["schemas"]
    create = comps["ApplicationCreate"]["properties"]["payload"]
    patch = comps["ApplicationPatch"]["properties"]["payload"]
    assert "additionalProperties" not in create and "additionalProperties" not in patch
    assert {"$ref": "#/components/schemas/FirstFilingPayload"} in create["anyOf"]
    assert {"$ref": "#/components/schemas/FirstFilingPayloadMergePatch"} in patch["anyOf"]
    assert comps["FirstFilingPayload"]["required"] == ["entity", "websites"]
    merge = comps["FirstFilingPayloadMergePatch"]
    assert "required" not in merge and merge["additionalProperties"] is False
    assert merge["properties"]["entity"] == {"$ref": "#/components/schemas/EntityMergePatch"}
    assert "required" not in comps["EntityMergePatch"] and comps["EntityMergePatch"]["additionalProperties"] is False


@pytest.fixture
def demo(control):
    return new_sandbox(control, preset="demo")


def test_unknown_fields_in_a_payload_are_refused_as_documented(demo):
    payload = personal_payload(usable_ip(demo))
    extra = copy.deepcopy(payload)
    extra["entity"]["nickname"] = "x"
    body = assert_error(demo.post("~/applications", json={"payload": extra}), 422, "VALIDATION_FAILED")
    assert body["errors"] == {"payload.entity.nickname": ["不支持的字段。"]}
    app_id = create_app(demo, payload)["id"]
    resp = demo.patch(f"~/applications/{app_id}", json={"payload": {"entity": {"nickname": "x"}}})
    assert field_errors(resp, "payload.entity.nickname")
    ok(demo.patch(f"~/applications/{app_id}", json={"payload": {"entity": {"address": "北京市海淀区 1 号"}}}))


def test_a_business_registry_entry_is_a_date_and_nothing_else(control):
    """It was any object: {"updated_on": "garbage"} was stored, and the filing-type check
    parsed it later (date.fromisoformat)."""
    for entry, path in (
        ({"updated_on": "garbage"}, "settings.business_registry.91440300MA5ABCDE0X.value.updated_on"),
        ({"updated_on": "2026-05-28", "by": "me"}, "settings.business_registry.91440300MA5ABCDE0X.value.by"),
        ({}, "settings.business_registry.91440300MA5ABCDE0X.value.updated_on"),
    ):
        resp = control.post(
            "/api/v1/sandboxes", json={"settings": {"business_registry": {"91440300MA5ABCDE0X": entry}}}
        )
        assert field_errors(resp, path), resp.get_json()
    sb = new_sandbox(control, settings={"business_registry": {"91440300MA5ABCDE0X": {"updated_on": "2026-05-28"}}})
    assert sb.sid


def test_a_rejection_opinion_is_an_object_with_a_code_and_its_texts_only(sandbox, control):
    url = f"/api/v1/sandboxes/{sandbox.sid}/faults"
    assert field_errors(
        control.post(url, json={"effect": "reject", "audit_data": [{"field": "entity"}]}), "audit_data.0.code"
    )
    assert field_errors(
        control.post(url, json={"effect": "reject", "audit_data": [{"code": "X", "by": 1}]}), "audit_data.0.by"
    )
    assert field_errors(control.post(url, json={"effect": "reject", "audit_data": ["X"]}), "audit_data.0._schema")
    ok(
        control.post(url, json={"effect": "reject", "audit_data": [{"code": "NAME_MISMATCH", "field": "entity.name"}]}),
        201,
    )


NOT_BOOLEANS = [0, 1, "yes", "true", "on", "no", "false", "0", 1.0]


@pytest.mark.parametrize("value", NOT_BOOLEANS, ids=repr)
def test_a_json_boolean_is_true_or_false_only(control, value):
    resp = control.post("/api/v1/sandboxes", json={"settings": {"pre_submit_checks": value}})
    assert field_errors(resp, "settings.pre_submit_checks")["settings.pre_submit_checks"] == ["须为 true 或 false。"]


def test_booleans_of_other_bodies_are_strict_too(sandbox, control):
    assert field_errors(sandbox.post("~/clock/advance", json={"until_idle": "yes"}, token=CONTROL), "until_idle")
    resp = control.post("/api/v1/sandboxes", json={"settings": {"account": {"flagged": 1}}})
    assert field_errors(resp, "settings.account.flagged")
    ok(sandbox.post("~/clock/advance", json={"until_idle": False, "duration": "1h"}, token=CONTROL))


def api_fields():
    """(schema, field name, field) of every request and answer schema of the API, each field's
    list item and map value too."""
    import backend.app  # noqa: F401  every blueprint, so every schema class is defined

    for name, classes in marshmallow.class_registry._registry.items():
        for cls in classes:
            if cls.__module__.startswith("backend.api"):
                for field_name, field in cls._declared_fields.items():
                    for f in (field, getattr(field, "inner", None), getattr(field, "value_field", None)):
                        yield name, field_name, f


def test_every_boolean_field_of_the_api_is_strict():
    """No request schema keeps marshmallow's lenient Boolean (1, "yes", "on" …)."""
    lenient = [
        f"{name}.{field_name}"
        for name, field_name, f in api_fields()
        if isinstance(f, fields.Boolean) and not isinstance(f, schema_base.StrictBoolean)
    ]
    assert not lenient


FRACTIONS = [
    ("/api/v1/sandboxes", {"idle_ttl_seconds": 100.7}, "idle_ttl_seconds"),
    ("/api/v1/sandboxes", {"settings": {"sms_window_hours": 2.5}}, "settings.sms_window_hours"),
    ("/api/v1/sandboxes", {"settings": {"min_age": 17.9}}, "settings.min_age"),
    ("/api/v1/sandboxes", {"settings": {"change_wd": [15, 20.5, 25]}}, "settings.change_wd.1"),
    ("/api/v1/classes", {"size": 1.7}, "size"),
    ("/api/v1/classes", {"size": 1, "seed_base": 2.589e-42}, "seed_base"),
]


@pytest.mark.parametrize("path,body,field", FRACTIONS, ids=[f for _, _, f in FRACTIONS])
def test_a_fraction_where_the_api_wants_an_integer_is_422_not_truncated(control, path, body, field):
    """schemathesis' CLI (`--checks all`) found `"seed_base": 2.6e-42` accepted as 0; a
    fraction was cut to its whole part everywhere (an idle TTL of 100.7 s kept 100)."""
    assert field_errors(control.post(path, json=body), field)[field] == ["须为整数。"]


def test_a_whole_float_and_a_query_strings_digits_are_integers(control):
    assert ok(control.post("/api/v1/sandboxes", json={"idle_ttl_seconds": 100.0}), 201)["idle_ttl_seconds"] == 100
    assert ok(control.get("/api/v1/sandboxes?limit=2"))
    assert field_errors(control.get("/api/v1/sandboxes?limit=2.5"), "limit")


def test_every_integer_field_of_the_api_refuses_fractions():
    """No request schema keeps marshmallow's Integer, which truncates 2.5 to 2."""
    lenient = [
        f"{name}.{field_name}"
        for name, field_name, f in api_fields()
        if isinstance(f, fields.Integer) and not isinstance(f, schema_base.StrictInteger)
    ]
    assert not lenient


def test_the_document_ties_the_payload_to_its_kind_as_the_api_does(app, demo):
    """`kind` chooses the payload's schema: the document's oneOf says so (the payload's anyOf
    alone let a first filing's payload pass under kind cancel_website, which the API refuses)."""
    import jsonschema

    doc = ok(app.test_client().get("/openapi.json"))
    body = jsonschema.Draft4Validator(
        {"$ref": "#/components/schemas/ApplicationCreate", "components": doc["components"]}
    )
    payload = personal_payload(usable_ip(demo))
    assert body.is_valid({"payload": payload}) and body.is_valid({"kind": "first_filing", "payload": payload})
    assert not body.is_valid({"kind": "cancel_website", "payload": payload})
    assert not body.is_valid({"payload": payload, "extra": 1})
    resp = demo.post("~/applications", json={"kind": "cancel_website", "payload": payload})
    assert field_errors(resp)["payload.entity"]


# A valid entry of each bounded map, by index: a body one entry over the bound is refused for its size alone.
MAP_ENTRIES = {
    "mobile_registry": lambda i: (f"138{i:08d}", "江苏省"),
    "business_registry": lambda i: (f"91440300MA{i:07d}X", {"updated_on": "2026-05-28"}),
    "orders_elsewhere": lambda i: (f"91440300MA{i:07d}X", {"provider": "aliyun"}),
}


def _bounded_maps(doc):
    comps = doc["components"]["schemas"]
    return {
        f"{name}.{prop}": sub
        for name, schema in comps.items()
        for prop, sub in schema.get("properties", {}).items()
        if sub.get("type") == "object" and "additionalProperties" in sub
    }


def test_a_map_is_bounded_by_its_number_of_entries_in_the_document(app):
    """apispec wrote a Length on a map as maxLength, a string's keyword, which JSON Schema ignores on an object."""
    maps = _bounded_maps(ok(app.test_client().get("/openapi.json")))
    assert not {path: sub for path, sub in maps.items() if {"minLength", "maxLength"} & set(sub)}
    assert maps["MobileRegistry.mobile_registry"]["maxProperties"] == 200
    bounded = {path.split(".")[1] for path, sub in maps.items() if "maxProperties" in sub}
    assert bounded == set(MAP_ENTRIES)


def test_a_map_one_entry_over_its_bound_is_refused_on_that_field(app, control):
    maps = _bounded_maps(ok(app.test_client().get("/openapi.json")))
    for field, entry in MAP_ENTRIES.items():
        bound = maps[f"Settings.{field}"]["maxProperties"]
        for count, refused in ((bound, False), (bound + 1, True)):
            settings = {field: dict(entry(i) for i in range(count))}
            resp = control.post("/api/v1/sandboxes", json={"settings": settings})
            if refused:
                errors = field_errors(resp, f"settings.{field}")
                assert errors[f"settings.{field}"] == [f"最多 {bound} 项。"], errors
            else:
                ok(resp, 201)
    sb = new_sandbox(control)
    registry = dict(MAP_ENTRIES["mobile_registry"](i) for i in range(201))
    resp = sb.put("~/mobile-registry", json={"mobile_registry": registry}, token=CONTROL)
    assert field_errors(resp, "mobile_registry")["mobile_registry"] == ["最多 200 项。"]
