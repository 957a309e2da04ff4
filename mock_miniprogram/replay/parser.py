"""The scenario parser, from the shared `icpsim_scenario` package (the format both sides use),
plus where the client keeps its built-in library."""

from pathlib import Path

from icpsim_scenario import parser as _format
from icpsim_scenario.parser import (  # noqa: F401
    FORMAT_VERSION,
    SCHEMA_PATH,
    SUFFIXES,
    SUPPORTED_VERSIONS,
    Scenario,
    ScenarioError,
    action_names,
    check,
    collect,
    load,
    loads,
    schema,
)


def builtin_library():
    """The folder of the built-in scenarios shipped with the client package."""
    return Path(__file__).resolve().parent.parent / "scenarios"


def __getattr__(name):  # anything else of the format module
    return getattr(_format, name)
