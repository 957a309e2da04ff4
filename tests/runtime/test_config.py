"""Settings are built once per process from the environment; rebuild() reads it again, and the
RQ queue belongs to one settings object (no module state for tests to reset by hand)."""

import dataclasses
import os

import pytest

from backend import config
from backend.services import scheduling


def test_settings_are_built_once_and_frozen():
    first = config.settings()
    assert config.settings() is first
    os.environ["ICPSIM_PUBLIC_HOST"] = "changed.example:1"
    try:
        assert config.public_host() == first.public_host  # not re-read on every call
        assert config.rebuild().public_host == "changed.example:1" and config.public_host() == "changed.example:1"
    finally:
        del os.environ["ICPSIM_PUBLIC_HOST"]
        config.rebuild()
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.port = 1  # type: ignore[misc]


def test_from_env_reads_a_mapping():
    built = config.Settings.from_env(
        {"PORT": "8000", "ICPSIM_HOSTS": " a.example, ,b.example ", "ICPSIM_SYNC_JOBS": "yes", "ICPSIM_JOB_WAIT": "2.5"}
    )
    assert built.hosts == ("a.example", "b.example") and built.public_host == "127.0.0.1:8000"
    assert built.sync_jobs is True and built.job_wait_seconds == 2.5 and built.redis_url is None
    assert config.Settings.from_env({}).hosts == config.DEFAULT_HOSTS


def test_the_queue_follows_the_settings(redis_url):
    one = scheduling.queue()
    assert scheduling.queue() is one
    config.rebuild()
    two = scheduling.queue()
    assert two is not one and two.is_async is (not config.sync_jobs())


@pytest.mark.parametrize(
    ("value", "on"),
    [
        (None, True),
        ("", True),
        ("1", True),
        ("true", True),
        ("0", False),
        ("off", False),
        (" False ", False),
        ("no", False),
    ],
)
def test_the_real_stages_are_the_default_unless_icpsim_pre_submit_checks_says_no(value, on):
    env = {} if value is None else {"ICPSIM_PRE_SUBMIT_CHECKS": value}
    built = config.Settings.from_env(env)
    assert built.pre_submit_checks is on
