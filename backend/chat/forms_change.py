"""The forms of changes (only what is filled in changes; change_filing first asks what changes)
and of cancellations (they name what they cancel). Part of FORMS (form_table.py)."""

from backend.chat.form_model import (
    BOOL,
    CERT_TYPE_LABELS,
    EMAIL,
    FIRST_OPTION,
    MULTI,
    PICK,
    SELECT,
    SERVICE_CONTENT_LABELS,
    TEL,
    Field,
    Form,
    labelled,
)
from backend.chat.paths import get_path
from backend.domain import validation


def _site_on_record(name):
    """A website change field's default: its value on record for the website the form names (the
    conversation keeps the filing a change started from at `_chat.record`; steps_filings.py)."""

    def derive(answers):
        sites = get_path(answers, "_chat.record.sites") or {}
        return (sites.get(get_path(answers, "websites.0.website_id")) or {}).get(name)

    return derive


def _on_record(path):
    """An entity change field's default: its value on record (`_chat.record.entity…`)."""
    return "_chat.record.entity." + path


# what both website changes (the kind's own form and a change filing's) ask first: one definition
_SITE_CHANGE_FIELDS = (
    Field("website_id", ("要变更的网站", "Website"), SELECT, options="own_websites", default=FIRST_OPTION),
    Field(
        "name",
        ("新的网站名称", "New name"),
        required=False,
        placeholder=("不变更请留空", "empty: unchanged"),
        derive=_site_on_record("name"),
    ),
    Field(
        "service_content",
        ("新的服务内容", "New service content"),
        MULTI,
        required=False,
        options=labelled(validation.SERVICE_CONTENTS, SERVICE_CONTENT_LABELS),
        derive=_site_on_record("service_content"),
    ),
    Field(
        "homepage_url",
        ("新的网站首页地址", "New homepage URL"),
        required=False,
        placeholder=("不变更请留空；须在该网站的域名上", "empty: unchanged; on the website's domain"),
        derive=_site_on_record("homepage_url"),
    ),
    Field(
        "remark",
        ("新的网站备注", "New website remark"),
        required=False,
        placeholder=("不变更请留空", "empty: unchanged"),
        derive=_site_on_record("remark"),
    ),
)

CHANGES = (
    # changes: only what is filled in changes
    Form(
        "change_website",
        ("变更网站", "Website change"),
        "websites.0",
        (
            *_SITE_CHANGE_FIELDS,
            Field(
                "filing_type",
                ("改用的云服务", "Switch the filing to"),
                SELECT,
                required=False,
                options=(("cloudbase_run", ("云托管", "CloudBase Run")),),
            ),
            Field("nat_ip", ("新的备案 IP", "New filing IP"), SELECT, required=False, options="usable_ips"),
        ),
        partial=True,
    ),
    # the website's domains a change removes (a website keeps one): asked when it has several
    Form(
        "remove_domains",
        ("要删除的域名", "Domains to remove"),
        "websites.0",
        (
            Field(
                "remove_domains",
                ("要删除的域名", "Domains to remove"),
                MULTI,
                required=False,
                options="site_domains",
            ),
        ),
        ask=PICK,
        partial=True,
        submit_label=("完成", "Done"),
        keep_one=(
            "网站至少要保留一个域名；不再使用该网站的，请办理「注销网站」",
            "A website keeps at least one domain; to stop using it, cancel the website",
        ),
    ),
    # change_filing: what changes (the chat's own question), then only the forms of what was chosen
    Form(
        "change_what",
        ("变更内容", "What to change"),
        "_chat.change",
        (
            Field(
                "entity",
                ("主体信息（名称、通信地址）", "The entity (name, postal address)"),
                BOOL,
                required=False,
                derive=lambda answers: any(k != "responsible" for k in get_path(answers, "entity") or {}),
            ),
            Field(
                "responsible",
                ("主体负责人（手机号码、电子邮箱）", "The person responsible (mobile, e-mail)"),
                BOOL,
                required=False,
                derive=lambda answers: bool(get_path(answers, "entity.responsible")),
            ),
            Field(
                "website",
                (
                    "网站（名称、服务内容、网站负责人、域名）",
                    "A website (name, content, its responsible person, domains)",
                ),
                BOOL,
                required=False,
                derive=lambda answers: bool(get_path(answers, "websites")),
            ),
        ),
        partial=True,
        in_payload=False,
        need_one=("请至少选择一项要变更的内容", "Choose at least one thing to change"),
    ),
    Form(
        "entity_change",
        ("主体信息变更", "Entity change"),
        "entity",
        (
            Field(
                "name",
                ("新的主办者名称", "New name"),
                required=False,
                placeholder=("不变更请留空", "empty: unchanged"),
                default_from=_on_record("name"),
            ),
            Field(
                "address",
                ("新的通信地址", "New postal address"),
                required=False,
                placeholder=("不变更请留空", "empty: unchanged"),
                default_from=_on_record("address"),
            ),
            *(
                Field(
                    name,
                    (f"新的{zh}", f"New {en}"),
                    required=False,
                    placeholder=("不变更请留空", "empty: unchanged"),
                    default_from=_on_record(name),
                )
                for name, zh, en in (
                    ("certificate_address", "证件住所", "address on the certificate"),
                    ("investor", "投资人或主管单位", "investor or supervising unit"),
                    ("remark", "主体备注", "entity remark"),
                )
            ),
        ),
        partial=True,
    ),
    Form(
        "responsible_change",
        ("负责人信息变更", "Responsible person change"),
        "entity.responsible",
        (
            Field(
                "mobile",
                ("新的手机号码", "New mobile number"),
                TEL,
                required=False,
                pattern=r"^1[3-9]\d{9}$",
                placeholder=("不变更请留空", "empty: unchanged"),
                default_from=_on_record("responsible.mobile"),
            ),
            Field(
                "email",
                ("新的电子邮箱", "New e-mail"),
                EMAIL,
                required=False,
                placeholder=("不变更请留空", "empty: unchanged"),
                default_from=_on_record("responsible.email"),
            ),
        ),
        partial=True,
    ),
    Form(
        "site_change",
        ("网站信息变更", "Website change"),
        "websites.0",
        (*_SITE_CHANGE_FIELDS,),
        partial=True,
    ),
    Form(
        "site_responsible_change",
        ("网站负责人变更", "The website's responsible person"),
        "websites.0.responsible",
        (
            Field(
                "name",
                ("新的网站负责人姓名", "New name"),
                required=False,
                placeholder=("不变更请留空", "empty: unchanged"),
            ),
            Field(
                "certificate_type",
                ("负责人证件类型", "Certificate type"),
                SELECT,
                required=False,
                options=labelled(validation.PERSON_CERT_TYPES, CERT_TYPE_LABELS),
            ),
            Field(
                "certificate_number",
                ("负责人证件号码", "Certificate number"),
                required=False,
                placeholder=("不变更请留空", "empty: unchanged"),
            ),
            Field(
                "mobile",
                ("新的手机号码", "New mobile number"),
                TEL,
                required=False,
                pattern=r"^1[3-9]\d{9}$",
                placeholder=("不变更请留空", "empty: unchanged"),
            ),
            Field(
                "email",
                ("新的电子邮箱", "New e-mail"),
                EMAIL,
                required=False,
                placeholder=("不变更请留空", "empty: unchanged"),
            ),
        ),
        partial=True,
    ),
)


CANCELLATIONS = (
    # cancellations name what they cancel
    Form(
        "cancel_site",
        ("注销或取消接入的网站", "Website"),
        "",
        (
            Field("website_id", ("网站", "Website"), SELECT, options="own_websites", default=FIRST_OPTION),
            Field("reason", ("原因", "Reason"), required=False),
        ),
    ),
    Form(
        "cancel_entity",
        ("注销主体", "Entity to cancel"),
        "",
        (
            Field(
                "entity_number",
                ("主体备案号", "Entity filing number"),
                SELECT,
                options="own_entity",
                default=FIRST_OPTION,
            ),
            Field("reason", ("原因", "Reason"), required=False),
        ),
    ),
)
