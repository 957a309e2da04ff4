"""手机号归属地 (process.md §2.7, §8): Jiangsu and Tianjin want every 负责人's mobile to be a local
number, Hunan its personal entities' (province_rules.csv `local_mobile`); the real form refuses a
number from elsewhere at entry.

icpsim has no number-range table. A number's home province comes from the sandbox's own number
registry (settings `mobile_registry`: {mobile: province}), sandbox data like the domain registry and
the national registry; a number the registry does not know counts as local.
"""

from backend.domain import province_rules, provinces, validation


def registry(raw: dict | None) -> dict[str, str]:
    """{normalised mobile: 2-digit province code} of the setting (entries it cannot read are left out)."""
    out = {}
    for mobile, province in (raw or {}).items():
        number = validation.normalize_mobile(mobile)
        try:
            code = provinces.normalize(province)
        except Exception:  # the setting's schema checks it; a stale entry just counts as unknown
            continue
        if number:
            out[number] = code
    return out


def home(mobile: object, known: dict[str, str]) -> str | None:
    """The province a mobile belongs to, or None when the registry does not know it."""
    return known.get(validation.normalize_mobile(mobile) or "")


def rule_for(province: object, entity_type: object) -> str | None:
    """The province's locality rule for this entity ("all" / "personal"), None when none applies."""
    try:
        code = provinces.normalize(province)
    except Exception:
        return None
    rule = province_rules.get(code).local_mobile
    if rule == "all" or (rule == "personal" and entity_type == "personal"):
        return rule
    return None


def _people(payload: dict):
    """(path, person) of every 负责人 an order's payload gives."""
    ent = payload.get("entity")
    if isinstance(ent, dict) and isinstance(ent.get("responsible"), dict):
        yield "entity.responsible", ent["responsible"]
    for i, site in enumerate(payload.get("websites") or []):
        if isinstance(site, dict) and isinstance(site.get("responsible"), dict):
            yield f"websites.{i}.responsible", site["responsible"]


def problems(payload: dict, record: dict | None, known: dict[str, str]) -> list[tuple[str, str, str]]:
    """(path, code, message) for each mobile the entity's province wants local and is not. The entity
    is the payload's (a new entity) over the one on record (changes and new websites)."""
    given = payload.get("entity")
    entity = {**(record or {}), **(given if isinstance(given, dict) else {})}
    try:
        province = provinces.normalize(entity.get("province"))
    except Exception:
        return []
    rule = rule_for(province, entity.get("type"))
    if rule is None:
        return []
    name = provinces.get(province).name
    who = "个人备案的负责人" if rule == "personal" else "负责人"
    out = []
    for path, person in _people(payload):
        found = home(person.get("mobile"), known)
        if found is not None and found != province:
            out.append(
                (
                    f"{path}.mobile",
                    "MOBILE_NOT_LOCAL",
                    f"{name}要求{who}使用本省手机号码：{person.get('mobile')} 的归属地为"
                    f"{provinces.get(found).name}，请更换为{name}的手机号码",
                )
            )
    return out
