"""The forms of a new filing (entity, responsible, websites) and of an access filing
(the record at the other provider, the website brought to Tencent). Part of FORMS (form_table.py)."""

from backend.chat.form_model import (
    BOOL,
    CERT_TYPE_LABELS,
    DATE,
    EMAIL,
    ENTITY_TYPE_LABELS,
    FIRST_OPTION,
    MULTI,
    SELECT,
    SERVICE_CONTENT_LABELS,
    TEL,
    Field,
    Form,
    labelled,
)
from backend.domain import limits, validation

REMARK_HINT = (f"可不填，最多 {limits.MAX_REMARK} 个字符", f"optional, up to {limits.MAX_REMARK} characters")

FILING = (
    Form(
        "entity",
        ("主体信息", "Entity (主体)"),
        "entity",
        (
            Field(
                "type",
                ("主体性质", "Entity type"),
                SELECT,
                options=labelled(validation.ENTITY_TYPES, ENTITY_TYPE_LABELS),
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
                options=labelled(validation.CERT_TYPES, CERT_TYPE_LABELS),
                default="resident_id",
            ),
            Field(
                "certificate_number",
                ("证件号码", "Certificate number"),
                placeholder=("18 位居民身份证号码或统一社会信用代码", "18-digit ID or credit code"),
            ),
            Field("province", ("主体所在省份", "Province"), SELECT, options="provinces"),
            Field(
                "certificate_address",
                ("证件住所", "Address on the certificate"),
                required=False,
                placeholder=("与证件上的地址一致（提交前须填写）", "as printed on the certificate (needed to submit)"),
            ),
            Field(
                "address",
                ("通信地址", "Postal address"),
                placeholder=("省、市、区（县）、街道及门牌号", "province, city, district, street and number"),
            ),
            Field(
                "investor",
                ("投资人或主管单位", "Investor or supervising unit"),
                required=False,
                placeholder=("个人免填；单位填法定代表人或主管单位", "a person: empty; else legal rep or parent body"),
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
            Field("remark", ("主体备注", "Entity remark"), required=False, placeholder=REMARK_HINT),
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
                options=labelled(validation.PERSON_CERT_TYPES, CERT_TYPE_LABELS),
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
                "homepage_url",
                ("网站首页地址", "Homepage URL"),
                required=False,
                placeholder=("在该域名上，例如 https://www.example.cn/", "on the domain, e.g. https://www.example.cn/"),
            ),
            Field(
                "service_content",
                ("网站服务内容", "Service content"),
                MULTI,
                options=labelled(validation.SERVICE_CONTENTS, SERVICE_CONTENT_LABELS),
                default=["blog"],
            ),
            Field("commercial", ("是否经营性网站", "Commercial (经营性) site"), BOOL, required=False, default=False),
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
            Field("remark", ("网站备注", "Website remark"), required=False, placeholder=REMARK_HINT),
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
            Field("domain", ("已备案的网站域名", "Domain on record"), placeholder=("须与备案信息一致", "as on record")),
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
)
