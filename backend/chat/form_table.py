"""The forms of the conversation, and which forms each application kind asks, as data.

(chat/answers.py answers one form, chat/screens.py walks a flow's forms; chat/forms.py
re-exports all three under the one name the steps use.)

A `Form` is a group of fields stored at one `path` of the application payload
("entity", "entity.responsible", "websites.0"). A `Flow` lists the forms one kind
asks, in order. Adding a kind to the chat = adding its `Flow` (and any new `Form`)
here; its rules stay in the services (`applications.check` / `create`), which the
chat calls for every answer. Kinds without a flow, or not in `kinds.IMPLEMENTED`,
are offered but answered with a KIND_NOT_AVAILABLE notice.

A form's `path` "" puts its fields at the top of the payload (e.g. `entity_number` of an
access filing). A field whose `default` is FIRST_OPTION starts on its first option (the first
usable filing IP); a select without a default starts empty.

Screens. What the chat asks one at a time is a *screen*: a form, or a copy of a repeatable
form (`repeat`: "website" at websites.0, "website.1" at websites.1, … — an organisation files
up to 10 websites in one order), or a *pick* (`ask=PICK`: the one MULTI field of the form asked
as quick replies, each choice toggling one option, 完成 ending — the domains a change removes).
A flow's `when` asks a form only when a condition on the answers holds (what a change_filing
changes); a pick with nothing to choose from is not asked. `screens()` lists the screens that
apply to the answers, in order; `prune()` drops the answers of the screens that do not.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from backend.chat.paths import get_path
from backend.domain import validation

TEXT, SELECT, DATE, BOOL, TEL, EMAIL, MULTI = "text", "select", "date", "bool", "tel", "email", "multi"
FIELD_TYPES = (TEXT, SELECT, DATE, BOOL, TEL, EMAIL, MULTI)  # MULTI: a list of options (a pick's field)
FIRST_OPTION = "<first option>"
FORM, PICK = "form", "pick"  # how a screen is asked: a form message, or toggling quick replies

# labels of the domain's codes (validation.ENTITY_TYPES, CERT_TYPES, SERVICE_CONTENTS)
ENTITY_TYPE_LABELS = {
    "personal": ("个人", "Individual"),
    "enterprise": ("企业", "Enterprise"),
    "government": ("政府机关", "Government body"),
    "institution": ("事业单位", "Public institution"),
    "social_org": ("社会团体", "Social organisation"),
    "private_non_enterprise": ("民办非企业单位", "Private non-enterprise unit"),
    "foundation": ("基金会", "Foundation"),
    "law_firm": ("律师执业机构", "Law firm"),
}
CERT_TYPE_LABELS = {
    "resident_id": ("居民身份证", "Resident ID card"),
    "passport": ("护照", "Passport"),
    "hk_macao_permit": ("港澳居民来往内地通行证", "Mainland travel permit (HK/Macao)"),
    "taiwan_permit": ("台湾居民来往大陆通行证", "Mainland travel permit (Taiwan)"),
    "foreign_permanent_id": ("外国人永久居留身份证", "Foreigner's permanent residence ID"),
    "uscc": ("统一社会信用代码证书", "Unified social credit code"),
    "org_code": ("组织机构代码证", "Organisation code certificate"),
}
SERVICE_CONTENT_LABELS = {
    "blog": ("博客/个人空间", "Blog / personal site"),
    "enterprise_site": ("企业官网", "Company site"),
    "portal": ("综合门户", "Portal"),
    "ecommerce": ("网上购物", "E-commerce"),
    "news": ("新闻", "News"),
    "publishing": ("网络出版", "Online publishing"),
    "drugs_medical": ("药品和医疗器械", "Drugs and medical devices"),
    "culture": ("网络文化", "Online culture"),
    "radio_film_tv": ("广播电影电视节目", "Radio, film and TV"),
    "finance": ("金融", "Finance"),
    "ride_hailing": ("网络预约车", "Ride-hailing"),
    "games": ("网络游戏", "Games"),
    "education": ("教育", "Education"),
    "other": ("其他", "Other"),
}


@dataclass(frozen=True)
class Field:
    name: str  # key inside the form's path
    label: tuple  # (zh, en)
    type: str = TEXT
    required: bool = True
    options: object = ()  # ((value, (zh, en)), ...) or the name of a source in OPTION_SOURCES
    placeholder: tuple = ("", "")
    pattern: str | None = None
    default: object = None
    # a default copied from another answer, only when `when` (path, value) holds
    default_from: str | None = None
    when: tuple | None = None
    # a default read off the answers (e.g. an order's payload loaded after a rejection)
    derive: Callable | None = None


@dataclass(frozen=True)
class Form:
    id: str
    title: tuple
    path: str  # where the values live in the payload
    fields: tuple
    fixed: dict = field(default_factory=dict)  # values set with every answer (not asked)
    submit_label: tuple = ("下一步", "Next")
    ask: str = FORM  # PICK: its one MULTI field as toggling quick replies
    repeat: bool = False  # path "<list>.0"; copy i lives at "<list>.i" (screen "<id>.i")
    # a change: empty fields change nothing (a later screen inside its path may still bring the change)
    partial: bool = False
    in_payload: bool = True  # False: the chat's own question (stored under "_chat"), not part of the order
    need_one: tuple = ()  # (zh, en) said when no bool field (or no option of a pick) is chosen
    keep_one: tuple = ()  # a pick: (zh, en) said when every option would be chosen
    more: tuple = ()  # a repeatable form: (zh, en) question "another one?" ({n} answered, {max} allowed)

    def field(self, name):
        return next((f for f in self.fields if f.name == name), None)

    @property
    def list_path(self):
        """A repeatable form's list ("websites")."""
        return self.path.rsplit(".", 1)[0]

    def copy(self, i):
        """Copy i of a repeatable form (copy 0 is the form itself)."""
        if not i:
            return self
        zh, en = self.title
        return dataclasses.replace(
            self, path=f"{self.list_path}.{i}", title=(f"{zh}（第 {i + 1} 个）", f"{en} #{i + 1}")
        )


@dataclass(frozen=True)
class Flow:
    kind: str
    forms: tuple  # form ids, in the order they are asked
    needs_ip: bool = True  # the kind files a website on a 云托管 IP: eligibility required
    when: tuple = ()  # ((form id, condition(ctx, answers)), ...): the form is asked only when it holds

    def condition(self, form_id):
        return next((c for f, c in self.when if f == form_id), None)


def _labelled(codes, labels):
    return tuple((code, labels[code]) for code in codes)


FORMS = {
    f.id: f
    for f in (
        Form(
            "entity",
            ("主体信息", "Entity (主体)"),
            "entity",
            (
                Field(
                    "type",
                    ("主体性质", "Entity type"),
                    SELECT,
                    options=_labelled(validation.ENTITY_TYPES, ENTITY_TYPE_LABELS),
                    default="personal",
                ),
                Field(
                    "name",
                    ("主办单位或主办人名称", "Name of the person or organisation"),
                    placeholder=("个人填写本人姓名", "a person writes their own name"),
                ),
                Field(
                    "certificate_type",
                    ("证件类型", "Certificate type"),
                    SELECT,
                    options=_labelled(validation.CERT_TYPES, CERT_TYPE_LABELS),
                    default="resident_id",
                ),
                Field(
                    "certificate_number",
                    ("证件号码", "Certificate number"),
                    placeholder=("18 位居民身份证号码或统一社会信用代码", "18-digit ID or credit code"),
                ),
                Field("province", ("主体所在省份", "Province"), SELECT, options="provinces"),
                Field(
                    "address",
                    ("通信地址", "Postal address"),
                    placeholder=("省、市、区（县）、街道及门牌号", "province, city, district, street and number"),
                ),
                Field(
                    "residence_permit",
                    ("是否持有本省居住证", "Holds a local residence permit"),
                    BOOL,
                    required=False,
                    default=False,
                ),
                Field(
                    "id_valid_until",
                    ("证件有效期至", "Certificate valid until"),
                    DATE,
                    required=False,
                    placeholder=("YYYY-MM-DD，长期有效可不填", "YYYY-MM-DD; empty if permanent"),
                ),
            ),
        ),
        Form(
            "responsible",
            ("主体负责人", "Person responsible for the entity"),
            "entity.responsible",
            (
                Field("name", ("负责人姓名", "Name"), default_from="entity.name", when=("entity.type", "personal")),
                Field(
                    "certificate_type",
                    ("负责人证件类型", "Certificate type"),
                    SELECT,
                    options=_labelled(validation.PERSON_CERT_TYPES, CERT_TYPE_LABELS),
                    default="resident_id",
                    default_from="entity.certificate_type",
                    when=("entity.type", "personal"),
                ),
                Field(
                    "certificate_number",
                    ("负责人证件号码", "Certificate number"),
                    default_from="entity.certificate_number",
                    when=("entity.type", "personal"),
                ),
                Field(
                    "mobile",
                    ("手机号码", "Mobile number"),
                    TEL,
                    pattern=r"^1[3-9]\d{9}$",
                    placeholder=("接收工信部短信核验码", "receives MIIT's verification SMS"),
                ),
                Field("email", ("电子邮箱", "E-mail"), EMAIL, placeholder=("name@example.com", "name@example.com")),
            ),
        ),
        Form(
            "website",
            ("网站信息", "Website"),
            "websites.0",
            (
                Field(
                    "name",
                    ("网站名称", "Website name"),
                    placeholder=("不少于 3 个汉字，例如“张三的个人博客”", "3+ Chinese characters, e.g. 张三的个人博客"),
                ),
                Field(
                    "domain",
                    ("网站域名", "Domain"),
                    placeholder=("一级域名，例如 example.cn", "apex domain, e.g. example.cn"),
                ),
                Field(
                    "service_content",
                    ("网站服务内容", "Service content"),
                    SELECT,
                    options=_labelled(validation.SERVICE_CONTENTS, SERVICE_CONTENT_LABELS),
                    default="blog",
                ),
                Field(
                    "commercial", ("是否经营性网站", "Commercial (经营性) site"), BOOL, required=False, default=False
                ),
                Field(
                    "pre_approval_number",
                    ("前置审批文号", "Pre-approval document number"),
                    required=False,
                    placeholder=("新闻、出版、金融等内容须填写", "needed for news, publishing, finance, …"),
                ),
                Field(
                    "nat_ip",
                    ("备案 IP（云托管系统 NAT 网关）", "Filing IP (system NAT gateway)"),
                    SELECT,
                    options="usable_ips",
                    default=FIRST_OPTION,
                ),
            ),
            fixed={"filing_type": "cloudbase_run"},
            repeat=True,
            more=(
                "已填写 {n} 个网站（组织备案每个订单最多 {max} 个）。再添加一个网站？",
                "{n} website(s) so far (an organisation files up to {max} per order). Add another website?",
            ),
        ),
        # access filing: the record at the other provider, and the website to bring to Tencent
        Form(
            "access",
            ("已有备案", "The existing filing"),
            "",
            (
                Field(
                    "entity_number",
                    ("主体备案号", "Entity filing number"),
                    placeholder=(
                        "在其他接入商处取得的主体备案号，例如 粤ICP备19000123号",
                        "the number from the other provider, e.g. 粤ICP备19000123号",
                    ),
                ),
            ),
        ),
        Form(
            "access_website",
            ("接入的网站", "Website to bring to Tencent"),
            "websites.0",
            (
                Field(
                    "domain", ("已备案的网站域名", "Domain on record"), placeholder=("须与备案信息一致", "as on record")
                ),
                Field(
                    "nat_ip",
                    ("备案 IP（云托管系统 NAT 网关）", "Filing IP (system NAT gateway)"),
                    SELECT,
                    options="usable_ips",
                    default=FIRST_OPTION,
                ),
            ),
            fixed={"filing_type": "cloudbase_run"},
        ),
        # changes: only what is filled in changes
        Form(
            "change_website",
            ("变更网站", "Website change"),
            "websites.0",
            (
                Field("website_id", ("要变更的网站", "Website"), SELECT, options="own_websites", default=FIRST_OPTION),
                Field(
                    "name",
                    ("新的网站名称", "New name"),
                    required=False,
                    placeholder=("不变更请留空", "empty: unchanged"),
                ),
                Field(
                    "service_content",
                    ("新的服务内容", "New service content"),
                    SELECT,
                    required=False,
                    options=_labelled(validation.SERVICE_CONTENTS, SERVICE_CONTENT_LABELS),
                ),
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
                ),
                Field(
                    "address",
                    ("新的通信地址", "New postal address"),
                    required=False,
                    placeholder=("不变更请留空", "empty: unchanged"),
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
        Form(
            "site_change",
            ("网站信息变更", "Website change"),
            "websites.0",
            (
                Field("website_id", ("要变更的网站", "Website"), SELECT, options="own_websites", default=FIRST_OPTION),
                Field(
                    "name",
                    ("新的网站名称", "New name"),
                    required=False,
                    placeholder=("不变更请留空", "empty: unchanged"),
                ),
                Field(
                    "service_content",
                    ("新的服务内容", "New service content"),
                    SELECT,
                    required=False,
                    options=_labelled(validation.SERVICE_CONTENTS, SERVICE_CONTENT_LABELS),
                ),
            ),
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
                    options=_labelled(validation.PERSON_CERT_TYPES, CERT_TYPE_LABELS),
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
        # 验证备案类型 (issue #12): the chat's own question before any order form (steps_verify.py)
        Form(
            "verify",
            ("验证备案类型", "Verify the filing type"),
            "_chat.verify",
            (
                Field("province", ("备案地域（省份）", "Province of the filing"), SELECT, options="provinces"),
                Field(
                    "entity_type",
                    ("主办者性质", "Entity type"),
                    SELECT,
                    options=_labelled(validation.ENTITY_TYPES, ENTITY_TYPE_LABELS),
                    default="personal",
                ),
                Field(
                    "certificate_type",
                    ("证件类型", "Certificate type"),
                    SELECT,
                    options=_labelled(validation.CERT_TYPES, CERT_TYPE_LABELS),
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
                Field("emergency_phone", ("主体负责人应急联系电话", "Entity owner's emergency phone"), TEL),
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
}
