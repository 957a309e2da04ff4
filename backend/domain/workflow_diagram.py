"""The workflow table drawn as a mermaid state diagram (README, `icpsim diagram`, the console):
every row between two states, every state with its WeChat status, and notes where kinds differ."""

from backend.domain import kinds as K


def mermaid(transitions, states):
    """The state diagram of these rows and states (workflow.TRANSITIONS, STATES), for the README (`icpsim diagram`)."""
    lines = ["stateDiagram-v2", "    [*] --> draft"]
    for t in transitions:
        if t.source == t.target:
            continue
        label = t.action
        if t.kinds == K.WITHOUT_SMS:
            label += " (" + ", ".join(sorted(t.kinds)) + ")"
        elif t.kinds != K.ALL:
            label += " (kinds with SMS)"
        lines.append(f"    {t.source} --> {t.target}: {label} [{t.actor}]")
    for name, st in states.items():
        lines.append(f"    {name}: {name} {st.zh} ({st.wechat_status})")
        if st.terminal:
            lines.append(f"    {name} --> [*]")
    lines += _kind_notes()
    return "\n".join(lines)


def _kind_notes():
    """The per-kind paths: whose phones get MIIT's code (or no SMS at all), how long the
    bureau takes, and what 已完成 means, as notes on the states where kinds differ."""
    owners = {
        ("entity", "website"): "entity + website owners",
        ("website",): "website owner",
        ("entity",): "entity owner",
    }
    # a kind that carries the entity's changes asks its owner only when the entity changes
    changes = "entity owner (entity changed) and/or owners of the changed websites"
    sms = [
        f"{k}: {changes if v.payload.entity == 'changes' else owners.get(v.sms_to, '+'.join(v.sms_to))}"
        for k, v in K.KINDS.items()
        if v.needs_sms
    ]
    no_sms = sorted(K.WITHOUT_SMS)
    bureau: dict[str, list[str]] = {}
    for k, v in K.KINDS.items():
        bureau.setdefault(v.bureau_duration, []).append(k)
    done: dict[str, list[str]] = {}
    for k, v in K.KINDS.items():
        done.setdefault(v.approved_zh, []).append(k)
    out = ["    note right of sms_verification", "        MIIT SMS code to, per kind:"]
    out += [f"        {line}" for line in sms]
    out += [
        f"        no SMS (straight to the bureau): {', '.join(no_sms)}",
        "    end note",
        "    note right of bureau_review",
        "        bureau working days, per kind:",
    ]
    out += [f"        {which} ({_DURATION_ZH[which]}): {', '.join(ks)}" for which, ks in bureau.items()]
    out += ["    end note", "    note right of approved", "        已完成 per kind:"]
    out += [f"        {zh}: {', '.join(ks)}" for zh, ks in done.items()]
    out += ["    end note"]
    return out


_DURATION_ZH = {"filing": "by province, 3–20", "change": "about 20", "cancel": "1–5"}
