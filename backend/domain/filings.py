"""The filings on record (the national registry), read-only, and what a precondition finds.

Pure: a `Records` snapshot of entities and websites (what MIIT's query would show,
cancelled ones included), the keys two domains or numbers are compared by, and
`Resolution`, what a kind's precondition resolved an order to.
"""

from dataclasses import dataclass, field

from backend.domain import numbering, provinces, validation

ACTIVE = "active"
TENCENT = "tencent"
FILING_TYPES = ("cloudbase_run", "cvm")  # 云托管, or another Tencent cloud service (e.g. CVM)
WEBSITE_REFS = ("website_id", "website_number", "domain")

# -- the national registry, read-only ---------------------------------------------------


def domain_key(domain: object) -> str | None:
    """The form two domains are compared in: lowercase punycode, no trailing dot."""
    return validation.domain_ascii(domain) if isinstance(domain, str) and domain.strip() else None


def number_key(number: object) -> str | None:
    """A record number as MIIT prints it, or None when it does not parse."""
    try:
        return numbering.parse(number)["normalized"]
    except (numbering.InvalidNumber, TypeError, AttributeError):
        return None


def website_domains(website: dict) -> list[str]:
    """Every domain of a website on record: its domain, then any older extra domains
    (filings made before the one-domain-per-website rule may carry several)."""
    out = [website.get("domain")] + list(website.get("extra_domains") or [])
    return [d for d in out if isinstance(d, str) and d]


def is_active_site(website: dict, entities: dict) -> bool:
    """On record today: the website is active and so is its entity (`entities`: id → entity)."""
    return website.get("status") == ACTIVE and (entities.get(website.get("entity_id")) or {}).get("status") == ACTIVE


def active_sites(entities: dict, websites: list[dict]) -> list[dict]:
    """The websites on record today, active under an active entity — what MIIT's query shows,
    the gateway serves, the NAT IP quota counts and the preconditions look up."""
    return [w for w in websites if is_active_site(w, entities)]


def filing_type(website: dict) -> str:
    """How a website on record is filed at Tencent: 云托管 with a NAT IP, or another cloud service."""
    return website.get("filing_type") or ("cloudbase_run" if website.get("nat_ip") else "cvm")


def same_text(a: object, b: object) -> bool:
    return str(a or "").strip().upper() == str(b or "").strip().upper()


def org_code_of(certificate: object) -> str:
    """The 9-character organisation code a certificate number stands for: a USCC embeds it at
    positions 9–17 (三证合一, GB 32100-2015); an organisation code is itself (hyphen dropped)."""
    text = str(certificate or "").strip().upper().replace("-", "")
    return text[8:17] if len(text) == 18 else text if len(text) == 9 else ""


def same_organisation(a: object, b: object) -> bool:
    """One certificate number, or a USCC and the pre-三证合一 organisation code it embeds (never two blanks)."""
    if not str(a or "").strip() or not str(b or "").strip():
        return False
    if same_text(a, b):
        return True
    ta, tb = (str(x or "").strip().replace("-", "") for x in (a, b))
    return {len(ta), len(tb)} == {9, 18} and org_code_of(ta) == org_code_of(tb) != ""


def province_code(value: object) -> str | None:
    try:
        return provinces.normalize(value)
    except Exception:  # unknown: entry validation reports it
        return None


class Records:
    """Entities and websites on record (what MIIT's query would show, cancelled ones included)."""

    def __init__(self, entities: list[dict], websites: list[dict]) -> None:
        self.entities = {e["id"]: e for e in entities}
        self.websites = list(websites)

    def entity(self, entity_id: str) -> dict | None:
        e = self.entities.get(entity_id)
        return e if e and e.get("status") == ACTIVE else None

    def own(self) -> dict | None:
        """The account's entity: one entity per account."""
        return next(
            (e for e in self.entities.values() if e.get("status") == ACTIVE and e.get("account") == "self"), None
        )

    def by_number(self, number: object) -> dict | None:
        key = number_key(number)
        return next(
            (
                e
                for e in self.entities.values()
                if e.get("status") == ACTIVE and key and number_key(e.get("number")) == key
            ),
            None,
        )

    def by_old_org_code(self, uscc: object) -> dict | None:
        """An active entity on record under the organisation code a USCC embeds (pre-三证合一)."""
        code = org_code_of(uscc) if len(str(uscc or "").strip()) == 18 else ""
        return next(
            (
                e
                for e in self.entities.values()
                if code
                and e.get("status") == ACTIVE
                and e.get("certificate_type") == "org_code"
                and org_code_of(e.get("certificate_number")) == code
            ),
            None,
        )

    def by_certificate(self, certificate_number: object) -> dict | None:
        return next(
            (
                e
                for e in self.entities.values()
                if e.get("status") == ACTIVE and same_text(e.get("certificate_number"), certificate_number)
            ),
            None,
        )

    def sites(self, entity_id: str | None = None) -> list[dict]:
        """Active websites under active entities (of one entity when given)."""
        return [
            w
            for w in active_sites(self.entities, self.websites)
            if entity_id is None or w.get("entity_id") == entity_id
        ]

    def site_with_domain(self, domain: object) -> dict | None:
        key = domain_key(domain)
        return next((w for w in self.sites() if key and key in map(domain_key, website_domains(w))), None)

    def find_site(self, ref: dict, entity_id: str | None = None) -> dict | None:
        """The active website a reference names: {website_id | website_number | domain}."""
        sites = self.sites(entity_id)
        if ref.get("website_id"):
            return next((w for w in sites if w["id"] == ref["website_id"]), None)
        if ref.get("website_number"):
            key = number_key(ref["website_number"])
            return next((w for w in sites if key and number_key(w.get("number")) == key), None)
        key = domain_key(ref.get("domain"))
        return next((w for w in sites if key and key in map(domain_key, website_domains(w))), None)


@dataclass
class Resolution:
    """What a precondition found: the records the order is about and its normalized payload."""

    payload: dict
    entity_id: str | None = None
    website_ids: list = field(default_factory=list)
    province: str | None = None
    contacts: list = field(default_factory=list)  # [{"role": "entity"|"website", name, mobile, email}]

    def target(self) -> dict:
        return {"entity_id": self.entity_id, "website_ids": list(self.website_ids)}


def merge_changes(base: dict | None, changes: dict | None) -> dict:
    """`base` with `changes` on top, nested dicts merged (a None value is kept, not a deletion:
    unlike the RFC 7396 merge patch of an order's edit, applications.merge). The contacts an
    order predicts and the record its approval writes (effects) are both computed with it."""
    out = dict(base or {})
    for k, v in (changes or {}).items():
        out[k] = merge_changes(out.get(k), v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out
