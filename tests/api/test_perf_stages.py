"""Round trips of the README tour's stages before submission (issue #11): each call reads what
it needs once, in one pipelined round trip, and a change's journal entry rides in its commit
(its view declares its one success status: api/journal.py). An upload checks the order and
writes its file inside its transaction, so a refusal never removes a file it did not write."""

import pathlib

import pytest
from conftest import Api, new_sandbox
from support.images import png
from support.people import full_personal_payload

from api.flows import assert_error, create_app, ok, otp_code, register_domain, upload, usable_ip
from api.test_perf_paths import _round_trips
from backend.services import materials, recording
from backend.store import keys

SLOTS = ("entity_owner_id_front", "entity_owner_id_back", "commitment_letter")
MOBILE = "13800138000"  # the owner's mobile in full_personal_payload

# Each call of the tour's stages (bench/journey.py), in order. The token check (with the
# rate-limit counter, and a GET's order) is in every one; a change adds its WATCH with every
# read and its MULTI, which carries the journal's entry. [Before: 6, 4, 4, 4, 4, 4, 8 × 3, 6, 6.]
TOUR_TRIPS = [
    ("GET requirements", 2),  # the sandbox and the stages' collections in one pipeline
    ("POST agreement", 3),
    ("POST phone-checks send", 3),
    ("POST phone-checks verify", 3),
    ("POST face-checks", 3),
    ("POST face-check result", 3),
    *[(f"POST materials/{slot}", 3) for slot in SLOTS],  # no reads before the transaction
    ("GET requirements", 2),
    ("POST submit", 3),  # the stages' collections come with the submit's prefetch
]


@pytest.fixture
def uploads(tmp_path, monkeypatch):
    monkeypatch.setenv("ICPSIM_UPLOADS_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


def _strict(control, seed):
    """A sandbox with the real stages (the server's default), as the README's tour makes it."""
    data = ok(control.post("/api/v1/sandboxes", json={"seed": seed, "preset": "eligible"}), 201)
    sb = Api(control.client, data["id"], data["token"])
    register_domain(sb, "zhangsan-blog.cn")
    return sb


def _tour(sb, image):
    """The tour's stages and its submit; [(call, round trips)] and the order's id."""
    app = create_app(sb, full_personal_payload(usable_ip(sb)))["id"]
    at, spent = f"~/applications/{app}", []

    def counted(name, call, status=200):
        with _round_trips() as trips:
            out = ok(call(), status)
        spent.append((name, trips["n"]))
        return out

    counted("GET requirements", lambda: sb.get(f"{at}/requirements"))
    counted("POST agreement", lambda: sb.post(f"{at}/agreement"))
    counted("POST phone-checks send", lambda: sb.post(f"{at}/phone-checks/{MOBILE}/send"), 201)
    code = otp_code(sb, app, MOBILE)
    counted("POST phone-checks verify", lambda: sb.post(f"{at}/phone-checks/{MOBILE}/verify", json={"code": code}))
    task = counted("POST face-checks", lambda: sb.post(f"{at}/face-checks"), 201)[0]["id"]
    counted("POST face-check result", lambda: sb.post(f"~/face-checks/{task}/result", json={"passed": True}))
    for slot in SLOTS:
        counted(f"POST materials/{slot}", lambda slot=slot: upload(sb, app, slot, image), 201)
    assert counted("GET requirements", lambda: sb.get(f"{at}/requirements"))["ready"]
    assert counted("POST submit", lambda: sb.post(f"{at}/actions/submit"))["state"] == "provider_review"
    return spent, app


def test_the_tour_stages_read_what_they_need_at_once(control, r, uploads, monkeypatch):
    monkeypatch.setenv("ICPSIM_IDLE_SWEEP_SECONDS", "3600")  # no sweep of idle sandboxes mid-count
    image = png(1200, 800)
    _tour(_strict(control, 30), image)  # scripts loaded, connections open, the sweep done
    sb = _strict(control, 31)
    spent, app = _tour(sb, image)
    assert spent == TOUR_TRIPS
    # each journaled once, with the status it answered (none taken back and appended again)
    journal = [(e["path"], e["status"]) for e in recording.entries(r, sb.sid)]
    assert journal == [
        ("/domains", 201),
        ("/applications", 201),
        (f"/applications/{app}/agreement", 200),
        (f"/applications/{app}/phone-checks/{MOBILE}/send", 201),
        (f"/applications/{app}/phone-checks/{MOBILE}/verify", 200),
        (f"/applications/{app}/face-checks", 201),
        (f"/face-checks/{app}:1/result", 200),
        *[(f"/applications/{app}/materials/{slot}", 201) for slot in SLOTS],
        (f"/applications/{app}/actions/submit", 200),
    ], journal


def _lenient(control, seed):
    """A sandbox without the stages' checks (uploads need no face check first; submit needs no upload)."""
    sb = new_sandbox(control, seed=seed, preset="eligible")
    register_domain(sb, "zhangsan-blog.cn")
    return sb, create_app(sb, full_personal_payload(usable_ip(sb)))["id"]


def test_a_refused_upload_leaves_the_file_of_the_same_bytes_in_place(control, uploads):
    """The order is checked inside the upload's transaction: a refusal (here: the order is no
    longer editable) removes nothing, not even the file an earlier upload of the same bytes wrote."""
    sb, app = _lenient(control, 32)
    image = png()
    doc = ok(upload(sb, app, "commitment_letter", image), 201)
    ok(sb.post(f"~/applications/{app}/actions/submit"))
    assert_error(upload(sb, app, "commitment_letter", image), 409)
    assert (uploads / doc["path"]).read_bytes() == image


def test_an_upload_whose_transaction_runs_again_writes_its_file_once(control, r, uploads, monkeypatch):
    sb, app = _lenient(control, 33)
    runs, writes = [], []
    original_check, original_write = materials.face_check_first, pathlib.Path.write_bytes

    def meddling(tx, order):  # another client changes a key the transaction watches, once
        runs.append(1)
        if len(runs) == 1:
            r.hset(keys.collection(sb.sid, "materials"), "elsewhere", "x")
            r.hdel(keys.collection(sb.sid, "materials"), "elsewhere")
        return original_check(tx, order)

    def counted_write(path, data):
        writes.append(path)
        return original_write(path, data)

    monkeypatch.setattr(materials, "face_check_first", meddling)
    monkeypatch.setattr(pathlib.Path, "write_bytes", counted_write)
    doc = ok(upload(sb, app, "commitment_letter", png()), 201)
    assert len(runs) == 2 and writes == [uploads / doc["path"]], (runs, writes)
    assert doc["version"] == 1 and (uploads / doc["path"]).exists()
    entries = [e for e in recording.entries(r, sb.sid) if e["path"].endswith("/commitment_letter")]
    assert [e["status"] for e in entries] == [201]


def test_a_face_check_begin_and_resend_journal_in_their_commit(control, r, monkeypatch):
    """Both declare their one success status (200): the journal's entry rides in the commit, no
    round trip of its own (before: 4 each)."""
    monkeypatch.setenv("ICPSIM_IDLE_SWEEP_SECONDS", "3600")
    sb = _strict(control, 34)
    app = create_app(sb, full_personal_payload(usable_ip(sb)))["id"]
    task = ok(sb.post(f"~/applications/{app}/face-checks"), 201)[0]["id"]
    spent = []
    for name in ("begin", "resend"):
        with _round_trips() as trips:
            ok(sb.post(f"~/face-checks/{task}/{name}"))
        spent.append((name, trips["n"]))
    assert spent == [("begin", 3), ("resend", 3)]
    journal = [(e["path"], e["status"]) for e in recording.entries(r, sb.sid)][-2:]
    assert journal == [(f"/face-checks/{task}/begin", 200), (f"/face-checks/{task}/resend", 200)]


def test_the_stages_gets_read_the_order_once(control, monkeypatch):
    """A GET naming an order has it read with its token check (common.reader): the agreement needs
    nothing more, the lists their collections (and the clock) in one more round trip (before: the
    order was read again, then each collection on its own: up to 4)."""
    monkeypatch.setenv("ICPSIM_IDLE_SWEEP_SECONDS", "3600")
    sb = _strict(control, 35)
    app = create_app(sb, full_personal_payload(usable_ip(sb)))["id"]
    at = f"~/applications/{app}"
    ok(sb.post(f"{at}/face-checks"), 201)
    ok(sb.post(f"{at}/phone-checks/{MOBILE}/send"), 201)
    spent = {}
    for name in ("agreement", "materials", "face-checks", "phone-checks"):
        with _round_trips() as trips:
            body = ok(sb.get(f"{at}/{name}"))
        spent[name] = trips["n"]
        assert body, name
    assert spent == {"agreement": 1, "materials": 2, "face-checks": 2, "phone-checks": 2}
