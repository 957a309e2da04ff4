"""The nine application kinds of the seed's scenario table (domain.md §3): one spec each.

A kind is one module of this package defining `SPEC`, a `KindSpec` (spec.py) that
declares everything that differs between kinds — payload shape, precondition, MIIT SMS
recipients, bureau duration, approval effect and texts, gateway rule, chat forms and
labels. Adding a kind: a new module here, its line in `_MODULES`, its tests and a
scenario (README, "Adding a kind"). The registry is checked when it is imported.
"""

from backend.domain.kinds import (
    access_filing,
    add_website,
    add_website_external,
    cancel_access,
    cancel_entity,
    cancel_website,
    change_filing,
    change_website,
    first_filing,
)
from backend.domain.kinds.spec import Approval, Chat, KindSpec, Payload, problems

_MODULES = (
    first_filing,
    access_filing,
    add_website,
    add_website_external,
    change_filing,
    change_website,
    cancel_entity,
    cancel_website,
    cancel_access,
)

KINDS: dict[str, KindSpec] = {m.SPEC.code: m.SPEC for m in _MODULES}
# the names the rest of the code uses where a rule picks a kind (verification's decision tree,
# the offers of an account), instead of strings
FIRST_FILING, ACCESS_FILING, ADD_WEBSITE = first_filing.SPEC.code, access_filing.SPEC.code, add_website.SPEC.code
ADD_WEBSITE_EXTERNAL, CHANGE_FILING = add_website_external.SPEC.code, change_filing.SPEC.code
CHANGE_WEBSITE, CANCEL_ENTITY = change_website.SPEC.code, cancel_entity.SPEC.code
CANCEL_WEBSITE, CANCEL_ACCESS = cancel_website.SPEC.code, cancel_access.SPEC.code
Kind = KindSpec  # the name the code used before the specs

ALL = frozenset(KINDS)
WITH_SMS = frozenset(k for k, v in KINDS.items() if v.needs_sms)
WITHOUT_SMS = ALL - WITH_SMS
# Kinds whose full flow (preconditions, payload, effects) is implemented: all nine.
IMPLEMENTED = ALL


def get(code: str | None) -> KindSpec | None:
    return KINDS.get(code) if isinstance(code, str) else None


def registry_problems() -> list[str]:
    out = [p for spec in KINDS.values() for p in problems(spec)]
    if len(KINDS) != len(_MODULES):
        out.append("two kind modules declare the same code")
    out += [f"{m.__name__}: SPEC.code {m.SPEC.code}" for m in _MODULES if not m.__name__.endswith("." + m.SPEC.code)]
    return out


_problems = registry_problems()
if _problems:  # a malformed spec stops the import: never a 500 or a wrong text at run time
    raise ImportError("kind specs: " + "; ".join(_problems))

__all__ = [
    "ACCESS_FILING",
    "ADD_WEBSITE",
    "ADD_WEBSITE_EXTERNAL",
    "ALL",
    "CANCEL_ACCESS",
    "CANCEL_ENTITY",
    "CANCEL_WEBSITE",
    "CHANGE_FILING",
    "CHANGE_WEBSITE",
    "FIRST_FILING",
    "IMPLEMENTED",
    "KINDS",
    "WITHOUT_SMS",
    "WITH_SMS",
    "Approval",
    "Chat",
    "Kind",
    "KindSpec",
    "Payload",
    "get",
    "registry_problems",
]
