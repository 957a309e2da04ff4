"""What `icpsim up` prepares: the control token and the demo sandbox."""
from backend.services import auth, sandboxes
from backend.store import keys

DEMO_ID = "demo"
# The demo runs on its own: 1 real second = 20000 virtual seconds, so a first filing
# (about 15 calendar days) completes in about a minute. The SMS window is widened to
# 30 virtual days (~2 real minutes) so a person has time to type the code.
DEMO_SCALE = 20000
DEMO_SETTINGS = {"sms_window_hours": 720}


def prepare(r):
    token = auth.ensure_control_token(r)
    if not r.exists(keys.sandbox(DEMO_ID)):
        sandboxes.create(r, seed=2026, preset="demo", scale=DEMO_SCALE, settings=DEMO_SETTINGS,
                         name="demo", sid=DEMO_ID)
    demo = sandboxes.describe(r, DEMO_ID)
    return {"control_token": token, "demo_sandbox_id": DEMO_ID, "demo_token": demo["token"]}
