"""What the `icpsim` commands print and how they fail: one clear sentence and an exit code
(CliError), output that survives a reader going away (`icpsim up | tee log`, then Ctrl-C)."""

import os
import sys


class CliError(Exception):
    """A failure to report in one clear sentence (no traceback), with an exit code."""

    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


class Stop(Exception):
    """SIGTERM arrived before honcho took over the signals."""


def silence_broken_stdout():
    """Our reader went away (`icpsim up | tee log`, then Ctrl-C kills tee too). Keep
    running, so the processes and Redis still stop cleanly; write to /dev/null from now on."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def say(text="", file=None):
    stream = file or sys.stdout
    try:
        print(text, file=stream, flush=True)
    except (BrokenPipeError, OSError, ValueError):
        if stream is sys.stdout:
            silence_broken_stdout()


def err(text):
    say(f"icpsim: {text}", file=sys.stderr)
