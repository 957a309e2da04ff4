"""The scenario format's schema source lives in the shared `icpsim_scenario` package."""

from icpsim_scenario.schema_source import *  # noqa: F401,F403
from icpsim_scenario.schema_source import render  # noqa: F401


def __getattr__(name):
    from icpsim_scenario import schema_source

    return getattr(schema_source, name)
