"""What the services' modules declare their actions with: the Action record and the
real API's Filters, shared by ba.py, tcbr.py and vpc.py (actions.py lists them)."""

from collections.abc import Callable
from dataclasses import dataclass

from backend.tencentcloud import errors


@dataclass(frozen=True)
class Action:
    params: dict  # {name: (type, required)}, as the SDK's request model declares them
    answer: Callable | None = None  # pure: (params, world) -> response fields; None: the service acts


def filtered(items, filters, fields: dict, what: str):
    """The real API's Filters: AND between filters, OR between a filter's values;
    `fields` maps a filter name to a function of an item giving its value(s) as text."""
    for f in filters or []:
        get = fields.get(f["Name"])
        if get is None:
            raise errors.ApiError(
                "InvalidParameter.FilterInvalidKey",
                f"The filter `{f['Name']}` is not supported by {what}; supported: {', '.join(fields)}.",
            )
        wanted = set(f["Values"])
        items = [i for i in items if wanted & set(_texts(get(i)))]
    return items


def _texts(value):
    values = value if isinstance(value, (list, tuple, set)) else [value]
    return [("TRUE" if v else "FALSE") if isinstance(v, bool) else str(v) for v in values]
