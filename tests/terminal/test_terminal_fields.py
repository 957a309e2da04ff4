"""`icpsim chat`'s field prompts (mock_miniprogram/terminal.py), without a server: a multi-select
(网站服务内容) shows its chosen labels and takes several numbers, labels or codes."""

import io

from mock_miniprogram.terminal import Terminal

MULTI = {
    "name": "service_content",
    "label": "网站服务内容",
    "type": "multi",
    "required": True,
    "options": [{"value": "blog", "label": "博客/个人空间"}, {"value": "other", "label": "其他"}],
}


def ask(line, value=("blog",)):
    out = io.StringIO()
    term = Terminal(sb=None, stdin=io.StringIO(line + "\n"), stdout=out)
    return term.ask_field(MULTI, list(value)), out.getvalue()


def test_a_multi_select_shows_its_labels_and_keeps_them_on_enter():
    answer, shown = ask("")
    assert answer == ["blog"] and "[博客/个人空间] > " in shown
    assert "[博客/个人空间、其他]" in ask("", ("blog", "other"))[1]


def test_a_multi_select_takes_numbers_labels_or_codes():
    assert ask("1，2")[0] == ["blog", "other"]
    assert ask("其他 blog")[0] == ["other", "blog"]
