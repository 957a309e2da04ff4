"""An action's request parameters, declared as the SDK's models declare them, and checked
as the real API does: an undeclared name is `UnknownParameter`, a missing required one
`MissingParameter`, a value of the wrong type `InvalidParameter`."""

from dataclasses import dataclass

from backend.tencentcloud import errors

FILTER = {"Name": ("str", True), "Values": ("list of str", True)}
STRUCTS = {"Filter": FILTER}
MAX_LIST = 100  # the real API's largest page and id list
MAX_TEXT = 1024


@dataclass(frozen=True)
class Param:
    type: str  # str | int | bool | float | list of <type> | a name in STRUCTS
    required: bool = False


def _type_name(kind: str) -> str:
    return {"str": "String", "int": "Integer", "bool": "Boolean", "float": "Float"}.get(kind, kind)


def _check_value(name: str, kind: str, value):
    if kind.startswith("list of "):
        if not isinstance(value, list):
            raise errors.invalid_parameter(f"The type of parameter `{name}` is wrong: expected an array.")
        if len(value) > MAX_LIST:
            raise errors.invalid_parameter_value(f"`{name}` has more than {MAX_LIST} items.")
        inner = kind[len("list of ") :]
        return [_check_value(f"{name}.{i}", inner, item) for i, item in enumerate(value)]
    if kind in STRUCTS:
        if not isinstance(value, dict):
            raise errors.invalid_parameter(f"The type of parameter `{name}` is wrong: expected {kind}.")
        return check(STRUCTS[kind], value, prefix=f"{name}.")
    ok = {
        "str": lambda v: isinstance(v, str) and len(v) <= MAX_TEXT,
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    }[kind](value)
    if not ok:
        raise errors.invalid_parameter(f"The type of parameter `{name}` is wrong: expected {_type_name(kind)}.")
    return value


def check(spec: dict, params, prefix: str = "") -> dict:
    """The parameters, checked against `spec` ({name: (type, required)} or {name: Param})."""
    if not isinstance(params, dict):
        raise errors.invalid_parameter("The request body must be a JSON object.")
    for name in params:
        if name not in spec:
            raise errors.unknown_parameter(prefix + name)
    out = {}
    for name, declared in spec.items():
        kind, required = (declared.type, declared.required) if isinstance(declared, Param) else declared
        value = params.get(name)
        if value is None:
            if required:
                raise errors.missing_parameter(prefix + name)
            continue
        out[name] = _check_value(prefix + name, kind, value)
    return out


def _coerce(kind: str, text: str):
    """GET requests carry every value as text: read it as the declared type."""
    if kind == "int" and text.lstrip("-").isdigit():
        return int(text)
    if kind == "bool" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if kind == "float":
        try:
            return float(text)
        except ValueError:
            return text
    return text


def from_query(spec: dict, pairs) -> dict:
    """`Filters.0.Name=x&Filters.0.Values.0=y` (the SDK's GET form) back into nested values."""
    root: dict = {}
    for key, text in pairs:
        parts = key.split(".")
        node, kind = root, spec.get(parts[0], ("str", False))
        kind = kind.type if isinstance(kind, Param) else kind[0]
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if last:
                node[part] = _coerce(
                    kind if len(parts) == 1 or kind.endswith(("int", "bool", "float")) else "str", text
                )
            else:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):  # `Filters.0=x` and `Filters.0.Name=y`: both cannot hold
                    raise errors.invalid_parameter(f"The parameter `{key}` contradicts `{'.'.join(parts[: i + 1])}`.")
    return _lists(root)


def _lists(node):
    """Dicts keyed 0..n-1 become lists."""
    if not isinstance(node, dict):
        return node
    node = {k: _lists(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node):
        return [node[k] for k in sorted(node, key=int)]
    return node


def page(value, default: int = 20, limit: int = MAX_LIST, name: str = "Limit") -> int:
    """Offset/Limit, which some models declare as strings (DescribeVpcs)."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise errors.invalid_parameter_value(f"`{name}` must be an integer, got `{value}`.") from None
    if number < 0 or number > limit:
        raise errors.invalid_parameter_value(f"`{name}` must be between 0 and {limit}.")
    return number
