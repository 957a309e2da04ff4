"""The documents the simulator keeps, with their declared shape and one constructor each.

The store (backend/store/tx.py) keeps each as JSON in its sandbox's collections; these
TypedDicts say which keys a document has, and the constructors below are the only
places a new one is built — an order (`new_application`), an entity or a website put on
record (`new_entity`, `new_website`, whether by an approval or by seeding the national
registry), a timer (`new_timer`) and a conversation (`new_conversation`).
"""

from typing import Any, TypedDict

from backend.domain.filings import ACTIVE, filing_type


class Person(TypedDict, total=False):
    name: str
    certificate_type: str
    certificate_number: str
    mobile: str
    email: str


class Entity(TypedDict, total=False):
    id: str
    name: str
    type: str  # personal | enterprise | …
    certificate_type: str
    certificate_number: str
    province: str  # 2-digit code
    address: str | None
    number: str  # 粤ICP备2026012345号
    status: str  # active | cancelled
    account: str  # self (this account) | external | another account
    responsible: Person | None
    max_site_index: int  # the highest -n ever issued (numbers are never reissued)
    filed_at: str
    access_providers: list[str]
    seeded: bool
    changed_at: str
    revoked_at: str
    revoked_by: str
    certificate_address: str
    investor: str
    remark: str


class Website(TypedDict, total=False):
    id: str
    entity_id: str
    name: str
    domain: str
    extra_domains: list[str]  # older filings carried several domains
    removed_domains: list[str]
    number: str  # 粤ICP备2026012345号-1
    site_index: int
    status: str  # active | cancelled
    nat_ip: str | None
    former_nat_ip: str | None
    filing_type: str  # cloudbase_run | cvm
    access_providers: list[str]
    service_content: str | list[str] | None
    homepage_url: str
    remark: str
    filed_at: str
    responsible: Person | None
    seeded: bool
    accessed_at: str
    changed_at: str
    access_cancelled_at: str
    revoked_at: str
    revoked_by: str


class Sms(TypedDict, total=False):
    code: str
    sent_at: str
    wrong: int
    recipients: list[str]
    lost: bool  # fault injection: the code never arrived


class Application(TypedDict, total=False):
    id: str
    kind: str
    state: str  # a state of the workflow table
    version: int
    created_at: str
    updated_at: str
    submitted_at: str
    payload: dict[str, Any]
    attempt: int  # submissions so far (seeds the RNG of each stage)
    audit_data: list[dict[str, Any]]
    entity_id: str
    target: dict[str, Any]  # {entity_id, website_ids}: the records the order is about
    province: str | None
    contacts: list[dict[str, Any]]
    sms: Sms
    result: dict[str, Any]  # numbers issued, kept or revoked on approval


class Timer(TypedDict, total=False):
    id: str
    app_id: str
    name: str
    state: str  # the application's state and version it expects (a stale delivery does nothing)
    version: int
    due: float  # virtual epoch seconds
    due_at: str
    mode: str  # progress | deadline
    failed: bool
    error: str
    failed_at: str


class Conversation(TypedDict, total=False):
    id: str | None
    locale: str
    step: str | None
    stack: list[str]
    kind: str | None
    answers: dict[str, Any]
    form_errors: dict[str, Any]
    return_to_confirm: bool
    application_id: str | None
    app_version: int | None
    accepts: dict[str, Any]
    seq: int
    created_at: str
    updated_at: str


def new_application(app_id: str, kind: str, created_at: str, payload: dict[str, Any]) -> Application:
    """A new order, before its first move (workflow's `create` makes it a draft, version 1)."""
    return Application(id=app_id, kind=kind, created_at=created_at, payload=payload, attempt=0, audit_data=[])


def new_entity(
    entity_id: str,
    data: dict[str, Any],
    *,
    number: str,
    province: str,
    account: str,
    access_providers: list[str],
    filed_at: str,
    address: str | None = None,
    seeded: bool = False,
) -> Entity:
    """An entity put on record; `data` carries its name, type and certificate as filed."""
    entity = Entity(
        id=entity_id,
        name=data["name"],
        type=data["type"],
        certificate_type=data["certificate_type"],
        certificate_number=data["certificate_number"],
        province=province,
        number=number,
        status=ACTIVE,
        account=account,
        responsible=data.get("responsible"),
        max_site_index=0,
        filed_at=filed_at,
        access_providers=list(access_providers),
    )
    if address is not None:
        entity["address"] = address
    for extra in ENTITY_FORM_EXTRAS:  # the real forms' fields (issue #12), on the record when filed
        if data.get(extra):
            entity[extra] = data[extra]  # type: ignore[literal-required]
    if seeded:
        entity["seeded"] = True
    return entity


ENTITY_FORM_EXTRAS = (
    "icp_licence_number",
    "mailing_address",
    "legal_representative",
    "certificate_address",  # 证件住所, 投资人或主管单位, 主体备注 (process.md §2.1)
    "investor",
    "remark",
)
WEBSITE_FORM_EXTRAS = ("homepage_url", "remark")  # 网站首页地址, 网站备注 (§2.3)


def new_website(
    website_id: str,
    site: dict[str, Any],
    *,
    entity_id: str,
    number: str,
    site_index: int,
    access_providers: list[str],
    filed_at: str,
    responsible: Person | None,
    seeded: bool = False,
) -> Website:
    """A website put on record under its entity; `site` is the website as filed (name, domain,
    nat_ip, filing_type, service_content, extra_domains). Without a filing type it is 云托管
    when it has a NAT IP, another cloud service otherwise."""
    doc = Website(
        id=website_id,
        entity_id=entity_id,
        name=site["name"],
        domain=site["domain"],
        number=number,
        site_index=site_index,
        status=ACTIVE,
        nat_ip=site.get("nat_ip"),
        filing_type=site.get("filing_type") or filing_type(site),
        access_providers=list(access_providers),
        service_content=site.get("service_content"),
        filed_at=filed_at,
        responsible=responsible,
    )
    if site.get("extra_domains"):
        doc["extra_domains"] = list(site["extra_domains"])
    for extra in WEBSITE_FORM_EXTRAS:  # the real forms' fields, on the record when filed
        if site.get(extra):
            doc[extra] = site[extra]  # type: ignore[literal-required]
    if seeded:
        doc["seeded"] = True
    return doc


def new_timer(timer_id: str, app: Application, name: str, due: float, due_at: str, mode: str) -> Timer:
    """A timer of the application's current state and version."""
    return Timer(
        id=timer_id,
        app_id=app["id"],
        name=name,
        state=app["state"],
        version=app["version"],
        due=due,
        due_at=due_at,
        mode=mode,
    )


def new_conversation(locale: str) -> Conversation:
    """A conversation before its first step (chat/engine.py gives it an id and starts it)."""
    return Conversation(
        id=None,
        locale=locale,
        step=None,
        stack=[],
        kind=None,
        answers={},
        form_errors={},
        return_to_confirm=False,
        application_id=None,
        app_version=None,
        accepts={"type": "none"},
        seq=0,
    )
