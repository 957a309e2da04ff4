"""Fixtures of the replay tests: the runner in-process (Flask's test client, RQ synchronous)."""

import pytest
from conftest import CONTROL
from support.flask_http import BASE_URL, FlaskSession


@pytest.fixture
def runner(app):
    from mock_miniprogram.replay.runner import Runner

    run = Runner(BASE_URL, CONTROL)
    run.session_factory = lambda: FlaskSession(app)
    return run


@pytest.fixture
def replay(runner):
    """replay(yaml_text) -> Result, in a fresh sandbox of the in-process app."""
    from mock_miniprogram.replay import parser

    def go(text, path="<test>"):
        return runner.run(parser.loads(text, path))

    return go
