"""Running conversations: start, reply, read (with sync), kept in Redis per sandbox.

A conversation is a document of the sandbox's "conversations" collection (step, answers,
the way back, the linked application) plus an append-only list of messages and a map
of the client message ids already answered. One reply (or one sync) runs at a time per
conversation (a Redis lock); its messages, the new document and the answer to its
client message id are written in one transaction (`store.tx`).
"""

from backend import config
from backend.chat import cards, conversation_store as kept, forms, steps
from backend.chat.texts import COMMAND_LABELS, DEFAULT_LOCALE, LOCALES, pick, say
from backend.domain import records, scenarios, workflow
from backend.domain.clock import iso
from backend.domain.errors import NotFound, fail
from backend.services import applications, cloud, world
from backend.store import tx as store

COMMANDS = ("back", "restart", "help", "status")
ANSWER_KEYS = ("choice", "form", "text", "command")
WHY_WORDS = ("为什么", "why")
MAX_AUTO_STEPS = 20


class Ctx:
    """One request's view of a conversation: the document (mutable), the messages said,
    cached reads of the world."""

    def __init__(self, r, sid, conv, reader=None):
        self.r, self.sid, self.conv = r, sid, conv
        self.locale = conv.get("locale", DEFAULT_LOCALE)
        self.out = []
        self._now = None
        self._app = self._elig = self._records = None
        self._clock_reader = reader  # the sandbox's meta hash, when the caller read it already

    # reads
    @property
    def now(self):
        if self._now is None:
            self._now = iso(world.now(self._clock_reader or store.read(self.r, self.sid)))
        return self._now

    def app(self, refresh=False):
        app_id = self.conv.get("application_id")
        if not app_id:
            return None
        if refresh or self._app is None or self._app["id"] != app_id:
            try:
                self._app = applications.get(self.r, self.sid, app_id)
            except NotFound:
                self._app = None
        return self._app

    def eligibility(self, refresh=False):
        if refresh or self._elig is None:
            app = self.app()
            exclude = app["id"] if app and workflow.EDIT in app["allowed_actions"] else None
            self._elig = cloud.evaluate(store.read(self.r, self.sid), exclude_app=exclude)
        return self._elig

    def records(self):
        """The account's entities and websites on record (for choices such as "which website")."""
        if self._records is None:
            reader = store.read(self.r, self.sid)
            self._records = scenarios.Records(reader.all("entities"), reader.all("websites"))
        return self._records

    # what the bot says
    def t(self, code, **values):
        return say(self.locale, code, **values)

    def say(self, kind, code, text, sender="bot", **extra):
        self.conv["seq"] += 1
        msg = {
            "seq": self.conv["seq"],
            "from": sender,
            "kind": kind,
            "code": code,
            "text": text,
            "at": self.now,
            **extra,
        }
        self.out.append(msg)
        return msg

    def _accepts(self, accepts):
        self.conv["accepts"] = {**accepts, "commands": list(COMMANDS)}

    def ask_choices(self, code, text, choices, **extra):
        self.say("quick_replies", code, text, choices=choices, **extra)
        self._accepts({"type": "choice", "choices": choices})

    def ask_form(self, form, rendered):
        self.say("form", f"FORM_{form.id.upper()}", self.t("FORM", title=rendered["title"]), form=rendered)
        self._accepts({"type": "form", "form_id": form.id})

    def ask_text(self, code, text, input_name, **extra):
        self.say("text", code, text, input=input_name, **extra)
        self._accepts({"type": "text", "input": input_name, **extra})

    def ask_nothing(self):
        self._accepts({"type": "none"})


# -- moving between steps ------------------------------------------------------------------


def _new_doc(locale):
    return records.new_conversation(locale if locale in LOCALES else DEFAULT_LOCALE)


def _reset(ctx):
    keep = {k: ctx.conv[k] for k in ("id", "locale", "seq", "created_at") if k in ctx.conv}
    ctx.conv.clear()
    ctx.conv.update(_new_doc(keep["locale"]), **keep)


def goto(ctx, step_id, source=None):
    """Enter `step_id` (following automatic steps), keeping the way back."""
    for _ in range(MAX_AUTO_STEPS):
        if source is not None and step_id not in steps.STEPS[source].next and step_id != steps.RESTART:
            raise AssertionError(f"step {source} may not lead to {step_id}")  # the table is closed
        if step_id == steps.RESTART:
            _reset(ctx)
            ctx.say("text", "RESTARTED", ctx.t("RESTARTED"))
            step_id = steps.START
        step = steps.STEPS[step_id]
        ctx.conv["step"] = step_id
        stack = ctx.conv["stack"]
        if step.anchor:
            stack[:] = [step_id]
        elif step.accepts != steps.FORM and step_id in stack:
            del stack[stack.index(step_id) + 1 :]  # back at a screen seen before (the recap after an edit)
        elif step.accepts != steps.AUTO and (not stack or stack[-1] != step_id):
            stack.append(step_id)
        nxt = step.enter(ctx)
        if nxt is None:
            return
        source, step_id = step_id, nxt
    raise AssertionError("automatic steps loop")


def follow(ctx, nxt, source):
    if nxt is None:
        return
    if nxt == steps.SAME:
        steps.STEPS[source].enter(ctx)  # ask again (what was wrong was said)
        return
    goto(ctx, nxt, source)


def sync_and_follow(ctx):
    nxt = steps.sync(ctx)
    if nxt:
        goto(ctx, nxt)
    return nxt


# -- answers --------------------------------------------------------------------------------


def _which(body):
    given = [k for k in ANSWER_KEYS if body.get(k) is not None]
    return given[0], body[given[0]]


def _echo(ctx, kind, value):
    if kind == "choice":
        choices = ctx.conv["accepts"].get("choices") or []
        also = steps.STEPS[ctx.conv["step"]].also  # an older answer the step still takes: its own label
        text = next((c["label"] for c in choices if c["value"] == value), None)
        text = text or (pick(ctx.locale, also[value]) if isinstance(value, str) and value in also else str(value))
    elif kind == "form":
        form = steps.STEPS.get(ctx.conv["step"])
        form = forms.FORMS.get(form.form_id) if form and form.form_id else None
        text = pick(ctx.locale, form.title) if form else "—"
    elif kind == "command":
        text = pick(ctx.locale, COMMAND_LABELS.get(value, (value, value)))
    else:
        text = str(value)
    ctx.say("text", f"USER_{kind.upper()}", text, sender="user", value=value)


def _match_choice(ctx, text):
    """A typed answer to quick replies: a value, a label, or the choice's number."""
    choices = ctx.conv["accepts"].get("choices") or []
    typed = text.strip().lower()
    for c in choices:
        if typed in (str(c["value"]).lower(), str(c["label"]).lower()):
            return c["value"]
    if typed.isdecimal() and 1 <= int(typed) <= len(choices):  # isdecimal: what int() reads ("１", not "²")
        return choices[int(typed) - 1]["value"]
    return None


def _expected(ctx):
    kind = ctx.conv["accepts"]["type"]
    return ctx.t("EXPECT_NONE") if kind == "none" else ctx.t(f"EXPECT_{kind}")


def _who_is_awaited(ctx):
    app = ctx.app()
    st = app and cards.next_step(ctx.locale, app)
    return st or ctx.t("EXPECT_NONE")


def command(ctx, name):
    step = steps.STEPS[ctx.conv["step"]]
    if name == "back":
        stack = ctx.conv["stack"]
        if step.anchor or len(stack) < 2:
            # the same code either way; the text says why (the welcome is an anchor too, before any order)
            why = "BACK_AT_START" if ctx.conv["step"] == steps.START else "BACK_NOT_AVAILABLE"
            ctx.say("text", "BACK_NOT_AVAILABLE", ctx.t(why))
            return
        stack.pop()
        ctx.conv["step"] = stack[-1]
        ctx.conv["return_to_confirm"] = False
        steps.STEPS[stack[-1]].enter(ctx)
    elif name == "restart":
        goto(ctx, steps.RESTART)
    elif name == "help":
        ctx.say("text", "HELP", ctx.t("HELP", expected=_expected(ctx)))
    elif name == "status":
        if not ctx.conv.get("application_id"):
            ctx.say("text", "NO_APPLICATION", ctx.t("NO_APPLICATION"))
            return
        nxt = steps.sync(ctx, force=True)
        if nxt and nxt != ctx.conv["step"]:
            goto(ctx, nxt)


def answer(ctx, body):
    kind, value = _which(body)
    _echo(ctx, kind, value)
    if kind == "command":
        return command(ctx, value)
    step = steps.STEPS[ctx.conv["step"]]
    if kind == "text" and any(w in value.lower() for w in WHY_WORDS) and step.accepts != steps.TEXT:
        steps.why_notice(ctx)
        return follow(ctx, steps.SAME, step.id)
    if kind == "text" and step.accepts == steps.CHOICE:
        matched = _match_choice(ctx, value)
        if matched is None and value.strip() in step.also:
            matched = value.strip()
        if matched is not None:
            kind, value = "choice", matched
    if step.accepts == steps.NONE:
        ctx.say("text", "WAITING", ctx.t("WAITING", next_step=_who_is_awaited(ctx)))
        return
    if kind != step.accepts:
        ctx.say("text", "INVALID_ANSWER", ctx.t("INVALID_KIND_OF_ANSWER", expected=_expected(ctx)), errors={})
        return follow(ctx, steps.SAME, step.id)
    offered = [c["value"] for c in ctx.conv["accepts"].get("choices") or []]
    if kind == "choice" and value not in offered and not (isinstance(value, str) and value in step.also):
        ctx.say("text", "INVALID_ANSWER", ctx.t("INVALID_CHOICE"), errors={"choice": [ctx.t("INVALID_CHOICE")]})
        return follow(ctx, steps.SAME, step.id)
    if kind == "form" and not isinstance(value, dict):
        value = {}
    return follow(ctx, step.handle(ctx, value), step.id)


# -- storage ------------------------------------------------------------------------------


def view(r, sid, conv, transcript=True):
    out = {
        k: conv.get(k)
        for k in ("id", "step", "locale", "kind", "application_id", "accepts", "created_at", "updated_at")
    }
    out["last_seq"] = conv["seq"]
    if transcript:
        out["transcript"] = kept.messages(r, sid, conv["id"])
    return out


# -- the use cases ------------------------------------------------------------------------------


def start(r, sid, locale=None):
    world.meta(store.read(r, sid))
    conv = _new_doc(locale or DEFAULT_LOCALE)
    ctx = Ctx(r, sid, conv)
    goto(ctx, steps.START)
    conv = kept.commit(r, sid, conv, ctx.out, new=True)
    return view(r, sid, conv)


def list_all(r, sid):
    return [view(r, sid, c, transcript=False) for c in store.read(r, sid).all("conversations")]


def _needs_sync(r, sid, conv):
    """The cheap check of every poll: one HGET of the linked application, its version
    compared with the one the conversation last caught up with."""
    if not conv.get("application_id"):
        return False
    app = store.read(r, sid).get("applications", conv["application_id"])
    return app is not None and app["version"] != conv.get("app_version")


def _sync(r, sid, cid):
    """Bring the conversation up to date with its application (once per application version).

    An idle poll costs two HGETs (the conversation, then its application); the lock, the
    world reads and the transaction happen only when the application has moved."""
    conv = kept.load(r, sid, cid)
    if not _needs_sync(r, sid, conv):
        return conv

    def run():
        fresh = kept.load(r, sid, cid)
        ctx = Ctx(r, sid, fresh)
        sync_and_follow(ctx)
        return kept.commit(r, sid, fresh, ctx.out) if ctx.out else fresh

    return kept.locked(r, sid, cid, run)


def get(r, sid, cid):
    return view(r, sid, _sync(r, sid, cid))


def messages_after(r, sid, cid, after=0):
    conv = _sync(r, sid, cid)
    after = max(0, int(after or 0))
    return {
        "messages": kept.messages(r, sid, cid, first=after + 1) if after < conv["seq"] else [],
        "step": conv["step"],
        "accepts": conv["accepts"],
        "application_id": conv.get("application_id"),
        "last_seq": conv["seq"],
    }


def reply(r, sid, cid, body, journal=None, begun=None):
    """Answer one client message; the same client_message_id again gets the same answer.
    `journal` (the request's journal entry, see recording.append_in): appended with the commit.
    `begun`: a ReplyStart holding the lock and the first reads (sent with the token check)."""
    client_id = body.get("client_message_id") or None
    # no read before the lock: an unknown conversation's lock is free, and the 404 comes from inside

    def run(lock):
        reader, conv, done = kept.load_for_reply(r, sid, cid, client_id, lock, begun)
        if done:
            return _replay(r, sid, cid, store.decode(done))
        limit = config.conversation_max_messages()
        if limit and conv["seq"] >= limit:  # bounded growth: a transcript only grows, so it stops here
            raise fail(
                "CONVERSATION_FULL", f"对话消息已达上限（{limit} 条），请开始新的对话", conversation_id=cid, limit=limit
            )
        ctx = Ctx(r, sid, conv, reader)
        sync_and_follow(ctx)  # the application may have moved since the client last looked
        answer(ctx, body)
        first = ctx.out[0]["seq"]
        result = {
            "first_seq": first,
            "last_seq": conv["seq"],
            "step": conv["step"],
            "accepts": conv["accepts"],
            "application_id": conv.get("application_id"),
        }
        kept.commit(r, sid, conv, ctx.out, client_id, result, lock=lock, journal=journal)
        return {"messages": ctx.out, **_public(result)}

    lock = begun.lock if begun is not None else kept.ReplyLock(r, sid, cid)
    try:
        return run(lock)
    finally:
        lock.release()  # unless the commit released it


def _public(result):
    return {
        "step": result["step"],
        "accepts": result["accepts"],
        "application_id": result["application_id"],
        "last_seq": result["last_seq"],
    }


def _replay(r, sid, cid, result):
    return {"messages": kept.messages(r, sid, cid, result["first_seq"], result["last_seq"]), **_public(result)}
