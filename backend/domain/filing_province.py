"""Where an entity may file (process.md §1.2, §8): an organisation in the province of its
certificate (a USCC's division digits), a person in the province of their resident ID, or in
another province only where that bureau accepts non-local IDs (`provinces.csv`
`nonlocal_personal_id`: `refused`, or `residence_permit` with a local residence permit).

One rule for 验证备案类型 (before any form), entry validation (create, edit, submit) and the
provider's review, so the three never disagree. Settings it reads: `strict_nonlocal_id`
(default true: a `refused` province refuses even with a permit) and `province_overrides`.
"""

from backend.domain import divisions, identity_checks as ids, provinces

NEW_ENTITY_PARTS = ("new",)  # a kind whose payload carries a whole entity (KindSpec.payload.entity)


def province_of(value, settings: dict | None = None) -> provinces.Province | None:
    """The province a field names, with the sandbox's overrides; None when it names none."""
    try:
        province = provinces.get(provinces.normalize(value))
    except Exception:  # unknown or missing: entry validation reports it
        return None
    return provinces.with_overrides(province, (settings or {}).get("province_overrides"))


def strict(settings: dict | None) -> bool:
    return bool((settings or {}).get("strict_nonlocal_id", True))


def _name(code: str) -> str:
    try:
        return provinces.get(code).name
    except Exception:  # 71/81/82/83: HK, Macao and Taiwan residents' IDs
        return "身份证所在地"


def problems(entity: dict, province, *, strict: bool = True, need_permit: bool = False) -> list[tuple[str, str]]:
    """(code, zh message) when `entity` may not file in `province` (a Province or None).

    `need_permit`: a non-local ID in a province that accepts it must declare the residence
    permit (the form's `residence_permit`); verification asks before the form, so it does not."""
    if province is None or not isinstance(entity, dict):
        return []
    number = str(entity.get("certificate_number") or "")
    if entity.get("type") == "personal":
        if entity.get("certificate_type") != "resident_id" or ids.check_resident_id(number):
            return []
        home = ids.id_province(number)
        if home == province.code:
            return []
        if province.nonlocal_personal_id == "refused" and strict:
            return [
                (
                    "NONLOCAL_PERSONAL_ID",
                    f"{province.name}不受理外省居民身份证办理个人备案，请在身份证所在省份（{_name(home)}）备案",
                )
            ]
        if need_permit and entity.get("residence_permit") is not True:
            return [("NONLOCAL_PERSONAL_ID", f"外省居民身份证在{province.name}备案须持有当地居住证")]
        return []
    if entity.get("type") in (None, "") or entity.get("certificate_type") != "uscc" or ids.check_uscc(number):
        return []
    issued_in = ids.uscc_province(number)
    # centrally registered bodies carry 100000: no province to compare with
    if ids.is_province_code(issued_in) and issued_in != province.code:
        return [
            (
                "ORG_PROVINCE_MISMATCH",
                f"单位主体须在证件登记地所在省份备案：该统一社会信用代码由{_name(issued_in)}的登记机关颁发，"
                f"备案地域请选择{_name(issued_in)}",
            )
        ]
    return []


def region_problems(entity: dict, province, city, district, *, strict: bool = True) -> list[tuple[str, str, str]]:
    """(field, code, zh message) when a person names a city / district (验证备案类型's 备案地域,
    process.md §1.2) other than their resident ID's (its digits 1–4 / 1–6) in their ID's own
    province whose bureau takes no non-local IDs: there the region is the ID's. A province that
    takes non-local IDs accepts another city (the residence permit is declared on the form); an
    ID whose division code is no longer in the table (a renamed or merged one) is not compared."""
    if province is None or not isinstance(entity, dict) or entity.get("type") != "personal":
        return []
    number = str(entity.get("certificate_number") or "")
    if entity.get("certificate_type") != "resident_id" or ids.check_resident_id(number):
        return []
    if ids.id_province(number) != province.code or not (province.nonlocal_personal_id == "refused" and strict):
        return []
    id_city, id_district = number[:4] + "00", number[:6]
    if city and divisions.contains(province.code + "0000", id_city) and city != id_city:
        return [("city", "NONLOCAL_PERSONAL_ID", _not_id_region(province, id_city))]
    if district and city == id_city and divisions.contains(id_city, id_district) and district != id_district:
        return [("district", "NONLOCAL_PERSONAL_ID", _not_id_region(province, id_district))]
    return []


def _not_id_region(province, code: str) -> str:
    return f"{province.name}个人备案的备案地域须为身份证所在地（{divisions.name(code)}），不受理异地身份证"


def entry_problems(spec, payload: dict, settings: dict | None) -> list[tuple[str, str, str]]:
    """(path, code, message) of an order's new entity (first filing, new website elsewhere) that may
    not file where it says: refused at entry, not a working day later at review. The 通信地址 lies
    in the region chosen at verification, so its city/district meet `region_problems` too."""
    entity = payload.get("entity")
    if spec is None or spec.payload.entity not in NEW_ENTITY_PARTS or not isinstance(entity, dict):
        return []
    province = province_of(entity.get("province"), settings)
    found = problems(entity, province, strict=strict(settings))
    if found:
        return [("entity.province", code, message) for code, message in found]
    address = entity.get("mailing_address")
    if not isinstance(address, dict) or str(address.get("province_code") or "")[:2] != getattr(province, "code", None):
        return []  # an address outside the province: forms_rules says so
    city, district = address.get("city_code"), address.get("district_code")
    region = region_problems(entity, province, city, district, strict=strict(settings))
    return [(f"entity.mailing_address.{part}_code", code, message) for part, code, message in region]
