"""Tokens: the control token (operators) and one user token per sandbox."""

import hashlib
import hmac
import secrets

from backend import config
from backend.domain import errors
from backend.domain.errors import fail
from backend.store import keys, pipelining


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def control_token(r):
    return config.control_token_from_env() or r.get(keys.CONTROL_TOKEN)


def ensure_control_token(r):
    """The configured token, or one generated once and kept in Redis (printed by `icpsim up`)."""
    token = control_token(r)
    if token:
        return token
    r.set(keys.CONTROL_TOKEN, "ict_" + secrets.token_urlsafe(24), nx=True)
    return r.get(keys.CONTROL_TOKEN)


def is_control(r, token):
    expected = control_token(r)
    return bool(token and expected and hmac.compare_digest(token, expected))


def require_control(r, token):
    if not token:
        raise fail("TOKEN_MISSING", "缺少访问令牌：请在 Authorization: Bearer 中提供控制令牌")
    if not is_control(r, token):
        raise fail("CONTROL_TOKEN_INVALID")


def require_sandbox(r, token, sid, noted=None, reads=None):
    """Control token or this sandbox's own token; any other sandbox's token sees nothing (404).

    `noted` (a dict), when given, receives the sandbox's raw `clock` field, read in the same
    round trip as the check (the recording journal notes a change's virtual time). `reads`
    (a dict {command tuple: None}), when given, receives the replies of those commands, sent in
    that round trip too (what the request reads for sure, kept only if the check passes, and
    its rate-limit counter, whose reply counts whatever the check says)."""
    if not token:
        raise fail("TOKEN_MISSING")
    control = is_control(r, token)
    found = _check_reads(r, token, sid, control, noted, reads or {})
    if control:
        return verdict(True, "ok" if found else "other", sid)
    return verdict(False, "none" if found is None else "ok" if found == sid else "other", sid)


def verdict(control, status, sid):
    """'control' or 'user' when the check passed ("ok"); else 401 (an unknown token: "none")
    or 404 (another sandbox's token, or no such sandbox: "other")."""
    if status == "ok":
        return "control" if control else "user"
    if status == "none" and not control:
        raise fail("TOKEN_INVALID")
    raise errors.sandbox_not_found(sid)


# The token check of `guarded`: only when it passes is the SET (KEYS[2], ARGV[3:]) run.
# ARGV[1]: "1" for the control token (the sandbox must exist), "0" for a user token (its
# owner must be ARGV[2], the sandbox). Returns {status, 1 when the SET was done else 0}.
_GUARD = """
local control = ARGV[1] == '1'
local found = redis.call(control and 'EXISTS' or 'GET', KEYS[1])
local status
if control then
  status = (found == 1) and 'ok' or 'other'
elseif not found then
  status = 'none'
elseif found == ARGV[2] then
  status = 'ok'
else
  status = 'other'
end
if status ~= 'ok' then return {status, 0} end
return {status, redis.call('SET', KEYS[2], unpack(ARGV, 3)) and 1 or 0}
"""


def guarded(r, token, sid, then):
    """The sandbox token check as one command that also runs `then` (("SET", key, *args): a
    lock's SET NX) only when the check passes, so a refused token writes nothing; for a
    pipeline that carries the check with other commands. (control?, command); its reply
    goes to `guard_verdict`."""
    if not token:
        raise fail("TOKEN_MISSING")
    control = is_control(r, token)
    key = keys.sandbox(sid) if control else keys.token(token_hash(token))
    return control, ("EVAL", _GUARD, 2, key, then[1], "1" if control else "0", sid, *then[2:])


def guard_verdict(control, reply, sid):
    """(who, whether `then` was done) from a `guarded` command's reply; raises 401/404 as
    `require_sandbox` does."""
    status, done = reply
    status = status.decode() if isinstance(status, bytes) else status
    return verdict(control, status, sid), bool(done)


def _check_reads(r, token, sid, control, noted, reads):
    """The sandbox's existence (control token) or the token's owner, plus the raw clock into
    `noted` and the `reads` when asked: one round trip either way."""
    check = ("EXISTS", keys.sandbox(sid)) if control else ("GET", keys.token(token_hash(token)))
    if noted is None and not reads:
        return r.execute_command(*check)
    clock = [("HGET", keys.sandbox(sid), "clock")] if noted is not None else []
    found, *rest = pipelining.send(r, [check, *clock, *reads])
    if noted is not None:
        noted["clock"] = rest.pop(0)
    reads.update(dict(zip(list(reads), rest)))
    return found
