"""A legal representative who is not a mainland citizen (process.md §3.3, §8 [T38, H2]): in Hebei a
foreign legal representative authorises a Chinese citizen as 主体负责人, and a foreigner cannot file
as a person; in Shanxi a foreign or Hong Kong / Macau / Taiwan legal representative authorises a
holder of a mainland resident ID. The person so authorised needs the 授权书 (materials.py).

The province's rule is province_rules.csv `foreign_lr_delegates`: `foreign` (Hebei) or
`non_mainland` (Shanxi). The legal representative is `legal_representative` (its optional
`certificate_type`, default resident_id), else the 主体负责人.

Pure: no Flask, Redis or RQ.
"""

from backend.domain.filings import same_text

FOREIGN = frozenset({"passport", "foreign_permanent_id"})
NON_MAINLAND = FOREIGN | {"hk_macao_permit", "taiwan_permit", "hk_macao_residence_permit", "taiwan_residence_permit"}
_WHO = {"foreign": "外籍人士", "non_mainland": "外籍人士或港澳台居民"}
_DELEGATE = {"foreign": "中国公民", "non_mainland": "持中国内地居民身份证的人员"}


def _rep(entity: dict) -> dict:
    rep = entity.get("legal_representative")
    return rep if isinstance(rep, dict) else entity.get("responsible") or {}


def delegates(entity: dict, rules) -> bool:
    """Whether this organisation's legal representative must hand the 主体负责人 role to another person."""
    rule = rules.foreign_lr_delegates
    if not rule or entity.get("type") in (None, "", "personal"):
        return False
    kind = _rep(entity).get("certificate_type") or "resident_id"
    return kind in (FOREIGN if rule == "foreign" else NON_MAINLAND)


def _may_delegate_to(person: dict, rule: str) -> bool:
    kind = person.get("certificate_type") or "resident_id"
    return kind not in FOREIGN if rule == "foreign" else kind == "resident_id"


def problems(entity: dict, rules) -> list[tuple[str, str, str]]:
    rule = rules.foreign_lr_delegates
    if not rule:
        return []
    if entity.get("type") == "personal":
        if rule == "foreign" and entity.get("certificate_type") in FOREIGN:
            return [("entity.certificate_type", "FOREIGN_PERSONAL_REFUSED", "本省不受理外籍人士的个人备案")]
        return []
    if not delegates(entity, rules):
        return []
    given = entity.get("responsible")
    owner: dict = given if isinstance(given, dict) else {}
    message = f"本省法定代表人为{_WHO[rule]}的，须授权{_DELEGATE[rule]}担任主体负责人（并提供主体负责人授权书）"
    rep = entity.get("legal_representative")
    if not isinstance(rep, dict) or same_text(rep.get("certificate_number"), owner.get("certificate_number")):
        return [("entity.responsible", "OWNER_NEEDS_DELEGATE", message)]
    if not _may_delegate_to(owner, rule):
        return [("entity.responsible.certificate_type", "OWNER_NEEDS_DELEGATE", message)]
    return []
