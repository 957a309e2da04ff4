"""Round trips: a prefetch's reads pipelined, and a transaction's WATCH sent with its first reads."""

import time
from typing import Any

from redis.client import Pipeline
from redis.connection import HIREDIS_AVAILABLE, HiredisRespSerializer  # type: ignore[attr-defined]  # (types-redis predates them)
from redis.exceptions import (
    ConnectionError as LostConnection,
    ExecAbortError,
    ResponseError,
    TimeoutError as LostTimeout,
    WatchError,
)

_HiredisParser: Any = None  # redis-py's private parser: its reader is read directly where it is the one we know
if HIREDIS_AVAILABLE:
    import hiredis

    try:
        from redis._parsers.hiredis import NOT_ENOUGH_DATA, _HiredisParser
    except ImportError:  # another redis-py layout: every reply through read_response
        pass


def packed(conn, commands):
    """Commands packed for `conn` as redis-py packs them (the same bytes), in one buffer: with
    hiredis's packer (redis-py's default when hiredis is there) called directly, without
    redis-py's Python around each command."""
    if not HIREDIS_AVAILABLE or not isinstance(conn._command_packer, HiredisRespSerializer):
        return conn.pack_commands(commands)
    return [b"".join([hiredis.pack_command(command) for command in commands])]


def replies(conn, count):
    """`count` replies read off `conn` at once, an error reply left in its place (a ResponseError,
    as redis-py's `read_response` would raise it): what `count` calls of `read_response` read,
    taken from hiredis's reader in one loop instead of through redis-py's per-reply Python (its
    parser, its error formatting); a RESP3 push message on the way is handed to the parser's
    handler and read past, as the parser does. Without hiredis's parser: reply by reply. A lost
    connection or timeout is raised as redis-py raises it, and drops the connection."""
    parser = getattr(conn, "_parser", None)
    if _HiredisParser is None or type(parser) is not _HiredisParser or not hasattr(parser, "_reader"):
        return [_one(conn) for _ in range(count)]
    try:
        out = _gets(parser, count)
    except TimeoutError:  # socket.timeout
        conn.disconnect()
        raise LostTimeout(f"Timeout reading from {conn._host_error()}") from None
    except OSError as error:
        conn.disconnect()
        raise LostConnection(f"Error while reading from {conn._host_error()} : {error.args}") from None
    except BaseException:
        conn.disconnect()
        raise
    if conn.health_check_interval:
        conn.next_health_check = time.monotonic() + conn.health_check_interval
    return out


def _gets(parser, count):
    reader, push = parser._reader, getattr(parser, "_hiredis_PushNotificationType", None)
    out: list = []
    if reader is None:
        raise LostConnection("Connection closed by server.")
    while len(out) < count:
        reply = reader.gets()
        if reply is NOT_ENOUGH_DATA:
            parser.read_from_socket()
        elif push is not None and isinstance(reply, push):
            parser.handle_push_response(reply)
        elif isinstance(reply, LostConnection):
            raise reply
        elif type(reply) is list and reply and isinstance(reply[0], LostConnection):
            raise reply[0]
        else:
            out.append(reply)
    return out


def _one(conn):
    try:
        return conn.read_response()
    except ResponseError as error:
        return error


def read_command(item):
    """The read of a prefetch item (see tx.core_keys): a hash, a set, or one field."""
    if isinstance(item, str):
        return ("HGETALL", item)
    return ("SMEMBERS", item[1]) if item[0] == "set" else ("HGET", *item[1:])


def send(r, commands, raise_on_error=True):
    """Commands (tuples: name, *args) in one pipelined round trip, no transaction; their replies,
    as redis-py's pipeline gives them (its response callbacks: HGETALL a dict, SMEMBERS a set),
    the first error raised once every reply is read (raise_on_error=False: left in its place,
    as redis-py's `execute(raise_on_error=False)` does). Written and read on a pooled
    connection directly: redis-py's pipeline object, its per-command queueing and its
    bookkeeping cost more than the round trip's own Python (every sandbox call's token check
    goes here). A dropped connection is retried as redis-py retries a pipeline."""
    pool, callbacks = r.connection_pool, r.response_callbacks
    conn = pool.get_connection()

    def attempt():
        conn.send_packed_command(packed(conn, commands))
        return replies(conn, len(commands))

    try:
        raw = conn.retry.call_with_retry(attempt, lambda error: conn.disconnect())
    except BaseException:
        conn.disconnect()  # replies may be left unread: never hand the socket on
        raise
    finally:
        pool.release(conn)
    out = []
    for command, reply in zip(commands, raw, strict=True):
        if isinstance(reply, ResponseError):
            if raise_on_error:
                raise reply
            out.append(reply)
            continue
        callback = callbacks.get(str(command[0]).upper())
        out.append(callback(reply) if callback is not None else reply)
    return out


def _parsed(pipe, commands, raw):
    """Replies read in bulk (`replies`) as `pipe.parse_response` gives them one by one: the first
    error raised, the client's callbacks applied (HGETALL a dict, SMEMBERS a set), WATCH and
    UNWATCH marking the pipeline watching or not."""
    out, callbacks = [], pipe.response_callbacks
    for command, reply in zip(commands, raw, strict=True):
        name = command[0]
        if isinstance(reply, ResponseError):
            raise reply
        if name == "WATCH":
            pipe.watching = True
        elif name in pipe.UNWATCH_COMMANDS:
            pipe.watching = False
        callback = callbacks.get(name)
        out.append(callback(reply) if callback is not None else reply)
    return out


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
        conn.send_packed_command(packed(conn, every))
        return _parsed(pipe, every, replies(conn, len(every)))  # WATCH's reply marks the pipe watching

    try:
        got = conn.retry.call_with_retry(send, lambda error: conn.disconnect()) if fresh else send()
    except (LostConnection, LostTimeout, OSError) as error:
        conn.disconnect()
        if fresh:
            raise
        raise WatchError("the connection dropped while watching keys") from error
    except BaseException:
        conn.disconnect()
        raise
    return got[: len(ahead)] + got[len(ahead) + 1 :]


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


# The same, several values at once: consecutive capped pushes to one list, merged. Pushing them
# together leaves the same list and counts the same number dropped as pushing them one by one.
CAPPED_PUSH_MANY = """
local n = redis.call('RPUSH', KEYS[1], unpack(ARGV, 3))
local cap = tonumber(ARGV[1])
if cap > 0 and n > cap then
  redis.call('LTRIM', KEYS[1], n - cap, -1)
  redis.call('HINCRBY', KEYS[2], ARGV[2], n - cap)
end
return n
"""


def merged(writes):
    """Buffered writes (tx.Tx) as fewer commands with the same end state: consecutive appends to
    one list as one RPUSH, consecutive capped pushes to one list as one script call, and a hash's
    field writes folded into its first HSET while nothing in between touches that hash (inside
    MULTI nothing else runs in between; a script is taken to touch any key). HSETs come out as
    ("hset", key, {field: value})."""
    out: list[tuple] = []
    open_hsets: dict = {}  # hash key -> its HSET in `out` that later field writes may join
    for write in writes:
        op, key, prev = write[0], write[1], out[-1] if out else ("",)
        if op == "hset" and key in open_hsets:
            open_hsets[key][2][write[2]] = write[3]
        elif op == "rpush" and prev[0] == "rpush" and prev[1] == key:
            out[-1] = (*prev, *write[2:])
        elif op == "capped" and prev[0] == "capped" and prev[1] == key and prev[3:] == write[3:]:
            out[-1] = (*prev[:2], (*prev[2], write[2]), *prev[3:])
        elif op == "hset":
            out.append(("hset", key, {write[2]: write[3]}))
            open_hsets[key] = out[-1]
        else:
            out.append(("capped", key, (write[2],), *write[3:]) if op == "capped" else write)
            if op in ("eval", "del"):  # (a DEL's key is its argument)
                open_hsets.clear()
            for k in [k for k in open_hsets if k == key or (op == "capped" and k.endswith(":dropped"))]:
                del open_hsets[k]
    return out


def write_commands(writes, dropped):
    """The Redis commands of buffered writes (merged), as redis-py's methods would send them;
    `dropped`: the sandbox's hash that counts what capped lists dropped."""
    out: list[tuple] = []
    for op, key, *args in merged(writes):
        if op == "hset":
            out.append(("HSET", key, *[part for pair in args[0].items() for part in pair]))
        elif op == "capped" and len(args[0]) == 1:
            out.append(("EVAL", CAPPED_PUSH, 2, key, dropped, args[0][0], args[1], args[2]))
        elif op == "capped":
            out.append(("EVAL", CAPPED_PUSH_MANY, 2, key, dropped, args[1], args[2], *args[0]))
        elif op == "zadd":
            out.append(("ZADD", key, args[1], args[0]))
        elif op == "eval":
            out.append(("EVAL", args[0], len(args[1]), *args[1], *args[2]))
        elif op == "del":
            out.append(("DEL", *args))
        else:  # hdel, rpush, zrem, sadd, srem, set: the key, then the arguments
            out.append((op.upper(), key, *args))
    return out


def multi_exec(pipe, commands):
    """MULTI, `commands` and EXEC in one write on a transaction pipeline that WATCHes already (its
    connection): what redis-py's execute does for it, without its per-command Python (queueing,
    callbacks: the replies are not used). WatchError when a watched key changed or the connection
    dropped (the transaction runs again); a command's error is raised as redis-py raises it. The
    connection goes back to the pool either way."""
    conn = pipe.connection
    every = [("MULTI",), *commands, ("EXEC",)]
    try:
        conn.send_packed_command(packed(conn, every))
        *queued, answer = replies(conn, len(every))
        if isinstance(answer, ResponseError) and not isinstance(answer, ExecAbortError):
            raise answer
    except (LostConnection, LostTimeout, OSError) as error:
        conn.disconnect()
        raise WatchError("the connection dropped while watching keys") from error
    except BaseException:
        conn.disconnect()
        raise
    finally:
        pipe.watching = False  # EXEC (or the connection's end) unwatched every key
        pipe.reset()
    if isinstance(answer, ExecAbortError):  # a command refused when queued: its error
        raise next((r for r in queued if isinstance(r, ResponseError)), answer)
    if answer is None:
        raise WatchError("Watched variable changed.")
    failed = next((r for r in answer if isinstance(r, ResponseError)), None)
    if failed is not None:
        raise failed
    return answer


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
        conn.send_packed_command(packed(conn, every))
        got = _parsed(pipe, every, replies(conn, len(every)))  # UNWATCH's reply: not watching
    except BaseException:
        conn.disconnect()
        raise
    finally:
        pipe.reset()
    return got[1:]
