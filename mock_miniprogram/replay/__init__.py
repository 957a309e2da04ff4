"""Scenario replay (issue #5): the file format (parser + JSON Schema), the runner, JUnit
reports, a self-started local simulator, and the `icpsim replay` command (cli)."""
