"""Recording a sandbox's session and exporting it as a replayable scenario (issue #5).

Each mutating call to a sandbox's API (REST calls, chat replies, clock moves, faults)
that changed something is appended to the sandbox's journal (`keys.journal(sid)`): one capped
push per call (`worth_journaling` says which calls), in the MULTI of the call's change or after
its answer (api/journal.py says when). `export()`
turns the journal into a scenario (format version 1, see icpsim_scenario/scenario.schema.json): the sandbox's seed,
preset, clock start and settings as the starting world; one step per call, the SMS
code read from the outbox when the user typed the one that was sent; the stages before
submission as their steps (an upload, journaled without its file, as `upload_materials`,
which sends the scenario's generated image; the agreement, a phone code read from the
outbox, a face result: `accept_agreement`, `verify_phones`, `pass_face_checks`); explicit clock
moves where the virtual clock ran between calls; expectations of the final states.
"""

import json
import re
import time

import icpsim_scenario
from backend import config
from backend.domain import mail
from backend.domain.clock import Clock, iso, parse_instant, to_datetime
from backend.services import sandboxes, world
from backend.store import keys, packing, tx as store

FORMAT_VERSION = icpsim_scenario.FORMAT_VERSION
NOT_RECORDED = ("/reset", "/recording")  # paths (relative to the sandbox) never journaled
_SMS = re.compile(r"^/applications/([^/]+)/sms-verification$")
_REPLIES = re.compile(r"^/conversations/([^/]+)/replies$")
_AGREEMENT = re.compile(r"^/applications/([^/]+)/agreement$")
_PHONE_VERIFY = re.compile(r"^/applications/([^/]+)/phone-checks/([^/]+)/verify$")
_FACE_RESULT = re.compile(r"^/face-checks/(([^/]+):\d+)/result$")
_UPLOAD = re.compile(r"^/applications/([^/]+)/materials/([^/]+)$")
_VOLATILE = ("client_message_id",)  # random per click in the page; never part of a result


UNREAD = object()


def clock_now(r, sid, raw=UNREAD):
    """The sandbox's virtual now; `raw`: its clock field when the caller read it already."""
    if raw is UNREAD:
        raw = r.hget(keys.sandbox(sid), "clock")
    return Clock.from_dict(json.loads(raw)).now(time.time()) if raw else None


# the refusals that still changed something: a wrong code is counted (MIIT's SMS check:
# `sms_max_wrong`; the phone OTP while filling: 5 per code, the 5th spends it, PHONE_CODE_SPENT)
_COUNTED_REFUSALS = {"SMS_CODE_WRONG", "PHONE_CODE_WRONG", "PHONE_CODE_SPENT"}


def _code_entry(path):
    return _SMS.match(path) is not None or _PHONE_VERIFY.match(path) is not None


def worth_journaling(status, path, code=None):
    """What a replay needs: the calls that changed the sandbox. A refused call (4xx) changed
    nothing, so replaying it adds nothing: it is not journaled, whatever its body. One
    exception: a wrong code (`code`, the answer's error code) is refused yet counts — MIIT's SMS
    check (422, towards `sms_max_wrong`) and the phone OTP while filling (422, and the 5th wrong
    entry's 409 PHONE_CODE_SPENT) — so it is kept, as the code alone (`journal_body`)."""
    return 200 <= status < 300 or (code in _COUNTED_REFUSALS and _code_entry(path))


def journal_body(path, body):
    """The body as journaled: whole for a successful call (the API bounds bodies at 1 MiB and
    the journal in bytes), only the code for a verification by code (MIIT's SMS, the phone OTP)."""
    if _code_entry(path):
        code = body.get("code") if isinstance(body, dict) else None
        return {"code": str(code)[:16]} if code is not None else None
    return body


# One journal entry, appended only while the journal is under both caps (entries, bytes);
# past them the entry is counted instead (HINCRBY on the sandbox's `dropped` hash), and the
# export says from which call on the recording is incomplete. Atomic: two web processes
# appending at once never overshoot a cap. Nothing is appended to a sandbox that is gone
# (KEYS[3], its hash: a call that ended after a DELETE leaves no journal behind).
_APPEND = """
if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
local size = tonumber(redis.call('HGET', KEYS[2], 'journal_bytes') or '0')
local n = redis.call('LLEN', KEYS[1])
local max_n, max_bytes, bytes = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('HEXISTS', KEYS[2], 'journal') == 1
   or (max_n > 0 and n >= max_n) or (max_bytes > 0 and size + bytes > max_bytes) then
  redis.call('HINCRBY', KEYS[2], 'journal', 1)
  redis.call('HINCRBY', KEYS[2], 'journal_dropped_bytes', bytes)
  return 0
end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[2], 'journal_bytes', bytes)
return 1
"""


def append(r, sid, entry):
    """Append one call; False when the journal is full (the call is counted as dropped).
    Once one call was dropped, later ones are dropped too: a recording with a hole in
    the middle would replay to something else."""
    script = r.register_script(_APPEND)  # EVALSHA: the script's text goes to Redis once, not per call
    return bool(script(keys=[keys.journal(sid), keys.dropped(sid), keys.sandbox(sid)], args=_append_args(entry)))


def append_command(sid, entry):
    """The same append as one command, for a pipeline of the caller's (the clock lock's release)."""
    return ("EVAL", _APPEND, 3, keys.journal(sid), keys.dropped(sid), keys.sandbox(sid), *_append_args(entry))


def append_in(tx, entry):
    """The same append inside a transaction's MULTI (tx.script): no round trip of its own."""
    tx.script(_APPEND, [keys.journal(tx.sid), keys.dropped(tx.sid), keys.sandbox(tx.sid)], _append_args(entry))


def _append_args(entry):
    text = store.dumps(entry)  # stored packed (store/packing.py); the byte cap counts its JSON text
    return [packing.pack(text), config.journal_max_entries(), config.journal_max_bytes(), len(text.encode())]


# Takes back one entry appended with a commit (append_in) when the request then answered
# otherwise than that entry said (recording.retract): the newest copy of it leaves the list
# (its bytes uncounted), or, when the caps had dropped it, it is uncounted from `dropped`.
_RETRACT = """
if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[2], 'journal_bytes', -tonumber(ARGV[2]))
  return 1
end
if redis.call('HEXISTS', KEYS[2], 'journal') == 1 then
  if redis.call('HINCRBY', KEYS[2], 'journal', -1) <= 0 then
    redis.call('HDEL', KEYS[2], 'journal', 'journal_dropped_bytes')
  else
    redis.call('HINCRBY', KEYS[2], 'journal_dropped_bytes', -tonumber(ARGV[2]))
  end
end
return 0
"""


def retract(r, sid, entry):
    """Take back an entry appended with a commit (append_in): the request then answered
    another status (an error after its commit, another 2xx than its view declares)."""
    packed, _, _, size = _append_args(entry)
    r.eval(_RETRACT, 2, keys.journal(sid), keys.dropped(sid), packed, size)


def dropped(r, sid):
    """{"calls": n, "bytes": b} the journal could not keep (its caps), or None."""
    info = r.hmget(keys.dropped(sid), "journal", "journal_dropped_bytes")
    return {"calls": int(info[0]), "bytes": int(info[1] or 0)} if info[0] else None


def entries(r, sid):
    return [store.decode(x) for x in r.lrange(keys.journal(sid), 0, -1)]


def _seed(value):
    return int(value) if isinstance(value, str) and re.fullmatch(r"-?\d+", value) else value


def _sms_from_outbox(outbox, app_id, code, at):
    """True when `code` is the latest MIIT code sent for the application before `at`."""
    latest = None
    for m in outbox:
        if m.get("app_id") == app_id and m.get("code") == "MIIT_SMS_CODE" and m["_epoch"] <= at + 1e-6:
            latest = m
    return latest is not None and code in latest["text"]


def _advance_step(body):
    body = body or {}
    if body.get("until_idle"):
        if body.get("include_deadlines"):
            return {"advance": {"until_idle": True, "include_deadlines": True}}
        return {"advance": "until_idle"}
    return {"advance": body.get("duration")}


def _clean(body):
    if isinstance(body, dict):
        return {k: v for k, v in body.items() if k not in _VOLATILE}
    return body


def _otp_from_outbox(outbox, app_id, mobile, code, at):
    """True when `code` is the latest phone code sent to `mobile` for the application before `at`."""
    latest = None
    for m in outbox:
        mine = m.get("app_id") == app_id and m.get("code") == "PHONE_OTP_CODE" and m.get("to") == mobile
        if mine and (at is None or m["_epoch"] <= at + 1e-6):
            latest = m
    return latest is not None and code in latest["text"]


def _stage_step(method, path, body, outbox, at):
    """The stages before submission as their scenario steps (README "Writing a scenario"): an
    upload (journaled without its file) replays with the scenario's generated image; the phone
    code the person read from their phone is read from the outbox again. None: another call."""
    if method != "POST":
        return None
    body = body if isinstance(body, dict) else {}
    if m := _AGREEMENT.match(path):
        return {"accept_agreement": m.group(1)}
    if m := _UPLOAD.match(path):
        return {"upload_materials": {"app": m.group(1), "slots": [m.group(2)]}}
    if m := _FACE_RESULT.match(path):
        spec = {"app": m.group(2), "task": m.group(1)}
        if body.get("passed") is False:
            spec["passed"] = False
        if body.get("reason") is not None:
            spec["reason"] = body["reason"]
        return {"pass_face_checks": spec}
    m = _PHONE_VERIFY.match(path)
    if m and _otp_from_outbox(outbox, m.group(1), m.group(2), str(body.get("code")), at):
        return {"verify_phones": {"app": m.group(1), "mobile": m.group(2)}}
    return None


def _step(entry, outbox):
    method, path, body = entry["method"], entry["path"], entry.get("body")
    step = None
    if entry["status"] >= 400 and not _SMS.match(path):
        step = None  # a refused call is replayed as the raw call it was (below)
    elif (stage := _stage_step(method, path, body, outbox, entry["at"])) is not None:
        step = stage
    elif method == "POST" and path == "/clock/advance":
        step = _advance_step(body)
    elif method == "POST" and _SMS.match(path) and isinstance(body, dict):
        app_id = _SMS.match(path).group(1)
        if _sms_from_outbox(outbox, app_id, str(body.get("code")), entry["at"]):
            step = {"verify_sms": {"app": app_id}}
        else:
            step = {"verify_sms": {"app": app_id, "code": str(body.get("code"))}}
    elif method == "POST" and path == "/faults":
        step = {"fault": {k: v for k, v in (body or {}).items() if v is not None}}
    elif method == "DELETE" and path == "/faults":
        step = {"clear_faults": True}
    elif method == "POST" and path == "/conversations":
        step = {"chat_start": _clean(body) or {}}
    elif method == "POST" and _REPLIES.match(path):
        reply = _clean(body) or {}
        typed = str(reply.get("text") or "").strip()
        for m in reversed(outbox):  # the user typed the code MIIT sent: read it from the outbox again
            if re.fullmatch(r"\d{6}", typed) and m.get("code") == "MIIT_SMS_CODE" and m["_epoch"] <= entry["at"] + 1e-6:
                if typed in m["text"]:
                    reply = dict(reply, text=f"${{sms_code.{m['app_id']}}}")
                break
        step = {"chat": {"conversation": _REPLIES.match(path).group(1), "reply": reply}}
    if step is None:
        call = {"method": method, "path": path}
        if body is not None:
            call["body"] = body
        if entry.get("who") == "control":
            call["token"] = "control"
        step = {"call": call}
    if entry["status"] >= 400:
        step["expect"] = {"status": entry["status"]}
    return step


def _instant(epoch):
    """A virtual instant to the millisecond (a running clock's calls fall between seconds)."""
    return to_datetime(epoch).isoformat(timespec="milliseconds")


def _literal(text):
    """A regular expression matching exactly `text` (record numbers need no escaping)."""
    return re.sub(r"([.^$*+?{}\[\]\\|()])", r"\\\1", text)


def _final_expectations(applications, now):
    apps = {}
    for app in applications:
        want = {"state": app["state"]}
        codes = [a.get("code") for a in app.get("audit_data") or []]
        if codes:
            want["audit_codes"] = codes
        result = app.get("result") or {}
        if result.get("entity_number"):
            want["record_number"] = _literal(result["entity_number"])
        if result.get("website_numbers"):
            want["website_numbers"] = [_literal(n) for n in result["website_numbers"]]
        apps[app["id"]] = want
    expect = {}
    if apps:
        expect["applications"] = apps
    expect["clock"] = iso(now)
    return expect


# Real seconds by which a request's own clock reading may trail the `at` its journal entry
# noted: on a running clock a replayed call happens up to SLACK × scale virtual seconds
# earlier than the recorded one did, and so do the timers it arms.
SLACK_REAL_SECONDS = 2.0


def _world_at_end(r, sid):
    """The applications and the pending timers' due times, read in one MULTI (a worker
    delivering a timer meanwhile changes both at once, never one of them)."""
    pipe = r.pipeline(transaction=True)
    pipe.hgetall(keys.collection(sid, "applications"))
    pipe.zrange(keys.timers(sid), 0, -1, withscores=True)
    docs, timers = pipe.execute()
    applications = [store.decode(docs[i]) for i in sorted(docs, key=store.id_order)]
    return applications, [due for _, due in timers]


def _end_instant(clock, now, vt, applications, dues):
    """Where the replay's clock stops, to the millisecond its `advance: {to:}` carries.

    A paused clock: where it is. A running clock: the one reading `now` taken for the whole
    export (it moves between two reads), pulled back before any timer still pending that the
    replay could fire early (one due within the slack, or overdue and not yet delivered by a
    worker: the recorded world had not seen it), but never before the last call or the last
    move of an application (the recorded world has seen those)."""
    if clock.scale <= 0 or vt is None or now <= vt:
        return now
    slack = clock.scale * SLACK_REAL_SECONDS
    end = min([now] + [due - slack for due in dues if due - slack < now])
    moved = [parse_instant(a["updated_at"]) + 1 for a in applications if a.get("updated_at")]  # iso: whole seconds
    end = max([end, vt] + [min(now, t) for t in moved])
    return parse_instant(_instant(end))


def export(r, sid):
    """The sandbox's session as a scenario (a dict; the API dumps it as YAML or JSON)."""
    info = sandboxes.describe(r, sid)
    meta = r.hgetall(keys.sandbox(sid))
    origin = json.loads(meta.get("origin") or "{}")
    reader = store.read(r, sid)
    clock = world.clock(reader)
    start = origin.get("clock_start")
    outbox = [mail.unpack(store.decode(m)) for m in r.lrange(keys.outbox(sid), 0, -1)]
    for m in outbox:
        m["_epoch"] = parse_instant(m["at"])
    steps, vt = _journal_steps(r, sid, outbox, start)
    applications, dues = _world_at_end(r, sid)
    now = _end_instant(clock, world.now(reader), vt, applications, dues)
    if clock.scale > 0 and vt is not None and now > vt:
        steps.append({"advance": {"to": _instant(now)}})  # a running clock went on after the last call
    lost = dropped(r, sid)
    if lost is None:  # an incomplete recording cannot promise the final state
        expect = _final_expectations(applications, now)
        if expect:
            steps.append({"name": "final state", "expect": expect})
    world_ = {"preset": info["preset"]}
    if start is not None:
        world_["clock_start"] = iso(start)
    if info["settings"]:
        world_["settings"] = info["settings"]
    return {
        "version": FORMAT_VERSION,
        "name": f"recording of sandbox {info['name']}",
        "description": _description(sid, info, lost),
        "seed": _seed(info["seed"]),
        "world": world_,
        "steps": steps,
    }


def _journal_steps(r, sid, outbox, start):
    """(the journal's calls as steps, the virtual time after the last one); the time the clock
    ran between two calls becomes an `advance` to the next call's instant."""
    steps, vt = [], start
    for entry in entries(r, sid):
        if entry["path"] == "/clock/scale":
            # a scenario runs on a paused clock: a speed change becomes the time it let pass
            target = entry.get("now") or entry.get("at")
            if vt is not None and target is not None and target - vt >= 1:
                steps.append({"advance": {"to": _instant(target)}})
                vt = target
            continue
        if vt is not None and entry.get("at") is not None and entry["at"] - vt >= 1:
            steps.append({"advance": {"to": _instant(entry["at"])}})  # the clock ran between two calls
        step = _step(entry, outbox)
        if not _joined(steps, step):
            steps.append(step)
        vt = entry.get("now", entry.get("at", vt))
    return steps, vt


def _joined(steps, step):
    """Uploads one after another to the same application become one upload_materials step."""
    before = steps[-1].get("upload_materials") if steps and len(steps[-1]) == 1 else None
    now = step.get("upload_materials") if len(step) == 1 else None
    if before is None or now is None or before["app"] != now["app"]:
        return False
    before["slots"].append(now["slots"][0])
    return True


def _description(sid, info, lost):
    description = f"Recorded from sandbox {sid} (seed {info['seed']}) by GET /api/v1/sandboxes/{sid}/recording."
    if lost is not None:
        description += (
            f" INCOMPLETE: the journal reached its cap (ICPSIM_JOURNAL_MAX_ENTRIES / "
            f"ICPSIM_JOURNAL_MAX_BYTES) and the last {lost['calls']} calls ({lost['bytes']} bytes) "
            "were not recorded; the final state is not asserted."
        )
    return description
