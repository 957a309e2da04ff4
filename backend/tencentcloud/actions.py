"""Which actions each service answers, at which version, with which parameters."""
from dataclasses import dataclass
from typing import Callable, Optional

from backend.tencentcloud import errors


@dataclass(frozen=True)
class Action:
    params: dict  # {name: (type, required)}, as the SDK's request model declares them
    answer: Optional[Callable] = None  # pure: (params, world) -> response fields; None: the service acts


def registry():
    from backend.tencentcloud import ba, tcbr, vpc  # the services' modules import this one
    return {"ba": ("2020-07-20", ba.ACTIONS), "tcbr": ("2022-02-17", tcbr.ACTIONS),
            "vpc": ("2017-03-12", vpc.ACTIONS)}


def resolve(service: str, version, action) -> Action:
    if not action:
        raise errors.missing_parameter("X-TC-Action")
    known = registry().get(service)
    if known is None or action not in known[1]:
        raise errors.invalid_action(action, service)
    if not version:
        raise errors.missing_parameter("X-TC-Version")
    if version != known[0]:
        raise errors.no_such_version(version, service)
    return known[1][action]


def supported():
    """(service, version, action) of every action answered: the README's list."""
    return [(svc, version, name) for svc, (version, table) in sorted(registry().items()) for name in sorted(table)]


def filtered(items, filters, fields: dict, what: str):
    """The real API's Filters: AND between filters, OR between a filter's values;
    `fields` maps a filter name to a function of an item giving its value(s) as text."""
    for f in filters or []:
        get = fields.get(f["Name"])
        if get is None:
            raise errors.ApiError("InvalidParameter.FilterInvalidKey",
                                  f"The filter `{f['Name']}` is not supported by {what}; supported: {', '.join(fields)}.")
        wanted = set(f["Values"])
        items = [i for i in items if wanted & set(_texts(get(i)))]
    return items


def _texts(value):
    values = value if isinstance(value, (list, tuple, set)) else [value]
    return [("TRUE" if v else "FALSE") if isinstance(v, bool) else str(v) for v in values]
