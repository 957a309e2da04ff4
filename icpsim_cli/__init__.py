"""The `icpsim` console script: the simulator's commands (`backend.cli`: up, number, diagram)
and the client's (`mock_miniprogram`: replay, chat and the admin commands), the latter named
here by module, so neither side imports the other's internals."""

CLIENT_COMMANDS = {
    "replay": "mock_miniprogram.replay.cli",
    "chat": "mock_miniprogram.terminal",
    "sandbox": "mock_miniprogram.admin:sandbox",
    "clock": "mock_miniprogram.admin:clock",
    "outbox": "mock_miniprogram.admin:outbox",
    "recording": "mock_miniprogram.admin:recording",
}


def main(argv=None):
    from backend import cli

    return cli.main(argv, plugins=CLIENT_COMMANDS)
