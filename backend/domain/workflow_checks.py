"""The workflow table's own checks (workflow.problems): every row, timer, name and kind well formed.

Kept apart from the table so workflow.py stays the table and its readers; each check takes the
workflow module `W` (this module never imports it: the table imports its checks)."""

from backend.domain import kinds as K


def problems(W):
    """Why the table is not well formed (empty when it is)."""
    out = [p for t in W.TRANSITIONS for p in _row_problems(W, t)]
    vias: dict[str, set] = {}
    for t in W.TRANSITIONS:
        vias.setdefault(t.action, set()).add(t.via)
    for action, found in sorted(vias.items()):
        if len(found) > 1:
            out.append(f"{action}: offered via {sorted(map(str, found))} (one way per action)")
    for tm in W.TIMERS:
        out += _timer_problems(W, tm)
    out += _name_problems(W)
    for spec in K.KINDS.values():  # the kinds' parts that name states (the gateway's early serving)
        out += K.spec.problems(spec, frozenset(W.STATES))
    for kind in K.ALL:
        out += _kind_problems(W, kind)
    return out


def _row_problems(W, t):
    out = [f"{t.action}: unknown state {end}" for end in (t.source, t.target) if end not in W.STATES]
    if t.actor not in W.ACTORS:
        out.append(f"{t.action}: unknown actor {t.actor}")
    if not t.kinds <= K.ALL:
        out.append(f"{t.action}: unknown kinds {set(t.kinds - K.ALL)}")
    if t.via is not None and t.via not in W.VIAS:
        out.append(f"{t.action}: unknown via {t.via}")
    if t.via is not None and t.actor != "user":
        out.append(f"{t.action}: via {t.via} but actor {t.actor} (only user rows are offered)")
    if t.actor in ("provider", "bureau", "clock") and not any(
        tm.state == t.source and t.action in tm.actions for tm in W.TIMERS
    ):
        out.append(f"{t.action}: no timer of {t.source} fires it")
    return out


def _kind_problems(W, kind):
    """Every state a kind uses is reachable, escapable unless terminal, and can still end."""
    out = []
    reach = W.reachable(kind)
    for name, st in W.STATES.items():
        if name not in W.used_states(kind):
            continue  # e.g. sms_verification for a kind that sends no SMS
        if name not in reach:
            out.append(f"{kind}: state {name} unreachable")
        if not st.terminal and not W.moves_from(name, kind):
            out.append(f"{kind}: non-terminal state {name} has no way out")
    for name in W.used_states(kind):
        # every state must be able to end (no trap cycles): some terminal is reachable
        if not any(W.STATES[s].terminal for s in W.reachable(kind, name) if s in W.STATES):
            out.append(f"{kind}: no terminal state reachable from {name}")
    return out


def _name_problems(W):
    """Every exported name constant is a state or an action of the table."""
    actions = {t.action for t in W.TRANSITIONS}
    out = [
        f"state constant {n} not in STATES"
        for n in (
            W.DRAFT,
            W.PROVIDER_REVIEW,
            W.PROVIDER_REJECTED,
            W.PROVIDER_APPROVED,
            W.SMS_VERIFICATION,
            W.BUREAU_REVIEW,
            W.BUREAU_REJECTED,
            W.APPROVED,
            W.WITHDRAWN,
            W.EXPIRED,
        )
        if n not in W.STATES
    ]
    out += [
        f"action constant {n} not in TRANSITIONS"
        for n in (
            W.EDIT,
            W.SUBMIT,
            W.RESUBMIT,
            W.WITHDRAW,
            W.RECALL,
            W.REOPEN,
            W.VERIFY_SMS,
            W.SMS_FAILED,
            W.SMS_TIMEOUT,
            W.AUTO_RESUBMIT,
        )
        if n not in actions
    ]
    return out


def _timer_problems(W, tm):
    out = []
    if tm.state not in W.STATES:
        out.append(f"timer {tm.name}: unknown state {tm.state}")
    if tm.mode not in ("progress", "deadline"):
        out.append(f"timer {tm.name}: unknown mode {tm.mode}")
    if tm.guard is not None and tm.guard not in W.GUARDS:
        out.append(f"timer {tm.name}: unknown guard {tm.guard}")
    if tm.review is not None and tm.review not in W.REVIEWERS:
        out.append(f"timer {tm.name}: unknown reviewer {tm.review}")
    wanted = set(W.VERDICTS) if tm.review else ({"due"} if tm.outcomes else set())
    if set(tm.outcomes) != wanted:
        out.append(f"timer {tm.name}: outcomes {sorted(tm.outcomes)}, expected {sorted(wanted)}")
    if not tm.outcomes and tm.mode != "deadline":
        out.append(f"timer {tm.name}: a reminder (no outcome) must be a deadline")
    actor = tm.review or "clock"
    for action in tm.actions:
        rows = [W.find(tm.state, action, k) for k in K.ALL]
        rows = [r for r in rows if r is not None]
        if not rows:
            out.append(f"timer {tm.name}: no row {tm.state} --{action}-->")
        for row in rows:
            if row.actor != actor:
                out.append(f"timer {tm.name}: {action} is fired by {row.actor}, not {actor}")
                break
    return out
