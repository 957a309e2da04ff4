"""The nine scenarios of domain.md §3: the names the code used before the kind specs.

Each kind is now one spec (domain/kinds/<kind>.py: payload shape, precondition, SMS
recipients, approval, gateway rule, chat). What the specs share lives in
`filings.py` (the national registry, read-only), `preconditions.py` (the stable 409/422
answers and shared checks) and `payloads.py` (entry validation by the declared shape).
This module keeps the old entry points for callers that still use them.
"""

import copy

from backend.domain import kinds
from backend.domain.filings import (  # noqa: F401
    ACTIVE,
    FILING_TYPES,
    TENCENT,
    WEBSITE_REFS,
    Records,
    Resolution,
    active_sites,
    domain_key,
    filing_type,
    is_active_site,
    merge_changes,
    number_key,
    website_domains,
)
from backend.domain.kinds.spec import KindSpec
from backend.domain.payloads import edit_patch, ip_requests, order_ips, payload_problems, province_of  # noqa: F401
from backend.domain.preconditions import CHANGE_FIELDS, ENTITY_CHANGE_FIELDS, IDENTITY_FIELDS  # noqa: F401

Scenario = KindSpec
SCENARIOS: dict[str, KindSpec] = kinds.KINDS


def get(kind: str) -> KindSpec | None:
    return kinds.get(kind)


def resolve(kind: str, records: Records, payload: dict, sms_to: tuple = ()) -> Resolution:
    """Check the kind's preconditions against the registry; DomainError when unmet."""
    return kinds.KINDS[kind].precondition(records, copy.deepcopy(payload), tuple(sms_to))


def early_serve() -> dict[str, frozenset[str]]:
    """Kind → states in which the gateway serves the order's (already filed) domains."""
    return {k: s.served_early_in for k, s in kinds.KINDS.items() if s.served_early_in}
