"""The scenario steps of the stages before submission (README "Writing a scenario"), as JSON
Schema: part of schema_source.SCHEMA."""


def _app_step(app, description, **props):
    """A stage step: `step: app` (or null: the last application), or {app, …props}."""
    return {
        "description": description,
        "oneOf": [
            app,
            {"type": "null"},
            {"type": "object", "additionalProperties": False, "properties": {"app": app, **props}},
        ],
    }


def actions(app, face_reasons):
    """The stage steps' schemas, given the schema of an application reference and the face-check reasons."""
    return {
        "accept_agreement": _app_step(app, "POST …/applications/{id}/agreement: the user accepts the filing agreement"),
        "verify_phones": _app_step(
            app,
            "each unverified responsible mobile: its OTP code sent (unless one is live), read from the outbox "
            "as the person reads their phone, typed in; then GET …/requirements",
            mobile={"type": "string", "description": "only this mobile (default: every one not verified yet)"},
        ),
        "pass_face_checks": _app_step(
            app,
            "the website owners' face checks started (POST …/face-checks) and each open one's result reported "
            "as the owner's phone does; then GET …/requirements",
            passed={"type": "boolean", "description": "default true; false: the check fails with `reason`"},
            reason={"enum": face_reasons, "description": "why it fails (passed: false)"},
            task={"type": "string", "description": "only this task (its id, e.g. A0001:1), started already"},
        ),
        "upload_materials": _app_step(
            app,
            "a generated colour PNG (the same bytes every run) uploaded to each slot; then GET …/requirements",
            slots={
                "oneOf": [
                    {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
                    {"const": "all_required"},
                ],
                "description": "the slots (e.g. entity_owner_id_front, commitment_letter; GET …/materials lists "
                "them); all_required (default): every required slot not uploaded yet or rejected",
            },
        ),
        "prepare_submission": _app_step(
            app,
            "every stage before submission in process.md §4.1's order: accept_agreement, verify_phones, "
            "pass_face_checks (when asked), upload_materials all_required; then GET …/requirements",
        ),
    }
