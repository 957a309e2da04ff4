"""The conversation's forms, under one name: the declarations (form_table.py: fields,
forms, and the flow of forms each kind's spec asks), answering one form (answers.py) and
walking a flow's screens (screens.py)."""

from backend.chat.answers import (  # noqa: F401
    OPTION_SOURCES,
    absorb,
    coerce,
    current,
    default,
    display,
    options,
    own_problems,
    render,
)
from backend.chat.flows import FLOWS, flow_problems  # noqa: F401
from backend.chat.form_table import (  # noqa: F401
    BOOL,
    CERT_TYPE_LABELS,
    DATE,
    EMAIL,
    ENTITY_TYPE_LABELS,
    FIELD_TYPES,
    FIRST_OPTION,
    FORM,
    FORMS,
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
from backend.chat.paths import get_path, set_path  # noqa: F401
from backend.chat.screens import (  # noqa: F401
    applies,
    contains,
    copies,
    copies_allowed,
    errors_by_form,
    locate,
    max_copies,
    next_form_screen,
    parse_screen,
    patch,
    payload,
    prune,
    screen_form,
    screen_id,
    screens,
    summary,
)
