"""Which actions each service answers, at which version, with which parameters."""

from backend.tencentcloud import ba, errors, tcbr, vpc
from backend.tencentcloud.action_kit import Action


def registry():
    return {"ba": ("2020-07-20", ba.ACTIONS), "tcbr": ("2022-02-17", tcbr.ACTIONS), "vpc": ("2017-03-12", vpc.ACTIONS)}


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
