"""Compact storage (store/packing.py): what is stored packed reads back byte for byte, plain
JSON stored before still reads, and the vocabulary the packed values depend on never changes."""

import hashlib
import json

import pytest
from support.people import ZHANG_SAN_ID, personal_payload

from api.flows import CONTROL, act, create_app, ok, register_domain, sms_code, until_idle, usable_ip, verify
from backend.store import keys, packing, tx as store

# Every value packed with vocabulary 1 needs exactly this file: a new vocabulary is a new file and tag.
VOCABULARY_1_SHA256 = "f072882ac9fec60e8ff4858aabe2b312d99dc3797c0e35493de37b3578652eb3"


def test_the_vocabulary_is_frozen():
    assert hashlib.sha256(packing.VOCABULARY).hexdigest() == VOCABULARY_1_SHA256


@pytest.mark.parametrize(
    "doc",
    [
        {"id": "A0001", "state": "approved", "note": "张三的个人博客 " * 40},
        {"action": "submit", "actor": "user", "at": "2026-06-01T09:00:00+08:00", "from": "draft", "to": "x"},
        {"text": "【工信部】您的ICP备案短信核验码为 123456", "emoji": "😀", "esc": '"\\\n\u2028'},
        {"n": 1},
    ],
)
def test_packed_documents_read_back_byte_for_byte(doc):
    text = store.dumps(doc)
    stored = store.encode(doc)
    assert packing.unpack(stored) == text and store.decode(stored) == doc
    assert len(stored) <= len(text.encode())  # never longer than the JSON (a tiny one stays plain)


def test_values_packed_in_the_first_format_still_read():
    """`~1` (the same vocabulary, Base85) was written before Base64 replaced it: it reads as it did."""
    import base64
    import zlib

    text = store.dumps({"id": "A0001", "state": "approved", "note": "张三的个人博客"})
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, packing.VOCABULARY)
    old = "~1" + base64.b85encode(c.compress(text.encode()) + c.flush()).decode("ascii")
    assert packing.unpack(old) == text and packing.pack(text).startswith("~2")


def _packed_with(text, wbits, mem_level, level=9):
    import base64
    import zlib

    c = zlib.compressobj(level, zlib.DEFLATED, wbits, mem_level, zlib.Z_DEFAULT_STRATEGY, packing.VOCABULARY)
    return packing.TAG + base64.b64encode(c.compress(text.encode()) + c.flush()).decode("ascii")


# a large document: more than the compressor's 16 KB window beyond the vocabulary, repeats far apart
_BIG = {"id": "A0002", "payload": {f"site{i}": {"name": f"张三的第{i}个网站", "n": i * 7919} for i in range(400)}}


@pytest.mark.parametrize(
    "doc",
    [
        {"id": "A0001", "state": "approved", "note": "张三的个人博客 " * 40},
        {"action": "submit", "actor": "user", "at": "2026-06-01T09:00:00+08:00", "from": "draft", "to": "x"},
        _BIG,
    ],
)
def test_values_packed_with_the_former_window_still_read(doc):
    """`~2` values were packed at level 9 with a 32 KB window at memLevel 9 until the smaller
    state (WBITS, MEM_LEVEL) and the faster level (LEVEL) replaced them: they read back byte for
    byte, and the new ones are at most a little longer."""
    text = store.dumps(doc)
    assert len(text.encode()) > 20_000 or doc is not _BIG
    old = _packed_with(text, -15, 9)
    assert packing.unpack(old) == text
    new = packing.pack(text)
    assert (packing.LEVEL, packing.WBITS, packing.MEM_LEVEL) == (4, -14, 5) and new == _packed_with(text, -14, 5, 4)
    assert packing.unpack(new) == text and store.decode(new) == doc
    assert len(new) <= len(old) * 1.15 + 8


def test_the_16_kb_window_holds_the_whole_vocabulary():
    """The preset dictionary is used whole: its first bytes pack to a back-reference as its last
    do (a window too small for it, 8 KB, leaves the first ones out: ~200 bytes packed)."""
    assert len(packing.VOCABULARY) < 2**14 - 262  # deflate reaches back at most its window less 262 bytes
    for part in (packing.VOCABULARY[:300], packing.VOCABULARY[6000:6300], packing.VOCABULARY[-300:]):
        text = part.decode(errors="ignore")
        assert len(packing.pack(text)) < 40 and packing.unpack(packing.pack(text)) == text  # back-references
    assert len(_packed_with(packing.VOCABULARY[:300].decode(errors="ignore"), -13, 5)) > 200


def test_plain_json_reads_as_it_is():
    assert packing.unpack('{"id":"A0001"}') == '{"id":"A0001"}'
    assert store.decode('{"id":"A0001"}') == {"id": "A0001"}
    assert packing.pack("{}") == "{}"  # shorter than any packed form


def _approved_first_filing(sb):
    register_domain(sb, "zhangsan-blog.cn")
    app = create_app(sb, personal_payload(usable_ip(sb)))["id"]
    act(sb, app, "submit")
    until_idle(sb)
    ok(verify(sb, app, sms_code(sb, app)))
    until_idle(sb)
    assert ok(sb.get(f"~/applications/{app}"))["state"] == "approved"
    return app


def test_stored_values_are_packed_and_answers_unchanged(sandbox, r):
    app = _approved_first_filing(sandbox)
    stored = r.hget(keys.collection(sandbox.sid, "applications"), app)
    assert stored.startswith(packing.TAG)
    assert json.loads(packing.unpack(stored))["state"] == "approved"
    for key in (keys.outbox(sandbox.sid), keys.history(sandbox.sid, app), keys.journal(sandbox.sid)):
        assert all(v.startswith(packing.TAG) for v in r.lrange(key, 0, -1)), key
    # the snapshot export carries JSON text, not the stored form
    exported = json.loads(sandbox.get("~/snapshot", token=CONTROL).get_data(as_text=True))
    assert not any(
        str(v).startswith(packing.TAG) for entry in exported["keys"].values() for v in _values(entry["value"])
    )


def _values(value):
    return value.values() if isinstance(value, dict) else value


def sandbox_bytes(r, sid):
    names = set(keys.indexed(sid, r)) | {keys.sandbox(sid)}
    return sum(r.memory_usage(k, samples=0) or 0 for k in names)


def test_an_approved_first_filing_keeps_under_4_kb(control, r):
    """Issue #11's goal, measured as `make bench` does: a sandbox after an approved first
    filing, minus one that only registered the domain (deterministic: the embedded Redis)."""
    from api.flows import new_sandbox

    filed = new_sandbox(control, seed=11)
    _approved_first_filing(filed)
    base = new_sandbox(control, seed=12)
    register_domain(base, "zhangsan-blog.cn", holder_cert=ZHANG_SAN_ID)
    grown = sandbox_bytes(r, filed.sid) - sandbox_bytes(r, base.sid)
    assert grown <= 4 * 1024, grown
