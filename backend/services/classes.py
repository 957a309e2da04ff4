"""A class (issue #14): N trainee sandboxes made at once, one seed and one name each,
with their mini-program links and QR codes, and everyone's progress side by side."""

import io
import json
import secrets
from datetime import datetime, timezone

import segno

from backend.domain.clock import CST, DEMO
from backend.domain.errors import NotFound, fail
from backend.services import console, sandboxes
from backend.store import keys

MAX_SIZE = 60
MAX_CLASSES = 100
DEFAULT_SCALE = 20000  # with demo pacing: reviews in seconds, the trainee's turn in real time


def link(sid, token, base_url=""):
    """The trainee's page. The token rides in the fragment: browsers never send it to the
    server, so it reaches no access log; the page moves it to its storage and drops it."""
    return f"{base_url.rstrip('/')}/miniprogram/?sandbox={sid}#token={token}"


def create(
    r,
    size,
    preset="training",
    seed_base=1,
    names=None,
    name=None,
    scale=DEFAULT_SCALE,
    pacing=DEMO,
    pre_submit_checks=None,
):
    """Arguments are checked by the API schema; each sandbox is made atomically (one MULTI).
    `pre_submit_checks` None: the server's default (the real stages before submission)."""
    cid = "cls_" + secrets.token_hex(4)
    names = list(names or [])
    settings = None if pre_submit_checks is None else {"pre_submit_checks": pre_submit_checks}
    made = []
    for i in range(size):
        trainee = names[i] if i < len(names) and names[i] else f"学员{i + 1:02d}"
        sb = sandboxes.create(
            r, seed=seed_base + i, preset=preset, scale=scale, pacing=pacing, name=trainee, settings=settings
        )
        made.append(sb["id"])
    doc = {
        "id": cid,
        "name": name or f"培训班 {datetime.now(CST):%m-%d %H:%M}",  # read in China, as every clock is
        "preset": preset,
        "seed_base": seed_base,
        "scale": scale,
        "pacing": pacing,
        "sandboxes": made,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    r.hset(keys.CLASSES, cid, json.dumps(doc, ensure_ascii=False))
    return doc


def _doc(r, cid):
    raw = r.hget(keys.CLASSES, cid)
    if raw is None:
        raise fail("CLASS_NOT_FOUND", class_id=cid)
    return json.loads(raw)


def list_all(r):
    docs = [json.loads(v) for v in r.hvals(keys.CLASSES)]
    return sorted(docs, key=lambda d: d["created_at"])[-MAX_CLASSES:]


def count(r):
    return r.hlen(keys.CLASSES)


def view(r, cid, base_url=""):
    """The class with each trainee: link, clock, latest application and its progress.
    A sandbox deleted since is listed as gone."""
    doc = _doc(r, cid)
    trainees = []
    for sid in doc["sandboxes"]:
        try:
            sb = console.sandbox_summary(r, sid)
        except NotFound:
            trainees.append({"sandbox_id": sid, "gone": True})
            continue
        trainees.append(
            {
                "sandbox_id": sid,
                "name": sb["name"],
                "seed": sb["seed"],
                "token": sb["token"],
                "link": link(sid, sb["token"], base_url),
                "clock": sb["clock"],
                "version": sb["version"],
                "application": (sb["applications"] or [None])[-1],
                "gone": False,
            }
        )
    return dict(doc, trainees=trainees)


def delete(r, cid, with_sandboxes=True):
    doc = _doc(r, cid)
    if with_sandboxes:
        for sid in doc["sandboxes"]:
            try:
                sandboxes.delete(r, sid)
            except NotFound:
                pass
    r.hdel(keys.CLASSES, cid)


def qr(r, cid, sid, base_url, kind="svg"):
    """The trainee's link as a QR code (SVG or PNG bytes), for a phone's camera."""
    doc = _doc(r, cid)
    if sid not in doc["sandboxes"]:
        raise fail("SANDBOX_NOT_FOUND", sandbox_id=sid)  # not one of the class's
    sb = sandboxes.describe(r, sid)
    out = io.BytesIO()
    code = segno.make(link(sid, sb["token"], base_url), error="m")
    if kind == "png":
        code.save(out, kind="png", scale=6, border=2)
    else:
        code.save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return out.getvalue()
