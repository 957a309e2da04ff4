"""The worker process (Procfile `worker:`): `python -m workers.run [queue ...]`.

`rq worker` exits at once when Redis does not answer, and under honcho (`icpsim up`) one
process exiting stops the whole stack. This entry point waits for Redis instead, with a
backoff, then runs an RQ worker with its scheduler; when that worker gives up (Redis went
away long enough for RQ to quit its loop), it waits for Redis again and starts a new one.
It exits only when asked to (SIGTERM/SIGINT: RQ's warm shutdown, then 0).

The worker class is chosen in ONE place, `worker_class()`.
"""

import argparse
import logging
import signal
import sys
import time

import redis

from backend import config
from backend.store.connection import connect

log = logging.getLogger("icpsim.worker")

FIRST_WAIT, MAX_WAIT = 0.2, 5.0  # seconds between two tries to reach Redis (doubling)


def worker_class():
    """The RQ worker class the Procfile's worker runs (the one place to change it)."""
    from workers.worker import Worker  # SimpleWorker + icpsim's scheduler (see workers/worker.py)

    return Worker


class Stopped(Exception):
    """SIGTERM or SIGINT while no RQ worker was running (RQ handles them while it runs)."""


def _stop(signum, frame):
    raise Stopped()


def wait_for_redis(url, give_up_after=None, sleep=time.sleep):
    """Block until Redis at `url` answers PING (True), doubling the pause up to MAX_WAIT;
    False once `give_up_after` seconds passed (None: wait as long as it takes)."""
    started, pause, said = time.monotonic(), FIRST_WAIT, False
    while True:
        try:
            client = connect(url, decode_responses=False)
            try:
                client.ping()
            finally:
                client.close()
            if said:
                log.warning("Redis at %s answers again", url)
            return True
        except redis.exceptions.RedisError as exc:
            if not said:
                log.warning("Redis at %s does not answer (%s); waiting for it", url, exc)
                said = True
        if give_up_after is not None and time.monotonic() - started >= give_up_after:
            return False
        sleep(pause)
        pause = min(pause * 2, MAX_WAIT)


def run_once(url, queues):
    """One RQ worker until it stops; True when it stopped because it was asked to."""
    connection = connect(url, decode_responses=False)
    worker = worker_class()(queues, connection=connection)
    try:
        worker.work(with_scheduler=True)
    except redis.exceptions.RedisError as exc:  # e.g. while registering or tearing down
        log.warning("the worker lost Redis: %s", exc)
        return False
    finally:
        connection.close()
    # RQ notes a SIGTERM/SIGINT (warm shutdown) as the date it was asked to stop
    return bool(getattr(worker, "_shutdown_requested_date", None) or getattr(worker, "_stop_requested", False))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m workers.run", description=__doc__.splitlines()[0])
    parser.add_argument("queues", nargs="*", default=[config.QUEUE_NAME])
    parser.add_argument("--url", default=None, help="Redis URL (default: $REDIS_URL)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    url = args.url or config.redis_url()
    if not url:
        log.error("REDIS_URL is not set")
        return 2
    signal.signal(signal.SIGTERM, _stop)
    pause = FIRST_WAIT
    try:
        while True:
            wait_for_redis(url)
            if run_once(url, args.queues):
                return 0
            log.warning("the RQ worker quit without being asked to; starting a new one once Redis answers")
            signal.signal(signal.SIGTERM, _stop)  # RQ installed its own while it ran
            signal.signal(signal.SIGINT, signal.default_int_handler)
            time.sleep(pause)
            pause = min(pause * 2, MAX_WAIT)
    except (Stopped, KeyboardInterrupt):
        return 0


if __name__ == "__main__":
    sys.exit(main())
