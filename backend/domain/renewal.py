"""Auto-renewal (自动续费) of the fixtures a demo or a class starts with.

A resource pack or domain marked `auto_renew` never runs out under a sandbox clock that
races ahead: whenever less than `RENEW_DAYS` is left on the virtual today, it reads as
renewed to today + RENEW_DAYS. Applied on read (never stored), so the stored document
keeps the dates it was created with and the renewal follows any clock move, even a year.
"""

from datetime import date, timedelta

RENEW_DAYS = 365


def renewed(doc: dict, today: date, field: str = "expires_on") -> dict:
    if not doc.get("auto_renew") or not doc.get(field):
        return doc
    floor = (today + timedelta(days=RENEW_DAYS)).isoformat()
    return doc if doc[field] >= floor else dict(doc, **{field: floor})


def renewed_all(docs: list, today: date, field: str = "expires_on") -> list:
    return [renewed(d, today, field) for d in docs]
