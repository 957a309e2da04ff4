"""One mobile, one entity (domain.md §7 "a mobile number belongs to one entity only", process.md §2.7;
T39, T45): a mobile the order names that is already the 主体负责人's mobile of another entity on
record is refused at entry ("checked at entry where possible: a 422 at once beats a rejection days
later"). The bureau's MOBILE_SHARED_WITH_OTHER_ENTITY (review.py) keeps the same rule for what
entry could not know: an entity put on record while the order waited.

`problems(payload, records, record)` gives (path, code, zh message) triples like forms_rules;
`record` is the entity on record the order is about (新增网站 carries no entity form). Entities
with the order's own certificate number are the order's own entity, not another one.
"""

from backend.domain import forms_people, validation
from backend.domain.filings import ACTIVE, Records, same_text

SHARED_ZH = "该手机号码已被其他备案主体使用，一个手机号码只能属于一个备案主体，请更换为本人名下未用于其他主体备案的号码"


def problems(payload: dict, records: Records, record: dict | None = None) -> list[tuple[str, str, str]]:
    entity = payload.get("entity") if isinstance(payload.get("entity"), dict) else record
    own_cert = (entity or {}).get("certificate_number") if isinstance(entity, dict) else None
    own_id = (record or {}).get("id") if isinstance(record, dict) else None
    if not str(own_cert or "").strip() and not own_id:
        return []  # whose entity this is is not known yet (a change's partial form): nothing to compare with
    taken = set()
    for other in records.entities.values():
        if other.get("status") != ACTIVE or (own_id and other.get("id") == own_id):
            continue
        if str(own_cert or "").strip() and same_text(other.get("certificate_number"), own_cert):
            continue
        taken.add(validation.normalize_mobile((other.get("responsible") or {}).get("mobile")))
    taken.discard(None)
    out = []
    for prefix, person in forms_people.people(payload):
        if prefix is None or prefix == "entity":
            continue  # the record's own owner; a personal entity's mobile is its responsible's
        if validation.normalize_mobile(person.get("mobile")) in taken:
            out.append((f"{prefix}.mobile", "MOBILE_SHARED_WITH_OTHER_ENTITY", SHARED_ZH))
    return out
