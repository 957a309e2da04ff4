"""What the provider reviewer and the bureau decide when their timer fires.

The review rules of domain.md §7 decide (domain.review); the sandbox's seed adds
an optional random rejection rate (setting `random_rejection_rate`, default 0),
drawn from the seeded RNG so the same inputs always give the same outcome.
"""

from backend.domain import review
from backend.domain.materials import MATERIAL_KINDS
from backend.domain.rng import rng
from backend.services import faults, materials, world

RANDOM_REJECTION = {
    "code": "RANDOM_REVIEW_REJECTION",
    "field": "entity",
    "key_name": "主体信息",
    "error": "审核人员认为材料不清晰（模拟的随机驳回）",
    "suggest": "请核对信息后重新提交",
}


def context(tx, app):
    return review.ReviewContext(
        today=world.today(tx),
        domains={d["name"]: d for d in world.domains(tx)},
        entities=tx.all("entities"),
        websites=tx.all("websites"),
        own_entity_id=app.get("entity_id"),
        settings=world.settings(tx),
        materials=_uploads(tx, app),
        seed=world.seed(tx),
    )


def _uploads(tx, app):
    """The order's uploads of its required slots, in slot order (the reviewer judges these)."""
    if app.get("kind") not in MATERIAL_KINDS:
        return {}
    have = {d["slot"]: d for d in tx.all(materials.COLLECTION) if d["app_id"] == app["id"]}
    return {s.key: have[s.key] for s in materials.slots(tx, app) if s.key in have}


def decide(tx, app, stage):
    """('approve' | 'reject', audit_data) for stage 'provider' or 'bureau'.

    Fault-injection rules come first (first match wins): a forced outcome skips the review."""
    forced = faults.decision(tx, app, stage)
    if forced is not None:
        return forced
    audit = review.review(stage, app, context(tx, app))
    rate = float(world.settings(tx).get("random_rejection_rate", 0))
    if not audit and rate > 0 and rng(world.seed(tx), app["id"], stage, app["attempt"]).random() < rate:
        audit = [dict(RANDOM_REJECTION)]
    return ("reject" if audit else "approve"), audit
