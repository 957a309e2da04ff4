"""Top-level domains MIIT approves for filing (domain.md §7, domain-sources.md §5.1).

Data only, plus two look-ups. The approved list follows Tencent Cloud's
"可备案的域名后缀" table (updated 2020-07-24, from MIIT's 域名行业管理信息公示);
IDN TLDs are kept in their Unicode form, so "xn--fiqs8s" is looked up as "中国".

One deliberate deviation: Tencent's 2020 table lists .asia, Beijing's 2019 list
refuses it, and domain.md names it as not approved. The simulator follows
domain.md, so the explicit refusals below win over the approved set.
"""

# Refused by name in the sources (Beijing 2019 list, domain.md §7). Kept apart
# from "unknown" TLDs so the message can say the suffix is known to be refused.
NOT_APPROVED = frozenset({"io", "me", "org", "hk", "tw", "jp", "asia", "win"})

_CHINESE_IDN = (
    "中国",
    "政务",
    "公益",
    "公司",
    "网络",
    "网址",
    "商城",
    "网店",
    "中信",
    "商标",
    "广东",
    "佛山",
    "信息",
    "手机",
    "在线",
    "中文网",
    "集团",
    "我爱你",
    "商店",
    "企业",
    "娱乐",
    "游戏",
    "购物",
    "餐厅",
    "招聘",
    "时尚",
    "移动",
    "网站",
)

_ASCII_GTLDS = (
    "cn",
    "com",
    "net",
    "top",
    "xyz",
    "vip",
    "shop",
    "wang",
    "ren",
    "xin",
    "citic",
    "sohu",
    "baidu",
    "club",
    "site",
    "ink",
    "info",
    "mobi",
    "red",
    "pro",
    "kim",
    "ltd",
    "group",
    "biz",
    "auto",
    "link",
    "work",
    "law",
    "beer",
    "store",
    "tech",
    "fun",
    "online",
    "art",
    "design",
    "wiki",
    "love",
    "center",
    "video",
    "social",
    "team",
    "show",
    "cool",
    "zone",
    "world",
    "today",
    "city",
    "chat",
    "company",
    "live",
    "fund",
    "gold",
    "plus",
    "guru",
    "run",
    "pub",
    "email",
    "life",
    "co",
    "fashion",
    "fit",
    "luxe",
    "yoga",
    "cloud",
    "host",
    "space",
    "press",
    "website",
    "archi",
    "bio",
    "black",
    "blue",
    "green",
    "lotto",
    "organic",
    "pet",
    "pink",
    "poker",
    "promo",
    "ski",
    "vote",
    "voto",
    "icu",
    "fans",
    "tv",
    "cc",
)

APPROVED = frozenset(_CHINESE_IDN + _ASCII_GTLDS) - NOT_APPROVED

# Second-level zones under .cn (CNNIC). A name directly under one of these is
# an apex domain ("example.com.cn"), not a subdomain of "com.cn".
_CN_CATEGORIES = ("com", "net", "org", "gov", "edu", "ac", "mil", "政务", "公益")
_CN_PROVINCES = (
    "bj",
    "tj",
    "sh",
    "cq",
    "he",
    "sx",
    "nm",
    "ln",
    "jl",
    "hl",
    "js",
    "zj",
    "ah",
    "fj",
    "jx",
    "sd",
    "ha",
    "hb",
    "hn",
    "gd",
    "gx",
    "hi",
    "sc",
    "gz",
    "yn",
    "xz",
    "sn",
    "gs",
    "qh",
    "nx",
    "xj",
    "tw",
    "hk",
    "mo",
)
CN_SECOND_LEVEL = frozenset(f"{z}.cn" for z in _CN_CATEGORIES + _CN_PROVINCES)


def is_approved(tld: str) -> bool:
    """`tld` without the dot, lowercase, Unicode form for IDNs."""
    return tld in APPROVED and tld not in NOT_APPROVED


def public_suffix(labels: list[str]) -> str:
    """The suffix under which names are registered: "com.cn" or just the TLD."""
    if len(labels) >= 3 and ".".join(labels[-2:]) in CN_SECOND_LEVEL:
        return ".".join(labels[-2:])
    return labels[-1]
