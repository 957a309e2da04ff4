"""Soak: N first filings through the real stack while workers are SIGKILLed and Redis restarts.

    python -m bench.soak --applications 240 --kills 40 --redis-restart

Starts an embedded Redis (append-only file on), gunicorn and RQ workers (`python -m
workers.run`, as the Procfile), one sandbox per application (an account holds one order at
a time): even ones on a running clock (the workers' scheduler delivers their timers), odd
ones on a paused clock moved by `advance until_idle` (the advance delivers them). It files
and submits every application over HTTP, then drives each to approval (SMS code from the
outbox, resubmit after a rejection) while, at seeded random moments, it SIGKILLs a worker
K times (a new one is started in its place, as a supervisor would) and, with
--redis-restart, stops and starts Redis once. It prints:

    applications, kills, redis restarts, lost, duplicate record numbers, stuck, max timer lag

lost: an application that answered 201 and is gone, or approved without its numbers;
duplicate: a record number issued twice in a sandbox, or an approval recorded twice;
stuck: not approved when the time budget ran out; max timer lag: the longest a due timer of
a running clock was seen waiting (real seconds). A running clock's application whose due
timer waited --stall-after seconds is advanced by hand (`advanced_after_stall` counts them;
the lag still shows how late the scheduler was). Exits 1 on lost, duplicate or stuck, and
on a lag over --max-lag when given.
Every loop is bounded in count and time (--timeout).
"""

import argparse
import json
import random
import re
import secrets
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests

from backend.runtime.stack import Stack

SCALE = 50_000  # a running clock: one virtual day in under 2 real seconds
FAST = {
    "provider_review_wd": 1,
    "to_bureau_wd_min": 1,
    "to_bureau_wd_max": 1,
    "bureau_wd": 1,
    "pre_submit_checks": False,
}
PERSON = {
    "name": "张三",
    "certificate_type": "resident_id",
    "certificate_number": "440305199001010018",
    "mobile": "13800138000",
    "email": "zhangsan@example.com",
}
BUSY = ("provider_review", "provider_approved", "bureau_review")


def payload(nat_ip):
    entity = {
        "type": "personal",
        "name": "张三",
        "certificate_type": "resident_id",
        "certificate_number": PERSON["certificate_number"],
        "province": "44",
        "address": "广东省深圳市南山区科技园路 1 号",
        "responsible": PERSON,
    }
    return {
        "entity": entity,
        "websites": [
            {"name": "张三的个人博客", "domain": "zhangsan-blog.cn", "service_content": "blog", "nat_ip": nat_ip}
        ],
    }


class Client:
    """HTTP with a short timeout; a failure (Redis restarting, a 5xx) is None, counted."""

    def __init__(self, base, control):
        self.base, self.control, self.session, self.errors = base, control, requests.Session(), Counter()

    def call(self, method, path, token=None, body=None, want=(200, 201)):
        try:
            resp = self.session.request(
                method,
                self.base + path,
                json=body,
                timeout=60,
                headers={"Authorization": f"Bearer {token or self.control}"},
            )
        except requests.RequestException as exc:
            self.errors[type(exc).__name__] += 1
            return None
        if resp.status_code not in want:
            self.errors[str(resp.status_code)] += 1
            return None
        return resp.json() if resp.content else {}


class Filing:
    def __init__(self, n, running):
        self.n, self.running = n, running
        self.sid = self.token = self.app_id = None
        self.state, self.done = None, False
        self.since = time.monotonic()  # when its state last changed


def create(client, filing, seed):
    body = {"seed": seed * 1000 + filing.n, "preset": "demo", "settings": FAST, "scale": SCALE if filing.running else 0}
    sb = client.call("POST", "/sandboxes", body=body)
    if sb is None:
        return False
    filing.sid, filing.token = sb["id"], sb["token"]
    elig = client.call("GET", f"/sandboxes/{filing.sid}/eligibility", filing.token)
    app = elig and client.call(
        "POST",
        f"/sandboxes/{filing.sid}/applications",
        filing.token,
        {"kind": "first_filing", "payload": payload(elig["usable_ips"][0]["ip"])},
    )
    if app is None:
        return False
    filing.app_id, filing.state = app["id"], app["state"]
    return True


def _answer_sms(client, filing, home):
    """Read the MIIT SMS code from the outbox and answer it (a wrong code is a 422, not a failure)."""
    sms = client.call("GET", f"{home}/outbox?channel=sms&app_id={filing.app_id}", filing.token) or []
    codes = [m["text"] for m in sms if m.get("code") == "MIIT_SMS_CODE"]
    found = re.findall(r"(?<![0-9])([0-9]{6})(?![0-9])", codes[-1]) if codes else []
    code = found[0] if len(found) == 1 else None
    if code:
        client.call(
            "POST",
            f"{home}/applications/{filing.app_id}/sms-verification",
            filing.token,
            {"code": code},
            want=(200, 422),
        )


def _watch_timers(client, filing, home, lag, stall_after, nudged):
    """A running clock: record how late due timers are; advance by hand when one stalls."""
    clock = client.call("GET", f"{home}/clock")
    if not clock:
        return
    late = [clock["epoch"] - t["due"] for t in _pending(client, filing, clock) if clock["epoch"] > t["due"]]
    if late:
        lag[0] = max(lag[0], max(late) / SCALE)
    # the scheduler let a due timer wait this long: deliver it as QA would (the
    # advance runs it as its own job); counted, and the lag above says how late it was
    if (
        late
        and time.monotonic() - filing.since > stall_after
        and client.call("POST", f"{home}/clock/advance", body={"until_idle": True}) is not None
    ):
        nudged[0] += 1
        filing.since = time.monotonic()


def step(client, filing, lag, stall_after, nudged):
    """One move towards approval; returns the state seen."""
    home = f"/sandboxes/{filing.sid}"
    app = client.call("GET", f"{home}/applications/{filing.app_id}", filing.token)
    if app is None:
        return filing.state
    if app["state"] != filing.state:
        filing.since = time.monotonic()
    filing.state = state = app["state"]
    if state == "approved":
        filing.done = True
    elif state in ("draft", "provider_rejected", "bureau_rejected", "expired"):
        action = {"draft": "submit", "expired": "reopen"}.get(state, "resubmit")
        client.call("POST", f"{home}/applications/{filing.app_id}/actions/{action}", filing.token, {})
    elif state == "sms_verification":
        _answer_sms(client, filing, home)
    elif filing.running:
        _watch_timers(client, filing, home, lag, stall_after, nudged)
    else:
        client.call("POST", f"{home}/clock/advance", body={"until_idle": True})
    return state


def _pending(client, filing, clock):
    """Pending timers with their virtual due epoch (the clock view shows due_at as text)."""
    from backend.domain.clock import parse_instant

    return [dict(t, due=parse_instant(t["due_at"])) for t in clock.get("pending_timers", [])]


def audit(client, filings):
    """(lost, duplicates) over every sandbox, read after the drive."""
    lost = dup = 0
    for f in filings:
        if f.app_id is None:
            continue
        home = f"/sandboxes/{f.sid}"
        app = client.call("GET", f"{home}/applications/{f.app_id}", f.token)
        if app is None:
            lost += 1
            continue
        result = app.get("result") or {}
        if app["state"] == "approved" and not (result.get("entity_number") and result.get("website_numbers")):
            lost += 1
        history = client.call("GET", f"{home}/applications/{f.app_id}/history", f.token) or []
        dup += max(0, sum(1 for e in history if e.get("to") == "approved") - 1)
        numbers = [e.get("number") for e in client.call("GET", f"{home}/entities", f.token) or []]
        numbers += [w.get("number") for w in client.call("GET", f"{home}/websites", f.token) or []]
        dup += sum(c - 1 for n, c in Counter(n for n in numbers if n).items() if c > 1)
    return lost, dup


class _Disruptions:
    """The disruptions: K worker kills and one Redis restart at seeded moments of the first
    part of the run; calling it carries out those whose moment has come."""

    def __init__(self, args, stack, rand, started):
        window = max(5.0, min(args.timeout / 3, 5.0 + args.applications * 0.5))
        self.events = sorted(
            [(rand.uniform(1.0, window), "kill") for _ in range(args.kills)]
            + ([(rand.uniform(window / 3, window), "redis")] if args.redis_restart else [])
        )
        self.stack, self.rand, self.started = stack, rand, started
        self.kills = self.restarts = 0

    def __call__(self):
        while self.events and time.monotonic() - self.started >= self.events[0][0]:
            _, what = self.events.pop(0)
            if what == "kill" and self.stack.workers:
                self.stack.kill_worker(self.rand.randrange(len(self.stack.workers)))
                self.stack.add_worker()
                self.kills += 1
            elif what == "redis":
                self.stack.restart_redis(down_seconds=1.0)
                self.restarts += 1


def soak(args, stack):
    rand = random.Random(args.seed)
    client = Client(stack.base, stack.control)
    filings = [Filing(n, running=n % 2 == 0) for n in range(args.applications)]
    started = time.monotonic()
    deadline = started + args.timeout
    disrupt = _Disruptions(args, stack, rand, started)
    lag, nudged = [0.0], [0]
    _create_all(client, filings, args.seed, deadline, disrupt)
    _drive(client, filings, args.stall_after, deadline, disrupt, lag, nudged)
    lost, dup = audit(client, filings)
    stuck = sum(1 for f in filings if not f.done)
    report = {
        "applications": args.applications,
        "kills": disrupt.kills,
        "redis_restarts": disrupt.restarts,
        "lost": lost,
        "duplicate_record_numbers": dup,
        "stuck": stuck,
        "max_timer_lag_s": round(lag[0], 2),
        "advanced_after_stall": nudged[0],
        "seconds": round(time.monotonic() - started, 1),
        "http_errors": dict(client.errors),
        "stuck_states": dict(Counter(f.state for f in filings if not f.done)),
    }
    return report


def _create_all(client, filings, seed, deadline, disrupt):
    """Every filing's sandbox and order, through the disruptions (bounded retries)."""
    pending = list(filings)
    for _ in range(len(filings) * 20):
        if not pending or time.monotonic() > deadline:
            break
        disrupt()
        f = pending[0]
        if f.sid is not None:  # a half-created one: its sandbox exists, start it over elsewhere
            client.call("DELETE", f"/sandboxes/{f.sid}", want=(204, 404))
            f.sid = None
        if create(client, f, seed):
            pending.pop(0)


def _drive(client, filings, stall_after, deadline, disrupt, lag, nudged):
    """Each filing moved on until all are done and every disruption happened, or the deadline."""
    while time.monotonic() < deadline:
        disrupt()
        todo = [f for f in filings if f.app_id is not None and not f.done]
        if not todo and not disrupt.events:
            break
        for f in todo:
            step(client, f, lag, stall_after, nudged)
            disrupt()
        time.sleep(0.05 if todo else 0.2)


def _parser():
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=24)
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--redis-restart", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600.0, help="time budget in seconds")
    parser.add_argument(
        "--stall-after",
        type=float,
        default=20.0,
        help="a running clock's application with an overdue timer this long is advanced by hand",
    )
    parser.add_argument(
        "--max-lag", type=float, default=None, help="also fail when a due timer waited longer than this (real seconds)"
    )
    parser.add_argument("--json", action="store_true", help="print the report as one JSON line")
    parser.add_argument("--log", type=Path, default=None, help="keep the stack's log (web, workers) in this file")
    return parser


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    if not 1 <= args.applications <= 10_000 or not 0 <= args.kills <= 1000 or not 1 <= args.workers <= 32:
        parser.error("applications 1–10000, kills 0–1000, workers 1–32")
    tmp = Path(tempfile.mkdtemp(prefix="icpsim-soak-"))  # short: Redis's unix socket lives there
    try:
        with Stack(tmp, "soak-" + secrets.token_hex(8), tmp / "stack.log", workers=args.workers) as stack:
            report = soak(args, stack)
    finally:
        log = tmp / "stack.log"
        tail = log.read_text(errors="replace").splitlines()[-40:] if log.exists() else []
        if args.log is not None and log.exists():
            shutil.copyfile(log, args.log)
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        for key, value in report.items():
            print(f"{key:26} {value}")
    bad = (
        report["lost"]
        or report["duplicate_record_numbers"]
        or report["stuck"]
        or (args.max_lag is not None and report["max_timer_lag_s"] > args.max_lag)
    )
    if bad and tail:
        print("last lines of the stack's log:", *tail, sep="\n", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
