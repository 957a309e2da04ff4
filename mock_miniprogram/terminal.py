"""`icpsim chat`: the filing conversation in a terminal (a client of the conversation API).

    icpsim chat --url http://127.0.0.1:5000 --sandbox demo --token sbt_…
    icpsim chat --control-token ict_…          # a fresh sandbox (preset demo), :advance works

Quick replies are numbered (type the number, or the text); forms are asked field by field
with their current value as the default (Enter keeps it, `-` clears it). While the order
waits on the provider or the bureau the client polls for news; with a control token
`:advance` moves the sandbox clock until something happens. Commands: :back :status :help
:restart :sms :advance :quit.
"""

import os
import select
import sys
import time

from mock_miniprogram.sdk import Control, IcpsimError, SandboxClient

HELP = "the filing conversation in a terminal (numbered quick replies, inline forms)"
COMMANDS_HELP = (
    "命令：:back 返回上一步（表单中为上一项）  :status 订单状态  :help 帮助  :restart 重新开始  "
    ":sms 查看收到的短信  :advance 推进沙箱时钟（需控制令牌）  :quit 退出"
)


def add_arguments(parser):
    port = os.environ.get("PORT", "5000")
    parser.add_argument(
        "--url",
        default=os.environ.get("ICPSIM_URL", f"http://127.0.0.1:{port}"),
        help="icpsim's base URL (default: $ICPSIM_URL or http://127.0.0.1:$PORT)",
    )
    parser.add_argument("--sandbox", help="the sandbox id (default: a new sandbox, needs the control token)")
    parser.add_argument("--token", help="the sandbox's token")
    parser.add_argument(
        "--control-token",
        default=os.environ.get("ICPSIM_CONTROL_TOKEN"),
        help="the control token (default: $ICPSIM_CONTROL_TOKEN): new sandboxes, :advance",
    )
    parser.add_argument("--conversation", help="continue this conversation (default: a new one)")
    parser.add_argument("--locale", choices=("zh-CN", "en"), default=None, help="the bot's language")
    parser.add_argument("--preset", default="demo", help="preset of a new sandbox (default: demo)")
    parser.add_argument("--seed", default=None, help="seed of a new sandbox")
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between polls while waiting")


class Quit(Exception):
    pass


class Terminal:
    def __init__(self, sb, cid=None, locale=None, poll=1.0, stdin=None, stdout=None):
        self.sb, self.cid, self.locale, self.poll = sb, cid, locale, poll
        self.stdin, self.stdout = stdin or sys.stdin, stdout or sys.stdout
        self.last_seq, self.step, self.accepts = 0, None, {"type": "none"}
        self.prompt_msg = None  # the latest quick replies / form / text prompt
        self.application_id = None
        self.eof = False

    # -- output ---------------------------------------------------------------------------
    def out(self, text=""):
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def render(self, msg, history=False):
        self.last_seq = max(self.last_seq, msg["seq"])
        if msg["from"] == "user":
            if history:
                self.out(f"你：{msg['text']}")
            return
        kind = msg["kind"]
        if kind in ("quick_replies", "form") or msg.get("input"):
            self.prompt_msg = msg
        if kind == "status_card":
            self.render_card(msg["card"])
            return
        if kind == "notice":
            self.render_notice(msg)
            return
        self.out(f"机器人：{msg['text']}")
        if msg.get("code") == "SMS_CODE_PROMPT":
            self.out(f"    （或在工信部核验页面逐人核验：{self.sb.base_url}/miit/verify?sandbox={self.sb.sid}）")
        labels = {}
        if self.prompt_msg and self.prompt_msg.get("kind") == "form":
            labels = {f["name"]: f["label"] for f in self.prompt_msg["form"]["fields"]}
        for field, errors in (msg.get("errors") or {}).items():
            for error in errors:
                self.out(f"  ✗ {labels.get(field, field)}：{error}")
        self.print_links(msg)
        if kind == "quick_replies":
            for i, c in enumerate(msg["choices"], 1):
                note = "" if c.get("available", True) else "（暂未开放）"
                self.out(f"  {i}) {c['label']}{note}")

    def print_links(self, msg):
        """The checklist's pages (upload, face check): a file cannot be sent from a terminal chat."""
        links = dict((msg.get("checklist") or {}).get("links") or {})
        if (msg.get("action") or {}).get("open"):
            links["open"] = msg["action"]["open"]
        for name, link in links.items():
            label = {"prepare": "上传材料页面", "face": "人脸核验页面"}.get(name, "打开页面")
            self.out(f"    （{label}：{self.sb.base_url}{link}）")

    def render_card(self, card):
        self.out(f"┌ 订单 {card['application_id']}  {card['kind_zh']}")
        self.out(
            f"│ 状态：{card['state_zh']}（微信 status {card['wechat']['status']}"
            + (
                f"，sms_verify_status {card['wechat']['sms_verify_status']}"
                if card["wechat"].get("sms_verify_status")
                else ""
            )
            + "）"
        )
        for event in card["timeline"][-3:]:
            self.out(f"│ {event['at'][:16].replace('T', ' ')}  {event['reason']}")
        for entry in card.get("audit_data") or []:
            self.out(f"│ 驳回：{entry.get('key_name')}：{entry.get('error')}（{entry.get('suggest')}）")
        result = card.get("result") or {}
        if result.get("entity_number"):
            self.out(f"│ 主体备案号：{result['entity_number']}")
            self.out(f"│ 网站备案号：{'、'.join(result.get('website_numbers') or [])}")
        self.out(f"└ 下一步：{card['next_step']}")

    def render_notice(self, msg):
        notice = msg.get("notice") or {}
        mark = {"error": "✗", "warning": "!", "info": "i"}.get(notice.get("level"), "i")
        self.out(f"[{mark}] {notice.get('title', '')}")
        self.out(f"    {msg['text']}")
        for rule in notice.get("rules") or []:
            self.out(f"    {'✓' if rule.get('passed') else '✗'} {rule.get('message')}")
        if notice.get("quote"):
            self.out("    「" + notice["quote"].replace("\n", "\n     ") + "」")

    def absorb(self, body):
        for msg in body.get("messages") or body.get("transcript") or []:
            if msg["seq"] > self.last_seq:
                self.render(msg)
        self.step = body.get("step", self.step)
        self.accepts = body.get("accepts") or self.accepts
        self.application_id = body.get("application_id", self.application_id)

    # -- input ----------------------------------------------------------------------------
    def read(self, prompt="> "):
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            self.eof = True
            raise Quit()
        return line.rstrip("\n").strip()

    def ready(self, timeout):
        """A line waits on stdin (or it is closed) within `timeout` seconds."""
        try:
            readable, _, _ = select.select([self.stdin], [], [], timeout)
            return bool(readable)
        except (ValueError, OSError, TypeError):  # not selectable: just wait
            time.sleep(timeout)
            return False

    # -- talking to the server ----------------------------------------------------------------
    def send(self, **answer):
        try:
            self.absorb(self.sb.reply(self.cid, **answer))
        except IcpsimError as exc:
            self.out(f"（出错：{exc.message or exc.code}）")

    def refresh(self):
        self.absorb(self.sb.messages_after(self.cid, self.last_seq))

    def command(self, line):
        """Handle a `:command`; False when it is not one of ours."""
        name = line[1:].strip().lower()
        if name in ("quit", "q", "exit"):
            raise Quit()
        if name in ("back", "status", "help", "restart"):
            if name == "help":
                self.out(COMMANDS_HELP)
            self.send(command=name)
        elif name == "sms":
            self.show_sms()
        elif name == "advance":
            self.advance()
        else:
            self.out(f"未知命令 {line}。{COMMANDS_HELP}")
        return True

    def show_sms(self):
        app_id = self.application_id
        msgs = self.sb.outbox(channel="sms", app_id=app_id) if app_id else self.sb.outbox(channel="sms")
        if not msgs:
            self.out("（还没有收到短信）")
        for m in msgs[-3:]:
            self.out(f"短信 {m['at'][:16].replace('T', ' ')} 自 {m['sender']} 至 {m['to']}：{m['text']}")
        if any(m.get("code") == "MIIT_SMS_CODE" for m in msgs):  # each person verifies on MIIT's page
            self.out(
                f"工信部核验页面（每位负责人各自核验）：{self.sb.base_url}/miit/verify?sandbox={self.sb.sid}"
                + (f"&app={app_id}" if app_id else "")
            )

    def advance(self):
        if not self.sb.control:
            self.out("（推进时钟需要控制令牌：icpsim chat --control-token …）")
            return
        try:
            view = self.sb.advance(until_idle=True)
        except IcpsimError as exc:
            self.out(f"（推进时钟失败：{exc.message}）")
            return
        self.out(f"（时钟已推进到 {view['now'][:16].replace('T', ' ')}）")
        self.refresh()

    # -- one turn per kind of prompt -------------------------------------------------------------
    def turn(self):
        kind = self.accepts.get("type")
        if kind == "none":
            return self.wait()
        if kind == "form":
            return self.fill_form()
        line = self.read()
        if not line:
            return
        if line.startswith(":"):
            self.command(line)
        elif kind == "choice" and line.isdigit() and 1 <= int(line) <= len(self.accepts.get("choices") or []):
            self.send(choice=self.accepts["choices"][int(line) - 1]["value"])
        else:
            self.send(text=line)

    def wait(self):
        hint = "（等待审核中，无需回复；:advance 推进时钟，:status 查看状态，:quit 退出）"
        self.out(hint if self.sb.control else hint.replace(":advance 推进时钟，", ""))
        while self.accepts.get("type") == "none":
            if self.ready(self.poll):
                line = self.stdin.readline()
                if not line:
                    self.eof = True
                    raise Quit()
                line = line.strip()
                if line.startswith(":"):
                    self.command(line)
                elif line:
                    self.send(text=line)
            else:
                self.refresh()

    def fill_form(self):
        msg = self.prompt_msg
        wanted = self.accepts.get("form_id")
        if not msg or msg.get("kind") != "form" or msg["form"]["id"] != wanted:
            # not seen in this session: the latest form of the transcript (or ask for it again)
            forms = [
                m
                for m in self.sb.conversation(self.cid)["transcript"]
                if m["kind"] == "form" and m["form"]["id"] == wanted
            ]
            if not forms:
                self.send(command="help")
                time.sleep(self.poll)
                return
            msg = self.prompt_msg = forms[-1]
        form = msg["form"]
        fields = form["fields"]
        if form.get("error"):
            self.out(f"  ✗ {form['error']}")
        wrong = [f for f in fields if f.get("error")]
        todo = wrong if wrong and not form.get("error") else fields
        values = {f["name"]: f.get("value") for f in fields}
        self.out(f"—— {form['title']}（回车保留方括号中的值，- 清空，:back 上一项）")
        i = 0
        while i < len(todo):
            field = todo[i]
            answer = self.ask_field(field, values[field["name"]])
            if answer is BACK:
                if i == 0:
                    self.send(command="back")
                    return
                i -= 1
                continue
            if answer is COMMAND:
                return
            values[field["name"]] = answer
            i += 1
        self.send(form=values)

    def ask_field(self, field, value):
        options = field.get("options") or []
        shown = value
        if field["type"] == "select":
            shown = next((o["label"] for o in options if o["value"] == value), value)
        elif field["type"] == "bool":
            shown = "是" if value else "否"
        elif field["type"] == "multi":  # a multi-select (网站服务内容): a list of option values
            chosen = value if isinstance(value, list) else [value] if value else []
            shown = "、".join(next((o["label"] for o in options if o["value"] == v), str(v)) for v in chosen)
        mark = " *" if field.get("required") else ""
        if field.get("error"):
            self.out(f"  ✗ {field['error']}")
        hint = f"（{field['placeholder']}）" if field.get("placeholder") else ""
        self.out(f"  {field['label']}{mark}{hint}")
        if options:
            self.out("    " + "  ".join(f"{i}) {o['label']}" for i, o in enumerate(options, 1)))
        line = self.read(f"    [{'' if shown is None else shown}] > ")
        if line == ":back":
            return BACK
        if line.startswith(":"):
            self.command(line)
            return COMMAND
        if line == "":
            return value
        if line == "-":
            return None
        if field["type"] == "multi":  # "1,14" or "1 14" or the codes
            return [self.option_value(options, part) for part in line.replace("，", ",").replace(",", " ").split()]
        if options and line.isdigit() and 1 <= int(line) <= len(options):
            return options[int(line) - 1]["value"]
        if options:
            match = next((o["value"] for o in options if line in (o["label"], str(o["value"]))), None)
            return match if match is not None else line
        if field["type"] == "bool":
            return line.lower() in ("y", "yes", "是", "true", "1")
        return line

    @staticmethod
    def option_value(options, part):
        """One typed option: its number in the list, its label or its value."""
        if part.isdigit() and 1 <= int(part) <= len(options):
            return options[int(part) - 1]["value"]
        return next((o["value"] for o in options if part in (o["label"], str(o["value"]))), part)

    # -- the session ------------------------------------------------------------------------
    def run(self):
        if self.cid:
            body = self.sb.conversation(self.cid)
            for msg in body["transcript"]:
                self.render(msg, history=True)
            self.step, self.accepts = body["step"], body["accepts"]
            self.application_id = body.get("application_id")
        else:
            body = self.sb.start_conversation(self.locale)
            self.cid = body["id"]
            self.absorb(body)
        self.out(f"（沙箱 {self.sb.sid}，对话 {self.cid}；输入 :help 查看命令）")
        try:
            while True:
                self.turn()
        except Quit:
            self.out("再见。" if not self.eof else "")
        except KeyboardInterrupt:
            self.out("")
        self.out(f"（继续这段对话：icpsim chat --sandbox {self.sb.sid} --token … --conversation {self.cid}）")
        return 0


BACK, COMMAND = object(), object()


def connect(args):
    control = Control(args.url, args.control_token) if args.control_token else None
    if args.sandbox:
        if args.token:
            return SandboxClient(args.url, args.sandbox, args.token, control=control)
        if control:
            return control.sandbox(args.sandbox)
        raise SystemExit("icpsim chat: --sandbox needs --token (or --control-token)")
    if not control:
        raise SystemExit("icpsim chat: give --sandbox and --token, or --control-token to create a sandbox")
    seed = int(args.seed) if args.seed and str(args.seed).isdigit() else args.seed
    return control.new_sandbox(seed=seed, preset=args.preset)


def run(args):
    try:
        sb = connect(args)
        return Terminal(sb, cid=args.conversation, locale=args.locale, poll=args.poll).run()
    except IcpsimError as exc:
        print(f"icpsim chat: {exc.status} {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    except OSError as exc:  # requests' connection errors are OSErrors
        print(f"icpsim chat: cannot reach {args.url}: {exc}", file=sys.stderr)
        return 1
