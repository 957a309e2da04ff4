"""Domain names as filed: normalised (NFKC, full-width dots, lowercase), compared in punycode,
and checked — RFC 1035 labels, IDNA, MIIT's approved TLDs, the apex (一级域名) only."""

import functools
import re
import unicodedata

from backend.domain import tlds

_LDH_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


def _problem(code, message):
    return [(code, message)]


def normalize_domain(value) -> str:
    """Trimmed, lowercase, no trailing dot; Unicode and punycode forms are kept as typed."""
    return _normalized(value) if isinstance(value, str) else ""


def domain_ascii(value) -> str:
    """The punycode form, for comparing a typed domain with a registry record."""
    return _ascii(value) if isinstance(value, str) else ""


# Pure functions of the text, asked many times per review of the same few domains (each rule
# compares the order's domains with the registry's): remembered, in bounded caches.
@functools.lru_cache(maxsize=4096)
def _normalized(value: str) -> str:
    text = unicodedata.normalize("NFKC", value.strip().translate(_DOTS))
    return text.lower().rstrip(".")


@functools.lru_cache(maxsize=4096)
def _ascii(value: str) -> str:
    return ".".join(_label_ascii(label) or label for label in _normalized(value).split("."))


def domain_unicode(value) -> str:
    return ".".join(_label_unicode(label) for label in normalize_domain(value).split("."))


def _label_ascii(label):
    if label.isascii():
        return label
    try:
        return label.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def _label_unicode(label):
    if label.startswith("xn--"):
        try:
            return label.encode("ascii").decode("idna")
        except UnicodeError:
            return label
    return label


def domain_syntax(domain):
    """Problems with the shape of a normalised domain (RFC 1035 labels, IDNA)."""
    if not domain or "/" in domain or ":" in domain or "@" in domain:
        return _problem("DOMAIN_SYNTAX_INVALID", "请只填写域名本身，例如 example.com，不含 http://、端口和路径")
    if any(unicodedata.category(c)[0] in "CZ" for c in domain):  # IDNA 2003 would silently drop U+200B
        return _problem("DOMAIN_SYNTAX_INVALID", "域名不能包含空格或不可见字符（如零宽空格），请重新输入")
    labels = domain.split(".")
    ascii_labels = [_label_ascii(label) for label in labels]
    if len(labels) < 2 or any(a is None or not _LDH_LABEL.fullmatch(a) for a in ascii_labels):
        return _problem(
            "DOMAIN_SYNTAX_INVALID", "域名格式不正确：各段只能由字母、数字、连字符或中文组成，不能以连字符开头或结尾"
        )
    bad_punycode = any(a.startswith("xn--") and _label_unicode(a) == a for a in ascii_labels)
    if bad_punycode or len(".".join(ascii_labels)) > 253 or ascii_labels[-1].isdigit():
        return _problem("DOMAIN_SYNTAX_INVALID", "域名格式不正确，请核对后重新填写")
    return []


def check_domain(value) -> list:
    """Syntax, then the TLD list, then that it is the apex (一级域名): only that is filed."""
    domain = normalize_domain(value)
    problems = domain_syntax(domain)
    if problems:
        return problems
    labels = domain_unicode(domain).split(".")
    tld = labels[-1]
    if not tlds.is_approved(tld):
        return _problem(
            "DOMAIN_TLD_NOT_APPROVED", f"域名后缀 .{tld} 不在工信部批准的可备案域名后缀列表中，该域名无法备案"
        )
    suffix = tlds.public_suffix(labels)
    if domain_unicode(domain) in tlds.CN_SECOND_LEVEL:
        return _problem("DOMAIN_SYNTAX_INVALID", f"{domain} 是域名后缀，请填写完整的域名")
    apex_len = suffix.count(".") + 2
    if len(labels) > apex_len:
        apex = ".".join(domain.split(".")[-apex_len:])
        return _problem("DOMAIN_NOT_APEX", f"备案只需填写一级域名，请填写 {apex}；备案后其子域名可正常使用")
    return []
