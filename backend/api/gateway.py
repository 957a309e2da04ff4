"""The CloudBase Run gateway over HTTP (domain.md §8) — HTML, because a browser shows it.

`install(app)` adds a `before_request` hook: a request whose Host is a customer
domain never reaches the API; it gets the site (a placeholder page showing the
record number, linked to MIIT as filed sites must) or a 302 to the fixed block
page `/webblock?d=<host>` on the simulator's own host, which explains why the site
is blocked and what to do, quoting Tencent Cloud's 不备案的影响.
"""

from urllib.parse import urlencode

from flask import make_response, request
from markupsafe import escape

from backend.api import common
from backend.services import gateway
from backend.tencentcloud import wire

MIIT_HOME = "https://beian.miit.gov.cn/"
MIIT_QUERY = "https://beian.miit.gov.cn/#/Integrated/recordQuery"
ACCESS_FILING_DOC = "https://cloud.tencent.com/document/product/243/37403"
FIRST_FILING_DOC = "https://cloud.tencent.com/document/product/243/37402"

# Tencent Cloud's page on ICP filing for CloudBase Run (the seed), 「不备案的影响」, verbatim.
IMPACT = (
    "如果网站域名未办理备案就解析到腾讯云云托管上，将被腾讯云阻断并跳转到固定页面，提醒您尽快完成备案。"
    "若需要搭建网站，请先完成网站备案再开通网站。",
    "如果网站域名已存在备案号，但之前不是在腾讯云备案，需在腾讯云办理接入备案。"
    "如果网站未在腾讯云办理备案但解析至腾讯云云托管，将被腾讯云阻断并跳转到固定页面。"
    f'详情请参见 <a href="{ACCESS_FILING_DOC}">接入备案</a> 流程。',
)
WHY = (
    "根据国务院令第292号《互联网信息服务管理办法》和工信部令第33号《非经营性互联网信息服务备案管理办法》规定，"
    "未获取许可或者未履行备案手续的，不得从事互联网信息服务。"
)

_STYLE = (
    "body{font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;margin:0;color:#333;"
    "background:#f5f6f8}main{max-width:720px;margin:48px auto;padding:32px;background:#fff;"
    "border-radius:8px}h1{font-size:22px}.code{color:#888;font-size:13px}footer{text-align:center;"
    "margin:24px;font-size:13px}a{color:#006eff}"
)


def _page(title, body, status=200, footer=""):
    html = (
        f'<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main>{footer}</body></html>\n"
    )
    response = make_response(html, status)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"  # the answer changes as filings progress
    return response


def _tag(response, decision):
    response.headers["X-Icpsim-Gateway"] = decision["reason"]
    response.headers["X-Icpsim-Sandbox"] = decision["sandbox"]
    return response


def _sandbox(explicit=None):
    return explicit or request.headers.get(gateway.SANDBOX_HEADER) or gateway.DEFAULT_SANDBOX


# -- the customer's site -----------------------------------------------------------


def site_page(decision):
    site = decision["website"]
    number = escape(site["number"])
    body = (
        f"<h1>{escape(site['name'])}</h1>"
        f"<p>欢迎访问 {escape(decision['host'])}。</p>"
        f"<p>这是 icpsim 模拟的云托管服务占位页面：该网站已备案并接入腾讯云，"
        f"主办者为 {escape(site.get('entity_name') or '')}，网站备案号 {number}。</p>"
    )
    footer = f'<footer><a href="{MIIT_HOME}" target="_blank" rel="noopener noreferrer">{number}</a></footer>'
    return _tag(_page(site["name"], body, footer=footer), decision)


def block_location(host, sid, explicit_sandbox):
    query = {"d": gateway.normalize_host(host)}
    if explicit_sandbox:
        query["sandbox"] = sid  # a browser following the redirect does not resend the header
    return f"{request.scheme}://{gateway.public_host()}/webblock?{urlencode(query)}"


def no_such_sandbox(decision):
    """404: the sandbox named does not exist (a mistyped X-Icpsim-Sandbox, or no demo sandbox)."""
    sid = escape(decision["sandbox"])
    body = (
        f"<h1>沙箱「{sid}」不存在</h1>"
        f"<p>请求头 <code>{gateway.SANDBOX_HEADER}</code> 指定的沙箱「{sid}」不存在（未指定时为 "
        f"<code>{gateway.DEFAULT_SANDBOX}</code>）。请检查沙箱 ID：<code>GET /api/v1/sandboxes</code> 列出全部沙箱。</p>"
        f'<p class="code">原因代码：{gateway.SANDBOX_NOT_FOUND}</p>'
    )
    return _tag(_page("沙箱不存在", body, status=404), decision)


def gate():
    """before_request: answer every request for a customer domain here, except the block
    page itself (a client following the redirect may keep sending the customer's Host)."""
    host = request.host
    if (
        request.path == "/webblock" or not gateway.is_customer_host(host) or wire.service_of_host(host)
    ):  # *.tencentcloudapi.com: the API
        return None
    explicit = request.headers.get(gateway.SANDBOX_HEADER)
    decision = gateway.decide(common.redis(), _sandbox(explicit), host)
    if decision["reason"] == gateway.SANDBOX_NOT_FOUND:
        return no_such_sandbox(decision)
    if decision["served"]:
        return site_page(decision)
    location = block_location(host, decision["sandbox"], bool(explicit))
    response = _page(
        "网站暂时无法访问",
        f'<p>该网站未备案或未接入腾讯云，正在跳转到<a href="{escape(location)}">提示页面</a>。</p>',
        status=302,
    )
    response.headers["Location"] = location
    return _tag(response, decision)


# -- the fixed block page ----------------------------------------------------------

_HEADLINES = {
    gateway.NOT_FILED: "该网站暂时无法访问：域名未备案",
    gateway.NOT_ACCESSED_AT_TENCENT: "该网站暂时无法访问：域名未在腾讯云办理接入备案",
    gateway.CANCELLED: "该网站暂时无法访问：域名的备案已注销",
    gateway.SERVED: "该域名已备案并接入腾讯云",
}


def _advice(decision):
    site, host = decision["website"], escape(decision["host"])
    reason = decision["reason"]
    if reason == gateway.NOT_FILED:
        return (
            f"<p>域名 {host} 没有 ICP 备案记录，解析到腾讯云云托管后已被阻断。</p>"
            f"<p><strong>网站所有者请：</strong>在腾讯云备案小程序中办理"
            f'<a href="{FIRST_FILING_DOC}">首次备案</a>，备案类型选择【云托管】；'
            f"通信管理局审核通过、取得 ICP 备案号后，即可通过该域名访问。</p>"
        )
    if reason == gateway.NOT_ACCESSED_AT_TENCENT:
        return (
            f"<p>域名 {host} 已有备案号 {escape(site['number'])}（主办者 {escape(site.get('entity_name') or '')}），"
            f"但备案不是在腾讯云办理的，接入商中没有腾讯云。</p>"
            f"<p><strong>网站所有者请：</strong>在腾讯云办理"
            f'<a href="{ACCESS_FILING_DOC}">接入备案</a>，保留原备案号并将腾讯云添加为接入商。</p>'
        )
    if reason == gateway.CANCELLED:
        return (
            f"<p>域名 {host} 的备案（{escape(site['number'])}）已被注销，该域名不能再提供网站服务。</p>"
            f"<p><strong>网站所有者请：</strong>重新办理备案，取得新的 ICP 备案号后即可访问。</p>"
        )
    return (
        f"<p>域名 {host} 的网站备案号为 {escape(site['number'])}，可以正常访问："
        f'<a href="{escape(request.scheme)}://{host}/">{host}</a>。</p>'
    )


def block_page():
    """GET /webblock?d=<host>: why the site is blocked, and what to do."""
    host = request.args.get("d", "")
    decision = gateway.decide(common.redis(), _sandbox(request.args.get("sandbox")), host)
    if decision["reason"] == gateway.SANDBOX_NOT_FOUND:
        if request.args.get("sandbox"):
            return no_such_sandbox(decision)
        decision = {**decision, "reason": gateway.NOT_FILED}  # the bare block page, without a demo sandbox
    if not gateway.normalize_host(host):
        headline, advice = "该网站暂时无法访问", "<p>网站域名须先办理 ICP 备案并接入腾讯云，才能通过云托管访问。</p>"
    else:
        headline, advice = _HEADLINES[decision["reason"]], _advice(decision)
    impact = "".join(f"<p>{p}</p>" for p in IMPACT)
    body = (
        f"<h1>{escape(headline)}</h1>{advice}"
        f"<h2>不备案的影响</h2>{impact}"
        f"<h2>为什么要备案？</h2><p>{WHY}</p>"
        f'<p>ICP 备案号以工信部网站公共查询为准：<a href="{MIIT_QUERY}" target="_blank" '
        f'rel="noopener noreferrer">工信部 ICP/IP 地址/域名信息备案管理系统</a></p>'
        f'<p class="code">原因代码：{escape(decision["reason"])} · 沙箱：{escape(decision["sandbox"])}</p>'
    )
    return _tag(_page(headline, body), decision)


def unavailable_page():
    """Redis unreachable (errors.redis_down): what a visitor's browser shows, 503."""
    return _page(
        "服务暂时不可用", "<h1>服务暂时不可用</h1><p>模拟器的存储暂时无法访问，请稍后刷新页面重试。</p>", status=503
    )


def too_many_page():
    """Over the rate limit (errors.http_error): 429, HTML for the visitor's browser."""
    return _page("请求过于频繁", "<h1>请求过于频繁</h1><p>请稍后再刷新页面。</p>", status=429)


def install(app):
    # first of all before_request hooks: a customer's domain never reaches the API's auth checks
    app.before_request_funcs.setdefault(None, []).insert(0, gate)
    app.add_url_rule("/webblock", "webblock", block_page, methods=["GET"])
