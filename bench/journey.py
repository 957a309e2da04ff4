"""The README's headline tour as it stands (steps 1–11 of "The first hour"): the whole journey
before submission — the real forms, the agreement, the owner's mobile by its code, the face
check, three materials uploaded as images — then the reviews, over HTTP; and its floor, the
same calls run alike on the floor endpoint (bench.measures.floor_filing)."""

import io
import time

from support.people import full_personal_payload

from bench import measures as m

SLOTS = ("entity_owner_id_front", "entity_owner_id_back", "commitment_letter")


def id_png(mark=""):
    """README step 8's image: an ID card photo drawn with Pillow (1200×800, a red frame, the number);
    `mark` makes each journey's image its own, so none is known to the server before (its checks
    remember images by content: within a journey, as in the README, one file serves three slots)."""
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (1200, 800), "white")
    d = ImageDraw.Draw(im)
    d.rectangle((20, 20, 1180, 780), outline="red", width=6)
    d.text((60, 60), "440305199001010018", fill="black")
    d.text((60, 720), str(mark), fill="black")
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()


def _code(http, home):
    return http("GET", f"{home}/outbox", params={"channel": "sms"})[-1]["text"].split("为 ")[1][:6]


def readme_filing(ctx, seed, http, png=None):
    """Steps 1–11 of the README's tour (its own calls, a sandbox with no settings): seconds.
    `png`: the image to upload, else one drawn for this seed."""
    png = png or id_png(seed)  # drawn before the clock starts (the README draws it before step 8's calls too)
    start = time.perf_counter()
    sb = http("POST", "/sandboxes", json={"seed": seed, "preset": "eligible"})
    home = f"/sandboxes/{sb['id']}"
    ip = http("GET", f"{home}/eligibility")["usable_ips"][0]["ip"]
    http("POST", f"{home}/domains", json=dict(m.DOMAIN))
    app = http("POST", f"{home}/applications", json={"kind": "first_filing", "payload": full_personal_payload(ip)})
    at = f"{home}/applications/{app['id']}"
    http("GET", f"{at}/requirements")
    http("POST", f"{at}/agreement")
    http("POST", f"{at}/phone-checks/13800138000/send")
    http("POST", f"{at}/phone-checks/13800138000/verify", json={"code": _code(http, home)})
    task = http("POST", f"{at}/face-checks")[0]["id"]
    http("POST", f"{home}/face-checks/{task}/result", json={"passed": True})
    for slot in SLOTS:
        http("POST", f"{at}/materials/{slot}", files={"file": ("id.png", png, "image/png")})
    if not http("GET", f"{at}/requirements")["ready"]:
        raise RuntimeError("the README's journey is not ready to submit")
    http("POST", f"{at}/actions/submit")
    http("POST", f"{home}/clock/advance", json={"until_idle": True})
    http("POST", f"{at}/sms-verification", json={"code": _code(http, home)})
    http("POST", f"{home}/clock/advance", json={"until_idle": True})
    state = http("GET", at)["state"]
    if state != "approved":
        raise RuntimeError(f"the README's first filing ended {state}")
    return time.perf_counter() - start


def journey_round(ctx, n):
    """n README journeys, each paired with its floor run alike (which goes first alternating)."""
    sent: list = []

    def icp():
        http = m.Http(ctx.stack.base, ctx.stack.control)
        elapsed = readme_filing(ctx, ctx.seed(), http)
        sent[:] = http.sent
        return elapsed

    return m.pairs_of(icp, lambda: m.floor_filing(ctx, sent), n)  # the first pair runs icpsim first


def measure(ctx):
    """One round of the README journey figure: (median icpsim, median floor, median pair ratio)."""
    pairs = journey_round(ctx, 1 if ctx.quick else 3)
    ctx.notes.setdefault("README journey ms: (icpsim, floor run alike) pairs", []).append(
        [(round(a * 1000, 1), round(b * 1000, 1)) for a, b in pairs]
    )
    return m.paired(pairs)
