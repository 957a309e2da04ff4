"""The conversations of the kinds: each kind's forms (KindSpec.chat) as a Flow of the form
table, with the conditions that ask a form only when the answers call for it. Apart from
form_table.py because a condition reads the answers (answers.py builds on the form table)."""

from backend.chat.answers import current
from backend.chat.form_table import FORMS, Flow
from backend.chat.texts import TEXTS
from backend.domain import kinds


def _changing(what):
    """A change_filing form's condition: `what` was chosen in change_what."""

    def holds(ctx, answers):
        return bool(current(ctx, FORMS["change_what"], answers).get(what))

    return holds


def _flow(spec):
    """A kind's conversation, from its spec (KindSpec.chat)."""
    return Flow(
        spec.code,
        spec.chat.forms,
        needs_ip=spec.chat.needs_ip,
        when=tuple((form_id, _changing(what)) for form_id, what in spec.chat.asked_when),
    )


FLOWS = {code: _flow(spec) for code, spec in kinds.KINDS.items()}


def flow_problems():
    """Chat parts of the kind specs that name forms or texts that do not exist."""
    out = [
        f"{f.kind}: unknown chat form {form_id}" for f in FLOWS.values() for form_id in f.forms if form_id not in FORMS
    ]
    out += [
        f"{code}: unknown chat text {spec.chat.result_text}"
        for code, spec in kinds.KINDS.items()
        if spec.chat.result_text not in TEXTS
    ]
    return out


if flow_problems():  # a kind spec with a chat part that does not exist stops the import
    raise ImportError("chat flows: " + "; ".join(flow_problems()))
