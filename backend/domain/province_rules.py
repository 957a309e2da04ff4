"""Province rules that change the flow (process.md §8), as data: `data/province_rules.csv`, one row
per province keyed by its code in `provinces.csv`. Sources disagree in places (marked in the CSV);
the simulator takes Tencent's own FAQ (T37, T39) first, so each row is a default, not the law.

- entity_owner: `lr` the 主体负责人 must be the legal representative; `lr_or_auth` another person
  with a 法定代表人授权书; `any` another person allowed.
- website_owner_auth: a 网站负责人 who is not the legal representative needs an authorisation letter.
- one_site_per_order: one website per order (Hubei, Hunan, Henan).
- local_mobile: `all` every mobile of the order local; `personal` only for personal entities.
- office_phone_differs: the office phone must not be the owner's mobile (Beijing, Liaoning, Jilin).
- office_phone_landline: an organisation's office phone is required and must be a landline (Jiangsu).
- office_mobile_remark: an organisation's office phone given as a mobile needs a remark saying so
  (主体备注 for the 主体负责人's, 网站备注 for a 网站负责人's: Tianjin, Chongqing, Gansu; process.md
  §2.1, T37).
- emergency_remark: the 应急联系人 is a third person (an organisation's) or a close relative (a
  person's), named with the relation in the remark of the form holding that 负责人 (Tianjin:
  process.md §2.1, §2.3 网站备注, §8, J2-Tianjin).
- extra_documents: material slots this province adds (`;`-separated); `establishment_approval`
  (编办证明 / 事业单位网站开办审核申请表) only for government bodies and institutions.
- website_owner_one_entity: a 网站负责人 may not appear in any other entity on record, in any role
  (Chongqing, J2-Chongqing); elsewhere only as another entity's 网站负责人 (process.md §2.3, T39).
- non_lr_owner_runs_sites: a 主体负责人 who is not the legal representative must be the owner of
  every website too (Jiangsu, Anhui: process.md §8, T37, H2); order_rules.py checks it.
- construction_plan_sites: an organisation whose websites (on record + this order's new ones)
  reach this many uploads a 网站建设方案书 (Shanghai ≥ 30, Guangdong > 30: process.md §3.1, §8).
- renewed_licence: what an organisation on record under its pre-三证合一 organisation code does
  when it verifies with its new USCC (process.md §1.3, T36): `new_licence` the old number + the new
  licence, then a change filing; `old_document` the old number + a valid old-number document;
  `by_kind` (Jiangsu) the first for an access filing, the second for a new website; empty: change
  the record at the old provider first.
- max_new_domains: at most this many new domains per order (Shanxi 3: process.md §8, H2); empty none.
- one_site_from_sites: `personal;organisation` — an entity with at least that many websites on
  record files new websites one per order, i.e. one domain (Jiangxi 7;15: process.md §8, J2-Jiangxi,
  H2); empty: never.
- address_same_city: the 通信地址 lies in the city of the 证件住所 (Hebei, Henan, Guizhou: process.md
  §2.1, §8, H2 "通讯地址与证件住址不可跨市"); addresses.py checks it.
- foreign_lr_delegates: a legal representative who is `foreign` (Hebei) or `non_mainland` (also HK,
  Macau, Taiwan: Shanxi) authorises another person as 主体负责人 (process.md §3.3, §8 [T38, H2]);
  legal_reps.py checks it.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

_CSV = Path(__file__).parent / "data" / "province_rules.csv"
OWNER_RULES = ("lr", "lr_or_auth", "any")


@dataclass(frozen=True)
class ProvinceRules:
    code: str
    entity_owner: str
    website_owner_auth: bool
    one_site_per_order: bool
    local_mobile: str  # "" | "all" | "personal"
    office_phone_differs: bool
    extra_documents: tuple
    office_phone_landline: bool = False
    website_owner_one_entity: bool = False
    non_lr_owner_runs_sites: bool = False
    max_new_domains: int = 0  # 0: no limit
    construction_plan_sites: int = 0  # 0: never
    renewed_licence: str = ""
    office_mobile_remark: bool = False
    emergency_remark: bool = False
    one_site_from_sites: tuple = ()  # (personal, organisation) thresholds; (): none
    address_same_city: bool = False
    foreign_lr_delegates: str = ""  # "" | "foreign" | "non_mainland"


def _row(row) -> ProvinceRules:
    assert row["entity_owner"] in OWNER_RULES, row
    return ProvinceRules(
        code=row["code"],
        entity_owner=row["entity_owner"],
        website_owner_auth=row["website_owner_auth"] == "yes",
        one_site_per_order=row["one_site_per_order"] == "yes",
        local_mobile=row["local_mobile"] or "",
        office_phone_differs=row["office_phone_differs"] == "yes",
        extra_documents=tuple(d for d in row["extra_documents"].split(";") if d),
        office_phone_landline=row["office_phone_landline"] == "yes",
        website_owner_one_entity=row["website_owner_one_entity"] == "yes",
        non_lr_owner_runs_sites=row["non_lr_owner_runs_sites"] == "yes",
        max_new_domains=int(row["max_new_domains"] or 0),
        construction_plan_sites=int(row["construction_plan_sites"] or 0),
        renewed_licence=row["renewed_licence"] or "",
        office_mobile_remark=row["office_mobile_remark"] == "yes",
        emergency_remark=row["emergency_remark"] == "yes",
        one_site_from_sites=tuple(int(n) for n in row["one_site_from_sites"].split(";") if n),
        address_same_city=row["address_same_city"] == "yes",
        foreign_lr_delegates=row["foreign_lr_delegates"] or "",
    )


def _load():
    with _CSV.open(encoding="utf-8") as f:
        return {row["code"]: _row(row) for row in csv.DictReader(f)}


RULES = _load()
DEFAULT = ProvinceRules("", "any", False, False, "", False, ())


def get(code) -> ProvinceRules:
    """The rules of a province (2-digit code); unknown: none of them."""
    return RULES.get(str(code or "")[:2], DEFAULT)
