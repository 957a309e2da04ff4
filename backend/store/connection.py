"""One way to get a Redis client, for the web, the workers, the CLI and the tests."""
import redis

from backend import config


def connect(url=None, decode_responses=True):
    """Our store reads text (decode_responses=True); RQ needs raw bytes (False)."""
    url = url or config.redis_url()
    if not url:
        raise RuntimeError("REDIS_URL is not set; `icpsim up` starts the embedded Redis and sets it")
    return redis.Redis.from_url(url, decode_responses=decode_responses)
