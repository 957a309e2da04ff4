"""`ba` 2020-07-20 (ICP filing): the filing mini-program's QR link, the account's real-name
state, and copying website fields between the websites of an order (备案订单)."""

import copy

from backend.tencentcloud import errors
from backend.tencentcloud.action_kit import Action

REAL_NAME_STATES = ("verified", "unverified")
REAL_NAME_TYPES = ("personal", "enterprise")

# SyncFields names → the website's fields in icpsim's order payload; a website's person
# (sitePerson…) is its responsible person (负责人). The real API takes field names only and
# answers a RequestId, so no value crosses the wire; the names it accepts are not published
# (README Simulator choices). A value is copied whole: serviceContent's list of codes stays a list.
PERSON_FIELDS = {
    "sitePersonName": "name",
    "sitePersonCerType": "certificate_type",
    "sitePersonCerNum": "certificate_number",
    "sitePersonMobile": "mobile",
    "sitePersonEmail": "email",
}
SITE_FIELDS = {
    "serviceContent": "service_content",
    "commercial": "commercial",
    "preApprovalNumber": "pre_approval_number",
    "natIp": "nat_ip",
}
SYNC_FIELDS = tuple(SITE_FIELDS) + tuple(PERSON_FIELDS)


def default_account(preset_has_resources: bool) -> dict:
    """A fresh sandbox's account: real-name verified (个人) when its preset is a working account."""
    return {
        "real_name": {"status": "verified" if preset_has_resources else "unverified", "type": "personal"},
        "level": "",
    }


def auth_info(req, world):
    real = world["account"]["real_name"]
    kind = "1" if real.get("type") == "enterprise" else "0"
    # as the SDK's model documents the fields: IsTenPayMasked 实名认证状态 (0 未实名, 1 已实名),
    # IsAuthenticated 实名认证类型 and Type 认证类型 (0 个人, 1 企业), Level 大客户标识
    return {
        "IsTenPayMasked": "1" if real.get("status") == "verified" else "0",
        "IsAuthenticated": kind,
        "Type": kind,
        "Level": world["account"].get("level") or "",
    }


def web_ids(application) -> list:
    """A website's webId in an order: its place in the order, from "1"."""
    return [str(i + 1) for i in range(len((application.get("payload") or {}).get("websites") or []))]


def _person(site, payload):
    return site.get("responsible") or (payload.get("entity") or {}).get("responsible") or {}


def _same_person(a, b) -> bool:
    return all(
        str(a.get(f) or "").strip().upper() == str(b.get(f) or "").strip().upper()
        for f in ("name", "certificate_type", "certificate_number")
    )


def synced_websites(req, application) -> list:
    """The order's websites with `SyncFields` copied from `SourceWebId` to each of `TargetWebIds`
    (ids not in the order are skipped, as the real API does). Raises when a field is unknown, the
    source is not in the order, or (CheckSamePerson, default true) a target's person differs."""
    unknown = [f for f in req["SyncFields"] if f not in SYNC_FIELDS]
    if unknown:
        raise errors.invalid_parameter_value(
            f"SyncFields {unknown} cannot be synced; supported: {', '.join(SYNC_FIELDS)}."
        )
    payload = application.get("payload") or {}
    sites = copy.deepcopy(payload.get("websites") or [])
    ids = web_ids(application)
    if req["SourceWebId"] not in ids:
        raise errors.resource_not_found(f"The website `{req['SourceWebId']}` is not in order `{application['id']}`.")
    source = sites[int(req["SourceWebId"]) - 1]
    targets = [int(t) - 1 for t in dict.fromkeys(req["TargetWebIds"]) if t in ids and t != req["SourceWebId"]]
    if req.get("CheckSamePerson", True):
        others = [t + 1 for t in targets if not _same_person(_person(source, payload), _person(sites[t], payload))]
        if others:
            raise errors.invalid_parameter_value(
                f"The websites {others} have another responsible person than website {req['SourceWebId']} "
                "(sitePersonName, sitePersonCerType, sitePersonCerNum)."
            )
    for t in targets:
        for field in req["SyncFields"]:
            if field in SITE_FIELDS:
                _copy(source, sites[t], SITE_FIELDS[field])
            else:
                if not sites[t].get("responsible"):  # the entity's person until the website has its own
                    sites[t]["responsible"] = copy.deepcopy(_person(sites[t], payload))
                _copy(_person(source, payload), sites[t]["responsible"], PERSON_FIELDS[field])
    return sites


def _copy(source: dict, target: dict, field: str):
    if field in source:
        target[field] = copy.deepcopy(source[field])
    else:
        target.pop(field, None)


ACTIONS = {
    "CreateWeappQRUrl": Action({"SessionKey": ("str", True)}),
    "DescribeGetAuthInfo": Action({}, auth_info),
    "SyncIcpOrderWebInfo": Action(
        {
            "IcpOrderId": ("str", True),
            "SourceWebId": ("str", True),
            "TargetWebIds": ("list of str", True),
            "SyncFields": ("list of str", True),
            "CheckSamePerson": ("bool", False),
        }
    ),
}
