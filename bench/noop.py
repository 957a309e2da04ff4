"""The floor of a job: an RQ job that does nothing, in a module that imports nothing, so a
forking worker's horse pays only RQ's own cost for it."""


def noop(*_args):
    return None
