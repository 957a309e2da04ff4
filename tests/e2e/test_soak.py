"""The soak script, run small (issue #8): 6 filings through the real stack while 2 workers are
SIGKILLed and Redis restarts once; none lost, no number issued twice, none stuck.
By hand it runs large: python -m bench.soak --applications 240 --kills 40 --redis-restart"""

import json
import subprocess
import sys

from support.procs import ROOT, child_env


def test_the_soak_runs_small_with_kills_and_a_redis_restart(tmp_path):
    env = child_env("unused", "unused")
    env.pop("REDIS_URL", None)  # the soak starts its own embedded Redis
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.soak",
            "--applications",
            "6",
            "--kills",
            "2",
            "--redis-restart",
            "--timeout",
            "240",
            "--seed",
            "3",
            "--json",
            "--log",
            str(tmp_path / "stack.log"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=420,
    )
    assert done.stdout.strip(), done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["applications"] == 6 and report["kills"] == 2 and report["redis_restarts"] == 1, report
    assert (report["lost"], report["duplicate_record_numbers"], report["stuck"]) == (0, 0, 0), report
    assert done.returncode == 0, done.stderr[-3000:]
