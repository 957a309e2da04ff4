"""The JSON Schema of scenario files, as Python (the source of scenario.schema.json).

    python -m icpsim_scenario.schema_source > icpsim_scenario/scenario.schema.json

A test keeps the shipped JSON equal to SCHEMA.
"""

import json

from icpsim_scenario import schema_stages

APP = {
    "type": "string",
    "minLength": 1,
    "description": "an application: an alias saved with `as:` or an id such as A0001",
}
APP_OR_NULL = {"oneOf": [APP, {"type": "null"}]}
ACTION_APP = {
    "description": "the application (default: the last one created or acted on)",
    "oneOf": [
        APP,
        {"type": "null"},
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {"app": APP, "reason": {"type": ["string", "null"]}},
        },
    ],
}
TEMPLATE = {"type": "string", "pattern": r"^\$\{[^}]+\}$", "description": "${name}: a value from vars or `as:`"}
PAYLOAD = {"anyOf": [{"type": "object"}, TEMPLATE], "description": "the application payload (or ${var})"}
DURATION = {
    "type": "string",
    "pattern": r"^\s*(\d+(\.\d+)?)\s*$|^(\d+(\.\d+)?[wdhms])+$",
    "description": "2d, 36h, 1d12h, 90m, 45s or a number of seconds",
}
FAULT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["effect"],
    "description": "a fault-injection rule; the first rule that matches wins",
    "properties": {
        "effect": {"enum": ["reject", "approve", "sms_timeout", "delay", "face_fail"]},
        "stage": {"enum": ["provider", "bureau", "any", "sms", "handover", "face"]},
        "times": {"oneOf": [{"type": "integer", "minimum": 1}, {"enum": ["once", "always"]}, {"type": "null"}]},
        "probability": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "audit_data": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["code"],
                "additionalProperties": False,
                "properties": {k: {"type": "string"} for k in ("code", "field", "key_name", "error", "suggest")},
            },
        },
        "codes": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[A-Z0-9_]+$"}},
        "delay": DURATION,
        "reason": {
            "enum": ["background", "occlusion", "another_person", "orientation", "permission_denied", "face_mismatch"],
            "description": "face_fail: why the face check fails",
        },
        "app_id": {"type": "string"},
        "kind": {"type": "string"},
        "attempt": {"type": "integer", "minimum": 1},
        "note": {"type": "string"},
    },
}
FACE_REASONS = FAULT["properties"]["reason"]["enum"]
STAGE_ACTIONS = schema_stages.actions(APP, FACE_REASONS)
MATCHER_NOTE = (
    "a value to match: a literal, or an operator object {$regex: …}, {$contains: …}, "
    "{$len: n}, {$in: [...]}, {$absent: true}, {$not: …}; objects match as subsets"
)
APP_EXPECT_PROPS = {
    "state": {"type": "string"},
    "state_zh": {},
    "waits_on": {},
    "wechat": {"type": "object", "description": "{status, sms_verify_status}, a subset match"},
    "wechat_status": {"type": "integer"},
    "sms_verify_status": {"type": ["integer", "null"]},
    "allowed_actions": {},
    "attempt": {},
    "audit_codes": {
        "type": "array",
        "items": {"type": "string"},
        "description": "the codes of audit_data, in any order, all of them",
    },
    "record_number": {
        "type": ["string", "null"],
        "description": "regular expression the entity number must match in full (null: none issued)",
    },
    "website_numbers": {
        "type": "array",
        "items": {"type": "string"},
        "description": "one regular expression per website number, in order",
    },
    "history": {
        "type": "array",
        "items": {"type": "string"},
        "description": "the actions of the history, in order, all of them",
    },
    "payload": {"description": MATCHER_NOTE},
}
APP_EXPECT = {"type": "object", "additionalProperties": False, "properties": APP_EXPECT_PROPS}
OUTBOX_ITEM = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "code": {},
        "channel": {},
        "to": {},
        "sender": {},
        "text": {},
        "app": APP,
        "count": {
            "type": "integer",
            "minimum": 0,
            "description": "exactly this many messages match (default: at least one)",
        },
    },
}
GATEWAY_ITEM = {
    "type": "object",
    "additionalProperties": False,
    "required": ["domain"],
    "properties": {
        "domain": {"type": "string"},
        "served": {"type": "boolean"},
        "reason": {"enum": ["SERVED", "NOT_FILED", "NOT_ACCESSED_AT_TENCENT", "CANCELLED"]},
        "status": {"type": "integer", "description": "200 served, 302 to the block page"},
    },
}
RECORDS = {
    "oneOf": [
        {"type": "array"},
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {"count": {"type": "integer"}, "contains": {"type": "array"}},
        },
    ],
    "description": "a list: each item must match some record (subset match); or {count, contains}",
}
EXPECT = {
    "type": "object",
    "additionalProperties": False,
    "description": "expectations; on a step they also see the step's response",
    "properties": {
        "app": APP,
        **APP_EXPECT_PROPS,
        "status": {"type": "integer", "description": "HTTP status of the step's response"},
        "error": {"type": "string", "description": "the error `code` of the step's response"},
        "errors": {"type": "object", "description": "field → matcher of the 422 `errors` (subset)"},
        "response": {"description": "subset match on the step's response body; " + MATCHER_NOTE},
        "applications": {"type": "object", "additionalProperties": APP_EXPECT},
        "outbox": {"type": "array", "items": OUTBOX_ITEM},
        "outbox_count": {"type": "integer", "minimum": 0},
        "gateway": {"oneOf": [GATEWAY_ITEM, {"type": "array", "items": GATEWAY_ITEM}]},
        "eligibility": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "eligible": {"type": "boolean"},
                "failed": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "codes of the failing rules, all of them",
                },
                "usable_ips": {
                    "oneOf": [{"type": "integer", "minimum": 0}, {"type": "array", "items": {}}],
                    "description": "how many IPs can take a filing (a count), or the IPs themselves "
                    "(a list of addresses, as GET …/eligibility lists them under usable_ips[].ip)",
                },
                "rule_set": {"type": "string"},
            },
        },
        "clock": {"type": "string", "description": "the virtual time, ISO 8601"},
        "pending_timers": {"type": "array", "items": {"type": "string"}, "description": "names, in due order"},
        "entities": RECORDS,
        "websites": RECORDS,
        "faults": dict(RECORDS, description="the fault rules listed by the control API: items or {count, contains}"),
        "chat": {"description": "subset match on the conversation (GET …/conversations/{id})"},
    },
}
ACTIONS = {
    "call": {
        "type": "object",
        "additionalProperties": False,
        "required": ["method", "path"],
        "description": "any REST call, path relative to /api/v1/sandboxes/{id}",
        "properties": {
            "method": {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
            "path": {"type": "string", "pattern": "^/"},
            "body": {},
            "query": {"type": "object"},
            "token": {"enum": ["user", "control"]},
        },
    },
    "create_application": {
        "type": "object",
        "additionalProperties": False,
        "required": ["payload"],
        "properties": {"kind": {"type": "string", "description": "default first_filing"}, "payload": PAYLOAD},
    },
    "edit": {
        "type": "object",
        "additionalProperties": False,
        "required": ["payload"],
        "properties": {"app": APP, "payload": PAYLOAD},
    },
    "submit": ACTION_APP,
    "resubmit": ACTION_APP,
    "withdraw": ACTION_APP,
    "reopen": ACTION_APP,
    "verify_sms": {
        "oneOf": [
            APP,
            {"type": "null"},
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "app": APP,
                    "code": {
                        "type": "string",
                        "pattern": r"^(\d{6}|from_outbox|wrong|\$\{.+\})$",
                        "description": "from_outbox (default): the code MIIT sent; wrong: any other code; or 6 digits",
                    },
                    "times": {"type": "integer", "minimum": 1, "description": "repeat (wrong codes)"},
                },
            },
        ]
    },
    "advance": {
        "oneOf": [
            {"const": "until_idle"},
            DURATION,
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "duration": DURATION,
                    "until_idle": {"type": "boolean"},
                    "include_deadlines": {"type": "boolean"},
                    "to": {"type": "string", "description": "a virtual instant, ISO 8601"},
                },
            },
        ]
    },
    "register_domain": {"type": "object", "required": ["name"], "description": "POST …/domains"},
    "update_domain": {"type": "object", "required": ["name"], "description": "PATCH …/domains/{name}"},
    "cloud": {
        "type": "object",
        "required": ["resource"],
        "description": "POST …/cloud/{resource} with the other keys",
        "properties": {"resource": {"enum": ["environments", "resource-packs", "vpcs", "nat-gateways", "services"]}},
    },
    "seed_registry": {
        "type": "object",
        "required": ["name", "websites"],
        "description": "POST …/registry/entities: a filing on record (elsewhere by default)",
    },
    "fault": FAULT,
    "clear_faults": {"const": True},
    "teleport": {
        "type": "object",
        "additionalProperties": False,
        "required": ["to"],
        "properties": {
            "app": APP,
            "to": {"type": "string"},
            "reason": {"type": "string"},
            "audit_data": {"type": "array"},
        },
    },
    "reset_application": ACTION_APP,
    "reset_sandbox": {"const": True},
    "chat_start": {"oneOf": [{"type": "null"}, {"type": "object"}], "description": "POST …/conversations"},
    "chat": {
        "oneOf": [
            {"type": "string"},
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "conversation": {"type": "string", "description": "id or alias (default: the last one started)"},
                    "text": {"type": "string"},
                    "choice": {"type": "string"},
                    "form": {"type": "object"},
                    "command": {"type": "string"},
                    "reply": {"type": "object", "description": "the reply body as is"},
                },
            },
        ],
        "description": "a chat reply: a text, or one of text/choice/form/command (POST …/conversations/{id}/replies)",
    },
    **STAGE_ACTIONS,
}
WORLD_CLOUD = {
    "type": "object",
    "required": ["resource"],
    "properties": {
        "resource": {"enum": ["environments", "resource-packs", "vpcs", "nat-gateways", "services"]},
        "as": {"type": "string"},
    },
}
OVERRIDE_KEYS = ("bureau_wd_min", "bureau_wd_typical", "bureau_wd_max", "domain_min_months_left", "id_min_months_left")
WORLD = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "preset": {"enum": ["empty", "eligible", "demo", "training"]},
        "clock_start": {"type": "string", "description": "ISO 8601; default 2026-06-01T09:00:00+08:00"},
        "settings": {"type": "object", "description": "per-sandbox settings (README)"},
        "provinces": {
            "type": "object",
            "description": "province overrides by 2-digit code",
            "additionalProperties": False,
            "patternProperties": {
                r"^\d{2}$": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        **{k: {"type": "integer", "minimum": 0} for k in OVERRIDE_KEYS},
                        "nonlocal_personal_id": {"enum": ["refused", "residence_permit"]},
                        "temporary_id_refused": {"type": "boolean"},
                    },
                }
            },
        },
        "cloud": {"type": "array", "items": WORLD_CLOUD, "description": "cloud resources created in order"},
        "domains": {"type": "array", "items": {"type": "object", "required": ["name"]}},
        "registry": {
            "type": "array",
            "items": {"type": "object", "required": ["name", "websites"]},
            "description": "filings on record (at other providers unless access_provider: tencent)",
        },
        "faults": {"type": "array", "items": FAULT},
    },
}
action_names = sorted(ACTIONS)
STEP = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "as": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
        "expect": EXPECT,
        **ACTIONS,
    },
    "oneOf": [{"required": [a]} for a in action_names]
    + [{"required": ["expect"], "not": {"anyOf": [{"required": [a]} for a in action_names]}}],
}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://github.com/icpsim/icpsim/scenario.schema.json",
    "title": "icpsim scenario",
    "description": "A scenario file for `icpsim replay` (format version 1): a name, a seed, the starting world, "
    "then steps (REST calls, chat replies, clock moves, SMS codes, faults) with expectations.",
    "type": "object",
    "additionalProperties": False,
    "required": ["version", "name", "steps"],
    "properties": {
        "version": {"const": 1, "description": "the format version; a file of another version fails loudly"},
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "seed": {"type": ["integer", "string"], "description": "the sandbox's seed (default 1)"},
        "world": WORLD,
        "vars": {"type": "object", "description": "values for ${name} in any string of the steps"},
        "steps": {"type": "array", "minItems": 1, "items": STEP},
    },
    "$defs": {},
}


def render():
    return json.dumps(SCHEMA, ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    print(render(), end="")
