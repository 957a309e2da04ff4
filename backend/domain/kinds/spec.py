"""What one application kind is: everything that differs between the nine kinds, in one object.

Every field is required (no defaults): a spec that forgets a part fails when its module is
imported, and `kinds.problems()` (run at import of the registry) checks the parts that name
things declared elsewhere — states, chat forms and texts, approval effects. Every layer
reads the spec: the REST payload schemas (api/schemas.py), entry validation
(domain/payloads.py), preconditions, the workflow's SMS path, review scope, the approval
effects (services/effects.py), the gateway, the chat's forms, texts and status cards.
"""

from collections.abc import Callable
from dataclasses import dataclass

# A payload part's mode: "new" (full data), "changes" (changed fields only), "match"
# (optional, equal to the record), "refs" (websites on record, by reference), None (absent)
PART_MODES = ("new", "changes", "match", "refs", None)
# The order's top-level target: "entity_number" (required), "entity_number?" (optional),
# "website" (a website reference: website_id | website_number | domain), None
REFERENCES = ("entity_number", "entity_number?", "website", None)
SMS_ROLES = ("entity", "website")
BUREAU_DURATIONS = ("filing", "change", "cancel")


@dataclass(frozen=True)
class Payload:
    """The payload's shape; entry validation and the REST schema are built from it."""

    entity: str | None  # "new" | "changes" | "match" | None
    entity_required: bool
    websites: str | None  # "new" | "refs" | "changes" | None
    websites_required: bool
    max_websites: int  # 0 when the payload carries no websites
    reference: str | None  # see REFERENCES
    reason: bool  # takes an optional free-text `reason` (cancellations)
    entity_or_websites: bool  # at least one of `entity` and `websites` must be given
    description: str  # zh-CN, what the order carries (API docs)


@dataclass(frozen=True)
class Approval:
    """What the bureau's approval does, as data the services apply (services/effects.py)."""

    effect: str  # name of the effect in services.effects.APPROVAL_EFFECTS
    zh: str  # what approval does, for docs
    message: str  # outbox text after "已通过管局审核，"; {numbers} issued/kept, {revoked} revoked
    new_entity: bool  # a new entity number is issued (the order files a new entity)
    new_websites: bool  # new website numbers are issued
    adopts_entity: bool  # the entity moves to this account (its address/responsible as given)
    revokes_entity: bool  # the entity's number is revoked with all its websites
    cancellation: bool  # a cancellation: the outbox also says it is done


@dataclass(frozen=True)
class Chat:
    """The kind in the conversation (backend/chat): forms, labels, quotes."""

    en: str  # English name
    seed_quote: str  # the seed's words on when the kind applies (WeChat-facing)
    forms: tuple[str, ...]  # chat form ids (chat/forms.py FORMS), in the order asked
    needs_ip: bool  # files a website on a 云托管 IP: eligibility required first
    asked_when: tuple[tuple[str, str], ...]  # (form id, what was chosen in change_what)
    result_text: str  # chat text code (chat/texts.py TEXTS) of what approval gave


@dataclass(frozen=True)
class KindSpec:
    code: str
    zh: str  # WeChat-facing name
    payload: Payload
    precondition: Callable  # (Records, payload, sms roles) -> Resolution, or raises DomainError
    # files something new (an entity, websites, or their access at Tencent): 验证备案类型's blocking
    # checks (process.md §1.4) apply at create and submit too, whether or not verify was called
    new_filing: bool
    sms_to: tuple[str, ...]  # whose phones get MIIT's code: "entity" and/or "website"; () none
    bureau_duration: str  # key into the durations: "filing" | "change" | "cancel"
    approved_zh: str  # what 已完成 means for this kind
    approval: Approval
    served_early_in: frozenset[str]  # gateway: states in which the order's (filed) domains are served
    chat: Chat

    @property
    def needs_sms(self) -> bool:
        return bool(self.sms_to)

    @property
    def files_new_entity(self) -> bool:
        """The order files an entity not yet on record (its full data)."""
        return self.payload.entity == "new"

    @property
    def files_new_website(self) -> bool:
        """The order files websites not yet on record (their full data)."""
        return self.payload.websites == "new"

    @property
    def accesses_records(self) -> bool:
        """The order brings websites already on record (by reference) to Tencent."""
        return self.payload.websites == "refs"

    @property
    def acts_on_own_entity(self) -> bool:
        """The order changes or cancels what the account's own entity, at Tencent, has on record."""
        return self.payload.entity not in ("new", "match")

    # the payload's shape, under the names the scenario table used
    @property
    def kind(self) -> str:
        return self.code

    @property
    def entity(self) -> str | None:
        return self.payload.entity

    @property
    def entity_required(self) -> bool:
        return self.payload.entity_required

    @property
    def websites(self) -> str | None:
        return self.payload.websites

    @property
    def websites_required(self) -> bool:
        return self.payload.websites_required

    @property
    def max_websites(self) -> int:
        return self.payload.max_websites

    @property
    def reference(self) -> str | None:
        return self.payload.reference

    @property
    def approval_zh(self) -> str:
        return self.approval.zh

    @property
    def new_websites(self) -> bool:
        return self.approval.new_websites


def problems(spec: KindSpec, states: frozenset[str] | None = None) -> list[str]:
    """What is wrong with one spec on its own (empty when nothing); `states`, when given,
    are the workflow's state names (the registry cannot import the workflow: it imports us)."""
    out = []
    p = spec.payload
    for name, value, allowed in (
        ("payload.entity", p.entity, PART_MODES),
        ("payload.websites", p.websites, PART_MODES),
        ("payload.reference", p.reference, REFERENCES),
        ("bureau_duration", spec.bureau_duration, BUREAU_DURATIONS),
    ):
        if value not in allowed:
            out.append(f"{spec.code}: {name} {value!r} not one of {allowed}")
    if set(spec.sms_to) - set(SMS_ROLES):
        out.append(f"{spec.code}: sms_to {spec.sms_to} not among {SMS_ROLES}")
    if (p.websites is None) != (p.max_websites == 0):
        out.append(f"{spec.code}: max_websites {p.max_websites} with websites {p.websites!r}")
    if states is not None and not spec.served_early_in <= states:
        out.append(f"{spec.code}: served_early_in names unknown states {sorted(spec.served_early_in - states)}")
    asked = set(spec.chat.forms)
    out += [
        f"{spec.code}: chat asked_when names form {f} not in its forms"
        for f, _ in spec.chat.asked_when
        if f not in asked
    ]
    return out
