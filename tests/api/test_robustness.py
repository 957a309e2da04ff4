"""Bad input gets a clear JSON error (422 per field, 400, 409, 413) — never a 500, never
half-written data: clock bounds, settings, seeded numbers, Unicode digits, atomic sandboxes,
domain keys, body size and nesting, loose types."""

import json

import pytest
from support.people import ZHANG_SAN_ID, personal_payload

from api.chat_flows import Chat
from api.flows import CONTROL, assert_error, field_errors, file_and_approve, new_sandbox, ok, register_domain, usable_ip
from backend.store import keys

SANDBOXES = "/api/v1/sandboxes"


def create(control, **body):
    return control.post(SANDBOXES, json=body)


def sandbox_keys(r):
    return sorted(r.scan_iter(match=f"{keys.P}:sb:*")) + sorted(r.scan_iter(match=f"{keys.P}:token:*"))


# -- 1. the clock stays within datetime's range -------------------------------------------


@pytest.mark.parametrize("duration", ["3000000d", "401d", "58w"])
def test_a_huge_advance_is_422_and_the_sandbox_keeps_working(sandbox, duration):
    errors = field_errors(sandbox.post("~/clock/advance", json={"duration": duration}, token=CONTROL), "duration")
    assert any("400" in m for m in errors["duration"])
    assert ok(sandbox.get("~/clock"))["now"] == "2026-06-01T09:00:00+08:00"
    assert ok(sandbox.get(f"{SANDBOXES}/{sandbox.sid}"))["clock"]["now"] == "2026-06-01T09:00:00+08:00"


def test_an_advance_of_400_days_is_allowed(sandbox):
    assert ok(sandbox.post("~/clock/advance", json={"duration": "400d"}, token=CONTROL))["now"].startswith("2027-07-06")


def test_duration_and_until_idle_together_is_422(sandbox):
    field_errors(
        sandbox.post("~/clock/advance", json={"duration": "1d", "until_idle": True}, token=CONTROL), "duration"
    )


def test_the_service_refuses_a_huge_advance_too(control, r):
    from backend.domain.errors import Unprocessable
    from backend.services import advancing

    sb = new_sandbox(control)
    with pytest.raises(Unprocessable):
        advancing.advance(r, sb.sid, duration="3000000d")
    assert ok(sb.get("~/clock"))["now"] == "2026-06-01T09:00:00+08:00"


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:00:00+08:00", "0001-01-01", "1999-12-31T23:59:59+08:00", "2100-01-02"]
)
def test_clock_start_out_of_range_is_422_and_nothing_is_created(control, r, start):
    field_errors(create(control, clock_start=start), "clock_start")
    assert ok(control.get(SANDBOXES)) == [] and sandbox_keys(r) == []


def test_the_service_checks_clock_start_too(r):
    from backend.domain.errors import Unprocessable
    from backend.services import sandboxes

    with pytest.raises(Unprocessable) as e:
        sandboxes.create(r, seed=1, clock_start="9999-12-31T23:00:00+08:00")
    assert "clock_start" in e.value.errors
    assert sandbox_keys(r) == []


# -- 2. settings are typed and bounded --------------------------------------------------


@pytest.mark.parametrize(
    "settings,path",
    [
        ({"provider_review_wd": "abc"}, "settings.provider_review_wd"),
        ({"provider_review_wd": 61}, "settings.provider_review_wd"),
        ({"idle_reminder_days": 5}, "settings.idle_reminder_days"),
        ({"idle_reminder_days": [7, 7, 30]}, "settings.idle_reminder_days"),
        ({"idle_reminder_days": [7, 15]}, "settings.idle_reminder_days"),
        ({"idle_expiry_days": 0}, "settings.idle_expiry_days"),
        ({"random_rejection_rate": "x"}, "settings.random_rejection_rate"),
        ({"random_rejection_rate": 1.5}, "settings.random_rejection_rate"),
        ({"sms_window_hours": 1e12}, "settings.sms_window_hours"),
        ({"to_bureau_wd_min": 5, "to_bureau_wd_max": 2}, "settings.to_bureau_wd_min"),
        ({"to_bureau_wd_min": 5}, "settings.to_bureau_wd_min"),  # above the default max (3)
        ({"change_wd": [20, 15, 25]}, "settings.change_wd"),
        ({"bureau_wd": -1}, "settings.bureau_wd"),
        ({"rule_set": "martian"}, "settings.rule_set"),
        ({"strict_nonlocal_id": "maybe"}, "settings.strict_nonlocal_id"),
        ({"typo_setting": 1}, "settings.typo_setting"),
        ({"province_overrides": {"44": {"bureau_wd_min": "a"}}}, "settings.province_overrides.44.bureau_wd_min"),
        ({"province_overrides": {"44": {"bureau_wd_min": 30}}}, "settings.province_overrides.44"),
        ({"province_overrides": {"44": {"colour": "red"}}}, "settings.province_overrides.44.colour"),
        ({"province_overrides": {"44": 5}}, "settings.province_overrides.44"),
        ({"province_overrides": {"99": {"bureau_wd_max": 5}}}, "settings.province_overrides.99"),
        (
            {"province_overrides": {"44": {"nonlocal_personal_id": "maybe"}}},
            "settings.province_overrides.44.nonlocal_personal_id",
        ),
        ({"province_overrides": []}, "settings.province_overrides"),
    ],
)
def test_bad_settings_are_422_and_nothing_is_created(control, r, settings, path):
    field_errors(create(control, settings=settings), path)
    assert ok(control.get(SANDBOXES)) == [] and sandbox_keys(r) == []


def test_good_settings_are_kept_as_given(control):
    settings = {
        "provider_review_wd": 2,
        "to_bureau_wd_min": 1,
        "to_bureau_wd_max": 1,
        "sms_window_hours": 720,
        "sms_max_wrong": 3,
        "change_wd": [8, 9, 10],
        "cancel_wd": [2, 2, 2],
        "bureau_wd": None,
        "idle_reminder_days": [3, 5, 9],
        "idle_expiry_days": 12,
        "random_rejection_rate": 0.5,
        "rule_set": "cloudbase-2025",
        "strict_nonlocal_id": False,
        "min_age": 16,
        "province_overrides": {
            "44": {"bureau_wd_min": 2, "bureau_wd_typical": 2, "bureau_wd_max": 2, "temporary_id_refused": True}
        },
    }
    body = ok(create(control, seed=3, settings=settings), 201)
    assert body["settings"] == {**settings, "pre_submit_checks": True}  # the server's default added


def test_a_province_override_with_typical_above_max_is_422(control):
    # Guangdong's CSV row is kept for what is not overridden: 2 > its max would break the law
    field_errors(
        create(control, settings={"province_overrides": {"44": {"bureau_wd_max": 0}}}), "settings.province_overrides.44"
    )


# -- 3. a seeded record number never blocks the next approval ------------------------------


def company(number):
    from support.people import credit_code

    return {
        "name": "深圳市某某科技有限公司",
        "type": "enterprise",
        "certificate_type": "uscc",
        "certificate_number": credit_code("91440300MA5FGHJK0"),
        "province": "44",
        "number": number,
        "websites": [{"name": "某某科技官网", "domain": "moumou-tech.cn"}],
    }


def test_seeding_a_too_high_sequence_is_422(control, r):
    sb = new_sandbox(control)
    body = assert_error(
        sb.post("~/registry/entities", json=company("粤ICP备2026999999号"), token=CONTROL),
        422,
        "NUMBER_SEQUENCE_TOO_HIGH",
    )
    assert "number" in body["errors"]
    assert ok(sb.get("~/entities")) == []
    assert r.hget(keys.seq(sb.sid), "icp:44:2026") is None  # the sequence did not move


def test_the_highest_seedable_sequence_still_leaves_numbers(control):
    sb = new_sandbox(control, preset="demo")
    ok(sb.post("~/registry/entities", json=company("粤ICP备2026989999号"), token=CONTROL), 201)
    app = file_and_approve(sb, personal_payload(usable_ip(sb)))
    assert app["result"]["entity_number"] == "粤ICP备2026990000号"


def test_an_exhausted_sequence_is_a_domain_error_not_a_value_error(control, r):
    from backend.domain.errors import DomainError
    from backend.services import effects
    from backend.store import tx as store

    sb = new_sandbox(control)

    def fn(tx):
        tx.set_counter("icp:44:2026", 999_999)
        return effects.next_entity_number(tx, "44", 1_780_000_000)  # 2026-05-28

    with pytest.raises(DomainError) as e:
        store.run(r, sb.sid, fn)
    assert e.value.code == "NUMBER_SEQUENCE_EXHAUSTED"


# -- 4. Unicode digits ------------------------------------------------------------------

SUPERSCRIPT_ID = "4403051990010100²8"


def test_a_superscript_digit_in_an_id_is_422_on_a_new_application(sandbox):
    payload = personal_payload(usable_ip(sandbox), certificate_number=SUPERSCRIPT_ID)
    field_errors(sandbox.post("~/applications", json={"payload": payload}), "payload.entity.certificate_number")


def test_a_superscript_digit_in_an_id_is_422_when_seeding(sandbox):
    body = {
        "name": "张三",
        "type": "personal",
        "certificate_type": "resident_id",
        "certificate_number": SUPERSCRIPT_ID,
        "province": "44",
        "websites": [{"name": "张三的博客", "domain": "zhangsan-blog.cn"}],
    }
    field_errors(sandbox.post("~/registry/entities", json=body, token=CONTROL), "certificate_number")


def test_a_superscript_digit_at_a_choice_step_is_asked_again(control):
    sb = new_sandbox(control, preset="demo", seed=42)
    chat = Chat(sb)
    assert chat.conv["accepts"]["type"] == "choice"
    body = chat.send(text="²")
    assert body["step"] == "welcome" and body["accepts"]["type"] == "choice"


def test_arabic_indic_digits_are_not_a_record_number(sandbox):
    body = ok(sandbox.get("~/numbers/validate", query_string={"number": "粤ICP备٢٠٢٦٠١٢٣٤٥号"}))
    assert body["valid"] is False and body["code"] == "NUMBER_UNKNOWN_FORMAT"


# -- 5. a sandbox is created and deleted as a whole ----------------------------------------


def test_a_failed_create_leaves_nothing(control, r, monkeypatch):
    from backend.services import sandboxes

    def broken(tx, preset):
        raise RuntimeError("the preset could not be built")

    monkeypatch.setattr(sandboxes, "_populate", broken)
    with pytest.raises(RuntimeError):
        sandboxes.create(r, seed=1, sid="sb_broken")
    assert sandbox_keys(r) == [] and not r.smembers(keys.SANDBOXES)


def test_creating_an_existing_id_is_409_and_keeps_the_first(control, r):
    from backend.domain.errors import Conflict
    from backend.services import sandboxes

    first = sandboxes.create(r, seed=1, sid="twin")
    with pytest.raises(Conflict) as e:
        sandboxes.create(r, seed=2, sid="twin")
    assert e.value.code == "SANDBOX_EXISTS"
    # creation alone also hands out the Tencent Cloud API key pair (issue #15)
    assert sandboxes.describe(r, "twin") == {k: v for k, v in first.items() if k not in ("secret_id", "secret_key")}
    assert r.smembers(keys.SANDBOXES) == {"twin"}
    assert len(list(r.scan_iter(match=f"{keys.P}:token:*"))) == 1


def test_delete_leaves_nothing(control, r):
    sb = new_sandbox(control, preset="demo")
    assert control.delete(f"{SANDBOXES}/{sb.sid}").status_code == 204
    assert sandbox_keys(r) == [] and not r.smembers(keys.SANDBOXES)


# -- 6. domain registry keys are normalised -------------------------------------------------


def test_an_ideographic_full_stop_is_the_same_domain(sandbox):
    register_domain(sandbox, "zhangsan-blog.cn")
    resp = sandbox.post(
        "~/domains",
        json={"name": "zhangsan-blog。cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID},
    )
    assert_error(resp, 409, "DOMAIN_EXISTS")
    assert [d["name"] for d in ok(sandbox.get("~/domains"))] == ["zhangsan-blog.cn"]


def test_full_width_letters_are_folded_and_found(sandbox):
    doc = ok(
        sandbox.post(
            "~/domains", json={"name": "ＡＢＣ．cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID}
        ),
        201,
    )
    assert doc["name"] == doc["id"] == "abc.cn"
    assert ok(sandbox.get("~/domains/abc.cn"))["name"] == "abc.cn"
    assert ok(sandbox.get("~/domains/ＡＢＣ．cn"))["name"] == "abc.cn"
    changed = ok(sandbox.patch("~/domains/ABC.cn", json={"real_name_status": "pending"}))
    assert changed["real_name_status"] == "pending"


# -- 7. body size and nesting -----------------------------------------------------------------


def test_a_body_over_one_mib_is_413(control, r):
    resp = control.client.post(
        SANDBOXES,
        data=json.dumps({"name": "x" * (1024 * 1024 + 10)}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {CONTROL}"},
    )
    assert_error(resp, 413, "PAYLOAD_TOO_LARGE")
    assert sandbox_keys(r) == []


@pytest.mark.parametrize("depth", [40, 900, 100_000])
def test_deeply_nested_json_is_400(sandbox, depth):
    nested = "[" * depth + "]" * depth
    for path, token in (("~/applications", None), (f"{SANDBOXES}/{sandbox.sid}/faults", CONTROL)):
        resp = sandbox.call(
            "POST", path, token=token, data='{"payload": {"entity": ' + nested + "}}", content_type="application/json"
        )
        assert_error(resp, 400, "JSON_TOO_DEEP")
    assert ok(sandbox.get("~/applications")) == []


def test_a_nested_settings_value_is_400(control, r):
    nested = "{" + '"a": {' * 900 + "}" * 900 + "}"
    resp = control.client.post(
        SANDBOXES,
        data='{"settings": ' + nested + "}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {CONTROL}"},
    )
    assert_error(resp, 400)
    assert sandbox_keys(r) == []


@pytest.mark.parametrize("body,path", [({"name": "x" * 65}, "name"), ({"name": ""}, "name")])
def test_sandbox_name_is_bounded(control, body, path):
    field_errors(create(control, **body), path)


def test_a_long_reason_is_422(sandbox):
    app = ok(sandbox.post("~/applications", json={"payload": personal_payload(usable_ip(sandbox))}), 201)
    field_errors(sandbox.post(f"~/applications/{app['id']}/actions/withdraw", json={"reason": "因" * 201}), "reason")
    assert ok(sandbox.get(f"~/applications/{app['id']}"))["state"] == "draft"


# -- 8. loose types ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [{"a": 1}, [1], 1.5, True, "", "s" * 65])
def test_a_seed_is_an_int_or_a_short_string(control, r, seed):
    field_errors(create(control, seed=seed), "seed")
    assert sandbox_keys(r) == []


def test_fixed_egress_ip_must_be_an_ip(sandbox):
    field_errors(
        sandbox.post("~/cloud/environments", json={"name": "env", "fixed_egress_ip": "not-an-ip"}), "fixed_egress_ip"
    )


# -- 9. the schemas use the domain's lists and limits ---------------------------------------------


def test_schema_lists_are_the_domains():
    from backend.api import schemas as s
    from backend.domain import scenarios, validation as V

    assert s.TYPES is V.ENTITY_TYPES and s.CERT_TYPES is V.CERT_TYPES and s.CONTENTS is V.SERVICE_CONTENTS
    assert set(s.NEW_FILING_TYPES) <= set(scenarios.FILING_TYPES)


def test_an_address_over_the_domain_limit_is_refused_by_the_schema(sandbox):
    from backend.domain import validation as V

    payload = personal_payload(usable_ip(sandbox), address="深" * (V.MAX_TEXT + 1))
    field_errors(sandbox.post("~/applications", json={"payload": payload}), "payload.entity.address")


def test_documented_defaults_fill_what_the_domain_requires(sandbox):
    """service_content and a person's certificate_type are required by the domain; the REST API
    fills the defaults its README documents (blog, resident_id) before the domain sees them."""
    payload = personal_payload(usable_ip(sandbox))
    del payload["websites"][0]["service_content"]
    del payload["entity"]["responsible"]["certificate_type"]
    app = ok(sandbox.post("~/applications", json={"payload": payload}), 201)
    assert app["payload"]["websites"][0]["service_content"] == "blog"
    assert app["payload"]["entity"]["responsible"]["certificate_type"] == "resident_id"
    # a merge patch carries no defaults: removing a required field is refused by the domain
    field_errors(
        sandbox.patch(
            f"~/applications/{app['id']}",
            json={
                "payload": {
                    "websites": [
                        {
                            "name": "张三的个人博客",
                            "domain": "zhangsan-blog.cn",
                            "nat_ip": usable_ip(sandbox),
                            "service_content": None,
                        }
                    ]
                }
            },
        ),
        "payload.websites.0.service_content",
    )


def test_a_new_filing_of_another_cloud_service_keeps_its_error(sandbox):
    payload = personal_payload(usable_ip(sandbox))
    payload["websites"][0]["filing_type"] = "cvm"
    errors = field_errors(sandbox.post("~/applications", json={"payload": payload}), "payload.websites.0.filing_type")
    assert any("cloudbase_run" in m for m in errors["payload.websites.0.filing_type"])
