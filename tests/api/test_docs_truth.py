"""Issue 9 item 8: what the docs and the OpenAPI summaries say is what the code does."""

import re
from pathlib import Path

from backend.chat import steps

ROOT = Path(__file__).resolve().parents[2]


def test_conversation_doc_names_real_step_ids():
    text = (ROOT / "docs" / "conversation.md").read_text(encoding="utf-8")
    named = set(re.findall(r'"step":\s*"([^"]+)"', text))
    # `form.error` and `form.id` are fields of a form message, not steps
    named |= {
        m for m in re.findall(r"`((?:form|pick|more)\.[a-z_]+(?:\.\d+)?)`", text) if m not in ("form.error", "form.id")
    }
    assert named, "the doc names no step id"
    unknown = sorted(n for n in named if n not in steps.STEPS)
    assert not unknown, f"docs/conversation.md names step ids the code does not produce: {unknown}"


def test_outbox_summary_promises_no_email_that_is_not_sent(app):
    doc = app.test_client().get("/openapi.json").get_json()
    [path] = [p for p in doc["paths"] if p.endswith("/outbox")]
    summary = doc["paths"][path]["get"].get("summary", "") + doc["paths"][path]["get"].get("description", "")
    if "mail" in summary.lower() or "邮件" in summary:
        assert "not simulated" in summary or "不模拟" in summary, summary
