"""One way to get a Redis client, for the web, the workers, the CLI and the tests."""

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from backend import config

# One quick retry of a dropped connection (a Redis restart, a failover), then the error: a web
# request answers 503 REDIS_UNAVAILABLE within about a second instead of redis-py's default
# three retries (~3 s each request), and the worker wrapper (workers/run.py) waits for Redis itself.
RETRY = Retry(ExponentialBackoff(cap=0.25, base=0.05), 1)
CONNECT_TIMEOUT_S = 1.0
# A reply may take this long. Set explicitly: redis-py 8 reads with a 5 s timeout by default,
# which cut the advance's XREAD BLOCK of up to 5 s (a job's result stream) short — a 503
# REDIS_UNAVAILABLE on a healthy Redis, the clock lock released while the job still ran,
# and a job no worker had started never cancelled. Above the longest block we send, and
# still bounded (a Redis that stops answering is a 503, not a hung request).
SOCKET_TIMEOUT_S = 15.0


def connect(url=None, decode_responses=True):
    """Our store reads text (decode_responses=True); RQ needs raw bytes (False)."""
    url = url or config.redis_url()
    if not url:
        raise RuntimeError("REDIS_URL is not set; `icpsim up` starts the embedded Redis and sets it")
    return redis.Redis.from_url(
        url,
        decode_responses=decode_responses,
        retry=RETRY,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=SOCKET_TIMEOUT_S,
    )
