"""Round trips: a prefetch's reads pipelined, and a transaction's WATCH sent with its first reads."""

from redis.client import Pipeline
from redis.exceptions import ConnectionError as LostConnection, TimeoutError as LostTimeout, WatchError


def read_command(item):
    """The read of a prefetch item (see tx.core_keys): a hash, a set, or one field."""
    if isinstance(item, str):
        return ("HGETALL", item)
    return ("SMEMBERS", item[1]) if item[0] == "set" else ("HGET", *item[1:])


def send(r, commands):
    """Commands (tuples: name, *args) in one pipelined round trip, no transaction; their replies."""
    batch = r.pipeline(transaction=False)
    for command in commands:
        batch.execute_command(*command)
    return batch.execute()


def can_fold(pipe):
    """Nothing sent on this transaction pipeline yet (no connection taken, nothing watched)."""
    return isinstance(pipe, Pipeline) and pipe.connection is None and not pipe.watching


def watch_and_read(pipe, watch, commands):
    """WATCH `watch`, then `commands` (tuples: name, *args), sent together on the transaction's
    own connection; returns the commands' replies. The reads come after the WATCH on the same
    connection, so a write after them aborts the EXEC all the same. On a fresh connection a
    dropped one is retried as redis-py retries a WATCH (nothing watched yet: both go again);
    on one already watching, a failure is a WatchError, as redis-py makes it (the transaction
    runs again from the start). Any failure drops the connection (replies may be left unread)."""
    fresh = pipe.connection is None
    conn = pipe.connection = pipe.connection or pipe.connection_pool.get_connection()
    every = [("WATCH", *watch), *commands]

    def send():
        conn.send_packed_command(conn.pack_commands(every))
        return [pipe.parse_response(conn, c[0]) for c in every]  # WATCH's reply marks the pipe watching

    try:
        replies = conn.retry.call_with_retry(send, lambda error: conn.disconnect()) if fresh else send()
    except (LostConnection, LostTimeout, OSError) as error:
        conn.disconnect()
        if fresh:
            raise
        raise WatchError("the connection dropped while watching keys") from error
    except BaseException:
        conn.disconnect()
        raise
    return replies[1:]
