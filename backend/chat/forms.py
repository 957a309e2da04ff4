"""The forms of the conversation, and which forms each application kind asks, as data.

A `Form` is a group of fields stored at one `path` of the application payload
("entity", "entity.responsible", "websites.0"). A `Flow` lists the forms one kind
asks, in order. Adding a kind to the chat = adding its `Flow` (and any new `Form`)
here; its rules stay in the services (`applications.check` / `create`), which the
chat calls for every answer. Kinds without a flow, or not in `kinds.IMPLEMENTED`,
are offered but answered with a KIND_NOT_AVAILABLE notice.

A form's `path` "" puts its fields at the top of the payload (e.g. `entity_number` of an
access filing). A field whose `default` is FIRST_OPTION starts on its first option (the first
usable filing IP); a select without a default starts empty.
"""
from dataclasses import dataclass, field

from backend.domain import provinces, scenarios, validation
from backend.chat.texts import pick

TEXT, SELECT, DATE, BOOL, TEL, EMAIL = "text", "select", "date", "bool", "tel", "email"
FIELD_TYPES = (TEXT, SELECT, DATE, BOOL, TEL, EMAIL)
FIRST_OPTION = "<first option>"

# labels of the domain's codes (validation.ENTITY_TYPES, CERT_TYPES, SERVICE_CONTENTS)
ENTITY_TYPE_LABELS = {
    "personal": ("个人", "Individual"), "enterprise": ("企业", "Enterprise"),
    "government": ("政府机关", "Government body"), "institution": ("事业单位", "Public institution"),
    "social_org": ("社会团体", "Social organisation"),
    "private_non_enterprise": ("民办非企业单位", "Private non-enterprise unit"),
    "foundation": ("基金会", "Foundation"), "law_firm": ("律师执业机构", "Law firm"),
}
CERT_TYPE_LABELS = {
    "resident_id": ("居民身份证", "Resident ID card"), "passport": ("护照", "Passport"),
    "hk_macao_permit": ("港澳居民来往内地通行证", "Mainland travel permit (HK/Macao)"),
    "taiwan_permit": ("台湾居民来往大陆通行证", "Mainland travel permit (Taiwan)"),
    "foreign_permanent_id": ("外国人永久居留身份证", "Foreigner's permanent residence ID"),
    "uscc": ("统一社会信用代码证书", "Unified social credit code"),
    "org_code": ("组织机构代码证", "Organisation code certificate"),
}
SERVICE_CONTENT_LABELS = {
    "blog": ("博客/个人空间", "Blog / personal site"), "enterprise_site": ("企业官网", "Company site"),
    "portal": ("综合门户", "Portal"), "ecommerce": ("网上购物", "E-commerce"), "news": ("新闻", "News"),
    "publishing": ("网络出版", "Online publishing"), "drugs_medical": ("药品和医疗器械", "Drugs and medical devices"),
    "culture": ("网络文化", "Online culture"), "radio_film_tv": ("广播电影电视节目", "Radio, film and TV"),
    "finance": ("金融", "Finance"), "ride_hailing": ("网络预约车", "Ride-hailing"), "games": ("网络游戏", "Games"),
    "education": ("教育", "Education"), "other": ("其他", "Other"),
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


@dataclass(frozen=True)
class Form:
    id: str
    title: tuple
    path: str  # where the values live in the payload
    fields: tuple
    fixed: dict = field(default_factory=dict)  # values set with every answer (not asked)
    submit_label: tuple = ("下一步", "Next")

    def field(self, name):
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Flow:
    kind: str
    forms: tuple  # form ids, in the order they are asked
    needs_ip: bool = True  # the kind files a website on a 云托管 IP: eligibility required


def _labelled(codes, labels):
    return tuple((code, labels[code]) for code in codes)


FORMS = {f.id: f for f in (
    Form("entity", ("主体信息", "Entity (主体)"), "entity", (
        Field("type", ("主体性质", "Entity type"), SELECT,
              options=_labelled(validation.ENTITY_TYPES, ENTITY_TYPE_LABELS), default="personal"),
        Field("name", ("主办单位或主办人名称", "Name of the person or organisation"),
              placeholder=("个人填写本人姓名", "a person writes their own name")),
        Field("certificate_type", ("证件类型", "Certificate type"), SELECT,
              options=_labelled(validation.CERT_TYPES, CERT_TYPE_LABELS), default="resident_id"),
        Field("certificate_number", ("证件号码", "Certificate number"),
              placeholder=("18 位居民身份证号码或统一社会信用代码", "18-digit ID or credit code")),
        Field("province", ("主体所在省份", "Province"), SELECT, options="provinces"),
        Field("address", ("通信地址", "Postal address"),
              placeholder=("省、市、区（县）、街道及门牌号", "province, city, district, street and number")),
        Field("residence_permit", ("是否持有本省居住证", "Holds a local residence permit"), BOOL,
              required=False, default=False),
        Field("id_valid_until", ("证件有效期至", "Certificate valid until"), DATE, required=False,
              placeholder=("YYYY-MM-DD，长期有效可不填", "YYYY-MM-DD; empty if permanent")),
    )),
    Form("responsible", ("主体负责人", "Person responsible for the entity"), "entity.responsible", (
        Field("name", ("负责人姓名", "Name"), default_from="entity.name", when=("entity.type", "personal")),
        Field("certificate_type", ("负责人证件类型", "Certificate type"), SELECT,
              options=_labelled(validation.PERSON_CERT_TYPES, CERT_TYPE_LABELS), default="resident_id",
              default_from="entity.certificate_type", when=("entity.type", "personal")),
        Field("certificate_number", ("负责人证件号码", "Certificate number"),
              default_from="entity.certificate_number", when=("entity.type", "personal")),
        Field("mobile", ("手机号码", "Mobile number"), TEL, pattern=r"^1[3-9]\d{9}$",
              placeholder=("接收工信部短信核验码", "receives MIIT's verification SMS")),
        Field("email", ("电子邮箱", "E-mail"), EMAIL, placeholder=("name@example.com", "name@example.com")),
    )),
    Form("website", ("网站信息", "Website"), "websites.0", (
        Field("name", ("网站名称", "Website name"),
              placeholder=("不少于 3 个汉字，例如“张三的个人博客”", "3+ Chinese characters, e.g. 张三的个人博客")),
        Field("domain", ("网站域名", "Domain"), placeholder=("一级域名，例如 example.cn", "apex domain, e.g. example.cn")),
        Field("service_content", ("网站服务内容", "Service content"), SELECT,
              options=_labelled(validation.SERVICE_CONTENTS, SERVICE_CONTENT_LABELS), default="blog"),
        Field("commercial", ("是否经营性网站", "Commercial (经营性) site"), BOOL, required=False, default=False),
        Field("pre_approval_number", ("前置审批文号", "Pre-approval document number"), required=False,
              placeholder=("新闻、出版、金融等内容须填写", "needed for news, publishing, finance, …")),
        Field("nat_ip", ("备案 IP（云托管系统 NAT 网关）", "Filing IP (system NAT gateway)"), SELECT,
              options="usable_ips", default=FIRST_OPTION),
    ), fixed={"filing_type": "cloudbase_run"}),
    # access filing: the record at the other provider, and the website to bring to Tencent
    Form("access", ("已有备案", "The existing filing"), "", (
        Field("entity_number", ("主体备案号", "Entity filing number"),
              placeholder=("在其他接入商处取得的主体备案号，例如 粤ICP备19000123号",
                           "the number from the other provider, e.g. 粤ICP备19000123号")),
    )),
    Form("access_website", ("接入的网站", "Website to bring to Tencent"), "websites.0", (
        Field("domain", ("已备案的网站域名", "Domain on record"),
              placeholder=("须与备案信息一致", "as on record")),
        Field("nat_ip", ("备案 IP（云托管系统 NAT 网关）", "Filing IP (system NAT gateway)"), SELECT,
              options="usable_ips", default=FIRST_OPTION),
    ), fixed={"filing_type": "cloudbase_run"}),
    # changes: only what is filled in changes
    Form("change_website", ("变更网站", "Website change"), "websites.0", (
        Field("website_id", ("要变更的网站", "Website"), SELECT, options="own_websites", default=FIRST_OPTION),
        Field("name", ("新的网站名称", "New name"), required=False, placeholder=("不变更请留空", "empty: unchanged")),
        Field("service_content", ("新的服务内容", "New service content"), SELECT, required=False,
              options=_labelled(validation.SERVICE_CONTENTS, SERVICE_CONTENT_LABELS)),
        Field("filing_type", ("改用的云服务", "Switch the filing to"), SELECT, required=False,
              options=(("cloudbase_run", ("云托管", "CloudBase Run")),)),
        Field("nat_ip", ("新的备案 IP", "New filing IP"), SELECT, required=False, options="usable_ips"),
    )),
    Form("entity_change", ("主体信息变更", "Entity change"), "entity", (
        Field("name", ("新的主办者名称", "New name"), required=False, placeholder=("不变更请留空", "empty: unchanged")),
        Field("address", ("新的通信地址", "New postal address"), required=False,
              placeholder=("不变更请留空", "empty: unchanged")),
    )),
    Form("responsible_change", ("负责人信息变更", "Responsible person change"), "entity.responsible", (
        Field("mobile", ("新的手机号码", "New mobile number"), TEL, required=False, pattern=r"^1[3-9]\d{9}$",
              placeholder=("不变更请留空", "empty: unchanged")),
        Field("email", ("新的电子邮箱", "New e-mail"), EMAIL, required=False,
              placeholder=("不变更请留空", "empty: unchanged")),
    )),
    # cancellations name what they cancel
    Form("cancel_site", ("注销或取消接入的网站", "Website"), "", (
        Field("website_id", ("网站", "Website"), SELECT, options="own_websites", default=FIRST_OPTION),
        Field("reason", ("原因", "Reason"), required=False),
    )),
    Form("cancel_entity", ("注销主体", "Entity to cancel"), "", (
        Field("entity_number", ("主体备案号", "Entity filing number"), SELECT, options="own_entity",
              default=FIRST_OPTION),
        Field("reason", ("原因", "Reason"), required=False),
    )),
)}

FLOWS = {f.kind: f for f in (
    Flow("first_filing", ("entity", "responsible", "website")),
    Flow("access_filing", ("access", "access_website")),
    Flow("add_website", ("website",)),
    Flow("add_website_external", ("entity", "responsible", "website")),
    Flow("change_filing", ("entity_change", "responsible_change"), needs_ip=False),
    Flow("change_website", ("change_website",), needs_ip=False),
    Flow("cancel_entity", ("cancel_entity",), needs_ip=False),
    Flow("cancel_website", ("cancel_site",), needs_ip=False),
    Flow("cancel_access", ("cancel_site",), needs_ip=False),
)}


# -- option sources: choices that depend on the sandbox -----------------------------

def _province_options(ctx):
    return [(p.code, (p.name, p.name)) for p in provinces.all_provinces()]


def _ip_options(ctx):
    return [(row["ip"], (f"{row['ip']}（剩余 {row['slots_left']} 次）", f"{row['ip']} ({row['slots_left']} left)"))
            for row in ctx.eligibility()["usable_ips"]]


def _own_website_options(ctx):
    """The account's websites accessed at Tencent (what a change or a cancellation names)."""
    records = ctx.records()
    own = records.own()
    sites = [w for w in records.sites(own["id"]) if scenarios.TENCENT in (w.get("access_providers") or [])] if own else []
    return [(w["id"], (f"{w['name']}（{w['domain']}，{w['number']}）", f"{w['name']} ({w['domain']}, {w['number']})"))
            for w in sites]


def _own_entity_options(ctx):
    own = ctx.records().own()
    return [(own["number"], (f"{own['name']}（{own['number']}）", f"{own['name']} ({own['number']})"))] if own else []


OPTION_SOURCES = {"provinces": _province_options, "usable_ips": _ip_options,
                  "own_websites": _own_website_options, "own_entity": _own_entity_options}


# -- paths in a nested payload -------------------------------------------------------

def _key(part):
    return int(part) if part.isdigit() else part


def get_path(data, path, default=None):
    if path == "":
        return data
    node = data
    for part in path.split("."):
        key = _key(part)
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            return default
    return node


def set_path(data, path, value):
    """Set a dict (creating dicts and lists on the way); returns data. Path "": the whole dict."""
    if path == "":
        data.clear()
        data.update(value)
        return data
    parts = [_key(p) for p in path.split(".")]
    node = data
    for part, nxt in zip(parts, parts[1:]):
        empty = [] if isinstance(nxt, int) else {}
        if isinstance(node, list):
            while len(node) <= part:
                node.append({} if not isinstance(nxt, int) else [])
            if not isinstance(node[part], (dict, list)):
                node[part] = empty
            node = node[part]
        else:
            if not isinstance(node.get(part), (dict, list)):
                node[part] = empty
            node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        while len(node) <= last:
            node.append({})
        node[last] = value
    else:
        node[last] = value
    return data


# -- a form against the answers ---------------------------------------------------------

def options(ctx, fld):
    source = OPTION_SOURCES[fld.options](ctx) if isinstance(fld.options, str) else fld.options
    return [{"value": value, "label": pick(ctx.locale, label)} for value, label in source]


def default(ctx, fld, answers):
    if fld.default_from and (fld.when is None or get_path(answers, fld.when[0]) == fld.when[1]):
        value = get_path(answers, fld.default_from)
        if value is not None:
            return value
    if fld.default == FIRST_OPTION:
        first = options(ctx, fld)
        return first[0]["value"] if first else None
    return fld.default


def current(ctx, form, answers):
    """{field: value} shown in the form: the answer given, or the default."""
    stored = get_path(answers, form.path) or {}
    return {f.name: stored[f.name] if f.name in stored else default(ctx, f, answers) for f in form.fields}


def render(ctx, form, answers, errors=None):
    """The `form` object of a form message (fields with types, options, values, errors)."""
    values = current(ctx, form, answers)
    errors = errors or {}
    fields = []
    for f in form.fields:
        item = {"name": f.name, "label": pick(ctx.locale, f.label), "type": f.type, "required": f.required,
                "value": values[f.name]}
        if f.type == SELECT:
            item["options"] = options(ctx, f)
        if f.pattern:
            item["pattern"] = f.pattern
        if pick(ctx.locale, f.placeholder):
            item["placeholder"] = pick(ctx.locale, f.placeholder)
        if errors.get(f.name):
            item["error"] = "；".join(errors[f.name])
        fields.append(item)
    out = {"id": form.id, "title": pick(ctx.locale, form.title), "fields": fields,
           "submit_label": pick(ctx.locale, form.submit_label)}
    if errors.get("_form"):
        out["error"] = "；".join(errors["_form"])
    return out


_TRUE = {"true", "1", "yes", "y", "是", "对"}
_FALSE = {"false", "0", "no", "n", "否", "不是", ""}


def coerce(fld, value):
    """A typed-in answer as the payload wants it; anything odd is kept for the validators to name."""
    if isinstance(value, str):
        value = value.strip()
        if fld.type == BOOL:
            low = value.lower()
            return True if low in _TRUE else False if low in _FALSE else value
        return value or None
    if fld.type != BOOL and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def absorb(ctx, form, answers, submitted):
    """Answers with a submitted form merged in (fields left out keep what the form showed)."""
    values = current(ctx, form, answers)
    for f in form.fields:
        if f.name in submitted:
            values[f.name] = coerce(f, submitted[f.name])
    record = dict(get_path(answers, form.path) or {})  # keeps what other forms store inside it
    for f in form.fields:
        record.pop(f.name, None)
    record.update({k: v for k, v in values.items() if v is not None})
    record.update(form.fixed)
    return set_path(answers, form.path, record)


def display(ctx, fld, value):
    if value is None or value == "":
        return "—"
    if fld.type == BOOL:
        return pick(ctx.locale, ("是", "yes") if value else ("否", "no"))
    if fld.type == SELECT:
        for opt in options(ctx, fld):
            if opt["value"] == value:
                return opt["label"]
    return str(value)


def summary(ctx, flow, answers):
    """The confirm step's recap: per form, label and shown value."""
    out = []
    for form_id in flow.forms:
        form = FORMS[form_id]
        stored = get_path(answers, form.path) or {}
        out.append({"form": form.id, "title": pick(ctx.locale, form.title),
                    "items": [{"field": f.name, "label": pick(ctx.locale, f.label),
                               "value": display(ctx, f, stored.get(f.name))} for f in form.fields]})
    return out


# -- errors of the services, on the forms -------------------------------------------------

def locate(flow, path):
    """(form id, field name or "_form") of a payload path such as "entity.responsible.mobile";
    None when no form of the flow holds it (e.g. "sms" of an SMS-timeout rejection)."""
    path = path.removeprefix("payload.")
    best = None
    for form_id in flow.forms:
        form = FORMS[form_id]
        if form.path == "":
            head = path.split(".")[0]
            if form.field(head):
                hit = (0, form_id, head)
                best = hit if best is None else best
            continue
        if path == form.path or path.startswith(form.path + "."):
            rest = path[len(form.path) + 1:].split(".")[0] if path != form.path else ""
            hit = (len(form.path), form_id, rest if form.field(rest) else "_form")
        elif form.path.startswith(path + "."):
            hit = (len(path), form_id, "_form")  # e.g. "websites" for the form at websites.0
        else:
            continue
        if best is None or hit[0] > best[0]:
            best = hit
    return None if best is None else (best[1], best[2])


def errors_by_form(flow, errors, keep_unplaced=True):
    """{payload path: [msgs]} -> {form id: {field: [msgs]}}, in the flow's order. Errors no
    form holds go to the first form as a whole (or are dropped with keep_unplaced=False)."""
    out = {}
    for path, messages in errors.items():
        place = locate(flow, path)
        if place is None:
            if not keep_unplaced:
                continue
            place = (flow.forms[0], "_form")
        form_id, name = place
        out.setdefault(form_id, {}).setdefault(name, []).extend(messages)
    return {f: out[f] for f in flow.forms if f in out}


def _pruned(value):
    """Without empty objects: a change form left empty changes nothing."""
    if isinstance(value, dict):
        out = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v != {}}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def payload(flow, answers):
    """The application payload of the flow's answers (fixed values included)."""
    out = {}
    for form_id in flow.forms:
        form = FORMS[form_id]
        record = get_path(answers, form.path)
        if record is None:
            continue
        if form.path == "":
            out.update({k: v for k, v in record.items() if not isinstance(v, (dict, list))})
        else:
            set_path(out, form.path, dict(record))
    return _pruned(out)


def patch(flow, answers, previous):
    """A JSON merge patch turning `previous` into the answers: cleared fields become None
    (lists replace as a whole, so only dict paths need them)."""
    out = payload(flow, answers)
    for form_id in flow.forms:
        form = FORMS[form_id]
        if any(p.isdigit() for p in form.path.split(".")):
            continue
        old = get_path(previous, form.path) or {}
        new = get_path(out, form.path)
        if isinstance(new, dict):
            for name in old:
                if name not in new and form.field(name):
                    new[name] = None
    return out
