"""20 clock advances of one day sent at once to real gunicorn: they run one at a time and
the clock moves exactly 20 days (they used to overwrite each other: +4–5 days)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import requests
from support.procs import running_stack

from mock_miniprogram.sdk import CLOCK_MOVE_TIMEOUT

CONTROL = "e2e-control"


def test_parallel_advances_add_up_over_http(r, redis_url, tmp_path):
    with running_stack(redis_url, CONTROL, tmp_path / "processes.log") as s:
        auth = {"Authorization": f"Bearer {CONTROL}"}
        sb = requests.post(f"{s.base}/sandboxes", json={"seed": 3}, headers=auth, timeout=30).json()
        home = f"{s.base}/sandboxes/{sb['id']}"
        start = requests.get(f"{home}/clock", headers=auth, timeout=30).json()["now"]

        def advance(_):
            return requests.post(
                f"{home}/clock/advance", json={"duration": "1d"}, headers=auth, timeout=CLOCK_MOVE_TIMEOUT
            )

        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(advance, range(20)))
        assert [a.status_code for a in answers] == [200] * 20, [a.text[:200] for a in answers if a.status_code != 200]
        end = requests.get(f"{home}/clock", headers=auth, timeout=30).json()["now"]
        moved = datetime.fromisoformat(end) - datetime.fromisoformat(start)
        assert moved.days == 20 and moved.seconds < 60, moved
