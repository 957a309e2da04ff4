"""Dotted paths in a nested payload ("websites.0.responsible.name"): read and write."""


def _key(part):
    return int(part) if part.isdigit() else part


def get_path(data, path, default=None):
    if path == "":
        return data
    node = data
    for part in path.split("."):
        key = _key(part)
        if (
            isinstance(node, dict)
            and key in node
            or isinstance(node, list)
            and isinstance(key, int)
            and key < len(node)
        ):
            node = node[key]
        else:
            return default
    return node


def set_path(data, path, value):
    """Set a dict (creating dicts and lists on the way); returns data. Path "": the whole dict."""
    if path == "":
        data.clear()
        data.update(value)
        return data
    parts = [_key(p) for p in path.split(".")]
    node = data
    for part, nxt in zip(parts, parts[1:]):
        empty = [] if isinstance(nxt, int) else {}
        if isinstance(node, list):
            while len(node) <= part:
                node.append({} if not isinstance(nxt, int) else [])
            if not isinstance(node[part], (dict, list)):
                node[part] = empty
            node = node[part]
        else:
            if not isinstance(node.get(part), (dict, list)):
                node[part] = empty
            node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        while len(node) <= last:
            node.append({})
        node[last] = value
    else:
        node[last] = value
    return data
