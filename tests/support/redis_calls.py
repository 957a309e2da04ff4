"""Counting Redis commands in a test: the server's own count, so every round trip shows."""


def commands(r):
    """Redis commands called so far on the server, by name."""
    return {name.removeprefix("cmdstat_"): row["calls"] for name, row in r.info("commandstats").items()}


def spent(r, before):
    """The commands called since `before` (a commands() snapshot), INFO itself left out."""
    after = commands(r)
    return {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0) and k != "info"}
