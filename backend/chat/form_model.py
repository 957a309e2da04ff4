"""What a chat form is made of: the field types, the labels of the domain's codes, and the
`Field`, `Form` and `Flow` records (chat/form_table.py explains how they are used)."""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from backend.domain import identity_checks, service_contents

TEXT, SELECT, DATE, BOOL, TEL, EMAIL, MULTI = "text", "select", "date", "bool", "tel", "email", "multi"
FIELD_TYPES = (TEXT, SELECT, DATE, BOOL, TEL, EMAIL, MULTI)  # MULTI: a list of options (a pick's field)
FIRST_OPTION = "<first option>"
FORM, PICK = "form", "pick"  # how a screen is asked: a form message, or toggling quick replies

# labels of the domain's codes (validation.ENTITY_TYPES, CERT_TYPES, SERVICE_CONTENTS)
# names from the domain's data files (entity_types.csv, certificate_types.csv: process.md §2.2)
ENTITY_TYPE_LABELS = {code: (r["name"], r["en"]) for code, r in identity_checks.ENTITY_TYPE_TABLE.items()}
CERT_TYPE_LABELS = {code: (r["name"], r["en"]) for code, r in identity_checks.CERT_TYPE_TABLE.items()}
# 网站服务内容: the names of data/service_content_types.csv (MIIT's list, process.md §2.4), with the
# chat's own shorter labels for the codes it offered first (kept: recorded transcripts show them)
SERVICE_CONTENT_LABELS = {code: (r["name"], r["en"]) for code, r in service_contents.TYPES.items()} | {
    "blog": ("博客/个人空间", "Blog / personal site"),
    "enterprise_site": ("企业官网", "Company site"),
    "portal": ("综合门户", "Portal"),
    "ecommerce": ("网上购物", "E-commerce"),
    "news": ("新闻", "News"),
    "publishing": ("网络出版", "Online publishing"),
    "drugs_medical": ("药品和医疗器械", "Drugs and medical devices"),
    "culture": ("网络文化", "Online culture"),
    "radio_film_tv": ("广播电影电视节目", "Radio, film and TV"),
    "finance": ("金融", "Finance"),
    "ride_hailing": ("网络预约车", "Ride-hailing"),
    "games": ("网络游戏", "Games"),
    "education": ("教育", "Education"),
    "other": ("其他", "Other"),
}


@dataclass(frozen=True)
class Field:
    name: str  # key inside the form's path
    label: tuple  # (zh, en)
    type: str = TEXT
    required: bool = True
    options: object = ()  # ((value, (zh, en)), ...) or the name of a source in OPTION_SOURCES
    placeholder: tuple = ("", "")
    pattern: str | None = None
    default: object = None
    # a default copied from another answer, only when `when` (path, value) holds
    default_from: str | None = None
    when: tuple | None = None
    # a default read off the answers (e.g. an order's payload loaded after a rejection)
    derive: Callable | None = None


@dataclass(frozen=True)
class Form:
    id: str
    title: tuple
    path: str  # where the values live in the payload
    fields: tuple
    fixed: dict = field(default_factory=dict)  # values set with every answer (not asked)
    submit_label: tuple = ("下一步", "Next")
    ask: str = FORM  # PICK: its one MULTI field as toggling quick replies
    repeat: bool = False  # path "<list>.0"; copy i lives at "<list>.i" (screen "<id>.i")
    # a change: empty fields change nothing (a later screen inside its path may still bring the change)
    partial: bool = False
    in_payload: bool = True  # False: the chat's own question (stored under "_chat"), not part of the order
    need_one: tuple = ()  # (zh, en) said when no bool field (or no option of a pick) is chosen
    keep_one: tuple = ()  # a pick: (zh, en) said when every option would be chosen
    more: tuple = ()  # a repeatable form: (zh, en) question "another one?" ({n} answered, {max} allowed)

    def field(self, name):
        return next((f for f in self.fields if f.name == name), None)

    @property
    def list_path(self):
        """A repeatable form's list ("websites")."""
        return self.path.rsplit(".", 1)[0]

    def copy(self, i):
        """Copy i of a repeatable form (copy 0 is the form itself)."""
        if not i:
            return self
        zh, en = self.title
        return dataclasses.replace(
            self, path=f"{self.list_path}.{i}", title=(f"{zh}（第 {i + 1} 个）", f"{en} #{i + 1}")
        )


@dataclass(frozen=True)
class Flow:
    kind: str
    forms: tuple  # form ids, in the order they are asked
    needs_ip: bool = True  # the kind files a website on a 云托管 IP: eligibility required
    when: tuple = ()  # ((form id, condition(ctx, answers)), ...): the form is asked only when it holds

    def condition(self, form_id):
        return next((c for f, c in self.when if f == form_id), None)


def labelled(codes, labels):
    return tuple((code, labels[code]) for code in codes)
