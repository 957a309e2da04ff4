"""What the bot says, in zh-CN and English, by stable message code; and the seed's words.

`say(locale, code, **values)` formats one text. The quotes are verbatim passages of
the seed (Tencent Cloud's page on ICP filing for CloudBase Run, `shared/seed/000_…txt`,
links and Markdown marks dropped): notices quote them as they are, in every locale.
"""

from backend.domain import kinds, workflow

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"

# -- the seed, verbatim ---------------------------------------------------------

SEED_WHY = (
    "根据国务院令第292号《互联网信息服务管理办法》和工信部令第33号《非经营性互联网信息服务备案管理办法》规定，"
    "国家对经营性互联网信息服务实行许可制度，对非经营性互联网信息服务实行备案制度。"
    "未获取许可或者未履行备案手续的，不得从事互联网信息服务，否则属于违法行为。\n\n"
    "因此，使用云托管开办网站并绑定自定义域名服务时必须先办理网站备案，"
    "备案成功并获取通信管理局下发的 ICP 备案号后才能开通域名访问。\n\n"
    "不备案的影响：如果网站域名未办理备案就解析到腾讯云云托管上，将被腾讯云阻断并跳转到固定页面，"
    "提醒您尽快完成备案。若需要搭建网站，请先完成网站备案再开通网站。"
)

SEED_REQUIREMENTS = (
    "云托管备案要求：备案本身不收取任何费用，但须符合以下所有条件：\n"
    "1. 您的账号下所有开通云托管的环境中须至少有一个环境购买了云托管资源包，"
    "且在您申请备案时任意一个资源包的剩余有效期大于等于90天。\n"
    "例如，您在2020年10月1日购买了有效期为6个月的资源包，则您需要在2020年12月30日之前通过备案小程序完成备案流程。"
    "若资源包剩余有效期不足90天，您需要再次购买资源包。\n"
    "2. 您有至少一个服务运行在系统创建的 VPC 中，并使用“系统创建”的微小型 NAT 网关。"
    "此服务不强制要求和剩余有效期大于等于90天的资源包处于同一个环境/同一个 VPC。\n"
    "每一个系统创建的微小型 NAT 网关，可提供一个用于备案的 IP 地址，每个 IP 地址可进行两次备案。"
    "若您创建过多个系统默认 VPC，同时拥有多个系统创建的微小型 NAT 网关，则您可以用不同 IP 地址多次备案。"
    "您可以在“服务配置”页面查看当前服务对应的 NAT 网关是否为系统创建类型，以及对应的 IP 地址。"
)

# The seed's scenario table (when each kind applies) and the kinds' English names: declared
# in each kind's spec (domain/kinds/, KindSpec.chat), looked up here by code.
SEED_SCENARIOS = {code: spec.chat.seed_quote for code, spec in kinds.KINDS.items()}
KIND_EN = {code: spec.chat.en for code, spec in kinds.KINDS.items()}

# -- the bot's texts by code: (zh-CN, en) ------------------------------------------

TEXTS = {
    "WELCOME": (
        "您好！这里是腾讯云 ICP 备案（云托管）。我会一步步带您完成备案：检查备案资格、选择备案场景、"
        "填写主体和网站信息、提交后跟踪审核进度。请选择：",
        "Hello! This is Tencent Cloud's ICP filing for CloudBase Run. I will walk you through it: "
        "eligibility, the scenario, entity and website information, then the review. Choose:",
    ),
    "WELCOME_OPEN": (
        "您的账号下有进行中的备案订单 {app_id}（{state_zh}），可以选择「查看进行中的订单」继续办理。",
        "Your account has an order in progress, {app_id} ({state_zh}); choose "
        '"Follow the order in progress" to continue it.',
    ),
    "WHY_FILING": ("为什么要备案？以下摘自腾讯云云托管备案说明：", "Why file? From Tencent Cloud's page on filing:"),
    "WHY_TITLE": ("为什么要备案？", "Why is an ICP filing needed?"),
    "ELIGIBLE": (
        "您的账号满足云托管备案要求。可用于备案的 IP：{ips}。",
        "Your account meets the CloudBase Run filing requirements. IPs you can file with: {ips}.",
    ),
    "ELIGIBLE_TITLE": ("满足云托管备案要求", "Eligible for a CloudBase Run filing"),
    "IP_SLOTS": ("{ip}（剩余 {slots} 次）", "{ip} ({slots} left)"),
    "NOT_ELIGIBLE": (
        "您的账号暂不满足云托管备案要求，备案类型中无法选择「云托管」：{reasons}",
        "Your account does not meet the CloudBase Run filing requirements yet, so the "
        "CloudBase Run filing type cannot be chosen: {reasons}",
    ),
    "NOT_ELIGIBLE_TITLE": ("不满足云托管备案要求", "Not eligible for a CloudBase Run filing"),
    "NOT_ELIGIBLE_ACTIONS": ("按提示处理后，可以重新检查。", "Fix what is listed, then check again."),
    "CHOOSE_KIND": ("请选择要办理的备案业务：", "What would you like to do?"),
    "NEW_FILING_DESCRIPTION": (
        "首次备案、接入备案或新增网站：先验证备案类型，系统按证件和域名判断适用的场景",
        "A first filing, an access filing or a new website: verify the filing type first; "
        "the scenario follows from your certificate and domain",
    ),
    "CHANGE_FILING_DESCRIPTION": (
        "从「我的备案」选择：变更主体或网站、注销主体或网站、取消接入（无需云托管 IP）",
        'From "My filings": change or cancel the entity or a website, or cancel access (no CloudBase Run IP needed)',
    ),
    "NEW_NEEDS_ELIGIBILITY": (
        "新增备案需要选择云托管备案 IP，而您的账号暂不满足云托管备案要求；变更或注销备案不受影响。",
        "A new filing needs a CloudBase Run filing IP, and your account is not eligible yet; "
        "changes and cancellations are not affected.",
    ),
    "MY_FILINGS_TITLE": ("我的备案", "My filings"),
    "MY_FILINGS_NONE": ("该账号下还没有备案主体。", "This account has no filed entity yet."),
    "MY_FILINGS_ENTITY": ("主体：{name}（{number}，{access}）", "Entity: {name} ({number}, {access})"),
    "MY_FILINGS_SITE": (
        "网站：{name}（{domain}，{number}，{access}）",
        "Website: {name} ({domain}, {number}, {access})",
    ),
    "ACCESS_tencent": ("已接入腾讯云", "accessed at Tencent Cloud"),
    "ACCESS_other": ("接入在其他服务商", "accessed elsewhere"),
    "CHOOSE_FILING_ORDER": ("请选择要办理的业务：", "Choose what to do:"),
    "NO_FILING_ORDER": (
        "没有可以在这里办理的变更或注销。新的网站或接入备案请返回选择「新增备案」。",
        'Nothing here can be changed or cancelled. For a new website or an access filing, go back and choose "New filing".',
    ),
    "VERIFIED": ("验证通过，备案类型：{scenario_zh}。{next_step}", "Verified: {scenario_zh}. {next_step}"),
    "VERIFIED_TITLE": ("验证备案类型", "Filing type verified"),
    "KIND_NOT_AVAILABLE": (
        "「{kind_zh}」暂未开放，请选择其他备案场景。",
        '"{kind_en}" is not available yet; choose another scenario.',
    ),
    "KIND_NOT_AVAILABLE_TITLE": ("暂不支持该备案场景", "Scenario not available"),
    "KIND_NEEDS_ELIGIBILITY": (
        "「{kind_zh}」需要选择云托管备案 IP，而您的账号暂不满足云托管备案要求。",
        '"{kind_en}" needs a CloudBase Run filing IP, and your account is not eligible yet.',
    ),
    "FORM": ("请填写{title}：", "Please fill in: {title}"),
    "INVALID_ANSWER": ("提交的信息有误，请按提示修改后重新提交。", "Some answers need fixing; see the notes."),
    "INVALID_CHOICE": ("请从下列选项中选择。", "Please pick one of the choices."),
    "INVALID_KIND_OF_ANSWER": ("现在需要{expected}，请按提示回答。", "Now I need {expected}; please answer that."),
    "EXPECT_choice": ("从选项中选择一项", "a choice from the list"),
    "EXPECT_form": ("填写表单", "the form filled in"),
    "EXPECT_text": ("输入文字", "some text"),
    "PICK": (
        "{title}：可多选，点一下选中，再点一下取消，选好后点「完成」。已选：{chosen}",
        '{title}: tap to choose, tap again to unchoose, then "Done". Chosen: {chosen}',
    ),
    "CONFIRM": ("请核对备案信息，确认无误后提交：\n{summary}", "Check the filing, then submit:\n{summary}"),
    "ACTION_REFUSED": ("操作未成功：{message}{suggest}", "That did not work: {message}{suggest}"),
    "SUGGEST": ("（建议：{suggest}）", " (suggestion: {suggest})"),
    "ACTION_REFUSED_TITLE": ("操作未成功", "Not done"),
    "STATUS_CARD": ("订单 {app_id}：{state_zh}。{next_step}", "Order {app_id}: {state_en}. {next_step}"),
    "RESULT_CHANGED": (
        "变更完成，备案号不变。主体备案号：{entity_number}；网站备案号：{website_numbers}。",
        "Changed; the numbers stay. Entity number: {entity_number}; website numbers: {website_numbers}.",
    ),
    "RESULT_CANCELLED": (
        "注销完成，以下备案号已注销：{revoked_numbers}。相关域名将被阻断，IP 备案次数已释放。",
        "Cancelled: {revoked_numbers}. Their domains are blocked; the IP slots are free again.",
    ),
    "RESULT_ACCESS_CANCELLED": (
        "已取消接入，备案号保留：{website_numbers}。域名在腾讯云将被阻断，IP 备案次数已释放。",
        "Access cancelled; the numbers stay: {website_numbers}. The domains are blocked "
        "on Tencent Cloud; the IP slots are free again.",
    ),
    "RECORD_NUMBERS": (
        "备案成功！主体备案号：{entity_number}；网站备案号：{website_numbers}。"
        "请在网站开通之日起 30 日内办理公安联网备案。",
        "Filed! Entity number: {entity_number}; website numbers: {website_numbers}. "
        "Complete the public-security filing within 30 days of opening the site.",
    ),
    "SMS_CODE_PROMPT": (
        "工信部已向 {mobiles} 发送短信核验码，请在 {hours} 小时内输入 6 位核验码"
        "（模拟器中短信可在发件箱 outbox 查看）：",
        "MIIT sent a verification code by SMS to {mobiles}. Enter the 6 digits within "
        "{hours} hours (in the simulator, the SMS is in the outbox):",
    ),
    "SMS_CODE_FORMAT": ("核验码为 6 位数字", "The code is 6 digits"),
    "REJECTED": (
        "订单被{who}驳回：\n{reasons}\n请按驳回意见修改后重新提交，或在处理完成后直接重新提交。",
        "The order was rejected by {who}:\n{reasons}\nEdit it as suggested and resubmit, or "
        "resubmit once you fixed the cause elsewhere.",
    ),
    # after submission as process.md tells it (settings of backend/domain/timeline.py): shown only
    # when an order carries the mark, so a default sandbox's conversation says what it said before
    "SMS_RESUBMIT_PENDING": (
        "工信部短信核验超时，订单已退回腾讯云。如备案信息无需修改，腾讯云将于 {due} 为您重新提交管局，"
        "届时工信部会重新发送短信核验码，请及时完成核验；如需修改信息，保存修改后不再自动重新提交，"
        "请修改后自行重新提交。",
        "MIIT's SMS check timed out and the order went back to Tencent Cloud. If nothing needs to change, "
        "Tencent Cloud resubmits it to the bureau at {due} and MIIT sends new codes then; if you edit "
        "the order, the automatic resubmission is cancelled and you resubmit it yourself.",
    ),
    "MIIT_RESULT_approve": (
        "工信部已通知：管局审核通过，备案号：{numbers}（可在 beian.miit.gov.cn 查询）。"
        "腾讯云将于 {sync_at} 同步订单状态，在此之前订单仍显示「管局审核中」。",
        "MIIT says the bureau approved the filing; numbers: {numbers} (see beian.miit.gov.cn). "
        "Tencent Cloud syncs the order at {sync_at}; until then it still shows the bureau review.",
    ),
    "MIIT_RESULT_reject": (
        "工信部已通知：管局审核未通过：{reasons}。腾讯云将于 {sync_at} 同步订单状态，届时可按驳回意见修改后重新提交。",
        "MIIT says the bureau rejected the filing: {reasons}. Tencent Cloud syncs the order at "
        "{sync_at}; then edit it as suggested and resubmit.",
    ),
    "HINT_CALL_UNREACHABLE": (
        "腾讯云审核人员致电负责人手机 {mobile} 核实备案信息，无人接听；约 1 小时后再次致电仍未接通，因此驳回。"
        "请保持该手机畅通并留意腾讯云备案审核来电（{numbers}）。信息无需修改时可直接重新提交，"
        "腾讯云初审时会再次致电核实。",
        "Tencent Cloud's reviewer phoned the responsible person's mobile {mobile} to check the "
        "filing, got no answer, tried again about an hour later, then rejected the order. Keep "
        "that phone on and answer calls from {numbers}. If nothing needs to change, resubmit as "
        "is; the reviewer calls again.",
    ),
    "HINT_SITE_REACHABLE": (
        "管局审核期间网站 {domains} 仍可访问：首次备案或新增网站在备案通过前不得开通访问。"
        "请暂停域名解析（关闭网站访问），在备案通过前保持网站无法访问，然后直接重新提交"
        "（模拟器中：将域名的 site_online 设为 false）。",
        "The site {domains} could be reached during the bureau's review: a first filing or a new "
        "website must stay offline until it is filed. Pause the domain's DNS, keep the site "
        "offline until the filing is approved, then resubmit as is (in the simulator: set the "
        "domain's site_online to false).",
    ),
    "REJECTED_BY_provider": ("腾讯云", "Tencent Cloud"),
    "REJECTED_BY_bureau": ("管局", "the bureau"),
    "AUDIT_LINE": ("· {key_name}：{error}（建议：{suggest}）", "· {key_name}: {error} (suggestion: {suggest})"),
    "DONE_approved": ("订单已办理完成。还可以办理其他备案业务。", "The order is complete. You can start another one."),
    "DONE_withdrawn": ("订单已撤销。还可以开始新的备案。", "The order was withdrawn. You can start another one."),
    "EXPIRED": (
        "订单超过 45 天未处理，已过期。可以重新打开订单继续办理，或重新开始。",
        "The order expired after 45 idle days. Reopen it to continue, or start again.",
    ),
    "WAITING": (
        "{next_step}现在无需回复，有新进展时会在这里通知您；可发送「status」查看进度。",
        '{next_step} Nothing to answer now; news will show up here. Send "status" to see the progress.',
    ),
    "BACK_NOT_AVAILABLE": (
        "当前步骤不能返回：订单已提交的信息只能在驳回后修改。",
        "You cannot go back from here: a submitted order can only be edited after a rejection.",
    ),
    "BACK_AT_START": (
        "这已经是第一步，没有可以返回的上一步。请从选项中选择。",
        "This is the first step: there is nothing to go back to. Please choose an option.",
    ),
    "NO_APPLICATION": ("还没有提交备案订单。", "No order has been submitted yet."),
    "HELP": (
        "现在需要：{expected}。\n可用命令：back（返回上一步）、restart（重新开始）、status（查看订单状态）、"
        "help（帮助）。想了解为什么要备案，请发送「为什么要备案」。",
        'Now I need: {expected}.\nCommands: back, restart, status, help. Send "why" to learn why filing is needed.',
    ),
    "EXPECT_NONE": ("无需回复，等待审核", "nothing; the order is under review"),
    "RESTARTED": ("已重新开始。", "Starting over."),
}

NEXT_STEPS = {
    # who the state waits on (workflow.State.waits_on) -> what the user is told
    "provider": ("等待腾讯云初审（约 1 个工作日）。", "Tencent Cloud reviews the order (about 1 working day)."),
    "clock": (
        "初审已通过，等待腾讯云提交管局（1–3 个工作日）。",
        "Provider review passed; Tencent Cloud hands it to the bureau (1-3 working days).",
    ),
    "bureau": ("等待管局审核。", "The bureau reviews the order."),
    "nobody": ("流程已结束。", "Nothing left to do."),
    "user": ("请您：{actions}。", "Your turn: {actions}."),
}

# User actions of the workflow table, as a next step for the user (the table's own zh names
# the transition, e.g. 短信核验通过, not what to do).
ACTION_HINTS = {
    workflow.SUBMIT: ("提交订单", "submit the order"),
    workflow.EDIT: ("按驳回意见修改", "edit the order"),
    workflow.RESUBMIT: ("重新提交", "resubmit"),
    workflow.WITHDRAW: ("撤销订单", "withdraw"),
    workflow.RECALL: ("撤销备案，退回修改", "recall the order to edit it"),
    workflow.REOPEN: ("重新打开订单", "reopen the order"),
    workflow.VERIFY_SMS: ("输入工信部短信核验码", "enter MIIT's SMS code"),
}
EDIT_UNREJECTED = ("修改订单信息", "edit the order")  # a draft has no 驳回意见 to follow

STATE_EN = {name: st.en for name, st in workflow.STATES.items()}  # declared in the workflow table

COMMAND_LABELS = {
    "back": ("返回上一步", "Back"),
    "restart": ("重新开始", "Start over"),
    "help": ("帮助", "Help"),
    "status": ("查看订单状态", "Status"),
}

CHOICE_LABELS = {
    "start": ("开始备案", "Start filing"),
    "why": ("为什么要备案？", "Why file?"),
    "track": ("查看进行中的订单", "Follow the order in progress"),
    "recheck": ("重新检查备案资格", "Check again"),
    "kinds": ("办理其他业务（变更、注销无需 IP）", "Something else (changes and cancellations need no IP)"),
    "new": ("新增备案", "New filing"),
    "change": ("变更或注销备案", "Change or cancel a filing"),
    "menu": ("返回备案业务菜单", "Back to the menu"),
    workflow.SUBMIT: ("确认提交", "Submit"),
    "edit_form": ("修改{title}", "Edit: {title}"),
    workflow.EDIT: ("修改信息", "Edit"),
    workflow.RESUBMIT: ("直接重新提交", "Resubmit as is"),
    workflow.WITHDRAW: ("撤销订单", "Withdraw"),
    workflow.REOPEN: ("重新打开订单", "Reopen the order"),
    "restart": ("开始新的备案", "Start a new filing"),
    "add_more": ("添加", "Add one"),
    "no_more": ("不用了", "No, that's all"),
}


def pick(locale, pair):
    """The text of a (zh, en) pair for the locale."""
    return pair[1] if locale == "en" else pair[0]


def say(locale, code, **values):
    return pick(locale, TEXTS[code]).format(**values)


def normalize_locale(value):
    """'en', 'en-US,en;q=0.9' -> 'en'; anything else (or nothing) -> 'zh-CN'."""
    text = (value or "").strip().lower()
    return "en" if text.startswith("en") else DEFAULT_LOCALE
