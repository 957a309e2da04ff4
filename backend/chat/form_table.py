"""The forms of the conversation, and which forms each application kind asks, as data.

(chat/answers.py answers one form, chat/screens.py walks a flow's forms; chat/forms.py
re-exports all three under the one name the steps use.)

A `Form` is a group of fields stored at one `path` of the application payload
("entity", "entity.responsible", "websites.0"). A `Flow` lists the forms one kind
asks, in order. Adding a kind to the chat = adding its `Flow` (and any new `Form`)
here; its rules stay in the services (`applications.check` / `create`), which the
chat calls for every answer. Kinds without a flow, or not in `kinds.IMPLEMENTED`,
are offered but answered with a KIND_NOT_AVAILABLE notice.

A form's `path` "" puts its fields at the top of the payload (e.g. `entity_number` of an
access filing). A field whose `default` is FIRST_OPTION starts on its first option (the first
usable filing IP); a select without a default starts empty.

Screens. What the chat asks one at a time is a *screen*: a form, or a copy of a repeatable
form (`repeat`: "website" at websites.0, "website.1" at websites.1, … — an organisation files
up to 10 websites in one order), or a *pick* (`ask=PICK`: the one MULTI field of the form asked
as quick replies, each choice toggling one option, 完成 ending — the domains a change removes).
A flow's `when` asks a form only when a condition on the answers holds (what a change_filing
changes); a pick with nothing to choose from is not asked. `screens()` lists the screens that
apply to the answers, in order; `prune()` drops the answers of the screens that do not.
"""

from backend.chat.form_model import (  # noqa: F401  (re-exported: the chat knows them as form_table.*)
    BOOL,
    CERT_TYPE_LABELS,
    DATE,
    EMAIL,
    ENTITY_TYPE_LABELS,
    FIELD_TYPES,
    FIRST_OPTION,
    FORM,
    MULTI,
    PICK,
    SELECT,
    SERVICE_CONTENT_LABELS,
    TEL,
    TEXT,
    Field,
    Flow,
    Form,
)
from backend.chat.forms_change import CANCELLATIONS, CHANGES
from backend.chat.forms_checks import CHECKS
from backend.chat.forms_filing import FILING

# every form by id, in the order the groups are declared (new filings, changes, the chat's checks, cancellations)
FORMS = {f.id: f for f in (*FILING, *CHANGES, *CHECKS, *CANCELLATIONS)}
