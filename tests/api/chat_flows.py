"""Helpers of the conversation tests: a client of one conversation, picking messages."""

from support.people import ZHANG_SAN_ID

from api.flows import latest_codes, ok, until_idle

WHY_QUOTE = "未获取许可或者未履行备案手续的，不得从事互联网信息服务"  # the seed, 为什么要备案
REQUIREMENT_QUOTE = "任意一个资源包的剩余有效期大于等于90天"  # the seed, 云托管备案要求
ENTITY = {
    "type": "personal",
    "name": "张三",
    "certificate_type": "resident_id",
    "certificate_number": ZHANG_SAN_ID,
    "province": "44",
    "address": "广东省深圳市南山区科技园路 1 号",
}
RESPONSIBLE = {"mobile": "13800138000", "email": "zhangsan@example.com"}  # name and ID default from the entity
WEBSITE = {"name": "张三的个人博客", "domain": "zhangsan-blog.cn"}  # content blog, the usable IP by default
MESSAGE_KEYS = {"seq", "from", "kind", "code", "text", "at"}


class Chat:
    """One conversation of a sandbox, as a client sees it."""

    def __init__(self, sb, body=None, headers=None):
        self.sb = sb
        # the test client directly: Api.call sets no header but Authorization
        resp = sb.client.post(
            f"/api/v1/sandboxes/{sb.sid}/conversations",
            json=body or {},
            headers={"Authorization": f"Bearer {sb.token}", **(headers or {})},
        )
        self.conv = ok(resp, 201)
        self.id = self.conv["id"]
        self.n = 0
        self.last = self.conv

    def url(self, rest=""):
        return f"~/conversations/{self.id}{rest}"

    def send(self, cmid=None, **answer):
        self.n += 1
        body = {"client_message_id": cmid or f"msg-{self.n}", **answer}
        self.last = ok(self.sb.post(self.url("/replies"), json=body))
        assert self.last["messages"][0]["from"] in ("user", "bot")
        return self.last

    def choose(self, value):
        return self.send(choice=value)

    def form(self, **values):
        return self.send(form=values)

    def poll(self, after):
        return ok(self.sb.get(self.url(f"/messages?after={after}")))

    def transcript(self):
        return ok(self.sb.get(self.url()))["transcript"]

    @property
    def step(self):
        return self.last["step"]

    @property
    def accepts(self):
        return self.last["accepts"]


def bot(body, code=None, kind=None):
    """The bot messages of an answer (or a transcript), filtered by code and kind."""
    msgs = body["messages"] if isinstance(body, dict) and "messages" in body else body
    return [
        m
        for m in msgs
        if m["from"] == "bot" and (code is None or m["code"] == code) and (kind is None or m["kind"] == kind)
    ]


def one(body, code, kind=None):
    found = bot(body, code, kind)
    assert len(found) == 1, (code, [(m["code"], m["text"][:40]) for m in bot(body)])
    return found[0]


def fields(form_msg):
    return {f["name"]: f for f in form_msg["form"]["fields"]}


def to_kind(chat):
    chat.choose("start")
    assert chat.step == "kind", chat.last
    return chat


def to_confirm(chat, website=None):
    to_kind(chat)
    assert chat.choose("first_filing")["step"] == "form.entity"
    assert chat.form(**ENTITY)["step"] == "form.responsible", chat.last
    assert chat.form(**RESPONSIBLE)["step"] == "form.website", chat.last
    assert chat.form(**(website or WEBSITE))["step"] == "confirm", chat.last
    return chat


def submit(chat):
    body = chat.choose("submit")
    assert body["step"] == "tracking", [(m["code"], m.get("errors")) for m in body["messages"]]
    return body


def start_kind(chat, kind):
    """From the welcome to the first form of `kind` (through `not_eligible` when the account
    is not eligible any more: kinds that need no filing IP are still offered)."""
    if chat.choose("start")["step"] == "not_eligible":
        chat.choose("kinds")
    assert chat.step == "kind", chat.last
    body = chat.choose(kind)
    assert body["accepts"]["type"] == "form", [(m["code"], m["text"]) for m in bot(body)]
    return body


def finish(chat, sb):
    """After submission: let every stage pass, answering MIIT's SMS in the chat when asked;
    returns the last poll (step `done` when approved)."""
    until_idle(sb)
    news = chat.poll(0)
    if news["step"] == "sms":
        for code in latest_codes(sb, news["application_id"]).values():  # one per distinct mobile
            chat.send(text=code)
        until_idle(sb)
        news = chat.poll(0)
    return news
