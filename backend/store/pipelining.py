"""Round trips: a prefetch's reads pipelined, and a transaction's WATCH sent with its first reads."""

from redis.client import Pipeline
from redis.exceptions import ConnectionError as LostConnection, ResponseError, TimeoutError as LostTimeout, WatchError


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


def watch_and_read(pipe, watch, commands, ahead=()):
    """WATCH `watch`, then `commands` (tuples: name, *args), sent together on the transaction's
    own connection; returns the commands' replies. The reads come after the WATCH on the same
    connection, so a write after them aborts the EXEC all the same. On a fresh connection a
    dropped one is retried as redis-py retries a WATCH (nothing watched yet: both go again);
    on one already watching, a failure is a WatchError, as redis-py makes it (the transaction
    runs again from the start). Any failure drops the connection (replies may be left unread).
    `ahead`: commands sent before the WATCH (a write of ours there, e.g. taking a lock, does
    not abort the EXEC); their replies come first."""
    fresh = pipe.connection is None
    conn = pipe.connection = pipe.connection or pipe.connection_pool.get_connection()
    every = [*ahead, ("WATCH", *watch), *commands]

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
    return replies[: len(ahead)] + replies[len(ahead) + 1 :]


# A list that keeps its newest `cap` items: what it drops is counted in the sandbox's
# `dropped` hash (the API says so), in the same MULTI as the push. cap 0: no cap.
CAPPED_PUSH = """
local n = redis.call('RPUSH', KEYS[1], ARGV[1])
local cap = tonumber(ARGV[2])
if cap > 0 and n > cap then
  redis.call('LTRIM', KEYS[1], n - cap, -1)
  redis.call('HINCRBY', KEYS[2], ARGV[3], n - cap)
end
return n
"""


def merged(writes):  # the buffered writes, consecutive appends to one list sent as one RPUSH
    out: list[tuple] = []
    for write in writes:
        if write[0] == "rpush" and out and out[-1][0] == "rpush" and out[-1][1] == write[1]:
            out[-1] = (*out[-1], *write[2:])
        else:
            out.append(write)
    return out


def unwatch_with(pipe, commands):
    """UNWATCH a transaction pipeline's keys and send `commands` in the same round trip on its
    connection, then give the connection back (pipe.reset() would UNWATCH in a round trip of
    its own); the commands' replies."""
    conn = pipe.connection
    if conn is None or not pipe.watching:
        pipe.reset()
        return send(pipe, commands) if commands else []
    every = [("UNWATCH",), *commands]
    try:
        conn.send_packed_command(conn.pack_commands(every))
        replies = [pipe.parse_response(conn, c[0]) for c in every]  # UNWATCH's reply: not watching
    except BaseException:
        conn.disconnect()
        raise
    finally:
        pipe.reset()
    return replies[1:]


def exec_watched(pipe):
    """MULTI, the commands queued on a transaction pipeline that WATCHes, and EXEC, in one round
    trip on its connection — what `pipe.execute()` does, without redis-py's per-command
    response callbacks and bookkeeping (the replies come back raw). WatchError when a watched
    key changed (or the connection dropped: nothing was applied that we know of); the first
    error reply raised. The connection goes back to the pool either way."""
    conn, stack = pipe.connection, pipe.command_stack
    if conn is None or not pipe.watching or pipe.scripts or any(options for _, options in stack):
        return pipe.execute()
    every = [("MULTI",), *(args for args, _ in stack), ("EXEC",)]
    try:
        conn.send_packed_command(conn.pack_commands(every))
        errors = []
        for _ in range(len(stack) + 1):  # MULTI's OK, then QUEUED (or an error) per command
            try:
                conn.read_response()
            except ResponseError as error:
                errors.append(error)
        try:
            replies = conn.read_response()
        except ResponseError as error:  # EXECABORT: a command was refused as it was queued
            raise errors[0] if errors else error from None
    except (LostConnection, LostTimeout, OSError) as error:
        conn.disconnect()
        raise WatchError("the connection dropped during the transaction") from error
    except BaseException:
        conn.disconnect()
        raise
    finally:
        pipe.watching = False  # EXEC (or the dropped connection) ended the WATCH
        pipe.reset()
    if replies is None:
        raise WatchError("Watched variable changed.")
    for reply in replies:
        if isinstance(reply, ResponseError):
            raise reply
    return replies
