"""The memory figures of issue #11: Redis bytes a sandbox keeps for an approved first filing,
filed over REST (≤ 4 KB) and through the chat, its conversation included (≤ 8 KB); each minus a
sandbox that only registered the domain. `MEMORY USAGE` of every key of the sandbox's index."""

from api.chat_flows import ENTITY, RESPONSIBLE, WEBSITE

from bench import measures as m

FIRST_FILING = ("memory_per_first_filing_kb", "Redis KB per approved first filing (the sandbox's own keys)")
CHAT_FILING = (
    "memory_per_chat_filing_kb",
    "Redis KB per approved first filing through the chat, conversation included",
)


def first_filing_kb(ctx):
    _, _, _, sid = m.first_filing(ctx, ctx.seed())
    return _grown(ctx, sid), None


def chat_filing_kb(ctx):
    """A first filing through the chat over HTTP: the old menu's 首次备案, the three forms,
    submit, the reviews, MIIT's code answered in the chat, approved."""
    http = m.Http(ctx.stack.base, ctx.stack.control)
    sid = http("POST", "/sandboxes", json={"seed": ctx.seed(), "settings": dict(m.LENIENT)})["id"]
    home = f"/sandboxes/{sid}"
    http("POST", f"{home}/domains", json=dict(m.DOMAIN))
    conv = f"{home}/conversations/" + http("POST", f"{home}/conversations", json={})["id"]
    answers = [{"choice": "start"}, {"choice": "first_filing"}, {"form": ENTITY}, {"form": RESPONSIBLE}]
    answers += [{"form": WEBSITE}, {"choice": "submit"}]
    for n, answer in enumerate(answers, 1):
        step = http("POST", f"{conv}/replies", json={"client_message_id": f"m{n}", **answer})["step"]
    http("POST", f"{home}/clock/advance", json={"until_idle": True})
    code = http("GET", f"{home}/outbox", params={"channel": "sms"})[-1]["text"].split("核验码为 ")[1][:6]
    http("POST", f"{conv}/replies", json={"client_message_id": "sms", "text": code})
    http("POST", f"{home}/clock/advance", json={"until_idle": True})
    app = http("GET", conv)["application_id"]
    state = http("GET", f"{home}/applications/{app}")["state"]
    if step != "tracking" or state != "approved":
        raise RuntimeError(f"the chat's first filing ended at step {step}, state {state}")
    return _grown(ctx, sid), None


def _grown(ctx, sid):
    from backend.services import domains, sandboxes

    base = sandboxes.create(ctx.r, seed=ctx.seed())["id"]
    domains.create(ctx.r, base, dict(m.DOMAIN))
    return (m.memory_of_sandbox(ctx.r, sid) - m.memory_of_sandbox(ctx.r, base)) / 1024
