"""Process runtime: the embedded Redis server started by `icpsim up`."""

from backend.runtime.embedded_redis import EmbeddedRedis, EmbeddedRedisError

__all__ = ["EmbeddedRedis", "EmbeddedRedisError"]
