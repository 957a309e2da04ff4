"""Valid test identities, computed with their check digits (never typed by hand)."""

from stdnum.cn import ric, uscc


def resident_id(prefix17):
    return prefix17 + ric.calc_check_digit(prefix17 + "0")  # stdnum drops the last char


def credit_code(prefix17):
    return prefix17 + uscc.calc_check_digit(prefix17)


ZHANG_SAN_ID = resident_id("44030519900101001")  # Shenzhen, born 1990-01-01


def person(name="张三", cert=None, mobile="13800138000", email="zhangsan@example.com"):
    return {
        "name": name,
        "certificate_type": "resident_id",
        "certificate_number": cert or ZHANG_SAN_ID,
        "mobile": mobile,
        "email": email,
    }


def personal_payload(nat_ip, domain="zhangsan-blog.cn", name="张三的个人博客", **entity):
    ent = {
        "type": "personal",
        "name": "张三",
        "certificate_type": "resident_id",
        "certificate_number": ZHANG_SAN_ID,
        "province": "44",
        "address": "广东省深圳市南山区科技园路 1 号",
        "responsible": person(),
    }
    ent.update(entity)
    return {
        "entity": ent,
        "websites": [
            {
                "name": name,
                "domain": domain,
                "service_content": "blog",
                "filing_type": "cloudbase_run",
                "nat_ip": nat_ip,
            }
        ],
    }


def full_personal_payload(nat_ip, **kw):
    """张三's first filing with every field of the real forms (what pre_submit_checks asks for)."""
    payload = personal_payload(nat_ip, **kw)
    payload["entity"]["mailing_address"] = {
        "province_code": "440000",
        "city_code": "440300",
        "district_code": "440305",
        "street": "科技园路 1 号",
    }
    payload["entity"]["responsible"].update(emergency_phone="13900001111", id_valid_until="长期")
    payload["entity"]["certificate_address"] = "广东省深圳市南山区科技园路 1 号"  # 证件住所
    payload["websites"][0]["languages"] = ["1"]
    return payload


def submitted_first_filing(call, home, token):
    """Over HTTP, as the e2e tests' processes see it: 张三's domain registered, his first filing
    created on the sandbox's first usable IP and submitted; the application's URL. `call` is the
    test module's own (method, url, token, **kw) -> response."""
    ip = call("GET", f"{home}/eligibility", token).json()["usable_ips"][0]["ip"]
    domain = {"name": "zhangsan-blog.cn", "holder_name": "张三", "holder_certificate_number": ZHANG_SAN_ID}
    call("POST", f"{home}/domains", token, json=domain)
    app = call("POST", f"{home}/applications", token, json={"payload": personal_payload(ip)}).json()
    app_url = f"{home}/applications/{app['id']}"
    call("POST", f"{app_url}/actions/submit", token, json={})
    return app_url
