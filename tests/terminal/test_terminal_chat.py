"""`icpsim chat` against real processes: gunicorn serving the API and an `rq worker`.

The terminal client is driven through its input stream like a person at a keyboard:
wait for a prompt, type a line. It completes a first filing (新增备案, then 验证备案类型 finds
the scenario and pre-fills the forms): numbered quick replies,
inline forms (one field at a time, Enter keeps the default, a wrong ID is asked again),
`:advance` to move the sandbox clock, `:sms` to read MIIT's code from the outbox, the
record numbers at the end, then `:quit`; `--conversation` picks the conversation up again.
"""

import codecs
import os
import queue
import re
import subprocess
import threading
import time

import pytest
from support.people import ZHANG_SAN_ID
from support.procs import BIN, ROOT, free_port, running_stack

CONTROL = "terminal-control"


@pytest.fixture
def stack(r, redis_url, tmp_path):
    with running_stack(redis_url, CONTROL, tmp_path / "processes.log", ICPSIM_JOB_WAIT="60") as s:
        yield {"url": s.origin, "env": s.env}


class Chat:
    """A running `icpsim chat`: expect() a pattern in its output, type() a line."""

    def __init__(self, args, env):
        self.proc = subprocess.Popen(
            [str(BIN / "icpsim"), "chat", *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.chunks, self.seen, self.pos = queue.Queue(), "", 0
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        """Raw reads, not lines: a prompt ("> ") waits for input without a newline."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        while True:
            data = os.read(self.proc.stdout.fileno(), 4096)
            if not data:
                break
            self.chunks.put(decoder.decode(data))
        self.chunks.put(None)

    def expect(self, pattern, timeout=60):
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            match = regex.search(self.seen, self.pos)
            if match:
                self.pos = match.end()
                return match
            try:
                chunk = self.chunks.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                chunk = ""
            if chunk is None or time.monotonic() > deadline:
                raise AssertionError(f"no {pattern!r} in the output:\n{self.seen[-3000:]}")
            self.seen += chunk

    def prompt(self, timeout=60):
        """Wait for the input prompt of a field or a reply ("> " at the end of a line)."""
        deadline = time.monotonic() + timeout
        while not self.seen.endswith("> "):
            try:
                chunk = self.chunks.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                chunk = ""
            if chunk is None or time.monotonic() > deadline:
                raise AssertionError(f"no prompt:\n{self.seen[-3000:]}")
            self.seen += chunk

    def type(self, line):
        self.proc.stdin.write((line + "\n").encode("utf-8"))
        self.proc.stdin.flush()

    def answer(self, pattern, line):
        self.expect(pattern)
        self.type(line)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


@pytest.fixture
def chat_process(stack):
    started = []

    def start(*args):
        chat = Chat(["--url", stack["url"], "--poll", "0.2", *args], dict(stack["env"], PYTHONUNBUFFERED="1"))
        started.append(chat)
        return chat

    yield start
    for chat in started:
        chat.close()


def fill_a_first_filing(chat):
    """From the welcome to the submitted order, as a person types it."""
    chat.answer(r"1\) 开始备案[\s\S]*> $", "1")
    chat.expect(r"可用于备案的 IP：(\d+\.\d+\.\d+\.\d+)")
    chat.answer(r"1\) 新增备案", "1")

    # 验证备案类型 first: the certificate and the domain decide the scenario; Enter keeps the default
    chat.answer(r"备案地域（省份） \*[\s\S]*> $", "广东省")
    chat.answer(r"备案地域：城市（6 位区划代码，可不填）[\s\S]*> $", "")
    chat.answer(r"备案地域：区县（6 位区划代码，可不填）[\s\S]*> $", "")
    chat.answer(r"主办者性质 \*[\s\S]*\[个人\] > $", "")
    chat.answer(r"证件类型 \*[\s\S]*\[居民身份证\] > $", "")
    chat.answer(r"证件号码 \*[\s\S]*> $", ZHANG_SAN_ID[:-1] + ("1" if ZHANG_SAN_ID[-1] != "1" else "2"))
    chat.answer(r"域名 \*[\s\S]*> $", "zhangsan-blog.cn")
    chat.answer(r"备案云服务[\s\S]*\[\d+\.\d+\.\d+\.\d+（剩余 2 次）\] > $", "")
    # a wrong check digit: only that field is asked again, with the zh-CN reason
    chat.expect("居民身份证号码校验位错误")
    chat.answer(r"证件号码 \*[\s\S]*> $", ZHANG_SAN_ID)
    chat.expect("验证通过，备案类型：首次备案")

    # the entity form starts with what was verified
    chat.answer(r"主体性质 \*[\s\S]*\[个人\] > $", "")
    chat.answer(r"主办单位或主办人名称 \*[\s\S]*> $", "张三")
    chat.answer(r"证件类型 \*[\s\S]*\[居民身份证\] > $", "")
    chat.answer(rf"证件号码 \*[\s\S]*\[{ZHANG_SAN_ID}\] > $", "")
    chat.answer(r"主体所在省份 \*[\s\S]*\[广东省\] > $", "")
    chat.answer(r"证件住所[\s\S]*> $", "广东省深圳市南山区科技园路 1 号")  # optional until the submit
    chat.answer(r"通信地址 \*[\s\S]*> $", "广东省深圳市南山区科技园路 1 号")
    chat.answer(r"投资人或主管单位[\s\S]*> $", "")  # a person: themselves
    chat.answer(r"是否持有本省居住证[\s\S]*\[否\] > $", "")
    chat.answer(r"证件有效期至[\s\S]*> $", "")
    chat.answer(r"主体备注[\s\S]*> $", "")

    # the responsible person: a personal entity's name and ID are the defaults
    chat.answer(r"负责人姓名 \*[\s\S]*\[张三\] > $", "")
    chat.answer(r"负责人证件类型 \*[\s\S]*> $", "")
    chat.answer(rf"负责人证件号码 \*[\s\S]*\[{ZHANG_SAN_ID}\] > $", "")
    chat.answer(r"手机号码 \*[\s\S]*> $", "13800138000")
    chat.answer(r"电子邮箱 \*[\s\S]*> $", "zhangsan@example.com")

    # the website; the filing IP defaults to the usable one
    chat.answer(r"网站名称 \*[\s\S]*> $", "张三的个人博客")
    chat.answer(r"网站域名 \*[\s\S]*\[zhangsan-blog.cn\] > $", "")
    chat.answer(r"网站首页地址[\s\S]*> $", "")  # optional: Enter leaves it empty
    chat.answer(r"网站服务内容 \*[\s\S]*\[博客/个人空间\] > $", "")
    chat.answer(r"是否经营性网站[\s\S]*> $", "")
    chat.answer(r"前置审批文号[\s\S]*> $", "")
    chat.answer(r"备案 IP[\s\S]*\[\d+\.\d+\.\d+\.\d+（剩余 2 次）\] > $", "")
    chat.answer(r"网站备注[\s\S]*> $", "")

    chat.expect("请核对备案信息")
    chat.answer(r"1\) 确认提交[\s\S]*> $", "1")
    chat.expect("腾讯云审核中")


def test_first_filing_in_the_terminal(chat_process):
    # the fast path: this test is about the terminal after the submit (the checklist: tests/api)
    chat = chat_process("--control-token", CONTROL, "--preset", "demo", "--seed", "42", "--no-pre-submit-checks")
    chat.answer(r"\d\) 为什么要备案", "2")  # why file? the seed, quoted
    chat.expect("未获取许可或者未履行备案手续的，不得从事互联网信息服务")
    fill_a_first_filing(chat)
    chat.answer(r"等待审核中", ":advance")  # the provider reviews, hands over
    chat.expect(r"管局审核中·待短信核验")
    chat.answer(r"请在 24 小时内输入 6 位核验码[\s\S]*> $", ":sms")
    code = chat.expect(r"核验码为 (\d{6})").group(1)
    chat.prompt()
    chat.type(code)
    chat.expect("状态：管局审核中（微信 status 4，sms_verify_status 2）")
    chat.answer(r"等待审核中", ":advance")  # the bureau decides
    entity = chat.expect(r"主体备案号：(粤ICP备2026\d{6}号)").group(1)
    chat.expect(rf"网站备案号：{re.escape(entity)}-1")
    chat.expect("备案成功")
    chat.answer(r"1\) 开始新的备案[\s\S]*> $", ":quit")
    resume = chat.expect(r"--sandbox (\S+) --token … --conversation (C\d+)")
    assert chat.proc.wait(15) == 0
    sid, cid = resume.group(1), resume.group(2)

    # reconnect: the transcript comes back and the conversation goes on from where it was
    again = chat_process("--control-token", CONTROL, "--sandbox", sid, "--conversation", cid)
    again.expect("你：新增备案")
    again.expect(rf"主体备案号：{re.escape(entity)}")
    again.answer(r"1\) 开始新的备案[\s\S]*> $", ":status")
    again.expect(r"订单 A0001")
    again.answer(r"> $", ":quit")
    assert again.proc.wait(15) == 0


def test_the_terminal_polls_while_the_clock_runs(stack, chat_process):
    """No control token: nothing to advance with; the sandbox clock runs and the client polls
    until the SMS prompt and then the record numbers arrive."""
    from mock_miniprogram.sdk import Control

    sb = Control(stack["url"], CONTROL).new_sandbox(
        seed=7, preset="demo", settings={"sms_window_hours": 2000, "pre_submit_checks": False}
    )
    stack["env"].pop("ICPSIM_CONTROL_TOKEN")
    chat = chat_process("--sandbox", sb.sid, "--token", sb.token)
    fill_a_first_filing(chat)
    chat.expect(r"等待审核中，无需回复；:status")  # no :advance offered without the control token
    sb.set_scale(400000)  # about 4.6 virtual days per second
    chat.expect(r"管局审核中·待短信核验", timeout=90)
    chat.answer(r"6 位核验码[\s\S]*> $", ":sms")
    code = chat.expect(r"核验码为 (\d{6})").group(1)
    chat.prompt()
    chat.type(code)
    chat.expect(r"主体备案号：(粤ICP备20\d\d\d{6}号)", timeout=90)  # the clock runs: maybe 2027
    chat.answer(r"1\) 开始新的备案[\s\S]*> $", ":quit")
    assert chat.proc.wait(15) == 0


def test_chat_needs_a_sandbox_or_the_control_token():
    env = {k: v for k, v in os.environ.items() if k != "ICPSIM_CONTROL_TOKEN"}
    done = subprocess.run(
        [str(BIN / "icpsim"), "chat", "--url", f"http://127.0.0.1:{free_port()}"],
        cwd=ROOT,
        env=env,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "--control-token" in done.stderr
