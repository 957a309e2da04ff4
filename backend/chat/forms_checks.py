"""The chat's own questions that are not part of an order: 验证备案类型 before any order form
and the checklist of fields readiness finds missing. Part of FORMS (form_table.py)."""

from backend.chat.form_model import (
    CERT_TYPE_LABELS,
    DATE,
    ENTITY_TYPE_LABELS,
    FIRST_OPTION,
    SELECT,
    TEL,
    Field,
    Form,
    labelled,
)
from backend.domain import validation

CHECKS = (
    # 验证备案类型 (issue #12): the chat's own question before any order form (steps_verify.py)
    Form(
        "verify",
        ("验证备案类型", "Verify the filing type"),
        "_chat.verify",
        (
            Field("province", ("备案地域（省份）", "Province of the filing"), SELECT, options="provinces"),
            # the rest of 备案地域 (process.md §1.2), as the REST verify takes it: optional codes
            Field(
                "city",
                ("备案地域：城市（6 位区划代码，可不填）", "Filing region: city (6-digit code, optional)"),
                required=False,
                placeholder=("如 440300", "e.g. 440300"),
            ),
            Field(
                "district",
                ("备案地域：区县（6 位区划代码，可不填）", "Filing region: district (6-digit code, optional)"),
                required=False,
                placeholder=("如 440305", "e.g. 440305"),
            ),
            Field(
                "entity_type",
                ("主办者性质", "Entity type"),
                SELECT,
                options=labelled(validation.ENTITY_TYPES, ENTITY_TYPE_LABELS),
                default="personal",
            ),
            Field(
                "certificate_type",
                ("证件类型", "Certificate type"),
                SELECT,
                options=labelled(validation.CERT_TYPES, CERT_TYPE_LABELS),
                default="resident_id",
            ),
            Field(
                "certificate_number",
                ("证件号码", "Certificate number"),
                placeholder=("与域名持有者的实名证件一致", "as on the domain holder's real-name record"),
            ),
            Field(
                "domain",
                ("域名", "Domain"),
                placeholder=("一级域名，例如 example.cn", "apex domain, e.g. example.cn"),
            ),
            Field(
                "nat_ip",
                ("备案云服务（云托管系统 NAT 网关 IP）", "Filing resource (CloudBase Run system NAT gateway IP)"),
                SELECT,
                options="usable_ips",
                default=FIRST_OPTION,
            ),
        ),
        in_payload=False,
        submit_label=("验证", "Verify"),
    ),
    # the form fields readiness finds missing before a strict submit (steps_checklist.py, issue #12)
    Form(
        "checklist",
        ("补充信息", "Missing details"),
        "_chat.checklist",
        (
            Field(
                "certificate_address",
                ("证件住所", "Address on the certificate"),
                placeholder=("与证件上的地址一致", "as printed on the certificate"),
            ),
            Field("investor", ("投资人或主管单位", "Investor or supervising unit")),
            Field("emergency_phone", ("主体负责人应急联系电话", "Entity owner's emergency phone"), TEL),
            Field(
                "remark",
                ("主体备注", "Entity remark"),
                placeholder=("应急联系人姓名及与负责人的关系", "the emergency contact's name and relation"),
            ),
            Field(
                "id_valid_from",
                ("证件有效期起始日期", "ID valid from"),
                DATE,
                placeholder=("YYYY-MM-DD", "YYYY-MM-DD"),
            ),
            Field(
                "id_valid_until",
                ("证件有效期截止日期", "ID valid until"),
                placeholder=("YYYY-MM-DD 或「长期」", "YYYY-MM-DD or 长期"),
            ),
            Field(
                "province_code",
                ("通信地址：省级区划代码", "Address: province code"),
                placeholder=("6 位", "6 digits"),
            ),
            Field("city_code", ("通信地址：市级区划代码", "Address: city code"), placeholder=("6 位", "6 digits")),
            Field(
                "district_code",
                ("通信地址：区县区划代码", "Address: district code"),
                placeholder=("6 位", "6 digits"),
            ),
            Field("street", ("通信地址：街道门牌", "Address: street and number")),
            Field(
                "languages",
                ("网站语言（代码，逗号分隔）", "Website languages (codes, comma-separated)"),
                placeholder=("1 = 中文简体", "1 = Simplified Chinese"),
            ),
        ),
        in_payload=False,
        submit_label=("保存", "Save"),
    ),
)
